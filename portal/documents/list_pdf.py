"""Fast PDF engine for list-shaped documents (danh sách dạng bảng dài) — ReportLab, own pagination.

Why not WeasyPrint here (figures from ``make bench`` → ``bench/pdf_lists.py``, this 2-core machine): a payout list of
1.000 rows took 18 s in WeasyPrint even in 400-row chunks (idle machine), a 10.000-row one minutes; LibreOffice
prints the same rows in about 1,7 s / 3,6 s. This engine lays the list out itself — every row's height is known from
its wrapped text, so pagination is exact arithmetic, with no splitting of a long table (ReportLab's own ``Table``
split is superlinear) — and draws each page with one ReportLab text object and one set of grid lines: 1.000 rows in
~0,3 s, 10.000 rows in ~2,8 s on one core, ~200 MB peak. One core is enough for the goal, so two lists can render at
once on the two cores (two job threads / RQ workers) and there is no merge step. Prose documents (letters,
decisions, reports) stay in WeasyPrint (``portal.documents.renderer``).

ReportLab internals used (pinned ``reportlab==5.1.0``, covered by tests/documents/test_long_lists.py):
``PDFTextObject._formatText`` / ``_code`` / ``_curSubset`` to memoise the subset encoding of repeated cell texts.

Layout rules kept (Decree 30/2020/NĐ-CP Phụ lục I and pitfalls §PDFs):

* A4 landscape, margins top 20 mm, right 15 mm, bottom 20 mm, left 30 mm; only Liberation Serif 2.x (Times New Roman
  metrics, Vietnamese coverage), embedded as subsets.
* Page 1 carries the Decree 30 heading (issuing body with its short rule, Quốc hiệu and underlined Tiêu ngữ, place
  and date), then the title lines.
* The header rows (titles and the column numbers "(1)", "(2)", …) are repeated on every page; a row never splits
  across pages (a row taller than a page is impossible: cells wrap at column width).
* The totals row, the amount in words and the signatures stay together with at least the last row.
* Page numbers: Arabic numerals, 13 pt, centred in the top margin, none on page 1 (Decree 30). The total page count is
  known before drawing, so nothing is stamped afterwards.

API: :func:`render_list` (``ListSpec`` + rows of strings → PDF bytes). Rows are already formatted text (money as
``1.234.567``); cells wrap at word boundaries, and a word wider than its column breaks between characters.
Errors: :class:`~portal.documents.renderer.DocumentRenderError` when Liberation Serif 2.x is not installed
(Debian ``fonts-liberation2``), ``ValueError`` for a spec whose widths or row lengths do not match its columns.
"""
from __future__ import annotations

import datetime as _dt
import re
import subprocess
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from .official import PDF_CREATOR, PDF_LANG, pdf_meta
from .renderer import DocumentRenderError

PAGE_W, PAGE_H = landscape(A4)
MARGIN_TOP, MARGIN_RIGHT, MARGIN_BOTTOM, MARGIN_LEFT = 20 * mm, 15 * mm, 20 * mm, 30 * mm
TEXT_W = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT          # 252 mm
TEXT_TOP = PAGE_H - MARGIN_TOP
TEXT_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM

REGULAR, BOLD, ITALIC, BOLD_ITALIC = "LiberationSerif", "LiberationSerif-Bold", "LiberationSerif-Italic", \
    "LiberationSerif-BoldItalic"
_FONT_FILES = {REGULAR: "LiberationSerif-Regular.ttf", BOLD: "LiberationSerif-Bold.ttf",
               ITALIC: "LiberationSerif-Italic.ttf", BOLD_ITALIC: "LiberationSerif-BoldItalic.ttf"}
_FONT_DIRS = [Path("/usr/share/fonts/truetype/liberation2"), Path("/usr/share/fonts/truetype/liberation")]

#: Table text: 10 pt, line height 1.15, cell padding 2 pt (top/bottom) × 3 pt (left/right), 0.5 pt grid.
BODY_SIZE, HEADER_NUM_SIZE, LEADING = 10.0, 9.0, 11.5
PAD_X, PAD_Y, GRID = 3.0, 2.0, 0.5

