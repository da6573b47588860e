"""The register of beneficiaries (sổ đối tượng bảo trợ xã hội, Decree 20/2021 Art. 5): create, update and search.
Used by the commune's forms; the spreadsheet import (``imports.beneficiaries``) applies the same rules
(``registry.checks``): NFC names with a folded search key and a Vietnamese sort key, a 12-digit personal ID
unique in the province, a known category, a start month, and a payment channel with a reason for cash at home."""
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ...clock import today_vn
from ...errors import PortalError
from ...extensions import db
from ...formatting import money
from ...models import AdditionalCategory, Beneficiary
from ...models.registry import FIELD_LABELS
from ..audit import record
from ..entitlement.pension import (
    PENSION_ONLY_CATEGORY,
    TRANSFERRED_CATEGORIES,
    age_ground,
    allowance,
    decided_by,
    first_pension_month,
    replaced_since,
)
from ..entitlement.rates import SOCIAL_PENSION, Amount, RateBook, age_in_month
from .checks import check_beneficiary, clean_beneficiary
from .fields import FIELDS, Checked, audit_snapshot
from .hamlets import find_hamlet
from .identity import fold, name_sort_key, nfc


def apply_values(beneficiary: Beneficiary, values: dict) -> None:
    """Set validated ``values`` on ``beneficiary`` with the derived search key (name_fold), sort key (name_sort) and
    the link to the commune's hamlet list (hamlet_id, from the hamlet's name)."""
    for key, value in values.items():
        setattr(beneficiary, key, value)
    beneficiary.name_fold = fold(beneficiary.full_name)
    beneficiary.name_sort = name_sort_key(beneficiary.full_name)
    if "hamlet" in values:  # the link to the commune's list follows the name (unique per commune, folded)
        beneficiary.hamlet_id = getattr(find_hamlet(beneficiary.commune_code, beneficiary.hamlet), "id", None)


def new_row(commune_code: str, values: dict) -> dict:
    """The table row (column → value) of a new active beneficiary of ``commune_code`` from validated ``values``,
    with the same derived columns as ``apply_values`` (name_fold, name_sort, hamlet_id): for writing many at once
    (``bulk.insert_rows``, the spreadsheet import)."""
    return values | {"commune_code": commune_code, "status": "active", "name_fold": fold(values["full_name"]),
                     "name_sort": name_sort_key(values["full_name"]),
                     "hamlet_id": getattr(find_hamlet(commune_code, values.get("hamlet")), "id", None)}


def current_values(beneficiary: Beneficiary) -> dict:
    """The ``FIELDS`` of a beneficiary as a dict (to compare with cleaned values)."""
    return {k: getattr(beneficiary, k) for k in FIELDS}


def check_intake(commune_code: str, data: dict, current: Beneficiary | None = None) -> Checked:
    """The intake form's checks (``check_beneficiary`` with ``strict=True``) without saving anything: for the inline
    per-field checks (htmx). ``current`` is the record being edited, or None. Never raises for bad input. When the
    category, birth and start month are valid, ``info["category_code"]`` names the sub-case (Art. 6 age band /
    disability level) and its coefficient in the start month, e.g. "Trường hợp: Người cao tuổi khuyết tật nặng —
    hệ số 2,0 (tháng 07/2024)."."""
    checked = check_beneficiary(data, commune_code, current=current, strict=True)
    v = checked.values
    if v.get("category_code") and v.get("start_month") and "birth_year" in v and not (
            {"category_code", "disability_level", "birth", "start_month"} & set(checked.errors)):
        age = age_in_month(v.get("birth_date"), v["birth_year"], v["start_month"])
        try:
            rule = RateBook.load().coefficient_rule(v["category_code"], v.get("disability_level"), age,
                                                    v["start_month"])
        except PortalError:
            return checked
        shown = f"{rule.coefficient:.1f}".replace(".", ",")
        checked.info["category_code"] = [f"Trường hợp: {rule.label} — hệ số {shown}"
                                         f"{' mỗi con' if rule.per_child else ''} (tháng {v['start_month']:%m/%Y})."]
    return checked


