"""Jinja filters in Vietnamese conventions (reference §6): money ``1.234.567``, dates ``dd/mm/yyyy``, months
``MM/YYYY``, coefficients ``1,5`` and masked CCCD."""
from datetime import date, datetime
from decimal import Decimal


def money(amount) -> str:
    """Integer đồng with "." thousands separators: 1234567 → "1.234.567"; None → ""."""
    if amount is None:
        return ""
    return f"{int(amount):,}".replace(",", ".")


def date_vn(value) -> str:
    """date/datetime → "dd/mm/yyyy"; None → ""."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return value.strftime("%d/%m/%Y")


def datetime_vn(value) -> str:
    """datetime → "dd/mm/yyyy HH:MM" in Vietnam time (UTC+7)."""
    if value is None:
        return ""
    from datetime import timedelta, timezone
    vn = timezone(timedelta(hours=7))
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(vn).strftime("%d/%m/%Y %H:%M")


def month_vn(value) -> str:
    """First-of-month date or "YYYY-MM" → "MM/YYYY"."""
    if value is None:
        return ""
    if isinstance(value, str):
        year, month = value.split("-")[:2]
        return f"{int(month):02d}/{year}"
    return value.strftime("%m/%Y")


def coefficient(value) -> str:
    """Decimal coefficient with a decimal comma and no trailing zeros: Decimal("1.50") → "1,5"."""
    if value is None:
        return ""
    d = Decimal(value).normalize()
    text = format(d, "f")
    return text.replace(".", ",")


def masked_id(value: str | None) -> str:
    """Show only the last 4 digits of a CCCD: "089077105153" → "********5153"."""
    if not value:
        return ""
    return "*" * (len(value) - 4) + value[-4:]


def month_str(value: date) -> str:
    """First-of-month date → "YYYY-MM" (the URL and CLI form of a month)."""
    return value.strftime("%Y-%m")


FILTERS = {
    "money": money, "date_vn": date_vn, "datetime_vn": datetime_vn, "month_vn": month_vn,
    "coefficient": coefficient, "masked_id": masked_id, "month_str": month_str,
}
