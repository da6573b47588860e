"""A beneficiary who moves between communes (chuyển đi / chuyển đến, Decree 20/2021 Art. 8.3–8.4) in the payout
cycle: completeness expects them on the old commune's lists up to the month before the move and on the new
commune's from the move month (``registry_events.paying_commune``), never both, never missing; an amount the post
office could not pay before the move follows the person to the commune paying them now, named by its month, once.

Vĩnh Mỹ (30322, Châu Đốc) → Tân Lợi (30535, Tịnh Biên) from 10/2026, through the real flow (move-out recorded and
accepted, move-in received and accepted). Amounts from the seed's rate tables: standard level 540.000 đ from
07/2026 (Nghị định 335/2026), K5a from 80 years coefficient 2,0 → 1.080.000 đ a month; K8 coefficient 1,5 →
810.000 đ."""
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import PayoutLine, PayoutList, RegistryEvent
from portal.services.demo import user_by_username as user
from portal.services.entitlement.rates import RateBook
from portal.services.payouts.build import build_lists
from portal.services.payouts.carry_over import unpaid_carry_over
from portal.services.payouts.cycle import completeness
from portal.services.payouts.exclusions import NOT_LISTED_YET, month_exclusions
from portal.services.payouts.results import record_result
from portal.services.payouts.workflow import approve_list, confirm_list
from portal.services.registry import events as ev
from portal.services.registry import submissions as subs
from tests.factories import make_beneficiary

AUG, SEP, OCT, NOV = (date(2026, m, 1) for m in (8, 9, 10, 11))
VINH_MY, TAN_LOI = "30322", "30535"


def _k5a_80():
    """1.080.000 đ: the seed's standard level of 2026 × K5a from 80 (computed from the data, not typed)."""
    book = RateBook.load()
    assert book.level_or_none(SEP) == 540_000
    return book


@pytest.fixture
def people(app):
    """Dời (K5a, 82) moves; Ở (K8) stays in Vĩnh Mỹ so its lists exist; Lợi lives in Tân Lợi."""
    p = {"doi": make_beneficiary("Đỗ Văn Dời", birth_date=date(1944, 7, 7), category_code="K5a", start_month=AUG),
         "o": make_beneficiary("Trần Văn Ở", birth_date=date(1960, 3, 3), category_code="K8", start_month=AUG),
         "loi": make_beneficiary("Chau Sóc Lợi", commune_code=TAN_LOI, birth_date=date(1970, 5, 5),
                                 category_code="K8", start_month=AUG, hamlet="Ấp Tân Long")}
    db.session.commit()
    return p


def _move(b, month=OCT, report=SEP, receive=True):
    """Vĩnh Mỹ records the move-out and Châu Đốc accepts it; Tân Lợi receives the move-in and Tịnh Biên accepts."""
    out = ev.create_event(user("xa.vinhmy"), b, "move_out", effective_month=month, report_month=report,
                          decision_number="30/QĐ-UBND", details={"to_commune": TAN_LOI})
    subs.submit(user("xa.vinhmy"), out.submission)
    subs.accept(user("pld.chaudoc"), out.submission)
    if receive:
        incoming = db.session.get(RegistryEvent, out.linked_event_id)
        ev.receive_move(user("xa.tanloi"), incoming, report_month=report, decision_number="5/QĐ-UBND")
        subs.submit(user("xa.tanloi"), incoming.submission)
        subs.accept(user("pld.tinhbien"), incoming.submission)
    db.session.commit()
    return out


def _build(month, commune):
    district = "pld.chaudoc" if commune == VINH_MY else "pld.tinhbien"
    return build_lists(user(district), month, [commune])


def _approve_and_fail(month, failed_id, reason="Đối tượng đi vắng, không chi được"):
    """Vĩnh Mỹ's lists of ``month`` confirmed, approved (dated the 1st), the line of ``failed_id`` reported
    ``failed`` and the others ``paid`` by Bưu điện Châu Đốc."""
    lists = db.session.execute(select(PayoutList).where(PayoutList.month == month,
                                                        PayoutList.commune_code == VINH_MY)).scalars().all()
    for lst in lists:
        confirm_list(user("xa.vinhmy"), lst)
        approve_list(user("pld.chaudoc.duyet"), lst)
        lst.approved_at = datetime(month.year, month.month, 1, 1, 0, tzinfo=UTC)
        from portal.services.payouts.workflow import accept_list
        accept_list(user("buudien.chaudoc"), lst)  # nhận danh sách before any result
        for line in lst.lines:
            if line.beneficiary_id == failed_id:
                record_result(user("buudien.chaudoc"), line, "failed", reason=reason)
            else:
                record_result(user("buudien.chaudoc"), line, "paid", paid_on=month.replace(day=5))
    db.session.commit()


