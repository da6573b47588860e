"""Edge cases of the month engine (Decree 20/2021 Art. 8.1–8.2): the month an age limit is reached is still paid,
an age-band change applies from the birthday month, a change applies only from its effective month whatever the
order of building lists and accepting changes, change records keep before and after values, a category change
clears the disability level, deaths never leave 0 đ rows, and the monthly report counts the report month's lines."""
from datetime import date

import pytest
from sqlalchemy import select

from portal.errors import PortalError
from portal.extensions import db
from portal.models import AuditEvent, PayoutLine, PayoutList
from portal.services.demo import user_by_username as user
from portal.services.entitlement.months import add_months
from portal.services.entitlement.rates import RateBook
from portal.services.payouts.build import build_lists
from portal.services.registry import events as ev
from portal.services.registry import submissions as subs
from tests.conftest import pinned_clock
from tests.factories import make_beneficiary

pytestmark = pinned_clock


def build(month, communes=("30322",)):
    return build_lists(user("pld.chaudoc"), month, list(communes))


def tcxh_line(b, month):
    return db.session.execute(select(PayoutLine).where(
        PayoutLine.beneficiary_id == b.id, PayoutLine.month == month, PayoutLine.programme == "tcxh")
    ).scalar_one_or_none()


def accept(event, commune="xa.vinhmy", district="pld.chaudoc"):
    subs.submit(user(commune), event.submission)
    subs.accept(user(district), event.submission)
    db.session.flush()


def record(b, kind, effective, report, **kw):
    kw.setdefault("decision_number", "01/QĐ-UBND")
    return ev.create_event(user("xa.vinhmy"), b, kind, effective_month=effective, report_month=report, **kw)


def m(year, month):
    return date(year, month, 1)


# --- age limits (Art. 8.2: stop from the month after eligibility is lost; Art. 8.1: new band from the month) ---

@pytest.mark.parametrize("name, code, born, last_month, amount", [
    ("Trần Văn Sơn", "K1", date(2010, 2, 7), m(2026, 2), 750_000),      # 16 on 07/02/2026 (Tân Lợi sample)
    ("Châu Bích Hạnh", "K1", date(2010, 11, 9), m(2026, 11), 810_000),  # 16 on 09/11/2026 (Vĩnh Mỹ sample)
    ("Đoàn Quốc Tài", "K2", date(2003, 9, 16), m(2026, 9), 810_000),    # 23 on 16/09/2026 (Vĩnh Mỹ sample)
])
def test_the_month_an_age_limit_is_reached_is_still_paid(app, name, code, born, last_month, amount):
    book = RateBook.load()
    b = make_beneficiary(name, birth_date=born, category_code=code, start_month=m(2019, 5))
    assert book.amount_for(b, add_months(last_month, -1)).amount == amount
    assert book.amount_for(b, last_month).amount == amount  # the birthday month: still paid (Art. 8.2)
    with pytest.raises(PortalError, match="Không có hệ số"):
        book.amount_for(b, add_months(last_month, 1))
    db.session.commit()
    result = build(last_month)
    assert tcxh_line(b, last_month).regular_amount == amount
    assert not [r for p, r in result.exclusions if p.id == b.id]
    build(add_months(last_month, 1))
    assert tcxh_line(b, add_months(last_month, 1)) is None  # stops from the month after


def test_band_changes_apply_from_the_birthday_month(app):
    book = RateBook.load()
    child = make_beneficiary("Lê Bé Bốn", birth_date=date(2022, 9, 20), category_code="K1", start_month=m(2023, 1))
    assert [book.amount_for(child, x).amount for x in (m(2026, 8), m(2026, 9))] == [1_350_000, 810_000]
    k6 = make_beneficiary("Lê Văn Sáu", birth_date=date(1966, 3, 5), category_code="K6", disability_level="severe")
    assert [book.amount_for(k6, x).amount for x in (m(2026, 2), m(2026, 3))] == [750_000, 1_000_000]
    k5a = make_beneficiary("Lê Thị Tám", birth_date=date(1946, 7, 1), gender="female", category_code="K5a")
    assert [book.amount_for(k5a, x).amount for x in (m(2026, 6), m(2026, 7))] == [750_000, 1_080_000]