def create_beneficiary(actor, commune_code: str, data: dict) -> tuple[Beneficiary, list[str]]:
    """Register a new beneficiary of ``commune_code`` from raw form ``data`` (see ``check_beneficiary``; the
    intake form's strict rules), with an audit event; an override reason given for soft ID warnings or a category
    outside its age band is stored and shown in the event. Returns (beneficiary, warnings) — the warnings include
    ``rate_warnings``. Raises ``BeneficiaryInvalid``. Flushes, never commits."""
    cleaned = clean_beneficiary(data, commune_code, strict=True)
    beneficiary = Beneficiary(commune_code=commune_code, status="active")
    apply_values(beneficiary, cleaned.values)
    db.session.add(beneficiary)
    db.session.flush()
    record(actor, "create", "beneficiary", beneficiary.id, f"Thêm đối tượng {beneficiary.full_name}",
           after=audit_snapshot(cleaned.values, skip_empty=True))
    return beneficiary, cleaned.warnings + rate_warnings(beneficiary)


def update_beneficiary(actor, beneficiary: Beneficiary, data: dict) -> tuple[Beneficiary, list[str]]:
    """Change a beneficiary from raw ``data`` (all fields, as ``clean_beneficiary``); records the changed fields
    (before/after) in the audit trail. No event when nothing changed. Returns (beneficiary, warnings, with
    ``rate_warnings``). Raises ``BeneficiaryInvalid``. Flushes, never commits."""
    cleaned = clean_beneficiary(data, beneficiary.commune_code, current=beneficiary, strict=True)
    before = current_values(beneficiary)
    changed = {k: v for k, v in cleaned.values.items() if before.get(k) != v}
    if changed:
        apply_values(beneficiary, cleaned.values)
        db.session.flush()
        labels = ", ".join(FIELD_LABELS[k] for k in changed if k != "birth_year") or FIELD_LABELS["birth_year"]
        record(actor, "update", "beneficiary", beneficiary.id, f"Sửa thông tin đối tượng: {labels}",
               before=audit_snapshot({k: before[k] for k in changed}), after=audit_snapshot(changed))
    return beneficiary, cleaned.warnings + rate_warnings(beneficiary)


def rate_warnings(beneficiary: Beneficiary, today: date | None = None) -> list[str]:
    """Warnings (cảnh báo, not errors) when no allowance can be computed for ``beneficiary`` in its start month or
    in the current month (month of ``today``, default today; skipped while the start month is still ahead), e.g.
    K5c "80 tuổi trở lên" born 1950, or K1 at 30 (Decree 20/2021 Art. 5, 6): "Không tính được mức trợ cấp tháng
    MM/YYYY: <reason>". Such a person is left out when payout lists are built, so the clerk is told on saving.
    The month's amount is the one the import and the payout build compute (``entitlement.pension.allowance``: the
    higher of social assistance and the social pension). For K5b / K5c, whose points of Decree 20/2021 Art. 5.5
    ended when the social pension began (1/7/2025, Decree 176/2025): in a month from then the social pension pays,
    one notice that it does and how much; in a month from then nothing pays, why (``not_paid_reason``)."""
    book = RateBook.load()
    current = (today or today_vn()).replace(day=1)
    began = first_pension_month(book)
    code = beneficiary.category_code
    warnings = []
    for month in sorted({beneficiary.start_month, max(current, beneficiary.start_month)}):
        replaced = began is not None and month >= began and code in TRANSFERRED_CATEGORIES
        try:
            amount = allowance(book, beneficiary, month)
        except PortalError as err:
            why = _why_not_paid(book, beneficiary, month)
            warnings.append(f"Tháng {month:%m/%Y}: {why[:1].lower()}{why[1:]}" if why else
                            f"Không tính được mức trợ cấp tháng {month:%m/%Y}: {err}")
            continue
        if replaced and amount.programme == SOCIAL_PENSION:
            warnings.append(f"Từ tháng {began:%m/%Y} người này hưởng trợ cấp hưu trí xã hội (Nghị định 176/2025/NĐ-CP) "
                            f"thay cho diện {code} đã hết hiệu lực từ {began:%d/%m/%Y}, không cần tờ khai mới: tháng "
                            f"{month:%m/%Y} được chi {money(amount.total)} đ.")
    return warnings


