"""The demo set-up (seed-demo), idempotent: the Sở, every district labour office and commune committee
of An Giang (2024 tree), five banks' branches covering Châu Đốc and Tịnh Biên, the two post offices, the police of
those communes, and one user per role. Every demo user's password is ``DEMO_PASSWORD``."""
from sqlalchemy import select

from ..errors import PortalError
from ..extensions import db
from ..models import AdministrativeUnit, BankCoverage, Duty, Organization, OrgKind, User
from .reference_data import load_reference, load_units
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


def _org(kind: str, unit_code: str, name: str, duties: list[str], parent_name: str | None = None,
         provider_code: str | None = None) -> Organization:
    org = db.session.execute(select(Organization).where(
        Organization.kind == kind, Organization.unit_code == unit_code,
        Organization.provider_code.is_(provider_code) if provider_code is None
        else Organization.provider_code == provider_code)).scalar_one_or_none()
    if org is None:
        org = Organization(kind=kind, unit_code=unit_code, name=name, duties=",".join(duties),
                           parent_name=parent_name, provider_code=provider_code)
        db.session.add(org)
        db.session.flush()
    return org


def seed_demo() -> dict[str, int]:
    """Create whatever of the demo set-up is missing. Returns counts of units, organisations and users. Flushes."""
    units = load_units()
    load_reference()
    units_by_code = {u.code: u for u in db.session.execute(select(AdministrativeUnit)).scalars()}
    province = units_by_code[PROVINCE]
    orgs = {("province", PROVINCE): _org(OrgKind.PROVINCE, PROVINCE, "Sở Lao động - Thương binh và Xã hội",
                                         [Duty.OVERSIGHT], f"ỦY BAN NHÂN DÂN {province.name.upper()}")}
    communes_of: dict[str, list[str]] = {}
    for u in units_by_code.values():
        if u.level == "district":
            orgs[("district", u.code)] = _org(OrgKind.DISTRICT, u.code, "Phòng Lao động - Thương binh và Xã hội",
                                              [Duty.PAYOUT_MANAGEMENT], f"ỦY BAN NHÂN DÂN {u.name.upper()}")
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
    for key, (name, title, gender) in DEMO_REPRESENTATIVES.items():
        org = orgs.get(key)
        if org is not None and not org.representative_name:
            org.representative_name, org.representative_title, org.representative_gender = name, title, gender
    users = 0
    for username, full_name, key, approver in DEMO_USERS:
        if db.session.execute(select(User.id).where(User.username == username)).first():
            continue
        user = User(username=username, full_name=full_name, organization_id=orgs[key].id, is_approver=approver)
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        users += 1
    db.session.flush()
    seed_hamlets()  # the demo communes' khóm/ấp lists
    return {"units": units, "organizations": len(orgs), "users": users}


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
