"""Unpaid amounts carried to a later list (các khoản chưa nhận, Decree 20/2021 Art. 34.4): failed lines of earlier
months not yet carried, grouped by the commune paying the person in the month being built, for the build to add as
back pay naming the month. Money is integer đồng. Read-only."""
from datetime import date

from sqlalchemy import select

from ...extensions import db
from ...models import Beneficiary, LineResult, ListStatus, PayoutLine, PayoutList
from ..entitlement.months import ARREARS, month_key
from .lines import PROGRAMME
from .payers import month_payers, movers
from .reissue import REISSUE


def unpaid_carry_over(commune_codes, month: date, with_programme: bool = False) -> dict[int, list[tuple]]:
    """Amounts not paid in earlier months that the build of ``month`` must add as back pay (truy lĩnh các khoản
    chưa nhận, Decree 20/2021 Art. 34.4): beneficiary id → [(month of the unpaid line, its ``total`` in đồng)],
    oldest first, for lines the post office reported ``failed`` (on lists accepted, reported or settled), of the
    people whom a commune of ``commune_codes`` (None = everywhere) pays in ``month``
    (``payouts.payers.month_payers``). So the amount follows a person who moved (chuyển đi/chuyển đến, Art.
    8.3–8.4) to the commune paying them now, whichever commune's list failed; the old commune never pays it, and
    nobody does while the destination has not received the person yet.

    ``with_programme``: [(month, đồng, programme of the failed line's list)], so the build carries the amount onto
    a list of the programme that owed it (``entitlement.months.ARREARS`` when the person is paid by the other one
    now).

    A failed line counts as carried already when a later ``tcxh`` line of the person, or an ``arrears`` line not
    itself failed, of a month other than ``month``, names it as back pay (``back_pay_months`` entry
    ``{"month": "YYYY-MM", "kind": "unpaid"}``), in whatever commune — so rebuilding ``month`` is idempotent and
    nothing is carried twice (the line's uniqueness per person, programme and month keeps one line a month); what a
    failed arrears line carried is carried again. A failed line that itself carried an earlier amount
    carries its whole ``total`` (which holds it), and the earlier month is named on it, so is not carried again.
    A failed line paid again on a supplementary list of its month (``payouts.reissue``) is not carried; the re-issue
    line, if it fails in turn, is. Read-only; three queries when something failed (four when ``commune_codes`` is
    given)."""
    month = month.replace(day=1)
    stmt = (select(PayoutLine.beneficiary_id, PayoutLine.month, PayoutLine.total, Beneficiary.commune_code,
                   PayoutLine.programme, PayoutList.programme)
            .join(PayoutList).join(Beneficiary, Beneficiary.id == PayoutLine.beneficiary_id)
            .where(PayoutLine.result == LineResult.FAILED.value, PayoutLine.month < month,
                   PayoutLine.programme.in_((PROGRAMME, REISSUE)), PayoutList.status.in_(
                       [ListStatus.ACCEPTED.value, ListStatus.REPORTED.value, ListStatus.SETTLED.value])))
    if commune_codes is not None:  # their register commune, or a move (the paying commune is settled below)
        codes = set(commune_codes)
        stmt = stmt.where(Beneficiary.commune_code.in_(codes) | PayoutLine.beneficiary_id.in_(movers(month)))
    failed = db.session.execute(stmt).all()
    if commune_codes is not None and failed:
        payers = month_payers(month, {r[0] for r in failed})
        failed = [r for r in failed if payers.moved.get(r[0], r[3]) in codes]
    if failed:  # a failed line paid again on a supplementary list (``reissue``) is not carried; a failed re-issue is
        reissued = {tuple(r) for r in db.session.execute(select(PayoutLine.beneficiary_id, PayoutLine.month).where(
            PayoutLine.beneficiary_id.in_({r[0] for r in failed}), PayoutLine.programme == REISSUE))}
        failed = [r for r in failed if r[4] == REISSUE or (r[0], r[1]) not in reissued]
    if not failed:
        return {}
    carried: set[tuple[int, str]] = set()
    for b_id, entries in db.session.execute(
            select(PayoutLine.beneficiary_id, PayoutLine.back_pay_months)
            .where(PayoutLine.beneficiary_id.in_({r[0] for r in failed}),
                   (PayoutLine.programme == PROGRAMME) | ((PayoutLine.programme == ARREARS)
                                                          & (PayoutLine.result != LineResult.FAILED.value)),
                   PayoutLine.month > min(r[1] for r in failed), PayoutLine.month != month,
                   PayoutLine.back_pay_months.is_not(None))):
        carried.update((b_id, e["month"]) for e in entries or () if e.get("kind") == "unpaid")
    out: dict[int, list[tuple]] = {}
    for b_id, m, total, _commune, _kind, programme in failed:
        if (b_id, month_key(m)) not in carried:
            out.setdefault(b_id, []).append((m, int(total), programme) if with_programme else (m, int(total)))
    for items in out.values():
        items.sort()
    return out
