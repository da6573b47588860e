"""Monthly changes (biến động): events in the commune's submission, district accept / return, status applied,
death paid through its month, a move between communes paid by exactly one commune each month."""
from datetime import date

import pytest

from portal.errors import AccessDenied, StateError, ValidationError
from portal.extensions import db
from portal.models import AuditEvent, RegistryEvent
from portal.services.demo import user_by_username
from portal.services.registry import events as ev
from portal.services.registry import submissions as subs
from tests.factories import make_beneficiary

AUG, SEP, OCT = date(2024, 8, 1), date(2024, 9, 1), date(2024, 10, 1)


@pytest.fixture
def users(app):
    return {u: user_by_username(u) for u in ("xa.vinhmy", "xa.tanloi", "pld.chaudoc", "pld.tinhbien")}


def _accept_one(users, event, district="pld.chaudoc", commune="xa.vinhmy"):
    subs.submit(users[commune], event.submission)
    subs.accept(users[district], event.submission)
    db.session.flush()


def test_suspend_then_resume_applied_on_acceptance(users):
    b = make_beneficiary("Trương Văn Phúc", birth_year=1930)
    e = ev.create_event(users["xa.vinhmy"], b, "suspend", effective_month=SEP, report_month=AUG,
                        decision_number="12/QĐ-UBND", decision_date=date(2024, 8, 20))
    assert e.status == "draft" and b.status == "active"
    assert ev.accepted_events_by_beneficiary([b.id]) == {}
    _accept_one(users, e)
    assert e.status == "accepted" and b.status == "suspended"
    assert ev.accepted_events_by_beneficiary([b.id], up_to_month=AUG) == {}
    assert [x.kind for x in ev.accepted_events_by_beneficiary([b.id], up_to_month=SEP)[b.id]] == ["suspend"]
    assert ev.status_in_month(b, AUG) == "active" and ev.status_in_month(b, SEP) == "suspended"
    with pytest.raises(StateError, match="Tạm dừng"):
        ev.create_event(users["xa.vinhmy"], b, "suspend", effective_month=OCT, report_month=SEP, decision_number="x")
    r = ev.create_event(users["xa.vinhmy"], b, "resume", effective_month=OCT, report_month=SEP, decision_number="15")
    _accept_one(users, r)
    assert b.status == "active"
    assert [ev.status_in_month(b, m) for m in (AUG, SEP, OCT)] == ["active", "suspended", "active"]
    summaries = [a.summary for a in AuditEvent.query.filter_by(object_type="beneficiary", object_id=b.id)]
    assert any("Áp dụng biến động «Tạm dừng» từ tháng 09/2024 (QĐ 12/QĐ-UBND)" in s for s in summaries)


def test_death_paid_in_death_month_and_organiser_recorded(users):
    b = make_beneficiary("Võ Ngọc Yến", birth_year=1933, gender="female")
    e = ev.create_event(users["xa.vinhmy"], b, "death", effective_month=None, report_month=SEP,
                        event_date=date(2024, 8, 14), details={"organiser_name": "Võ Văn Con",
                                                               "organiser_national_id": "089077105153"})
    assert e.effective_month == SEP and e.details == {"organiser_name": "Võ Văn Con",
                                                      "organiser_national_id": "089077105153"}
    _accept_one(users, e)
    assert b.status == "stopped"
    assert ev.payable_in_month(b, "30322", AUG) is True
    assert ev.payable_in_month(b, "30322", SEP) is False


def test_event_rules(users):
    b = make_beneficiary("Huỳnh Minh Khải", birth_year=1940)
    u = users["xa.vinhmy"]
    with pytest.raises(ValidationError, match="số quyết định"):
        ev.create_event(u, b, "stop", effective_month=SEP, report_month=AUG, details={"reason": "refused"})
    with pytest.raises(ValidationError, match="lý do thôi hưởng"):
        ev.create_event(u, b, "stop", effective_month=SEP, report_month=AUG, decision_number="1")
    with pytest.raises(ValidationError, match="ít nhất một"):
        ev.create_event(u, b, "adjust", effective_month=SEP, report_month=AUG, decision_number="1",
                        details={"category_code": b.category_code})
    with pytest.raises(ValidationError, match="Chưa nhập ngày chết"):
        ev.create_event(u, b, "death", effective_month=None, report_month=AUG)
    a = ev.create_event(u, b, "adjust", effective_month=SEP, report_month=AUG, decision_number="7",
                        details={"category_code": "K6", "disability_level": "severe"})
    with pytest.raises(ValidationError, match="Đã có biến động"):
        ev.create_event(u, b, "adjust", effective_month=SEP, report_month=AUG, decision_number="8",
                        details={"category_code": "K6", "disability_level": "severe"})
    _accept_one(users, a)
    assert (b.category_code, b.disability_level) == ("K6", "severe")
    with pytest.raises(StateError, match="đã gửi duyệt"):  # the accepted month is closed
        ev.create_event(u, b, "stop", effective_month=OCT, report_month=AUG, decision_number="9",
                        details={"reason": "refused"})