def not_paid_reason(book: RateBook, beneficiary: Beneficiary, month: date, err: PortalError) -> str:
    """Why neither programme pays ``beneficiary`` in ``month`` (Vietnamese, one sentence), given the engine's
    refusal ``err`` (``entitlement.pension.allowance``): for K5b / K5c from the month the social pension replaced
    them (``pension.replaced_since``; Decree 176/2025) the category's end and why the pension does not pay either
    — never the "no coefficient" of a category that no longer exists; for HTXH without a decision covering the
    month (``pension.decided_by``), the request to register; otherwise ``str(err)``."""
    return _why_not_paid(book, beneficiary, month) or str(err)


def _why_not_paid(book: RateBook, beneficiary: Beneficiary, month: date) -> str | None:
    """``not_paid_reason`` for the two cases the social pension explains, else None."""
    code = beneficiary.category_code
    began = replaced_since(book, code, month)
    if began is not None:
        return (f"Diện {code} đã hết hiệu lực từ {began:%d/%m/%Y} (thay bằng trợ cấp hưu trí xã hội, Nghị định "
                f"176/2025/NĐ-CP) và người này không đủ điều kiện hưởng trợ cấp hưu trí xã hội "
                f"({_why_no_pension(book, beneficiary, month)}): không được chi.")
    if code == PENSION_ONLY_CATEGORY and not decided_by(beneficiary, month):
        return ("Chưa được chi — trợ cấp hưu trí xã hội chỉ chi từ tháng ghi trong quyết định hưởng của Chủ tịch "
                "UBND cấp xã (Nghị định 176/2025/NĐ-CP): hãy tiếp nhận tờ khai Mẫu 01 của người này ở mục «Hưu trí "
                "xã hội» để trình quyết định.")
    return None


def _why_no_pension(book: RateBook, beneficiary: Beneficiary, month: date) -> str:
    """Why the social pension does not pay a K5b / K5c person in ``month`` (Vietnamese, for ``rate_warnings``)."""
    if beneficiary.receives_pension:
        return "đang có lương hưu hoặc trợ cấp BHXH hằng tháng"
    if age_ground(beneficiary, month) is None:
        return "chưa đủ 75 tuổi, hoặc từ đủ 70 tuổi nhưng không thuộc hộ nghèo, cận nghèo"
    return "hưởng từ sau khi diện này hết hiệu lực: cần tờ khai và quyết định hưởng trợ cấp hưu trí xã hội"


def month_allowance(beneficiary: Beneficiary, month: date, book: RateBook | None = None
                    ) -> tuple[Amount | None, str | None]:
    """(Amount, None) the person is paid in ``month`` under the programme that pays (``entitlement.pension.allowance``,
    further categories in force counted; ``Amount.programme`` names it), or (None, Vietnamese reason) when neither
    programme pays (``not_paid_reason``). ``book`` defaults to ``RateBook.load()``."""
    book = book or RateBook.load()
    try:
        return allowance(book, beneficiary, month, extras_in_month(beneficiary, month)), None
    except PortalError as err:
        return None, not_paid_reason(book, beneficiary, month, err)


