"""Jinja filters in Vietnamese conventions (reference §6): money ``1.234.567``, dates ``dd/mm/yyyy``, months
``MM/YYYY``, coefficients ``1,5`` and masked CCCD."""
from datetime import date, datetime
from decimal import Decimal

from .clock import to_vn


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


#: model field names → Vietnamese labels, for the change log (nhật ký thay đổi)
FIELD_LABELS = {
    "full_name": "Họ và tên", "national_id": "Số định danh", "account_number": "Số tài khoản",
    "provider_code": "Ngân hàng", "holder_kind": "Chủ tài khoản", "holder_name": "Tên chủ tài khoản",
    "opened_on": "Ngày mở", "status": "Trạng thái", "people_count": "Số người", "total_amount": "Tổng tiền",
    "payment_channel": "Hình thức nhận", "category_code": "Diện", "phone": "Số điện thoại", "hamlet": "Khóm/Ấp",
    "birth_date": "Ngày sinh", "birth_year": "Năm sinh", "gender": "Giới tính", "result": "Kết quả",
    "paid_on": "Ngày chi", "result_reason": "Lý do", "channel": "Hình thức chi", "month": "Tháng",
    "active": "Đang dùng", "paid": "Đã chi", "failed": "Không chi được", "regular_amount": "Trợ cấp hằng tháng",
    "back_pay": "Truy lĩnh", "total": "Số tiền", "preferred_bank": "Ngân hàng mong muốn",
    "disability_level": "Mức độ khuyết tật", "cash_at_home_reason": "Lý do nhận tại nhà",
    "guardian_name": "Người giám hộ", "start_month": "Hưởng từ tháng", "decision_number": "Số quyết định",
    "decision_date": "Ngày quyết định", "rows": "Số dòng", "recorded": "Đã ghi nhận",
    "unchanged": "Đã có từ trước", "name_mismatch": "Tên không khớp (giữ lại)", "errors": "Dòng lỗi",
    "held_rows": "Dòng giữ lại", "already": "Đã ghi nhận trước đó",
    "commune_code": "Xã/phường", "children_count": "Số con đang nuôi", "card_issued": "Đã phát hành thẻ",
    "flags": "Cảnh báo", "kind": "Loại tài khoản", "top_up": "Trợ cấp địa phương", "care_support": "Hỗ trợ chăm sóc",
    "funeral_support": "Hỗ trợ mai táng", "recovery": "Thu hồi", "regular_total": "Tổng trợ cấp hằng tháng",
    "top_up_total": "Tổng trợ cấp địa phương", "back_pay_total": "Tổng truy lĩnh", "care_total": "Tổng hỗ trợ chăm sóc",
    "funeral_total": "Tổng hỗ trợ mai táng", "recovery_total": "Tổng thu hồi", "fee_amount": "Chi phí chi trả",
    "sequence": "Lần lập", "return_reason": "Lý do trả lại", "waive_account_fee": "Miễn phí quản lý tài khoản",
    "waive_balance_sms": "Miễn phí SMS số dư", "waive_otp_sms": "Miễn phí SMS OTP",
    "waive_card_fees": "Miễn phí thẻ", "waive_own_atm": "Miễn phí rút tiền ATM", "hamlet_id": "Khóm/Ấp",
}


def field_label(name: str) -> str:
    """Model field name → Vietnamese label for the change log: "provider_code" → "Ngân hàng"; unknown names (and
    keys that are already Vietnamese labels) are shown as is."""
    if name in FIELD_LABELS:
        return FIELD_LABELS[name]
    from .services.registry.fields import FIELD_LABELS as REGISTRY_LABELS
    return REGISTRY_LABELS.get(name, name)


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


FILTERS = {
    "money": money, "date_vn": date_vn, "datetime_vn": datetime_vn, "month_vn": month_vn,
    "coefficient": coefficient, "masked_id": masked_id, "month_str": month_str, "provider_name": provider_name,
    "field_label": field_label, "field_value": field_value,
}
