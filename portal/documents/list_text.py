"""Fonts and text of the list engine (:mod:`portal.documents.list_pdf`): Liberation Serif 2.x registered with
ReportLab once per process, text widths, and line breaking (xuống dòng) — at spaces, between the phrases of a unit
name (tên cơ quan), or inside a word only when it alone is wider than its column.

Errors: :class:`~portal.documents.renderer.DocumentRenderError` when Liberation Serif 2.x is not installed (Debian
``fonts-liberation2``) or lacks Vietnamese letters (1.x).
"""
from __future__ import annotations

import re
import subprocess
import threading
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from ..formatting import unit_phrases
from .renderer import DocumentRenderError

REGULAR, BOLD, ITALIC, BOLD_ITALIC = "LiberationSerif", "LiberationSerif-Bold", "LiberationSerif-Italic", \
    "LiberationSerif-BoldItalic"
_FONT_FILES = {REGULAR: "LiberationSerif-Regular.ttf", BOLD: "LiberationSerif-Bold.ttf",
               ITALIC: "LiberationSerif-Italic.ttf", BOLD_ITALIC: "LiberationSerif-BoldItalic.ttf"}
_FONT_DIRS = [Path("/usr/share/fonts/truetype/liberation2"), Path("/usr/share/fonts/truetype/liberation")]

#: Table text: 10 pt, line height 1.15; the column numbers under the titles 9 pt.
BODY_SIZE, HEADER_NUM_SIZE, LEADING = 10.0, 9.0, 11.5


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


def wrap_phrases(text: str, font: str, size: float, max_width: float) -> list[str]:
    """A unit name (tên cơ quan) in lines broken only between phrases (see :func:`~portal.formatting.unit_phrases`),
    so "TỈNH AN GIANG" or "THƯƠNG BINH VÀ XÃ HỘI" never splits; a phrase wider than ``max_width`` alone falls back
    to :func:`wrap`."""
    lines: list[str] = []
    for para in (text or "").split("\n"):
        current = ""
        for phrase in unit_phrases(para):
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
NUMBER_RE = re.compile(r"^[-−+]?\d[\d.,]*(?:\s?(?:đ|đồng))?$")
MIN_NUMBER_SIZE = 6.0