def form_data(beneficiary: Beneficiary) -> dict:
    """A beneficiary as raw form data (the inverse of ``clean_beneficiary``): dates as dd/mm/yyyy, the start
    month as MM/YYYY, the birth as a date or year only."""
    data = {k: getattr(beneficiary, k) for k in FIELDS if k not in ("birth_date", "birth_year")}
    data["birth"] = beneficiary.birth_display
    for key in ("start_month", "disability_certified_month"):
        data[key] = getattr(beneficiary, key).strftime("%m/%Y") if getattr(beneficiary, key) else ""
    data["decision_date"] = beneficiary.decision_date.strftime("%d/%m/%Y") if beneficiary.decision_date else ""
    data["hamlet_id"] = beneficiary.hamlet_id or getattr(find_hamlet(beneficiary.commune_code, beneficiary.hamlet),
                                                         "id", None)
    return {k: ("" if v is None else v) for k, v in data.items()}


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_beneficiaries(stmt, q: str | None, page: int = 1, page_size: int = 20) -> tuple[list[Beneficiary], int]:
    """Search within ``stmt`` (a ``select(Beneficiary)`` from ``areas.visible``) and return one page.

    ``q``: digits (spaces, dots, dashes and brackets ignored; at least 3; a leading +84/84 of a phone read as 0)
    match the personal ID, the old CMND number or the phone number anywhere in it; any other text matches the name
    word by word, with or without diacritics and whatever the tone placement (each folded word of ``q`` must occur
    in ``name_fold``), so "huynh tai" finds "Huỳnh Thanh Tài" and "thuý" finds "Thúy". Ordered by the Vietnamese
    name sort key (``identity.name_sort_key``: given name first, Vietnamese letter and tone order), then id —
    the same on SQLite and PostgreSQL since the key is ASCII digits. ``page`` is 1-based. Returns (rows, total)."""
    text = nfc(q)
    digits = "".join(ch for ch in text if ch not in " .-()")
    if digits.startswith("+84") or (digits.startswith("84") and len(digits) >= 11):
        digits = "0" + digits[3 if digits.startswith("+") else 2:].lstrip("0")
    if text and digits.isascii() and digits.isdigit() and len(digits) >= 3:
        pattern = f"%{_like_escape(digits)}%"
        stmt = stmt.where(or_(Beneficiary.national_id.like(pattern, escape="\\"),
                              Beneficiary.legacy_id_number.like(pattern, escape="\\"),
                              Beneficiary.phone.like(pattern, escape="\\")))
    elif text:
        for word in fold(text).split()[:6]:
            stmt = stmt.where(Beneficiary.name_fold.like(f"%{_like_escape(word)}%", escape="\\"))
    total = db.session.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
    page = max(1, page)
    rows = db.session.execute(stmt.options(selectinload(Beneficiary.accounts))
                              .order_by(Beneficiary.name_sort, Beneficiary.id)
                              .limit(page_size).offset((page - 1) * page_size)).scalars().all()
    return list(rows), total


def refresh_name_keys(batch: int = 1000) -> int:
    """Recompute ``name_fold`` and ``name_sort`` of every beneficiary (after a change of ``identity.fold`` or
    ``identity.name_sort_key``, e.g. the 2026 tone order ngang < huyền < hỏi < ngã < sắc < nặng). Returns how many
    rows changed. For a migration or the CLI; flushes, never commits."""
    changed = 0
    last = 0
    while True:
        rows = db.session.execute(select(Beneficiary).where(Beneficiary.id > last).order_by(Beneficiary.id)
                                  .limit(batch)).scalars().all()
        if not rows:
            return changed
        for b in rows:
            keys = (fold(b.full_name), name_sort_key(b.full_name))
            if (b.name_fold, b.name_sort) != keys:
                b.name_fold, b.name_sort = keys
                changed += 1
        last = rows[-1].id
        db.session.flush()


def amount_in_month(beneficiary: Beneficiary, month: date):
    """The portal's allowance for ``beneficiary`` in ``month`` (first-of-month date) as (``entitlement.Amount``,
    None), or (None, Vietnamese reason) when no rate applies (Decree 20/2021 Art. 4, 6). Counts the person's further
    categories (``AdditionalCategory``) in force that month, as the payout build does (Art. 6.2). Social assistance
    only: ``month_allowance`` adds the social pension (higher-of)."""
    try:
        return RateBook.load().amount_for(beneficiary, month, extras_in_month(beneficiary, month)), None
    except PortalError as err:
        return None, str(err)


def extras_in_month(beneficiary: Beneficiary, month: date) -> list[AdditionalCategory]:
    """The person's further categories (``AdditionalCategory``) in force in ``month`` (first-of-month date)."""
    return db.session.execute(select(AdditionalCategory).where(
        AdditionalCategory.beneficiary_id == beneficiary.id,
        or_(AdditionalCategory.valid_from.is_(None), AdditionalCategory.valid_from <= month),
        or_(AdditionalCategory.valid_to.is_(None), AdditionalCategory.valid_to > month))).scalars().all()
