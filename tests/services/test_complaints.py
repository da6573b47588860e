"""Complaints tied to payments: receipt linked to the month's line and routed by kind, a deadline of 10 working
days, a failed transfer re-issued on a supplementary list and paid exactly once (never carried over as well),
closing with the days it took, who sees what, and the counts by kind."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.areas import visible
from portal.clock import today_vn
from portal.errors import AccessDenied, StateError, ValidationError
from portal.extensions import db
from portal.models import AuditEvent, Complaint, LineResult, PayoutLine
from portal.services.complaints import records, stats
from portal.services.complaints.deadlines import due_date
from portal.services.demo import user_by_username as user
from portal.services.payouts.build import build_lists
from portal.services.payouts.carry_over import unpaid_carry_over
from portal.services.payouts.reissue import REISSUE
from portal.services.payouts.results import record_result
from portal.services.payouts.workflow import accept_list, approve_list, confirm_list
from portal.services.working_days import add_working_days
from tests.conftest import pinned_clock
from tests.factories import AUG, chau_doc_people, run_to_accepted

pytestmark = pinned_clock
SEP = date(2024, 9, 1)


@pytest.fixture
def failed(app):
    """Vĩnh Mỹ's 08/2024 lists accepted; Bùi Ngọc Vũ's transfer (1.000.000 đ) reported failed: "absent"."""
    people = chau_doc_people()
    db.session.commit()
    lists = run_to_accepted()
    line = next(ln for ln in lists["account"].lines if ln.beneficiary_id == people["vu"].id)
    record_result(user("buudien.chaudoc"), line, "failed", "Chuyển không thành công", reason_code="other")
    db.session.commit()
    return people, line


def _receive(person, who="xa.vinhmy", kind="not_received", month=AUG, days_ago=3):
    return records.receive(user(who), person, kind=kind, channel="phone", month=month,
                           description="Gia đình báo chưa nhận được tiền tháng 8.",
                           received_on=today_vn() - timedelta(days=days_ago))


def test_received_by_the_commune_linked_to_the_line_routed_to_the_payout_office(failed):
    people, line = failed
    c = _receive(people["vu"])
    assert c.payout_line_id == line.id and c.month == AUG
    assert c.assigned_org.display_name == user("pld.chaudoc").organization.display_name
    assert c.due_on == due_date(c.received_on) and c.status == "open"
    event = db.session.execute(select(AuditEvent).where(AuditEvent.object_type == "complaint",
                                                        AuditEvent.object_id == c.id)).scalar_one()
    assert "Chưa nhận được tiền" in event.summary and people["vu"].national_id not in event.summary


def test_deadline_is_ten_working_days_without_weekends_and_holidays():
    # Fri 24/04/2026: 27/04 (Giỗ Tổ, moved), 30/04 and 01/05 are holidays
    assert add_working_days(date(2026, 4, 24), 10) == date(2026, 5, 13)
    assert due_date(date(2026, 12, 4)) == date(2026, 12, 18)  # Friday → two weeks later


def test_card_pin_goes_to_the_bank_of_the_account(failed):
    people, _ = failed
    c = _receive(people["yen"], kind="card_pin", month=None)
    assert c.assigned_org.provider_code == "ICB"  # VietinBank holds Yến's account


def test_bad_input_is_refused_in_vietnamese(failed):
    people, _ = failed
    with pytest.raises(ValidationError, match="loại phản ánh"):
        _receive(people["vu"], kind="lost")
    with pytest.raises(ValidationError, match="sau hôm nay"):
        _receive(people["vu"], days_ago=-1)
    with pytest.raises(ValidationError, match="chưa tới"):
        _receive(people["vu"], month=today_vn().replace(day=1) + timedelta(days=40))
    with pytest.raises(ValidationError, match="Không tìm thấy"):
        records.find_person(user("xa.tanloi"), people["vu"].national_id)  # other commune: same answer as unknown


def test_reissue_pays_once_on_a_supplementary_list_and_closes_when_paid(failed):
    people, line = failed
    c = _receive(people["vu"])
    with pytest.raises(AccessDenied):
        records.reissue(user("xa.vinhmy"), c)  # the commune receives, the payout office re-issues
    new = records.reissue(user("pld.chaudoc"), c)
    db.session.commit()
    assert (new.programme, new.month, new.total) == (REISSUE, AUG, line.total) == (REISSUE, AUG, 1_000_000)
    supplement = new.payout_list
    assert supplement.sequence == 1 and supplement.supplement_of_id == line.payout_list_id
    assert (supplement.people_count, supplement.total_amount, supplement.status) == (1, 1_000_000, "draft")
    assert c.status == "resolving" and c.reissue_line_id == new.id
    with pytest.raises(StateError, match="đã được chi lại"):
        records.reissue(user("pld.chaudoc"), c)
    assert unpaid_carry_over(["30322"], SEP) == {}  # not carried to September as well

    with pytest.raises(StateError, match="chưa được bưu điện"):
        records.close(user("xa.vinhmy"), c, "Đã chi lại tiền tháng 8.")
    confirm_list(user("xa.vinhmy"), supplement)
    approve_list(user("pld.chaudoc.duyet"), supplement)
    accept_list(user("buudien.chaudoc"), supplement)
    record_result(user("buudien.chaudoc"), new, "paid", paid_on=today_vn())
    records.close(user("xa.vinhmy"), c, "Đã chi lại tiền tháng 8.")
    db.session.commit()
    assert c.status == "closed" and c.days_to_close == 3
    paid = db.session.execute(select(func.count(), func.sum(PayoutLine.total)).where(
        PayoutLine.beneficiary_id == people["vu"].id, PayoutLine.month == AUG,
        PayoutLine.result == LineResult.PAID.value)).one()
    assert tuple(paid) == (1, 1_000_000)
    build_lists(user("pld.chaudoc"), SEP)
    sep = db.session.execute(select(PayoutLine).where(PayoutLine.beneficiary_id == people["vu"].id,
                                                      PayoutLine.month == SEP)).scalar_one()
    assert sep.back_pay == 0 and sep.total == 1_000_000  # August is not paid a third time


def test_an_amount_already_carried_over_is_not_reissued(failed):
    people, line = failed
    build_lists(user("pld.chaudoc"), SEP)  # September carries August's unpaid 1.000.000 đ
    sep = db.session.execute(select(PayoutLine).where(PayoutLine.beneficiary_id == people["vu"].id,
                                                      PayoutLine.month == SEP)).scalar_one()
    assert sep.back_pay == 1_000_000
    c = _receive(people["vu"])
    assert not records.can_reissue(c)
    with pytest.raises(StateError, match="truy lĩnh trên danh sách tháng 09/2024"):
        records.reissue(user("pld.chaudoc"), c)


def test_failed_reissue_is_carried_once(failed):
    people, _ = failed
    c = _receive(people["vu"])
    new = records.reissue(user("pld.chaudoc"), c)
    supplement = new.payout_list
    confirm_list(user("xa.vinhmy"), supplement)
    approve_list(user("pld.chaudoc.duyet"), supplement)
    accept_list(user("buudien.chaudoc"), supplement)
    record_result(user("buudien.chaudoc"), new, "failed", "Vắng nhà", reason_code="absent")
    assert unpaid_carry_over(["30322"], SEP) == {people["vu"].id: [(AUG, 1_000_000)]}


def test_who_sees_which_complaints(failed):
    people, _ = failed
    c = _receive(people["vu"])
    pin = _receive(people["yen"], kind="card_pin", month=None)

    def seen(username):
        return set(db.session.execute(visible(Complaint, user(username)).with_only_columns(Complaint.id)).scalars())

    assert seen("xa.vinhmy") == seen("pld.chaudoc") == seen("so.angiang") == {c.id, pin.id}
    assert seen("xa.tanloi") == seen("pld.tinhbien") == seen("congan.vinhmy") == set()
    assert seen("agribank.chaudoc") == set() and seen("buudien.chaudoc") == set()
    records.route(user("pld.chaudoc"), c, "post_office", "Kiểm tra biên nhận")
    assert seen("buudien.chaudoc") == {c.id}
    with pytest.raises(AccessDenied):
        records.route(user("agribank.chaudoc"), c, "commune")


def test_overdue_and_counts_by_kind(failed):
    people, _ = failed
    late = _receive(people["vu"], days_ago=30)
    _receive(people["phuc"], kind="fee_charged", days_ago=1)
    records.close(user("xa.vinhmy"), _receive(people["yen"], kind="card_pin", month=None, days_ago=2),
                  "Ngân hàng đã cấp lại mã PIN.")
    assert records.is_overdue(late) and late.status != "closed"
    overdue = db.session.execute(visible(Complaint, user("so.angiang")).where(records.overdue_filter())).scalars()
    assert [x.id for x in overdue] == [late.id]
    rows = stats.complaint_counts(None, today_vn().replace(day=1) - timedelta(days=1), today_vn())
    this_month = stats.complaint_counts(None, today_vn(), today_vn())
    by_kind = {r.label: (r.received, r.closed, r.open, r.overdue, r.average_days) for r in rows + this_month}
    assert by_kind["Chưa nhận được tiền"] == (1, 0, 1, 1, "—")
    total = this_month[-1]
    assert (total.received, total.closed, total.open) == (2, 1, 1) and total.average_days == "2"


def test_change_channel_by_the_commune(failed):
    people, _ = failed
    c = _receive(people["vu"], kind="account")
    with pytest.raises(AccessDenied):
        records.change_channel(user("pld.chaudoc"), c, "cash_at_point")
    with pytest.raises(ValidationError, match="lý do"):
        records.change_channel(user("xa.vinhmy"), c, "cash_at_home")
    records.change_channel(user("xa.vinhmy"), c, "cash_at_point")
    assert people["vu"].payment_channel == "cash_at_point" and c.resolution == "channel_changed"


def test_monthly_report_and_province_dashboard_count_complaints(failed, client):
    from portal.services.reporting.monthly_report import build_report, report_workbook
    people, _ = failed
    records.close(user("xa.vinhmy"), _receive(people["vu"], days_ago=0), "Đã giải thích cho gia đình.")
    _receive(people["phuc"], kind="fee_charged", days_ago=0)
    rep = build_report(user("pld.chaudoc"), today_vn())
    assert [(r.label, r.received, r.closed, r.average_days) for r in rep.complaints] == [
        ("Chưa nhận được tiền", 1, 1, "0"), ("Bị thu phí", 1, 0, "—"), ("Tổng cộng", 2, 1, "0")]
    import io

    import openpyxl
    import pdfplumber
    ws = openpyxl.load_workbook(io.BytesIO(report_workbook(rep)))["Phản ánh"]
    assert [c.value for c in ws[4]] == ["Chưa nhận được tiền", 1, 1, 0, 0, "0"]
    assert build_report(user("xa.tanloi"), today_vn()).complaints[-1].received == 0
    from portal.services.documents.printing import print_report
    pdf = pdfplumber.open(io.BytesIO(print_report(rep)))
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in pdf.pages)
    assert "tiếp nhận trong tháng: 2, đã giải quyết 1 (bình quân 0 ngày)" in text and "Bị thu phí" in text
    client.login("so.angiang")
    page = client.get(f"/tinh/?thang={today_vn():%Y-%m}").get_data(as_text=True)
    assert "Phản ánh, kiến nghị tiếp nhận tháng" in page and "Bị thu phí" in page
