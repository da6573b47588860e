"""PDF rendering of print templates (``portal/templates/documents/``) with WeasyPrint.

Works without a Flask app or request: services, CLI commands and background jobs call it directly. It has its own
Jinja environment (``FileSystemLoader`` on ``portal/templates``, autoescape on, ``StrictUndefined``) with the filters
``money`` (1.234.567), ``date_vn`` (dd/mm/yyyy), ``month_vn`` (MM/YYYY from a date or "YYYY-MM") — shared with the
web UI via ``portal.formatting`` — plus ``date_formal_vn`` ("ngày 05 tháng 08 năm 2024").

Security: every resource WeasyPrint asks for (stylesheets, images, ``@font-face`` URLs) goes through
:class:`StaticOnlyURLFetcher`, which serves only regular files under ``portal/static/`` and refuses everything else
(``http(s)://``, ``data:``, ``file:`` outside the static root, ``..`` or symlink escapes). A refusal stops the
rendering with :class:`DocumentRenderError` instead of WeasyPrint's default "warn and carry on". The ``base_url`` is
``portal/static/`` so a template links its stylesheet as ``<link rel="stylesheet" href="print.css">``.
Fonts come from fontconfig (Liberation Serif 2.x from the Debian package ``fonts-liberation2``), not from URLs.

Long tables (pitfalls §PDFs 13-16): list-shaped documents of thousands of rows (the payout list) use the ReportLab
list engine :mod:`portal.documents.list_pdf` instead — WeasyPrint needs ~18 s for 1.000 rows even chunked, the list
engine ~0,3 s (``make bench``). For tables of a few hundred rows in WeasyPrint — :func:`pdf_for_chunks`:

* Rows are rendered in bounded chunks (default ≤ 400 rows per WeasyPrint call) and merged with pypdf; the caller
  should run it in a job, never in a web request.
* **Seamless chunk joins** ("carry-over"): each table row carries ``id="asxh-row-<global index>"``. After a chunk is
  laid out, its *last* page is dropped and the rows that were on it are rendered again at the start of the next
  chunk. The merged PDF therefore fills every page like one big rendering would (no half-empty page at each chunk
  boundary), and no row is ever split or lost. The row anchors are removed before writing the PDF (no named
  destinations bloat).
* **Page numbers are computed, not taken from CSS counters across documents** (pitfall 16): chunks are rendered
  in order, so when chunk *k* is rendered the number of pages already kept (``page_offset``) is known exactly.
  ``_page.html`` sets ``@page :first { counter-increment: page <page_offset + 1> }`` for chunks after the first, so
  the CSS ``page`` counter of each chunk starts at the right global number. Decree 30/2020 (Phụ lục I): Arabic
  numerals, centred in the top margin, not on page 1 — so there is no "of y" total and no second pass is needed.

Metadata: :func:`render_html` gives every template ``pdf_meta`` (``official.pdf_meta`` of the context's ``doc``:
Author = the issuing organisation's display name, Subject = trích yếu, Keywords), which ``_page.html`` writes as
``<meta name="author|description|keywords|generator">``; WeasyPrint turns those, ``<title>`` and ``<html lang="vi">``
into the PDF's Author, Subject, Keywords, Title, Creator ("ASXH Portal") and catalog /Lang. Merged chunks keep the
first chunk's information and /Lang.

Errors: :class:`DocumentRenderError` (a ``RuntimeError``) for refused URLs and template/contract problems;
``jinja2.TemplateNotFound`` / ``jinja2.UndefinedError`` propagate as they are (programming errors).
"""

from __future__ import annotations

import datetime as _dt
import mimetypes
import os
from collections.abc import Iterable, Mapping, Sequence
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jinja2
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, TextStringObject
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from portal.formatting import FILTERS as FORMATTING_FILTERS

from .official import PdfMeta, pdf_meta

PORTAL_DIR = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PORTAL_DIR / "templates"
STATIC_DIR = PORTAL_DIR / "static"
#: Templates passed to :func:`pdf_for` are looked up under this prefix of ``TEMPLATES_DIR``.
DOCUMENTS_PREFIX = "documents/"

#: Default and upper bound of rows per WeasyPrint call (pitfall 13: one 10,000-row table took ~110 s and 1.4 GB).
DEFAULT_CHUNK_ROWS = 400
#: Prefix of the ``id`` each chunked table row must carry: ``id="asxh-row-{{ chunk.start + loop.index0 }}"``.
ROW_ANCHOR_PREFIX = "asxh-row-"


class DocumentRenderError(RuntimeError):
    """A document could not be rendered (refused resource URL, broken chunk contract, ...)."""


# --------------------------------------------------------------------------------------------------------------------
# URL fetcher
# --------------------------------------------------------------------------------------------------------------------


