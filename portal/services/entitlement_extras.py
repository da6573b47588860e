"""Further categories (diện hưởng khác, Decree 20/2021/NĐ-CP Art. 6.2) and care support (hỗ trợ chăm sóc, nuôi
dưỡng, Art. 20) of one beneficiary, as the commune clerk records them: validation with Vietnamese messages, writes
with an audit event on the beneficiary, and a preview of what the next list pays.

* ``AdditionalCategory`` (additional_category): another Art. 5 category the person qualifies under. Only the single
  highest amount is paid, except that a K4 single parent who is also K5, K6 or K8 gets both (Art. 6.2; reference
  §1.4). It counts for the months ``[valid_from, valid_to)`` (``entitlement.in_force``; a row made before those
  columns existed has neither and counts for every month), under a decision (``decision_number``). It may start
  before the next list (a backdated decision: the next list back-pays the difference for months already listed);
  it is ended with ``valid_to``, and deleted only when entered by mistake and not yet counted on any list.
* ``CareArrangement`` (care_arrangement): monthly care support paid on its own line (programme ``care``) to a carer
  household or person (the payee), of a ``SupportRule`` kind (coefficient × standard level), for months
  ``[valid_from, valid_to)`` while the beneficiary is paid; several at once pay only the highest (Art. 20).

The amounts come from the engine (``entitlement.RateBook.amount_for`` with ``extra_categories``, and
``RateBook.care_amount``), the same functions ``payouts.build_lists`` uses through ``entitlement_months``. Money is
integer đồng; months are first-of-month ``date`` objects (typed as ``MM/YYYY`` or ``YYYY-MM``). No request objects
here; every write flushes and records an audit event, never commits.
"""
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace

from sqlalchemy import func, select

from ..errors import PortalError, StateError, ValidationError
from ..extensions import db
from ..formatting import money
from ..models import (AdditionalCategory, Beneficiary, CareArrangement, Category, EventStatus, PayoutLine, PayoutList,
                      RegistryEvent, SupportRule)
from ..spreadsheets.dates import parse_month
from .audit import record
from .entitlement import K4_COMBINABLE, Amount, RateBook, age_in_month, in_force
from .entitlement_months import LOOKBACK_MONTHS, History, add_months, describe_months, plan_person
from .identity import PROVINCE_CODES, nfc, parse_national_id
from .registry_events import STATUS_AFTER, accepted_events_by_beneficiary, status_in_month
from .registry_rules import DISABILITY_LEVELS, category_age_problem, check_person_name

#: the SupportRule kind that is not care support (funeral support, Art. 11)
NOT_CARE = ("funeral",)
#: care kind → (category, disability level or None) the cared-for person must hold, as main or further category
#: (Decree 20/2021 Art. 20 khoản 1–4). Kinds the province adds later without an entry here are not checked.
CARE_NEEDS = {
    "foster_child_under_4": ("K1", None), "foster_child_4_to_16": ("K1", None),
    "foster_elderly_k5d": ("K5d", None),
    "disabled_pregnant_or_child": ("K6", None), "disabled_pregnant_and_child": ("K6", None),
    "household_especially_severe": ("K6", "especially_severe"),
    "foster_adult_especially_severe": ("K6", "especially_severe"),
    "foster_child_especially_severe": ("K6", "especially_severe"),
}
#: care kind → conditions on the cared-for person beyond the category (Decree 20/2021 Art. 20; reference §1.5):
#: ``age`` = [from, to) in whole years (``entitlement.age_in_month``; None = open) with its Vietnamese wording,
#: ``sex`` = the gender required (the khoản 2 kinds: a woman with a disability, pregnant or raising a child).
CARE_PERSON = {
    "foster_child_under_4": {"age": (None, 4, "trẻ em dưới 4 tuổi")},
    "foster_child_4_to_16": {"age": (4, 16, "trẻ em từ 4 đến dưới 16 tuổi")},
    "foster_child_especially_severe": {"age": (None, 16, "trẻ em (dưới 16 tuổi)")},
    "foster_adult_especially_severe": {"age": (16, None, "người từ 16 tuổi trở lên")},
    "disabled_pregnant_or_child": {"sex": "female"},
    "disabled_pregnant_and_child": {"sex": "female"},
}
#: kinds paid to the disabled person herself or himself (Art. 20 khoản 2: pregnant or raising a child under 36 months)
SELF_PAID = ("disabled_pregnant_or_child", "disabled_pregnant_and_child")
MAX_CHILDREN = 20
#: how the audit summaries this module writes on the beneficiary begin (``payout_staleness`` counts them as changes
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


# --- reading ------------------------------------------------------------------------------------------------------

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


