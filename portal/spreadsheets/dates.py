"""Typed reading of birth-date, month and date cells (ngày sinh, tháng, ngày).

Owns ``BirthDate``, ``parse_birth_date``, ``parse_month`` and ``parse_date``, with the Excel date traps:
day-first Vietnamese text dates, a month above 12 rejected rather than guessed (swapped day/month), a bare year
typed into a date-formatted cell (1950 shown as 03/05/1905; also in the Mac 1904 date system), small numbers
never read as date serials, years limited to ``MIN_YEAR``–``MAX_YEAR``. Errors are ``ValidationError`` with a
Vietnamese message; empty cells give ``None``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from portal.errors import ValidationError

from .cells import shown_value, text_cell
from .text import strip_marks

__all__ = ["MAX_YEAR", "MIN_YEAR", "BirthDate", "parse_birth_date", "parse_date", "parse_month"]


MIN_YEAR = 1900
MAX_YEAR = 2100

_EPOCH_1900 = date(1899, 12, 30)  # serial 0 in the 1900 date system (valid for serials >= 61)
_EPOCH_1904 = date(1904, 1, 1)


@dataclass(frozen=True)
class BirthDate:
    """A birth date as known: ``day`` (full date) or only the ``year``.

    ``year_only`` is its own state (not 1 January): ``day is None`` exactly when ``year_only``.
    ``year_from_serial`` is True when the cell was a date in 1905 that is really a year typed into a date
    formatted cell (Excel shows 1950 as 03/05/1905): show it to the clerk as a warning.
    """

    day: date | None
    year: int
    year_only: bool
    year_from_serial: bool = False

    @property
    def display(self) -> str:
        """"05/03/1950" or "1950"."""
        return str(self.year) if self.day is None else self.day.strftime("%d/%m/%Y")


_DMY_RE = re.compile(
    r"^(\d{1,2})\s*([/\-.])\s*(\d{1,2})\s*\2\s*(\d{1,4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_YMD_RE = re.compile(r"^(\d{4})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_MY_RE = re.compile(r"^(\d{1,2})\s*[/\-.]\s*(\d{1,4})$")
_YM_RE = re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})$")


def _serial(d: date, epoch_1904: bool) -> int:
    return (d - (_EPOCH_1904 if epoch_1904 else _EPOCH_1900)).days


def _as_date(v: datetime | date) -> date:
    return v.date() if isinstance(v, datetime) else v


def _text_dmy(text: str, label: str, *, allow_zero: bool) -> tuple[int, int, int] | None:
    """(day, month, year) from a dd/mm/yyyy or yyyy-mm-dd text, validated; None if the text has another shape."""
    m = _DMY_RE.match(text)
    if m:
        day, month, year = int(m.group(1)), int(m.group(3)), m.group(4)
    else:
        m = _YMD_RE.match(text)
        if not m:
            return None
        year, month, day = m.group(1), int(m.group(3)), int(m.group(4))
    if len(year) != 4:
        raise ValidationError(f"{label} không hợp lệ: “{text}” (năm phải đủ 4 chữ số).")
    year = int(year)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(f"{label} không hợp lệ: “{text}” (năm {year} ngoài khoảng {MIN_YEAR}–{MAX_YEAR}).")
    if month > 12:
        raise ValidationError(
            f"{label} không hợp lệ: “{text}” (không có tháng {month}; có thể ngày và tháng bị đảo — "
            "cần ghi theo dạng ngày/tháng/năm)."
        )
    if allow_zero and (day == 0 or month == 0):
        return day, month, year
    try:
        date(year, month, day)
    except ValueError:
        raise ValidationError(f"{label} không hợp lệ: “{text}” (không có ngày này).") from None
    return day, month, year


def parse_birth_date(v: Any, *, epoch_1904: bool = False) -> BirthDate | None:
    """Parse a birth-date cell; ``None`` for an empty cell.

    Accepted shapes (pitfalls §2):

    * a date cell (``datetime``/``date``) → full date; **except** the Excel trap: a date whose serial number
      (days since 1899-12-30; since 1904-01-01 when ``epoch_1904``, i.e. ``wb.epoch`` is the Mac 1904 system) is
      between 1900 and 2100 is a bare year typed into a date-formatted cell (1950 shows as 03/05/1905) →
      ``BirthDate(None, 1950, year_only=True, year_from_serial=True)``. A date cell with a smaller serial
      (before 1905-03-14) is a small number shown as a date → rejected;
    * text ``dd/mm/yyyy`` — also ``d/m/yyyy``, ``dd-mm-yyyy``, ``dd.mm.yyyy``, an optional ``00:00:00`` time —
      read day first (Vietnamese convention), and ``yyyy-mm-dd``; ``00/00/1950`` (day or month 0) and
      ``03/1950`` (month/year) → year only (the month is not kept);
    * a bare year: int/integral float or text of 4 digits within 1900–2100 → year only.

    Raises ``ValidationError("Ngày sinh không hợp lệ: …")`` for anything else: a month above 12 (e.g. an
    English-Excel ``03/25/1950``: day and month possibly swapped — rejected, not guessed), an impossible date,
    a 2-digit year, a year outside 1900–2100, a number that is not a plausible year (small numbers are never
    taken as date serials), a fraction, a bool, an Excel error value.
    """
    label = "Ngày sinh"
    if v is None:
        return None
    if isinstance(v, bool):
        raise ValidationError(f"{label} không hợp lệ: {v}.")
    if isinstance(v, (datetime, date)):
        return _birth_from_date_cell(_as_date(v), epoch_1904, label)
    if isinstance(v, (int, float)):
        return _birth_from_number(v, label)
    text = text_cell(v, label)
    if text is None:
        return None
    if re.fullmatch(r"\d{4}", text):
        year = int(text)
        if MIN_YEAR <= year <= MAX_YEAR:
            return BirthDate(None, year, True)
        raise ValidationError(f"{label} không hợp lệ: “{text}” (năm ngoài khoảng {MIN_YEAR}–{MAX_YEAR}).")
    m = re.fullmatch(r"(\d{1,2})\s*[/\-.]\s*(\d{4})", text)  # "03/1950": month and year only
    if m and 1 <= int(m.group(1)) <= 12 and MIN_YEAR <= int(m.group(2)) <= MAX_YEAR:
        return BirthDate(None, int(m.group(2)), True)
    parts = _text_dmy(text, label, allow_zero=True)
    if parts is None:
        raise ValidationError(f"{label} không hợp lệ: “{text}” (cần dạng ngày/tháng/năm, ví dụ 05/03/1950, hoặc năm).")
    day, month, year = parts
    if day == 0 or month == 0:
        return BirthDate(None, year, True)
    return BirthDate(date(year, month, day), year, False)


def _birth_from_date_cell(d: date, epoch_1904: bool, label: str) -> BirthDate:
    """A date cell: a year typed into a date-formatted cell when its serial is a plausible year, refused when the
    serial is smaller, else the full date."""
    serial = _serial(d, epoch_1904)
    if MIN_YEAR <= serial <= MAX_YEAR:
        return BirthDate(None, serial, True, year_from_serial=True)
    if serial < MIN_YEAR:
        raise ValidationError(f"{label} không hợp lệ: {shown_value(d)} (ô ngày chứa một số nhỏ, không phải ngày sinh).")
    return BirthDate(d, d.year, False)


def _birth_from_number(v: int | float, label: str) -> BirthDate:
    """A number cell: a year within 1900–2100 (an integral float too), refused otherwise."""
    if isinstance(v, float) and (not math.isfinite(v) or not v.is_integer()):
        raise ValidationError(f"{label} không hợp lệ: {v!r}.")
    year = int(v)
    if MIN_YEAR <= year <= MAX_YEAR:
        return BirthDate(None, year, True)
    raise ValidationError(
        f"{label} không hợp lệ: {year} (không phải năm sinh; cần ghi ngày/tháng/năm hoặc năm có 4 chữ số)."
    )


def parse_month(v: Any, label: str = "Tháng") -> date | None:
    """Parse a month cell (e.g. "Hưởng từ tháng") to the first day of that month; ``None`` for an empty cell.

    Accepts text ``MM/YYYY``, ``M/YYYY`` (also ``-`` or ``.``), ``YYYY-MM``, ``T7/2024``, ``tháng 7/2024``,
    ``tháng 7 năm 2024``, a full text date ``dd/mm/yyyy`` (its month), and a date cell (its month).
    Raises ``ValidationError("Tháng không hợp lệ: …")`` otherwise — including numbers (never read as date
    serials), date cells before October 1905 (a number or a year typed into a date cell), a month outside 1–12,
    a year outside 1900–2100. ``label`` names the column in the message.
    """
    if v is None:
        return None
    if isinstance(v, (datetime, date)):
        d = _as_date(v)
        if _serial(d, False) <= MAX_YEAR:
            raise ValidationError(f"{label} không hợp lệ: {shown_value(d)} (ô ngày chứa một số, không phải tháng).")
        return d.replace(day=1)
    text = text_cell(v, label, " (cần dạng tháng/năm, ví dụ 07/2024)")
    if text is None:
        return None
    folded = " ".join(strip_marks(text).split())
    folded = re.sub(r"^(?:thang\s*|t\s*(?=\d))", "", folded)
    folded = re.sub(r"\s+nam\s+", "/", folded)
    m = _MY_RE.match(folded)
    if m:
        month, year = int(m.group(1)), m.group(2)
    else:
        m = _YM_RE.match(folded)
        if m:
            year, month = m.group(1), int(m.group(2))
        else:
            parts = _text_dmy(text, label, allow_zero=False)
            if parts is None:
                raise ValidationError(f"{label} không hợp lệ: “{text}” (cần dạng tháng/năm, ví dụ 07/2024).")
            return date(parts[2], parts[1], 1)
    if len(year) != 4:
        raise ValidationError(f"{label} không hợp lệ: “{text}” (năm phải đủ 4 chữ số).")
    year = int(year)
    if not 1 <= month <= 12:
        raise ValidationError(f"{label} không hợp lệ: “{text}” (không có tháng {month}).")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(f"{label} không hợp lệ: “{text}” (năm {year} ngoài khoảng {MIN_YEAR}–{MAX_YEAR}).")
    return date(year, month, 1)


def parse_date(v: Any, label: str = "Ngày") -> date | None:
    """Parse a full date cell (e.g. an account opening date "02/08/2024"); ``None`` for an empty cell.

    Accepts a date cell, text ``dd/mm/yyyy`` (``d/m/yyyy``, ``-``, ``.``, optional time) read day first, and
    ``yyyy-mm-dd``. Raises ``ValidationError("Ngày không hợp lệ: …")`` (``label`` names the column) for
    numbers (never read as date serials), date cells before October 1905 (a number or year typed into a date
    cell), a month above 12 (possibly swapped day/month), impossible dates, years outside 1900–2100.
    """
    if v is None:
        return None
    if isinstance(v, (datetime, date)):
        d = _as_date(v)
        if _serial(d, False) <= MAX_YEAR:
            raise ValidationError(f"{label} không hợp lệ: {shown_value(d)} (ô ngày chứa một số, không phải ngày).")
        return d
    text = text_cell(v, label, " (cần dạng ngày/tháng/năm, ví dụ 02/08/2024)")
    if text is None:
        return None
    parts = _text_dmy(text, label, allow_zero=False)
    if parts is None:
        raise ValidationError(f"{label} không hợp lệ: “{text}” (cần dạng ngày/tháng/năm, ví dụ 02/08/2024).")
    day, month, year = parts
    return date(year, month, day)
