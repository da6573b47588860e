"""The demo set-up (seed-demo), idempotent: the Sở, every district labour office and commune committee
of An Giang (2024 tree), five banks' branches covering Châu Đốc and Tịnh Biên, the two post offices, the police of
those communes, and one user per role; and its continuation after the 1/7/2025 reform (2025 tree): Sở Y tế tỉnh An
Giang, every commune committee with the duties the competence rules give it from 1/7/2025, for Phường Châu Đốc and
Phường Chi Lăng an officer, a chairman (the approver) and the post office serving them. Every demo user's password
is ``DEMO_PASSWORD``."""
from sqlalchemy import select

from ..errors import PortalError
from ..extensions import db
from ..models import TREE_2024_END, TREE_2025_START, AdministrativeUnit, BankCoverage, Duty, Organization, OrgKind, User
from .organizations import duties_for
from .reference_data import load_all_units, load_reference
from .registry.hamlets import seed_hamlets
from .registry.identity import fold

DEMO_PASSWORD = "demo1234"
PROVINCE = "89"
DEMO_DISTRICTS = {"884": "chaudoc", "890": "tinhbien"}
BANKS = [("VBA", "Agribank"), ("ICB", "VietinBank"), ("VCB", "Vietcombank"), ("BIDV", "BIDV"), ("LPB", "LPBank")]

#: username, full name, organisation key, approver
DEMO_USERS = [
    ("so.angiang", "Lê Thị Sở", ("province", PROVINCE), False),
    ("pld.chaudoc", "Trần Văn Lập", ("district", "884"), False),
    ("pld.chaudoc.duyet", "Phạm Thị Duyệt", ("district", "884"), True),
    ("pld.tinhbien", "Ngô Văn Lập", ("district", "890"), False),
    ("pld.tinhbien.duyet", "Đặng Thị Duyệt", ("district", "890"), True),
    ("xa.vinhmy", "Nguyễn Thị Xuân", ("commune", "30322"), False),
    ("xa.tanloi", "Chau Sóc Khol", ("commune", "30535"), False),
    ("agribank.chaudoc", "Võ Minh Ngân", ("bank", "VBA", "884"), False),
    ("agribank.tinhbien", "Lý Thị Ngân", ("bank", "VBA", "890"), False),
    ("buudien.chaudoc", "Huỳnh Văn Bưu", ("post_office", "884"), False),
    ("buudien.tinhbien", "Lâm Thị Bưu", ("post_office", "890"), False),
    ("congan.vinhmy", "Đỗ Văn An", ("police", "30322"), False),
    ("congan.tanloi", "Thạch Văn An", ("police", "30535"), False),
]
PROVINCE_2025 = "91"
#: the 2025 communes of the demo (unit keys): Phường Châu Đốc took Vĩnh Mỹ, Phường Chi Lăng took Tân Lợi
DEMO_COMMUNES_2025 = {"30316@2025": "chaudoc", "30505@2025": "chilang"}
#: the two-tier demo users (from 1/7/2025)
DEMO_USERS_2025 = [
    ("syt.angiang", "Trần Thị Y", ("province", PROVINCE_2025), False),
    ("ubnd.chaudoc", "Nguyễn Văn Công", ("commune", "30316@2025"), False),
    ("ubnd.chaudoc.ct", "Lê Văn Chủ", ("commune", "30316@2025"), True),
    ("ubnd.chilang", "Chau Thị Công", ("commune", "30505@2025"), False),
    ("ubnd.chilang.ct", "Néang Sóc Chủ", ("commune", "30505@2025"), True),
    ("buudien.phuongchaudoc", "Huỳnh Thị Bưu", ("post_office", "30316@2025"), False),
    ("buudien.chilang", "Lâm Văn Bưu", ("post_office", "30505@2025"), False),
    ("congan.chaudoc", "Đỗ Minh Công", ("police", "30316@2025"), False),
    ("congan.chilang", "Chau Văn Ninh", ("police", "30505@2025"), False),
]


#: Who signs for the demo organisations (người đại diện): name, position, gender.
DEMO_REPRESENTATIVES = {
    ("province", PROVINCE): ("Lê Thị Sở", "Phó Giám đốc", "female"),
    ("district", "884"): ("Trần Văn Lập", "Trưởng phòng", "male"),
    ("district", "890"): ("Ngô Văn Lập", "Trưởng phòng", "male"),
    ("commune", "30322"): ("Nguyễn Văn Vĩnh", "Phó Chủ tịch", "male"),
    ("commune", "30535"): ("Néang Sóc Phi", "Phó Chủ tịch", "female"),
    ("post_office", "884"): ("Huỳnh Văn Bưu", "Giám đốc", "male"),
    ("post_office", "890"): ("Lâm Thị Bưu", "Giám đốc", "female"),
}