# --- further categories (Art. 6.2) ----------------------------------------------------------------------------------

def _as_person(b: Beneficiary, code: str, level: str | None, children: int | None):
    return SimpleNamespace(category_code=code, disability_level=level, children_count=children or 1,
                           birth_date=b.birth_date, birth_year=b.birth_year)


def _category_problem(beneficiary: Beneficiary, code: str, level: str | None, children: int | None, month: date,
                      book: RateBook, when: str) -> str | None:
    """Why ``code`` gives the person no rate in ``month`` (age band, then the coefficient rules), or None. ``when``
    names the month in the message ("hưởng từ tháng" / "tháng của danh sách tới")."""
    problem = category_age_problem(code, beneficiary.birth_date, beneficiary.birth_year, month)
    if problem:
        return problem.replace("(hưởng từ tháng)", f"({when})")
    try:
        book.amount_for(_as_person(beneficiary, code, level, children), month)
    except PortalError as err:
        return str(err)
    return None


def clean_category(beneficiary: Beneficiary, data: dict, month: date, book: RateBook | None = None) -> dict:
    """Check a further category for ``beneficiary``. ``data``: ``category_code``, ``disability_level`` (K6 only:
    ``severe`` / ``especially_severe``), ``children_count`` (K4 only: 1–20; ignored otherwise), ``valid_from`` (the
    first month it counts, ``MM/YYYY`` or ``YYYY-MM``; may be before ``month`` — a backdated decision, the next
    list then back-pays the difference for months already listed) and ``decision_number`` (the chairman's decision).
    ``month`` is the month of the next list (first-of-month date).

    Rules: the category exists, differs from the main one and from recorded rows whose months overlap, is still in
    force in ``valid_from``; ``valid_from`` is not before the person's ``start_month`` nor more than
    ``MAX_AHEAD_MONTHS`` after ``month``; the category gives a rate at the person's age in ``valid_from`` and, when
    ``valid_from`` ≤ ``month`` and the category still exists then, in ``month``. Returns the values for
    ``AdditionalCategory`` (``valid_to`` None); raises ``ExtrasInvalid`` (Decree 20/2021 Art. 5, 6)."""
    errors: dict[str, str] = {}
    book = book or RateBook.load()
    code = nfc(data.get("category_code"))
    level = nfc(data.get("disability_level")) or None
    raw_children = nfc(str(data.get("children_count") or ""))
    valid_from = _month(data.get("valid_from"), "Hưởng từ tháng", errors, "valid_from", True)
    latest = add_months(month, MAX_AHEAD_MONTHS)
    if valid_from is not None and valid_from < beneficiary.start_month:
        errors["valid_from"] = (f"Hưởng từ tháng ({valid_from:%m/%Y}) không được trước tháng đối tượng bắt đầu hưởng "
                                f"trợ cấp ({beneficiary.start_month:%m/%Y}).")
    elif valid_from is not None and valid_from > latest:
        errors["valid_from"] = (f"Hưởng từ tháng ({valid_from:%m/%Y}) quá xa: ghi được đến {latest:%m/%Y} "
                                f"({MAX_AHEAD_MONTHS} tháng sau tháng của danh sách tới {month:%m/%Y}).")
    category = db.session.get(Category, code) if code else None
    start = valid_from or month
    if not code:
        errors["category_code"] = "Chọn diện đối tượng khác."
    elif category is None:
        errors["category_code"] = f"Không có diện đối tượng «{code}»."
    elif code == beneficiary.category_code:
        errors["category_code"] = (f"Diện {code} là diện chính của đối tượng; chọn một diện khác (muốn đổi diện chính "
                                   "thì sửa hồ sơ hoặc ghi biến động điều chỉnh).")
    elif category.valid_to is not None and category.valid_to <= start:
        errors["category_code"] = (f"Diện {code} chỉ áp dụng đến hết tháng "
                                   f"{add_months(category.valid_to, -1):%m/%Y}; không ghi thêm được.")
    else:
        same = [r for r in categories_of(beneficiary.id) if r.category_code == code
                and _overlaps(r.valid_from or date.min, r.valid_to, start, None)]
        if same:
            errors["category_code"] = (f"Diện {code} đã được ghi cho đối tượng này ({_months_text(same[0])}); muốn "
                                       "ghi lại thì ghi tháng thôi hưởng cho bản ghi cũ trước.")
    if code == "K6" and level not in DISABILITY_LEVELS:
        errors["disability_level"] = "Diện K6 cần mức độ khuyết tật: nặng hoặc đặc biệt nặng."
    elif code != "K6" and level:
        errors["disability_level"] = "Chỉ diện K6 (người khuyết tật) mới ghi mức độ khuyết tật."
    children = None
    if code == "K4":
        if not raw_children:
            errors["children_count"] = "Diện K4 cần số con đang nuôi (từ 1 đến 20)."
        elif not (raw_children.isascii() and raw_children.isdigit()) or not 1 <= int(raw_children) <= MAX_CHILDREN:
            errors["children_count"] = (f"Số con đang nuôi phải là số nguyên từ 1 đến {MAX_CHILDREN} "
                                        f"(đã nhập: {raw_children}).")
        else:
            children = int(raw_children)
    decision = _decision_number(data, errors, "hưởng diện này")
    if not errors:
        problem = _category_problem(beneficiary, code, level, children, valid_from, book, "hưởng từ tháng")
        if problem is None and valid_from <= month and (category.valid_to is None or month < category.valid_to):
            problem = _category_problem(beneficiary, code, level, children, month, book, "tháng của danh sách tới")
        if problem:
            errors["category_code"] = problem
    if errors:
        raise ExtrasInvalid(errors)
    return {"category_code": code, "disability_level": level if code == "K6" else None, "children_count": children,
            "valid_from": valid_from, "valid_to": None, "decision_number": decision}


