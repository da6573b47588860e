"""Reading a commune's beneficiary spreadsheet (danh sách đối tượng hưởng trợ cấp) into typed rows, before any rule
of the register is applied (that is ``imports.plan``).

The header is found by its labels (``imports.columns``: several wordings per column), rows stream until the total
row ("Tổng cộng") or the signature block, and each row is typed by ``imports.typed_row``; text typed with a legacy
font (TCVN3 / VNI) is converted cell by cell (``imports.legacy_cells``) and a death or departure written in a row
is found by ``imports.departures``. Rows hidden in the file (.xlsx, .xls, .ods) are read, each with a warning. A cell
that cannot be read becomes a row error with the Excel cell reference; it never stops the other rows. Source:
pitfalls §Spreadsheets (items 1–7)."""
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date

from flask import current_app, has_app_context
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from sqlalchemy import select

from ...errors import ValidationError
from ...extensions import db
from ...models import CategorySynonym, PaymentProvider
from ...spreadsheets.formulas import SheetFacts, sheet_facts
from ...spreadsheets.reading import find_table, iter_rows, open_workbook, source_format
from ..registry.identity import fold
from . import stored_sheet
from .columns import COLUMNS, FIELD_COLUMNS  # noqa: F401 — the layout, importable from here as before
from .legacy_cells import column_encodings, file_encoding, title_lines
from .typed_row import ParsedRow, SheetContext, parse_row

_TITLE_MONTH = re.compile(r"\bthang\s*(\d{1,2})\s*(?:/|-|\.|nam)\s*(\d{4})\b")


@dataclass
class ParsedSheet:
    """The rows of the sheet holding the list (the first sheet with the header), ``title_month`` (first-of-month
    date named in the title, e.g. "Tháng 7/2024", or None), the labels of the optional columns that were found,
    ``title_lines`` (the text of the rows above the header, for ``imports.origin``), ``legacy_encoding`` ("TCVN3" /
    "VNI" when the file was typed with a legacy font, else None), ``formula_cells`` (references of formula cells
    without a computed value, e.g. "J9"), ``sheet_title`` the name of that sheet and ``hidden_rows`` the Excel
    numbers of the data rows hidden in the file (each also a warning on its row)."""

    rows: list[ParsedRow]
    title_month: date | None
    found: set[str]
    title_lines: list[str] = field(default_factory=list)
    legacy_encoding: str | None = None
    formula_cells: list[str] = field(default_factory=list)
    sheet_title: str = ""
    hidden_rows: list[int] = field(default_factory=list)
    field_letters: dict[str, str] = field(default_factory=dict)  # register field → its column's letter


def _title_month(lines: list[str]) -> date | None:
    for line in lines:
        m = _TITLE_MONTH.search(fold(line))
        if m and 1 <= int(m.group(1)) <= 12:
            return date(int(m.group(2)), int(m.group(1)), 1)
    return None


#: the last sheet read, ``(key, ParsedSheet)``: the commit of a batch reads the bytes its preview just read
_last_read: tuple | None = None


def _key(content: bytes, lookups: "_Lookups") -> str:
    """What a read sheet depends on, as a digest: the bytes, the category synonyms, the payment providers and the
    size limits."""
    parts = (hashlib.sha256(content).hexdigest(), max_upload_bytes(), max_import_rows(),
             sorted(lookups.synonyms.items()), sorted(lookups.providers.items()))
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def read_sheet(content: bytes, stored: str | None = None) -> ParsedSheet:
    """Parse the sheet holding the list (the first sheet with the header, ``find_table``) of an .xlsx, .xls or .ods
    upload (``content`` bytes). Raises ``ValidationError`` (Vietnamese) for a file that is not a readable
    spreadsheet (password-protected, other format), a missing header or required column, or data after the total
    row; row-level problems go into each ``ParsedRow``.

    The result depends only on the bytes, the category synonyms, the payment providers and the size limits: the
    last one is kept (one sheet per process) and given back, not re-read, when all of these are the same — the
    commit re-reads the batch its preview read moments before. ``stored``: the sheet as ``stored_form`` gave it
    when the batch was previewed (kept with the batch), used instead of reading the cells again when it was read
    under the same bytes, look-ups and limits (``imports.stored_sheet``). Callers must not change the rows
    returned."""
    global _last_read
    lookups = _Lookups.load()
    key = _key(content, lookups)
    cached = _last_read
    if cached is not None and cached[0] == key:
        return cached[1]
    _last_read = None  # free the previous sheet before reading the next
    sheet = stored_sheet.decode(stored, key, ParsedSheet) or _read_sheet(content, lookups)
    _last_read = (key, sheet)
    return sheet


