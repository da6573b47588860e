"""Post office reports a beneficiary dead (bưu điện báo đã chết): the commune sees it, the next builds hold the
person until the commune records the death or confirms them alive (then the held and failed months are paid)."""
from datetime import date

import pytest
from sqlalchemy import select

from portal.errors import AccessDenied, ValidationError
from portal.extensions import db
from portal.models import AuditEvent, PayoutLine, RegistryEvent
from portal.services.demo import user_by_username as user
from portal.services.payouts.build import build_lists
from portal.services.payouts.cycle import completeness
from portal.services.payouts.results import record_result
from portal.services.payouts.workflow import accept_list, approve_list, confirm_list
from portal.services.registry import death_reports
from tests.factories import AUG, chau_doc_people, run_to_approved

SEP, OCT = date(2024, 9, 1), date(2024, 10, 1)
REASON = "Bưu điện báo đã chết (danh sách 08/2024); chờ xã xác minh"


def report_deceased() -> dict:
    """Châu Đốc's register, August 2024 approved and accepted; the post office reports Võ Ngọc Yến (account list,
    500.000 đ) "Không chi được – Đối tượng đã chết", everyone else paid. Commits; returns the people."""
    people = chau_doc_people()
    db.session.commit()
    lists = run_to_approved()
    post = user("buudien.chaudoc")
    for lst in lists.values():
        accept_list(post, lst)
        for line in lst.lines:
            if line.beneficiary_id == people["yen"].id:
                record_result(post, line, "failed", reason_code="deceased")
            else:
                record_result(post, line, "paid", paid_on=date(2024, 8, 5))
    db.session.commit()
    return people


@pytest.fixture
def reported(app):
    return report_deceased()


def _line(bid, month):
    return db.session.execute(select(PayoutLine).where(PayoutLine.beneficiary_id == bid, PayoutLine.month == month,
                                                       PayoutLine.programme == "tcxh")).scalar_one_or_none()


def _approve(result):
    for lst in result.lists:
        if lst.commune_code == "30322":
            confirm_list(user("xa.vinhmy"), lst)
            approve_list(user("pld.chaudoc.duyet"), lst)
    db.session.commit()


def test_a_reported_death_is_held_until_the_commune_confirms_the_person_alive(reported):
    yen = reported["yen"]
    reports = death_reports.open_reports(["30322"])
    assert [(item.full_name, item.month, item.total) for item in reports] == [("Võ Ngọc Yến", AUG, 500_000)]
    assert death_reports.open_reports(["30325"]) == []  # another commune sees nothing
    sep = build_lists(user("pld.chaudoc"), SEP)
    db.session.commit()
    assert _line(yen.id, SEP) is None
    assert [r for b, r in sep.exclusions if b.id == yen.id] == [REASON]
    check = completeness(user("pld.chaudoc"), SEP)
    assert [r for b, r in check.left_off if b.id == yen.id] == [REASON] and check.ok
    _approve(sep)
    # the commune verifies: alive; October pays October, the held September and the failed August
    with pytest.raises(ValidationError, match="ghi chú"):
        death_reports.resolve(user("xa.vinhmy"), reports[0], death_reports.ALIVE, "  ")
    death_reports.resolve(user("xa.vinhmy"), reports[0], death_reports.ALIVE, "Cán bộ xã đến nhà 02/09/2024")
    db.session.commit()
    assert death_reports.open_reports(["30322"]) == []
    assert reports[0].report_resolution == "Xác minh còn sống – Cán bộ xã đến nhà 02/09/2024"
    audit = db.session.execute(select(AuditEvent).where(AuditEvent.action == "resolve_death_report")).scalar_one()
    assert "Võ Ngọc Yến" in audit.summary
    build_lists(user("pld.chaudoc"), OCT)
    db.session.commit()
    line = _line(yen.id, OCT)
    assert line.regular_amount == 500_000
    assert sorted((e["month"], e["kind"], e["amount"]) for e in line.back_pay_months) == [
        ("2024-08", "unpaid", 500_000), ("2024-09", "gap", 500_000)]
    assert line.back_pay == 1_000_000 and line.total == 1_500_000


def test_only_the_own_commune_resolves_and_death_needs_an_event(reported):
    line = death_reports.open_reports(None)[0]
    with pytest.raises(AccessDenied):
        death_reports.resolve(user("pld.chaudoc"), line, death_reports.ALIVE, "x")
    with pytest.raises(ValidationError, match="biến động «Chết»"):
        death_reports.resolve(user("xa.vinhmy"), line, death_reports.DEATH_RECORDED, "")
    db.session.add(RegistryEvent(beneficiary_id=line.beneficiary_id, commune_code="30322", kind="death",
                                 status="submitted", effective_month=SEP, details={}))
    db.session.flush()
    death_reports.resolve(user("xa.vinhmy"), line, death_reports.DEATH_RECORDED, "")
    assert line.report_resolution == "Đã ghi biến động chết"
    assert death_reports.open_reports(["30322"]) == []
