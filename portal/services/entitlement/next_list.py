"""What the next list pays one person (mức trợ cấp lần chi trả tới): a preview on the person's page from the month
engine — the monthly amount with the rule that chose it ("cao nhất trong các diện", or K4 plus K5/K6/K8 both;
Decree 20/2021 Art. 6.2), back pay split between the beneficiary and a carer, and care support. Read-only."""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from ...errors import PortalError
from ...extensions import db
from ...formatting import money
from ...models import (
    AdditionalCategory,
    Beneficiary,
    CareArrangement,
    EventStatus,
    PayoutLine,
    PayoutList,
    RegistryEvent,
)
from ..registry.beneficiaries import not_paid_reason
from .care import care_band_end
from .categories import category_text
from .extras import as_person, care_kinds, care_of, categories_of, inactive_since, inactive_text, months_text
from .months import ARREARS, LOOKBACK_MONTHS, History, add_months, describe_months
from .pension import allowance, replaced_since
from .plan import plan_person
from .rates import K4_COMBINABLE, SOCIAL_PENSION, Amount, RateBook, in_force


@dataclass
class Candidate:
    """One category the person holds, with its amount in the month (đồng) or the reason it gives none."""

    code: str
    text: str
    main: bool
    amount: int | None = None
    rule: str = ""
    problem: str | None = None
    row: AdditionalCategory | None = None  # the further category's row (None for the main category)
    months: str = ""  # its months: "từ 12/2026", "từ 12/2026, thôi từ 03/2027"

    @property
    def row_id(self) -> int | None:
        return self.row.id if self.row is not None else None


@dataclass
class Preview:
    """What the next list pays the person in ``month``: ``amount`` (engine ``Amount`` with every category, or None
    with ``problem``), ``line`` the Vietnamese summary ("Tháng 12/2026: 1.080.000 đ (cao nhất trong các diện: K5a)"),
    ``candidates`` per category, ``care_amount`` / ``care`` (the arrangement paid, only the highest) and
    ``care_line``, ``notes`` (status, overlaps)."""

    month: date
    amount: Amount | None = None
    problem: str | None = None
    line: str = ""
    candidates: list = field(default_factory=list)
    care_amount: int = 0
    care: CareArrangement | None = None
    care_line: str = ""
    notes: list = field(default_factory=list)
    back_pay_line: str = ""
    back_pay_lines: list = field(default_factory=list)  # one text per line: allowance (person), care (carer)


def preview(beneficiary: Beneficiary, month: date, book: RateBook | None = None, extras=None, care=None) -> Preview:
    """Amounts for ``beneficiary`` in ``month`` (first-of-month date) with their further categories and care
    arrangements (loaded unless given), computed by the engine: ``RateBook.amount_for(..., extra_categories)``
    (highest category, or K4 + K5/K6/K8, Art. 6.2) and ``RateBook.care_amount`` (Art. 20). Never raises."""
    book = book or RateBook.load()
    extras = categories_of(beneficiary.id) if extras is None else extras
    care = care_of(beneficiary.id) if care is None else care
    p = Preview(month=month)
    p.candidates = [_candidate(book, beneficiary, row, main, month)
                    for row, main in [(beneficiary, True)] + [(r, False) for r in extras]]
    try:
        p.amount = allowance(book, beneficiary, month, extras)  # the higher of social assistance and the pension
    except PortalError as err:
        p.problem = not_paid_reason(book, beneficiary, month, err)
    p.line = _amount_line(p, month, extras)
    state = inactive_since(beneficiary, month)
    if state is not None:
        p.line = inactive_text(state) + (" — không có lần chi trả tới" if state[0] == "stopped" else
                                         " — không có lần chi trả tới cho đến khi có quyết định tiếp tục")
        p.amount = None
    amount, arr = book.care_amount(care, month) if state is None else (0, None)
    p.care_amount, p.care = amount, arr
    if arr is not None:
        p.care_line = (f"Hỗ trợ chăm sóc tháng {month:%m/%Y}: {money(amount)} đ — trả cho {arr.payee_name}"
                       f"{' (' + arr.payee_relationship + ')' if arr.payee_relationship else ''}, dòng riêng trên "
                       "danh sách chi tiền mặt")
        valid = [a for a in care if a.valid_from <= month and (a.valid_to is None or month < a.valid_to)]
        if len(valid) > 1:
            p.care_line += " (nhiều khoản cùng lúc: chỉ hưởng mức cao nhất)"
    _add_back_pay(p, beneficiary, month, book, extras, care)
    _add_care_age_notes(p, beneficiary, month, care)
    if state is None and beneficiary.start_month > month:
        p.notes.append(f"Đối tượng hưởng từ tháng {beneficiary.start_month:%m/%Y}.")
    return p