def test_return_with_reason_then_resubmit(users):
    b = make_beneficiary("Nguyễn Thị Thoa", birth_year=1950, gender="female")
    e = ev.create_event(users["xa.vinhmy"], b, "stop", effective_month=SEP, report_month=AUG,
                        decision_number="20/QĐ", details={"reason": "ineligible"})
    sub = e.submission
    subs.submit(users["xa.vinhmy"], sub)
    with pytest.raises(ValidationError, match="lý do"):
        subs.return_submission(users["pld.chaudoc"], sub, "  ")
    subs.return_submission(users["pld.chaudoc"], sub, "Thiếu quyết định thôi hưởng bản gốc")
    assert (sub.status, sub.return_reason, e.status) == ("returned", "Thiếu quyết định thôi hưởng bản gốc", "returned")
    assert b.status == "active"
    with pytest.raises(StateError):
        subs.accept(users["pld.chaudoc"], sub)
    subs.submit(users["xa.vinhmy"], sub)
    subs.accept(users["pld.chaudoc"], sub)
    assert (sub.status, sub.return_reason, b.status) == ("accepted", None, "stopped")


def test_move_between_communes_paid_by_exactly_one(users):
    """Vĩnh Mỹ (Châu Đốc) → Tân Lợi (Tịnh Biên) from 10/2024: Vĩnh Mỹ pays through 09/2024, Tân Lợi from 10/2024;
    the record moves to Tân Lợi when Tân Lợi's district accepts the move-in."""
    b = make_beneficiary("Lê Văn Dời", birth_year=1945)
    out = ev.create_event(users["xa.vinhmy"], b, "move_out", effective_month=OCT, report_month=SEP,
                          decision_number="30/QĐ", details={"to_commune": "30535"})
    incoming = db.session.get(RegistryEvent, out.linked_event_id)
    assert (incoming.kind, incoming.commune_code, incoming.linked_event_id) == ("move_in", "30535", out.id)
    assert ev.incoming_moves(["30535"]) == [incoming]
    with pytest.raises(StateError, match="chưa được chấp nhận"):
        ev.receive_move(users["xa.tanloi"], incoming, report_month=SEP, decision_number="5/QĐ")
    _accept_one(users, out)
    assert b.commune_code == "30322"  # not transferred until the move-in is accepted
    ev.receive_move(users["xa.tanloi"], incoming, report_month=SEP, decision_number="5/QĐ")
    _accept_one(users, incoming, district="pld.tinhbien", commune="xa.tanloi")
    assert b.commune_code == "30535" and b.status == "active"
    events = ev.accepted_events_by_beneficiary([b.id])[b.id]
    months = [date(2024, m, 1) for m in range(7, 13)]
    payers = [ev.paying_commune(b, m, events) for m in months]
    assert payers == ["30322"] * 3 + ["30535"] * 3
    for m in months:
        listed_by = [c for c in ("30322", "30535") if ev.payable_in_month(b, c, m, events)]
        assert len(listed_by) == 1, m
        in_lists = [c for c in ("30322", "30535") if b.id in ev.payable_beneficiary_ids(c, m)]
        assert in_lists == listed_by, m


def test_move_out_draft_deleted_with_its_move_in(users):
    b = make_beneficiary("Trần Văn Ở", birth_year=1944)
    out = ev.create_event(users["xa.vinhmy"], b, "move_out", effective_month=OCT, report_month=SEP,
                          decision_number="31/QĐ", details={"to_commune": "30535"})
    linked = out.linked_event_id
    ev.delete_draft(users["xa.vinhmy"], out)
    assert db.session.get(RegistryEvent, linked) is None and db.session.get(RegistryEvent, out.id) is None


def test_who_sent_a_change_list_does_not_accept_it(users):
    b = make_beneficiary("Nguyễn Thị Thoa", birth_year=1950, gender="female")
    e = ev.create_event(users["xa.vinhmy"], b, "stop", effective_month=SEP, report_month=AUG,
                        decision_number="20/QĐ", details={"reason": "ineligible"})
    subs.submit(users["xa.vinhmy"], e.submission)
    with pytest.raises(AccessDenied, match="Người gửi danh sách biến động không tự chấp nhận danh sách của mình"):
        subs.accept(users["xa.vinhmy"], e.submission)
    assert (e.submission.status, b.status) == ("submitted", "active")
    subs.accept(users["pld.chaudoc"], e.submission)
    assert (e.submission.status, b.status) == ("accepted", "stopped")
