"""The unit map of the month in every commune choice, and what the 2025 communes' pages tell their officers: the
monthly-change form's "Chuyển đến" and the bank's commune filter offer the communes in force in the month at hand
(the 2024 tree before 07/2025, the 2025 tree after, with the names of that time); a 2025 commune whose old communes'
register was not moved yet says so, and sends to the placement worklist while people of a split commune wait; the
commune chairman finds the change lists waiting for review in the menu."""
import re
from datetime import date, datetime

import pytest
import time_machine
from sqlalchemy import select

from portal.access import accepts_changes
from portal.clock import VN_TZ
from portal.extensions import db
from portal.models import AdministrativeUnit, BankCoverage, Beneficiary, ChangeSubmission, RegistryEvent
from portal.services.demo import user_by_username
from portal.services.reform import apply_reform
from portal.services.units import units_in_force
from tests.conftest import pinned_clock
from tests.factories import make_beneficiary as _make_beneficiary

pytestmark = pinned_clock
REFORM = date(2025, 7, 1)
CHAU_DOC, VINH_MY, VINH_CHAU = "30316@2025", "30322", "30334"
NOTICE = ("Sở Y tế chưa chuyển hồ sơ của các xã cũ về xã/phường này (sắp xếp đơn vị hành chính 01/7/2025).")


def make_beneficiary(name: str, **kw):
    return _make_beneficiary(name, birth_date=date(1940, 1, 2), **kw)


def _org_id(username: str) -> int:
    return user_by_username(username).organization_id


def _options(html: str, name: str) -> dict[str, str]:
    """value → label of the options of the select ``name`` (the empty choice left out)."""
    select_html = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return {v: label.strip() for v, label in re.findall(r'<option[^>]*value="([^"]*)"[^>]*>([^<]*)</option>',
                                                         select_html) if v}


def test_units_in_force_follow_the_month(app):
    june, july = units_in_force(date(2025, 6, 1)), units_in_force(date(2025, 7, 1))
    assert (len(june), len(july)) == (155, 102)
    assert {u.valid_to for u in june} == {date(2025, 6, 30)} and {u.valid_from for u in july} == {REFORM}
    # one GSO code, the name of each time
    assert {u.code: u.name for u in june}["30316"] == "Phường Châu Phú B"
    assert {u.code: u.name for u in july}[CHAU_DOC] == "Phường Châu Đốc"
    assert [u.name for u in units_in_force(date(2026, 12, 15), among=[VINH_MY, CHAU_DOC])] == ["Phường Châu Đốc"]
    assert [u.name for u in units_in_force(date(2024, 8, 1), level="district", among=["884", "91"])] == [
        "Thành phố Châu Đốc"]


def test_move_form_offers_the_communes_of_the_list_month(client):
    old = make_beneficiary("Ngô Văn Cũ")
    new = make_beneficiary("Trần Văn Mới", commune_code=CHAU_DOC)
    db.session.commit()
    client.login("xa.vinhmy")
    choices = _options(client.get(f"/xa/doi-tuong/{old.id}/bien-dong?thang=2024-08").get_data(as_text=True),
                       "to_commune")
    assert len(choices) == 155
    assert choices["30316"] == "Phường Châu Phú B" and choices["30325"] == "Phường Núi Sam"
    assert CHAU_DOC not in choices
    client.logout()
    client.login("ubnd.chaudoc")
    page = client.get(f"/xa/doi-tuong/{new.id}/bien-dong?thang=2026-12")
    choices = _options(page.get_data(as_text=True), "to_commune")
    assert len(choices) == 102
    assert choices["30325@2025"] == "Phường Vĩnh Tế" and choices[CHAU_DOC] == "Phường Châu Đốc"
    assert VINH_MY not in choices and "30325" not in choices and "Phường Núi Sam" not in choices.values()
    # an abolished commune typed into the request is refused under the field, nothing recorded
    resp = client.post(f"/xa/doi-tuong/{new.id}/bien-dong?thang=2026-12",
                       {"kind": "move_out", "effective_month": "01/2027", "to_commune": VINH_MY})
    assert resp.status_code == 422
    assert "Xã/phường nơi chuyển đến không có hiệu lực trong tháng 12/2026" in resp.get_data(as_text=True)
    assert db.session.execute(select(RegistryEvent).where(RegistryEvent.beneficiary_id == new.id)).first() is None