Progress = Callable[[int, str], None]


# --------------------------------------------------------------------------------------------------------------------
# Fonts and text
# --------------------------------------------------------------------------------------------------------------------

_fonts_ready = False
_fonts_lock = threading.Lock()


def _font_path(filename: str) -> Path:
    for folder in _FONT_DIRS:
        if (folder / filename).is_file():
            return folder / filename
    try:  # elsewhere (another distribution): ask fontconfig
        out = subprocess.run(["fc-match", "-f", "%{file}", f"Liberation Serif:{filename[16:-4]}"],
                             capture_output=True, text=True, timeout=10).stdout
        if out.endswith(filename):
            return Path(out)
    except (OSError, subprocess.SubprocessError):
        pass
    raise DocumentRenderError(f"Font {filename} not found: install the Debian package fonts-liberation2")


def register_fonts() -> None:
    """Register the four Liberation Serif faces with ReportLab (once per process). Refuses Liberation Serif 1.x,
    which lacks Vietnamese letters such as "ệ" (raises :class:`DocumentRenderError`)."""
    global _fonts_ready
    with _fonts_lock:  # job threads of the in-process runner may start two lists at once
        if _fonts_ready:
            return
        for name, filename in _FONT_FILES.items():
            font = TTFont(name, str(_font_path(filename)))
            if 0x1EC7 not in font.face.charToGlyph:  # "ệ"
                raise DocumentRenderError(f"{filename} lacks Vietnamese glyphs: install fonts-liberation2 (2.x)")
            pdfmetrics.registerFont(font)
        pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=ITALIC, boldItalic=BOLD_ITALIC)
        _fonts_ready = True


_font_objects: dict[str, TTFont] = {}


def width(text: str, font: str, size: float) -> float:
    """Width of ``text`` in points (fonts registered by :func:`register_fonts`)."""
    face = _font_objects.get(font)
    if face is None:
        face = _font_objects[font] = pdfmetrics.getFont(font)
    return face.stringWidth(text, size)


def _break_word(word: str, font: str, size: float, max_width: float) -> list[str]:
    """A word wider than ``max_width`` in pieces: after a "." or "/" when possible (1.039.500.000 → "1.039.500." +
    "000"), else between characters."""
    pieces = []
    while len(word) > 1 and width(word, font, size) > max_width:
        cut = len(word) - 1
        while cut > 1 and width(word[:cut], font, size) > max_width:
            cut -= 1
        soft = max(word.rfind(".", 0, cut), word.rfind("/", 0, cut))
        if soft > 0:
            cut = soft + 1
        pieces.append(word[:cut])
        word = word[cut:]
    return pieces + [word]


def wrap(text: str, font: str, size: float, max_width: float, break_words: bool = True) -> list[str]:
    """``text`` broken into lines no wider than ``max_width`` pt: at spaces, and inside a word only when the word
    alone is too wide (``break_words=False``: such a word overflows instead, as in header cells). Explicit "\n"
    are kept. Never returns an empty list."""
    lines: list[str] = []
    for para in (text or "").split("\n"):
        if width(para, font, size) <= max_width:
            lines.append(para)
            continue
        current = ""
        for word in para.split():
            candidate = f"{current} {word}" if current else word
            if width(candidate, font, size) <= max_width:
                current = candidate
                continue
            if current:
                lines.append(current)
            pieces = _break_word(word, font, size, max_width) if break_words else [word]
            lines.extend(pieces[:-1])
            current = pieces[-1]
        lines.append(current)
    return lines or [""]


#: where a unit name may break (between phrases): after " - " and before an administrative-unit word
#: ("ỦY BAN NHÂN DÂN | TỈNH AN GIANG", "PHÒNG LAO ĐỘNG - | THƯƠNG BINH VÀ XÃ HỘI | THÀNH PHỐ CHÂU ĐỐC"); "VÀ XÃ HỘI"
#: and "THỊ XÃ" are not unit starts.
_PHRASE_BREAK = re.compile(r"(?<=\s-)\s+|(?<!\sVÀ)(?<!^VÀ)(?<!THỊ)\s+(?=(?:TỈNH|HUYỆN|QUẬN|THÀNH PHỐ|THỊ XÃ|THỊ TRẤN|"
                           r"PHƯỜNG|XÃ|ĐẶC KHU)\s)")


