"""Two-tier set-up since 7/2025 (province → commune, no district) built as data inside the test, next to the seed's
three tiers: a commune committee holding ``intake`` and ``payout_management`` manages its own commune, a post office
serving it (seated at the commune, or at the province) pays its approved lists, a bank covers it. Nothing in the code
knows the commune is "two-tier": area, gates and documents follow duties and unit levels (``portal.access``).

Units are from the 2025 tree (portal/data/an-giang-units-2025.csv) (Tỉnh An Giang 91): Phường Rạch Giá (30742) and
Phường Vĩnh Thông (30760), whose codes do not collide with the 2024 tree the product ships (Phường Vĩnh Mỹ 30322 went
into Phường Châu Đốc 30316, a code the 2024 tree still uses for Phường Châu Phú B)."""
import csv
import os
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import select

import portal
from portal.access import may_see
from portal.areas import area_commune_codes, visible
from portal.errors import AccessDenied
from portal.extensions import db
from portal.models import (
    AdministrativeUnit,
    BankCoverage,
    Beneficiary,
    Duty,
    Organization,
    OrgKind,
    PayoutList,
    ServiceContract,
    User,
)
from portal.services.demo import user_by_username
from portal.services.documents import contracts
from portal.services.organizations import serving_organization
from portal.services.payouts.build import build_lists
from portal.services.payouts.results import record_result
from portal.services.payouts.workflow import approve_list, confirm_list
from tests.conftest import PASSWORD
from tests.documents import pdfcheck
from tests.factories import make_account, make_beneficiary

UNITS_2025 = os.path.join(os.path.dirname(portal.__file__), "data", "an-giang-units-2025.csv")
REFORM = date(2025, 7, 1)
AUG25 = date(2025, 8, 1)
RACH_GIA, VINH_THONG, PROVINCE_2025 = "30742", "30760", "91"
ISSUED_ON = date(2025, 8, 4)


def _units_2025(codes) -> None:
    """The seed shipped province 91 and the communes ``codes`` as in the 2025 CSV (valid from 1/7/2025, parent =
    the province)."""
    rows = [r for r in csv.DictReader(open(UNITS_2025, encoding="utf-8")) if r["commune_code"] in codes]
    assert {r["commune_code"] for r in rows} == set(codes)
    for r in rows:
        unit = db.session.get(AdministrativeUnit, r["commune_code"])
        assert (unit.name, unit.parent_code, unit.valid_from, unit.valid_to) == (
            r["commune_name"], PROVINCE_2025, REFORM, None)


def _org(kind, unit_code, name, duties, **kw) -> Organization:
    org = Organization(kind=kind, unit_code=unit_code, name=name, duties=",".join(duties), **kw)
    db.session.add(org)
    db.session.flush()
    return org


def _user(org, username, full_name, approver=False) -> User:
    user = User(organization_id=org.id, username=username, full_name=full_name, is_approver=approver)
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.flush()
    return user


def _post_office(seat: str) -> Organization:
    """The post office paying Rạch Giá: seated at the commune itself, or the province's one (serving every commune)."""
    if seat == "commune":
        return _org(OrgKind.POST_OFFICE, RACH_GIA, "Bưu điện Phường Rạch Giá", [Duty.PAYMENT_SERVICE])
    return _org(OrgKind.POST_OFFICE, PROVINCE_2025, "Bưu điện tỉnh An Giang", [Duty.PAYMENT_SERVICE])