def _category_text(row) -> str:
    text = row.category_code
    if row.disability_level:
        text += f" ({DISABILITY_LEVELS.get(row.disability_level, row.disability_level).lower()})"
    if row.category_code == "K4" and row.children_count:
        text += f", nuôi {row.children_count} con"
    return text


def _months_text(row) -> str:
    """"từ 12/2026", "từ 12/2026, thôi từ 03/2027" (``valid_to`` is the first month not counted), or for a row made
    before the months were recorded "mọi tháng" / "thôi từ 03/2027"."""
    text = f"từ {row.valid_from:%m/%Y}" if row.valid_from else ""
    if row.valid_to:
        text += (", " if text else "") + f"thôi từ {row.valid_to:%m/%Y}"
    return text or "mọi tháng (ghi trước khi có tháng hưởng)"


def _category_audit(row) -> dict:
    return {"Diện khác": _category_text(row),
            "Hưởng từ tháng": f"{row.valid_from:%m/%Y}" if row.valid_from else None,
            "Thôi hưởng từ tháng": f"{row.valid_to:%m/%Y}" if row.valid_to else None,
            "Số quyết định": row.decision_number}


def add_category(actor, beneficiary: Beneficiary, data: dict, month: date) -> AdditionalCategory:
    """Record a further category from its ``valid_from`` month (``clean_category`` rules; ``month`` = the next
    list's month); audit on the beneficiary. Refused (``ExtrasInvalid`` key ``status``) while the person is stopped or
    suspended in ``month``. Raises ``ExtrasInvalid``. Flushes."""
    _refuse_inactive(beneficiary, month, "diện hưởng khác")
    values = clean_category(beneficiary, data, month)
    row = AdditionalCategory(beneficiary_id=beneficiary.id, **values)
    db.session.add(row)
    db.session.flush()
    record(actor, "create", "beneficiary", beneficiary.id,
           f"Ghi thêm diện hưởng khác {_category_text(row)} {_months_text(row)} (QĐ {row.decision_number}; chỉ "
           "hưởng mức cao nhất, NĐ 20/2021 Điều 6.2)", after=_category_audit(row))
    return row


def listed_months(beneficiary_id: int, programme: str, since: date | None = None) -> list[date]:
    """Months (from ``since`` on, or all) for which a line of the person in ``programme`` (``tcxh`` / ``care``) is
    already on a payout list (any status), ascending."""
    q = select(PayoutLine.month).where(PayoutLine.beneficiary_id == beneficiary_id, PayoutLine.programme == programme)
    if since is not None:
        q = q.where(PayoutLine.month >= since)
    return sorted(set(db.session.execute(q).scalars()))


def _shown(months: list[date], most: int = 6) -> str:
    text = ", ".join(f"{m:%m/%Y}" for m in months[:most])
    return text + (f" và {len(months) - most} tháng khác" if len(months) > most else "")