def test_k1_turning_16_moved_to_k2_is_paid_that_month_on_that_months_list(app):
    b = make_beneficiary("Trần Văn Sơn", birth_date=date(2010, 2, 7), category_code="K1", start_month=m(2015, 5))
    db.session.commit()
    build(m(2026, 1))
    build(m(2026, 2))  # built before the commune's change to K2 is accepted: the birthday month is still K1
    assert tcxh_line(b, m(2026, 2)).regular_amount == 750_000
    e = record(b, "adjust", m(2026, 2), m(2026, 2), details={"category_code": "K2"})
    accept(e)
    db.session.commit()
    build(m(2026, 2))
    build(m(2026, 3))
    feb, mar = tcxh_line(b, m(2026, 2)), tcxh_line(b, m(2026, 3))
    assert (feb.category_code, feb.regular_amount, feb.back_pay) == ("K2", 750_000, 0)
    assert (mar.category_code, mar.regular_amount, mar.back_pay) == ("K2", 750_000, 0)


# --- order of building and accepting ---

def test_suspension_accepted_before_an_earlier_months_list_keeps_that_month(app):
    b = make_beneficiary("Phan Văn Hoãn", birth_date=date(1950, 3, 3), category_code="K5a", start_month=m(2024, 1))
    db.session.commit()
    build(m(2026, 8))
    e = record(b, "suspend", m(2026, 10), m(2026, 9))
    accept(e)
    db.session.commit()
    build(m(2026, 9))  # built after the suspension from 10/2026 was accepted
    assert tcxh_line(b, m(2026, 9)).regular_amount == 810_000
    build(m(2026, 10))
    assert tcxh_line(b, m(2026, 10)) is None
    r = record(b, "resume", m(2026, 12), m(2026, 11))
    accept(r)
    db.session.commit()
    build(m(2026, 11))
    build(m(2026, 12))
    dec = tcxh_line(b, m(2026, 12))
    assert (dec.regular_amount, dec.back_pay) == (810_000, 1_620_000)  # 10 and 11/2026 held, back-paid
    assert [x["month"] for x in dec.back_pay_months] == ["2026-10", "2026-11"]


def test_change_accepted_before_an_earlier_months_list_applies_only_from_its_month(app):
    b = make_beneficiary("Huỳnh Văn Đổi", birth_date=date(1980, 4, 4), category_code="K6",
                         disability_level="severe", start_month=m(2024, 1))
    db.session.commit()
    build(m(2026, 8))
    e = record(b, "adjust", m(2026, 10), m(2026, 9), details={"disability_level": "especially_severe"})
    accept(e)
    db.session.commit()
    build(m(2026, 9))  # before the change: still "severe" 1,5
    build(m(2026, 10))
    sep, oct_ = tcxh_line(b, m(2026, 9)), tcxh_line(b, m(2026, 10))
    assert (sep.regular_amount, sep.back_pay) == (810_000, 0)
    assert (oct_.regular_amount, oct_.back_pay) == (1_080_000, 0)
    build(m(2026, 9))  # a rebuild of September changes nothing
    assert tcxh_line(b, m(2026, 9)).regular_amount == 810_000


def test_change_records_keep_before_and_after(app):
    b = make_beneficiary("Huỳnh Văn Ghi", birth_date=date(1980, 4, 4), category_code="K6",
                         disability_level="severe", start_month=m(2024, 1))
    e = record(b, "adjust", m(2026, 10), m(2026, 9), details={"disability_level": "especially_severe"})
    accept(e)
    assert e.details["before"] == {"disability_level": "severe"}
    assert e.details["disability_level"] == "especially_severe"
    audit = db.session.execute(select(AuditEvent).where(
        AuditEvent.object_type == "beneficiary", AuditEvent.object_id == b.id,
        AuditEvent.action == "apply_event")).scalar_one()
    assert audit.before["disability_level"] == "severe" and audit.after["disability_level"] == "especially_severe"


# --- category change clears the disability level ---

@pytest.mark.parametrize("new, amount", [("K5a", 810_000), ("K8", 810_000)])
def test_k6_to_another_category_clears_the_disability_level(app, new, amount):
    b = make_beneficiary("Ngô Văn Diện", birth_date=date(1960, 1, 10), category_code="K6",
                         disability_level="severe", start_month=m(2024, 1))
    db.session.commit()
    build(m(2026, 9))
    e = record(b, "adjust", m(2026, 10), m(2026, 9), details={"category_code": new, "disability_level": ""})
    accept(e)
    assert (b.category_code, b.disability_level) == (new, None)
    assert e.details["before"] == {"category_code": "K6", "disability_level": "severe"}
    db.session.commit()
    result = build(m(2026, 10))
    assert not [r for p, r in result.exclusions if p.id == b.id]
    line = tcxh_line(b, m(2026, 10))
    assert (line.category_code, line.regular_amount, line.back_pay) == (new, amount, 0)


