"""File downloads (tải tệp): ``download(body, filename)`` is the one way a view answers with a file — PDF, .xlsx,
.csv — so every file gets the same headers:

- ``Content-Type`` from the name's extension (``MIMETYPES``) unless given;
- ``Content-Disposition`` ``attachment`` (or ``inline``: a PDF shown in the browser) with ``filename="…"`` in ASCII
  for every browser and, when the name is not plain ASCII, also ``filename*=UTF-8''…`` (RFC 5987 / RFC 6266) with the
  Vietnamese name: "Bảng kê phí.pdf" → ``filename="Bang ke phi.pdf"; filename*=UTF-8''B%E1%BA%A3ng%20k%C3%AA…``;
- ``Cache-Control: no-store``: files hold personal data and must not stay in a shared or browser cache.
"""
import unicodedata
from urllib.parse import quote

from flask import make_response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: file extension → Content-Type
MIMETYPES = {"pdf": "application/pdf", "xlsx": XLSX, "csv": "text/csv; charset=utf-8"}
#: characters kept in the ASCII file name besides letters and digits (no quote or backslash: it sits in quotes)
SAFE_PUNCTUATION = " ._-()"


def ascii_filename(filename: str) -> str:
    """``filename`` in plain ASCII for ``filename="…"``: diacritics dropped (đ → d), any other character → "-"."""
    text = unicodedata.normalize("NFD", filename.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("M"))
    text = "".join(ch if (ch.isascii() and ch.isalnum()) or ch in SAFE_PUNCTUATION else "-" for ch in text)
    return text.strip() or "tep"


def content_disposition(filename: str, inline: bool = False) -> str:
    """The ``Content-Disposition`` value for ``filename`` (see the module docstring)."""
    fallback = ascii_filename(filename)
    value = f'{"inline" if inline else "attachment"}; filename="{fallback}"'
    if filename and fallback != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return value


def download(body: bytes, filename: str, *, inline: bool = False, mimetype: str | None = None):
    """A response carrying ``body`` as the file ``filename`` (headers in the module docstring). ``mimetype``
    defaults to the extension's (``MIMETYPES``), else ``application/octet-stream``."""
    extension = filename.rpartition(".")[2].lower()
    resp = make_response(body)
    resp.headers["Content-Type"] = mimetype or MIMETYPES.get(extension, "application/octet-stream")
    resp.headers["Content-Disposition"] = content_disposition(filename, inline)
    resp.headers["Cache-Control"] = "no-store"
    return resp