def _org(kind: str, unit_code: str, name: str, duties, parent_name: str | None = None,
         provider_code: str | None = None, **printed) -> Organization:
    org = db.session.execute(select(Organization).where(
        Organization.kind == kind, Organization.unit_code == unit_code,
        Organization.provider_code.is_(provider_code) if provider_code is None
        else Organization.provider_code == provider_code)).scalar_one_or_none()
    if org is None:
        org = Organization(kind=kind, unit_code=unit_code, name=name, duties=",".join(sorted(duties)),
                           parent_name=parent_name, provider_code=provider_code, **printed)
        db.session.add(org)
        db.session.flush()
    return org


def seed_demo() -> dict[str, int]:
    """Create whatever of the demo set-up is missing. Returns counts of units, organisations and users. Flushes."""
    units = load_all_units()
    load_reference()
    units_by_code = {u.code: u for u in db.session.execute(select(AdministrativeUnit)).scalars()}
    province = units_by_code[PROVINCE]
    orgs = {("province", PROVINCE): _org(OrgKind.PROVINCE, PROVINCE, "Sở Lao động - Thương binh và Xã hội",
                                         [Duty.OVERSIGHT], f"ỦY BAN NHÂN DÂN {province.name.upper()}")}
    communes_of: dict[str, list[str]] = {}
    # what the rules in force until 30/6/2025 give a district office (Nghị định 20/2021/NĐ-CP): payout management and
    # the post-office contract; the communes' reports reach it through the tree (``printing.report_recipients``)
    district_duties = duties_for(OrgKind.DISTRICT, "district", TREE_2024_END) - {Duty.REPORT_RECEIVING}
    for u in units_by_code.values():
        if u.valid_from >= TREE_2025_START:
            continue  # the 2025 tree: _seed_2025
        if u.level == "district":
            orgs[("district", u.code)] = _org(OrgKind.DISTRICT, u.code, "Phòng Lao động - Thương binh và Xã hội",
                                              district_duties, f"ỦY BAN NHÂN DÂN {u.name.upper()}")
        elif u.level == "commune":
            orgs[("commune", u.code)] = _org(OrgKind.COMMUNE, u.code, f"Ủy ban nhân dân {u.name}", [Duty.INTAKE])
            communes_of.setdefault(u.parent_code, []).append(u.code)
    for district in DEMO_DISTRICTS:
        dname = units_by_code[district].name
        short = dname.split(" ", 2)[-1]
        orgs[("post_office", district)] = _org(OrgKind.POST_OFFICE, district, f"Bưu điện {dname}",
                                               [Duty.PAYMENT_SERVICE])
        for code, bank in BANKS:
            org = _org(OrgKind.BANK, district, f"{bank} Chi nhánh {short}", [Duty.ACCOUNT_OPENING], provider_code=code)
            orgs[("bank", code, district)] = org
            have = set(db.session.execute(select(BankCoverage.commune_code).where(
                BankCoverage.bank_id == org.id)).scalars())
            for commune in communes_of[district]:
                if commune not in have:
                    db.session.add(BankCoverage(bank_id=org.id, commune_code=commune))
        for commune in communes_of[district]:
            orgs[("police", commune)] = _org(OrgKind.POLICE, commune, f"Công an {units_by_code[commune].name}",
                                             [Duty.ID_VERIFICATION])
    orgs.update(_seed_2025(units_by_code))
    for key, (name, title, gender) in DEMO_REPRESENTATIVES.items():
        org = orgs.get(key)
        if org is not None and not org.representative_name:
            org.representative_name, org.representative_title, org.representative_gender = name, title, gender
    users = 0
    for username, full_name, key, approver in DEMO_USERS + DEMO_USERS_2025:
        if db.session.execute(select(User.id).where(User.username == username)).first():
            continue
        user = User(username=username, full_name=full_name, organization_id=orgs[key].id, is_approver=approver)
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        users += 1
    db.session.flush()
    seed_hamlets()  # the demo communes' khóm/ấp lists
    return {"units": units, "organizations": len(orgs), "users": users}