def test_k6_level_dropped_even_when_only_the_category_is_given(app):
    b = make_beneficiary("Ngô Thị Diện", birth_date=date(1960, 1, 10), gender="female", category_code="K6",
                         disability_level="especially_severe", start_month=m(2024, 1))
    e = record(b, "adjust", m(2026, 10), m(2026, 9), details={"category_code": "K5a"})
    accept(e)
    assert (b.category_code, b.disability_level) == ("K5a", None)


# --- deaths ---

def test_a_death_leaves_no_zero_rows_and_the_person_appears_once(app):
    b = make_beneficiary("Lý Văn Mất", birth_date=date(1940, 5, 5), category_code="K5a", start_month=m(2024, 1))
    other = make_beneficiary("Lý Thị Còn", birth_date=date(1941, 5, 5), gender="female", category_code="K5a",
                             start_month=m(2024, 1))
    db.session.commit()
    for month in (m(2026, 7), m(2026, 8)):
        build(month)
    e = ev.create_event(user("xa.vinhmy"), b, "death", effective_month=None, report_month=m(2026, 8),
                        event_date=date(2026, 7, 20), details={"organiser_name": "Lý Văn Con"})
    accept(e)
    db.session.commit()
    build(m(2026, 8))  # rebuild: August is after the death month
    build(m(2026, 9))
    build(m(2026, 10))
    rows = db.session.execute(select(PayoutLine).where(PayoutLine.beneficiary_id == b.id,
                                                       PayoutLine.month >= m(2026, 8))).scalars().all()
    assert all(r.total > 0 for r in rows), [(r.month, r.programme, r.total) for r in rows]
    assert [(r.month, r.programme, r.total) for r in rows] == [(m(2026, 8), "funeral", 10_800_000)]
    aug = db.session.execute(select(PayoutList).where(PayoutList.month == m(2026, 8))).scalars().all()
    people = {line.beneficiary_id for lst in aug for line in lst.lines}
    assert sum(lst.people_count for lst in aug) == len(people) == 2
    assert sum(lst.fee_amount for lst in aug) == 10_000  # Lý Thị Còn's allowance, Lý Văn Mất's funeral support
    assert other.id in people


def test_a_deceased_persons_funeral_line_is_not_awaiting_an_account(app):
    from portal.services.payouts.lines import line_notes
    b = make_beneficiary("Lý Văn Thẻ", birth_date=date(1940, 5, 5), category_code="K5a", start_month=m(2024, 1),
                         payment_channel="bank_account")  # chose an account, none opened yet
    db.session.commit()
    build(m(2026, 7))
    own = tcxh_line(b, m(2026, 7))
    assert line_notes(own.payout_list)[own.id].awaiting_account is True
    e = ev.create_event(user("xa.vinhmy"), b, "death", effective_month=None, report_month=m(2026, 8),
                        event_date=date(2026, 7, 20), details={"organiser_name": "Lý Văn Con"})
    accept(e)
    db.session.commit()
    build(m(2026, 8))
    (funeral,) = db.session.execute(select(PayoutLine).where(PayoutLine.beneficiary_id == b.id,
                                                             PayoutLine.month == m(2026, 8))).scalars()
    assert funeral.programme == "funeral"
    assert line_notes(funeral.payout_list)[funeral.id].awaiting_account is False


def test_paid_after_death_is_a_recovery_noted_without_a_zero_row(app):
    b = make_beneficiary("Lý Văn Trễ", birth_date=date(1940, 5, 5), category_code="K5a", start_month=m(2024, 1))
    db.session.commit()
    for month in (m(2026, 7), m(2026, 8)):
        build(month)
    lst = tcxh_line(b, m(2026, 8)).payout_list
    lst.status = "settled"  # August was paid before the death in July was reported
    e = ev.create_event(user("xa.vinhmy"), b, "death", effective_month=None, report_month=m(2026, 8),
                        event_date=date(2026, 7, 20), details={"organiser_name": "Lý Văn Con"})
    accept(e)
    db.session.commit()
    result = build(m(2026, 9))
    rows = db.session.execute(select(PayoutLine).where(PayoutLine.beneficiary_id == b.id,
                                                       PayoutLine.month == m(2026, 9))).scalars().all()
    assert [(r.programme, r.total) for r in rows] == [("funeral", 10_800_000)]
    assert [r.recovery for r in rows] == [1_080_000]  # 08/2024 (K5a 86: 2,0), shown on the funeral line
    assert [e["month"] for e in rows[0].back_pay_months] == ["2026-08"]
    assert not [r for p, r in result.exclusions if p.id == b.id]
    result = build(m(2026, 10))  # shown once
    assert db.session.execute(select(PayoutLine).where(PayoutLine.beneficiary_id == b.id,
                                                       PayoutLine.month == m(2026, 10))).first() is None
    assert not [r for p, r in result.exclusions if p.id == b.id]


