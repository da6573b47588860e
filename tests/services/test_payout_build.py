"""Building payout lines from rates as data and accepted registry events: back pay for a backdated decision and for
the retroactive 540.000 đ, death in mid-month with funeral support once, recovery shown, a move between communes
paid once, suspension and resumption, care support to the carer, control totals and the fee."""
from datetime import date

import pytest
from sqlalchemy import delete, select

from portal.extensions import db
from portal.models import AuditEvent, CareArrangement, PayoutLine, RegistryEvent, StandardLevel
from portal.services.demo import user_by_username as user
from portal.services.entitlement.months import describe_months
from portal.services.payouts.build import build_lists
from tests.factories import make_account, make_beneficiary

JUL, AUG, SEP, OCT, NOV, DEC = (date(2026, m, 1) for m in range(7, 13))


def event(b, kind, month, *, commune=None, event_date=None, details=None, status="accepted"):
    e = RegistryEvent(beneficiary_id=b.id, commune_code=commune or b.commune_code, kind=kind, effective_month=month,
                      event_date=event_date, details=details, status=status)
    db.session.add(e)
    db.session.flush()
    return e


def build(month, communes=("30322",)):
    return build_lists(user("pld.chaudoc"), month, list(communes))


def lines_of(b, month=None):
    stmt = select(PayoutLine).where(PayoutLine.beneficiary_id == b.id)
    if month:
        stmt = stmt.where(PayoutLine.month == month)
    order = {"tcxh": 0, "care": 1, "funeral": 2}
    return sorted(db.session.execute(stmt).scalars(), key=lambda item: (item.month, order[item.programme]))


def test_backdated_decision_back_pays_from_the_disability_certificate_month(app):
    b = make_beneficiary("Lâm Văn Đức", birth_date=date(1980, 4, 4), category_code="K6", disability_level="severe",
                         start_month=date(2024, 10, 1))
    b.disability_certified_month = date(2024, 8, 1)
    db.session.commit()
    build(date(2024, 10, 1))
    (line,) = lines_of(b)
    assert (line.regular_amount, line.back_pay, line.total) == (750_000, 1_500_000, 2_250_000)
    assert line.back_pay_months == [{"month": "2024-08", "kind": "gap", "amount": 750_000},
                                    {"month": "2024-09", "kind": "gap", "amount": 750_000}]
    assert describe_months(line.back_pay_months) == "Truy lĩnh 08/2024–09/2024 (2 tháng): 1.500.000 đ"
    lst = line.payout_list
    assert (lst.regular_total, lst.back_pay_total, lst.total_amount, lst.fee_amount) == (
        750_000, 1_500_000, 2_250_000, 5_000)
    build(date(2024, 11, 1))  # paid once: no back pay again
    assert [(line.month.month, line.back_pay) for line in lines_of(b)] == [(10, 1_500_000), (11, 0)]


def test_an_old_beneficiary_new_to_the_portal_gets_no_back_pay_for_months_before_its_first_list(app):
    b = make_beneficiary("Tô Thị Xưa", birth_date=date(1940, 2, 2), gender="female", category_code="K5a",
                         start_month=date(2020, 1, 1))
    db.session.commit()
    build(AUG)
    (line,) = lines_of(b)
    assert (line.regular_amount, line.back_pay, line.back_pay_months) == (1_080_000, 0, None)  # 86: K5a 2,0


