"""Safe .xlsx export (xuất danh sách ra Excel).

Every user-supplied string is written as a string cell (never a formula: a note typed as ``=HYPERLINK(...)``
stays text — pitfalls §8), ID and account-number columns are text cells with the ``@`` format so leading zeros
survive (pitfalls §1), int amounts are numbers formatted ``#,##0``.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

__all__ = ["write_workbook", "TEXT_FORMAT", "AMOUNT_FORMAT", "DATE_FORMAT"]

TEXT_FORMAT = "@"
AMOUNT_FORMAT = "#,##0"
DATE_FORMAT = "DD/MM/YYYY"
MAX_CELL_CHARS = 32767  # Excel's limit per cell

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
_BOLD = Font(bold=True)
_HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _clean(text: str) -> str:
    """Drop XML-illegal control characters (copy-pasted text) and cut at Excel's cell limit."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return text if len(text) <= MAX_CELL_CHARS else text[: MAX_CELL_CHARS - 1] + "…"


def _as_text(value: Any) -> str:
    """Text of a value for a text cell: integral floats without ".0", dates as dd/mm/yyyy."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _string_cell(ws, text: str, *, text_format: bool) -> WriteOnlyCell:
    """A cell that Excel always shows as text: data type "s" forced, quotePrefix for formula-like values."""
    cell = WriteOnlyCell(ws)
    cell.value = _clean(text)  # openpyxl would type "=…" as a formula here …
    cell.data_type = "s"  # … so force a (inline) string cell
    if text.startswith(_FORMULA_STARTS):
        cell.quotePrefix = True  # re-editing the cell in Excel keeps it text too
    if text_format:
        cell.number_format = TEXT_FORMAT
    return cell


def _data_cell(ws, value: Any, *, is_text_column: bool, number_format: str | None) -> WriteOnlyCell | None:
    if value is None:
        return None
    if isinstance(value, str) or is_text_column:
        return _string_cell(ws, value if isinstance(value, str) else _as_text(value), text_format=is_text_column)
    cell = WriteOnlyCell(ws)
    if isinstance(value, bool):
        cell.value = value
    elif isinstance(value, int):
        cell.value = value
        cell.number_format = number_format or AMOUNT_FORMAT
    elif isinstance(value, (float, Decimal)):
        cell.value = value
        if number_format:
            cell.number_format = number_format
    elif isinstance(value, (datetime, date)):
        cell.value = value
        cell.number_format = number_format or DATE_FORMAT
    else:  # anything else is shown as its text, still never a formula
        return _string_cell(ws, str(value), text_format=False)
    return cell


def _width(value: Any) -> int:
    if value is None:
        return 0
    text = _as_text(value) if not isinstance(value, int) or isinstance(value, bool) else f"{value:,}"
    return max((len(line) for line in text.splitlines()), default=0)


def _set_widths(ws, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Column widths from the headers and the first 500 rows (6 to 60 characters). Raises ``ValueError`` for a row
    longer than ``headers``."""
    ncols = len(headers)
    widths = [_width(h) for h in headers]
    for row in rows[:500]:
        if len(row) > ncols:
            raise ValueError(f"row has {len(row)} values for {ncols} headers")
        for i, value in enumerate(row):
            widths[i] = max(widths[i], _width(value))
    for i, w in enumerate(widths):
        ws.column_dimensions[get_column_letter(i + 1)].width = min(max(w + 2, 6), 60)


def _append_titles_and_headers(ws, title_rows: Sequence[str], headers: Sequence[str]) -> None:
    """The bold title rows in column A, an empty row after them, then the bold, centred header row."""
    for title in title_rows:
        cell = _string_cell(ws, title, text_format=False)
        cell.font = _BOLD
        ws.append([cell])
    if title_rows:
        ws.append([])
    header_cells = []
    for h in headers:
        cell = _string_cell(ws, str(h), text_format=False)
        cell.font = _BOLD
        cell.alignment = _HEADER_ALIGNMENT
        header_cells.append(cell)
    ws.append(header_cells)


def write_workbook(
    title_rows: Sequence[str],
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    text_columns: set[int],
    *,
    sheet_title: str = "Danh sách",
    number_formats: Mapping[int, str] | None = None,
) -> bytes:
    """Build an .xlsx (one sheet) and return its bytes.

    Layout: each of ``title_rows`` in column A (bold), one empty row if there are titles, the ``headers`` row
    (bold, centred, frozen below), then ``rows`` (lists of values, one per header).

    ``text_columns``: 0-based column indexes written as text cells with number format ``@`` — use it for CCCD,
    account numbers, phone numbers, year-only dates… (an int there is written as its digits; padding is the
    caller's job). ``number_formats``: optional 0-based column index → Excel number format overriding the
    defaults below.

    Cell types: ``str`` → string cell, always (data type forced to "s"; values starting with = + - @ also get
    the quotePrefix style, so Excel never evaluates them; XML-illegal control characters are dropped, text is cut
    at 32 767 characters); ``int`` → number ``#,##0`` (đồng); ``float``/``Decimal`` → number (General);
    ``date``/``datetime`` → date ``DD/MM/YYYY``; ``bool`` → boolean; ``None`` → empty cell.
    Raises ``ValueError`` when a row is longer than ``headers``.
    """
    formats = dict(number_formats or {})
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=_clean(sheet_title)[:31] or "Danh sách")

    ncols = len(headers)
    _set_widths(ws, headers, rows)
    header_row = len(title_rows) + (1 if title_rows else 0) + 1
    ws.freeze_panes = f"A{header_row + 1}"  # sheet views are written with the first row: set before appending
    _append_titles_and_headers(ws, title_rows, headers)
    for row in rows:
        if len(row) > ncols:
            raise ValueError(f"row has {len(row)} values for {ncols} headers")
        ws.append(
            [
                _data_cell(ws, value, is_text_column=i in text_columns, number_format=formats.get(i))
                for i, value in enumerate(row)
            ]
        )

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
