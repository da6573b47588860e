"""Social-pension requests (Mẫu 01, Decree 176/2025 Art. 6): registered by the commune with a deadline of 10 working
days (public holidays skipped), overdue shown, decided by the chairman (not the officer who registered it), and
paid from the month stated in the decision."""
import json
from datetime import date

import pytest
from sqlalchemy import select

from portal.errors import AccessDenied, ValidationError
from portal.extensions import db
from portal.models import Beneficiary, Hamlet, Organization, PayoutLine, PensionRequest, User
from portal.services.demo import user_by_username as user
from portal.services.entitlement.pension_requests import decide, is_overdue, register_request
from portal.services.payouts.build import build_lists
from portal.services.working_days import add_working_days
from tests.conftest import PASSWORD

FORM = {"full_name": "Huỳnh Văn Đơn", "national_id": "089047001234", "birth": "03/02/1947", "gender": "male",
        "hamlet": "Khóm Mỹ Thới 1", "household_poverty": "", "payment_channel": "cash_at_point",
        "received_on": "28/08/2025"}
BORN_1953 = {"birth": "01/06/1953", "national_id": "089053001234"}  # 72 in 08/2025; the ID says 1953 too


@pytest.fixture
def chairman(app):
    org = Organization.query.filter_by(kind="commune_committee", unit_code="30322").one()
    chair = User(organization_id=org.id, username="xa.vinhmy.chutich", full_name="Phan Văn Chủ", is_approver=True)
    chair.set_password(PASSWORD)
    db.session.add(chair)
    db.session.commit()
    return chair


def test_ten_working_days_skip_weekends_and_national_day():
    # received Thursday 28/08/2025: 29/8, then 1–2/9 (Quốc khánh) skipped, 3–5/9, 8–12/9, 15/9
    assert add_working_days(date(2025, 8, 28), 10) == date(2025, 9, 15)
    assert add_working_days(date(2025, 10, 6), 10) == date(2025, 10, 20)  # no holiday: two weeks


def test_register_decide_and_pay_from_the_decision_month(app, chairman):
    clerk = user("xa.vinhmy")
    req = register_request(clerk, "30322", FORM)
    assert (req.due_on, req.status, req.birth_year) == (date(2025, 9, 15), "pending", 1947)
    assert is_overdue(req, date(2025, 9, 16)) and not is_overdue(req, date(2025, 9, 15))
    with pytest.raises(AccessDenied):
        decide(clerk, req, granted=True, decision_number="12/QĐ-UBND", decision_date="05/09/2025")
    decide(chairman, req, granted=True, decision_number="12/QĐ-UBND", decision_date="05/09/2025",
           start_month="09/2025")
    db.session.commit()
    person = db.session.get(Beneficiary, req.beneficiary_id)
    assert (person.category_code, person.pension_from, person.start_month) == (
        "HTXH", date(2025, 9, 1), date(2025, 9, 1))
    officer = user("pld.chaudoc")
    assert build_lists(officer, date(2025, 8, 1), ["30322"]).lists == []
    build_lists(officer, date(2025, 9, 1), ["30322"])
    (line,) = db.session.execute(select(PayoutLine).where(PayoutLine.beneficiary_id == person.id)).scalars()
    assert (line.payout_list.programme, line.total, line.category_code) == ("social_pension", 500_000, "HTXH")
    assert "quyết định hưởng từ tháng 09/2025" in line.programme_reason


def test_refusals(app, chairman):
    clerk = user("xa.vinhmy")
    with pytest.raises(ValidationError, match="chưa đủ điều kiện") as err:
        register_request(clerk, "30322", FORM | BORN_1953)  # 72, not poor
    assert err.value.field == "birth"
    near_poor = register_request(clerk, "30322", FORM | {**BORN_1953, "household_poverty": "near_poor"})
    with pytest.raises(ValidationError, match="đang chờ quyết định"):
        register_request(clerk, "30322", FORM | {**BORN_1953, "household_poverty": "near_poor"})
    with pytest.raises(ValidationError, match="lý do"):
        decide(chairman, near_poor, granted=False)
    decide(chairman, near_poor, granted=False, refusal_reason="Đã có lương hưu theo dữ liệu BHXH")
    assert db.session.execute(select(PensionRequest.status)).scalars().all() == ["refused"]


