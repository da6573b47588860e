"""Typed, domain-agnostic reading of uploaded .xlsx files (đọc bảng tính tải lên).

What this module does and does not do:

* ``open_workbook`` checks that an upload really is an .xlsx (a zip with OOXML spreadsheet content), enforces a
  size limit and loads it with openpyxl in *read-only, data-only* mode (the sheet XML is streamed, formulas read
  as their cached value).
* ``find_header`` locates the header row by its labels (never by row number), also when the header spans two
  rows (merged group titles) or is followed by a row of column numbers "(1)", "(2)", …
* ``iter_rows`` streams the data rows below the header and stops at the total row ("Tổng cộng"), the signature
  block ("Người lập biểu", "TM. ỦY BAN NHÂN DÂN", "…, ngày … tháng … năm …") or a run of empty rows. It never
  loops over the sheet's declared dimension, which some tools write wrongly (a million rows, or "A1").
* The ``cell_*`` / ``parse_*`` helpers turn one raw cell value into a typed value or raise ``ValidationError``
  with a Vietnamese message. Empty cells give ``None``: a formula cell whose result was never computed (file
  written by a program, not saved by Excel) also reads as ``None`` and must never be taken as 0 — see
  ``formula_cells_without_value`` to tell the clerk which cells need re-saving.

Identity rules (CCCD padding and validity, name folding, phone numbers) live in ``portal.services.identity``;
this module only returns raw values typed correctly (e.g. an ID cell as digits without a float artefact).

Source of the rules: ``/work/shared/domain/pitfalls.md`` §Spreadsheets (items 1–6).
"""

from __future__ import annotations

import io
import math
import os
import posixpath
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import IO, Any, Iterator, Sequence, Union
from xml.etree import ElementTree

import openpyxl
from openpyxl.utils import get_column_letter

from portal.errors import ValidationError

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
    "formula_cells_without_value",
    "iter_rows",
    "open_workbook",
    "parse_birth_date",
    "parse_date",
    "parse_int_amount",
    "parse_month",
]

Source = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, IO[bytes]]

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
"""Upload size limit (bytes). Whole-workbook loading costs ~50× the file size; read-only mode streams the sheet."""

DEFAULT_MAX_ROWS = 20_000
"""Default cap on data rows per sheet; bigger lists must be split (and big imports run as a job)."""

UNCOMPRESSED_FACTOR = 25
"""A workbook whose parts unpack to more than ``UNCOMPRESSED_FACTOR × max_bytes`` is refused (zip bomb guard)."""

HEADER_MAX_COLUMNS = 100
"""Header labels are looked for in the first this-many columns."""

TOTAL_LABEL_COLUMNS = 4
"""The total-row label ("Tổng cộng") is looked for in this many columns from the first header column."""

LOOKAHEAD_ROWS = 500
"""After a total row or signature block, at most this many further rows are checked for stray data."""

MIN_YEAR = 1900
MAX_YEAR = 2100

_EPOCH_1900 = date(1899, 12, 30)  # serial 0 in the 1900 date system (valid for serials >= 61)
_EPOCH_1904 = date(1904, 1, 1)

_XLSX_CONTENT_TYPES = (
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",  # .xlsm: macros are never run by openpyxl
)
_NOT_XLSX = (
    "Tệp không phải bảng tính Excel (.xlsx). Hãy mở tệp bằng Excel và chọn Lưu thành "
    "“Excel Workbook (*.xlsx)”, rồi tải lên lại."
)
_OLE_NOT_XLSX = (
    "Tệp không phải bảng tính Excel (.xlsx): đây là tệp .xls (Excel 97-2003) hoặc tệp có đặt mật khẩu. "
    "Hãy mở tệp bằng Excel, bỏ mật khẩu (nếu có) và chọn Lưu thành “Excel Workbook (*.xlsx)”, rồi tải lên lại."
)

_EXCEL_ERRORS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!"}
)
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


# --------------------------------------------------------------------------------------------------------------
# Opening
# --------------------------------------------------------------------------------------------------------------


def _format_size(n: int) -> str:
    """Human size with a Vietnamese decimal comma: "10 MB", "1,5 MB", "800 KB", "500 byte"."""
    if n >= 1024 * 1024:
        text = f"{n / (1024 * 1024):.1f}".replace(".", ",")
        return (text[:-2] if text.endswith(",0") else text) + " MB"
    if n >= 1024:
        return f"{n // 1024} KB"
    return f"{n} byte"


