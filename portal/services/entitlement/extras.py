"""What further categories and care support share (diện hưởng khác, hỗ trợ chăm sóc; Decree 20/2021 Art. 6.2, 20):
reading a person's rows, parsing the entered month and decision number, the months a row already counted on a list,
persons no longer paid (``inactive_since``), and ``ExtrasInvalid`` with its Vietnamese messages by field."""
from datetime import date
from types import SimpleNamespace

from sqlalchemy import select

from ...errors import ValidationError
from ...extensions import db
from ...models import AdditionalCategory, Beneficiary, CareArrangement, Category, PayoutLine, SupportRule
from ...spreadsheets.dates import parse_month
from ..registry.events import STATUS_AFTER, accepted_events_by_beneficiary, status_in_month
from ..registry.identity import nfc

#: the SupportRule kind that is not care support (funeral support, Art. 11)
NOT_CARE = ("funeral",)


MAX_CHILDREN = 20
#: how the audit summaries this module writes on the beneficiary begin (``payouts.staleness`` counts them as changes
#: after a list was built: a further category or care arrangement added, ended or deleted changes the amounts)
AUDIT_PREFIXES = ("Ghi thêm diện hưởng khác", "Thôi hưởng diện khác", "Xóa diện hưởng khác", "Ghi hỗ trợ chăm sóc",
                  "Kết thúc hỗ trợ chăm sóc", "Xóa hỗ trợ chăm sóc")
#: how far after the next list's month a start or end month may be entered
MAX_AHEAD_MONTHS = 12


class ExtrasInvalid(ValidationError):
    """Input refused: ``errors`` maps a form field name to a Vietnamese message; ``str(err)`` joins them."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__(" ".join(self.errors.values()))


def categories_of(beneficiary_id: int) -> list[AdditionalCategory]:
    """The person's further categories, by category code."""
    return list(db.session.execute(select(AdditionalCategory).where(
        AdditionalCategory.beneficiary_id == beneficiary_id).order_by(
        AdditionalCategory.category_code, AdditionalCategory.id)).scalars())


def care_of(beneficiary_id: int) -> list[CareArrangement]:
    """The person's care arrangements, newest start first."""
    return list(db.session.execute(select(CareArrangement).where(
        CareArrangement.beneficiary_id == beneficiary_id).order_by(
        CareArrangement.valid_from.desc(), CareArrangement.id.desc())).scalars())


def category_row(beneficiary: Beneficiary, row_id: int) -> AdditionalCategory | None:
    """The further category ``row_id`` of ``beneficiary`` (None when it belongs to someone else or is gone)."""
    row = db.session.get(AdditionalCategory, row_id)
    return row if row is not None and row.beneficiary_id == beneficiary.id else None


def care_row(beneficiary: Beneficiary, row_id: int) -> CareArrangement | None:
    """The care arrangement ``row_id`` of ``beneficiary`` (None when it belongs to someone else or is gone)."""
    row = db.session.get(CareArrangement, row_id)
    return row if row is not None and row.beneficiary_id == beneficiary.id else None


def care_kinds() -> dict[str, str]:
    """Care kinds of the ``SupportRule`` rows (funeral excluded) → Vietnamese label of their latest row, in the order
    of the rows (the province's order)."""
    kinds: dict[str, tuple] = {}
    for r in db.session.execute(select(SupportRule).where(SupportRule.kind.not_in(NOT_CARE))
                                .order_by(SupportRule.id)).scalars():
        if r.kind not in kinds or r.valid_from >= kinds[r.kind][0]:
            kinds[r.kind] = (r.valid_from, r.label)
    return {k: v[1] for k, v in kinds.items()}


def categories() -> dict[str, Category]:
    """Every Art. 5 category by code."""
    return {c.code: c for c in db.session.execute(select(Category).order_by(Category.code)).scalars()}


def as_person(b: Beneficiary, code: str, level: str | None, children: int | None):
    """A stand-in for ``b`` with another category ``code``, disability ``level`` and ``children`` (default 1), its
    birth date kept: what the coefficient rules (Decree 20/2021 Art. 6) are asked about for a further category."""
    return SimpleNamespace(category_code=code, disability_level=level, children_count=children or 1,
                           birth_date=b.birth_date, birth_year=b.birth_year)


