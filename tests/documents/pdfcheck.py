"""Helpers to read issued PDFs back (pdfplumber, pypdf, poppler): text, fonts, margins, page numbers."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from io import BytesIO

import pdfplumber
from pypdf import PdfReader

MM = 72 / 25.4


def text(pdf: bytes) -> str:
    """All text, pages joined with form feeds, whitespace runs collapsed per line."""
    with pdfplumber.open(BytesIO(pdf)) as doc:
        return "\f".join(" ".join((p.extract_text() or "").split()) for p in doc.pages)


def page_texts(pdf: bytes) -> list[str]:
    with pdfplumber.open(BytesIO(pdf)) as doc:
        return [" ".join((p.extract_text() or "").split()) for p in doc.pages]


def fonts(pdf: bytes) -> set[str]:
    """Base font names of every font used (subset prefix removed), via pypdf."""
    names = set()
    for page in PdfReader(BytesIO(pdf)).pages:
        res = page.get("/Resources") or {}
        for font in (res.get("/Font") or {}).values():
            font = font.get_object()
            name = str(font.get("/BaseFont", ""))
            names.add(name.split("+", 1)[-1].lstrip("/"))
    return names


def pdffonts_rows(pdf: bytes) -> list[list[str]]:
    """Rows of poppler's ``pdffonts`` (name, type, encoding, emb, sub, uni, …)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        out = subprocess.run(["pdffonts", f.name], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def min_left_mm(pdf: bytes) -> float:
    """Smallest x0 of any character on any page, in mm."""
    with pdfplumber.open(BytesIO(pdf)) as doc:
        return min(min(c["x0"] for c in p.chars) for p in doc.pages if p.chars) / MM


def top_centre_numbers(pdf: bytes) -> list[str]:
    """Per page: the text in the top 20 mm band, centred ± 20 mm on the page."""
    result = []
    with pdfplumber.open(BytesIO(pdf)) as doc:
        for p in doc.pages:
            band = p.crop((p.width / 2 - 20 * MM, 0, p.width / 2 + 20 * MM, 20 * MM))
            result.append((band.extract_text() or "").strip())
    return result


def pdfsig(pdf: bytes) -> str:
    """Output of poppler's ``pdfsig`` on ``pdf`` (empty string if pdfsig is missing)."""
    if not shutil.which("pdfsig"):
        return ""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        res = subprocess.run(["pdfsig", f.name], capture_output=True, text=True)
    return res.stdout + res.stderr