def end_category(actor, beneficiary: Beneficiary, row: AdditionalCategory, valid_to_text: str,
                 month: date) -> list[str]:
    """End a further category: ``valid_to_text`` (``MM/YYYY`` or ``YYYY-MM``) is the first month it no longer counts,
    at least one month after ``valid_from`` and at most ``MAX_AHEAD_MONTHS`` after ``month`` (the next list's
    month). Returns Vietnamese warnings: allowance lines already listed for months from then on are not recovered
    automatically. Raises ``ExtrasInvalid`` (key ``valid_to``). Audits; flushes (Decree 20/2021 Art. 6.2, 8.2)."""
    if row.beneficiary_id != beneficiary.id:
        raise ValidationError("Diện này không thuộc đối tượng đang xem.")
    errors: dict[str, str] = {}
    valid_to = _month(valid_to_text, "Thôi hưởng từ tháng", errors, "valid_to", True)
    latest = add_months(month, MAX_AHEAD_MONTHS)
    if valid_to is not None and row.valid_from is not None and valid_to <= row.valid_from:
        errors["valid_to"] = (f"Tháng thôi hưởng ({valid_to:%m/%Y}) phải sau tháng bắt đầu hưởng "
                              f"({row.valid_from:%m/%Y}).")
    elif valid_to is not None and valid_to > latest:
        errors["valid_to"] = (f"Tháng thôi hưởng ({valid_to:%m/%Y}) quá xa: ghi được đến {latest:%m/%Y} "
                              f"({MAX_AHEAD_MONTHS} tháng sau tháng của danh sách tới {month:%m/%Y}).")
    if errors:
        raise ExtrasInvalid(errors)
    before = _category_audit(row)
    old_to = row.valid_to
    row.valid_to = valid_to
    db.session.flush()
    record(actor, "update", "beneficiary", beneficiary.id,
           f"Thôi hưởng diện khác {_category_text(row)} từ tháng {valid_to:%m/%Y}", before=before,
           after=_category_audit(row))
    listed = [m for m in listed_months(beneficiary.id, "tcxh", valid_to) if old_to is None or m < old_to]
    if listed:
        return [f"Đã có dòng trợ cấp trên danh sách chi trả tháng {_shown(listed)} (từ tháng thôi hưởng diện "
                f"{row.category_code}): số đã lập không tự thu hồi; nếu danh sách chưa duyệt, đề nghị huyện lập lại."]
    return []


def remove_category(actor, beneficiary: Beneficiary, row: AdditionalCategory) -> None:
    """Delete a further category entered by mistake — only while it has counted on no list: no allowance line of
    the person (nor back pay on one) for its first month or later, i.e. ``valid_from`` after the last listed month
    (a row without ``valid_from`` counts for every month). Otherwise it can only be ended (``end_category``).
    Raises ``StateError``. Audits on the beneficiary; flushes."""
    if row.beneficiary_id != beneficiary.id:
        raise ValidationError("Diện này không thuộc đối tượng đang xem.")
    listed = listed_months(beneficiary.id, "tcxh", row.valid_from)
    if listed:
        raise StateError(f"Diện {row.category_code} đã được tính khi lập danh sách chi trả (tháng {listed[-1]:%m/%Y}); "
                         "không xóa được. Nếu đối tượng không còn hưởng diện này, ghi «Thôi hưởng từ tháng».")
    before = _category_audit(row)
    text = _category_text(row)
    db.session.delete(row)
    db.session.flush()
    record(actor, "delete", "beneficiary", beneficiary.id, f"Xóa diện hưởng khác {text} (ghi nhầm, chưa chi trả)",
           before=before, after={k: None for k in before})


# --- care support (Art. 20) ---------------------------------------------------------------------------------------

def _decision_number(data: dict, errors: dict, what: str) -> str:
    """The typed decision number (số quyết định, NFC, required, ≤ 60 characters); a problem goes into
    ``errors["decision_number"]`` naming ``what`` the decision is for."""
    decision = nfc(data.get("decision_number"))
    if not decision:
        errors["decision_number"] = f"Chưa nhập số quyết định {what}."
    elif len(decision) > 60:
        errors["decision_number"] = "Số quyết định quá dài (tối đa 60 ký tự)."
    return decision


def _month(raw, label: str, errors: dict, key: str, required: bool) -> date | None:
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


def care_person_problem(beneficiary: Beneficiary, kind: str, month: date, label: str, when: str) -> str | None:
    """Why the person does not meet ``kind``'s own conditions (``CARE_PERSON``: age band, sex) in ``month``, as a
    Vietnamese message naming the condition (``label`` = the kind's label, ``when`` names the month), or None."""
    cond = CARE_PERSON.get(kind, {})
    if cond.get("sex") and beneficiary.gender != cond["sex"]:
        return (f"«{label}» chỉ dành cho phụ nữ khuyết tật (đang mang thai hoặc nuôi con dưới 36 tháng); "
                "đối tượng là nam.")
    if cond.get("age"):
        lo, hi, text = cond["age"]
        age = age_in_month(beneficiary.birth_date, beneficiary.birth_year, month)
        if (lo is not None and age < lo) or (hi is not None and age >= hi):
            return (f"«{label}» chỉ dành cho {text}; đối tượng {age} tuổi trong tháng {month:%m/%Y} ({when}).")
    return None