def test_page_registers_keeps_typed_values_and_shows_overdue(app, client, chairman):
    client.login("xa.vinhmy")
    bad = client.post("/xa/huu-tri-xa-hoi", FORM | BORN_1953)
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert "chưa đủ điều kiện" in page and 'value="Huỳnh Văn Đơn"' in page
    assert client.post("/xa/huu-tri-xa-hoi", FORM).status_code == 303
    page = client.get("/xa/huu-tri-xa-hoi").get_data(as_text=True)
    assert "15/09/2025" in page and "Quá hạn" in page and "Chờ Chủ tịch UBND quyết định" in page
    client.logout()
    client.login("xa.vinhmy.chutich")
    req = db.session.execute(select(PensionRequest)).scalar_one()
    resp = client.post(f"/xa/huu-tri-xa-hoi/{req.id}/quyet-dinh",
                       {"decision": "grant", "decision_number": "", "decision_date": "05/09/2025"})
    assert resp.status_code == 422 and "Chưa nhập số quyết định" in resp.get_data(as_text=True)
    resp = client.post(f"/xa/huu-tri-xa-hoi/{req.id}/quyet-dinh",
                       {"decision": "grant", "decision_number": "12/QĐ-UBND", "decision_date": "05/09/2025",
                        "start_month": "09/2025"})
    assert resp.status_code == 303
    db.session.expire_all()
    assert db.session.get(PensionRequest, req.id).status == "granted"


def _hamlet_id(commune_code: str, name: str) -> int:
    return db.session.execute(select(Hamlet.id).where(Hamlet.commune_code == commune_code,
                                                      Hamlet.name == name)).scalar_one()


def test_the_request_chooses_the_hamlet_from_the_communes_list(app, client, chairman):
    """As on the beneficiary form: the commune's khóm/ấp offered as a choice (a plain select, no JavaScript needed),
    kept when the page comes back with an error, refused when not on the commune's list, and stored as the list's
    name, linked to the list on the register row the decision creates."""
    my_thoi_2, tan_hoa = _hamlet_id("30322", "Khóm Mỹ Thới 2"), _hamlet_id("30535", "Ấp Tân Hòa")
    client.login("xa.vinhmy")
    page = client.get("/xa/huu-tri-xa-hoi").get_data(as_text=True)
    assert '<select id="hamlet_id" name="hamlet_id">' in page and 'name="hamlet"' not in page
    assert f'<option value="{my_thoi_2}">Khóm Mỹ Thới 2</option>' in page and "Ấp Tân Hòa" not in page
    typed = FORM | {"hamlet": "", "hamlet_id": str(my_thoi_2)}
    bad = client.post("/xa/huu-tri-xa-hoi", typed | BORN_1953)
    assert bad.status_code == 422
    assert f'<option value="{my_thoi_2}" selected>Khóm Mỹ Thới 2</option>' in bad.get_data(as_text=True)
    other = client.post("/xa/huu-tri-xa-hoi", typed | {"hamlet_id": str(tan_hoa)})
    assert other.status_code == 422 and "Khóm/ấp không có trong danh sách của xã." in other.get_data(as_text=True)
    none = client.post("/xa/huu-tri-xa-hoi", typed | {"hamlet_id": ""})
    assert none.status_code == 422 and "Chọn khóm/ấp (trong danh sách của xã)." in none.get_data(as_text=True)
    assert db.session.execute(select(PensionRequest)).first() is None
    assert client.post("/xa/huu-tri-xa-hoi", typed).status_code == 303
    req = db.session.execute(select(PensionRequest)).scalar_one()
    assert req.hamlet == "Khóm Mỹ Thới 2"
    assert "<td>Huỳnh Văn Đơn</td><td>Khóm Mỹ Thới 2</td>" in client.get("/xa/huu-tri-xa-hoi").get_data(as_text=True)
    decide(chairman, req, granted=True, decision_number="12/QĐ-UBND", decision_date="05/09/2025",
           start_month="09/2025")
    db.session.commit()
    person = db.session.get(Beneficiary, req.beneficiary_id)
    assert (person.hamlet, person.hamlet_id) == ("Khóm Mỹ Thới 2", my_thoi_2)


