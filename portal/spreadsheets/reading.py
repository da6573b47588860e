"""Typed, domain-agnostic reading of uploaded .xlsx files (đọc bảng tính tải lên) — public façade.

The implementation is split by responsibility; import from here (``from portal.spreadsheets.reading import …``):

* ``workbook`` — ``open_workbook`` checks that an upload really is an .xlsx (a zip with OOXML spreadsheet
  content), enforces a size limit and loads it with openpyxl in *read-only, data-only* mode (the sheet XML is
  streamed, formulas read as their cached value).
* ``header`` — ``find_header`` locates the header row by its labels (never by row number), also when the header
  spans two rows (merged group titles) or is followed by a row of column numbers "(1)", "(2)", …
* ``rows`` — ``iter_rows`` streams the data rows below the header and stops at the total row ("Tổng cộng"), the
  signature block ("Người lập biểu", "TM. ỦY BAN NHÂN DÂN", "…, ngày … tháng … năm …") or a run of empty rows.
  It never loops over the sheet's declared dimension, which some tools write wrongly (a million rows, or "A1").
* ``cells`` / ``dates`` — the ``cell_*`` / ``parse_*`` helpers turn one raw cell value into a typed value or raise
  ``ValidationError`` with a Vietnamese message. Empty cells give ``None``: a formula cell whose result was never
  computed (file written by a program, not saved by Excel) also reads as ``None`` and must never be taken as 0.
* ``formulas`` — ``formula_cells_without_value`` tells the clerk which cells need re-saving in Excel.
* ``text`` — internal text normalisation shared by the modules above.

Identity rules (CCCD padding and validity, name folding, phone numbers) live in ``portal.services.registry.identity``;
these modules only return raw values typed correctly (e.g. an ID cell as digits without a float artefact).

Source of the rules: the domain pitfalls of spreadsheets (items 1–6 of the project's pitfalls list).
"""

from __future__ import annotations

# Names outside ``__all__`` (settings, ``Source``) were module attributes here before the split: still importable.
from .cells import cell_id_text, cell_text, parse_int_amount
from .dates import MAX_YEAR, MIN_YEAR, BirthDate, parse_birth_date, parse_date, parse_month  # noqa: F401
from .formulas import formula_cells_without_value
from .header import HEADER_MAX_COLUMNS, Column, Header, find_header, find_table  # noqa: F401
from .rows import DEFAULT_MAX_ROWS, LOOKAHEAD_ROWS, TOTAL_LABEL_COLUMNS, SheetRow, iter_rows  # noqa: F401
from .workbook import DEFAULT_MAX_BYTES, UNCOMPRESSED_FACTOR, Source, open_workbook, source_format  # noqa: F401

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_ROWS",
    "BirthDate",
    "Column",
    "Header",
    "SheetRow",
    "cell_id_text",
    "cell_text",
    "find_header",
    "find_table",
    "formula_cells_without_value",
    "iter_rows",
    "open_workbook",
    "source_format",
    "parse_birth_date",
    "parse_date",
    "parse_int_amount",
    "parse_month",
]
