"""Streaming the data rows below a found header (đọc các dòng dữ liệu).

Owns: ``SheetRow`` and ``iter_rows``, and the detection of where the table ends — the total row ("Tổng cộng",
"Cộng …", also without diacritics but never the surname "Tống Công …"), the signature block ("Người lập biểu",
"TM. ỦY BAN NHÂN DÂN", "…, ngày … tháng … năm …") or a run of empty rows — plus the look-ahead that refuses
data found after that end instead of dropping it. It never loops over the sheet's declared dimension, which
some tools write wrongly (a million rows, or "A1"). Cell values are yielded raw, never coerced.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from portal.errors import ValidationError

from .header import Header, fold_label, is_column_number_row, pad_row
from .legacy import decoded_variants
from .text import is_empty
from .workbook import reset_dimensions, stream_rows

__all__ = ["DEFAULT_MAX_ROWS", "LOOKAHEAD_ROWS", "TOTAL_LABEL_COLUMNS", "SheetRow", "iter_rows"]


DEFAULT_MAX_ROWS = 20_000
"""Default cap on data rows per sheet; bigger lists must be split (and big imports run as a job)."""


TOTAL_LABEL_COLUMNS = 4
"""The total-row label ("Tổng cộng") is looked for in this many columns from the first header column."""


LOOKAHEAD_ROWS = 500
"""After a total row or signature block, at most this many further rows are checked for stray data."""


@dataclass(frozen=True)
class SheetRow:
    """One data row: ``row_number`` is the 1-based Excel row; ``values`` maps each found column key to the raw
    cell value (str, int, float, datetime, bool or None — never coerced; a formula without cached value is None).
    Columns not found in the header (optional ones) are absent from ``values``.
    """

    row_number: int
    values: dict[str, Any]
    cells: list[Any] = field(default_factory=list)  # every cell of the row from column A, found columns or not


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
        if not isinstance(v, str):
            continue
        if _is_total_label(unicodedata.normalize("NFC", v)):
            return True
        head = v.lstrip()[:16]  # also typed with a legacy font: "Tæng céng" (TCVN3), "Toång coäng" (VNI)
        if head[:1] in "TtCc" and any(_is_total_label(t) for t in decoded_variants(head)):
            return True
    return False


def _is_signature_row(cells: list[Any]) -> bool:
    """A sparse all-text row (≤ 3 cells) with a signature marker or a "…, ngày … tháng … năm …" line."""
    filled = []
    for v in cells:
        if not is_empty(v):
            if len(filled) == 3 or not isinstance(v, str):
                return False  # a data row: a number, or more than three cells
            filled.append(v)
    if not filled:
        return False
    for v in filled:
        for text in (v, *decoded_variants(v)):  # also typed with a legacy font ("Ng\xadêi lËp biÓu")
            folded = fold_label(text)
            if _SIGNATURE_RE.match(folded) or _SIGNATURE_DATE_RE.search(folded):
                return True
    return False


def _is_data_like(values: dict[str, Any]) -> bool:
    """Enough filled mapped cells, one of them a number/date or text with a digit (signer names have none)."""
    filled = [v for v in values.values() if not is_empty(v)]
    if len(filled) < max(2, math.ceil(len(values) / 2)):
        return False
    return any(not isinstance(v, str) or any(ch.isdigit() for ch in v) for v in filled)


def _is_repeated_header(values: dict[str, Any], labels: dict[str, str]) -> bool:
    """A copy of the header row (page repeat): ``labels`` are the header texts, casefolded."""
    need = max(2, math.ceil(len(values) / 2))
    same, left = 0, len(values)
    for key, v in values.items():
        left -= 1
        if isinstance(v, str) and " ".join(unicodedata.normalize("NFC", v).casefold().split()) == labels.get(key):
            same += 1
        if same + left < need:
            return False  # a data row: the cells left cannot make it a header any more
    return same >= need


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
    reset_dimensions(ws)
    width = max(header.width, max(header.columns.values()))
    index = {key: col - 1 for key, col in header.columns.items()}
    header_labels = {key: " ".join(text.casefold().split()) for key, text in header.labels.items()}
    count = blanks = scanned_after = 0
    ended_at: tuple[int, str] | None = None  # (row number, label) of the total row / signature block
    rows = stream_rows(ws, min_row=header.first_data_row, max_col=width)
    for row_number, raw in enumerate(rows, start=header.first_data_row):
        cells = pad_row(raw, width)
        if all(is_empty(v) for v in cells):
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
            _refuse_data_after_end(values, cells, header, row_number, ended_at)
            continue
        if _is_total_row(cells, header) or _is_signature_row(cells):
            ended_at = (row_number, _first_text(cells))
            blanks = 0
            continue
        if all(is_empty(v) for v in values.values()):
            blanks += 1  # content only in columns the caller did not ask for
            if blanks >= stop_after_blank:
                return
            continue
        blanks = 0
        if is_column_number_row(cells, min_filled=3) or _is_repeated_header(values, header_labels):
            continue
        count += 1
        if count > max_rows:
            cap = f"{max_rows:,}".replace(",", ".")
            raise ValidationError(f"Trang tính có quá nhiều dòng dữ liệu (tối đa {cap} dòng). Hãy chia danh sách "
                                  "thành nhiều tệp.")
        yield SheetRow(row_number=row_number, values=values, cells=cells)


def _refuse_data_after_end(values: dict[str, Any], cells: list[Any], header: Header, row_number: int,
                           ended_at: tuple[int, str]) -> None:
    """Raise ``ValidationError`` when a row after the total row / signature block holds data (a sub-total in the
    middle of the list, or a second table) rather than dropping it silently."""
    if _is_data_like(values) and not _is_total_row(cells, header) and not _is_signature_row(cells):
        raise ValidationError(
            f"Có dữ liệu ở dòng {row_number}, sau dòng “{ended_at[1]}” (dòng {ended_at[0]}). "
            "Nếu đó là dòng cộng phụ (theo khóm/ấp), hãy xoá dòng cộng; nếu là một bảng khác, "
            "hãy tách ra tệp riêng rồi tải lên lại."
        )


def _first_text(cells: list[Any]) -> str:
    for v in cells:
        if isinstance(v, str) and v.strip():
            return " ".join(unicodedata.normalize("NFC", v).split())
    return ""