class RefusedURL(FatalURLFetchingError):
    """Raised inside WeasyPrint for a URL outside ``portal/static/``; surfaces as :class:`DocumentRenderError`.

    Inherits WeasyPrint's ``FatalURLFetchingError`` (a ``BaseException``) so WeasyPrint does not swallow it as a
    warning; :func:`pdf_for` converts it.
    """


class StaticOnlyURLFetcher(URLFetcher):
    """WeasyPrint URL fetcher that serves only regular files below ``static_root`` (default ``portal/static/``).

    ``fetch(url)`` accepts ``file:`` URLs (percent-encoded, query/fragment ignored) whose resolved real path lies
    inside ``static_root``; it returns the file bytes with a MIME type guessed from the extension. Anything else —
    another scheme (``http``, ``https``, ``data``, ``ftp``), a remote host, a path outside the root after ``..`` or
    symlink resolution, a directory or a missing file — raises :class:`RefusedURL`.
    """

    def __init__(self, static_root: Path | str = STATIC_DIR):
        super().__init__(allowed_protocols=("file",), fail_on_errors=True)
        self.static_root = Path(os.path.realpath(static_root))

    def resolve(self, url: str) -> Path:
        """Map ``url`` to a file path under the static root, or raise :class:`RefusedURL`."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file":
            raise RefusedURL(f"Refused non-static URL (scheme {parts.scheme!r}): {url[:200]}")
        if parts.netloc not in ("", "localhost"):
            raise RefusedURL(f"Refused non-local file URL: {url[:200]}")
        path = Path(os.path.realpath(unquote(parts.path)))
        if path != self.static_root and self.static_root not in path.parents:
            raise RefusedURL(f"Refused URL outside portal/static: {url[:200]}")
        if not path.is_file():
            raise RefusedURL(f"Static file not found: {url[:200]}")
        return path

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        path = self.resolve(url)
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        response_headers = {"Content-Type": mime_type}
        if mime_type.startswith("text/"):
            response_headers["Content-Type"] = f"{mime_type}; charset=utf-8"
        return URLFetcherResponse(path.as_uri(), body=path.read_bytes(), headers=response_headers)


# --------------------------------------------------------------------------------------------------------------------
# Jinja environment and filters
# --------------------------------------------------------------------------------------------------------------------


def date_formal_vn(value: _dt.date) -> str:
    """``date`` -> ``"ngày 05 tháng 08 năm 2024"`` (Decree 30 ô 4; day and month always two digits).

    Raises ``TypeError`` for anything but a ``date``/``datetime``.
    """
    if not isinstance(value, _dt.date):
        raise TypeError(f"date_formal_vn expects a date, got {type(value).__name__}")
    return f"ngày {value.day:02d} tháng {value.month:02d} năm {value.year:04d}"


#: The project-wide filters (``money`` 1.234.567, ``date_vn`` dd/mm/yyyy, ``month_vn`` MM/YYYY, ...) from
#: ``portal.formatting`` plus the document-only ``date_formal_vn``.
FILTERS = {**FORMATTING_FILTERS, "date_formal_vn": date_formal_vn}


def register_filters(env: jinja2.Environment) -> jinja2.Environment:
    """Add the document filters to ``env`` (e.g. ``app.jinja_env`` for HTML previews); returns ``env``."""
    env.filters.update(FILTERS)
    return env


def _make_env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return register_filters(env)


jinja_env = _make_env()


def render_html(template_name: str, context: Mapping[str, Any]) -> str:
    """Render ``portal/templates/documents/<template_name>`` to an HTML string (no Flask needed).

    ``template_name`` may be given with or without the ``documents/`` prefix. Undefined variables raise
    ``jinja2.UndefinedError``.
    """
    if not template_name.startswith(DOCUMENTS_PREFIX):
        template_name = DOCUMENTS_PREFIX + template_name
    return jinja_env.get_template(template_name).render(**{"pdf_meta": document_meta(context), **context})


def document_meta(context: Mapping[str, Any]):
    """``official.PdfMeta`` (author, subject, keywords, creator, lang) of the document whose frame is
    ``context["doc"]``; without a ``doc`` only the creator and language. The title comes from the template."""

    doc = context.get("doc")
    return pdf_meta(doc) if doc is not None else PdfMeta()


# --------------------------------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------------------------------


def _layout(html: str):
    """Lay out ``html`` with the locked fetcher; returns a ``weasyprint.Document``."""
    fetcher = StaticOnlyURLFetcher()
    try:
        return HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=fetcher).render()
    except FatalURLFetchingError as exc:  # RefusedURL, possibly wrapped by WeasyPrint's fetch()
        cause = exc.__cause__ if isinstance(exc.__cause__, RefusedURL) else exc
        raise DocumentRenderError(str(cause)) from exc


def _strip_row_anchors(pages: Iterable[Any]) -> None:
    for page in pages:
        for name in [n for n in page.anchors if n.startswith(ROW_ANCHOR_PREFIX)]:
            del page.anchors[name]


def pdf_from_html(html: str) -> bytes:
    """Render an HTML string to PDF bytes with the locked fetcher and ``base_url`` ``portal/static/``.

    Raises :class:`DocumentRenderError` if the HTML refers to anything outside ``portal/static/``.
    """
    document = _layout(html)
    _strip_row_anchors(document.pages)
    return document.write_pdf()


def pdf_for(template_name: str, context: Mapping[str, Any]) -> bytes:
    """Render one print template to PDF bytes in a single WeasyPrint call.

    ``template_name``: file under ``portal/templates/documents/`` (e.g. ``"payout_list.html"``); ``context``: plain
    data for the template. ``page_offset`` defaults to 0 (page 1 unnumbered). For tables longer than a few hundred
    rows use :func:`pdf_for_chunks`. Raises :class:`DocumentRenderError` for a refused resource URL.
    """
    return pdf_from_html(render_html(template_name, {"page_offset": 0, **context}))


def _first_row_on_page(page: Any) -> int | None:
    rows = [int(name[len(ROW_ANCHOR_PREFIX):]) for name in page.anchors if name.startswith(ROW_ANCHOR_PREFIX)]
    return min(rows) if rows else None


def pdf_for_chunks(
    template_name: str,
    context: Mapping[str, Any],
    rows: Sequence[Any],
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> bytes:
    """Render a long-table template in chunks of at most ``chunk_rows`` rows and merge them into one PDF.

    The template receives ``context`` plus ``page_offset`` (pages before this chunk) and ``chunk``::

        chunk = {"rows": rows[start:end], "start": start (0-based index of chunk.rows[0] in rows),
                 "is_first": bool (print the heading), "is_last": bool (print totals and signatures),
                 "total_rows": len(rows)}

    and must give each table row ``id="asxh-row-{{ chunk.start + loop.index0 }}"`` (see module docstring: the rows
    on a non-final chunk's last page are carried over into the next chunk so pages fill as in one rendering).
    ``chunk_rows`` ≥ 1 bounds the rows per WeasyPrint call; a non-final chunk whose rows fit on one page is retried
    with twice the rows (up to ``max(4 * chunk_rows, DEFAULT_CHUNK_ROWS)``) so the carry-over can work; if it still
    fits on one page it is kept whole and the next chunk starts on a new page (still correct, just not full). An empty
    ``rows`` renders one chunk with no rows. Returns PDF bytes; metadata (title, ...) is taken from the first chunk.
    Raises ``ValueError`` for ``chunk_rows < 1``, :class:`DocumentRenderError` if the template breaks the row-id
    contract or refers to a non-static URL.
    """
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be ≥ 1")
    total_rows = len(rows)
    max_rows = max(4 * chunk_rows, DEFAULT_CHUNK_ROWS)  # growth bound for chunks that fit on one page
    parts: list[bytes] = []
    page_offset = 0
    start = 0
    while True:
        size = chunk_rows
        while True:
            end = min(start + size, total_rows)
            is_last = end >= total_rows
            chunk = {
                "rows": rows[start:end],
                "start": start,
                "is_first": start == 0,
                "is_last": is_last,
                "total_rows": total_rows,
            }
            document = _layout(render_html(template_name, {**context, "page_offset": page_offset, "chunk": chunk}))
            # A non-final chunk needs ≥ 2 pages so dropping its last page still makes progress.
            if is_last or len(document.pages) > 1 or size >= max_rows:
                break
            size *= 2
        pages = list(document.pages)
        next_start = end
        if not is_last and len(pages) > 1:
            carried = _first_row_on_page(pages[-1])
            if carried is None:
                raise DocumentRenderError(f"Template {template_name!r} does not tag rows with {ROW_ANCHOR_PREFIX}<n>")
            if carried > start:  # the kept pages hold rows start..carried-1
                pages = pages[:-1]
                next_start = carried
        _strip_row_anchors(pages)
        parts.append(document.copy(pages).write_pdf())
        page_offset += len(pages)
        del document, pages
        if is_last:
            break
        start = next_start

    if len(parts) == 1:
        return parts[0]
    writer = PdfWriter()
    first = PdfReader(BytesIO(parts[0]))
    for part in parts:
        writer.append(PdfReader(BytesIO(part)))
    if first.metadata:
        writer.add_metadata({k: v for k, v in first.metadata.items() if isinstance(v, str)})
    lang = first.trailer["/Root"].get("/Lang")
    if lang:
        writer._root_object[NameObject("/Lang")] = TextStringObject(str(lang))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
