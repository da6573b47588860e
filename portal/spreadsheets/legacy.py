"""Legacy Vietnamese font encodings (bảng mã cũ TCVN3/ABC và VNI Windows) → Unicode.

Text typed with a legacy font (.VnTime, VNI-Times) and saved into a modern workbook arrives as Windows-1252 /
Latin-1 characters: "NguyÔn V¨n §øc" (TCVN3) or "Nguyeãn Vaên Ñöùc" (VNI) for "Nguyễn Văn Đức". This module holds
the conversion tables for the Vietnamese letters of both encodings, the converters back to Unicode (NFC), the
inverse encoders (used by the tests and by anyone who needs to reproduce such a file) and ``fix_legacy``, which
detects (``detect_legacy_encoding``) and converts one cell.

TCVN3 (TCVN 5712:1993, VN3 "ABC"): one byte per letter; the lower-case letters and the seven capitals Ă Â Đ Ê Ô Ơ Ư
have their own codes, other capitals are drawn by a capitals-only font (.VnTimeH) from the lower-case codes — so
case is not in the text and is restored from the context: a cell (or word) whose ASCII letters are all capitals is
upper case; in a title-cased cell ("Ên V¨n ¢n"), a word starting with a converted letter is capitalised.
VNI Windows: a base letter followed by a mark byte (``aù`` = á, ``aâ`` = â, ``aá`` = ấ, ``aê`` = ă); đ ơ ư and
the i's / ỵ are single bytes. Case is carried by the bytes. Source: pitfalls §Spreadsheets item 7.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .text import INVISIBLE

__all__ = [
    "LegacyFix",
    "decode_tcvn3",
    "detect_legacy_encoding",
    "decode_vni",
    "encode_tcvn3",
    "encode_vni",
    "fix_legacy",
    "has_legacy_bytes",
]

# --- TCVN3 (ABC) ----------------------------------------------------------------------------------------------------
_TCVN3_LETTERS = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĂÂĐÊÔƠƯ"
_TCVN3_CODES = "µ¸¶·¹¨»¾¼½Æ©ÇÊÈÉË®ÌÐÎÏÑªÒÕÓÔÖ×ÝØÜÞßãáâä«åèæçé¬êíëìîïóñòô\xadõøö÷ùúýûüþ¡¢§£¤¥¦"
TCVN3_DECODE: dict[str, str] = dict(zip(_TCVN3_CODES, _TCVN3_LETTERS, strict=False))
"""TCVN3 code (as the Latin-1 character it shows as) → Unicode letter (lower case, except the 7 capitals)."""
TCVN3_ENCODE: dict[str, str] = dict(zip(_TCVN3_LETTERS, _TCVN3_CODES, strict=False))
"""Unicode letter → TCVN3 code; other capitals use the code of their lower-case letter (.VnTimeH)."""
_TCVN3_CAPITAL_CODES = frozenset("¡¢§£¤¥¦")

# --- VNI Windows ----------------------------------------------------------------------------------------------------
_TONES = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")  # none, sắc, huyền, hỏi, ngã, nặng
_VNI_TONE = dict(zip("ùøûõï", _TONES[1:], strict=False))  # after a vowel (a e o u y, and ơ ư)
_VNI_CIRCUMFLEX = dict(zip("âáàåãä", _TONES, strict=False))  # after a e o: â ấ ầ ẩ ẫ ậ …
_VNI_BREVE = dict(zip("êéèúüë", _TONES, strict=False))  # after a: ă ắ ằ ẳ ẵ ặ
_VNI_SINGLE = {"ñ": "đ", "ô": "ơ", "ö": "ư", "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ"}
_VNI_I = dict(zip(_TONES, "iíìæóò", strict=False))


def _compose(base: str, *marks: str) -> str:
    return unicodedata.normalize("NFC", base + "".join(marks))


def _case_like(text: str, model: str) -> str:
    return text.upper() if model.isupper() else text


def decode_vni(text: str) -> str:
    """VNI Windows text (as pasted: "Nguyeãn Vaên Ñöùc") → Unicode NFC ("Nguyễn Văn Đức"). Characters that are not
    part of a VNI sequence are kept as they are. Never raises."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        low = c.lower()
        nxt = text[i + 1] if i + 1 < n else ""
        mark = nxt.lower()
        if low in "aeouy" and low.isascii() and nxt and not nxt.isascii():
            if mark in _VNI_TONE:
                out.append(_case_like(_compose(low, _VNI_TONE[mark]), c))
                i += 2
                continue
            if low in "aeo" and mark in _VNI_CIRCUMFLEX:
                out.append(_case_like(_compose(low, "\u0302", _VNI_CIRCUMFLEX[mark]), c))
                i += 2
                continue
            if low == "a" and mark in _VNI_BREVE:
                out.append(_case_like(_compose(low, "\u0306", _VNI_BREVE[mark]), c))
                i += 2
                continue
        if low in ("ô", "ö"):
            base = _VNI_SINGLE[low]
            if mark in _VNI_TONE:
                out.append(_case_like(_compose(base, _VNI_TONE[mark]), c))
                i += 2
                continue
            out.append(_case_like(base, c))
            i += 1
            continue
        if low in _VNI_SINGLE:
            out.append(_case_like(_VNI_SINGLE[low], c))
        else:
            out.append(c)
        i += 1
    return unicodedata.normalize("NFC", "".join(out))