def lines_of(b, month=None):
    stmt = select(PayoutLine).where(PayoutLine.beneficiary_id == b.id, PayoutLine.programme == "tcxh")
    if month:
        stmt = stmt.where(PayoutLine.month == month)
    return list(db.session.execute(stmt.order_by(PayoutLine.month)).scalars())


def _where(b, month):
    return [(line.payout_list.commune_code, line.total) for line in lines_of(b, month)]


# ---------------------------------------------------------------- completeness by the month's paying commune


def test_completeness_expects_a_mover_on_the_old_communes_list_before_the_move_and_the_new_one_after(people):
    book = _k5a_80()
    monthly = 2 * book.level_or_none(SEP)  # K5a from 80: coefficient 2,0
    doi = people["doi"]
    _build(SEP, VINH_MY)
    _build(SEP, TAN_LOI)
    _move(doi)
    assert doi.commune_code == TAN_LOI  # the register row moved with the accepted move-in
    _build(OCT, VINH_MY)
    _build(OCT, TAN_LOI)
    assert (_where(doi, SEP), _where(doi, OCT)) == ([(VINH_MY, monthly)], [(TAN_LOI, monthly)])
    chaudoc, tinhbien = user("pld.chaudoc"), user("pld.tinhbien")

    sep_cd, sep_tb = completeness(chaudoc, SEP), completeness(tinhbien, SEP)
    assert (sep_cd.ok, sep_cd.entitled, sep_cd.listed, sep_cd.not_entitled) == (True, 2, 2, [])  # Dời and Ở
    assert (sep_tb.ok, sep_tb.entitled, sep_tb.listed, sep_tb.not_entitled) == (True, 1, 1, [])  # Lợi only
    oct_cd, oct_tb = completeness(chaudoc, OCT), completeness(tinhbien, OCT)
    assert (oct_cd.ok, oct_cd.entitled, oct_cd.listed, oct_cd.not_entitled) == (True, 1, 1, [])  # Ở
    assert (oct_tb.ok, oct_tb.entitled, oct_tb.listed, oct_tb.not_entitled) == (True, 2, 2, [])  # Lợi and Dời
    province = [completeness(user("so.angiang"), m) for m in (SEP, OCT)]
    assert [(c.ok, c.entitled, c.listed, c.duplicated) for c in province] == [(True, 3, 3, []), (True, 3, 3, [])]

    # the line vanishing from the old commune's September list is missed by Châu Đốc, not by Tịnh Biên
    lst = lines_of(doi, SEP)[0].payout_list
    db.session.delete(lines_of(doi, SEP)[0])
    db.session.flush()
    db.session.expire(lst, ["lines"])
    sep_cd, sep_tb = completeness(chaudoc, SEP), completeness(tinhbien, SEP)
    assert (sep_cd.ok, [b.full_name for b in sep_cd.missing], sep_cd.entitled, sep_cd.listed) == (
        False, ["Đỗ Văn Dời"], 2, 1)
    assert (sep_tb.ok, sep_tb.missing, sep_tb.entitled) == (True, [], 1)
    assert [(b.full_name, r) for b, r in month_exclusions(chaudoc, SEP)] == [("Đỗ Văn Dời", NOT_LISTED_YET)]
    assert month_exclusions(tinhbien, SEP) == []


def test_a_mover_on_the_wrong_communes_list_is_flagged_there_and_missing_where_expected(people):
    doi = people["doi"]
    _build(SEP, VINH_MY)
    _move(doi)
    _build(OCT, TAN_LOI)
    # October's line put on Vĩnh Mỹ's list by hand (as a list built before the move would hold it)
    line = lines_of(doi, OCT)[0]
    vm_oct = _build(OCT, VINH_MY).lists[0]
    line.payout_list_id = vm_oct.id
    db.session.flush()
    db.session.expire_all()
    oct_cd, oct_tb = completeness(user("pld.chaudoc"), OCT), completeness(user("pld.tinhbien"), OCT)
    assert [item.full_name for item in oct_cd.not_entitled] == ["Đỗ Văn Dời"]  # listed where no longer paid
    assert (oct_cd.entitled, oct_cd.listed) == (1, 1)
    assert (oct_tb.ok, [b.full_name for b in oct_tb.missing], oct_tb.entitled, oct_tb.listed) == (
        False, ["Đỗ Văn Dời"], 2, 1)
    (reason,) = [r for b, r in oct_tb.left_off if b.id == doi.id]
    assert reason == ("Có trong danh sách chi trả tháng 10/2026 của Phường Vĩnh Mỹ, nhưng tháng này do Xã Tân Lợi "
                      "chi trả (chuyển đi/chuyển đến); bấm «Lập danh sách» để lập lại.")


