"""Identity helpers (định danh): Vietnamese names, personal ID numbers (số định danh cá nhân / CCCD), phone numbers.

Pure functions — no request, no database access. Sources: domain reference §4 (ND 137/2015 Art. 7;
TT 59/2021/TT-BCA) and §6 "Names and text"; pitfalls §Vietnamese text (items 9–11).
"""
from __future__ import annotations

import math
import re
import unicodedata
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from unidecode import unidecode

from ...clock import today_vn
from ...errors import ValidationError
from ...models.registry import Gender

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_HAS_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_D_FOLD = str.maketrans({"đ": "d", "ð": "d", "ɖ": "d"})  # casefolded Đ, and the look-alikes Ð (U+00D0), Ɖ (U+0189)


def nfc(s: str | None) -> str:
    """Normalise text at the boundary (chuẩn hoá Unicode dựng sẵn): NFC, trimmed, single spaces.

    ``None`` → ``""``. Zero-width characters and BOMs are dropped; every run of Unicode whitespace (NBSP, tab,
    newline…) becomes one space. Raises ``TypeError`` for non-text input. Source: reference §6 "Names and text".
    """
    if s is None:
        return ""
    if not isinstance(s, str):
        raise TypeError(f"nfc() expects str or None, got {type(s).__name__}")
    if _HAS_INVISIBLE.search(s):
        s = s.translate(_INVISIBLE)
    return " ".join(unicodedata.normalize("NFC", s).split())


@lru_cache(maxsize=16384)  # imports fold the same categories, hamlets and channels row after row
def fold(s: str | None) -> str:
    """Search and de-duplication key (khoá tìm kiếm): lower case, no diacritics, đ→d, single spaces.

    "Hoà", "Hòa" and "HOA" all give "hoa"; decomposed (NFD, "Unicode tổ hợp") input gives the same key as
    precomposed input. Returns ``""`` for ``None``. Source: reference §6; pitfalls items 9–10.
    """
    text = nfc(s).casefold().translate(_D_FOLD)
    if text.isascii():
        return text
    plain = text.translate(_BASE_LETTER)  # one table look-up per precomposed letter, the usual case
    if plain.isascii():
        return plain
    text = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in text if not unicodedata.category(ch).startswith("M"))


def _base_letters() -> dict[int, str]:
    """Precomposed letter → its ASCII base letter (what the decomposition less its marks leaves), for every such
    letter of Latin-1 and Latin Extended; ``fold`` of a text made only of these and ASCII is this table's
    translation (the same result as decomposing and dropping the marks)."""
    table = {}
    for code in range(0x80, 0x2000):
        decomposed = unicodedata.normalize("NFD", chr(code))
        base = "".join(ch for ch in decomposed if not unicodedata.category(ch).startswith("M"))
        if base != chr(code) and base.isascii() and base:
            table[code] = base
    return table


_BASE_LETTER = _base_letters()


# --- Vietnamese sort key (khoá sắp xếp tên) -----------------------------------------------------------------------
_ORDER = "0 1 2 3 4 5 6 7 8 9 a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()
_LETTER_CODE = {ch: str(10 + i) for i, ch in enumerate(_ORDER)}  # "10" … "52"; "99" = any other letter
_MODIFIED = {("a", "\u0306"): "ă", ("a", "\u0302"): "â", ("e", "\u0302"): "ê", ("o", "\u0302"): "ô",
             ("o", "\u031b"): "ơ", ("u", "\u031b"): "ư"}
#: tone order of Vietnamese dictionaries and CLDR/ICU ``vi``: ngang < huyền < hỏi < ngã < sắc < nặng
_TONE_DIGIT = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}


@lru_cache(maxsize=8192)
def _word_key(word: str) -> str:
    """``<two-digit letter codes>0<tone digit>`` for one word, or ``""`` if it has no letter or digit (kept per word:
    a commune's list repeats a few hundred family, middle and given names)."""
    letters: list[str] = []
    tone = "0"
    for ch in unicodedata.normalize("NFD", word.casefold()):
        if unicodedata.category(ch).startswith("M"):
            if ch in _TONE_DIGIT and tone == "0":
                tone = _TONE_DIGIT[ch]
            elif letters and (letters[-1], ch) in _MODIFIED:
                letters[-1] = _MODIFIED[(letters[-1], ch)]
        elif ch in _LETTER_CODE:
            letters.append(ch)
        elif ch.isalnum():  # other scripts/letters: transliterate, else one "unknown" code after z
            letters += [c for c in unidecode(ch).lower() if c in _LETTER_CODE] or ["?"]
    codes = "".join(_LETTER_CODE.get(c, "99") for c in letters)
    return f"{codes}0{tone}" if codes else ""