def _too_big(size: int | None, max_bytes: int) -> ValidationError:
    shown = f" ({_format_size(size)})" if size is not None else ""
    return ValidationError(
        f"Tệp quá lớn{shown}: giới hạn là {_format_size(max_bytes)}. Hãy chia danh sách thành nhiều tệp nhỏ hơn."
    )


def _load_source(source: Source, max_bytes: int) -> tuple[str | None, bytes | None]:
    """Return ``(path, None)`` for a path or ``(None, data)`` for bytes/streams, after the size check."""
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        try:
            size = os.path.getsize(path)
        except OSError as exc:
            raise ValidationError("Không mở được tệp bảng tính.") from exc
        if size > max_bytes:
            raise _too_big(size, max_bytes)
        if size == 0:
            raise ValidationError("Tệp rỗng (0 byte).")
        return path, None
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif hasattr(source, "read"):
        seekable = getattr(source, "seekable", None)
        if callable(seekable) and seekable():
            source.seek(0)
        data = source.read(max_bytes + 1)
        if isinstance(data, str):
            raise TypeError("open_workbook needs a binary stream")
    else:
        raise TypeError(f"unsupported workbook source: {type(source).__name__}")
    if len(data) > max_bytes:
        raise _too_big(len(data) if not hasattr(source, "read") else None, max_bytes)
    if not data:
        raise ValidationError("Tệp rỗng (0 byte).")
    return None, data


def _open_zip(path: str | None, data: bytes | None, max_bytes: int) -> zipfile.ZipFile:
    """Open the OOXML zip after checking magic bytes, content type and uncompressed size."""
    if path is not None:
        with open(path, "rb") as fh:
            head = fh.read(8)
    else:
        head = data[:8]
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ValidationError(_OLE_NOT_XLSX)
    if not head.startswith(b"PK\x03\x04"):
        raise ValidationError(_NOT_XLSX)
    try:
        archive = zipfile.ZipFile(path if path is not None else io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as exc:
        raise ValidationError(_NOT_XLSX) from exc
    try:
        infos = archive.infolist()
        if sum(info.file_size for info in infos) > UNCOMPRESSED_FACTOR * max_bytes:
            raise ValidationError(
                "Tệp bảng tính quá lớn khi giải nén. Hãy chia danh sách thành nhiều tệp nhỏ hơn."
            )
        names = {info.filename for info in infos}
        if "[Content_Types].xml" not in names:
            raise ValidationError(_NOT_XLSX)
        with archive.open("[Content_Types].xml") as fh:
            content_types = fh.read(1024 * 1024)
        if not any(ct in content_types for ct in _XLSX_CONTENT_TYPES):
            raise ValidationError(_NOT_XLSX)
    except ValidationError:
        archive.close()
        raise
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError) as exc:  # RuntimeError: encrypted member
        archive.close()
        raise ValidationError(_NOT_XLSX) from exc
    return archive


def open_workbook(stream_or_path: Source, max_bytes: int = DEFAULT_MAX_BYTES):
    """Open an uploaded .xlsx for streaming reads.

    ``stream_or_path``: a filesystem path, ``bytes``, or a binary file object (e.g. ``request.files[...].stream``;
    a seekable stream is rewound to its start, at most ``max_bytes + 1`` bytes are read).

    Checks, in order: size ≤ ``max_bytes`` (bytes; default 10 MiB), not empty, zip magic (an .xls / password
    protected file gets its own hint), an OOXML workbook part (.xlsx or .xlsm; .ods, .docx, CSV, HTML "xls" are
    refused), total uncompressed size ≤ ``UNCOMPRESSED_FACTOR × max_bytes``.

    Returns an ``openpyxl`` workbook loaded with ``read_only=True, data_only=True``: iterate rows with
    ``find_header`` / ``iter_rows``; cell values are the cached results of formulas (``None`` when never
    computed). The caller must call ``wb.close()`` when done (read-only workbooks keep the archive open).

    Raises ``ValidationError`` (Vietnamese message) for every file-level problem; ``TypeError`` for a source of
    the wrong Python type.
    """
    path, data = _load_source(stream_or_path, max_bytes)
    _open_zip(path, data, max_bytes).close()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Data Validation extension is not supported", default style, …
            wb = openpyxl.load_workbook(
                path if path is not None else io.BytesIO(data), read_only=True, data_only=True, keep_links=False
            )
    except Exception as exc:  # openpyxl raises KeyError, ValueError, TypeError, … on damaged parts
        raise ValidationError(_DAMAGED) from exc
    if not wb.worksheets:
        wb.close()
        raise ValidationError("Tệp bảng tính không có trang tính nào.")
    return wb


