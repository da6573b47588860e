"""Typed reading of one text, ID or money cell (đọc giá trị một ô).

Owns ``cell_text``, ``cell_id_text`` and ``parse_int_amount``, and the helpers every typed-cell parser shares
(also ``dates``): Excel error values (``_reject_excel_error``) and how a raw value is shown in a message
(``shown_value``). Empty cells give ``None``: a formula cell whose result was never computed also reads as ``None``
and must never be taken as 0 (see ``formulas.formula_cells_without_value``). Identity rules (CCCD padding and
validity, name folding, phone numbers) live in ``portal.services.registry.identity``; this module only types raw values.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta
from typing import Any

from portal.errors import ValidationError

from .text import clean_text

__all__ = ["cell_id_text", "cell_text", "parse_int_amount"]


_EXCEL_ERRORS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!"}
)


def shown_value(v: Any) -> str:
    """A cell value as shown in an error message."""
    if isinstance(v, datetime) and v.time() == time(0):
        return v.strftime("%d/%m/%Y")
    if isinstance(v, date) and not isinstance(v, datetime):
        return v.strftime("%d/%m/%Y")
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return f"“{clean_text(v)}”" if isinstance(v, str) else str(v)


def _reject_excel_error(v: str, label: str) -> None:
    if v.upper() in _EXCEL_ERRORS:
        raise ValidationError(f"{label} không hợp lệ: ô có lỗi công thức ({v}). Hãy sửa công thức trong Excel.")


def cell_text(v: Any) -> str | None:
    """Text of any cell value, or ``None`` for an empty / whitespace-only cell.

    Strings are NFC-normalised and stripped (outer spaces, NBSP, zero-width characters; inner spaces are kept);
    ints as digits; integral floats as int digits (``89077105153.0`` → ``"89077105153"``); other floats by
    ``repr`` (``1.5`` → ``"1.5"``); dates as ``dd/mm/yyyy`` (datetimes with a time as ``dd/mm/yyyy HH:MM``);
    bools as ``"TRUE"``/``"FALSE"``. Excel error values (``"#REF!"``) are returned as they are. Never raises.
    """
    if v is None:
        return None
    if isinstance(v, str):
        text = clean_text(v)
        return text or None
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isfinite(v) and v.is_integer():
            return str(int(v))
        return repr(v)
    if isinstance(v, datetime):
        return v.strftime("%d/%m/%Y") if v.time() == time(0) else v.strftime("%d/%m/%Y %H:%M")
    if isinstance(v, date):
        return v.strftime("%d/%m/%Y")
    text = clean_text(str(v))
    return text or None


def cell_id_text(v: Any, label: str = "Mã số") -> str | None:
    """An ID-like cell (CCCD, account number) as text, without float artefacts; ``None`` when empty.

    int → ``str(v)`` (a CCCD stored as a number has lost its leading zero: ``89077105153``; padding is the
    caller's rule); integral float → ``str(int(v))`` (never via ``repr``, so no ``.0`` / ``e+10``); text → NFC,
    stripped, one leading apostrophe removed, a trailing ``.0`` after digits removed (``"89077105153.0"``);
    other characters are kept for the caller to validate.

    Raises ``ValidationError`` (``label`` names the column) for: a number with a fraction, a float ≥ 10¹⁵
    (Excel keeps only 15 significant digits — the stored number is already wrong, it must be re-typed as text),
    a date, a bool or an Excel error value.
    """
    if v is None:
        return None
    if isinstance(v, str):
        text = clean_text(v)
        _reject_excel_error(text, label)
        if text[:1] in ("'", "\u2019"):
            text = text[1:].strip()
        if re.fullmatch(r"\d+\.0+", text):
            text = text.split(".")[0]
        return text or None
    if isinstance(v, bool) or isinstance(v, (date, time, timedelta)):
        raise ValidationError(f"{label} không hợp lệ: {shown_value(v)} (ô không chứa dãy số).")
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v) or not v.is_integer():
            raise ValidationError(f"{label} không hợp lệ: {v!r} (có phần thập phân).")
        if abs(v) >= 1e15:
            raise ValidationError(
                f"{label} không hợp lệ: {int(v)} — Excel đã làm tròn số dài quá 15 chữ số. "
                "Hãy định dạng cột là Văn bản (Text) và nhập lại số này."
            )
        return str(int(v))
    text = clean_text(str(v))
    return text or None


_AMOUNT_SUFFIX_RE = re.compile(r"\s*(vnđ|vnd|đồng|dong|đ|d)\.?$")
_AMOUNT_SHAPES = (
    (re.compile(r"^[+-]?\d+$"), None),
    (re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+(?:,0+)?$"), "."),  # 1.250.000 (Vietnamese)
    (re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.0+)?$"), ","),  # 1,250,000 (English)
    (re.compile(r"^[+-]?\d{1,3}(?: \d{3})+$"), " "),  # 1 250 000
    (re.compile(r"^[+-]?\d+[.,]0+$"), "zero-fraction"),  # 1250000.00
)


def parse_int_amount(v: Any, label: str = "Số tiền") -> int | None:
    """Parse a money cell (đồng) to an int; ``None`` for an empty cell.

    Accepts ints, floats within 1e-6 of an integer (formula results like ``1.1*500000`` carry float noise),
    and text ``"1250000"``, ``"1.250.000"``, ``"1,250,000"``, ``"1 250 000"``, ``"1.250.000 đ"``/``"đồng"``/``"VND"``.
    A dot or comma followed by exactly three digits is a thousands separator.

    ``None`` means the cell is empty **or a formula whose result was never computed** — callers must not treat
    it as 0 (recompute from the rules or ask for the file to be re-saved; see ``formula_cells_without_value``).
    Raises ``ValidationError("Số tiền không hợp lệ: …")`` for fractions (``"1,5"``, ``750000.5``), other text,
    dates, bools and Excel error values (``"#REF!"``).
    """
    if v is None:
        return None
    if isinstance(v, bool) or isinstance(v, (date, time, timedelta)):
        raise ValidationError(f"{label} không hợp lệ: {shown_value(v)}.")
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        if not math.isfinite(v) or abs(v - round(v)) > 1e-6:
            raise ValidationError(f"{label} không hợp lệ: {v!r} (số tiền phải là số nguyên đồng).")
        return int(round(v))
    text = text_cell(v, label)
    if text is None:
        return None
    compact = _AMOUNT_SUFFIX_RE.sub("", " ".join(text.casefold().replace("\u202f", " ").split()))
    for pattern, sep in _AMOUNT_SHAPES:
        if pattern.match(compact):
            if sep == "zero-fraction":
                return int(re.split(r"[.,]", compact)[0])
            if sep == ".":
                return int(compact.split(",")[0].replace(".", ""))
            if sep == ",":
                return int(compact.split(".")[0].replace(",", ""))
            if sep == " ":
                return int(compact.replace(" ", ""))
            return int(compact)
    raise ValidationError(f"{label} không hợp lệ: “{text}” (cần số nguyên đồng, ví dụ 1.250.000).")


def text_cell(v: Any, label: str, hint: str = "") -> str | None:
    """A cell that must hold text at this point: its cleaned text, or None when blank. Raises ValidationError
    ("<label> không hợp lệ: …<hint>") for any other type and for Excel error values (#N/A …)."""
    if not isinstance(v, str):
        raise ValidationError(f"{label} không hợp lệ: {shown_value(v)}{hint}.")
    text = clean_text(v)
    if not text:
        return None
    _reject_excel_error(text, label)
    return text