def name_sort_key(full_name: str | None) -> str:
    """Vietnamese collation key for a full name (Họ và tên), to store in an indexed column and ``ORDER BY``.

    Order: given name (tên, last word) first, then family name (họ) and middle names (tên đệm) in writing order.
    Each word compares letter by letter in the Vietnamese alphabet a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u
    ư v x y (f j w z in their Latin places, digits before letters), then — only if the letters are equal — by tone:
    ngang < huyền < hỏi < ngã < sắc < nặng (the dictionary order, as CLDR ``vi``). Tone placement ("Hoà"/"Hòa")
    and NFC/NFD do not change the key.

    Encoding: each letter is a two-digit code "10"…"52" ("99" for any other letter); a word is its codes, "0",
    one tone digit "0"–"5"; words are joined by "0". Codes never start with "0", so a shorter word sorts before
    its extensions, and a shorter name before a longer one with the same words. The key is ASCII digits only, so
    byte order ("C" collation), SQLite's BINARY order and PostgreSQL's order all agree with Python's ``sorted``.
    Example: "Lê Ánh" → "203731" "0" "4" (ánh: a n h, sắc) + "0" + "3528" "0" "0" (lê) = "203731040352800";
    ``""`` for an empty name. Source: reference §6 "Sorting lists by name"; pitfalls item 11.
    """
    words = [k for k in map(_word_key, nfc(full_name).split()) if k]
    return "0".join(words[-1:] + words[:-1])


def text_sort_key(text: str | None) -> str:
    """Vietnamese collation key of a name that is not a person's (khóm/ấp, commune): like ``name_sort_key`` but
    the words stay in writing order ("Khóm Hòa Bình" < "Khóm Mỹ Thới 1" < "Khóm Mỹ Thới 2"; digits before letters).
    ASCII digits only, so every database orders it the same way. Source: reference §6; pitfalls item 11."""
    return "0".join(k for k in map(_word_key, nfc(text).split()) if k)


# --- Personal ID number (số định danh cá nhân, CCCD) ---------------------------------------------------------------
_PROVINCES = (
    "001 Hà Nội|002 Hà Giang|004 Cao Bằng|006 Bắc Kạn|008 Tuyên Quang|010 Lào Cai|011 Điện Biên|012 Lai Châu|"
    "014 Sơn La|015 Yên Bái|017 Hòa Bình|019 Thái Nguyên|020 Lạng Sơn|022 Quảng Ninh|024 Bắc Giang|025 Phú Thọ|"
    "026 Vĩnh Phúc|027 Bắc Ninh|030 Hải Dương|031 Hải Phòng|033 Hưng Yên|034 Thái Bình|035 Hà Nam|036 Nam Định|"
    "037 Ninh Bình|038 Thanh Hóa|040 Nghệ An|042 Hà Tĩnh|044 Quảng Bình|045 Quảng Trị|046 Thừa Thiên Huế|"
    "048 Đà Nẵng|049 Quảng Nam|051 Quảng Ngãi|052 Bình Định|054 Phú Yên|056 Khánh Hòa|058 Ninh Thuận|"
    "060 Bình Thuận|062 Kon Tum|064 Gia Lai|066 Đắk Lắk|067 Đắk Nông|068 Lâm Đồng|070 Bình Phước|072 Tây Ninh|"
    "074 Bình Dương|075 Đồng Nai|077 Bà Rịa - Vũng Tàu|079 TP Hồ Chí Minh|080 Long An|082 Tiền Giang|083 Bến Tre|"
    "084 Trà Vinh|086 Vĩnh Long|087 Đồng Tháp|089 An Giang|091 Kiên Giang|092 Cần Thơ|093 Hậu Giang|094 Sóc Trăng|"
    "095 Bạc Liêu|096 Cà Mau"
)
PROVINCE_NAMES: dict[str, str] = dict(item.split(" ", 1) for item in _PROVINCES.split("|"))
"""Birth-registration province code (PPP) → name of one of the 63 former provinces (reference §4.2)."""
PROVINCE_CODES: frozenset[str] = frozenset(PROVINCE_NAMES)
"""The 63 province codes valid in existing ID numbers; unknown codes only warn (new codes may exist)."""

_TWELVE = re.compile(r"[0-9]{12}")
_ID_SEPARATORS = re.compile(r"[\s.\-\u2010-\u2015\u2212]")
_FLOAT_TEXT = re.compile(r"([0-9]+)\.0+")  # "89123456789.0": a number exported as text by a float writer


class NationalIdResult(NamedTuple):
    """A parsed ID: ``value`` (12 ASCII digits) and ``padded`` (True if leading zeros were restored — warn)."""

    value: str
    padded: bool