def formula_cells_without_value(
    stream_or_path: Source, sheet_title: str | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES, limit: int = 200
) -> list[str]:
    """List the formula cells that have no cached value (they read as ``None`` in ``open_workbook``).

    Such cells come from files written by programs (Excel computes and caches results when it saves). Show the
    list to the clerk ("mở tệp bằng Excel rồi lưu lại") instead of treating the cells as empty or 0.

    ``sheet_title``: the worksheet name (default: the first sheet). Returns cell references like ``["J9", "J10"]``
    in sheet order, at most ``limit`` of them. Streams the sheet XML (cheap; no workbook load).
    Raises ``ValidationError`` like ``open_workbook`` for a file that is not an .xlsx, and when the sheet is
    missing.
    """
    path, data = _load_source(stream_or_path, max_bytes)
    archive = _open_zip(path, data, max_bytes)
    try:
        sheet_path = _sheet_part(archive, sheet_title)
        ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
        found: list[str] = []
        with archive.open(sheet_path) as fh:
            for _event, elem in ElementTree.iterparse(fh, events=("end",)):
                if elem.tag == ns + "c":
                    formula = elem.find(ns + "f")
                    if formula is not None:
                        cached = elem.find(ns + "v")
                        if cached is None or not (cached.text or "").strip():
                            found.append(elem.get("r") or "?")
                            if len(found) >= limit:
                                break
                    elem.clear()
                elif elem.tag == ns + "row":
                    elem.clear()
        return found
    except (KeyError, ElementTree.ParseError) as exc:
        raise ValidationError(_DAMAGED) from exc
    finally:
        archive.close()


def _sheet_part(archive: zipfile.ZipFile, sheet_title: str | None) -> str:
    """Zip member name of the worksheet called ``sheet_title`` (or the first one)."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    pkg_ns = "{http://schemas.openxmlformats.org/package/2006/relationships}"
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target") for rel in rels.iter(pkg_ns + "Relationship")}
    for sheet in workbook.iter(main + "sheet"):
        if sheet_title is None or sheet.get("name") == sheet_title:
            target = targets.get(sheet.get(rel_ns + "id"))
            if target is None:
                break
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
    raise ValidationError(f"Không tìm thấy trang tính “{sheet_title}”.")


# --------------------------------------------------------------------------------------------------------------
# Header detection
# --------------------------------------------------------------------------------------------------------------


def _strip_marks(text: str) -> str:
    """Casefold, remove combining marks, đ→d (local label normaliser; identity rules live elsewhere)."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("đ", "d")


