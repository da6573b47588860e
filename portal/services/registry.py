"""The register of beneficiaries (sổ đối tượng bảo trợ xã hội, Decree 20/2021 Art. 5): create, update and search.
Used by the commune's forms; the spreadsheet import (``services.imports``) applies the same rules
(``services.registry_rules``): NFC names with a folded search key and a Vietnamese sort key, a 12-digit personal ID
unique in the province, a known category, a start month, and a payment channel with a reason for cash at home."""
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..errors import PortalError
from ..extensions import db
from ..models import Beneficiary
from .audit import record
from .entitlement import RateBook
from .identity import fold, name_sort_key, nfc
from .registry_rules import (  # noqa: F401
    DISABILITY_LEVELS,
    FIELD_LABELS,
    FIELDS,
    GENDERS,
    BeneficiaryInvalid,
    Cleaned,
    audit_snapshot,
    clean_beneficiary,
    display_value,
)


def apply_values(beneficiary: Beneficiary, values: dict) -> None:
    """Set validated ``values`` on ``beneficiary`` with the derived search key (name_fold) and sort key."""
    for key, value in values.items():
        setattr(beneficiary, key, value)
    beneficiary.name_fold = fold(beneficiary.full_name)
    beneficiary.name_sort = name_sort_key(beneficiary.full_name)


def current_values(beneficiary: Beneficiary) -> dict:
    """The ``FIELDS`` of a beneficiary as a dict (to compare with cleaned values)."""
    return {k: getattr(beneficiary, k) for k in FIELDS}


def create_beneficiary(actor, commune_code: str, data: dict) -> tuple[Beneficiary, list[str]]:
    """Register a new beneficiary of ``commune_code`` from raw ``data`` (see ``clean_beneficiary``), with an audit
    event. Returns (beneficiary, warnings) — the warnings include ``rate_warnings``. Raises ``BeneficiaryInvalid``.
    Flushes, never commits."""
    cleaned = clean_beneficiary(data, commune_code)
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
    cleaned = clean_beneficiary(data, beneficiary.commune_code, current=beneficiary)
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
    MM/YYYY: <reason>". Such a person is left out when payout lists are built, so the clerk is told on saving."""
    book = RateBook.load()
    current = (today or date.today()).replace(day=1)
    warnings = []
    for month in sorted({beneficiary.start_month, max(current, beneficiary.start_month)}):
        try:
            book.amount_for(beneficiary, month)
        except PortalError as err:
            warnings.append(f"Không tính được mức trợ cấp tháng {month:%m/%Y}: {err}")
    return warnings


def form_data(beneficiary: Beneficiary) -> dict:
    """A beneficiary as raw form data (the inverse of ``clean_beneficiary``): dates as dd/mm/yyyy, the start
    month as MM/YYYY, the birth as a date or year only."""
    data = {k: getattr(beneficiary, k) for k in FIELDS if k not in ("birth_date", "birth_year")}
    data["birth"] = beneficiary.birth_display
    data["start_month"] = beneficiary.start_month.strftime("%m/%Y") if beneficiary.start_month else ""
    data["decision_date"] = beneficiary.decision_date.strftime("%d/%m/%Y") if beneficiary.decision_date else ""
    return {k: ("" if v is None else v) for k, v in data.items()}


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_beneficiaries(stmt, q: str | None, page: int = 1, page_size: int = 20) -> tuple[list[Beneficiary], int]:
    """Search within ``stmt`` (a ``select(Beneficiary)`` from ``access.visible``) and return one page.

    ``q``: digits (spaces/dots ignored, at least 3) match the personal ID or the phone number anywhere in it; any
    other text matches the name with or without diacritics (``fold(q)`` against ``name_fold``, so
    "huynh thanh tai" finds "Huỳnh Thanh Tài"). Ordered by the Vietnamese name sort key, then id.
    ``page`` is 1-based. Returns (rows, total matching)."""
    text = nfc(q)
    digits = "".join(ch for ch in text if ch not in " .-")
    if text and digits.isdigit() and len(digits) >= 3:
        pattern = f"%{_like_escape(digits)}%"
        stmt = stmt.where(or_(Beneficiary.national_id.like(pattern, escape="\\"),
                              Beneficiary.phone.like(pattern, escape="\\")))
    elif text:
        stmt = stmt.where(Beneficiary.name_fold.like(f"%{_like_escape(fold(text))}%", escape="\\"))
    total = db.session.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
    page = max(1, page)
    rows = db.session.execute(stmt.options(selectinload(Beneficiary.accounts))
                              .order_by(Beneficiary.name_sort, Beneficiary.id)
                              .limit(page_size).offset((page - 1) * page_size)).scalars().all()
    return list(rows), total


def amount_in_month(beneficiary: Beneficiary, month: date):
    """The portal's allowance for ``beneficiary`` in ``month`` (first-of-month date) as (``entitlement.Amount``,
    None), or (None, Vietnamese reason) when no rate applies (Decree 20/2021 Art. 4, 6)."""
    try:
        return RateBook.load().amount_for(beneficiary, month), None
    except PortalError as err:
        return None, str(err)
