"""Reading old Excel 97-2003 (.xls) and OpenDocument (.ods) spreadsheets (đọc tệp .xls và .ods) with python-calamine,
and the values of a large .xlsx fast (the commune import).

Owns ``CalamineBook`` / ``CalamineSheet``: a small read-only workbook with the part of openpyxl's read-only
interface the readers use (``worksheets``, ``epoch``, ``close``; per sheet ``title``, ``sheet_state``,
``iter_rows(min_row, max_row, max_col, values_only=True)``, ``reset_dimensions``), so header detection, row
streaming and typed cells are the same for .xlsx, .xls and .ods. Cell values: text (``str``), ``int`` / ``float``,
``date`` / ``datetime`` / ``time``, ``bool``; an empty cell is ``None`` (calamine's ``""``). Formulas read as the
value the spreadsheet program saved. Calamine does not report row visibility: ``hidden_rows`` of an .ods sheet
are read from its ``content.xml`` (``table:visibility``), of an .xls sheet by xlrd (the ROW records' hidden flag,
``formatting_info=True``), only when asked for.
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree

import python_calamine
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

from portal.errors import ValidationError

from .messages import DAMAGED

__all__ = ["CalamineBook", "CalamineSheet"]

_TABLE_NS = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


class CalamineSheet:
    """One worksheet read in full by calamine (``title``; 1-based row numbers as in the file)."""

    def __init__(self, book: python_calamine.CalamineWorkbook, index: int, title: str, visible: bool,
                 hidden_source=None):
        self._book, self._index, self.title = book, index, title
        self.sheet_state = "visible" if visible else "hidden"
        self._rows: list[tuple] | None = None
        self._hidden: frozenset[int] | None = None
        self._hidden_source = hidden_source  # () → {sheet name: hidden rows} of the whole book, read on demand

    @property
    def hidden_rows(self) -> frozenset[int]:
        """1-based numbers of the rows hidden in the file (also rows hidden by a filter); empty when the file does
        not say (a damaged or unusual formatting part)."""
        if self._hidden is None:
            self._hidden = self._hidden_source().get(self.title, frozenset()) if self._hidden_source else frozenset()
        return self._hidden

    def _load(self) -> list[tuple]:
        if self._rows is None:
            try:
                sheet = self._book.get_sheet_by_index(self._index)
            except Exception as exc:
                raise ValidationError(DAMAGED) from exc
            try:
                # a cell as openpyxl gives it: "" → None, an integral float below 10¹⁵ → int (calamine reads every
                # number as a float; larger ones stay floats so the 15-digit check still sees them)
                self._rows = [tuple(None if v == "" else int(v) if type(v) is float and v.is_integer()
                                    and abs(v) < 1e15 else v for v in raw)
                              for raw in sheet.to_python(skip_empty_area=False)]
            except Exception as exc:  # CalamineError, XmlError, ZipError … on a damaged sheet part
                raise ValidationError(DAMAGED) from exc
        return self._rows

    def iter_rows(self, min_row: int = 1, max_row: int | None = None, max_col: int | None = None,
                  values_only: bool = True) -> Iterator[tuple[Any, ...]]:
        """Rows ``min_row``…``max_row`` (1-based, inclusive) as tuples of at most ``max_col`` values."""
        rows = self._load()
        end = len(rows) if max_row is None else min(max_row, len(rows))
        for row in rows[min_row - 1:end]:
            yield row[:max_col] if max_col is not None else row

    def reset_dimensions(self) -> None:
        """Nothing to do: calamine reads the cells that exist."""


class CalamineBook:
    """A read-only workbook (``format`` "xls" or "ods") with openpyxl-like ``worksheets``, ``epoch`` and ``close``.

    Raises ``python_calamine.CalamineError`` (and ``PasswordError``) from the constructor for a file calamine
    cannot read; ``open_workbook`` turns them into a Vietnamese ``ValidationError``."""

    def __init__(self, data: bytes, fmt: str):
        self.format = fmt
        self._book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        self.epoch = _xlsx_epoch(data) if fmt == "xlsx" else CALENDAR_WINDOWS_1900
        read = {"ods": _ods_hidden_rows, "xls": _xls_hidden_rows}.get(fmt)
        hidden = functools.cache(lambda: read(data))  # read once for the book, when a sheet first asks
        visible = python_calamine.SheetVisibleEnum.Visible
        self.worksheets = [CalamineSheet(self._book, i, meta.name, meta.visible == visible,
                                         hidden if read is not None else None)
                           for i, meta in enumerate(self._book.sheets_metadata)
                           if meta.typ == python_calamine.SheetTypeEnum.WorkSheet]

    def close(self) -> None:
        self._book.close()


def _xlsx_epoch(data: bytes):
    """openpyxl's epoch constant of an .xlsx: the Mac 1904 date system when ``workbookPr date1904`` is set (calamine
    already dates cells right; the epoch is still needed to tell a year typed into a date cell)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        head = archive.read("xl/workbook.xml")[:4096]
    return CALENDAR_MAC_1904 if re.search(rb'date1904="(1|true)"', head) else CALENDAR_WINDOWS_1900


def _xls_hidden_rows(data: bytes) -> dict[str, frozenset[int]]:
    """Sheet name → 1-based numbers of the rows hidden (or filtered out) in an .xls (BIFF8): xlrd's
    ``rowinfo_map[r].hidden``, read with ``formatting_info=True``. An empty map when xlrd cannot read the
    formatting (calamine has read the values already)."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True,
                                  logfile=io.StringIO())
    except Exception:  # xlrd.XLRDError, CompDocError, struct.error … on a file calamine could read
        return {}
    try:
        found = {}
        for index, name in enumerate(book.sheet_names()):
            try:
                sheet = book.sheet_by_index(index)
            except Exception:
                continue
            found[name] = frozenset(r + 1 for r, info in sheet.rowinfo_map.items() if info.hidden)
            book.unload_sheet(index)
        return found
    finally:
        book.release_resources()


def _ods_hidden_rows(data: bytes) -> dict[str, frozenset[int]]:
    """Sheet name → 1-based numbers of the rows hidden (``collapse``) or filtered out (``filter``) in an .ods."""
    found: dict[str, frozenset[int]] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open("content.xml") as fh:
            name, row, hidden = None, 0, set()
            for event, elem in ElementTree.iterparse(fh, events=("start", "end")):
                if elem.tag == _TABLE_NS + "table":
                    if event == "start":
                        name, row, hidden = elem.get(_TABLE_NS + "name"), 0, set()
                    else:
                        found[name or ""] = frozenset(hidden)
                        elem.clear()
                elif elem.tag == _TABLE_NS + "table-row" and event == "start":
                    repeat = min(int(elem.get(_TABLE_NS + "number-rows-repeated") or 1), 1_048_576)
                    if elem.get(_TABLE_NS + "visibility") in ("collapse", "filter") and repeat <= 100_000:
                        hidden.update(range(row + 1, row + repeat + 1))
                    row += repeat
                elif elem.tag == _TABLE_NS + "table-row":
                    elem.clear()
    except (KeyError, ValueError, zipfile.BadZipFile, ElementTree.ParseError):
        return {}
    return found
