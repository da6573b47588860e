"""The monthly payout cycle around the lists (kỳ chi trả, Decree 20/2021 Art. 34): completeness of a month's lists,
control totals, deadlines, supplementary lists (danh sách bổ sung) and unpaid amounts carried to the next month.

- ``completeness(actor, month)``: every person entitled that month is on exactly one line or left off with a reason.
- ``control_totals(lst)``: people and money by kind summed from the lines, checked against the list's stored totals.
- ``deadlines(month)``: money and list to the provider before the 25th of the month before; results before the 20th.
- ``build_supplement(actor, original)``: people missing from an approved (frozen) list go on a supplementary list
  that references it; the one-line-per-person-and-month constraint still holds.
- ``unpaid_carry_over(commune_codes, month)``: failed lines of earlier months not carried yet, for the build
  (``payouts.build_lists``) to add as back pay (truy lĩnh, "các khoản chưa nhận", Art. 34.4).

Money is integer đồng; months are first-of-month dates. Writes record an audit event and flush, never commit.
"""
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.orm import selectinload

from ...access import in_area
from ...clock import today_vn, utcnow
from ...errors import AccessDenied, PortalError, StateError, ValidationError
from ...extensions import db
from ...formatting import money
from ...models import Beneficiary, ListStatus, PayoutLine, PayoutList, User
from ..audit import record
from ..entitlement.months import LinePlan, month_key
from ..entitlement.pension import allowance
from ..entitlement.rates import RateBook
from ..registry.events import active_in_month
from .carry_over import unpaid_carry_over
from .exclusions import area_codes, month_exclusions, needs_rebuild
from .fee_statements import list_fee
from .lines import PROGRAMME, insert_lines, new_line
from .lists import describe, list_channel, require_manager
from .payers import month_payers


@dataclass
class Completeness:
    """Result of ``completeness``: ``entitled`` people (active, started by the month) in the area, ``listed`` of
    them on a line; ``excluded`` (beneficiary, Vietnamese reason) left off for a stated reason; ``missing``
    beneficiaries on no line and with no reason (the lists must be rebuilt); ``duplicated`` beneficiary ids on more
    than one line (impossible while ``uq (beneficiary_id, programme, month)`` holds); ``not_entitled`` lines of
    people no longer entitled (stopped after the build); ``left_off`` excluded and missing together as (beneficiary,
    reason), by commune and name."""

    month: date
    entitled: int = 0
    listed: int = 0
    excluded: list = field(default_factory=list)
    missing: list = field(default_factory=list)
    duplicated: list = field(default_factory=list)
    not_entitled: list = field(default_factory=list)
    left_off: list = field(default_factory=list)  # excluded and missing together, (beneficiary, reason) in order

    @property
    def ok(self) -> bool:
        """True when every entitled person is on exactly one line or excluded with a reason."""
        return not self.missing and not self.duplicated