def test_bank_filter_lists_the_covered_communes_of_today(client):
    with time_machine.travel(datetime(2025, 6, 20, 9, 0, tzinfo=VN_TZ)):
        client.login("agribank.chaudoc")
        before = _options(client.get("/ngan-hang/").get_data(as_text=True), "commune")
        client.logout()
    assert "30322" in before and before["30316"] == "Phường Châu Phú B"
    assert not any(code.endswith("@2025") for code in before)
    apply_reform(None, REFORM)  # coverage of the old communes is carried to their new ones
    db.session.commit()
    client.login("agribank.chaudoc")
    page = client.get("/ngan-hang/").get_data(as_text=True)
    after = _options(page, "commune")
    assert after[CHAU_DOC] == "Phường Châu Đốc" and after["30325@2025"] == "Phường Vĩnh Tế"
    assert "30322" not in after and "Phường Vĩnh Mỹ" not in after.values() and "Phường Núi Sam" not in page
    assert f"Tất cả ({len(after)})" in page
    assert all(db.session.get(AdministrativeUnit, code).valid_from == REFORM for code in after)
    sessions = _options(client.get("/ngan-hang/diem-chi-tra").get_data(as_text=True), "commune")
    assert sessions == after


def test_new_commune_says_its_register_was_not_moved_yet(client):
    make_beneficiary("Ngô Văn An")
    make_beneficiary("Trần Thị Bình", gender="female")
    make_beneficiary("Lý Văn Châu", commune_code=VINH_CHAU, hamlet="Ấp Vĩnh Phú")  # split: Châu Đốc and Vĩnh Tế
    db.session.commit()
    client.login("ubnd.chaudoc")
    page = client.get("/xa/").get_data(as_text=True)
    assert NOTICE in page
    assert "Còn 3 người đăng ký tại Phường Vĩnh Mỹ (2 người), Xã Vĩnh Châu (1 người)" in page
    assert "chờ xếp" not in page
    client.logout()
    client.login("xa.vinhmy")  # a commune of the 2024 tree: nothing to say
    assert 'id="reform-notice"' not in client.get("/xa/").get_data(as_text=True)
    client.logout()

    apply_reform(None, REFORM)
    db.session.commit()
    client.login("ubnd.chaudoc")
    page = client.get("/xa/bien-dong").get_data(as_text=True)
    assert NOTICE not in page
    assert "Còn 1 người của xã cũ bị chia tách chờ xếp vào xã/phường này." in page
    assert '<a href="/xa/xep-xa-moi">Xếp vào xã mới</a> trước khi lập danh sách chi trả' in page
    client.post("/xa/xep-xa-moi", data={"old": VINH_CHAU, "hamlet": "Ấp Vĩnh Phú"})
    assert 'id="reform-notice"' not in client.get("/xa/").get_data(as_text=True)
    assert db.session.execute(select(Beneficiary.commune_code).distinct()).scalars().all() == [CHAU_DOC]


@pytest.mark.parametrize("username, shown", [("ubnd.chaudoc.ct", True), ("ubnd.chaudoc", False),
                                             ("xa.vinhmy", False)])
def test_chairman_finds_the_change_lists_waiting_in_the_menu(client, username, shown):
    b = make_beneficiary("Ngô Văn An", commune_code=CHAU_DOC)
    sub = ChangeSubmission(commune_code=CHAU_DOC, month=date(2026, 12, 1), status="submitted")
    db.session.add(sub)
    db.session.flush()
    db.session.add(RegistryEvent(beneficiary_id=b.id, commune_code=CHAU_DOC, kind="suspend", submission_id=sub.id,
                                 effective_month=date(2027, 1, 1), status="submitted", details={}))
    db.session.commit()
    client.login(username)
    page = client.get("/xa/").get_data(as_text=True)
    link = '<a href="/huyen/bien-dong?trang_thai=submitted">Duyệt biến động (1)</a>'
    assert (link in page) is shown
    if shown:
        waiting = client.get("/huyen/bien-dong?trang_thai=submitted").get_data(as_text=True)
        assert "Phường Châu Đốc" in waiting and "12/2026" in waiting