def encode_vni(text: str) -> str:
    """Unicode → VNI Windows as it shows when pasted ("Đức" → "Ñöùc"); the inverse of ``decode_vni``."""
    out: list[str] = []
    for c in unicodedata.normalize("NFC", text):
        low = c.lower()
        base, *marks = unicodedata.normalize("NFD", low)
        tone = next((m for m in marks if m in _TONES), "")
        if low == "đ":
            code = "ñ"
        elif c.isascii() or not c.isalpha() or not base.isascii():
            code = low
        elif "\u0302" in marks:
            code = base + dict(zip(_TONES, "âáàåãä", strict=False))[tone]
        elif "\u0306" in marks:
            code = base + dict(zip(_TONES, "êéèúüë", strict=False))[tone]
        elif "\u031b" in marks:
            code = {"o": "ô", "u": "ö"}[base] + dict(zip(_TONES, ["", *"ùøûõï"], strict=False))[tone]
        elif base == "i":
            code = _VNI_I[tone]
        elif base == "y" and tone == "\u0323":
            code = "î"
        else:
            code = base + dict(zip(_TONES, ["", *"ùøûõï"], strict=False))[tone]
        out.append(code.upper() if c != low else code)
    return "".join(out)


def encode_tcvn3(text: str) -> str:
    """Unicode → TCVN3 as it shows when pasted ("Nguyễn" → "NguyÔn"); capitals other than Ă Â Đ Ê Ô Ơ Ư take the
    code of their lower-case letter, as the .VnTimeH font does. The inverse of ``decode_tcvn3`` for lower-case,
    upper-case and title-cased text."""
    return "".join(TCVN3_ENCODE.get(c) or TCVN3_ENCODE.get(c.lower(), c) for c in unicodedata.normalize("NFC", text))


_WORD_RE = re.compile(r"\S+")


