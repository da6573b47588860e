"""Formula cells whose result was never computed (công thức chưa có giá trị), hidden rows (dòng bị ẩn) and
cells in a legacy Vietnamese font (phông chữ TCVN3 / VNI) of an .xlsx sheet.

Owns ``sheet_facts`` (all three in one pass) and ``formula_cells_without_value``: they stream one worksheet's
XML straight from the zip (no workbook load). Formula cells without a cached value read as ``None`` through
``open_workbook`` (files written by a program rather than saved by Excel); the clerk is shown their list ("mở tệp
bằng Excel rồi lưu lại") instead of the cells being taken as empty or 0.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

from portal.errors import ValidationError

from .workbook import DAMAGED, DEFAULT_MAX_BYTES, Source, load_source, open_zip

__all__ = ["SheetFacts", "formula_cells_without_value", "legacy_font_encoding", "sheet_facts"]

_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass(frozen=True)
class SheetFacts:
    """What openpyxl's read-only mode does not tell about one worksheet, read from its XML in one pass.

    ``formula_cells``: references of formula cells without a cached value (``["J9", "J10"]``, sheet order, at most
    ``limit``); ``hidden_rows``: 1-based numbers of rows hidden in Excel (also rows hidden by a filter);
    ``legacy_fonts``: cell reference → "TCVN3" / "VNI" for text cells formatted with a legacy Vietnamese font
    (.VnTime, .VnArial, .VnTimeH … → TCVN3; VNI-Times, VNI-Helve … → VNI)."""

    formula_cells: list[str] = field(default_factory=list)
    hidden_rows: frozenset[int] = frozenset()
    legacy_fonts: dict[str, str] = field(default_factory=dict)


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b[^>]*?\br=\"(\d+)\"[^>]*>")
_HIDDEN_ATTR = re.compile(rb"\shidden=\"(?:1|true)\"")


def legacy_font_encoding(font_name: str | None) -> str | None:
    """"TCVN3" for a TCVN3/ABC font (name starting ".Vn"), "VNI" for a VNI font ("VNI-Times"), else ``None``."""
    name = (font_name or "").strip().casefold()
    if name.startswith(".vn"):
        return "TCVN3"
    if name.startswith("vni"):
        return "VNI"
    return None


def sheet_facts(
    stream_or_path: Source, sheet_title: str | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES, limit: int = 200
) -> SheetFacts:
    """Formula cells without a value, hidden rows and legacy-font text cells of one .xlsx worksheet (``SheetFacts``).

    ``sheet_title``: the worksheet name (default: the first sheet). Streams the sheet XML (no workbook load).
    Raises ``ValidationError`` like ``open_workbook`` for a file that is not an .xlsx, and when the sheet is
    missing.
    """
    path, data = load_source(stream_or_path, max_bytes)
    archive = open_zip(path, data, max_bytes)
    try:
        sheet_path = _sheet_part(archive, sheet_title)
        legacy_styles = _legacy_styles(archive)
        xml = archive.read(sheet_path)
        if not legacy_styles and not _FORMULA_TAG.search(xml):  # the common case: a regex pass is enough
            return SheetFacts(hidden_rows=frozenset(
                int(m.group(1)) for m in _ROW_TAG.finditer(xml) if _HIDDEN_ATTR.search(m.group(0))))
        found: list[str] = []
        hidden: set[int] = set()
        fonts: dict[str, str] = {}
        c_tag, row_tag, f_tag, v_tag = (_MAIN_NS + t for t in ("c", "row", "f", "v"))
        with io.BytesIO(xml) as fh:
            for _event, elem in ElementTree.iterparse(fh, events=("end",)):
                if elem.tag == c_tag:
                    if len(found) < limit and elem.find(f_tag) is not None:
                        cached = elem.find(v_tag)
                        if cached is None or not (cached.text or "").strip():
                            found.append(elem.get("r") or "?")
                    if legacy_styles and elem.get("t") in ("s", "inlineStr", "str"):
                        encoding = legacy_styles.get(elem.get("s") or "0")
                        if encoding:
                            fonts[elem.get("r") or "?"] = encoding
                elif elem.tag == row_tag:
                    if elem.get("hidden") in ("1", "true") and (elem.get("r") or "").isdigit():
                        hidden.add(int(elem.get("r")))
                    elem.clear()
        return SheetFacts(found, frozenset(hidden), fonts)
    except (KeyError, ElementTree.ParseError) as exc:
        raise ValidationError(DAMAGED) from exc
    finally:
        archive.close()


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
    return sheet_facts(stream_or_path, sheet_title, max_bytes=max_bytes, limit=limit).formula_cells


def _legacy_styles(archive: zipfile.ZipFile) -> dict[str, str]:
    """Cell style index (the ``s`` attribute, as text) → "TCVN3" / "VNI" for the styles using a legacy font."""
    if "xl/styles.xml" not in archive.namelist():
        return {}
    styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
    fonts_el = styles.find(_MAIN_NS + "fonts")
    xfs_el = styles.find(_MAIN_NS + "cellXfs")
    if fonts_el is None or xfs_el is None:
        return {}
    encodings = []
    for font in fonts_el.findall(_MAIN_NS + "font"):
        name = font.find(_MAIN_NS + "name")
        encodings.append(legacy_font_encoding(name.get("val") if name is not None else None))
    out: dict[str, str] = {}
    for i, xf in enumerate(xfs_el.findall(_MAIN_NS + "xf")):
        font_id = int(xf.get("fontId") or 0)
        if font_id < len(encodings) and encodings[font_id]:
            out[str(i)] = encodings[font_id]
    return out


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