def test_a_hamlet_taken_off_the_list_or_typed_off_it_is_refused(app, chairman):
    clerk = user("xa.vinhmy")
    db.session.get(Hamlet, _hamlet_id("30322", "Khóm Vĩnh Tây")).active = False
    with pytest.raises(ValidationError, match="đã ngừng dùng") as err:
        register_request(clerk, "30322", FORM | {"hamlet_id": str(_hamlet_id("30322", "Khóm Vĩnh Tây"))})
    assert err.value.field == "hamlet_id"
    with pytest.raises(ValidationError, match="chưa có trong danh sách"):
        register_request(clerk, "30322", FORM | {"hamlet": "Khóm Không Có"})
    assert register_request(clerk, "30322", FORM | {"hamlet": "khóm mỹ thới 1"}).hamlet == "Khóm Mỹ Thới 1"
    # a commune that keeps no list yet: the name as written, or none
    chau_doc = user("ubnd.chaudoc")
    assert register_request(chau_doc, "30316@2025", FORM | {"national_id": "089047001235",
                                                            "hamlet": "Khóm 3"}).hamlet == "Khóm 3"
    assert register_request(chau_doc, "30316@2025", FORM | {"national_id": "089047001236",
                                                            "hamlet": ""}).hamlet is None


def _pending_request(client) -> PensionRequest:
    client.login("xa.vinhmy")
    assert client.post("/xa/huu-tri-xa-hoi", FORM).status_code == 303
    client.logout()
    client.login("xa.vinhmy.chutich")
    return db.session.execute(select(PensionRequest)).scalar_one()


REFUSE = {"decision": "refuse", "refusal_reason": "Đang hưởng lương hưu theo dữ liệu BHXH"}


def test_a_refusal_goes_back_to_the_list_with_its_message(app, client, chairman):
    """Post, then redirect (303), so a reload never posts the decision again; the flash says what was recorded."""
    req = _pending_request(client)
    resp = client.post(f"/xa/huu-tri-xa-hoi/{req.id}/quyet-dinh", REFUSE)
    assert (resp.status_code, resp.headers["Location"]) == (303, "/xa/huu-tri-xa-hoi")
    page = client.get("/xa/huu-tri-xa-hoi").get_data(as_text=True)
    assert "Đã ghi quyết định cho Huỳnh Văn Đơn: Từ chối." in page
    assert "<td>Từ chối</td>\n<td>Đang hưởng lương hưu theo dữ liệu BHXH</td>" in page
    # the same post again (a reload, a second click): back to the list with why, nothing changed
    again = client.post(f"/xa/huu-tri-xa-hoi/{req.id}/quyet-dinh", REFUSE | {"refusal_reason": "Khác"})
    assert (again.status_code, again.headers["Location"]) == (303, "/xa/huu-tri-xa-hoi")
    assert "Tờ khai đã được xử lý (Từ chối)." in client.get("/xa/huu-tri-xa-hoi").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(PensionRequest, req.id).refusal_reason == "Đang hưởng lương hưu theo dữ liệu BHXH"