def test_retroactive_540k_entered_in_october_back_pays_every_month_already_paid(app):
    from portal.services.entitlement.administration import add_standard_level
    db.session.execute(delete(StandardLevel).where(StandardLevel.valid_from == JUL))
    b = make_beneficiary("Trần Văn Tám", birth_date=date(1975, 1, 1), category_code="K6",
                         disability_level="especially_severe", start_month=date(2024, 1, 1))
    k4 = make_beneficiary("Mai Thị Nuôi", birth_date=date(1990, 1, 1), gender="female", category_code="K4",
                          children_count=2, start_month=date(2024, 1, 1))
    db.session.commit()
    for m in (JUL, AUG, SEP, OCT):
        build(m)
    assert [line.regular_amount for line in lines_of(b)] == [1_000_000] * 4
    level = add_standard_level(user("so.angiang"), JUL, 540_000, "Nghị định 335/2026/NĐ-CP Điều 4")
    db.session.commit()
    note = db.session.execute(select(AuditEvent.summary).where(AuditEvent.object_type == "standard_level",
                                                               AuditEvent.object_id == level.id)).scalar_one()
    assert note.endswith("Các tháng 07/2026–10/2026 đã lập danh sách: danh sách kế tiếp sẽ truy lĩnh chênh lệch "
                         "cho từng tháng.")
    result = build(NOV)
    (line,) = lines_of(b, NOV)
    assert (line.standard_level, line.regular_amount, line.back_pay, line.total) == (
        540_000, 1_080_000, 4 * 80_000, 1_400_000)
    assert [(e["month"], e["kind"], e["amount"]) for e in line.back_pay_months] == [
        ("2026-07", "rate_change", 80_000), ("2026-08", "rate_change", 80_000),
        ("2026-09", "rate_change", 80_000), ("2026-10", "rate_change", 80_000)]
    assert describe_months(line.back_pay_months) == (
        "Truy lĩnh chênh lệch mức 07/2026–10/2026 (4 tháng): 320.000 đ")
    (parent,) = lines_of(k4, NOV)
    assert (parent.regular_amount, parent.back_pay) == (1_080_000, 4 * 80_000)  # 2 children × 40.000 × 4 months
    assert sum(lst.back_pay_total for lst in result.lists) == 640_000
    build(DEC)  # the difference is paid once
    assert [line.back_pay for line in lines_of(b, DEC)] == [0]


def test_death_in_mid_month_is_paid_that_month_stopped_the_next_with_funeral_support_once(app):
    b = make_beneficiary("Hồ Văn Mất", birth_date=date(1944, 6, 6), category_code="K5a", start_month=JUL,
                         payment_channel="bank_account")
    make_account(b, "1234567890")
    db.session.commit()
    build(SEP)
    event(b, "death", OCT, event_date=date(2026, 9, 15),
          details={"organiser_name": "Hồ Thị Con", "organiser_relationship": "Con"})  # as registry_events writes
    b.status = "stopped"
    db.session.commit()
    result = build(OCT)
    (funeral,) = lines_of(b, OCT)
    assert (funeral.programme, funeral.funeral_support, funeral.total, funeral.regular_amount) == (
        "funeral", 10_800_000, 10_800_000, 0)
    assert (funeral.payee_name, funeral.payee_relationship, funeral.account_number) == ("Hồ Thị Con", "Con", None)
    assert funeral.payout_list.channel == "cash_at_point" and funeral.payout_list.funeral_total == 10_800_000
    assert not [r for x, r in result.exclusions if x.id == b.id]
    build(NOV)
    assert lines_of(b, NOV) == []
    assert [(line.month, line.programme, line.total) for line in lines_of(b)] == [
        (SEP, "tcxh", 1_080_000), (OCT, "funeral", 10_800_000)]


def test_death_recorded_late_shows_the_recovery_not_netted(app):
    b = make_beneficiary("Phạm Văn Trễ", birth_date=date(1950, 3, 3), category_code="K6", disability_level="severe",
                         start_month=JUL)
    db.session.commit()
    for m in (SEP, OCT):
        build(m)
    event(b, "death", OCT, event_date=date(2026, 9, 20), details={"funeral_payee": {"name": "Phạm Thị Lo"}})
    db.session.commit()
    result = build(NOV)
    (funeral,) = lines_of(b, NOV)  # no 0 đ allowance row: the recovery is shown on the funeral line
    assert (funeral.programme, funeral.recovery, funeral.total) == ("funeral", 1_080_000, 10_800_000)
    assert funeral.back_pay_months == [{"month": "2026-10", "kind": "recovery", "amount": 1_080_000}]
    assert describe_months(funeral.back_pay_months) == "Thu hồi 10/2026: 1.080.000 đ"
    assert (funeral.funeral_support, funeral.payee_name) == (10_800_000, "Phạm Thị Lo")
    lst = funeral.payout_list
    assert (lst.recovery_total, lst.funeral_total, lst.total_amount) == (1_080_000, 10_800_000, 10_800_000)
    assert not any(x.id == b.id for x, _ in result.exclusions)
    build(DEC)  # shown once
    assert lines_of(b, DEC) == []


