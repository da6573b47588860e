"""Vietnamese messages for every WTForms/Flask-WTF form of the portal (thông báo kiểm tra dữ liệu bằng tiếng Việt).

WTForms ships no Vietnamese locale, so a form left alone says "Not a valid integer value." or "Number must be
between 0 and 1000000.". ``install()`` (called once from ``create_app``) makes ``FlaskForm.Meta.get_translations``
return :data:`TRANSLATIONS`, a tiny gettext-like object mapping WTForms' English message templates (before
``%(min)s``… substitution) to Vietnamese; every ``FlaskForm`` subclass inherits it, so no form needs changing.

It also keeps a parse error visible behind ``DataRequired``: a date typed as 2024-13-01 shows «Ngày không hợp lệ»,
not «Bắt buộc.» (WTForms' ``DataRequired`` otherwise wipes the parse error because the parsed value is ``None``).
"""
from flask_wtf import FlaskForm
from wtforms.validators import DataRequired, StopValidation

#: English WTForms message template → Vietnamese (same ``%(...)s`` placeholders).
MESSAGES: dict[str, str] = {
    "This field is required.": "Bắt buộc.",
    "Invalid input.": "Giá trị không hợp lệ.",
    "Not a valid integer value.": "Không phải số nguyên hợp lệ (chỉ gồm chữ số, ví dụ 5000).",
    "Not a valid decimal value.": "Không phải số hợp lệ (ví dụ 1,5).",
    "Not a valid float value.": "Không phải số hợp lệ (ví dụ 1,5).",
    "Not a valid date value.": "Ngày không hợp lệ (cần dạng ngày/tháng/năm có thật).",
    "Not a valid datetime value.": "Ngày giờ không hợp lệ.",
    "Not a valid time value.": "Giờ không hợp lệ.",
    "Not a valid week value.": "Tuần không hợp lệ.",
    "Not a valid choice.": "Lựa chọn không hợp lệ.",
    "Not a valid choice": "Lựa chọn không hợp lệ.",
    "'%(value)s' is not a valid choice for this field.": "«%(value)s» không phải lựa chọn hợp lệ.",
    "Invalid Choice: could not coerce.": "Lựa chọn không hợp lệ.",
    "Invalid choice(s): one or more data inputs could not be coerced.": "Có lựa chọn không hợp lệ.",
    "Choices cannot be None.": "Chưa có danh sách lựa chọn.",
    "Number must be at least %(min)s.": "Số phải từ %(min)s trở lên.",
    "Number must be at most %(max)s.": "Số không được lớn hơn %(max)s.",
    "Number must be between %(min)s and %(max)s.": "Số phải trong khoảng %(min)s đến %(max)s.",
    "Date must be at least %(min)s.": "Ngày phải từ %(min)s trở đi.",
    "Date must be at most %(max)s.": "Ngày không được sau %(max)s.",
    "Date must be between %(min)s and %(max)s.": "Ngày phải trong khoảng %(min)s đến %(max)s.",
    "Field must be at least %(min)d character long.": "Cần ít nhất %(min)d ký tự.",
    "Field must be at least %(min)d characters long.": "Cần ít nhất %(min)d ký tự.",
    "Field cannot be longer than %(max)d character.": "Không được dài quá %(max)d ký tự.",
    "Field cannot be longer than %(max)d characters.": "Không được dài quá %(max)d ký tự.",
    "Field must be exactly %(max)d character long.": "Cần đúng %(max)d ký tự.",
    "Field must be exactly %(max)d characters long.": "Cần đúng %(max)d ký tự.",
    "Field must be between %(min)d and %(max)d characters long.": "Cần từ %(min)d đến %(max)d ký tự.",
    "Field must be equal to %(other_name)s.": "Phải trùng với ô %(other_name)s.",
    "Invalid field name '%s'.": "Tên ô không hợp lệ: «%s».",
    "Invalid email address.": "Địa chỉ email không hợp lệ.",
    "Invalid IP address.": "Địa chỉ IP không hợp lệ.",
    "Invalid Mac address.": "Địa chỉ MAC không hợp lệ.",
    "Invalid URL.": "Địa chỉ web (URL) không hợp lệ.",
    "Invalid UUID.": "Mã UUID không hợp lệ.",
    "Invalid value, must be one of: %(values)s.": "Giá trị phải là một trong: %(values)s.",
    "Invalid value, can't be any of: %(values)s.": "Giá trị không được là: %(values)s.",
    "This field cannot be edited.": "Ô này không được sửa.",
    "This field is disabled and cannot have a value.": "Ô này bị khóa, không nhận giá trị.",
    "Invalid CSRF Token.": "Phiên làm việc đã hết hạn, hãy tải lại trang và thử lại.",
    "CSRF failed.": "Phiên làm việc đã hết hạn, hãy tải lại trang và thử lại.",
    "CSRF token missing.": "Phiên làm việc đã hết hạn, hãy tải lại trang và thử lại.",
    "CSRF token expired.": "Phiên làm việc đã hết hạn, hãy tải lại trang và thử lại.",
}


class VietnameseTranslations:
    """gettext/ngettext over :data:`MESSAGES`; an unknown string is returned unchanged."""

    def gettext(self, string: str) -> str:
        return MESSAGES.get(string, string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return MESSAGES.get(singular if n == 1 else plural) or MESSAGES.get(singular) or (
            singular if n == 1 else plural)


TRANSLATIONS = VietnameseTranslations()


def _get_translations(self, form):
    return TRANSLATIONS


def _data_required_call(self, form, field, _original=DataRequired.__call__):
    # the field could not parse what was typed (e.g. 2024-13-01): keep that error, not «Bắt buộc.»
    if getattr(field, "process_errors", None) and any(str(v).strip() for v in (field.raw_data or [])):
        raise StopValidation()
    return _original(self, form, field)


def install() -> None:
    """Make every FlaskForm speak Vietnamese (idempotent)."""
    FlaskForm.Meta.get_translations = _get_translations
    if not getattr(DataRequired.__call__, "_portal_vi", False):
        _data_required_call._portal_vi = True
        DataRequired.__call__ = _data_required_call