def _all_caps(text: str) -> bool:
    letters = [ch for ch in text if ch.isascii() and ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


def decode_tcvn3(text: str) -> str:
    """TCVN3 text (as pasted: "NguyÔn V¨n §øc") → Unicode NFC ("Nguyễn Văn Đức"), restoring case from the context
    (see the module docstring). Characters that are not TCVN3 codes are kept. Never raises."""
    cell_caps = _all_caps(text)
    words = _WORD_RE.findall(text)
    decided = [w for w in words if w[0] not in TCVN3_DECODE or w[0] in _TCVN3_CAPITAL_CODES]  # case is known
    title = len(words) >= 2 and bool(decided) and all(not w[0].isalpha() or w[0].isupper() for w in decided)

    def word(m: re.Match) -> str:
        w = m.group(0)
        decoded = "".join(TCVN3_DECODE.get(ch, ch) for ch in w)
        if cell_caps or _all_caps(w):
            return decoded.upper()
        if title and w[0] in TCVN3_DECODE and w[0] not in _TCVN3_CAPITAL_CODES and decoded[:1].islower():
            return decoded[:1].upper() + decoded[1:]
        return decoded

    return unicodedata.normalize("NFC", _WORD_RE.sub(word, text))


_LEGACY_BYTE = re.compile("[\u00a1-\u00ff]")


def has_legacy_bytes(text: str) -> bool:
    """True when ``text`` holds a character a legacy font could have left (Latin-1 range U+00A1–U+00FF)."""
    return _LEGACY_BYTE.search(text) is not None


# --- Detecting legacy-font text pasted as Unicode -----------------------------------------------------------------
_DROP_INVISIBLE = str.maketrans("", "", INVISIBLE)
_LATIN1 = {chr(c) for c in range(0xC0, 0x100)} - {"×", "÷"}
_NON_VN_LATIN1 = _LATIN1 - set("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý")  # Latin-1 letters Vietnamese never uses
_LATIN1_UPPER = {ch for ch in _LATIN1 if ch.isupper()}
_LATIN1_LOWER = _LATIN1 - _LATIN1_UPPER
_TCVN3_SYMBOLS = set("¡¢£¤¥¦§¨©ª«¬\xad®µ¶·¸¹»¼½¾×÷")  # TCVN3 letters shown as Latin-1 symbols; VNI never uses them
_TCVN3_CAPS = set("ÆÇÈÉÊËÌÎÏÐÑÒÓÔÕÖØÜÝÞ")  # TCVN3 codes of lower-case letters that show as Latin-1 capitals
_VNI_MARKS = "ùøûõï"  # VNI tone bytes after a vowel: sắc huyền hỏi ngã nặng
_VNI_PAIRS = {"a": set(_VNI_MARKS + "âáàåãäêéèúüë"), "e": set(_VNI_MARKS + "âáàåãä"), "o": set(_VNI_MARKS + "âåä"),
              "u": set(_VNI_MARKS), "y": set(_VNI_MARKS), "ô": set(_VNI_MARKS), "ö": set(_VNI_MARKS)}


@lru_cache(maxsize=8192)  # a sheet repeats its hamlets, categories and channels on every row
def detect_legacy_encoding(s: str | None) -> str | None:
    """Return "TCVN3" or "VNI" when text typed with a legacy font (bảng mã TCVN3/ABC or VNI Windows) was pasted as
    Unicode ("NguyÔn", "Nguyeãn" for "Nguyễn"), else ``None``.

    Heuristic on the NFC text; votes for TCVN3 (2 each — VNI cannot produce them): a Latin-1 symbol TCVN3 uses for
    a letter (¨ © ª ® µ ¸ …) next to a letter (« only after one, » only before one, so French quotes pass); case
    mixed inside a word around a Latin-1 letter ("NguyÔn", "BÝch", "QUèC"). Votes for VNI (1 each): a vowel
    followed by a VNI mark byte where Vietnamese never has that pair ("aê", "eã", "oâ", "aø", "uï"; "oà", "oá",
    "oã" are skipped as "Hoà", "Khoá", "Đoãn" are valid); a word-initial Ñ/ñ (VNI Đ) before a vowel; ö (VNI ư)
    before u, ô, a tone byte or a word end. Any other non-Vietnamese Latin-1 letter votes for TCVN3: 1 if VNI also
    uses it (ä å ë ï ñ ö ü …), else 2 (ç þ ß …); a word-initial Ð/ð (a common look-alike of Đ) does not vote.
    The larger total wins; a tie goes to VNI (the common fonts in the South). Limits: text that happens to be
    valid Unicode ("Hoà" is also VNI "Hồ"; TCVN3 "Phóc" is "Phúc") is not detected; foreign names with ä/ñ/ü…
    are reported. For names and short fields, not prose. Source: reference §6 "Names and text"; pitfalls item 9.
    """
    text = unicodedata.normalize("NFC", (s or "").translate(_DROP_INVISIBLE))
    tcvn3 = vni = 0
    for i, ch in enumerate(text):
        prev, nxt = text[i - 1: i] if i else "", text[i + 1: i + 2]
        pair = ch.lower() in _VNI_PAIRS.get(prev.lower(), ())
        if ch in _TCVN3_SYMBOLS:
            before, after = (c.isalpha() or c in _TCVN3_SYMBOLS for c in (prev or " ", nxt or " "))
            tcvn3 += 2 * (before if ch == "«" else after if ch == "»" else before or after)
        elif ch in _LATIN1_UPPER and (prev.islower() or prev.isalpha() and nxt.islower()) and not (
                pair and ch not in _TCVN3_CAPS):
            tcvn3 += 2
        elif ch in _LATIN1_LOWER and (nxt.isupper() or prev.isupper() and text[i - 2: i - 1].isupper()):
            tcvn3 += 2
        elif pair or (ch in "Ññ" and not prev.isalpha() and nxt.lower() in ("a", "e", "i", "o", "u")) or (
                ch in "Öö" and (not nxt.isalpha() or nxt.lower() in "uô" + _VNI_MARKS)):
            vni += 1
        elif ch in _NON_VN_LATIN1 and (prev.isalpha() or ch not in "Ðð"):
            tcvn3 += 1 + (ch.lower() not in "øûïåäüëöñæî")  # 2 if VNI never uses it (ç ð þ ß …)
    if not (tcvn3 or vni):
        return None
    return "TCVN3" if tcvn3 > vni else "VNI"


@dataclass(frozen=True)
class LegacyFix:
    """A cell converted from a legacy encoding: ``encoding`` "TCVN3" | "VNI", the text ``before`` and ``after``
    (Unicode NFC); ``doubtful`` when the converted text still looks like a legacy encoding (refuse the cell)."""

    encoding: str
    before: str
    after: str
    doubtful: bool = False


@lru_cache(maxsize=4096)  # a list repeats its categories, hamlets, channels thousands of times
def fix_legacy(text: str | None, assume: str | None = None, *, font: str | None = None) -> LegacyFix | None:
    """Detect and convert one cell's text. ``assume`` ("TCVN3" | "VNI"): the encoding found elsewhere in the same
    column, applied to a cell the detector cannot decide on its own when the cell is pure Latin-1 (no letter outside
    Latin-1, so it cannot be Vietnamese Unicode like "Nguyễn"). ``font`` ("TCVN3" | "VNI"): the encoding of the
    cell's legacy font (.VnTime, VNI-Times) — it decides for a pure Latin-1 cell, whatever the detector says.
    Returns ``None`` when nothing is to be converted (plain Unicode or ASCII), else a ``LegacyFix``."""
    if not text or not has_legacy_bytes(text):
        return None
    latin1 = all(ord(ch) <= 0xFF for ch in text)
    encoding = font if font and latin1 else detect_legacy_encoding(text)
    if encoding is None and assume and latin1:
        encoding = assume
    if encoding is None:
        return None
    after = (decode_tcvn3 if encoding == "TCVN3" else decode_vni)(text)
    if after == unicodedata.normalize("NFC", text):
        return None
    return LegacyFix(encoding, text, after, doubtful=detect_legacy_encoding(after) is not None or implausible(after))


_TONE_MARKS = frozenset(_TONES[1:])
_MODIFIERS = frozenset("\u0302\u0306\u031b")  # circumflex, breve, horn


def implausible(text: str) -> bool:
    """True when a word of ``text`` cannot be Vietnamese: two tone marks ("ẹửực"), two modified vowels other than
    the pair ư+ơ ("Trương"), or an accented capital after a small letter ("NguyƠn") — what a wrong guess of the
    encoding (or TCVN3 and VNI mixed in one cell) leaves behind."""
    for word in text.split():
        if any(not b.isascii() and b.isupper() and a.islower() for a, b in zip(word, word[1:], strict=False)):
            return True
        marks = [ch for ch in unicodedata.normalize("NFD", word.casefold()) if unicodedata.combining(ch)]
        if sum(m in _TONE_MARKS for m in marks) > 1:
            return True
        modified = [ch for ch in unicodedata.normalize("NFC", word.casefold())
                    if any(m in _MODIFIERS for m in unicodedata.normalize("NFD", ch))]
        if len(modified) > 1 and "".join(modified).translate(_BARE) not in ("ươ",):
            return True
    return False


_BARE = {ord(unicodedata.normalize("NFC", base + tone)): base for base in "ăâêôơư" for tone in _TONES[1:]}


def decoded_variants(text: str) -> list[str]:
    """``text`` decoded as TCVN3 and as VNI when it holds Latin-1 letters (for matching labels such as "Hä vµ tªn"
    or "Toång coäng" without knowing the encoding); ``[]`` otherwise."""
    if not has_legacy_bytes(text):
        return []
    return [v for v in {decode_tcvn3(text), decode_vni(text)} if v != text]
