"""Numbers, dates and money in Vietnamese conventions (domain reference §6), the one set used by the web pages and
the printed documents alike (both register :data:`FILTERS` as Jinja filters): money ``1.234.567``, money in words
("Một triệu … đồng"), dates ``dd/mm/yyyy`` and "ngày 05 tháng 8 năm 2024", months ``MM/YYYY``, coefficients ``1,5``,
masked CCCD, bank names and the change log's labels and values."""
import re
from datetime import date, datetime
from decimal import Decimal
from numbers import Integral

from .clock import to_vn
from .errors import ValidationError
from .models.registry import FIELD_LABELS


def money(amount) -> str:
    """Integer đồng with "." thousands separators: 1234567 → "1.234.567"; None → ""."""
    if amount is None:
        return ""
    return f"{int(amount):,}".replace(",", ".")


def date_vn(value) -> str:
    """date/datetime → "dd/mm/yyyy"; None → ""."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return value.strftime("%d/%m/%Y")


def date_formal_vn(value: date) -> str:
    """``date`` → "ngày 05 tháng 8 năm 2024", the place-and-date line of a document (địa danh và thời gian, Decree
    30/2020/NĐ-CP Phụ lục I, mục II.4 ô 4): a day below 10 and the months 1 and 2 take a leading zero ("ngày 05",
    "tháng 01", "tháng 02"), other days and months do not ("ngày 15 tháng 8", "tháng 12"). The one function every
    document (WeasyPrint templates via the Jinja filter, ReportLab lists) prints its date line with. Raises
    ``TypeError`` for anything but a ``date``/``datetime``."""
    if not isinstance(value, date):
        raise TypeError(f"date_formal_vn expects a date, got {type(value).__name__}")
    month = f"{value.month:02d}" if value.month <= 2 else str(value.month)
    return f"ngày {value.day:02d} tháng {month} năm {value.year:04d}"


#: where an upper-case unit name may break (between phrases): after " - " and before an administrative-unit word
#: ("ỦY BAN NHÂN DÂN | TỈNH AN GIANG", "PHÒNG LAO ĐỘNG - | THƯƠNG BINH VÀ XÃ HỘI | THÀNH PHỐ CHÂU ĐỐC"); "VÀ XÃ HỘI"
#: and "THỊ XÃ" are not unit starts.
_PHRASE_BREAK = re.compile(r"(?<=\s-)\s+|(?<!\sVÀ)(?<!^VÀ)(?<!THỊ)\s+(?=(?:TỈNH|HUYỆN|QUẬN|THÀNH PHỐ|THỊ XÃ|THỊ TRẤN|"
                           r"PHƯỜNG|XÃ|ĐẶC KHU)\s)")
NBSP = "\u00a0"


def unit_phrases(text: str) -> list[str]:
    """An upper-case unit name (tên cơ quan, tổ chức) cut into the phrases a heading line may end between:
    "PHÒNG LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI THÀNH PHỐ CHÂU ĐỐC" → ["PHÒNG LAO ĐỘNG -", "THƯƠNG BINH VÀ XÃ HỘI",
    "THÀNH PHỐ CHÂU ĐỐC"]; whitespace inside a phrase is collapsed to single spaces. "" → [""]."""
    return [" ".join(p.split()) for p in _PHRASE_BREAK.split((text or "").strip())]


def keep_phrases(text: str) -> str:
    """Heading text whose lines may end only between the phrases of :func:`unit_phrases`: the spaces inside each
    phrase become non-breaking (U+00A0), so "TỈNH AN GIANG", "THÀNH PHỐ CHÂU ĐỐC" or "THƯƠNG BINH VÀ XÃ HỘI" never
    splits in a WeasyPrint heading or signature title (Decree 30/2020 Phụ lục I ô 2, ô 7). Lines ("\\n") are kept."""
    return "\n".join(" ".join(p.replace(" ", NBSP) for p in unit_phrases(line)) for line in (text or "").split("\n"))


def datetime_vn(value) -> str:
    """datetime → "dd/mm/yyyy HH:MM" in Vietnam time (UTC+7)."""
    if value is None:
        return ""
    return to_vn(value).strftime("%d/%m/%Y %H:%M")


def month_vn(value) -> str:
    """First-of-month date or "YYYY-MM" → "MM/YYYY"."""
    if value is None:
        return ""
    if isinstance(value, str):
        year, month = value.split("-")[:2]
        return f"{int(month):02d}/{year}"
    return value.strftime("%m/%Y")


def coefficient(value) -> str:
    """Decimal coefficient with a decimal comma and no trailing zeros: Decimal("1.50") → "1,5"."""
    if value is None:
        return ""
    d = Decimal(value).normalize()
    text = format(d, "f")
    return text.replace(".", ",")


def masked_id(value: str | None) -> str:
    """Show only the last 4 digits of a CCCD: "089077105153" → "********5153"."""
    if not value:
        return ""
    return "*" * (len(value) - 4) + value[-4:]


def month_str(value: date) -> str:
    """First-of-month date → "YYYY-MM" (the URL and CLI form of a month)."""
    return value.strftime("%Y-%m")


def provider_name(code: str | None) -> str:
    """PaymentProvider code → its name: "VBA" → "Agribank", "ICB" → "VietinBank" (few clerks know the codes). The
    code → name table is read once per request and kept on ``flask.g``; an unknown code (or no app context) is shown
    as is; None → ""."""
    if not code:
        return ""
    from flask import g, has_app_context
    if not has_app_context():
        return code
    names = g.get("provider_names")
    if names is None:
        from .extensions import db
        from .models import PaymentProvider
        names = g.provider_names = dict(db.session.execute(
            db.select(PaymentProvider.code, PaymentProvider.name)).all())
    return names.get(code, code)


#: labels of the other fields the change log shows (accounts, lists, lines, bank files); a beneficiary's fields use
#: the register's own table (``models.registry.FIELD_LABELS``), which ``field_label`` reads first
OTHER_FIELD_LABELS = {
    "account_number": "Số tài khoản", "provider_code": "Ngân hàng", "holder_kind": "Chủ tài khoản",
    "holder_name": "Tên chủ tài khoản", "opened_on": "Ngày mở", "status": "Trạng thái", "people_count": "Số người",
    "total_amount": "Tổng tiền", "result": "Kết quả", "paid_on": "Ngày chi", "result_reason": "Lý do",
    "channel": "Hình thức chi", "month": "Tháng", "active": "Đang dùng", "paid": "Đã chi", "failed": "Không chi được",
    "regular_amount": "Trợ cấp hằng tháng", "back_pay": "Truy lĩnh", "total": "Số tiền", "rows": "Số dòng",
    "recorded": "Đã ghi nhận", "unchanged": "Đã có từ trước", "name_mismatch": "Tên không khớp (giữ lại)",
    "errors": "Dòng lỗi", "held_rows": "Dòng giữ lại", "already": "Đã ghi nhận trước đó", "commune_code": "Xã/phường",
    "card_issued": "Đã phát hành thẻ", "flags": "Cảnh báo", "kind": "Loại tài khoản", "top_up": "Trợ cấp địa phương",
    "care_support": "Hỗ trợ chăm sóc", "funeral_support": "Hỗ trợ mai táng", "recovery": "Thu hồi",
    "regular_total": "Tổng trợ cấp hằng tháng", "top_up_total": "Tổng trợ cấp địa phương",
    "back_pay_total": "Tổng truy lĩnh", "care_total": "Tổng hỗ trợ chăm sóc", "funeral_total": "Tổng hỗ trợ mai táng",
    "recovery_total": "Tổng thu hồi", "fee_amount": "Chi phí chi trả", "sequence": "Lần lập",
    "return_reason": "Lý do trả lại", "waive_account_fee": "Miễn phí quản lý tài khoản",
    "waive_balance_sms": "Miễn phí SMS số dư", "waive_otp_sms": "Miễn phí SMS OTP", "waive_card_fees": "Miễn phí thẻ",
    "waive_own_atm": "Miễn phí rút tiền ATM",
}


def field_label(name: str) -> str:
    """Model field name → Vietnamese label for the change log: "provider_code" → "Ngân hàng"; unknown names (and
    keys that are already Vietnamese labels) are shown as is."""
    return FIELD_LABELS.get(name) or OTHER_FIELD_LABELS.get(name, name)


_MONEY_FIELDS = {"total_amount", "regular_amount", "back_pay", "total", "top_up", "care_support", "funeral_support",
                 "recovery", "regular_total", "top_up_total", "back_pay_total", "care_total", "funeral_total",
                 "recovery_total", "fee_amount", "amount"}
_DATE_FIELDS = {"opened_on", "paid_on", "birth_date", "decision_date"}


def field_value(value, name: str = "") -> str:
    """A recorded value as a clerk reads it, given its field ``name``: status → ListStatus label ("draft" → "Dự
    thảo"), holder_kind → Chính chủ / Người giám hộ, payment_channel / channel / result / cash_at_home_reason →
    their labels, gender → Nam/Nữ, provider codes → ``provider_name``, money fields → "1.234.567", ISO dates →
    dd/mm/yyyy, start_month/month → MM/YYYY, booleans → Có/Không, lists joined with ", "; None or "" → "—". Values
    not recognised are shown as is."""
    from .models import CashAtHomeReason, LineResult, ListChannel, ListStatus, PaymentChannel
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    enums = {"status": ListStatus, "payment_channel": PaymentChannel, "channel": ListChannel, "result": LineResult,
             "cash_at_home_reason": CashAtHomeReason}
    labels = {"holder_kind": {"self": "Chính chủ", "guardian": "Người giám hộ"},
              "gender": {"male": "Nam", "female": "Nữ"},
              "status": {"active": "Đang hưởng", "suspended": "Tạm dừng", "stopped": "Thôi hưởng"},
              "disability_level": {"severe": "Nặng", "especially_severe": "Đặc biệt nặng"}}
    try:
        if name in enums and str(value) in {e.value for e in enums[name]}:
            return enums[name](str(value)).label
        if name in labels and str(value) in labels[name]:
            return labels[name][str(value)]
        if name in ("provider_code", "preferred_bank"):
            return provider_name(str(value))
        if name in _MONEY_FIELDS and isinstance(value, int):
            return money(value)
        if name in _DATE_FIELDS and isinstance(value, str):
            return date_vn(date.fromisoformat(value[:10]))
        if name in ("start_month", "month") and isinstance(value, str):
            return month_vn(value)
    except ValueError:
        pass
    return str(value)



# --------------------------------------------------------------------------------------------------------------------
# Amounts in words (số tiền bằng chữ)
# --------------------------------------------------------------------------------------------------------------------
# Accounting-style Vietnamese as written on State treasury and commune finance documents (domain reference §6):
# "nghìn" (not "ngàn"), "tỷ", "mười" for 10–19 and "mươi" for 20–90, "mốt" for a final 1 after 20+, "lăm" for a final
# 5 after a tens digit, "bốn" (never "tư"), "linh" for a zero tens digit, and "không trăm" for an inner group whose
# hundreds digit is zero. General-purpose libraries (``num2words``) drop the "không trăm" (pitfalls §Vietnamese text,
# item 12), hence this code.

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
# Group names inside one "tỷ" block: units, nghìn (10^3), triệu (10^6). Above 10^9 the words repeat with "tỷ":
# 10^12 = "nghìn tỷ", 10^15 = "triệu tỷ" — the usage of the State budget reports.
_GROUP_NAMES = ("", "nghìn", "triệu")
_BILLION = 1_000_000_000
MAX_AMOUNT = _BILLION * _BILLION - 1
"""Largest amount :func:`amount_in_words` accepts: 10^18 − 1 đồng ("… tỷ tỷ" is not used in practice)."""


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
    """Spell an amount of money in Vietnamese accounting style (đọc số tiền bằng chữ), for the "Bằng chữ: …" line of
    payout lists, contracts, fee statements and reports.

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


#: Every filter above, registered on the web app's Jinja environment (``portal.create_app``) and on the documents'
#: own (``portal.documents.renderer``).
FILTERS = {
    "money": money, "amount_words": amount_in_words, "date_vn": date_vn, "date_formal_vn": date_formal_vn,
    "datetime_vn": datetime_vn, "month_vn": month_vn, "coefficient": coefficient, "masked_id": masked_id,
    "month_str": month_str, "provider_name": provider_name, "field_label": field_label, "field_value": field_value,
    "keep_phrases": keep_phrases,
}