def _candidate(book: RateBook, beneficiary: Beneficiary, row, main: bool, month: date) -> Candidate:
    """One category of the person (``row`` is the person for the main one, else an AdditionalCategory) with its
    amount in ``month`` on its own, or why it gives none."""
    cand = Candidate(row.category_code, category_text(row), main, row=None if main else row,
                     months="" if main else months_text(row))
    children = row.children_count if row.category_code == "K4" else None
    if not main and not in_force(row, month):
        cand.problem = (f"chưa hưởng (từ {row.valid_from:%m/%Y})" if row.valid_from and month < row.valid_from
                        else f"đã thôi hưởng (từ {row.valid_to:%m/%Y})")
        return cand
    replaced = replaced_since(book, row.category_code, month)
    if replaced is not None:  # no coefficient to look for: the social pension took the category over
        cand.problem = f"hết hiệu lực từ {replaced:%d/%m/%Y}, thay bằng trợ cấp hưu trí xã hội"
        return cand
    try:
        a = book.amount_for(as_person(beneficiary, row.category_code, row.disability_level,
                                      children or (beneficiary.children_count if main else None)), month)
        cand.amount, cand.rule = a.amount, a.rule
    except PortalError as err:
        cand.problem = str(err)
    return cand


def _amount_line(p: Preview, month: date, extras) -> str:
    """"Tháng 12/2026: 1.080.000 đ (cao nhất trong các diện: K5a)" — the amount paid and the rule that chose it
    (highest category, or K4 plus a combinable one; the province's top-up named), or why there is none."""
    head = f"Tháng {month:%m/%Y}: "
    if p.amount is None:
        return head + "không có mức trợ cấp — " + (p.problem or "")
    line = head + f"{money(p.amount.amount + p.amount.top_up)} đ"
    if p.amount.programme == SOCIAL_PENSION:
        line += " — trợ cấp hưu trí xã hội"
    why = ""
    if any(in_force(r, month) for r in extras):
        combined = [c for c in p.candidates if c.amount is not None]
        k4 = [c for c in combined if c.code == "K4"]
        other = [c for c in combined if c.code in K4_COMBINABLE]
        if k4 and other and " + " in p.amount.rule:
            best = max(other, key=lambda c: c.amount)
            why = f"diện K4 cộng diện {best.code}: hưởng cả hai, NĐ 20/2021 Điều 6.2"
        else:
            best = next((c for c in combined if c.amount == p.amount.amount), None)
            why = "cao nhất trong các diện" + (f": {best.code}" + (" — diện chính" if best.main else "")
                                                if best else "")
    if p.amount.top_up:
        why = (why + "; " if why else "") + f"gồm {money(p.amount.top_up)} đ hỗ trợ thêm của tỉnh"
    return line + (f" ({why})" if why else "")