@pytest.fixture
def two_tier(app):
    """The two-tier set-up as data: units, the commune committee of Phường Rạch Giá (intake + payout_management)
    with a preparer and an approver, an Agribank branch covering it, and for 08/2025 at 500.000 đ:
    bien K6 especially severe adult with an Agribank account → account 1.000.000; ha K6 severe elderly → cash at
    home 1.000.000; tam K6 severe adult → cash at point 750.000; thong lives in the neighbouring Vĩnh Thông."""
    _units_2025([RACH_GIA, VINH_THONG])
    commune = db.session.execute(select(Organization).where(  # seeded with the duties of Decree 147/2025
        Organization.kind == OrgKind.COMMUNE, Organization.unit_code == RACH_GIA)).scalar_one()
    assert commune.name == "Ủy ban nhân dân Phường Rạch Giá"
    assert {Duty.INTAKE, Duty.PAYOUT_MANAGEMENT} <= commune.duty_set
    bank = _org(OrgKind.BANK, RACH_GIA, "Agribank Chi nhánh Rạch Giá", [Duty.ACCOUNT_OPENING], provider_code="VBA")
    db.session.add(BankCoverage(bank_id=bank.id, commune_code=RACH_GIA, status="approved"))
    ns = SimpleNamespace(
        commune=commune, bank=bank,
        preparer=_user(commune, "xa.rachgia", "Lê Văn Lập"),
        approver=_user(commune, "xa.rachgia.duyet", "Trần Thị Duyệt", approver=True),
        bank_user=_user(bank, "agribank.rachgia", "Võ Thị Ngân"))
    common = dict(commune_code=RACH_GIA, start_month=AUG25, hamlet="Khu phố 1")
    ns.bien = make_beneficiary("Ngô Văn Biển", birth_date=date(1977, 9, 6), category_code="K6",
                               disability_level="especially_severe", payment_channel="bank_account", **common)
    make_account(ns.bien, "7700123456789", "VBA", opened_on=date(2025, 7, 20))
    ns.ha = make_beneficiary("Trần Thị Hà", birth_date=date(1950, 3, 27), gender="female", category_code="K6",
                             disability_level="severe", payment_channel="cash_at_home", **common)
    ns.tam = make_beneficiary("Lý Văn Tâm", birth_date=date(1980, 2, 2), category_code="K6",
                              disability_level="severe", **common)
    ns.thong = make_beneficiary("Phạm Văn Thông", commune_code=VINH_THONG, birth_date=date(1981, 1, 1),
                                category_code="K6", disability_level="severe", start_month=AUG25,
                                hamlet="Khu phố 2")
    db.session.commit()
    return ns


def _codes(area) -> list[str]:
    return sorted(db.session.execute(area).scalars())


def _names(user, model=Beneficiary) -> set[str]:
    return set(db.session.execute(visible(model, user).with_only_columns(Beneficiary.full_name)).scalars())


def test_areas_follow_unit_level_and_duties(two_tier):
    t = two_tier
    assert _codes(area_commune_codes(t.preparer)) == [RACH_GIA]
    assert _names(t.preparer) == {"Ngô Văn Biển", "Trần Thị Hà", "Lý Văn Tâm"}  # not Vĩnh Thông's Thông
    assert may_see("phone", t.preparer) and may_see("national_id", t.preparer) and may_see("category", t.preparer)
    # the bank: its coverage, and only people who chose an account
    assert _codes(area_commune_codes(t.bank_user)) == [RACH_GIA]
    assert _names(t.bank_user) == {"Ngô Văn Biển"}
    assert not may_see("category", t.bank_user)
    # a commune post office serves its commune; the province's post office every commune of the province
    commune_po, province_po = _post_office("commune"), _post_office("province")
    po_user, prov_user = _user(commune_po, "buudien.rachgia", "A"), _user(province_po, "buudien.angiang", "B")
    assert _codes(area_commune_codes(po_user)) == [RACH_GIA]
    province_area = _codes(area_commune_codes(prov_user))  # the 102 communes of 2025, not the 2024 tree (89)
    assert len(province_area) == 102 and {RACH_GIA, VINH_THONG} <= set(province_area) and "30322" not in province_area
    assert serving_organization(RACH_GIA, Duty.PAYMENT_SERVICE) == commune_po  # same unit first
    assert serving_organization(VINH_THONG, Duty.PAYMENT_SERVICE) == province_po  # else nearest ancestor
    # an office seated at the province with payout_management: every commune of the province, not "everything"
    office = _org(OrgKind.DISTRICT, PROVINCE_2025, "Phòng Bảo trợ xã hội", [Duty.PAYOUT_MANAGEMENT])
    assert _codes(area_commune_codes(_user(office, "bt.angiang", "C"))) == province_area
    # the seed's three tiers are unchanged: the province department sees everything, the others their own
    assert area_commune_codes(user_by_username("so.angiang")) is None
    district = _codes(area_commune_codes(user_by_username("pld.chaudoc")))
    assert len(district) == 7 and "30322" in district and RACH_GIA not in district
    assert _codes(area_commune_codes(user_by_username("buudien.chaudoc"))) == district
    assert _codes(area_commune_codes(user_by_username("xa.vinhmy"))) == ["30322"]
    assert serving_organization("30322", Duty.PAYMENT_SERVICE).name == "Bưu điện Thành phố Châu Đốc"
    assert not _names(user_by_username("pld.chaudoc")) & {"Ngô Văn Biển", "Trần Thị Hà", "Lý Văn Tâm"}