@pytest.mark.parametrize("old_list_first", [False, True])
def test_a_move_between_communes_is_paid_once(app, old_list_first):
    b = make_beneficiary("Đỗ Văn Dời", birth_date=date(1960, 7, 7), category_code="K8", start_month=JUL)
    db.session.commit()
    build(SEP)
    if old_list_first:  # Vĩnh Mỹ built October before the move was accepted
        build(OCT, ["30322"])
    out = event(b, "move_out", OCT, commune="30322")
    event(b, "move_in", OCT, commune="30325")
    b.commune_code = "30325"
    db.session.commit()
    assert out.id
    result = build(OCT, ["30325"] if old_list_first else ["30322", "30325"])
    octo = lines_of(b, OCT)
    assert len(octo) == 1 and octo[0].total == 810_000
    expected = "30322" if old_list_first else "30325"
    assert octo[0].payout_list.commune_code == expected
    if old_list_first:
        assert [r for x, r in result.exclusions if x.id == b.id] == [
            "Đã có trong danh sách chi trả của xã/phường khác trong tháng này."]
        build(OCT, ["30322"])  # Vĩnh Mỹ rebuilds: the person leaves its list
        assert lines_of(b, OCT) == []
        build(OCT, ["30325"])
        assert [line.payout_list.commune_code for line in lines_of(b, OCT)] == ["30325"]
    build(NOV, ["30322", "30325"])
    assert [(line.payout_list.commune_code, line.back_pay) for line in lines_of(b, NOV)] == [("30325", 0)]


def test_suspension_holds_the_months_and_resumption_back_pays_them(app):
    b = make_beneficiary("Vũ Thị Dừng", birth_date=date(1970, 2, 2), gender="female", category_code="K8",
                         start_month=JUL)
    db.session.commit()
    build(JUL)
    event(b, "suspend", AUG)
    db.session.commit()
    result = build(AUG)
    assert lines_of(b, AUG) == [] and [r for x, r in result.exclusions if x.id == b.id] == [
        "Đang tạm dừng hưởng trợ cấp."]
    build(SEP)
    event(b, "resume", OCT)
    db.session.commit()
    build(OCT)
    (line,) = lines_of(b, OCT)
    assert (line.regular_amount, line.back_pay, [e["kind"] for e in line.back_pay_months]) == (
        810_000, 1_620_000, ["held", "held"])


def test_three_unpaid_months_suspend_until_resumed(app):
    b = make_beneficiary("Lê Văn Vắng", birth_date=date(1970, 2, 2), category_code="K8", start_month=JUL)
    db.session.commit()
    for m in (JUL, AUG, SEP):
        build(m)
        lines_of(b, m)[0].result = "failed"
    db.session.commit()
    result = build(OCT)
    assert lines_of(b, OCT) == [] and result.suspensions == [b]
    assert [r for x, r in result.exclusions if x.id == b.id][0].startswith("Tạm dừng chi trả: 3 tháng liên tiếp")
    event(b, "resume", NOV)
    db.session.commit()
    build(NOV)
    (line,) = lines_of(b, NOV)
    assert (line.regular_amount, line.back_pay) == (810_000, 810_000)  # October, held, back-paid


def test_care_support_is_its_own_line_to_the_carer_and_adjustments_apply_from_their_month(app):
    b = make_beneficiary("Ngô Văn Nặng", birth_date=date(1990, 5, 5), category_code="K6", disability_level="severe",
                         start_month=JUL, payment_channel="bank_account")
    make_account(b, "99887766")
    db.session.add(CareArrangement(beneficiary_id=b.id, kind="household_especially_severe", payee_name="Ngô Thị Mẹ",
                                   payee_relationship="Mẹ", valid_from=SEP))
    event(b, "adjust", SEP, details={"disability_level": "especially_severe", "before": {"disability_level": "severe"}})
    b.disability_level = "especially_severe"
    db.session.commit()
    result = build(SEP)
    own, care = lines_of(b, SEP)
    assert (own.programme, own.regular_amount, own.account_number, own.payout_list.channel) == (
        "tcxh", 1_080_000, "99887766", "account")
    assert (care.programme, care.care_support, care.payee_name, care.account_number, care.payout_list.channel) == (
        "care", 540_000, "Ngô Thị Mẹ", None, "cash_at_point")
    assert sum(lst.care_total for lst in result.lists) == 540_000
    assert sum(lst.fee_amount for lst in result.lists) == 5_000  # per beneficiary: the carer's line adds no fee


