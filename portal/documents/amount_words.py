"""Amounts in words (số tiền bằng chữ) for the "Bằng chữ: …" line of payout lists, receipts and reports.

Accounting-style Vietnamese as written on State treasury and commune finance documents (domain reference §6
"Numbers, dates, money"): "nghìn" (not "ngàn"), "tỷ", "mười" for 10–19 and "mươi" for 20–90, "mốt" for a final 1
after 20+, "lăm" for a final 5 after a tens digit, "bốn" (never "tư"), "linh" for a zero tens digit, and
"không trăm" for an inner group whose hundreds digit is zero. General-purpose libraries (``num2words``) drop the
"không trăm" (pitfalls §Vietnamese text, item 12), hence this module.
"""
from numbers import Integral

from ..errors import ValidationError

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
# Group names inside one "tỷ" block: units, nghìn (10^3), triệu (10^6). Above 10^9 the words repeat with "tỷ":
# 10^12 = "nghìn tỷ", 10^15 = "triệu tỷ" — the usage of the State budget reports.
_GROUP_NAMES = ("", "nghìn", "triệu")
_BILLION = 1_000_000_000
MAX_AMOUNT = _BILLION * _BILLION - 1
"""Largest amount accepted: 10^18 − 1 đồng ("… tỷ tỷ" is not used in practice)."""


def _three_digits(n: int, full: bool) -> list[str]:
    """Words for 0 < n < 1000. ``full`` is True for an inner group (a higher group precedes it), which then always
    reads its hundreds ("không trăm") and uses "linh" before a lone unit digit."""
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words: list[str] = []
    if hundreds or full:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words += ["linh", _DIGITS[units]]
        elif units:
            words.append(_DIGITS[units])
        return words
    words += ["mười"] if tens == 1 else [_DIGITS[tens], "mươi"]
    if units == 1 and tens > 1:
        words.append("mốt")
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(_DIGITS[units])
    return words


def _below_billion(n: int, full: bool) -> list[str]:
    """Words for 0 ≤ n < 10^9; zero groups are skipped, the first group read is "full" only when ``full``."""
    words: list[str] = []
    for power in (2, 1, 0):
        group = n // 1000**power % 1000
        if group:
            words += _three_digits(group, full or bool(words))
            if _GROUP_NAMES[power]:
                words.append(_GROUP_NAMES[power])
    return words


def _words(n: int) -> list[str]:
    """Words for 0 < n ≤ MAX_AMOUNT: the part above 10^9 is read recursively and followed by "tỷ"."""
    if n < _BILLION:
        return _below_billion(n, full=False)
    high, low = divmod(n, _BILLION)
    return _words(high) + ["tỷ"] + (_below_billion(low, full=True) if low else [])


def amount_in_words(amount: int) -> str:
    """Spell an amount of money in Vietnamese accounting style (đọc số tiền bằng chữ).

    ``amount``: whole đồng, an ``int`` (any ``numbers.Integral`` except ``bool``), 0 ≤ amount ≤ ``MAX_AMOUNT``
    (10^18 − 1). Returns one line, first letter capitalised, ending in "đồng", e.g. 1_050_000 → "Một triệu không
    trăm năm mươi nghìn đồng", 1004 → "Một nghìn không trăm linh bốn đồng", 0 → "Không đồng",
    1_000_000_001 → "Một tỷ không trăm linh một đồng". Groups that are all zero are skipped.

    Raises ``ValidationError`` (Vietnamese message) for a negative, too large or non-integer amount (floats are
    refused even when integral: money is whole đồng, never a float).
    Source: domain reference §6 (Numbers, dates, money); pitfalls §Vietnamese text, item 12.
    """
    if isinstance(amount, bool) or not isinstance(amount, Integral):
        raise ValidationError(f"Số tiền phải là số nguyên đồng (đã nhập: {amount!r}).")
    value = int(amount)
    if value < 0:
        raise ValidationError(f"Số tiền không được âm (đã nhập: {value}).")
    if value > MAX_AMOUNT:
        raise ValidationError(f"Số tiền quá lớn để đọc bằng chữ (đã nhập: {value}).")
    text = " ".join(_words(value)) if value else "không"
    return f"{text[0].upper()}{text[1:]} đồng"