def test_a_move_not_yet_received_is_named_with_its_reason_not_lost(people):
    doi = people["doi"]
    _build(SEP, VINH_MY)
    _move(doi, receive=False)  # Vĩnh Mỹ pays through 09/2026; Tân Lợi has not received Dời yet
    assert doi.commune_code == VINH_MY
    _build(OCT, VINH_MY)
    _build(OCT, TAN_LOI)
    assert lines_of(doi, OCT) == []
    oct_cd, oct_tb = completeness(user("pld.chaudoc"), OCT), completeness(user("pld.tinhbien"), OCT)
    assert (oct_cd.ok, oct_cd.entitled, oct_cd.excluded, oct_cd.not_entitled) == (True, 1, [], [])
    assert oct_tb.ok and oct_tb.missing == []
    assert [(b.full_name, r) for b, r in oct_tb.excluded] == [
        ("Đỗ Văn Dời", "Chuyển đến Xã Tân Lợi từ tháng 10/2026, xã/phường nơi đến chưa tiếp nhận (chưa có "
                       "trong danh sách của nơi đi lẫn nơi đến).")]
    assert completeness(user("pld.chaudoc"), SEP).ok


# ---------------------------------------------------------------- unpaid amount carried to the new commune


def test_a_failed_amount_follows_the_mover_to_the_new_commune_once(people):
    book = _k5a_80()
    monthly = 2 * book.level_or_none(SEP)
    doi = people["doi"]
    _build(SEP, VINH_MY)
    _build(SEP, TAN_LOI)
    _approve_and_fail(SEP, doi.id)
    assert [(line.result, line.total, line.payout_list.commune_code) for line in lines_of(doi, SEP)] == [
        ("failed", monthly, VINH_MY)]
    _move(doi)
    # who carries the September amount in October: the commune paying Dời in October, not the one whose list failed
    assert unpaid_carry_over([VINH_MY], OCT) == {}
    assert unpaid_carry_over([TAN_LOI], OCT) == {doi.id: [(SEP, monthly)]}
    assert unpaid_carry_over(None, OCT) == {doi.id: [(SEP, monthly)]}

    vm, tl = _build(OCT, VINH_MY), _build(OCT, TAN_LOI)
    db.session.commit()
    (line,) = lines_of(doi, OCT)
    assert line.payout_list.commune_code == TAN_LOI
    assert (line.regular_amount, line.back_pay, line.total) == (monthly, monthly, 2 * monthly)
    assert line.back_pay_months == [{"month": "2026-09", "kind": "unpaid", "amount": monthly}]
    assert not [r for b, r in vm.exclusions + tl.exclusions if b.id == doi.id]
    vm_lines = [line for lst in vm.lists for line in lst.lines]
    assert [(line.full_name, line.total, line.back_pay) for line in vm_lines] == [
        ("Trần Văn Ở", 810_000, 0)]  # nothing for Dời
    tl_list = line.payout_list
    assert (tl_list.people_count, tl_list.back_pay_total, tl_list.total_amount) == (
        2, monthly, 810_000 + 2 * monthly)

    # building again (either commune, any order) is idempotent: still one line, the amount carried once
    for commune in (TAN_LOI, VINH_MY, TAN_LOI):
        _build(OCT, commune)
    db.session.commit()
    assert [(line.payout_list.commune_code, line.back_pay, line.back_pay_months) for line in lines_of(doi, OCT)] == [
        (TAN_LOI, monthly, [{"month": "2026-09", "kind": "unpaid", "amount": monthly}])]
    assert unpaid_carry_over([TAN_LOI], OCT) == {doi.id: [(SEP, monthly)]}  # the October build's own carry
    assert unpaid_carry_over([TAN_LOI], NOV) == {} and unpaid_carry_over([VINH_MY], NOV) == {}
    _build(NOV, VINH_MY)
    _build(NOV, TAN_LOI)
    assert [(line.month, line.payout_list.commune_code, line.back_pay) for line in lines_of(doi)] == [
        (SEP, VINH_MY, 0), (OCT, TAN_LOI, monthly), (NOV, TAN_LOI, 0)]
    assert completeness(user("pld.tinhbien"), OCT).ok and completeness(user("pld.chaudoc"), SEP).ok


