"""Social-pension requests (Mẫu 01, Decree 176/2025 Art. 6): registered by the commune with a deadline of 10 working
days (public holidays skipped), overdue shown, decided by the chairman (not the officer who registered it), and
paid from the month stated in the decision."""
from datetime import date

import pytest
from sqlalchemy import select

from portal.errors import AccessDenied, ValidationError
from portal.extensions import db
from portal.models import Beneficiary, Organization, PayoutLine, PensionRequest, User
from portal.services.demo import user_by_username as user
from portal.services.entitlement.pension_requests import decide, is_overdue, register_request
from portal.services.payouts.build import build_lists
from portal.services.working_days import add_working_days
from tests.conftest import PASSWORD

FORM = {"full_name": "Huỳnh Văn Đơn", "national_id": "089047001234", "birth": "03/02/1947", "gender": "male",
        "hamlet": "Khóm Mỹ Thới 1", "household_poverty": "", "payment_channel": "cash_at_point",
        "received_on": "28/08/2025"}


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
        register_request(clerk, "30322", FORM | {"birth": "01/06/1953"})  # 72, not poor
    assert err.value.field == "birth"
    near_poor = register_request(clerk, "30322", FORM | {"birth": "01/06/1953", "household_poverty": "near_poor"})
    with pytest.raises(ValidationError, match="đang chờ quyết định"):
        register_request(clerk, "30322", FORM | {"birth": "01/06/1953", "household_poverty": "near_poor"})
    with pytest.raises(ValidationError, match="lý do"):
        decide(chairman, near_poor, granted=False)
    decide(chairman, near_poor, granted=False, refusal_reason="Đã có lương hưu theo dữ liệu BHXH")
    assert db.session.execute(select(PensionRequest.status)).scalars().all() == ["refused"]


def test_page_registers_keeps_typed_values_and_shows_overdue(app, client, chairman):
    client.login("xa.vinhmy")
    bad = client.post("/xa/huu-tri-xa-hoi", FORM | {"birth": "01/06/1953"})
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert "chưa đủ điều kiện" in page and 'value="Huỳnh Văn Đơn"' in page
    assert client.post("/xa/huu-tri-xa-hoi", FORM).status_code == 302
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
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(PensionRequest, req.id).status == "granted"