def test_bank_requests_coverage_among_the_communes_of_today(client):
    db.session.execute(BankCoverage.__table__.delete().where(BankCoverage.bank_id == _org_id("agribank.tinhbien")))
    db.session.commit()
    with time_machine.travel(datetime(2025, 6, 20, 9, 0, tzinfo=VN_TZ)):
        client.login("agribank.tinhbien")
        before = _options(client.get("/ngan-hang/dia-ban").get_data(as_text=True), "commune")
        client.logout()
    assert before["30535"] == "Xã Tân Lợi" and not any(code.endswith("@2025") for code in before)
    client.login("agribank.tinhbien")
    page = client.get("/ngan-hang/dia-ban").get_data(as_text=True)
    after = _options(page, "commune")
    assert after["30505@2025"] == "Phường Chi Lăng" and "30535" not in after and "Xã Tân Lợi" not in page
    assert all(db.session.get(AdministrativeUnit, code).valid_from == REFORM for code in after)
    assert client.post("/ngan-hang/dia-ban", {"commune": "30505@2025"}).status_code == 302
    assert db.session.get(BankCoverage, (_org_id("agribank.tinhbien"), "30505@2025")).status == "requested"


def test_funnel_offers_districts_only_while_there_are_some(client):
    client.login("so.angiang")
    page = client.get("/tinh/pheu?thang=2024-08").get_data(as_text=True)
    assert _options(page, "huyen")["884"] == "Thành phố Châu Đốc"
    assert 'name="huyen"' not in client.get("/tinh/pheu?thang=2026-11").get_data(as_text=True)


def test_who_reviews_change_lists(app):
    who = {u: accepts_changes(user_by_username(u)) for u in (
        "pld.chaudoc", "pld.chaudoc.duyet", "ubnd.chaudoc", "ubnd.chaudoc.ct", "xa.vinhmy", "syt.angiang")}
    assert who == {"pld.chaudoc": True, "pld.chaudoc.duyet": True, "ubnd.chaudoc": False, "ubnd.chaudoc.ct": True,
                   "xa.vinhmy": False, "syt.angiang": False}


def test_only_the_chairman_reviews_the_committees_change_lists(client):
    """The committee's officer sends; the chairman accepts or returns. Another officer, who is not the sender, is
    refused too: the menu and the service follow the same rule (``access.accepts_changes``)."""
    b = make_beneficiary("Ngô Văn Bình", commune_code=CHAU_DOC)
    sub = ChangeSubmission(commune_code=CHAU_DOC, month=date(2026, 12, 1), status="submitted",
                           submitted_by_id=user_by_username("ubnd.chaudoc.ct").id)
    db.session.add(sub)
    db.session.flush()
    db.session.add(RegistryEvent(beneficiary_id=b.id, commune_code=CHAU_DOC, kind="suspend", submission_id=sub.id,
                                 effective_month=date(2027, 1, 1), status="submitted", details={}))
    db.session.commit()
    sub_id = sub.id
    client.login("ubnd.chaudoc")
    page = client.get(f"/huyen/bien-dong/{sub_id}").get_data(as_text=True)
    assert "Chủ tịch hoặc Phó Chủ tịch Ủy ban nhân dân xem xét" in page and "/chap-nhan" not in page
    for action, data in (("chap-nhan", {}), ("tra-lai", {"reason": "Thiếu giấy tờ"})):
        refused = client.post(f"/huyen/bien-dong/{sub_id}/{action}", data)
        assert refused.status_code == 403, (action, refused.status_code)
        assert "Chủ tịch hoặc Phó Chủ tịch" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ChangeSubmission, sub_id).status == "submitted"
    assert db.session.get(Beneficiary, b.id).status == "active"


def test_an_office_of_an_abolished_district_is_told_where_its_work_went(client):
    """After the reform the district office holds no duty: its user lands on a page that says its unit ended and who
    does the work now, not that it was never given a duty."""
    apply_reform(None, REFORM)
    db.session.commit()
    client.login("pld.chaudoc")
    page = client.get("/no-duty").get_data(as_text=True)
    assert "Thành phố Châu Đốc đã kết thúc ngày 30/06/2025" in page
    assert "Ủy ban nhân dân xã/phường/đặc khu" in page and "chưa được giao nhiệm vụ" not in page
    client.logout()
    client.login("ubnd.chaudoc")
    assert "Đơn vị đã kết thúc" not in client.get("/no-duty").get_data(as_text=True)