def test_a_failed_amount_waits_for_the_new_commune_to_receive_the_mover(people):
    monthly = 2 * _k5a_80().level_or_none(SEP)
    doi = people["doi"]
    _build(SEP, VINH_MY)
    _approve_and_fail(SEP, doi.id)
    _move(doi, receive=False)
    _build(OCT, VINH_MY)  # the old commune pays nothing more, not even the September amount
    assert lines_of(doi, OCT) == []
    assert unpaid_carry_over([VINH_MY], OCT) == {}
    # Tân Lợi receives Dời in November's submission (effective 10/2026): November carries September and
    # back-pays October
    incoming = db.session.execute(select(RegistryEvent).where(RegistryEvent.kind == "move_in")).scalar_one()
    ev.receive_move(user("xa.tanloi"), incoming, report_month=NOV, decision_number="9/QĐ-UBND")
    subs.submit(user("xa.tanloi"), incoming.submission)
    subs.accept(user("pld.tinhbien"), incoming.submission)
    db.session.commit()
    _build(NOV, VINH_MY)
    _build(NOV, TAN_LOI)
    (line,) = lines_of(doi, NOV)
    assert line.payout_list.commune_code == TAN_LOI
    assert sorted((e["month"], e["kind"], e["amount"]) for e in line.back_pay_months) == [
        ("2026-09", "unpaid", monthly), ("2026-10", "gap", monthly)]
    assert (line.regular_amount, line.back_pay, line.total) == (monthly, 2 * monthly, 3 * monthly)


def test_a_mover_received_after_the_new_communes_list_was_approved_goes_on_its_supplement(people):
    from portal.services.payouts.cycle import build_supplement
    monthly = 2 * _k5a_80().level_or_none(SEP)
    doi = people["doi"]
    _build(SEP, VINH_MY)
    _approve_and_fail(SEP, doi.id)
    tl_oct = _build(OCT, TAN_LOI).lists[0]  # Tân Lợi's October list (Lợi) approved before Dời arrives
    confirm_list(user("xa.tanloi"), tl_oct)
    approve_list(user("pld.tinhbien.duyet"), tl_oct)
    _move(doi)
    _build(OCT, VINH_MY)
    check = completeness(user("pld.tinhbien"), OCT)
    assert check.ok and [(b.full_name, r) for b, r in check.excluded] == [
        ("Đỗ Văn Dời", "Danh sách tháng 10/2026 – Xã Tân Lợi – Tiền mặt tại điểm chi trả đã phê duyệt; cần lập danh "
                       "sách bổ sung.")]
    assert completeness(user("pld.chaudoc"), OCT).excluded == []
    sup = build_supplement(user("pld.tinhbien"), tl_oct)
    assert [(line.full_name, line.regular_amount, line.back_pay, line.total, line.back_pay_months)
            for line in sup.lines] == [
        ("Đỗ Văn Dời", monthly, monthly, 2 * monthly, [{"month": "2026-09", "kind": "unpaid", "amount": monthly}])]
    assert (sup.supplement_of_id, sup.people_count, sup.back_pay_total, sup.total_amount) == (
        tl_oct.id, 1, monthly, 2 * monthly)
    assert [c for c, _ in _where(doi, OCT)] == [TAN_LOI]
    assert completeness(user("pld.tinhbien"), OCT).ok and completeness(user("pld.tinhbien"), OCT).excluded == []
    assert unpaid_carry_over([TAN_LOI], NOV) == {}


# ---------------------------------------------------------------- build_lists: the month before a move


def test_rebuilding_the_month_before_a_move_keeps_the_mover_on_the_old_communes_list(people):
    doi = people["doi"]
    _build(SEP, VINH_MY)
    _move(doi)  # effective 10/2026: September is still Vĩnh Mỹ's (registry_events.paying_commune)
    assert ev.paying_commune(doi, SEP) == VINH_MY
    _build(SEP, VINH_MY)  # Vĩnh Mỹ rebuilds its September draft after the move was accepted
    _build(SEP, TAN_LOI)
    assert [c for c, _ in _where(doi, SEP)] == [VINH_MY]