def completeness(actor: User, month: date) -> Completeness:
    """Check the lists of ``month`` (first-of-month date) in ``actor``'s area: each entitled person (``active``,
    in that month per the accepted events — a death in the month still counts, ``registry.events.active_in_month`` —
    and ``start_month ≤ month``; Decree 20/2021 Art. 8) is on exactly one ``tcxh`` line of the month, on a list of
    the commune paying them that month (``payouts.payers.month_payers``: before a move the old commune, from
    the move's month the new one; Art. 8.3–8.4), or on the exclusion list with a reason
    (``payouts.exclusions.month_exclusions``: no rate, list already approved, move not received yet). Those with
    neither are ``missing`` and named; a line on a list of a commune that does not pay the person that month is
    ``not_entitled`` there. Read-only; a handful of queries whatever the size."""
    month = month.replace(day=1)
    codes = area_codes(actor)
    payers = month_payers(month)
    entitled = select(Beneficiary.id, Beneficiary.commune_code).where(
        active_in_month(month), Beneficiary.start_month <= month, payers.condition(codes))
    lines = (select(PayoutLine.beneficiary_id, PayoutList.commune_code).join(PayoutList)
             .where(PayoutLine.month == month, PayoutLine.programme == PROGRAMME))
    if codes is not None:
        lines = lines.where(PayoutList.commune_code.in_(codes))
    expected = {b_id: payers.moved.get(b_id, code) for b_id, code in db.session.execute(entitled)}
    where: dict[int, list[str]] = {}
    for b_id, code in db.session.execute(lines):
        where.setdefault(b_id, []).append(code)
    out = Completeness(month=month, entitled=len(expected),
                       listed=sum(1 for b_id, payer in expected.items() if payer in where.get(b_id, ())))
    out.duplicated = sorted(b for b, found in where.items() if len(found) > 1)
    out.left_off = month_exclusions(actor, month, payers)
    for b, reason in out.left_off:
        (out.missing.append(b) if needs_rebuild(reason) else out.excluded.append((b, reason)))
    stray = {(b_id, code) for b_id, found in where.items() for code in found if expected.get(b_id) != code}
    if stray:
        out.not_entitled = [line for line in db.session.execute(
            select(PayoutLine).join(PayoutList).options(selectinload(PayoutLine.payout_list))
            .where(PayoutLine.month == month, PayoutLine.programme == PROGRAMME,
                   PayoutLine.beneficiary_id.in_({b for b, _ in stray})).order_by(PayoutLine.full_name)).scalars()
            if (line.beneficiary_id, line.payout_list.commune_code) in stray]
    return out


#: control totals: key → (Vietnamese label, PayoutLine column summed, PayoutList column holding the frozen total)
CONTROL_FIELDS = {
    "regular": ("Trợ cấp hằng tháng", "regular_amount", "regular_total"),
    "top_up": ("Hỗ trợ thêm của tỉnh", "top_up", "top_up_total"),
    "back_pay": ("Truy lĩnh", "back_pay", "back_pay_total"),
    "care": ("Hỗ trợ chăm sóc", "care_support", "care_total"),
    "funeral": ("Mai táng phí", "funeral_support", "funeral_total"),
    "total": ("Tổng cộng", "total", "total_amount"),
}


@dataclass
class ControlTotals:
    """A list's control totals recomputed from its lines: ``people`` and ``amounts`` (key of ``CONTROL_FIELDS`` →
    đồng), ``fee`` (đồng, None while no fee rule or contract applies: "chờ"), and ``mismatches`` (Vietnamese, one per
    stored total that differs from the lines; empty when the list is consistent)."""

    people: int
    amounts: dict
    fee: int | None
    mismatches: list

    def rows(self):
        """(label, amount) for display, kinds that are zero left out except the regular amount and the total."""
        return [(CONTROL_FIELDS[k][0], v) for k, v in self.amounts.items() if v or k in ("regular", "total")]


def _present(model, name):
    return name in model.__table__.columns


@cache
def _control_sums():
    """(kinds summed, the statement summing them over the lines of the list ``list_id``), built once: every
    payout-list page runs it."""
    keys = [k for k, (_, line_col, _) in CONTROL_FIELDS.items() if _present(PayoutLine, line_col)]
    sums = [func.coalesce(func.sum(getattr(PayoutLine, CONTROL_FIELDS[k][1])), 0) for k in keys]
    return keys, (select(func.count(func.distinct(PayoutLine.beneficiary_id)), *sums)
                  .where(PayoutLine.payout_list_id == bindparam("list_id")))


def control_totals(lst: PayoutList) -> ControlTotals:
    """Sum ``lst``'s lines by kind of money in one query and compare with the totals stored on the list at build
    (people_count, regular_total, back_pay_total, care_total, funeral_total, total_amount). Kinds whose columns do
    not exist yet are skipped."""
    keys, stmt = _control_sums()
    row = db.session.execute(stmt, {"list_id": lst.id}).one()
    people, amounts = int(row[0]), {k: int(v) for k, v in zip(keys, row[1:], strict=False)}
    mismatches = []
    if people != (lst.people_count or 0):
        mismatches.append(f"Số người: danh sách ghi {lst.people_count}, các dòng có {people}.")
    for k, v in amounts.items():
        label, _, list_col = CONTROL_FIELDS[k]
        stored = getattr(lst, list_col, None) if _present(PayoutList, list_col) else None
        if stored is not None and int(stored) != v and (stored or k == "total"):
            mismatches.append(f"{label}: danh sách ghi {money(stored)} đ, các dòng cộng lại {money(v)} đ.")
    stored_fee = getattr(lst, "fee_amount", None)  # the fee frozen with the list at build
    return ControlTotals(people, amounts, stored_fee if stored_fee else list_fee(lst), mismatches)