def test_a_decision_posted_by_htmx_loads_the_list_with_hx_location(app, client, chairman):
    req = _pending_request(client)
    page = client.get("/xa/huu-tri-xa-hoi").get_data(as_text=True)
    assert 'hx-boost="true" hx-push-url="false"' in page
    hx = {"HX-Request": "true", "HX-Boosted": "true"}
    missing = client.post(f"/xa/huu-tri-xa-hoi/{req.id}/quyet-dinh", {"decision": "refuse"}, headers=hx)
    assert missing.status_code == 422 and "Từ chối phải ghi rõ lý do" in missing.get_data(as_text=True)
    resp = client.post(f"/xa/huu-tri-xa-hoi/{req.id}/quyet-dinh", REFUSE, headers=hx)
    assert resp.status_code == 200
    assert json.loads(resp.headers["HX-Location"]) == {"path": "/xa/huu-tri-xa-hoi", "target": "body"}
    assert "Đã ghi quyết định cho Huỳnh Văn Đơn: Từ chối." in client.get("/xa/huu-tri-xa-hoi").get_data(as_text=True)


def test_an_id_that_encodes_another_gender_or_year_is_refused_as_on_the_beneficiary_form(app, client):
    client.login("xa.vinhmy")
    woman_1950 = FORM | {"full_name": "Lê Thị Năm", "national_id": "089150223344", "birth": "1950"}
    bad = client.post("/xa/huu-tri-xa-hoi", woman_1950)  # gender "male" (Nam)
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert ("Chữ số thứ 4 của số định danh (1) ứng với giới tính Nữ, khác giới tính khai báo (Nam). Đối chiếu lại số "
            "định danh, năm sinh và giới tính với thẻ CCCD.") in page
    assert 'class="field invalid" id="field-national_id"' in page and 'value="089150223344"' in page
    with pytest.raises(ValidationError, match="Năm sinh theo số định danh là 1950, khác năm sinh khai báo") as err:
        register_request(user("xa.vinhmy"), "30322", woman_1950 | {"gender": "female", "birth": "1948"})
    assert err.value.field == "national_id"
    assert db.session.execute(select(PensionRequest)).first() is None
    assert client.post("/xa/huu-tri-xa-hoi", woman_1950 | {"gender": "female"}).status_code == 303


def test_cash_at_home_is_offered_with_the_beneficiary_forms_reason(app, client, chairman):
    client.login("xa.vinhmy")
    page = client.get("/xa/huu-tri-xa-hoi").get_data(as_text=True)
    assert '<option value="cash_at_home">Tiền mặt tại nhà</option>' in page
    assert '<option value="bedridden">Nằm liệt giường</option>' in page
    home = FORM | {"payment_channel": "cash_at_home"}
    bad = client.post("/xa/huu-tri-xa-hoi", home)
    assert bad.status_code == 422
    assert "Nhận tiền mặt tại nhà cần ghi lý do (chọn trong danh sách)." in bad.get_data(as_text=True)
    assert '<option value="cash_at_home" selected>Tiền mặt tại nhà</option>' in bad.get_data(as_text=True)
    other = client.post("/xa/huu-tri-xa-hoi", home | {"cash_at_home_reason": "other"})
    assert other.status_code == 422 and "Lý do khác: ghi rõ lý do nhận tại nhà." in other.get_data(as_text=True)
    assert client.post("/xa/huu-tri-xa-hoi", home | {"cash_at_home_reason": "bedridden",
                                                     "cash_at_home_note": "Con đi làm xa"}).status_code == 303
    req = db.session.execute(select(PensionRequest)).scalar_one()
    assert (req.payment_channel, req.cash_at_home_reason, req.cash_at_home_note) == (
        "cash_at_home", "bedridden", "Con đi làm xa")
    decide(chairman, req, granted=True, decision_number="12/QĐ-UBND", decision_date="05/09/2025",
           start_month="09/2025")
    db.session.commit()
    person = db.session.get(Beneficiary, req.beneficiary_id)
    assert (person.payment_channel, person.cash_at_home_reason, person.cash_at_home_note) == (
        "cash_at_home", "bedridden", "Con đi làm xa")