def _integral(raw: float | Decimal, what: str) -> int:
    """An integral, finite, non-negative float/Decimal as int (exact, never via ``str(float)``)."""
    if not (math.isfinite(raw) and raw == int(raw) and raw >= 0):
        raise ValidationError(f"{what} không hợp lệ (đã nhập: {raw}).")
    return int(raw)


def parse_national_id(raw: str | int | float | Decimal) -> NationalIdResult:
    """Parse a personal ID number (số định danh cá nhân / số CCCD) typed or imported from a spreadsheet.

    Text (typed in a form, or a spreadsheet text cell): spaces, dots and dashes are removed and exactly 12 digits
    must remain; 10–11 digits are refused, never padded — a typed ID may have lost any digit, not just a leading
    zero. A spreadsheet number (``int``, integral ``float``/``Decimal``) of 10–11 digits lost its leading zeros
    when Excel stored it as a number: it is left-padded to 12 (``padded=True``; the caller warns; pitfall 1).
    Text such as "89077105153.0" (a float written out) counts by its integer part, so it too needs 12 digits.
    Returns ``NationalIdResult``. Raises ``ValidationError``: "Số định danh cá nhân phải gồm đúng 12 chữ số (đã
    nhập: …)" with a hint for 9 (old CMND) or 10–11 digits, or for empty/non-numeric input. Source: reference
    §4.1, §4.3 (ND 137/2015 Art. 7; TT 59/2021/TT-BCA); pitfalls item 1.
    """
    if raw is None:
        raise ValidationError("Chưa nhập số định danh cá nhân.")
    if isinstance(raw, (float, Decimal)):
        raw = _integral(raw, "Số định danh cá nhân")
    if isinstance(raw, int) and not isinstance(raw, bool):
        shown = digits = str(raw)
        from_number = True
    elif isinstance(raw, str):
        shown = nfc(raw).lstrip("'\u2019")
        float_text = _FLOAT_TEXT.fullmatch(shown)
        digits = float_text.group(1) if float_text else _ID_SEPARATORS.sub("", shown)
        from_number = False
    else:
        raise ValidationError(f"Số định danh cá nhân không hợp lệ (đã nhập: {raw!r}).")
    if not shown:
        raise ValidationError("Chưa nhập số định danh cá nhân.")
    is_digits = digits.isascii() and digits.isdigit()
    if is_digits and len(digits) == 12:
        return NationalIdResult(digits, False)
    if is_digits and from_number and len(digits) in (10, 11):
        return NationalIdResult(digits.zfill(12), True)
    hint = ""
    if is_digits and len(digits) == 9:
        hint = " Số 9 chữ số là số CMND cũ, không phải số định danh."
    elif is_digits and len(digits) in (10, 11):
        hint = f" Số đã nhập chỉ có {len(digits)} chữ số: kiểm tra lại, kể cả các số 0 ở đầu."
    raise ValidationError(f"Số định danh cá nhân phải gồm đúng 12 chữ số (đã nhập: {shown}).{hint}")


def normalize_national_id(raw: str | int | float | Decimal) -> str:
    """The 12-digit personal ID number (số định danh cá nhân) as text, per ``parse_national_id`` (same errors);
    use ``parse_national_id`` when the caller must warn about restored leading zeros. Source: reference §4.3."""
    return parse_national_id(raw).value


_IS_MALE = {"nam": True, "male": True, "m": True, "nu": False, "female": False, "f": False}  # keys are fold()ed