@dataclass(frozen=True)
class Deadlines:
    """Deadlines of a payout month (Decree 20/2021 Art. 34.4–34.5, reference §2.1 [H]): ``transfer_before`` — the
    payout office transfers the money and the list to the provider before the 25th of the month before; and
    ``report_before`` — the provider reports results (paid, unpaid carried over, money left) before the 20th."""

    month: date
    transfer_before: date
    report_before: date

    def transfer_text(self) -> str:
        """Vietnamese sentence for the first deadline."""
        return (f"Chuyển kinh phí và danh sách cho tổ chức dịch vụ chi trả trước ngày {self.transfer_before:%d/%m/%Y}"
                " (Nghị định 20/2021/NĐ-CP, Điều 34 khoản 4).")

    def report_text(self) -> str:
        """Vietnamese sentence for the second deadline."""
        return (f"Tổ chức dịch vụ chi trả báo cáo kết quả chi trả trước ngày {self.report_before:%d/%m/%Y}"
                " (Nghị định 20/2021/NĐ-CP, Điều 34 khoản 5).")

    def late(self, lst: PayoutList, today: date | None = None) -> list[str]:
        """Vietnamese warnings for ``lst`` when a deadline passed (today in Vietnam time) and the step is not done:
        not approved by the transfer deadline, results not complete by the report deadline."""
        today = today or today_vn()
        out = []
        if today >= self.transfer_before and not lst.status_enum.frozen:
            out.append(f"Quá hạn chuyển danh sách (trước ngày {self.transfer_before:%d/%m/%Y}).")
        if today >= self.report_before and lst.status in (ListStatus.APPROVED, ListStatus.ACCEPTED):
            out.append(f"Quá hạn báo cáo kết quả chi trả (trước ngày {self.report_before:%d/%m/%Y}).")
        return out


def deadlines(month: date) -> Deadlines:
    """Deadlines of payout month ``month``: 25th of the month before, 20th of the month itself."""
    month = month.replace(day=1)
    before = date(month.year - 1, 12, 25) if month.month == 1 else date(month.year, month.month - 1, 25)
    return Deadlines(month, before, month.replace(day=20))


def build_supplement(actor: User, original: PayoutList) -> PayoutList:
    """Lập danh sách bổ sung: the people ``original``'s commune pays in its month (``month_payers``: before a move
    the old commune, from its month the new one; nobody while the destination has not received the person), of its
    channel, active then and now, on no line of the month (because ``original`` was approved before they
    qualified), go on a supplementary list referencing it (``supplement_of``, ``sequence`` 1, 2…), built like a
    main list (amounts from ``RateBook`` plus unpaid amounts carried over, name order), as a draft that follows the
    same cycle. A draft supplement not yet approved is refilled instead of adding another. Raises AccessDenied (no
    ``payout_management`` or out of area), StateError (``original`` not approved yet — rebuild it instead),
    ValidationError (nobody to add)."""
    require_manager(actor)
    if not in_area(actor, original.commune_code):
        raise AccessDenied("Danh sách ngoài địa bàn quản lý.")
    if original.supplement_of_id is not None:
        original = original.supplement_of
    if not original.status_enum.frozen:
        raise StateError(f"Danh sách {describe(original)} chưa phê duyệt: hãy lập lại danh sách thay vì lập danh "
                         "sách bổ sung.")
    month = original.month
    listed = select(PayoutLine.beneficiary_id).where(PayoutLine.month == month, PayoutLine.programme == PROGRAMME)
    siblings = list(db.session.execute(select(PayoutList).where(
        PayoutList.month == month, PayoutList.commune_code == original.commune_code,
        PayoutList.channel == original.channel, PayoutList.programme == original.programme)).scalars())
    draft = next((lst for lst in siblings if lst.supplement_of_id is not None and not lst.status_enum.frozen), None)
    if draft is not None:
        db.session.execute(delete(PayoutLine).where(PayoutLine.payout_list_id == draft.id))
        db.session.expire(draft, ["lines"])
        listed = listed.where(PayoutLine.payout_list_id != draft.id)
    rows = _supplement_rows(original, listed)
    if not rows:
        raise ValidationError(f"Không có ai cần bổ sung vào danh sách {describe(original)}.")
    lst = draft
    if lst is None:
        lst = PayoutList(month=month, commune_code=original.commune_code, channel=original.channel,
                         programme=original.programme,
                         sequence=max(lst.sequence for lst in siblings) + 1, supplement_of_id=original.id,
                         payout_office_id=original.payout_office_id, post_office_id=original.post_office_id,
                         prepared_by_id=actor.id, status=ListStatus.DRAFT.value)
        db.session.add(lst)
        db.session.flush()
    else:
        lst.version = (lst.version or 1) + 1
    _fill_supplement(actor, lst, rows)
    record(actor, "supplement", "payout_list", lst.id,
           f"Lập danh sách bổ sung số {lst.sequence} cho danh sách {describe(original)}: {lst.people_count} người, "
           f"{money(lst.total_amount)} đồng.",
           after={"supplement_of": original.id, "people_count": lst.people_count, "total_amount": lst.total_amount})
    db.session.flush()
    return lst