def test_an_adjustment_keeps_earlier_months_as_printed_and_the_retroactive_rate_uses_them(app):
    from portal.services.entitlement.administration import add_standard_level
    db.session.execute(delete(StandardLevel).where(StandardLevel.valid_from == JUL))
    b = make_beneficiary("Quách Văn Nhẹ", birth_date=date(1980, 8, 8), category_code="K6",
                         disability_level="especially_severe", start_month=date(2024, 1, 1))
    db.session.commit()
    for m in (JUL, AUG, SEP):
        build(m)
    event(b, "adjust", OCT, details={"disability_level": "severe"})  # registry_events stores the new value only
    b.disability_level = "severe"
    db.session.commit()
    build(OCT)
    assert [(line.month.month, line.regular_amount, line.back_pay, line.recovery) for line in lines_of(b)] == [
        (7, 1_000_000, 0, 0), (8, 1_000_000, 0, 0), (9, 1_000_000, 0, 0), (10, 750_000, 0, 0)]
    add_standard_level(user("so.angiang"), JUL, 540_000, "Nghị định 335/2026/NĐ-CP Điều 4")
    build(NOV)
    (line,) = lines_of(b, NOV)
    assert (line.regular_amount, line.recovery) == (810_000, 0)
    assert [(e["month"], e["amount"]) for e in line.back_pay_months] == [
        ("2026-07", 80_000), ("2026-08", 80_000), ("2026-09", 80_000), ("2026-10", 60_000)]


def test_a_failed_transfer_is_carried_once_as_back_pay_on_the_list_of_the_channel_now(app):
    from portal.services.payouts.results import record_result
    from tests.factories import chau_doc_people, run_to_accepted
    aug, sep, octo = date(2024, 8, 1), date(2024, 9, 1), date(2024, 10, 1)
    p = chau_doc_people()
    db.session.commit()
    lists = run_to_accepted(aug)
    post = user("buudien.chaudoc")
    failed = {p["yen"].id: "Tài khoản đã đóng", p["thoa"].id: "Đối tượng nằm viện"}
    for lst in lists.values():
        for line in lst.lines:
            if line.beneficiary_id in failed:
                record_result(post, line, "failed", reason=failed[line.beneficiary_id])
            else:
                record_result(post, line, "paid", paid_on=date(2024, 8, 5))
    db.session.commit()

    def sep_lines():
        yen, = lines_of(p["yen"], sep)
        thoa, = lines_of(p["thoa"], sep)
        vu, = lines_of(p["vu"], sep)
        return yen, thoa, vu

    result = build(sep)
    yen, thoa, vu = sep_lines()
    # Yến's account was closed (the failed transfer invalidated it): cash at the payout point, August not received
    assert (yen.regular_amount, yen.back_pay, yen.total) == (500_000, 500_000, 1_000_000)
    assert yen.back_pay_months == [{"month": "2024-08", "kind": "unpaid", "amount": 500_000}]
    assert describe_months(yen.back_pay_months) == "Chưa nhận được 08/2024: 500.000 đ"
    assert (yen.payout_list.channel, yen.account_number) == ("cash_at_point", None)
    assert (thoa.back_pay, thoa.total, thoa.payout_list.channel) == (1_000_000, 2_000_000, "cash_at_home")
    assert (vu.back_pay, vu.back_pay_months, vu.payout_list.channel) == (0, None, "account")  # paid in August
    assert sum(lst.back_pay_total for lst in result.lists) == 1_500_000
    result = build(sep)  # rebuilding September does not double it
    yen, thoa, vu = sep_lines()
    assert (yen.back_pay, thoa.back_pay, vu.back_pay) == (500_000, 1_000_000, 0)
    assert sum(lst.back_pay_total for lst in result.lists) == 1_500_000
    db.session.commit()
    result = build(octo)  # paid once: October does not carry August again
    assert [(line.back_pay, line.back_pay_months, line.total) for line in lines_of(p["yen"], octo)] == [
        (0, None, 500_000)]
    assert sum(lst.back_pay_total for lst in result.lists) == 0