def national_id_warnings(value: str, birth_year: int | date | None = None, gender: str | None = None,
                         *, today: date | None = None) -> list[str]:
    """Soft checks (cảnh báo) on a normalised 12-digit ID ``PPP G YY RRRRRR``; a supervisor may override them.

    Checks: PPP in ``PROVINCE_CODES``; century/gender digit G (born 1900 + 100·(G div 2), even G = male) against
    ``gender`` ("Nam"/"Nữ"/"male"/"female", any case or accents); the year from G+YY against ``birth_year`` (int,
    or a date); neither year after ``today`` (default: today). Returns Vietnamese warnings, [] when all agree.
    Raises ``ValidationError`` if ``value`` is not 12 digits or ``gender`` is unrecognised.
    Source: reference §4.1–4.3 (ND 137/2015 Art. 7; TT 59/2021/TT-BCA).
    """
    if not isinstance(value, str) or not _TWELVE.fullmatch(value):
        raise ValidationError(f"Số định danh cá nhân phải gồm đúng 12 chữ số (đã nhập: {value}).")
    warnings: list[str] = []
    ppp, g = value[:3], int(value[3])
    id_year = 1900 + 100 * (g // 2) + int(value[4:6])
    this_year = (today or today_vn()).year
    if ppp not in PROVINCE_CODES:
        warnings.append(f"Mã tỉnh {ppp} (3 chữ số đầu) không có trong danh mục 63 tỉnh, thành phố — kiểm tra lại.")
    if id_year > this_year:
        warnings.append(f"Năm sinh suy ra từ số định danh ({id_year}) ở tương lai — kiểm tra chữ số thứ 4–6.")
    if birth_year is not None:
        year = birth_year.year if isinstance(birth_year, date) else int(birth_year)
        if year > this_year:
            warnings.append(f"Năm sinh khai báo ({year}) ở tương lai.")
        if year != id_year:
            warnings.append(f"Năm sinh theo số định danh là {id_year}, khác năm sinh khai báo ({year}).")
    if gender and _IS_MALE.get(fold(gender)) is None:
        raise ValidationError(f"Giới tính không hợp lệ: «{gender}» (dùng Nam hoặc Nữ).")
    if gender and _IS_MALE[fold(gender)] != (g % 2 == 0):
        id_sex, declared = (Gender.MALE, Gender.FEMALE) if g % 2 == 0 else (Gender.FEMALE, Gender.MALE)
        warnings.append(f"Chữ số thứ 4 của số định danh ({g}) ứng với giới tính {id_sex.label}, khác giới tính khai "
                        f"báo ({declared.label}).")
    return warnings


# --- Phone, bank names ------------------------------------------------------------------------------------------------
_PHONE_SEPARATORS = re.compile(r"[\s.\-()\u2010-\u2015]")
_MOBILE = re.compile(r"(?:(?:\+|00)?84)?0?([35789][0-9]{8})")
_LANDLINE = re.compile(r"(?:(?:\+|00)?84)?0?(2[0-9]{9})")  # 0 + area code 2xx (2017 plan) + 7–8 digits = 11


def phone_normalize(raw: str | int | float | Decimal | None, *, allow_landline: bool = False) -> str:
    """Vietnamese mobile number (số điện thoại di động) as 10 digits "0xxxxxxxxx"; ``""`` for empty input.

    Accepts spaces, dots, dashes and brackets; the +84 / 0084 / 84 country prefix (also "+84 0…"); and a
    spreadsheet number that lost its leading 0 (9 digits, e.g. int 912345678). The number must then be 0 followed
    by 3, 5, 7, 8 or 9 and 8 more digits (mobile prefixes since the 2018 renumbering). With ``allow_landline``
    (the intake form) a fixed-line number of 11 digits "02xxxxxxxxx" (area code 2xx since 2017, e.g. An Giang 0296)
    is accepted too. Raises ``ValidationError`` with a Vietnamese message otherwise. Source: reference §6; MIC
    numbering plan (QĐ 798/QĐ-BTTTT 2018; area codes QĐ 2036/QĐ-BTTTT 2015).
    """
    if raw is None or (isinstance(raw, str) and not any(ch.isalnum() for ch in raw)):
        return ""  # blank, or a placeholder such as "-" / "..."
    if isinstance(raw, (float, Decimal)):
        raw = _integral(raw, "Số điện thoại")
    if isinstance(raw, bool) or not isinstance(raw, (int, str)) or (isinstance(raw, int) and raw < 0):
        raise ValidationError(f"Số điện thoại không hợp lệ (đã nhập: {raw!r}).")
    shown = nfc(str(raw)).lstrip("'")
    compact = _PHONE_SEPARATORS.sub("", shown)
    match = _MOBILE.fullmatch(compact) or (_LANDLINE.fullmatch(compact) if allow_landline else None)
    if not match:
        if allow_landline:
            raise ValidationError("Số điện thoại phải là số di động 10 chữ số bắt đầu bằng 03, 05, 07, 08 hoặc 09, "
                                  f"hoặc số cố định 11 chữ số bắt đầu bằng 02 (đã nhập: {shown}).")
        raise ValidationError("Số điện thoại di động phải gồm 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09 "
                              f"(đã nhập: {shown}).")
    return "0" + match.group(1)


def ascii_upper(name: str | None) -> str:
    """Name in capitals without diacritics (chữ in hoa không dấu), as banks hold account names: "Nguyễn Văn Đức"
    → "NGUYEN VAN DUC" (đ/Đ → D explicitly). For bank matching and transfer descriptions. Source: reference §6."""
    text = nfc(name).translate(str.maketrans({"đ": "d", "Đ": "D"}))
    return " ".join(unidecode(text).upper().split())


def names_match_bank(registry_name: str | None, bank_name: str | None) -> bool:
    """True if the registry name (Họ và tên) and the bank account name (tên chủ tài khoản) are equal once both are
    ``ascii_upper``-ed with whitespace collapsed; False if either is empty. Source: reference §6 "Bank names"."""
    registry, bank = ascii_upper(registry_name), ascii_upper(bank_name)
    return bool(registry) and registry == bank
