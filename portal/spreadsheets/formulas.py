"""Formula cells whose result was never computed (công thức chưa có giá trị).

Owns ``formula_cells_without_value``: it streams one worksheet's XML straight from the zip (no workbook load)
and lists the formula cells without a cached value — the cells that read as ``None`` through ``open_workbook``
(files written by a program rather than saved by Excel). The clerk is shown that list ("mở tệp bằng Excel rồi
lưu lại") instead of the cells being taken as empty or 0.
"""

from __future__ import annotations

import posixpath
import zipfile
from xml.etree import ElementTree

from portal.errors import ValidationError

from .workbook import DAMAGED, DEFAULT_MAX_BYTES, Source, load_source, open_zip

__all__ = ["formula_cells_without_value"]

_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


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
    path, data = load_source(stream_or_path, max_bytes)
    archive = open_zip(path, data, max_bytes)
    try:
        sheet_path = _sheet_part(archive, sheet_title)
        found: list[str] = []
        with archive.open(sheet_path) as fh:
            for _event, elem in ElementTree.iterparse(fh, events=("end",)):
                if elem.tag == _MAIN_NS + "c":
                    formula = elem.find(_MAIN_NS + "f")
                    if formula is not None:
                        cached = elem.find(_MAIN_NS + "v")
                        if cached is None or not (cached.text or "").strip():
                            found.append(elem.get("r") or "?")
                            if len(found) >= limit:
                                break
                    elem.clear()
                elif elem.tag == _MAIN_NS + "row":
                    elem.clear()
        return found
    except (KeyError, ElementTree.ParseError) as exc:
        raise ValidationError(DAMAGED) from exc
    finally:
        archive.close()


def _sheet_part(archive: zipfile.ZipFile, sheet_title: str | None) -> str:
    """Zip member name of the worksheet called ``sheet_title`` (or the first one)."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target") for rel in rels.iter(_PKG_NS + "Relationship")}
    for sheet in workbook.iter(_MAIN_NS + "sheet"):
        if sheet_title is None or sheet.get("name") == sheet_title:
            target = targets.get(sheet.get(_REL_NS + "id"))
            if target is None:
                break
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
    raise ValidationError(f"Không tìm thấy trang tính “{sheet_title}”.")