def _fold_label(text: str) -> str:
    """Label key: NFC+casefold, marks stripped, every non-alphanumeric run → one space."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", _strip_marks(text)).split())


_PAREN_RE = re.compile(r"\([^()]*\)")


def _label_keys(text: str) -> set[str]:
    """All comparison keys of one label: as written and without parenthesised parts ("Mức trợ cấp (đồng)")."""
    keys = {_fold_label(text), _fold_label(_PAREN_RE.sub(" ", text))}
    keys.discard("")
    return keys


@dataclass(frozen=True)
class Column:
    """What the caller wants from a sheet: ``key`` (its own name), header label variants, required or not.

    ``labels``: list/tuple of variants, compared after normalisation (NFC, casefold, marks stripped, đ→d,
    punctuation ignored; a parenthesised part may be absent on either side), so "Số CCCD", "SỐ CCCD:" and
    "So CCCD" are the same label. ``labels[0]`` is the name shown to users in error messages.
    """

    key: str
    labels: tuple[str, ...]
    required: bool = True

    def __post_init__(self) -> None:
        labels = (self.labels,) if isinstance(self.labels, str) else tuple(self.labels)
        if not labels:
            raise ValueError(f"column {self.key!r} needs at least one label")
        object.__setattr__(self, "labels", labels)

    @property
    def name(self) -> str:
        """Display name (Vietnamese) used in messages."""
        return self.labels[0]

    def keys(self) -> set[str]:
        """Normalised comparison keys of all label variants."""
        out: set[str] = set()
        for label in self.labels:
            out |= _label_keys(label)
        return out


@dataclass(frozen=True)
class Header:
    """Where the table is: found by ``find_header``.

    ``row``: 1-based Excel row of the (upper) header row; ``rows``: 1 or 2 header rows;
    ``columns``: key → 1-based column index; ``first_data_row``: 1-based row where data starts (after the header
    and a column-number row, if any); ``first_column`` / ``width``: 1-based first and last columns carrying a
    header label; ``labels``: key → header text as found (two-row headers composed "upper lower").
    """

    row: int
    rows: int
    columns: dict[str, int]
    first_data_row: int
    first_column: int
    width: int
    labels: dict[str, str]

    def column_letter(self, key: str) -> str:
        """Excel column letter of ``key`` ("E")."""
        return get_column_letter(self.columns[key])

    def cell_ref(self, key: str, row_number: int) -> str:
        """Excel reference of ``key`` in ``row_number`` ("E11"), for messages to the clerk."""
        return f"{self.column_letter(key)}{row_number}"


@dataclass(frozen=True)
class SheetRow:
    """One data row: ``row_number`` is the 1-based Excel row; ``values`` maps each found column key to the raw
    cell value (str, int, float, datetime, bool or None — never coerced; a formula without cached value is None).
    Columns not found in the header (optional ones) are absent from ``values``.
    """

    row_number: int
    values: dict[str, Any]


def _cell_str(v: Any) -> str:
    """Stripped NFC text of a header/marker cell ("" for empty; numbers as digits)."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return unicodedata.normalize("NFC", str(v)).strip().strip(_INVISIBLE).strip()


def _is_empty(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip().strip(_INVISIBLE).strip())


_COLNUM_RE = re.compile(r"^\(\s*(\d{1,3})\s*\)|^(\d{1,3})$|^\(?\s*([A-Za-z])\s*\)?$")


def _is_column_number_row(cells: Sequence[Any], min_filled: int = 2) -> bool:
    """True for a row like "(1)","(2)",… or 1,2,3,… or "A","B",… ("(10)=(9)x500.000" counts as 10).

    Numbers must be at most 200 and strictly increasing, so a sparse data row (STT 5, year 1950) is not one.
    """
    numbers: list[int] = []
    filled = 0
    for v in cells:
        if _is_empty(v):
            continue
        filled += 1
        if isinstance(v, bool):
            return False
        if isinstance(v, (int, float)):
            if isinstance(v, float) and not v.is_integer():
                return False
            numbers.append(int(v))
            continue
        if not isinstance(v, str):
            return False
        m = _COLNUM_RE.match(v.strip())
        if not m:
            return False
        if m.group(1) or m.group(2):
            numbers.append(int(m.group(1) or m.group(2)))
    return (
        filled >= min_filled
        and all(0 <= n <= 200 for n in numbers)
        and all(a < b for a, b in zip(numbers, numbers[1:]))
    )


def _pad(row: Sequence[Any], width: int) -> list[Any]:
    row = list(row[:width])
    return row + [None] * (width - len(row))


def _match(columns: Sequence[Column], candidates: list[set[str]]) -> dict[str, int]:
    """Assign each column spec to the leftmost unassigned sheet column whose candidate keys meet its keys."""
    taken: set[int] = set()
    found: dict[str, int] = {}
    for spec in columns:
        wanted = spec.keys()
        for idx, keys in enumerate(candidates):
            if idx not in taken and keys & wanted:
                found[spec.key] = idx
                taken.add(idx)
                break
    return found


def _score(columns: Sequence[Column], found: dict[str, int]) -> tuple[int, int]:
    return (sum(1 for c in columns if c.required and c.key in found), len(found))


