"""Text typed with a legacy Vietnamese font (bảng mã cũ TCVN3 / VNI) in a commune's spreadsheet, cell by cell: which
encoding each column and the file are in, the title block converted, and one row's text cells converted to Unicode
with each conversion listed (before → after) and a text that does not convert cleanly as a row error. The tables
and the detector are ``spreadsheets.legacy``; this module decides which cells they apply to. Source: pitfalls
§Spreadsheets item 7."""
from collections import Counter

from ...spreadsheets.legacy import fix_legacy
from ..registry.identity import nfc
from .columns import TEXT_KEYS


def title_lines(ws, header_row: int, encoding: str | None = None) -> list[str]:
    """Text cells of the title block (the rows above the header ``header_row``) of sheet ``ws``, NFC, in reading
    order; text typed with a legacy font is converted (``encoding``: the one found in the data rows, for cells the
    detector cannot decide)."""
    lines = []
    for raw in ws.iter_rows(min_row=1, max_row=max(1, header_row - 1), max_col=30, values_only=True):
        for value in raw:
            if isinstance(value, str) and value.strip():
                fixed = fix_legacy(value, encoding)
                lines.append(nfc(fixed.after if fixed else value))
    return lines


def column_encodings(rows) -> dict[str, str]:
    """Column key → the legacy encoding ("TCVN3" / "VNI") most of its text cells are detected in, for the columns
    where at least two cells are detected as such (single cells are still converted on their own). ``rows``:
    ``spreadsheets.rows.SheetRow``s."""
    found: dict[str, Counter] = {}
    for r in rows:
        values = r.values
        for key in TEXT_KEYS:
            value = values.get(key)
            if isinstance(value, str) and not value.isascii() and (fix := fix_legacy(value)) is not None:
                found.setdefault(key, Counter())[fix.encoding] += 1
    out = {}
    for key, counter in found.items():
        encoding, count = counter.most_common(1)[0]
        if count >= 2:
            out[key] = encoding
    return out


def file_encoding(columns: dict[str, str]) -> str | None:
    """The legacy encoding of the file: the one most of ``columns`` (``column_encodings``) are in, or None."""
    found = Counter(columns.values())
    return found.most_common(1)[0][0] if found else None


def convert_row(values: dict, refs: dict[str, str], encodings: dict[str, str], fonts: dict[str, str],
                errors: list[str], legacy: list[str]) -> dict:
    """``values`` (column key → raw cell value of one row) with the text typed in a legacy font converted to
    Unicode; each conversion appended to ``legacy`` as "Ô B12 (TCVN3): «NguyÔn» → «Nguyễn»", a text that does not
    convert cleanly appended to ``errors``. ``refs``: column key → the cell's reference ("B12").

    Only a cell whose font or content is legacy is converted: its text alone is detected as TCVN3 / VNI, or its
    font is a legacy one (``fonts``: cell reference → encoding; .VnTime → TCVN3, VNI-Times → VNI). When the file
    carries no legacy font at all (text pasted into cells of a Unicode font), an undecidable pure Latin-1 cell takes
    the encoding of its own column (``encodings``) — never that of the other columns of its row, so a Unicode
    "Khóm Hòa Bình" beside TCVN3 names stays as it is. ASCII text is never legacy: it is left as it is."""
    out = None
    for key in TEXT_KEYS:
        value = values.get(key)
        if not isinstance(value, str) or value.isascii():
            continue
        ref = refs[key]
        font = fonts.get(ref) if fonts else None
        assume = None if fonts else encodings.get(key)
        fix = fix_legacy(value, assume, font=font)
        if fix is None:
            continue
        if fix.doubtful:
            errors.append(f"Ô {ref}: chữ gõ bằng bảng mã cũ {fix.encoding} không chuyển được sang Unicode "
                          f"«{nfc(fix.before)}» → «{fix.after}». Hãy chuyển tệp sang Unicode (Unikey: Công cụ "
                          "chuyển mã) rồi tải lên lại.")
        else:
            legacy.append(f"Ô {ref} ({fix.encoding}): «{nfc(fix.before)}» → «{nfc(fix.after)}»")
            if out is None:
                out = dict(values)
            out[key] = fix.after
    return values if out is None else out