@pytest.mark.parametrize("seat", ["commune", "province"])
def test_commune_builds_approves_and_its_post_office_pays(two_tier, seat):
    t = two_tier
    post = _post_office(seat)
    po_user = _user(post, "buudien.test", "Huỳnh Văn Bưu")
    built = build_lists(t.preparer, AUG25)
    lists = {lst.channel: lst for lst in built.lists}
    assert {lst.commune_code for lst in built.lists} == {RACH_GIA}  # its own commune only, not Vĩnh Thông
    assert {c: (lst.people_count, lst.total_amount) for c, lst in lists.items()} == {
        "account": (1, 1_000_000), "cash_at_home": (1, 1_000_000), "cash_at_point": (1, 750_000)}
    assert lists["account"].lines[0].account_number == "7700123456789"
    assert all(lst.post_office_id == post.id and lst.payout_office_id == t.commune.id for lst in built.lists)
    assert db.session.execute(visible(PayoutList, po_user)).scalars().all() == []  # drafts: not yet
    for lst in built.lists:
        confirm_list(t.preparer, lst)  # the same committee confirms as commune (intake)
        with pytest.raises(AccessDenied):
            approve_list(t.preparer, lst)  # … but the preparer never approves
        approve_list(t.approver, lst)
        lst.approved_at = datetime(2025, 8, 1, 1, 0, tzinfo=UTC)
    db.session.commit()
    seen = {lst.id for lst in db.session.execute(visible(PayoutList, po_user)).scalars()}
    assert seen == {lst.id for lst in built.lists}
    cash = lists["cash_at_point"]
    from portal.services.payouts.workflow import accept_list
    accept_list(po_user, cash)  # nhận danh sách before any result
    record_result(po_user, cash.lines[0], "paid", paid_on=date(2025, 8, 5))
    assert cash.lines[0].result == "paid" and cash.status == "reported"
    # the seed's district office does not see these lists, nor its post office
    assert not db.session.execute(visible(PayoutList, user_by_username("pld.chaudoc"))
                                  .where(PayoutList.commune_code == RACH_GIA)).first()
    with pytest.raises(AccessDenied):
        record_result(user_by_username("buudien.chaudoc"), lists["cash_at_home"].lines[0], "paid",
                      paid_on=date(2025, 8, 5))


