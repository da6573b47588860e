"""The stored form of a read spreadsheet (bảng tính đã đọc, lưu kèm tệp tải lên): a ``ParsedSheet`` as compact text
kept with its ``ImportBatch`` (``summary["parsed"]``), so that the commit — often another process than the preview
(a background job) — does not read and type the file's cells again. Only the reading is stored: every rule of the
register is applied again at the commit (``imports.plan``).

``encode`` / ``decode``: JSON of one list per row (positions fixed by ``_ROW``), zlib level 1, base64 — about a
tenth of the JSON. ``decode`` gives None unless the text names the same ``key`` (the bytes, look-ups and limits the
sheet was read with, ``imports.rows``) and this module's ``VERSION``: a stale or foreign text is never used."""
import base64
import json
import zlib
from datetime import date
from decimal import Decimal

from ...spreadsheets.reading import BirthDate
from .departures import Departure
from .typed_row import CellRefs, ParsedRow

#: the stored form's version: change it whenever reading a row gives something else for the same cells
VERSION = 1
_ROW = ("row_number", "data", "national_id", "id_padded", "reason_from_note", "clerk_amount", "coefficient",
        "bank_text", "provider_code", "account_number", "errors", "warnings", "notices", "legacy", "departure")


def _day(d: date | None) -> str | None:
    return d.isoformat() if d is not None else None


def _undated(s: str | None) -> date | None:
    return date.fromisoformat(s) if s is not None else None


def _encode_data(data: dict) -> dict:
    out = dict(data)
    if "birth" in out:
        b = out["birth"]
        out["birth"] = [_day(b.day), b.year, b.year_only, b.year_from_serial]
    if "start_month" in out:
        out["start_month"] = _day(out["start_month"])
    return out


def _decode_data(data: dict) -> dict:
    if "birth" in data:
        day, year, year_only, from_serial = data["birth"]
        data["birth"] = BirthDate(_undated(day), year, year_only, from_serial)
    if "start_month" in data:
        data["start_month"] = _undated(data["start_month"])
    return data


def _encode_row(r: ParsedRow) -> list:
    d = r.departure
    return [r.row_number, _encode_data(r.data), r.national_id, r.id_padded, r.reason_from_note, r.clerk_amount,
            str(r.coefficient) if r.coefficient is not None else None, r.bank_text, r.provider_code,
            r.account_number, r.errors, r.warnings, r.notices, r.legacy,
            [d.kind, d.reason, _day(d.month), _day(d.event_date), d.cell, d.text] if d is not None else None]


def _decode_row(raw: list, letters: dict[str, str]) -> ParsedRow:
    row = ParsedRow(**dict(zip(_ROW, raw, strict=True)))
    row.refs = CellRefs(letters, row.row_number)
    row.data = _decode_data(row.data)
    if row.coefficient is not None:
        row.coefficient = Decimal(row.coefficient)
    if row.departure is not None:
        kind, reason, month, day, cell, text = row.departure
        row.departure = Departure(kind, reason, _undated(month), _undated(day), cell, text)
    return row


def encode(sheet, key: str, letters: dict[str, str]) -> str:
    """``sheet`` (``imports.rows.ParsedSheet``) read under ``key`` (a digest naming the bytes, look-ups and limits)
    as compact ASCII text. ``letters``: register field → the letter of its column (``SheetContext.field_letters``),
    from which each row's ``refs`` are made again rather than stored."""
    body = {"version": VERSION, "key": key, "title_month": _day(sheet.title_month), "found": sorted(sheet.found),
            "title_lines": sheet.title_lines, "legacy_encoding": sheet.legacy_encoding,
            "formula_cells": sheet.formula_cells, "sheet_title": sheet.sheet_title, "hidden_rows": sheet.hidden_rows,
            "field_letters": letters, "rows": []}
    head = _dumps(body)
    packer = zlib.compressobj(1)
    parts = [packer.compress(head[:-3].encode())]  # the rows take the place of the empty list "[]}", by chunks
    for start in range(0, len(sheet.rows), 500):
        chunk = ",".join(_dumps(_encode_row(r)) for r in sheet.rows[start:start + 500])
        parts.append(packer.compress((("," if start else "[") + chunk).encode()))
    parts.append(packer.compress(("]}" if sheet.rows else "[]}").encode()))
    parts.append(packer.flush())
    return base64.b64encode(b"".join(parts)).decode("ascii")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def decode(text: str | None, key: str, sheet_type):
    """The ``sheet_type`` (``ParsedSheet``) stored as ``text`` by ``encode`` under the same ``key`` and
    ``VERSION``, else None (also for text that is not such a form)."""
    if not text:
        return None
    try:
        body = json.loads(zlib.decompress(base64.b64decode(text)))
    except (ValueError, zlib.error):
        return None
    if not isinstance(body, dict) or body.get("version") != VERSION or body.get("key") != key:
        return None
    letters = body["field_letters"]
    return sheet_type([_decode_row(r, letters) for r in body["rows"]], _undated(body["title_month"]),
                      set(body["found"]), body["title_lines"], body["legacy_encoding"], body["formula_cells"],
                      body["sheet_title"], body["hidden_rows"], letters)
