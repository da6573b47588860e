"""PDF rendering of the prose documents (contract, authorization letter, reports, fee statement) from their print
templates (``portal/templates/documents/``) with WeasyPrint. Long lists are drawn by the ReportLab list engine
instead (:mod:`portal.documents.list_pdf`: WeasyPrint needed ~18 s for 1.000 rows even in chunks).

Works without a Flask app or request: services, CLI commands and background jobs call it directly. It has its own
Jinja environment (``FileSystemLoader`` on ``portal/templates``, autoescape on, ``StrictUndefined``) with the filters
of :data:`portal.formatting.FILTERS` (``money`` 1.234.567, ``amount_words``, ``date_vn`` dd/mm/yyyy,
``date_formal_vn`` "ngày 05 tháng 8 năm 2024", ``month_vn`` MM/YYYY, …) — the same set as the web UI.

Security: every resource WeasyPrint asks for (stylesheets, images, ``@font-face`` URLs) goes through
:class:`StaticOnlyURLFetcher`, which serves only regular files under ``portal/static/`` and refuses everything else
(``http(s)://``, ``data:``, ``file:`` outside the static root, ``..`` or symlink escapes). A refusal stops the
rendering with :class:`DocumentRenderError` instead of WeasyPrint's default "warn and carry on". The ``base_url`` is
``portal/static/`` so a template links its stylesheet as ``<link rel="stylesheet" href="print.css">``.
Fonts come from fontconfig (Liberation Serif 2.x from the Debian package ``fonts-liberation2``), not from URLs.

Page numbers: ``_page.html`` puts them in the top margin from page 2 on (Decree 30/2020 Phụ lục I: Arabic numerals,
centred, none on page 1), with the CSS ``page`` counter.

Metadata: :func:`render_html` gives every template ``pdf_meta`` (``official.pdf_meta`` of the context's ``doc``:
Author = the issuing organisation's display name, Subject = trích yếu, Keywords), which ``_page.html`` writes as
``<meta name="author|description|keywords|generator">``; WeasyPrint turns those, ``<title>`` and ``<html lang="vi">``
into the PDF's Author, Subject, Keywords, Title, Creator ("ASXH Portal") and catalog /Lang.

Errors: :class:`DocumentRenderError` (a ``RuntimeError``) for refused URLs; ``jinja2.TemplateNotFound`` /
``jinja2.UndefinedError`` propagate as they are (programming errors).
"""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jinja2
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from ..formatting import FILTERS
from .official import PdfMeta, pdf_meta

PORTAL_DIR = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PORTAL_DIR / "templates"
STATIC_DIR = PORTAL_DIR / "static"
#: Templates passed to :func:`pdf_for` are looked up under this prefix of ``TEMPLATES_DIR``.
DOCUMENTS_PREFIX = "documents/"


class DocumentRenderError(RuntimeError):
    """A document could not be rendered (refused resource URL, missing fonts)."""


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
# Jinja environment
# --------------------------------------------------------------------------------------------------------------------


def _make_env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    return env


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


def pdf_from_html(html: str) -> bytes:
    """Render an HTML string to PDF bytes with the locked fetcher and ``base_url`` ``portal/static/``.

    Raises :class:`DocumentRenderError` if the HTML refers to anything outside ``portal/static/``.
    """
    return _layout(html).write_pdf()


def pdf_for(template_name: str, context: Mapping[str, Any]) -> bytes:
    """Render one print template to PDF bytes in a single WeasyPrint call.

    ``template_name``: file under ``portal/templates/documents/`` (e.g. ``"service_contract.html"``); ``context``:
    plain data for the template. Raises :class:`DocumentRenderError` for a refused resource URL.
    """
    return pdf_from_html(render_html(template_name, context))