def _supplement_rows(original: PayoutList, listed) -> list:
    """(beneficiary, LinePlan) of the people ``original``'s commune pays in its month on its channel under its
    programme (``entitlement.pension.allowance``: the higher of the two), active, on no
    line of the month (``listed``: a select of beneficiary ids), in name order, with their unpaid amounts carried
    over; people without an applicable rate are left out (shown with the reason on the month's exclusions)."""
    month = original.month
    payers = month_payers(month)  # the commune paying each mover that month, not their register commune today
    people = db.session.execute(
        select(Beneficiary).options(selectinload(Beneficiary.accounts), selectinload(Beneficiary.commune))
        .where(payers.condition({original.commune_code}), Beneficiary.status == "active", active_in_month(month),
               Beneficiary.start_month <= month, Beneficiary.id.not_in(listed),
               Beneficiary.id.not_in(list(payers.waiting)))  # moved, not received yet: nobody lists them
        .order_by(Beneficiary.name_sort, Beneficiary.id)).scalars()
    book = RateBook.load()
    carry = unpaid_carry_over([original.commune_code], month)  # earlier unpaid amounts, as in the main build
    rows = []
    for b in people:
        if list_channel(b).value != original.channel:
            continue
        try:
            amount = allowance(book, b, month)
        except PortalError:
            continue
        if amount.programme != original.programme:
            continue
        rows.append((b, LinePlan(PROGRAMME, amount=amount, entries=[
            {"month": month_key(m), "kind": "unpaid", "amount": amount} for m, amount in carry.get(b.id, ())],
            list_programme=amount.programme, programme_reason=amount.reason)))
    return rows


def _fill_supplement(actor: User, lst: PayoutList, rows: list) -> None:
    """Make ``lst`` a draft prepared by ``actor`` holding ``rows`` (numbered 1..n), with its control totals."""
    lst.status, lst.prepared_by_id, lst.prepared_at = ListStatus.DRAFT.value, actor.id, utcnow()
    lst.confirmed_by_id = lst.confirmed_at = None
    lines = [new_line(b, lst, amount, i) for i, (b, amount) in enumerate(rows, start=1)]
    insert_lines(lines)
    db.session.expire(lst, ["lines"])
    lst.people_count = len({line.beneficiary_id for line in lines})
    lst.total_amount = sum(line.total for line in lines)
    for _, line_col, list_col in CONTROL_FIELDS.values():
        if list_col != "total_amount" and _present(PayoutList, list_col) and _present(PayoutLine, line_col):
            setattr(lst, list_col, sum(getattr(line, line_col) or 0 for line in lines))