def care_band_end(beneficiary: Beneficiary, kind: str, month: date) -> date | None:
    """The first month in which the person has left ``kind``'s age band (e.g. the child turns 4: the birthday month,
    ``age_in_month`` counting a birthday from its month), or None when the band has no upper end. ``month`` is
    unused (kept for callers)."""
    cond = CARE_PERSON.get(kind, {})
    hi = cond["age"][1] if cond.get("age") else None
    if hi is None:
        return None
    bd = beneficiary.birth_date or date(beneficiary.birth_year, 1, 1)
    return date(bd.year + hi, bd.month, 1)


def inactive_since(beneficiary: Beneficiary, month: date) -> tuple[str, date | None] | None:
    """``(status, first month)`` when the person is not paid in ``month`` because of their status (``stopped`` — also
    deceased — or ``suspended``, per ``registry_events.status_in_month`` and the accepted events; the month is the
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


def _refuse_inactive(beneficiary: Beneficiary, month: date, what: str) -> None:
    state = inactive_since(beneficiary, month)
    if state is not None:
        raise ExtrasInvalid({"status": f"Đối tượng {inactive_text(state)[0].lower()}{inactive_text(state)[1:]}: "
                                       f"không ghi thêm {what} được (chỉ có thể kết thúc hoặc xóa bản ghi ghi nhầm)."})


def clean_care(beneficiary: Beneficiary, data: dict, month: date | None = None) -> dict:
    """Check a care arrangement for ``beneficiary``. ``data``: ``kind`` (a care ``SupportRule`` kind), ``payee_name``,
    ``payee_national_id`` (12 digits, ``identity.parse_national_id``), ``payee_relationship``, ``valid_from`` and
    optional ``valid_to`` (months ``MM/YYYY`` or ``YYYY-MM``; ``valid_to`` = first month NOT paid, after
    ``valid_from``), ``decision_number`` (the chairman's decision). The kind must fit the person's categories
    (``CARE_NEEDS``); the payee is someone else except for the kinds paid to the disabled person (``SELF_PAID``); the
    same kind may not overlap an existing arrangement. The person must meet the kind's own conditions
    (``CARE_PERSON``: age band, sex) in ``valid_from`` and, when it runs then, in ``month`` (the next list's month,
    default ``valid_from``); a kind whose age band ends before ``valid_to`` (the child turns 4 or 16) gets ``valid_to``
    = the month the person leaves the band, so the engine never pays the old rate past it. Returns the column values;
    raises ``ExtrasInvalid`` (Decree 20/2021 Art. 20)."""
    errors: dict[str, str] = {}
    kinds = care_kinds()
    kind = nfc(data.get("kind"))
    if not kind:
        errors["kind"] = "Chọn loại hỗ trợ chăm sóc."
    elif kind not in kinds:
        errors["kind"] = f"Không có loại hỗ trợ chăm sóc «{kind}» trong bảng mức hỗ trợ."
    else:
        need = CARE_NEEDS.get(kind)
        held = [(beneficiary.category_code, beneficiary.disability_level)] + [
            (r.category_code, r.disability_level) for r in categories_of(beneficiary.id)]
        if need and not any(c == need[0] and (need[1] is None or lvl == need[1]) for c, lvl in held):
            who = f"diện {need[0]}" + (" mức đặc biệt nặng" if need[1] == "especially_severe" else "")
            errors["kind"] = f"«{kinds[kind]}» chỉ dành cho đối tượng {who}; đối tượng này không có diện đó."

    name = nfc(data.get("payee_name"))
    if not name:
        errors["payee_name"] = "Chưa nhập họ tên người nhận hỗ trợ."
    elif len(name) > 120:
        errors["payee_name"] = "Họ tên người nhận quá dài (tối đa 120 ký tự)."
    else:
        try:
            check_person_name(name, "Họ tên người nhận")
        except ValidationError as err:
            errors["payee_name"] = str(err)

    national_id = None
    try:
        national_id = parse_national_id(nfc(data.get("payee_national_id"))).value
    except ValidationError as err:
        errors["payee_national_id"] = str(err).replace("số định danh cá nhân", "số định danh người nhận").replace(
            "Số định danh cá nhân", "Số định danh người nhận")
    else:
        if set(national_id) == {"0"} or not 1 <= int(national_id[:3]) <= max(map(int, PROVINCE_CODES)):
            errors["payee_national_id"] = (f"Số định danh người nhận ({national_id}) không hợp lệ: 3 chữ số đầu "
                                           f"({national_id[:3]}) không thể là mã tỉnh nơi đăng ký khai sinh "
                                           "(001–096).")
            national_id = None
    self_paid = national_id is not None and national_id == beneficiary.national_id
    if self_paid and kind and kind not in SELF_PAID and "kind" not in errors:
        errors["payee_national_id"] = ("Người nhận hỗ trợ chăm sóc là người/hộ chăm sóc, không phải chính đối tượng "
                                       "(số định danh trùng với đối tượng).")

    relationship = nfc(data.get("payee_relationship")) or ("Bản thân" if self_paid else "")
    if not relationship:
        errors["payee_relationship"] = "Ghi quan hệ với đối tượng (ví dụ: con, cháu, người nhận chăm sóc)."
    elif len(relationship) > 60:
        errors["payee_relationship"] = "Quan hệ quá dài (tối đa 60 ký tự)."

    valid_from = _month(data.get("valid_from"), "Hưởng từ tháng", errors, "valid_from", True)
    valid_to = _month(data.get("valid_to"), "Thôi hưởng từ tháng", errors, "valid_to", False)
    if valid_from and valid_to and valid_to <= valid_from:
        errors["valid_to"] = (f"Tháng thôi hưởng ({valid_to:%m/%Y}) phải sau tháng bắt đầu hưởng "
                              f"({valid_from:%m/%Y}).")

    decision = _decision_number(data, errors, "hỗ trợ chăm sóc")

    if not errors:
        problem = care_person_problem(beneficiary, kind, valid_from, kinds[kind], "hưởng từ tháng")
        if problem is None and month is not None and valid_from <= month and (valid_to is None or month < valid_to):
            problem = care_person_problem(beneficiary, kind, month, kinds[kind], "tháng của danh sách tới")
        if problem:
            errors["kind"] = problem
        else:
            band_end = care_band_end(beneficiary, kind, valid_from)
            if band_end is not None and (valid_to is None or band_end < valid_to):
                valid_to = band_end
    if not errors:
        book = RateBook.load()
        if book.support_rule(kind, valid_from) is None:
            errors["valid_from"] = f"Chưa có quy định mức «{kinds[kind]}» áp dụng cho tháng {valid_from:%m/%Y}."
        for other in care_of(beneficiary.id):
            if other.kind == kind and _overlaps(other.valid_from, other.valid_to, valid_from, valid_to):
                until = f" đến trước tháng {other.valid_to:%m/%Y}" if other.valid_to else ""
                errors["valid_from"] = (f"Đã có «{kinds[kind]}» cho đối tượng từ tháng {other.valid_from:%m/%Y}"
                                        f"{until}; kết thúc bản ghi cũ trước khi ghi mới.")
                break
    if errors:
        raise ExtrasInvalid(errors)
    return {"kind": kind, "payee_name": name, "payee_national_id": national_id, "payee_relationship": relationship,
            "valid_from": valid_from, "valid_to": valid_to, "decision_number": decision}


def _overlaps(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    return (b_to is None or a_from < b_to) and (a_to is None or b_from < a_to)


def _period(arr) -> str:
    return f"từ {arr.valid_from:%m/%Y}" + (f", thôi từ {arr.valid_to:%m/%Y}" if arr.valid_to else "")


def _care_audit(arr) -> dict:
    return {"Loại hỗ trợ chăm sóc": care_kinds().get(arr.kind, arr.kind), "Người nhận": arr.payee_name,
            "Số định danh người nhận": arr.payee_national_id, "Quan hệ": arr.payee_relationship,
            "Hưởng từ tháng": f"{arr.valid_from:%m/%Y}",
            "Thôi hưởng từ tháng": f"{arr.valid_to:%m/%Y}" if arr.valid_to else None,
            "Số quyết định": arr.decision_number}


def add_care(actor, beneficiary: Beneficiary, data: dict, month: date | None = None) -> CareArrangement:
    """Record a care arrangement (``clean_care`` rules; ``month`` = the next list's month). Refused (``ExtrasInvalid``
    key ``status``) while the person is stopped or suspended in ``month``. Audits on the beneficiary; flushes."""
    if month is not None:
        _refuse_inactive(beneficiary, month, "hỗ trợ chăm sóc")
    arr = CareArrangement(beneficiary_id=beneficiary.id, **clean_care(beneficiary, data, month))
    db.session.add(arr)
    db.session.flush()
    record(actor, "create", "beneficiary", beneficiary.id,
           f"Ghi hỗ trợ chăm sóc «{care_kinds().get(arr.kind, arr.kind)}» trả cho {arr.payee_name} {_period(arr)} "
           f"(QĐ {arr.decision_number}; NĐ 20/2021 Điều 20)", after=_care_audit(arr))
    return arr


def listed_care_months(beneficiary_id: int, since: date) -> list[date]:
    """Months from ``since`` on for which a care line of the person is already on a payout list (any status)."""
    return listed_months(beneficiary_id, "care", since)


def end_care(actor, beneficiary: Beneficiary, arr: CareArrangement, valid_to_text: str) -> list[str]:
    """End a care arrangement: ``valid_to_text`` (``MM/YYYY`` or ``YYYY-MM``) is the first month no longer paid and
    must be after ``valid_from``. Returns Vietnamese warnings (care lines already listed for months from then on are
    not recovered automatically). Raises ``ExtrasInvalid`` (key ``valid_to``). Audits; flushes."""
    if arr.beneficiary_id != beneficiary.id:
        raise ValidationError("Bản ghi hỗ trợ chăm sóc không thuộc đối tượng đang xem.")
    errors: dict[str, str] = {}
    valid_to = _month(valid_to_text, "Thôi hưởng từ tháng", errors, "valid_to", True)
    if valid_to is not None and valid_to <= arr.valid_from:
        errors["valid_to"] = (f"Tháng thôi hưởng ({valid_to:%m/%Y}) phải sau tháng bắt đầu hưởng "
                              f"({arr.valid_from:%m/%Y}).")
    if errors:
        raise ExtrasInvalid(errors)
    before = {"Thôi hưởng từ tháng": f"{arr.valid_to:%m/%Y}" if arr.valid_to else None}
    arr.valid_to = valid_to
    db.session.flush()
    record(actor, "update", "beneficiary", beneficiary.id,
           f"Kết thúc hỗ trợ chăm sóc «{care_kinds().get(arr.kind, arr.kind)}» trả cho {arr.payee_name}: thôi từ "
           f"tháng {valid_to:%m/%Y}", before=before, after={"Thôi hưởng từ tháng": f"{valid_to:%m/%Y}"})
    listed = listed_care_months(beneficiary.id, valid_to)
    if listed:
        shown = ", ".join(f"{m:%m/%Y}" for m in listed)
        return [f"Đã có dòng hỗ trợ chăm sóc trên danh sách chi trả tháng {shown}: số đã lập không tự thu hồi; "
                "nếu danh sách chưa duyệt, đề nghị huyện lập lại."]
    return []


def remove_care(actor, beneficiary: Beneficiary, arr: CareArrangement) -> None:
    """Delete a care arrangement entered by mistake — only while no care line of the person from its first month is
    on a payout list (otherwise it can only be ended). Raises ``StateError``. Audits; flushes."""
    if arr.beneficiary_id != beneficiary.id:
        raise ValidationError("Bản ghi hỗ trợ chăm sóc không thuộc đối tượng đang xem.")
    if listed_care_months(beneficiary.id, arr.valid_from):
        raise StateError("Hỗ trợ chăm sóc này đã lên danh sách chi trả; không xóa được, chỉ có thể kết thúc "
                         "(ghi tháng thôi hưởng).")
    before = _care_audit(arr)
    label = care_kinds().get(arr.kind, arr.kind)
    db.session.delete(arr)
    db.session.flush()
    record(actor, "delete", "beneficiary", beneficiary.id,
           f"Xóa hỗ trợ chăm sóc «{label}» trả cho {arr.payee_name} (ghi nhầm, chưa chi trả)", before=before,
           after={k: None for k in before})


# --- preview: what the next list pays ------------------------------------------------------------------------------

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
    for row, main in [(beneficiary, True)] + [(r, False) for r in extras]:
        cand = Candidate(row.category_code, _category_text(row), main, row=None if main else row,
                         months="" if main else _months_text(row))
        children = row.children_count if row.category_code == "K4" else None
        if not main and not in_force(row, month):
            cand.problem = (f"chưa hưởng (từ {row.valid_from:%m/%Y})" if row.valid_from and month < row.valid_from
                            else f"đã thôi hưởng (từ {row.valid_to:%m/%Y})")
        else:
            try:
                a = book.amount_for(_as_person(beneficiary, row.category_code, row.disability_level,
                                               children or (beneficiary.children_count if main else None)), month)
                cand.amount, cand.rule = a.amount, a.rule
            except PortalError as err:
                cand.problem = str(err)
        p.candidates.append(cand)
    try:
        p.amount = book.amount_for(beneficiary, month, extras)
    except PortalError as err:
        p.problem = str(err)
    head = f"Tháng {month:%m/%Y}: "
    if p.amount is None:
        p.line = head + "không có mức trợ cấp — " + (p.problem or "")
    else:
        paid = p.amount.amount + p.amount.top_up
        p.line = head + f"{money(paid)} đ"
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
        if why:
            p.line += f" ({why})"
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
    try:
        lines = [l for l in plan_next_list(beneficiary, month, book, extras, care).lines if l.entries]
    except PortalError:  # the preview never fails the page
        lines = []
    entries = [e for line in lines for e in line.entries]
    parts = []
    for line in lines:  # the allowance (to the person) and the care support (to the carer) are separate payments
        text = describe_months(line.entries)
        if line.programme == "care":
            who = (line.payee or {}).get("name")
            parts.append("Hỗ trợ chăm sóc: " + text + (f" — trả cho {who}" if who else ""))
        elif line.programme == "tcxh" and any(l.programme == "care" for l in lines):
            parts.append("Trợ cấp: " + text + f" — trả cho {beneficiary.full_name}")
        else:
            parts.append(text)
    p.back_pay_lines = parts
    if entries:
        p.back_pay_line = "Kèm theo ở lần lập danh sách tới: " + "; ".join(parts)
        legacy = [r.category_code for r in extras if r.valid_from is None and in_force(r, month)]
        if legacy and any(e["kind"] in ("rate_change", "gap") for e in entries):
            p.notes.append(f"Diện {', '.join(legacy)} ghi trước khi có tháng hưởng nên được tính cho mọi tháng, kể cả "
                           "các tháng đã lập danh sách (truy lĩnh chênh lệch). Nếu đối tượng chỉ đủ điều kiện từ một "
                           "tháng, ghi «Thôi hưởng từ tháng» cho diện đó và ghi lại kèm tháng hưởng, hoặc báo huyện "
                           "trước khi lập danh sách.")
    for a in care:  # the engine pays the kind's rate while the row runs: warn when the age band ends first
        if a.valid_to is None or month < a.valid_to:
            end = care_band_end(beneficiary, a.kind, month)
            if end is not None and end > a.valid_from and (a.valid_to is None or end < a.valid_to):
                p.notes.append(f"«{care_kinds().get(a.kind, a.kind)}»: từ tháng {end:%m/%Y} đối tượng ra khỏi độ tuổi "
                               "của loại hỗ trợ này — ghi «Thôi hưởng từ tháng» đó và ghi loại phù hợp.")
    if state is None and beneficiary.start_month > month:
        p.notes.append(f"Đối tượng hưởng từ tháng {beneficiary.start_month:%m/%Y}.")
    return p


def plan_next_list(beneficiary: Beneficiary, month: date, book: RateBook | None = None, extras=None, care=None):
    """``entitlement_months.plan_person`` for one person and ``month``, fed as ``payouts.build_lists`` feeds it (the
    person's accepted events, further categories, care arrangements, earlier lines of the look-back window, the
    commune's first portal list) — so the page shows the back pay (truy lĩnh) and recoveries the next build adds.
    Unpaid carry-over (``payout_cycle.unpaid_carry_over``) is not included. Returns a ``PersonPlan``."""
    book = book or RateBook.load()
    extras = categories_of(beneficiary.id) if extras is None else extras
    care = care_of(beneficiary.id) if care is None else care
    events = list(db.session.execute(select(RegistryEvent).where(
        RegistryEvent.beneficiary_id == beneficiary.id,
        RegistryEvent.status == EventStatus.ACCEPTED.value)).scalars())
    tcxh, care_history, funeral_paid = History(), History(), False
    for m, programme, regular, top_up, care_amt, level, entries, res, funeral, coef in db.session.execute(select(
            PayoutLine.month, PayoutLine.programme, PayoutLine.regular_amount, PayoutLine.top_up,
            PayoutLine.care_support, PayoutLine.standard_level, PayoutLine.back_pay_months, PayoutLine.result,
            PayoutLine.funeral_support, PayoutLine.coefficient).where(
            PayoutLine.beneficiary_id == beneficiary.id, PayoutLine.month < month)):
        if programme == "funeral" and funeral:
            funeral_paid = True
        elif m < add_months(month, -LOOKBACK_MONTHS):
            continue
        elif programme == "tcxh":
            tcxh.add_line(m, (regular or 0) + (top_up or 0), level, entries, res, coef)
        elif programme == "care":
            care_history.add_line(m, care_amt or 0, level, entries, res)
    history_start = db.session.execute(select(func.min(PayoutList.month)).where(
        PayoutList.commune_code == beneficiary.commune_code)).scalar()
    return plan_person(book, beneficiary, month, events=events, extra_categories=extras, care=care,
                       tcxh=tcxh if tcxh.any_line else None,
                       care_history=care_history if care_history.any_line else None, funeral_paid=funeral_paid,
                       history_start=history_start)