def test_a_recovery_without_a_funeral_line_is_an_exclusion_not_a_row(app):
    b = make_beneficiary("Lý Văn Thôi", birth_date=date(1940, 5, 5), category_code="K5a", start_month=m(2024, 1))
    db.session.commit()
    for month in (m(2026, 7), m(2026, 8)):
        build(month)
    tcxh_line(b, m(2026, 8)).payout_list.status = "settled"
    e = record(b, "stop", m(2026, 8), m(2026, 8), details={"reason": "ineligible"})
    accept(e)
    db.session.commit()
    result = build(m(2026, 9))
    assert db.session.execute(select(PayoutLine).where(PayoutLine.beneficiary_id == b.id,
                                                       PayoutLine.month == m(2026, 9))).first() is None
    assert [r for p, r in result.exclusions if p.id == b.id] == [
        "Cần thu hồi (không lập dòng 0 đồng): Thu hồi 08/2026: 1.080.000 đ."]


# --- report month ---

def test_the_report_counts_the_people_paid_in_the_report_month(app):
    from portal.models import RegistryEvent
    from portal.services.reporting.monthly_report import build_report
    stay = make_beneficiary("Mai Văn Ở", birth_date=date(1950, 3, 3), category_code="K5a")
    gone = make_beneficiary("Mai Văn Đi", birth_date=date(1950, 4, 4), category_code="K5a")
    db.session.commit()
    build(m(2026, 8))
    # moved to Núi Sam from 10/2026 (accepted later): August was paid by Vĩnh Mỹ
    out = RegistryEvent(beneficiary_id=gone.id, commune_code="30322", kind="move_out", effective_month=m(2026, 10),
                        details={"to_commune": "30325"}, status="accepted", decision_number="9/QĐ")
    into = RegistryEvent(beneficiary_id=gone.id, commune_code="30325", kind="move_in", effective_month=m(2026, 10),
                         details={"from_commune": "30322"}, status="accepted", decision_number="9/QĐ")
    db.session.add_all([out, into])
    gone.commune_code = "30325"
    db.session.commit()
    paid = {line.beneficiary_id for line in db.session.execute(select(PayoutLine).where(
        PayoutLine.month == m(2026, 8))).scalars()}
    assert paid == {stay.id, gone.id}
    rep = build_report(user("xa.vinhmy"), m(2026, 8))
    assert rep.registered == 2 and rep.by_category == [("K5a", "Người cao tuổi thuộc hộ nghèo không có người "
                                                                "phụng dưỡng", 2)]
    district = build_report(user("pld.chaudoc"), m(2026, 8))
    vm = next(r for r in district.rows if r.code == "30322")
    assert vm.registered == 2
    assert not any(r.registered for r in district.rows if r.code == "30325")


def test_an_adjustment_onto_k5c_from_07_2025_is_refused_as_on_the_intake_form(app):
    b = make_beneficiary("Bùi Văn Hậu", birth_date=date(1977, 9, 6), category_code="K6",
                         disability_level="especially_severe", start_month=m(2024, 1))
    db.session.commit()
    with pytest.raises(PortalError) as refused:
        record(b, "adjust", m(2027, 1), m(2026, 12), details={"category_code": "K5c"})
    assert str(refused.value).startswith("Diện K5c hết hiệu lực từ 01/07/2025 (thay bằng trợ cấp hưu trí xã hội, "
                                         "Nghị định 176/2025/NĐ-CP): không điều chỉnh sang diện này từ tháng 01/2027")
    before = record(b, "adjust", m(2025, 6), m(2025, 6), details={"category_code": "K5c"})  # before the pension: kept
    assert before.details["category_code"] == "K5c"