def _compose(upper: list[Any], lower: list[Any]) -> tuple[list[set[str]], list[str]]:
    """Candidate keys and display texts for a two-row header (upper filled rightwards over merged groups)."""
    candidates: list[set[str]] = []
    texts: list[str] = []
    carried = ""
    for up_raw, low_raw in zip(upper, lower):
        up, low = _cell_str(up_raw), _cell_str(low_raw)
        if up:
            carried = up
        elif low:
            up = carried  # inside a horizontally merged group title (read-only mode has no merge info)
        else:
            carried = ""
        keys = set()
        if up:
            keys |= _label_keys(up)
        if low:
            keys |= _label_keys(low)
        if up and low:
            keys |= _label_keys(f"{up} {low}")
            keys.add(_fold_label(f"{_PAREN_RE.sub(' ', up)} {_PAREN_RE.sub(' ', low)}"))
        keys.discard("")
        candidates.append(keys)
        texts.append(" ".join(t for t in (up, low) if t))
    return candidates, texts


def _is_subheader(upper: list[Any], lower: list[Any]) -> bool:
    """A second header row: only digit-free texts, at least one under an empty (merged) upper cell."""
    filled = [(u, v) for u, v in zip(upper, lower) if not _is_empty(v)]
    if not filled:
        return False
    if any(not isinstance(v, str) or any(ch.isdigit() for ch in v) for _, v in filled):
        return False
    return any(_is_empty(u) for u, _ in filled)


_DAMAGED = "Tệp bảng tính bị hỏng hoặc không đọc được. Hãy mở bằng Excel, lưu lại dạng .xlsx rồi tải lên lại."


def _stream(ws, **kwargs) -> Iterator[tuple]:
    """``ws.iter_rows(values_only=True, **kwargs)``; a damaged sheet part (read lazily) → ``ValidationError``."""
    rows = ws.iter_rows(values_only=True, **kwargs)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # ParseError, BadZipFile (CRC), zlib.error, openpyxl ValueError/KeyError …
            raise ValidationError(_DAMAGED) from exc
        yield row


def _reset_dimensions(ws) -> None:
    """Ignore the declared sheet dimension (may be "A1" or a million rows); rows are then read as they exist."""
    reset = getattr(ws, "reset_dimensions", None)
    if callable(reset):
        reset()


def find_header(ws, columns: Sequence[Column], scan_rows: int = 30) -> Header:
    """Locate the header row of ``ws`` by its labels.

    Scans the first ``scan_rows`` rows (and ``HEADER_MAX_COLUMNS`` columns). Each row is tried alone and composed
    with the row below (two-row headers: "upper lower" per column, a merged group title carried over the columns
    under it); the row matching the most required, then most columns wins (earliest on ties, a single row
    preferred over a composed one). A sub-header row right below is part of the header; a row made only of
    column numbers ("(1)", "(2)", … or 1, 2, …) right after the header is skipped.

    ``columns``: specs; each sheet column is assigned to at most one spec, the leftmost match wins.
    Returns a ``Header``. Raises ``ValidationError``: a damaged sheet part, no row has any known label
    ("Không tìm thấy dòng tiêu đề…"), or required columns are missing ("Không tìm thấy cột: Số CCCD, Ngày sinh").
    """
    if not columns:
        raise ValueError("find_header needs at least one column spec")
    _reset_dimensions(ws)
    rows = [
        _pad(row, HEADER_MAX_COLUMNS)
        for row in _stream(ws, min_row=1, max_row=scan_rows + 2, max_col=HEADER_MAX_COLUMNS)
    ]
    rows += [[None] * HEADER_MAX_COLUMNS] * (scan_rows + 2 - len(rows))

    best: tuple[tuple[int, int, int, int], int, int, dict[str, int], list[str]] | None = None
    for r in range(min(scan_rows, len(rows))):
        upper = rows[r]
        if all(_is_empty(v) for v in upper):
            continue
        texts = [_cell_str(v) for v in upper]
        found = _match(columns, [_label_keys(t) for t in texts])
        options = [(found, 1, texts)]
        lower = rows[r + 1]
        if not _is_column_number_row(lower) and not all(_is_empty(v) for v in lower):
            cands, ctexts = _compose(upper, lower)
            options.append((_match(columns, cands), 2, ctexts))
        for opt_found, nrows, opt_texts in options:
            key = (*_score(columns, opt_found), -nrows, -r)
            if opt_found and (best is None or key > best[0]):
                best = (key, r, nrows, opt_found, opt_texts)

    if best is None:
        names = ", ".join(c.name for c in columns if c.required) or columns[0].name
        raise ValidationError(
            f"Không tìm thấy dòng tiêu đề trong {scan_rows} dòng đầu của trang tính "
            f"(cần các cột: {names})."
        )
    _key, r, nrows, found, texts = best
    missing = [c.name for c in columns if c.required and c.key not in found]
    if missing:
        raise ValidationError(f"Không tìm thấy cột: {', '.join(missing)}.")

    if nrows == 1 and _is_subheader(rows[r], rows[r + 1]):
        nrows = 2
        texts = _compose(rows[r], rows[r + 1])[1]
    labelled = [i for i in range(HEADER_MAX_COLUMNS) if any(not _is_empty(rows[r + k][i]) for k in range(nrows))]
    first_data = r + nrows
    while first_data < len(rows) and _is_column_number_row(rows[first_data]):
        first_data += 1
    return Header(
        row=r + 1,
        rows=nrows,
        columns={key: idx + 1 for key, idx in found.items()},
        first_data_row=first_data + 1,
        first_column=min(labelled) + 1,
        width=max(max(labelled), max(found.values())) + 1,
        labels={key: texts[idx] for key, idx in found.items()},
    )