def _add_back_pay(p: Preview, beneficiary: Beneficiary, month: date, book: RateBook, extras, care) -> None:
    """The back pay and recoveries the next build adds (``plan_next_list``), one text per line — the allowance
    (to the person) and the care support (to the carer) are separate payments — and a note when a further
    category without a start month back-pays listed months."""
    try:
        lines = [line for line in plan_next_list(beneficiary, month, book, extras, care).lines if line.entries]
    except PortalError:  # the preview never fails the page
        lines = []
    entries = [e for line in lines for e in line.entries]
    parts = []
    for line in lines:
        text = describe_months(line.entries)
        if line.programme == "care":
            who = (line.payee or {}).get("name")
            parts.append("Hỗ trợ chăm sóc: " + text + (f" — trả cho {who}" if who else ""))
        elif line.programme == "tcxh" and any(line.programme == "care" for line in lines):
            parts.append("Trợ cấp: " + text + f" — trả cho {beneficiary.full_name}")
        else:
            parts.append(text)
    p.back_pay_lines = parts
    if not entries:
        return
    p.back_pay_line = "Kèm theo ở lần lập danh sách tới: " + "; ".join(parts)
    legacy = [r.category_code for r in extras if r.valid_from is None and in_force(r, month)]
    if legacy and any(e["kind"] in ("rate_change", "gap") for e in entries):
        p.notes.append(f"Diện {', '.join(legacy)} ghi trước khi có tháng hưởng nên được tính cho mọi tháng, kể cả "
                       "các tháng đã lập danh sách (truy lĩnh chênh lệch). Nếu đối tượng chỉ đủ điều kiện từ một "
                       "tháng, ghi «Thôi hưởng từ tháng» cho diện đó và ghi lại kèm tháng hưởng, hoặc báo cơ quan "
                       "lập danh sách trước khi lập.")


def _add_care_age_notes(p: Preview, beneficiary: Beneficiary, month: date, care) -> None:
    """The engine pays a care kind's rate while its row runs: warn when the person leaves the kind's age band
    first."""
    for a in care:
        if a.valid_to is None or month < a.valid_to:
            end = care_band_end(beneficiary, a.kind, month)
            if end is not None and end > a.valid_from and (a.valid_to is None or end < a.valid_to):
                p.notes.append(f"«{care_kinds().get(a.kind, a.kind)}»: từ tháng {end:%m/%Y} đối tượng ra khỏi độ tuổi "
                               "của loại hỗ trợ này — ghi «Thôi hưởng từ tháng» đó và ghi loại phù hợp.")


def plan_next_list(beneficiary: Beneficiary, month: date, book: RateBook | None = None, extras=None, care=None):
    """``entitlement.plan.plan_person`` for one person and ``month``, fed as ``payouts.build_lists`` feeds it (the
    person's accepted events, further categories, care arrangements, earlier lines of the look-back window, the
    commune's first portal list) — so the page shows the back pay (truy lĩnh) and recoveries the next build adds.
    Unpaid carry-over (``payouts.carry_over.unpaid_carry_over``) is not included. Returns a ``PersonPlan``."""
    book = book or RateBook.load()
    extras = categories_of(beneficiary.id) if extras is None else extras
    care = care_of(beneficiary.id) if care is None else care
    events = list(db.session.execute(select(RegistryEvent).where(
        RegistryEvent.beneficiary_id == beneficiary.id,
        RegistryEvent.status == EventStatus.ACCEPTED.value)).scalars())
    tcxh, care_history, funeral_paid = History(), History(), False
    for m, programme, regular, top_up, care_amt, level, entries, res, funeral, coef, scheme in db.session.execute(
            select(PayoutLine.month, PayoutLine.programme, PayoutLine.regular_amount, PayoutLine.top_up,
                   PayoutLine.care_support, PayoutLine.standard_level, PayoutLine.back_pay_months, PayoutLine.result,
                   PayoutLine.funeral_support, PayoutLine.coefficient, PayoutList.programme)
            .join(PayoutList, PayoutList.id == PayoutLine.payout_list_id).where(
            PayoutLine.beneficiary_id == beneficiary.id, PayoutLine.month < month)):
        if programme == "funeral" and funeral:
            funeral_paid = True
        elif m < add_months(month, -LOOKBACK_MONTHS):
            continue
        elif programme == "tcxh":
            tcxh.add_line(m, (regular or 0) + (top_up or 0), level, entries, res, coef, scheme)
        elif programme == ARREARS:
            tcxh.add_arrears(entries, res)
        elif programme == "care":
            care_history.add_line(m, care_amt or 0, level, entries, res)
    history_start = db.session.execute(select(func.min(PayoutList.month)).where(
        PayoutList.commune_code == beneficiary.commune_code)).scalar()
    return plan_person(book, beneficiary, month, events=events, extra_categories=extras, care=care,
                       tcxh=tcxh if tcxh.any_line else None,
                       care_history=care_history if care_history.any_line else None, funeral_paid=funeral_paid,
                       history_start=history_start)