def wrap_phrases(text: str, font: str, size: float, max_width: float) -> list[str]:
    """A unit name (tên cơ quan) in lines broken only between phrases (see ``_PHRASE_BREAK``), so "TỈNH AN GIANG"
    or "THƯƠNG BINH VÀ XÃ HỘI" never splits; a phrase wider than ``max_width`` alone falls back to :func:`wrap`."""
    lines: list[str] = []
    for para in (text or "").split("\n"):
        current = ""
        for phrase in _PHRASE_BREAK.split(para.strip()):
            candidate = f"{current} {phrase}" if current else phrase
            if width(candidate, font, size) <= max_width:
                current = candidate
                continue
            if current:
                lines.append(current)
            pieces = wrap(phrase, font, size, max_width)
            lines.extend(pieces[:-1])
            current = pieces[-1]
        lines.append(current)
    return lines or [""]


#: a money/number cell ("35.500.000", "2.476.850.000 đ", "-180.000"): never wrapped, shrunk to fit instead
_NUMBER_RE = re.compile(r"^[-−+]?\d[\d.,]*(?:\s?(?:đ|đồng))?$")
MIN_NUMBER_SIZE = 6.0


# --------------------------------------------------------------------------------------------------------------------
# Spec
# --------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A table column: ``title`` (bold header, wraps), ``share`` of the 252 mm text width in percent, ``align``
    LEFT | CENTER | RIGHT for the body cells."""

    title: str
    share: float
    align: str = "LEFT"


@dataclass(frozen=True)
class Signer:
    """A signature column: ``title`` UPPER bold ("\\n" separates lines), ``hint`` italic, ``name`` bold below the
    signing space ("" = written by hand)."""

    title: str
    name: str = ""
    hint: str = "(Ký, ghi rõ họ tên)"


@dataclass
class ListSpec:
    """Everything around the rows of a list document.

    Heading (Decree 30): ``issuer_parent`` (upright, may be ""), ``issuer`` (bold), ``document_number`` ("Số: …",
    optional), ``place`` + ``issued_on`` (date) → "Châu Đốc, ngày 05 tháng 08 năm 2024". ``title_lines``: list of
    ``(text, style)`` with style ``title`` (bold 14 pt), ``subtitle`` (bold 13,5 pt), ``meta`` (13 pt) or ``status``
    (italic 11 pt, right-aligned), printed under the heading on page 1. ``columns``: :class:`Column` list (shares
    must add up to 100). ``totals``: the bold last row — cell texts, one per column, with ``totals_spans`` as
    ``(first, last)`` column index pairs merged into one cell. ``words``: "Bằng chữ: …" text (italic label) or "".
    ``signers``: signature columns. ``min_row_height``: pt (e.g. 11 mm for a "Ký nhận" column). ``pdf_title``:
    document metadata title; ``pdf_author`` (default: the issuing organisation's display name found from the
    heading, ``official.issuing_org_name``), ``pdf_subject`` (default: the title lines after the first),
    ``pdf_keywords`` (default: document number and "trợ giúp xã hội") — see :func:`_set_metadata`."""

    issuer_parent: str
    issuer: str
    place: str
    issued_on: _dt.date
    columns: list[Column]
    title_lines: list[tuple[str, str]] = field(default_factory=list)
    document_number: str = ""
    totals: list[str] | None = None
    totals_spans: list[tuple[int, int]] = field(default_factory=list)
    words: str = ""
    signers: list[Signer] = field(default_factory=list)
    min_row_height: float = 0.0
    pdf_title: str = ""
    pdf_author: str = ""
    pdf_subject: str = ""
    pdf_keywords: str = ""

    def __post_init__(self) -> None:
        if abs(sum(c.share for c in self.columns) - 100) > 0.01:
            raise ValueError("column shares must add up to 100")
        if self.totals is not None and len(self.totals) != len(self.columns):
            raise ValueError("totals must have one cell per column")


# --------------------------------------------------------------------------------------------------------------------
# Heading and footer (drawn directly on the canvas; with canvas=None only measured)
# --------------------------------------------------------------------------------------------------------------------

TITLE_STYLES = {"title": (BOLD, 14.0), "subtitle": (BOLD, 13.5), "meta": (REGULAR, 13.0), "status": (ITALIC, 11.0)}


def _formal_date(day: _dt.date) -> str:
    return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year:04d}"


def _heading(c: Canvas | None, spec: ListSpec, top: float) -> float:
    """Decree 30 heading and title lines from ``top`` (pt from the bottom); returns the y below them."""
    left_w, right_w = TEXT_W * 0.48, TEXT_W * 0.52
    lx, rx = MARGIN_LEFT + left_w / 2, MARGIN_LEFT + left_w + right_w / 2
    y_left = y_right = top
    # left: issuing body (ô 2), short solid rule below (40 % of the name's width), number (ô 3)
    for text, font in ([(spec.issuer_parent.upper(), REGULAR)] if spec.issuer_parent else []) + \
            [(spec.issuer.upper(), BOLD)]:
        for line in wrap_phrases(text, font, 12.5, left_w):
            y_left -= 15.0
            if c:
                c.setFont(font, 12.5)
                c.drawCentredString(lx, y_left + 3.2, line)
    name_w = min(width(spec.issuer.upper(), BOLD, 12.5), left_w)
    y_left -= 2.0
    if c:
        c.setLineWidth(0.75)
        c.line(lx - name_w * 0.2, y_left, lx + name_w * 0.2, y_left)
    if spec.document_number:
        y_left -= 19.6
        if c:
            c.setFont(REGULAR, 13)
            c.drawCentredString(rx - right_w / 2 - left_w / 2, y_left + 3.4, f"Số: {spec.document_number}")
    # right: Quốc hiệu, Tiêu ngữ underlined exactly its length (ô 1), place and date (ô 4)
    y_right -= 15.0
    motto = "Độc lập - Tự do - Hạnh phúc"
    motto_w = width(motto, BOLD, 13.5)
    if c:
        c.setFont(BOLD, 12.5)
        c.drawCentredString(rx, y_right + 3.2, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    y_right -= 16.2
    if c:
        c.setFont(BOLD, 13.5)
        c.drawCentredString(rx, y_right + 3.6, motto)
        c.line(rx - motto_w / 2, y_right + 1.6, rx + motto_w / 2, y_right + 1.6)
    y_right -= 8.0 + 16.2
    if c:
        c.setFont(ITALIC, 13.5)
        c.drawCentredString(rx, y_right + 3.6, f"{spec.place}, {_formal_date(spec.issued_on)}")
    y = min(y_left, y_right) - 10.0
    # title lines (ô 5a)
    for text, style in spec.title_lines:
        font, size = TITLE_STYLES[style]
        y -= (6.0 if style == "title" else 0.0)
        for line in wrap(text, font, size, TEXT_W):
            y -= size * 1.2
            if c:
                c.setFont(font, size)
                if style == "status":
                    c.drawRightString(MARGIN_LEFT + TEXT_W, y + size * 0.28, line)
                else:
                    c.drawCentredString(MARGIN_LEFT + TEXT_W / 2, y + size * 0.28, line)
        y -= 4.0 if style in ("subtitle", "status") else 2.0
    return y - 2.0


def _footer(c: Canvas | None, spec: ListSpec, top: float) -> float:
    """"Bằng chữ: …" and the signature block from ``top``; returns the y below them."""
    y = top - 6.0
    if spec.words:
        label = "Bằng chữ: "
        label_w = width(label, ITALIC, 13)
        lines = wrap(spec.words, REGULAR, 13, TEXT_W - label_w)
        for i, line in enumerate(lines):
            y -= 15.6
            if c:
                if i == 0:
                    c.setFont(ITALIC, 13)
                    c.drawString(MARGIN_LEFT, y + 3.6, label)
                c.setFont(REGULAR, 13)
                c.drawString(MARGIN_LEFT + label_w, y + 3.6, line)
    if spec.signers:
        y -= 10.0
        col_w = TEXT_W / len(spec.signers)
        heads = []
        for s in spec.signers:
            lines = [(line, BOLD, 13.0) for t in s.title.split("\n")
                     for line in wrap_phrases(t.upper(), BOLD, 13, col_w - 8)]
            if s.hint:
                lines += [(line, ITALIC, 12.0) for line in wrap(s.hint, ITALIC, 12, col_w - 8)]
            heads.append(lines)
        head_h = max(sum(size * 1.2 for _, _, size in lines) for lines in heads)
        for i, lines in enumerate(heads):
            cx, yy = MARGIN_LEFT + col_w * (i + 0.5), y
            for text, font, size in lines:
                yy -= size * 1.2
                if c:
                    c.setFont(font, size)
                    c.drawCentredString(cx, yy + size * 0.28, text)
        y -= head_h + 24 * mm + 15.6
        if c:
            c.setFont(BOLD, 13)
            for i, s in enumerate(spec.signers):
                if s.name:
                    c.drawCentredString(MARGIN_LEFT + col_w * (i + 0.5), y + 3.6, s.name)
    return y


# --------------------------------------------------------------------------------------------------------------------
# Table
# --------------------------------------------------------------------------------------------------------------------


class _Grid:
    """Column geometry, header rows and cell drawing of one list. A cell is prepared once as
    ``(font, [(line, x offset from the column's left edge), …])``; a page is then plain arithmetic and drawing."""

    def __init__(self, spec: ListSpec):
        self.spec = spec
        self.n = len(spec.columns)
        self.widths = [TEXT_W * c.share / 100 for c in spec.columns]
        self.lefts = [MARGIN_LEFT + sum(self.widths[:i]) for i in range(self.n + 1)]
        self.inner = [w - 2 * PAD_X for w in self.widths]
        self.aligns = [c.align for c in spec.columns]
        self._widths: dict[tuple[str, str], float] = {}
        self._encoded: dict[tuple, tuple[str, int]] = {}
        self._cells: dict[tuple, tuple] = {}
        titles = [(i, *self.cell(c.title, i, BOLD, "CENTER", break_words=False)) for i, c in enumerate(spec.columns)]
        numbers = [(i, *self.cell(f"({i + 1})", i, ITALIC, "CENTER", size=HEADER_NUM_SIZE)) for i in range(self.n)]
        title_h = max(count for *_, count in titles) * LEADING + 2 * PAD_Y
        #: the two header rows repeated on every page: ``(cells, height, font size)``
        self.header = [(titles, title_h, BODY_SIZE), (numbers, HEADER_NUM_SIZE * 1.15 + 2, HEADER_NUM_SIZE)]
        self.header_h = title_h + self.header[1][1]

    def _width(self, text: str, font: str, size: float) -> float:
        key = (text, font) if size == BODY_SIZE else (text, f"{font}@{size}")
        found = self._widths.get(key)
        if found is None:
            found = self._widths[key] = width(text, font, size)
        return found

    def cell(self, text: str, col: int, font: str = REGULAR, align: str | None = None, *, last_col: int | None = None,
             size: float = BODY_SIZE, break_words: bool = True):
        """Prepare one cell of column ``col`` (spanning to ``last_col``): ``(font, [(line, x offset)], line count)``.
        Memoised: lists repeat many values (Nam/Nữ, K6, 1,5, hamlets, bank names)."""
        key = (text, col, font, align, last_col, size, break_words)
        found = self._cells.get(key)
        if found is None:
            found = self._cells[key] = self._cell(text, col, font, align, last_col, size, break_words)
        return found

    def _cell(self, text, col, font, align, last_col, size, break_words):
        inner = self.lefts[(last_col if last_col is not None else col) + 1] - self.lefts[col] - 2 * PAD_X
        align = align or self.aligns[col]
        if text and self._width(text, font, size) <= inner and "\n" not in text:
            lines = [text]
        elif text and _NUMBER_RE.match(text):  # an amount: one line, in a smaller font when the column is narrow
            shrunk = max(MIN_NUMBER_SIZE, size * inner / self._width(text, font, size) * 0.999)
            w = self._width(text, font, shrunk)
            x = PAD_X if align == "LEFT" else PAD_X + (inner - w) / 2 if align == "CENTER" else PAD_X + inner - w
            return (font, shrunk), [(text, x)], 1
        else:
            lines = wrap(text, font, size, inner, break_words)
        placed = []
        for line in lines:
            if not line:
                continue
            if align == "LEFT":
                x = PAD_X
            else:
                w = self._width(line, font, size)
                x = PAD_X + (inner - w) / 2 if align == "CENTER" else PAD_X + inner - w
            placed.append((line, x))
        return font, placed, len(lines)

    def row(self, cells: Sequence[str], font: str = REGULAR, spans: Sequence[tuple[int, int]] = ()):
        """Prepare a body row: ``(cells, height pt, vertical rules to skip)``."""
        span_of = {first: last for first, last in spans}
        prepared, most, skip = [], 1, set()
        col = 0
        while col < self.n:
            last = span_of.get(col, col)
            align = "CENTER" if col in span_of else None
            font_, placed, count = self.cell(cells[col], col, font, align, last_col=last)
            prepared.append((col, font_, placed, count))
            most = max(most, count)
            skip.update(range(col + 1, last + 1))
            col = last + 1
        return prepared, max(most * LEADING + 2 * PAD_Y, self.spec.min_row_height), skip

    def _show(self, text, line: str) -> None:
        """``text.textOut(line)`` without moving the cursor (each cell sets its origin), with ReportLab's encoding of
        the string into font-subset runs memoised: a list repeats the same texts (Nam, Nữ, K6, bank names, …), and the
        run of a glyph never changes within one document. Key: font, size, current subset, text."""
        key = (text._fontname, text._fontsize, text._curSubset, line)
        hit = self._encoded.get(key)
        if hit is None:
            hit = self._encoded[key] = (text._formatText(line), text._curSubset)
        text._code.append(hit[0])
        text._curSubset = hit[1]

    def draw_rows(self, c: Canvas, top: float, rows: Sequence[tuple], sizes: Sequence[float]) -> float:
        """Draw prepared ``rows`` (with their font sizes) from ``top`` down; returns the bottom y."""
        text = c.beginText()
        current = None
        h_lines, v_lines = [], []
        y = top
        x0, x1 = self.lefts[0], self.lefts[-1]
        for (cells, height, skip), size in zip(rows, sizes, strict=False):
            bottom = y - height
            h_lines.append((x0, y, x1, y))
            for i in range(self.n + 1):
                if i not in skip:
                    v_lines.append((self.lefts[i], y, self.lefts[i], bottom))
            leading = LEADING if size == BODY_SIZE else size * 1.15
            for col, font, placed, count in cells:
                if not placed:
                    continue
                fsize = size
                if isinstance(font, tuple):  # an amount shrunk to fit its column (``_cell``)
                    font, fsize = font
                if current != (font, fsize):
                    text.setFont(font, fsize, leading)
                    current = (font, fsize)
                # vertically centred block of ``count`` lines; baseline of each line inside its line box
                line_top = y - (height - count * leading) / 2
                base = line_top - (leading - 1.107 * size) / 2 - 0.891 * size
                left = self.lefts[col]
                for k, (line, dx) in enumerate(placed):
                    text.setTextOrigin(left + dx, base - k * leading)
                    self._show(text, line)
            y = bottom
        h_lines.append((x0, y, x1, y))
        c.drawText(text)
        c.setLineWidth(GRID)
        c.lines(h_lines + v_lines)
        return y


def paginate(row_heights: Sequence[float], first_page_room: float, page_room: float, tail: float) -> list[range]:
    """Split rows into pages: ``row_heights`` in pt; ``first_page_room`` / ``page_room`` the height left for rows
    (below the heading and the repeated header rows); ``tail`` the height of what must follow the last row on its
    page (totals row, amount in words, signatures). Returns one ``range`` of row indexes per page; the last page
    holds at least one row when there are rows (the tail never stands alone)."""
    pages: list[range] = []
    start, room, used = 0, first_page_room, 0.0
    n = len(row_heights)
    for i, h in enumerate(row_heights):
        if used + h > room and i > start:
            pages.append(range(start, i))
            start, room, used = i, page_room, 0.0
        used += h
    # the tail must fit after the last row: if it does not, the last row goes to a new page with it (one row is
    # enough — moving more rows only takes more room there)
    on_last = n - start
    if used + tail > room and (on_last >= 2 or (on_last == 1 and start == 0)):
        pages.append(range(start, n - 1))
        start = n - 1
    pages.append(range(start, n))
    return pages


def _set_metadata(c: Canvas, spec: ListSpec) -> None:
    """Document information of every list PDF (the one place for the ReportLab engine): Title, Author (never
    ReportLab's "anonymous"), Subject, Keywords, Creator "ASXH Portal", Producer "ASXH Portal (ReportLab)"; the
    catalog /Lang is given to the ``Canvas`` (``lang=PDF_LANG``)."""

    subject = spec.pdf_subject or " - ".join(text for text, style in spec.title_lines[1:] if style != "status")
    meta = pdf_meta(spec, spec.pdf_title)
    c.setTitle(meta.title)
    c.setAuthor(spec.pdf_author or meta.author)
    c.setSubject(subject or meta.subject)
    c.setKeywords(spec.pdf_keywords or meta.keywords)
    c.setCreator(PDF_CREATOR)
    c.setProducer(f"{PDF_CREATOR} (ReportLab)")


def render_list(spec: ListSpec, rows: Sequence[Sequence[str]], progress: Progress | None = None) -> bytes:
    """Render ``rows`` (one text per column each) with ``spec`` into A4-landscape PDF bytes.

    ``progress(pct, message)`` (optional) is called every 50 pages with a Vietnamese message (pct up to 90: the
    caller still has to store the file).
    Raises ``ValueError`` for a row with the wrong number of cells, :class:`DocumentRenderError` without the fonts.
    """

    register_fonts()
    grid = _Grid(spec)
    prepared = []
    for row in rows:
        if len(row) != grid.n:
            raise ValueError(f"row has {len(row)} cells, the list has {grid.n} columns")
        prepared.append(grid.row(row))
    heights = [h for _, h, _ in prepared]
    heading_bottom = _heading(None, spec, TEXT_TOP)
    first_room = heading_bottom - MARGIN_BOTTOM - grid.header_h
    room = TEXT_H - grid.header_h
    totals = grid.row(spec.totals, BOLD, spec.totals_spans) if spec.totals is not None else None
    tail = (totals[1] if totals else 0.0) + (TEXT_TOP - _footer(None, spec, TEXT_TOP))
    pages = paginate(heights, first_room, room, tail)
    total_pages = len(pages)
    header_rows = [(cells, height, set()) for cells, height, _ in grid.header]
    header_sizes = [size for _, _, size in grid.header]

    out = BytesIO()
    c = Canvas(out, pagesize=(PAGE_W, PAGE_H), pageCompression=1, initialFontName=REGULAR, initialFontSize=BODY_SIZE,
               lang=PDF_LANG)
    _set_metadata(c, spec)
    for number, page in enumerate(pages, start=1):
        top = TEXT_TOP
        if number == 1:
            top = _heading(c, spec, TEXT_TOP)
        else:  # Decree 30: from page 2, centred in the top margin
            c.setFont(REGULAR, 13)
            c.drawCentredString(MARGIN_LEFT + TEXT_W / 2, PAGE_H - MARGIN_TOP / 2 - 4.5, str(number))
        is_last = number == total_pages
        body = [prepared[i] for i in page] + ([totals] if is_last and totals else [])
        bottom = grid.draw_rows(c, top, header_rows + body, header_sizes + [BODY_SIZE] * len(body))
        if is_last:
            _footer(c, spec, bottom)
        c.showPage()
        if progress and number % 50 == 0:
            progress(int(90 * number / total_pages), f"Đã dựng {number}/{total_pages} trang")
    c.save()
    return out.getvalue()
