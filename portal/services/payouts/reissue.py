"""Paying again a line the post office could not pay (chi lại khoản chưa nhận) on a supplementary list (danh sách
bổ sung) of the same month, instead of waiting for next month's build to carry it over (Decree 20/2021 Art. 34.4).

The new line has programme ``reissue`` (``REISSUE``) and the month of the failed line, so the table's uniqueness per
person, programme and month lets one re-issue per person and month exist, never two; the carry-over of the next
builds (``carry_over.unpaid_carry_over``) skips a failed line once re-issued, and a failed line already carried to a
later list cannot be re-issued. Either way the amount is paid once. Money is integer đồng. Flushes, never commits.
"""
from sqlalchemy import select

from ...access import in_area
from ...errors import AccessDenied, StateError
from ...extensions import db
from ...formatting import money
from ...models import Beneficiary, LineResult, ListStatus, PayoutLine, PayoutList, User
from ..audit import record
from ..entitlement.months import LinePlan, month_key
from ..entitlement.rates import Amount
from .lines import PROGRAMME, line_row
from .lists import describe, list_channel, require_manager

#: programme of a line paying again a failed line of the same month
REISSUE = "reissue"
#: states of a list whose failed lines are final enough to pay again
REISSUABLE_FROM = (ListStatus.ACCEPTED.value, ListStatus.REPORTED.value, ListStatus.SETTLED.value)


def reissue_of(line: PayoutLine) -> PayoutLine | None:
    """The line re-issuing ``line`` (same person and month, programme ``reissue``), or None."""
    return db.session.execute(select(PayoutLine).where(
        PayoutLine.beneficiary_id == line.beneficiary_id, PayoutLine.month == line.month,
        PayoutLine.programme == REISSUE)).scalar_one_or_none()


def carried_on(line: PayoutLine) -> PayoutLine | None:
    """A later ``tcxh`` line of the person naming ``line``'s month as unpaid back pay (the carry-over already added
    the amount to a later list), or None."""
    key = month_key(line.month)
    for later in db.session.execute(select(PayoutLine).where(
            PayoutLine.beneficiary_id == line.beneficiary_id, PayoutLine.programme == PROGRAMME,
            PayoutLine.month > line.month, PayoutLine.back_pay_months.is_not(None))).scalars():
        if any(e.get("kind") == "unpaid" and e.get("month") == key for e in later.back_pay_months or ()):
            return later
    return None


def check_reissuable(line: PayoutLine) -> None:
    """Raise StateError (Vietnamese) unless ``line`` may be paid again: a ``tcxh`` line reported failed on a list the
    post office accepted, neither re-issued nor carried to a later list yet."""
    if line.programme != PROGRAMME:
        raise StateError("Chỉ chi lại được khoản trợ cấp hằng tháng.")
    if line.result != LineResult.FAILED.value or line.payout_list.status not in REISSUABLE_FROM:
        raise StateError("Chỉ chi lại được khoản bưu điện đã báo «Không chi được».")
    if reissue_of(line) is not None:
        raise StateError(f"Khoản tháng {line.month:%m/%Y} của {line.full_name} đã được chi lại trên danh sách bổ "
                         "sung.")
    later = carried_on(line)
    if later is not None:
        raise StateError(f"Khoản tháng {line.month:%m/%Y} đã được truy lĩnh trên danh sách tháng "
                         f"{later.month:%m/%Y}: không chi lại lần nữa.")


def reissue_line(actor: User, line: PayoutLine) -> PayoutLine:
    """Put the unpaid ``line`` (a ``tcxh`` line reported failed) on a supplementary list of its month, commune and the
    person's channel now (``lists.list_channel``: a transfer that failed because of the account goes to cash once
    the account was invalidated). A draft supplementary list of that month, commune and channel is reused, else one
    is created (``sequence`` next, ``supplement_of`` the month's main list of that channel or else the failed line's
    list); it follows the usual cycle (confirm, approve, accept, results). The new line copies the failed line's
    amounts (integer đồng) and snapshots the register now. Returns the new line. Raises AccessDenied (not the payout
    office of the commune), StateError (``check_reissuable``)."""
    require_manager(actor)
    original = line.payout_list
    if not in_area(actor, original.commune_code):
        raise AccessDenied("Danh sách ngoài địa bàn quản lý.")
    check_reissuable(line)
    person = db.session.get(Beneficiary, line.beneficiary_id)
    channel = list_channel(person).value
    siblings = list(db.session.execute(select(PayoutList).where(
        PayoutList.month == line.month, PayoutList.commune_code == original.commune_code,
        PayoutList.channel == channel).order_by(PayoutList.sequence)).scalars())
    target = next((s for s in siblings if s.sequence > 0 and s.status in (ListStatus.DRAFT.value,
                                                                          ListStatus.RETURNED.value)), None)
    if target is None:
        main = next((s for s in siblings if s.sequence == 0), None) or (original.supplement_of or original)
        target = PayoutList(month=line.month, commune_code=original.commune_code, channel=channel,
                            sequence=max([s.sequence for s in siblings] + [0]) + 1, supplement_of_id=main.id,
                            payout_office_id=original.payout_office_id, post_office_id=original.post_office_id,
                            prepared_by_id=actor.id, status=ListStatus.DRAFT.value)
        db.session.add(target)
        db.session.flush()
    position = len(target.lines) + 1
    values = vars(line_row(person, target, _copy_plan(line), position))
    new = PayoutLine(**values)
    new.programme = REISSUE
    db.session.add(new)
    target.people_count = (target.people_count or 0) + 1
    for col_line, col_list in (("total", "total_amount"), ("regular_amount", "regular_total"),
                               ("top_up", "top_up_total"), ("back_pay", "back_pay_total")):
        setattr(target, col_list, (getattr(target, col_list) or 0) + (getattr(new, col_line) or 0))
    target.version = (target.version or 1) + 1
    db.session.flush()
    record(actor, "reissue", "payout_line", new.id,
           f"Chi lại khoản tháng {line.month:%m/%Y} của {line.full_name} ({money(new.total)} đồng) trên danh sách bổ "
           f"sung {describe(target)} số {target.sequence}.",
           after={"failed_line": line.id, "payout_list": target.id, "total": new.total})
    return new


def _copy_plan(line: PayoutLine) -> LinePlan:
    """The failed line's money as a plan: same allowance, top-up and back pay (recoveries stay on the first line)."""
    amount = Amount(standard_level=line.standard_level, coefficient=line.coefficient, amount=line.regular_amount,
                    rule="", top_up=line.top_up or 0)
    return LinePlan(PROGRAMME, amount=amount,
                    entries=[e for e in line.back_pay_months or () if e.get("kind") != "recovery"])