@pytest.mark.parametrize("seat", ["commune", "province"])
def test_commune_issues_its_service_contract_as_ubnd(two_tier, seat):
    t = two_tier
    post = _post_office(seat)
    data = contracts.defaults(t.preparer, ISSUED_ON)
    assert (data.estimated_people, data.party_a_title, data.fee_per_person) == (3, "Chủ tịch", 5_000)
    data.party_b_signer = "Huỳnh Văn Bưu"
    contract = contracts.create_draft(t.preparer, data)
    assert (contract.district_org_id, contract.post_office_id, contract.commune_codes) == (
        t.commune.id, post.id, [RACH_GIA])
    assert contract.estimated_value == 3 * 5 * 5_000  # the default term: 08/2025 (signing month) to 12/2025
    from portal.services.documents.printing import contract_doc
    draft, body = contract_doc(contract)
    assert draft.number_line.endswith("/HĐ-UBND") and body.party_a == "Ủy ban nhân dân Phường Rạch Giá"
    doc = contracts.issue_contract(t.preparer, contract, ISSUED_ON)
    assert doc.number_text == "01/HĐ-UBND" and contract.status == "issued"
    text = " ".join(pdfcheck.page_texts(doc.content))
    for expected in ("ỦY BAN NHÂN DÂN", "PHƯỜNG RẠCH GIÁ", "Số: 01/HĐ-UBND", "Rạch Giá, ngày 04 tháng 8 năm 2025",
                     "BÊN A (bên thuê dịch vụ): ỦY BAN NHÂN DÂN PHƯỜNG RẠCH GIÁ",
                     f"BÊN B (đơn vị cung cấp dịch vụ chi trả): {post.name.upper()}",
                     "trên địa bàn Phường Rạch Giá.", "3 người × 5 tháng × 5.000 đồng = 75.000 đồng"):
        assert expected in text, expected
    assert "Lao động" not in text.replace("Sở Lao động - Thương binh và Xã hội tỉnh An Giang", "")  # only the plan
    po_user = _user(post, "buudien.test", "Huỳnh Văn Bưu")
    assert db.session.execute(visible(ServiceContract, po_user)).scalars().all() == [contract]
    assert db.session.execute(visible(ServiceContract, user_by_username("pld.chaudoc"))).scalars().all() == []


def test_intake_only_commune_cannot_sign_contracts(two_tier):
    vinh_my = user_by_username("xa.vinhmy")  # the seed's commune: intake only
    with pytest.raises(AccessDenied):
        contracts.create_draft(vinh_my, contracts.defaults(user_by_username("pld.chaudoc"), ISSUED_ON))


def test_three_tier_contract_unchanged(app):
    officer = user_by_username("pld.chaudoc")
    data = contracts.defaults(officer, date(2024, 8, 5))
    assert data.party_a_title == "Trưởng phòng"
    data.party_b_signer = "Huỳnh Văn Bưu"
    contract = contracts.create_draft(officer, data)
    assert contract.post_office.name == "Bưu điện Thành phố Châu Đốc" and len(contract.commune_codes) == 7
    from portal.services.documents.printing import contract_doc
    doc, body = contract_doc(contract)
    assert doc.number_line.endswith("/HĐ-LĐTBXH")
    assert body.party_a == "Phòng Lao động - Thương binh và Xã hội – Thành phố Châu Đốc"
    assert body.party_b == "Bưu điện Thành phố Châu Đốc"


def test_commune_pages_by_duty(two_tier, client):
    t = two_tier
    _post_office("province")
    built = build_lists(t.preparer, AUG25)
    db.session.commit()
    account = next(lst for lst in built.lists if lst.channel == "account")
    client.login("xa.rachgia")
    sheet = client.get(f"/van-ban/danh-sach-chi-tra/{account.id}.xlsx")
    assert sheet.status_code == 200 and sheet.mimetype.endswith("spreadsheetml.sheet")
    page = client.get("/huyen/hop-dong/").get_data(as_text=True)
    assert 'value="Chủ tịch"' in page and 'value="3"' in page
    lists = client.get("/xa/chi-tra").get_data(as_text=True)  # the commune builds: its menu and page lead there
    assert '<a href="/huyen/">Lập danh sách chi trả</a>' in lists
    assert "Ủy ban nhân dân Phường Rạch Giá lập danh sách hằng tháng ở trang" in lists
    assert "Phòng LĐTBXH" not in lists
    client.logout()
    client.login("xa.vinhmy")  # 2024: the district office builds, the commune confirms
    lists = client.get("/xa/chi-tra").get_data(as_text=True)
    assert "Lập danh sách chi trả</a>" not in lists and "Cơ quan quản lý chi trả lập danh sách hằng tháng" in lists
    client.logout()
    client.login("agribank.chaudoc")  # account opening only: no payment sheet
    assert client.get(f"/van-ban/danh-sach-chi-tra/{account.id}.xlsx").status_code == 403
