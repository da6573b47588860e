"""Finding the header row of a sheet by its labels (tìm dòng tiêu đề).

Owns: the column specs a caller asks for (``Column``), the located table (``Header``), label normalisation
(``fold_label`` / ``_label_keys``: casefold, marks stripped, đ→d, punctuation and parenthesised parts ignored)
and ``find_header``, which scans the first rows for the best-matching header — also a two-row header with merged
group titles, or a header followed by a row of column numbers "(1)", "(2)", … The helpers ``pad_row``,
``is_column_number_row`` and ``fold_label`` are shared with ``rows`` (data-row streaming).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from openpyxl.utils import get_column_letter

from portal.errors import ValidationError

from .legacy import decoded_variants
from .text import clean_text, is_empty, strip_marks
from .workbook import reset_dimensions, stream_rows

__all__ = ["HEADER_MAX_COLUMNS", "Column", "Header", "find_header", "find_table"]


HEADER_MAX_COLUMNS = 100
"""Header labels are looked for in the first this-many columns."""


@lru_cache(maxsize=8192)
def fold_label(text: str) -> str:
    """Label key: NFC+casefold, marks stripped, every non-alphanumeric run → one space."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", strip_marks(text)).split())


_PAREN_RE = re.compile(r"\([^()]*\)")


@lru_cache(maxsize=4096)
def _label_keys(text: str) -> frozenset[str]:
    """All comparison keys of one label: as written and without parenthesised parts ("Mức trợ cấp (đồng)"), also
    read as TCVN3 / VNI text when it holds Latin-1 letters (``legacy.decoded_variants``)."""
    keys = {fold_label(text), fold_label(_PAREN_RE.sub(" ", text))}
    for decoded in decoded_variants(text):  # a header typed with a legacy font: "Hä vµ tªn", "Hoï vaø teân"
        keys |= {fold_label(decoded), fold_label(_PAREN_RE.sub(" ", decoded))}
    keys.discard("")
    return frozenset(keys)


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


def _cell_str(v: Any) -> str:
    """Stripped NFC text of a header/marker cell ("" for empty; numbers as digits)."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return clean_text(str(v))


_COLNUM_RE = re.compile(r"^\(\s*(\d{1,3})\s*\)|^(\d{1,3})$|^\(?\s*([A-Za-z])\s*\)?$")


def is_column_number_row(cells: Sequence[Any], min_filled: int = 2) -> bool:
    """True for a row like "(1)","(2)",… or 1,2,3,… or "A","B",… ("(10)=(9)x500.000" counts as 10).

    Numbers must be at most 200 and strictly increasing, so a sparse data row (STT 5, year 1950) is not one.
    """
    numbers: list[int] = []
    filled = 0
    for v in cells:
        if is_empty(v):
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
        and all(a < b for a, b in zip(numbers, numbers[1:], strict=False))
    )


def pad_row(row: Sequence[Any], width: int) -> list[Any]:
    """The first ``width`` cells of ``row``, padded with None up to ``width``."""
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
    for up_raw, low_raw in zip(upper, lower, strict=False):
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
            keys.add(fold_label(f"{_PAREN_RE.sub(' ', up)} {_PAREN_RE.sub(' ', low)}"))
        keys.discard("")
        candidates.append(keys)
        texts.append(" ".join(t for t in (up, low) if t))
    return candidates, texts


def _is_subheader(upper: list[Any], lower: list[Any]) -> bool:
    """A second header row: only digit-free texts, at least one under an empty (merged) upper cell."""
    filled = [(u, v) for u, v in zip(upper, lower, strict=False) if not is_empty(v)]
    if not filled:
        return False
    if any(not isinstance(v, str) or any(ch.isdigit() for ch in v) for _, v in filled):
        return False
    return any(is_empty(u) for u, _ in filled)


def _best_header_row(rows: list[list[Any]], columns: Sequence[Column], scan_rows: int):
    """(score, row index, rows used, column key → index, texts) of the best header among the first ``scan_rows``
    ``rows``, each tried alone and composed with the row below; None when no row has a known label."""
    best: tuple[tuple[int, int, int, int], int, int, dict[str, int], list[str]] | None = None
    for r in range(min(scan_rows, len(rows))):
        upper = rows[r]
        if all(is_empty(v) for v in upper):
            continue
        texts = [_cell_str(v) for v in upper]
        options = [(_match(columns, [_label_keys(t) for t in texts]), 1, texts)]
        lower = rows[r + 1]
        if not is_column_number_row(lower) and not all(is_empty(v) for v in lower):
            cands, ctexts = _compose(upper, lower)
            options.append((_match(columns, cands), 2, ctexts))
        for opt_found, nrows, opt_texts in options:
            key = (*_score(columns, opt_found), -nrows, -r)
            if opt_found and (best is None or key > best[0]):
                best = (key, r, nrows, opt_found, opt_texts)
    return best


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
    reset_dimensions(ws)
    rows = [
        pad_row(row, HEADER_MAX_COLUMNS)
        for row in stream_rows(ws, min_row=1, max_row=scan_rows + 2, max_col=HEADER_MAX_COLUMNS)
    ]
    rows += [[None] * HEADER_MAX_COLUMNS] * (scan_rows + 2 - len(rows))

    best = _best_header_row(rows, columns, scan_rows)
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
    labelled = [i for i in range(HEADER_MAX_COLUMNS) if any(not is_empty(rows[r + k][i]) for k in range(nrows))]
    first_data = r + nrows
    while first_data < len(rows) and is_column_number_row(rows[first_data]):
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


def find_table(wb, columns: Sequence[Column], scan_rows: int = 30):
    """The sheet holding the table and its header: ``(worksheet, Header)``.

    Tries the visible sheets in order, then the hidden ones, with ``find_header``; the first sheet whose header
    has every required column wins (a list on the second sheet, behind a cover or instructions sheet, is found).
    Raises ``ValidationError``: when no sheet has the table, the message of the sheet that came closest (a header
    with missing columns beats no header at all), naming the sheets looked at when there are several.
    """
    sheets = sorted(wb.worksheets, key=lambda ws: getattr(ws, "sheet_state", "visible") != "visible")
    errors: list[ValidationError] = []
    for ws in sheets:
        try:
            return ws, find_header(ws, columns, scan_rows)
        except ValidationError as err:
            if str(err).startswith("Không tìm thấy cột"):
                errors.insert(0, err)
            else:
                errors.append(err)
    message = str(errors[0])
    if len(sheets) > 1:
        names = ", ".join(f"“{ws.title}”" for ws in sheets)
        message = f"{message.rstrip('.')} — đã xem {len(sheets)} trang tính: {names}."
    raise ValidationError(message)