def forget_last_read() -> None:
    """Drop the last sheet read (``read_sheet`` keeps one per process)."""
    global _last_read
    _last_read = None


def stored_form(content: bytes) -> str | None:
    """The last sheet read (``read_sheet``) from ``content`` as text to keep with its batch (``imports.stored_sheet``;
    about a tenth of the file's cells as JSON), or None when the last sheet read was another file's."""
    cached = _last_read
    if cached is None:
        return None
    key, sheet = cached
    if key != _key(content, _Lookups.load()):
        return None
    return stored_sheet.encode(sheet, key, sheet.field_letters)


def _read_sheet(content: bytes, lookups: "_Lookups") -> ParsedSheet:
    wb = open_workbook(content, max_bytes=max_upload_bytes(), fast=True)
    try:
        ws, header = find_table(wb, COLUMNS)
        raw_rows = list(iter_rows(ws, header, max_rows=max_import_rows()))
        columns = column_encodings(raw_rows)
        encoding = file_encoding(columns)
        title = title_lines(ws, header.row, encoding) if header.row > 1 else []
        if source_format(wb) == "xlsx":
            facts = sheet_facts(content, ws.title, max_bytes=max_upload_bytes(), limit=1_000_000)
        else:  # .xls / .ods: the rows hidden in the file, read beside calamine (``spreadsheets.calamine_book``)
            facts = SheetFacts(hidden_rows=getattr(ws, "hidden_rows", frozenset()))
        context = SheetContext(header, lookups.synonyms, lookups.providers, wb.epoch == CALENDAR_MAC_1904, columns,
                               set(facts.formula_cells), facts.legacy_fonts, facts.hidden_rows)
        rows = [parse_row(r.row_number, r.values, context, r.cells) for r in raw_rows]
    finally:
        wb.close()
    if not rows:
        raise ValidationError("Không có dòng dữ liệu nào dưới dòng tiêu đề.")
    hidden = sorted(r.row_number for r in rows if r.row_number in facts.hidden_rows)
    return ParsedSheet(rows, _title_month(title), set(header.columns), title, encoding, facts.formula_cells,
                       ws.title, hidden, context.field_letters)


def max_upload_bytes() -> int:
    """The upload size limit in bytes: the app's ``MAX_CONTENT_LENGTH`` (env ``MAX_UPLOAD_MB``), default 10 MiB."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH") if has_app_context() else None
    return int(limit or 10 * 1024 * 1024)


def max_import_rows() -> int:
    """The cap on data rows per file: config ``IMPORT_MAX_ROWS``, default 20 000 (the clerk is told to split)."""
    limit = current_app.config.get("IMPORT_MAX_ROWS") if has_app_context() else None
    return int(limit or 20_000)


@dataclass
class _Lookups:
    synonyms: dict
    providers: dict

    @classmethod
    def load(cls) -> "_Lookups":
        synonyms = {s.text_fold: (s.category_code, s.disability_level)
                    for s in db.session.execute(select(CategorySynonym)).scalars()}
        providers = {}
        for p in db.session.execute(select(PaymentProvider)).scalars():
            providers[fold(p.name)] = providers[fold(p.code)] = p.code
        return cls(synonyms, providers)
