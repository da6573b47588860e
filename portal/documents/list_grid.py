"""The table (bảng) of the list engine (:mod:`portal.documents.list_pdf`): page geometry, columns, cells prepared
once and drawn many times, and the pagination (phân trang) of rows whose heights are known in advance.

ReportLab internals used (pinned ``reportlab==5.1.0``, covered by tests/documents/test_long_lists.py):
``PDFTextObject._formatText`` / ``_code`` / ``_curSubset`` to memoise the subset encoding of repeated cell texts
(:meth:`Grid._show`).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from .list_text import (
    BODY_SIZE,
    BOLD,
    HEADER_NUM_SIZE,
    ITALIC,
    LEADING,
    MIN_NUMBER_SIZE,
    NUMBER_RE,
    REGULAR,
    width,
    wrap,
)

#: A4 landscape, margins top 20 mm, right 15 mm, bottom 20 mm, left 30 mm (Decree 30/2020 Phụ lục I).
PAGE_W, PAGE_H = landscape(A4)
MARGIN_TOP, MARGIN_RIGHT, MARGIN_BOTTOM, MARGIN_LEFT = 20 * mm, 15 * mm, 20 * mm, 30 * mm
TEXT_W = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT          # 252 mm
TEXT_TOP = PAGE_H - MARGIN_TOP
TEXT_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM
#: Cell padding 2 pt (top/bottom) × 3 pt (left/right), 0.5 pt grid.
PAD_X, PAD_Y, GRID = 3.0, 2.0, 0.5


@dataclass(frozen=True)
class Column:
    """A table column: ``title`` (bold header, wraps), ``share`` of the 252 mm text width in percent, ``align``
    LEFT | CENTER | RIGHT for the body cells; ``wrap``: its cells may wrap when :func:`fit_shares` must narrow it
    (names, hamlets, notes — never numbers, dates or IDs)."""

    title: str
    share: float
    align: str = "LEFT"
    wrap: bool = False


@dataclass(frozen=True)
class TableStyle:
    """Type sizes of a list's table, in pt: ``size`` of the body and the column titles, ``leading`` (line height),
    ``pad_y`` (space above and below a cell's lines), ``number_size`` (the "(1)", "(2)" row). The default is the
    10 pt of the prose documents' tables; :data:`COMPACT` is a long list's (the size LibreOffice prints a spreadsheet
    at when it fits it to the page width)."""

    size: float = BODY_SIZE
    leading: float = LEADING
    pad_y: float = PAD_Y
    number_size: float = HEADER_NUM_SIZE


#: Long lists (thousands of rows): 7,5 pt on a 8,3 pt line, 0,6 pt above and below — 9,5 pt a row.
COMPACT = TableStyle(size=7.5, leading=8.3, pad_y=0.6, number_size=7.0)


def fit_shares(columns: Sequence[Column], rows: Sequence[Sequence[str]], style: TableStyle = TableStyle(),
               measure=None, totals: Sequence[str] | None = None,
               spans: Sequence[tuple[int, int]] = ()) -> list[float]:
    """Column shares (% of the 252 mm text width) sized from the content, as a spreadsheet's "optimal width": each
    column gets the width of its widest cell (body font) or of its title's longest word (bold), whichever is more.
    Room left over is shared out in proportion to the columns' given shares; when the content is wider than the page,
    the widest of the columns whose content may wrap (``wrap=True``: names, hamlets, notes) are narrowed to one
    common width (never below their title's longest word), and their cells wrap. ``totals``: the bold totals row
    (cells in ``spans`` are not measured). ``measure(text, font, size)``: a memoised
    :func:`~portal.documents.list_text.width` (default: that function). Returns one share per column, summing to
    100."""
    measure = measure or width
    n = len(columns)
    spanned = {i for first, last in spans for i in range(first, last + 1)}
    need, floor = [], []
    for i, col in enumerate(columns):
        title_word = max((measure(w, BOLD, style.size) for w in col.title.split()), default=0.0)
        widest = max((measure(row[i], REGULAR, style.size) for row in rows if row[i]), default=0.0)
        if totals is not None and totals[i] and i not in spanned:
            widest = max(widest, measure(totals[i], BOLD, style.size))
        floor.append(title_word + 2 * PAD_X + 0.5)
        need.append(max(widest + 2 * PAD_X + 0.5, floor[-1]))
    total = sum(need)
    if total <= TEXT_W:
        spare = TEXT_W - total
        weight = sum(c.share for c in columns)
        widths = [need[i] + spare * columns[i].share / weight for i in range(n)]
    else:
        flexible = [i for i in range(n) if columns[i].wrap]
        room = TEXT_W - sum(need[i] for i in range(n) if not columns[i].wrap)
        if not flexible or room < sum(floor[i] for i in flexible):  # cannot fit even wrapped: the given shares
            return [c.share for c in columns]

        def capped(cap: float) -> list[float]:
            return [min(need[i], max(floor[i], cap)) for i in flexible]

        # the widest wrapping columns give up width first (one cap for all, found by bisection): a short hamlet or
        # bank name keeps its one line while a long name or note wraps
        low, high = 0.0, max(need[i] for i in flexible)
        for _ in range(40):
            mid = (low + high) / 2
            low, high = (mid, high) if sum(capped(mid)) <= room else (low, mid)
        widths = list(need)
        for i, w in zip(flexible, capped(low), strict=True):
            widths[i] = w
        spare = TEXT_W - sum(widths)  # what the bisection leaves: to the capped columns
        at_cap = [i for i in flexible if widths[i] < need[i]] or flexible
        for i in at_cap:
            widths[i] += spare / len(at_cap)
    return [100 * w / TEXT_W for w in widths]


class Grid:
    """Column geometry, header rows and cell drawing of one list. A cell is prepared once as
    ``(font, [(line, x offset from the column's left edge), …])``; a page is then plain arithmetic and drawing.
    ``shares``: column widths in % of the text width (default: the columns' own); ``style``: :class:`TableStyle`;
    ``widths_memo``: a shared cache of text widths (e.g. the one :func:`fit_shares` filled)."""

    def __init__(self, columns: Sequence[Column], min_row_height: float = 0.0, style: TableStyle = TableStyle(),
                 shares: Sequence[float] | None = None, widths_memo: dict | None = None):
        self.n = len(columns)
        self.min_row_height = min_row_height
        self.style = style
        self.size, self.leading, self.pad_y = style.size, style.leading, style.pad_y
        self.widths = [TEXT_W * s / 100 for s in (shares if shares is not None else [c.share for c in columns])]
        self.lefts = [MARGIN_LEFT + sum(self.widths[:i]) for i in range(self.n + 1)]
        self.inner = [w - 2 * PAD_X for w in self.widths]
        self.aligns = [c.align for c in columns]
        self._widths: dict[tuple[str, str], float] = widths_memo if widths_memo is not None else {}
        self._encoded: dict[tuple, tuple[str, int]] = {}
        self._cells: dict[tuple, tuple] = {}
        titles = [(i, *self.cell(c.title, i, BOLD, "CENTER", break_words=False)) for i, c in enumerate(columns)]
        numbers = [(i, *self.cell(f"({i + 1})", i, ITALIC, "CENTER", size=style.number_size))
                   for i in range(self.n)]
        title_h = max(count for *_, count in titles) * self.leading + 2 * self.pad_y
        #: the two header rows repeated on every page: ``(cells, height, font size)``
        self.header = [(titles, title_h, self.size),
                       (numbers, style.number_size * 1.15 + 2 * self.pad_y, style.number_size)]
        self.header_h = title_h + self.header[1][1]

    def measure(self, text: str, font: str, size: float) -> float:
        """Width of ``text`` in pt, memoised (lists repeat their values)."""
        key = (text, font) if size == self.size else (text, f"{font}@{size}")
        found = self._widths.get(key)
        if found is None:
            found = self._widths[key] = width(text, font, size)
        return found

    def cell(self, text: str, col: int, font: str = REGULAR, align: str | None = None, *, last_col: int | None = None,
             size: float | None = None, break_words: bool = True):
        """Prepare one cell of column ``col`` (spanning to ``last_col``): ``(font, [(line, x offset)], line count)``.
        Memoised: lists repeat many values (Nam/Nữ, K6, 1,5, hamlets, bank names)."""
        size = size or self.size
        key = (text, col, font, align, last_col, size, break_words)
        found = self._cells.get(key)
        if found is None:
            found = self._cells[key] = self._cell(text, col, font, align, last_col, size, break_words)
        return found

    def _cell(self, text, col, font, align, last_col, size, break_words):
        inner = self.lefts[(last_col if last_col is not None else col) + 1] - self.lefts[col] - 2 * PAD_X
        align = align or self.aligns[col]
        if text and self.measure(text, font, size) <= inner and "\n" not in text:
            lines = [text]
        elif text and NUMBER_RE.match(text):  # an amount: one line, in a smaller font when the column is narrow
            shrunk = max(MIN_NUMBER_SIZE, size * inner / self.measure(text, font, size) * 0.999)
            w = self.measure(text, font, shrunk)
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
                w = self.measure(line, font, size)
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
        return prepared, max(most * self.leading + 2 * self.pad_y, self.min_row_height), skip

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
            leading = self.leading if size == self.size else size * 1.15
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