# --------------------------------------------------------------------------------------------------------------
# Row streaming
# --------------------------------------------------------------------------------------------------------------

_TOTAL_ACCENTED = ("tổng cộng", "tổng số", "tổng", "cộng")
_TOTAL_PLAIN = ("tong cong", "tong so", "tong", "cong")
_SIGNATURE_RE = re.compile(
    r"^(nguoi (lap|lap bieu|ky|duyet|kiem tra|nhan)|tm|t m|kt|k t|tl|t l|chu tich|pho chu tich|ke toan|"
    r"ke toan truong|thu truong|thu truong don vi|giam doc|pho giam doc|xac nhan|lanh dao|thu quy|"
    r"truong (phong|ban|khom|ap)|cong chuc|can bo|uy ban nhan dan|ubnd|ky ten|ky ghi ro|ky va ghi ro)(\s|$)"
)
_SIGNATURE_DATE_RE = re.compile(r"\bngay\b.*\bthang\b.*\bnam\b")


def _is_total_label(text: str) -> bool:
    """"Tổng cộng", "Cộng: 340 người", "TONG CONG" … but not the names "Tống Công Minh" / "TONG CONG MINH".

    Accented labels keep their marks ("tổng" ≠ the surname "Tống", "cộng" ≠ "Công"). "Tổng cộng", "Tổng số"
    and "Cộng" may be followed by words ("Cộng khóm Mỹ Thới 1"); "Tổng" and the unaccented forms only by a
    non-letter (":", a number, end of text), so "TONG CONG MINH" stays a name.
    """
    t = " ".join(text.casefold().split())
    for label in _TOTAL_ACCENTED:
        if t.startswith(label):
            rest = t[len(label):]
            if not rest:
                return True
            if rest[0].isalpha():
                continue
            if label != "tổng" or not rest.lstrip()[:1].isalpha():
                return True
    if t.isascii():
        for label in _TOTAL_PLAIN:
            if t.startswith(label):
                rest = t[len(label):]
                if not rest or (not rest[0].isalpha() and not rest.lstrip()[:1].isalpha()):
                    return True
    return False


def _is_total_row(cells: list[Any], header: Header) -> bool:
    start = header.first_column - 1
    for v in cells[start:start + TOTAL_LABEL_COLUMNS]:
        if isinstance(v, str) and _is_total_label(unicodedata.normalize("NFC", v)):
            return True
    return False


def _is_signature_row(cells: list[Any]) -> bool:
    """A sparse all-text row (≤ 3 cells) with a signature marker or a "…, ngày … tháng … năm …" line."""
    filled = [v for v in cells if not _is_empty(v)]
    if not filled or len(filled) > 3 or not all(isinstance(v, str) for v in filled):
        return False
    for v in filled:
        folded = _fold_label(v)
        if _SIGNATURE_RE.match(folded) or _SIGNATURE_DATE_RE.search(folded):
            return True
    return False


def _is_data_like(values: dict[str, Any]) -> bool:
    """Enough filled mapped cells, one of them a number/date or text with a digit (signer names have none)."""
    filled = [v for v in values.values() if not _is_empty(v)]
    if len(filled) < max(2, math.ceil(len(values) / 2)):
        return False
    return any(not isinstance(v, str) or any(ch.isdigit() for ch in v) for v in filled)


