"""Text normalisation primitives shared by the spreadsheet readers.

Owns: the invisible characters stripped from cell text (``INVISIBLE``), NFC cleaning of one string
(``clean_text``), the "empty cell" test (``is_empty``) and diacritic folding for label comparison
(``strip_marks``). Used by ``header``, ``rows``, ``cells`` and ``dates``; callers outside the package use ``reading``.
"""

from __future__ import annotations

import unicodedata
from typing import Any

INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


def clean_text(v: str) -> str:
    """A cells text in NFC without surrounding whitespace and invisible characters (zero-width spaces, BOM)."""
    return unicodedata.normalize("NFC", v).strip().strip(INVISIBLE).strip()


def is_empty(v: Any) -> bool:
    """True for None and for text that is only whitespace or invisible characters."""
    return v is None or (isinstance(v, str) and not v.strip().strip(INVISIBLE).strip())


def strip_marks(text: str) -> str:
    """Casefold, remove combining marks, đ→d (local label normaliser; identity rules live elsewhere)."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("đ", "d")
