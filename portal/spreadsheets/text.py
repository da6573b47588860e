"""Text normalisation primitives shared by the spreadsheet readers (internal).

Owns: the invisible characters stripped from cell text (``_INVISIBLE``), NFC cleaning of one string
(``_clean_text``), the "empty cell" test (``_is_empty``) and diacritic folding for label comparison
(``_strip_marks``). Used by ``header``, ``rows``, ``cells`` and ``dates``; nothing here is public API.
"""

from __future__ import annotations

import unicodedata
from typing import Any

_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


def _clean_text(v: str) -> str:
    return unicodedata.normalize("NFC", v).strip().strip(_INVISIBLE).strip()


def _is_empty(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip().strip(_INVISIBLE).strip())


def _strip_marks(text: str) -> str:
    """Casefold, remove combining marks, đ→d (local label normaliser; identity rules live elsewhere)."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("đ", "d")