def _is_repeated_header(values: dict[str, Any], labels: dict[str, str]) -> bool:
    """A copy of the header row (page repeat): ``labels`` are the header texts, casefolded."""
    same = sum(
        1
        for key, v in values.items()
        if isinstance(v, str) and " ".join(unicodedata.normalize("NFC", v).casefold().split()) == labels.get(key)
    )
    return same >= max(2, math.ceil(len(values) / 2))


def iter_rows(
    ws, header: Header, max_rows: int = DEFAULT_MAX_ROWS, stop_after_blank: int = 20
) -> Iterator[SheetRow]:
    """Stream the data rows below ``header`` as ``SheetRow`` objects (lazy; uses ``ws.iter_rows(values_only)``).

    * Blank rows (no value in any found column) are skipped; ``stop_after_blank`` consecutive blank rows end
      the table (this is what makes a bogus million-row dimension finish fast).
    * The total row — "Tổng cộng", "Tổng số", "Tổng", "Cộng …" (also without diacritics, e.g. "TONG CONG") in
      the first ``TOTAL_LABEL_COLUMNS`` columns of the table — is not yielded and ends the table.
    * A signature block row — a sparse text row like "Người lập biểu", "TM. ỦY BAN NHÂN DÂN", "Chủ tịch",
      "Vĩnh Mỹ, ngày 25 tháng 7 năm 2024" — ends the table.
    * After the end marker, up to ``LOOKAHEAD_ROWS`` further rows are checked: a data-like row there (a sub-total
      in the middle of the list, or a second table) raises ``ValidationError`` rather than being dropped silently.
    * A repeated header row or column-number row (page repeats) is skipped.
    * Values are never coerced: an empty cell or a formula without cached value is ``None``, not 0.

    Raises ``ValidationError`` when more than ``max_rows`` data rows are found (message names the cap), for
    data after the end marker and for a damaged sheet part; the error comes mid-iteration, so consume the whole
    iterator before committing anything.
    """
    _reset_dimensions(ws)
    width = max(header.width, max(header.columns.values()))
    index = {key: col - 1 for key, col in header.columns.items()}
    header_labels = {key: " ".join(text.casefold().split()) for key, text in header.labels.items()}
    count = 0
    blanks = 0
    ended_at: tuple[int, str] | None = None  # (row number, label) of the total row / signature block
    scanned_after = 0
    rows = _stream(ws, min_row=header.first_data_row, max_col=width)
    for row_number, raw in enumerate(rows, start=header.first_data_row):
        cells = _pad(raw, width)
        if all(_is_empty(v) for v in cells):
            blanks += 1
            if blanks >= stop_after_blank:
                return
            continue
        values = {key: cells[i] for key, i in index.items()}
        if ended_at is not None:
            blanks = 0
            scanned_after += 1
            if scanned_after > LOOKAHEAD_ROWS:
                return
            if _is_data_like(values) and not _is_total_row(cells, header) and not _is_signature_row(cells):
                raise ValidationError(
                    f"Có dữ liệu ở dòng {row_number}, sau dòng “{ended_at[1]}” (dòng {ended_at[0]}). "
                    "Nếu đó là dòng cộng phụ (theo khóm/ấp), hãy xoá dòng cộng; nếu là một bảng khác, "
                    "hãy tách ra tệp riêng rồi tải lên lại."
                )
            continue
        if _is_total_row(cells, header) or _is_signature_row(cells):
            ended_at = (row_number, _first_text(cells))
            blanks = 0
            continue
        if all(_is_empty(v) for v in values.values()):
            blanks += 1  # content only in columns the caller did not ask for
            if blanks >= stop_after_blank:
                return
            continue
        blanks = 0
        if _is_column_number_row(cells, min_filled=3) or _is_repeated_header(values, header_labels):
            continue
        count += 1
        if count > max_rows:
            cap = f"{max_rows:,}".replace(",", ".")
            raise ValidationError(
                f"Trang tính có quá nhiều dòng dữ liệu (tối đa {cap} dòng). Hãy chia danh sách thành nhiều tệp."
            )
        yield SheetRow(row_number=row_number, values=values)


