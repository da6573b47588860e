"""Fast PDF engine for list-shaped documents (danh sách dạng bảng dài) — ReportLab, own pagination.

Why not WeasyPrint here (figures from ``make bench`` → ``bench/pdf_lists.py``, this 2-core machine): a payout list of
1.000 rows took 18 s in WeasyPrint even in 400-row chunks (idle machine), a 10.000-row one minutes; LibreOffice
prints the same rows in about 1,7 s / 3,6 s. This engine lays the list out itself — every row's height is known from
its wrapped text, so pagination is exact arithmetic, with no splitting of a long table (ReportLab's own ``Table``
split is superlinear) — and draws each page with one ReportLab text object and one set of grid lines: 1.000 rows in
~0,3 s, 10.000 rows in ~2,8 s on one core, ~200 MB peak. One core is enough for the goal, so two lists can render at
once on the two cores (two job threads / RQ workers) and there is no merge step. Prose documents (letters,
decisions, reports) stay in WeasyPrint (``portal.documents.renderer``).

The engine is three modules: :mod:`~portal.documents.list_text` (fonts, widths, line breaking),
:mod:`~portal.documents.list_grid` (page geometry, columns, cells, pagination) and this one (the spec, the Decree 30
heading and footer, metadata, and the page loop).

Layout rules kept (Decree 30/2020/NĐ-CP Phụ lục I and pitfalls §PDFs):

* A4 landscape, margins top 20 mm, right 15 mm, bottom 20 mm, left 30 mm; only Liberation Serif 2.x (Times New Roman
  metrics, Vietnamese coverage), embedded as subsets.
* Page 1 carries the Decree 30 heading (issuing body with its short rule, Quốc hiệu and Tiêu ngữ with a drawn rule
  below, place and date), then the title lines.
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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from io import BytesIO

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from ..formatting import date_formal_vn
from .list_grid import (
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_TOP,
    PAGE_H,
    PAGE_W,
    TEXT_H,
    TEXT_TOP,
    TEXT_W,
    Column,
    Grid,
    TableStyle,
    fit_shares,
    paginate,
)
from .list_text import BODY_SIZE, BOLD, ITALIC, REGULAR, register_fonts, width, wrap, wrap_phrases
from .official import PDF_CREATOR, PDF_LANG, Signer, pdf_meta

Progress = Callable[[int, str], None]


@dataclass
class ListSpec:
    """Everything around the rows of a list document.

    Heading (Decree 30): ``issuer_parent`` (upright, may be ""), ``issuer`` (bold), ``document_number`` ("Số: …",
    optional), ``place`` + ``issued_on`` (date) → "Châu Đốc, ngày 05 tháng 8 năm 2024". ``title_lines``: list of
    ``(text, style)`` with style ``title`` (bold 14 pt), ``subtitle`` (bold 13,5 pt), ``meta`` (13 pt) or ``status``
    (italic 11 pt, right-aligned), printed under the heading on page 1. ``columns``: :class:`Column` list (shares
    must add up to 100). ``totals``: the bold last row — cell texts, one per column, with ``totals_spans`` as
    ``(first, last)`` column index pairs merged into one cell. ``words``: "Bằng chữ: …" text (italic label) or "".
    ``signers``: signature columns. ``min_row_height``: pt (e.g. 11 mm for a "Ký nhận" column). ``pdf_title``:
    document metadata title; ``pdf_author`` (the issuing organisation's display name; default: the printed
    heading), ``pdf_subject`` (default: the title lines after the first),
    ``pdf_keywords`` (default: document number and "trợ giúp xã hội") — see :func:`_set_metadata`. ``style``: the
    table's type sizes (:class:`~portal.documents.list_grid.TableStyle`); ``fit_columns``: size the columns from the
    rows (:func:`~portal.documents.list_grid.fit_shares`; the shares then only weigh the spare room)."""

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
    style: TableStyle = field(default_factory=TableStyle)
    fit_columns: bool = False

    def __post_init__(self) -> None:
        if abs(sum(c.share for c in self.columns) - 100) > 0.01:
            raise ValueError("column shares must add up to 100")
        if self.totals is not None and len(self.totals) != len(self.columns):
            raise ValueError("totals must have one cell per column")



# --------------------------------------------------------------------------------------------------------------------
# Heading and footer (drawn directly on the canvas; with canvas=None only measured)
# --------------------------------------------------------------------------------------------------------------------

TITLE_STYLES = {"title": (BOLD, 14.0), "subtitle": (BOLD, 13.5), "meta": (REGULAR, 13.0), "status": (ITALIC, 11.0)}


#: The heading's two columns: issuing body (ô 2, 3) on the left, Quốc hiệu and place-date (ô 1, 4) on the right.
_LEFT_W, _RIGHT_W = TEXT_W * 0.48, TEXT_W * 0.52
_LEFT_X, _RIGHT_X = MARGIN_LEFT + _LEFT_W / 2, MARGIN_LEFT + _LEFT_W + _RIGHT_W / 2
_MOTTO = "Độc lập - Tự do - Hạnh phúc"
#: pt from the Tiêu ngữ's baseline down to its rule: Liberation Serif's descent (0,216 em at 13,5 pt ≈ 2,9 pt) plus
#: 1 pt of air, so the rule clears "p" in "lập" and the dot of "ạ" in "Hạnh".
_MOTTO_RULE_DROP = 0.216 * 13.5 + 1.0


def _issuer_column(c: Canvas | None, spec: ListSpec, y: float) -> float:
    """Issuing body (ô 2) centred in the left column, a short solid rule below (40 % of the name's width), the
    number (ô 3); returns the y below them."""
    for text, font in ([(spec.issuer_parent.upper(), REGULAR)] if spec.issuer_parent else []) + \
            [(spec.issuer.upper(), BOLD)]:
        for line in wrap_phrases(text, font, 12.5, _LEFT_W):
            y -= 15.0
            if c:
                c.setFont(font, 12.5)
                c.drawCentredString(_LEFT_X, y + 3.2, line)
    name_w = min(width(spec.issuer.upper(), BOLD, 12.5), _LEFT_W)
    y -= 2.0
    if c:
        c.setLineWidth(0.75)
        c.line(_LEFT_X - name_w * 0.2, y, _LEFT_X + name_w * 0.2, y)
    if spec.document_number:
        y -= 19.6
        if c:
            c.setFont(REGULAR, 13)
            c.drawCentredString(_RIGHT_X - _RIGHT_W / 2 - _LEFT_W / 2, y + 3.4, f"Số: {spec.document_number}")
    return y


def _nation_column(c: Canvas | None, spec: ListSpec, y: float) -> float:
    """Quốc hiệu, Tiêu ngữ with a drawn rule below it exactly its length (ô 1), place and date (ô 4) centred in the
    right column; returns the y below them."""
    y -= 15.0
    if c:
        c.setFont(BOLD, 12.5)
        c.drawCentredString(_RIGHT_X, y + 3.2, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    y -= 16.2
    if c:
        motto_w = width(_MOTTO, BOLD, 13.5)
        c.setFont(BOLD, 13.5)
        c.drawCentredString(_RIGHT_X, y + 3.6, _MOTTO)
        # a drawn rule below the descenders and the dots under "ạ" (Decree 30 Phụ lục I ô 1), not a text underline
        rule_y = y + 3.6 - _MOTTO_RULE_DROP
        c.line(_RIGHT_X - motto_w / 2, rule_y, _RIGHT_X + motto_w / 2, rule_y)
    y -= 8.0 + 16.2
    if c:
        c.setFont(ITALIC, 13.5)
        c.drawCentredString(_RIGHT_X, y + 3.6, f"{spec.place}, {date_formal_vn(spec.issued_on)}")
    return y


def _heading(c: Canvas | None, spec: ListSpec, top: float) -> float:
    """Decree 30 heading and title lines (ô 5a) from ``top`` (pt from the bottom); returns the y below them."""
    y = min(_issuer_column(c, spec, top), _nation_column(c, spec, top)) - 10.0
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
# Metadata and pages
# --------------------------------------------------------------------------------------------------------------------


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
    n = len(spec.columns)
    for row in rows:
        if len(row) != n:
            raise ValueError(f"row has {len(row)} cells, the list has {n} columns")
    memo: dict = {}
    shares = None
    if spec.fit_columns:
        def measure(text: str, font: str, size: float) -> float:
            key = (text, font)
            found = memo.get(key)
            if found is None:
                found = memo[key] = width(text, font, size)
            return found
        shares = fit_shares(spec.columns, rows, spec.style, measure, spec.totals, spec.totals_spans)
    grid = Grid(spec.columns, spec.min_row_height, spec.style, shares, memo)
    prepared = [grid.row(row) for row in rows]
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
        bottom = grid.draw_rows(c, top, header_rows + body, header_sizes + [grid.size] * len(body))
        if is_last:
            _footer(c, spec, bottom)
        c.showPage()
        if progress and number % 50 == 0:
            progress(int(90 * number / total_pages), f"Đã dựng {number}/{total_pages} trang")
    c.save()
    return out.getvalue()