def _seed_2025(units_by_code) -> dict:
    """The bodies of the 2025 tree: Sở Y tế tỉnh An Giang (oversight, report receiving), every commune committee with
    the duties the competence rules give a commune committee from 1/7/2025 (Nghị định 147/2025/NĐ-CP), every
    commune's police (Công an xã/phường, duty ``id_verification``: the identity cross-check against the population
    database, Nghị định 104/2022/NĐ-CP), and the post office serving each demo commune. Returns them keyed like
    ``seed_demo``'s organisations."""
    province = units_by_code[PROVINCE_2025]
    orgs = {("province", PROVINCE_2025): _org(
        OrgKind.PROVINCE, PROVINCE_2025, "Sở Y tế", duties_for(OrgKind.PROVINCE, "province", TREE_2025_START),
        f"ỦY BAN NHÂN DÂN {province.name.upper()}", symbol="SYT", signer_title="Giám đốc",
        recipient_name=f"Sở Y tế {_lower_first(province.name)}",
        report_recipients=f"Bộ Y tế; UBND {_lower_first(province.name)}; Lưu: VT")}
    commune_duties = duties_for(OrgKind.COMMUNE, "commune", TREE_2025_START)
    for u in units_by_code.values():
        if u.level == "commune" and u.valid_from >= TREE_2025_START:
            orgs[("commune", u.code)] = _org(OrgKind.COMMUNE, u.code, f"Ủy ban nhân dân {u.name}", commune_duties,
                                             symbol="UBND", signer_title="Chủ tịch", recipient_name=f"UBND {u.name}")
            orgs[("police", u.code)] = _org(OrgKind.POLICE, u.code, f"Công an {u.name}", [Duty.ID_VERIFICATION])
    for code in DEMO_COMMUNES_2025:
        orgs[("post_office", code)] = _org(OrgKind.POST_OFFICE, code, f"Bưu điện {units_by_code[code].name}",
                                           [Duty.PAYMENT_SERVICE])
    return orgs


def _lower_first(name: str) -> str:
    """"Tỉnh An Giang" → "tỉnh An Giang" (as written after another word)."""
    return name[0].lower() + name[1:]


def commune_slug(unit: AdministrativeUnit) -> str:
    """The user-name part of a commune: its name without the kind word, folded, no spaces ("Phường Vĩnh Mỹ" →
    "vinhmy", "Thị trấn Nhà Bàng" → "nhabang")."""
    name = fold(unit.name)
    for kind in ("thi tran ", "phuong ", "xa "):
        if name.startswith(kind):
            name = name[len(kind):]
            break
    return name.replace(" ", "")


def ensure_commune_users(commune_code: str) -> list[User]:
    """The demo users of one commune of a demo district (``xa.<slug>`` for its committee, ``congan.<slug>`` for its
    police), created the way ``seed_demo`` creates those of Vĩnh Mỹ and Tân Lợi when missing (the slug gets the
    unit code when another commune already uses it). Returns [committee user, police user]. Raises PortalError for
    a commune outside the demo districts (Châu Đốc 884, Tịnh Biên 890). Flushes."""
    unit = db.session.get(AdministrativeUnit, commune_code)
    if unit is None or unit.level != "commune" or unit.parent_code not in DEMO_DISTRICTS:
        raise PortalError(f"Đơn vị {commune_code} không phải xã/phường của các huyện mẫu "
                          f"({', '.join(DEMO_DISTRICTS)}): chu trình mẫu chỉ chạy cho các xã đó.")
    users = []
    for kind, prefix, full_name in ((OrgKind.COMMUNE, "xa", "Cán bộ LĐTBXH xã"), (OrgKind.POLICE, "congan",
                                                                                   "Cán bộ công an")):
        org = db.session.execute(select(Organization).where(Organization.kind == kind,
                                                            Organization.unit_code == commune_code)).scalar_one()
        user = db.session.execute(select(User).where(User.organization_id == org.id, User.active.is_(True))
                                  .order_by(User.id).limit(1)).scalar_one_or_none()
        if user is None:
            username = f"{prefix}.{commune_slug(unit)}"
            if db.session.execute(select(User.id).where(User.username == username)).first():
                username = f"{username}.{commune_code}"
            user = User(username=username, full_name=full_name, organization_id=org.id, is_approver=False)
            user.set_password(DEMO_PASSWORD)
            db.session.add(user)
            db.session.flush()
        users.append(user)
    return users


def user_by_username(username: str) -> User:
    """The demo (or any) user by username; raises LookupError when missing."""
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise LookupError(username)
    return user