def _first_text(cells: list[Any]) -> str:
    for v in cells:
        if isinstance(v, str) and v.strip():
            return " ".join(unicodedata.normalize("NFC", v).split())
    return ""


# --------------------------------------------------------------------------------------------------------------
# Typed cell helpers
# --------------------------------------------------------------------------------------------------------------


def _clean_text(v: str) -> str:
    return unicodedata.normalize("NFC", v).strip().strip(_INVISIBLE).strip()


def _shown(v: Any) -> str:
    """A cell value as shown in an error message."""
    if isinstance(v, datetime) and v.time() == time(0):
        return v.strftime("%d/%m/%Y")
    if isinstance(v, date) and not isinstance(v, datetime):
        return v.strftime("%d/%m/%Y")
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return f"“{_clean_text(v)}”" if isinstance(v, str) else str(v)


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
        text = _clean_text(v)
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
    text = _clean_text(str(v))
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
        text = _clean_text(v)
        _reject_excel_error(text, label)
        if text[:1] in ("'", "\u2019"):
            text = text[1:].strip()
        if re.fullmatch(r"\d+\.0+", text):
            text = text.split(".")[0]
        return text or None
    if isinstance(v, bool) or isinstance(v, (date, time, timedelta)):
        raise ValidationError(f"{label} không hợp lệ: {_shown(v)} (ô không chứa dãy số).")
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
    text = _clean_text(str(v))
    return text or None


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
        d = _as_date(v)
        serial = _serial(d, epoch_1904)
        if MIN_YEAR <= serial <= MAX_YEAR:
            return BirthDate(None, serial, True, year_from_serial=True)
        if serial < MIN_YEAR:
            raise ValidationError(
                f"{label} không hợp lệ: {_shown(d)} (ô ngày chứa một số nhỏ, không phải ngày sinh)."
            )
        return BirthDate(d, d.year, False)
    if isinstance(v, (int, float)):
        if isinstance(v, float) and (not math.isfinite(v) or not v.is_integer()):
            raise ValidationError(f"{label} không hợp lệ: {v!r}.")
        year = int(v)
        if MIN_YEAR <= year <= MAX_YEAR:
            return BirthDate(None, year, True)
        raise ValidationError(
            f"{label} không hợp lệ: {year} (không phải năm sinh; cần ghi ngày/tháng/năm hoặc năm có 4 chữ số)."
        )
    if not isinstance(v, str):
        raise ValidationError(f"{label} không hợp lệ: {_shown(v)}.")
    text = _clean_text(v)
    if not text:
        return None
    _reject_excel_error(text, label)
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
            raise ValidationError(f"{label} không hợp lệ: {_shown(d)} (ô ngày chứa một số, không phải tháng).")
        return d.replace(day=1)
    if not isinstance(v, str):
        raise ValidationError(f"{label} không hợp lệ: {_shown(v)} (cần dạng tháng/năm, ví dụ 07/2024).")
    text = _clean_text(v)
    if not text:
        return None
    _reject_excel_error(text, label)
    folded = " ".join(_strip_marks(text).split())
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
            raise ValidationError(f"{label} không hợp lệ: {_shown(d)} (ô ngày chứa một số, không phải ngày).")
        return d
    if not isinstance(v, str):
        raise ValidationError(f"{label} không hợp lệ: {_shown(v)} (cần dạng ngày/tháng/năm, ví dụ 02/08/2024).")
    text = _clean_text(v)
    if not text:
        return None
    _reject_excel_error(text, label)
    parts = _text_dmy(text, label, allow_zero=False)
    if parts is None:
        raise ValidationError(f"{label} không hợp lệ: “{text}” (cần dạng ngày/tháng/năm, ví dụ 02/08/2024).")
    day, month, year = parts
    return date(year, month, day)


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
        raise ValidationError(f"{label} không hợp lệ: {_shown(v)}.")
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        if not math.isfinite(v) or abs(v - round(v)) > 1e-6:
            raise ValidationError(f"{label} không hợp lệ: {v!r} (số tiền phải là số nguyên đồng).")
        return int(round(v))
    if not isinstance(v, str):
        raise ValidationError(f"{label} không hợp lệ: {_shown(v)}.")
    text = _clean_text(v)
    if not text:
        return None
    _reject_excel_error(text, label)
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