def months_text(row) -> str:
    """"từ 12/2026", "từ 12/2026, thôi từ 03/2027" (``valid_to`` is the first month not counted), or for a row made
    before the months were recorded "mọi tháng" / "thôi từ 03/2027"."""
    text = f"từ {row.valid_from:%m/%Y}" if row.valid_from else ""
    if row.valid_to:
        text += (", " if text else "") + f"thôi từ {row.valid_to:%m/%Y}"
    return text or "mọi tháng (ghi trước khi có tháng hưởng)"


def listed_months(beneficiary_id: int, programme: str, since: date | None = None) -> list[date]:
    """Months (from ``since`` on, or all) for which a line of the person in ``programme`` (``tcxh`` / ``care``) is
    already on a payout list (any status), ascending."""
    q = select(PayoutLine.month).where(PayoutLine.beneficiary_id == beneficiary_id, PayoutLine.programme == programme)
    if since is not None:
        q = q.where(PayoutLine.month >= since)
    return sorted(set(db.session.execute(q).scalars()))


def decision_number(data: dict, errors: dict, what: str) -> str:
    """The typed decision number (số quyết định, NFC, required, ≤ 60 characters); a problem goes into
    ``errors["decision_number"]`` naming ``what`` the decision is for."""
    decision = nfc(data.get("decision_number"))
    if not decision:
        errors["decision_number"] = f"Chưa nhập số quyết định {what}."
    elif len(decision) > 60:
        errors["decision_number"] = "Số quyết định quá dài (tối đa 60 ký tự)."
    return decision


def entry_month(raw, label: str, errors: dict, key: str, required: bool) -> date | None:
    """The month typed in a form field (``raw``, "MM/YYYY") as a first-of-month date, or None when empty and not
    ``required``; a problem is written into ``errors[key]`` (Vietnamese, naming ``label``) and None returned."""
    text = nfc(raw)
    if not text:
        if required:
            errors[key] = f"Chưa nhập {label.lower()} (dạng tháng/năm, ví dụ 12/2026)."
        return None
    try:
        return parse_month(text, label)
    except ValidationError as err:
        errors[key] = str(err)
        return None


def inactive_since(beneficiary: Beneficiary, month: date) -> tuple[str, date | None] | None:
    """``(status, first month)`` when the person is not paid in ``month`` because of their status (``stopped`` — also
    deceased — or ``suspended``, per ``registry.events.status_in_month`` and the accepted events; the month is the
    effective month of the last such event, None when the status has no event), else None."""
    events = accepted_events_by_beneficiary([beneficiary.id]).get(beneficiary.id, [])
    status = status_in_month(beneficiary, month, events)
    if status not in ("stopped", "suspended"):
        return None
    since = [e.effective_month for e in events if STATUS_AFTER.get(e.kind) == status and e.effective_month <= month]
    return status, max(since) if since else None


def inactive_text(state: tuple[str, date | None]) -> str:
    """"Đã thôi hưởng từ tháng 09/2024" / "Tạm dừng hưởng từ tháng 09/2024" (without the month when unknown)."""
    status, since = state
    head = "Đã thôi hưởng" if status == "stopped" else "Tạm dừng hưởng"
    return head + (f" từ tháng {since:%m/%Y}" if since else "")


def refuse_inactive(beneficiary: Beneficiary, month: date, what: str) -> None:
    """Raise ``ExtrasInvalid`` (field "status") when ``beneficiary`` is stopped, suspended or dead in ``month``: no
    further category or care record (``what``) may be added then."""
    state = inactive_since(beneficiary, month)
    if state is not None:
        raise ExtrasInvalid({"status": f"Đối tượng {inactive_text(state)[0].lower()}{inactive_text(state)[1:]}: "
                                       f"không ghi thêm {what} được (chỉ có thể kết thúc hoặc xóa bản ghi ghi nhầm)."})


def overlaps(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    """True when the month ranges [a_from, a_to) and [b_from, b_to) share a month; None as an end means open-ended."""
    return (b_to is None or a_from < b_to) and (a_to is None or b_from < a_to)
