"""Rules for one beneficiary record (quy tắc hồ sơ đối tượng, Decree 20/2021 Art. 5, 8): what a valid entry is,
shared by the commune's forms and the spreadsheet import — NFC names, a 12-digit personal ID (số định danh cá nhân)
unique in the province, a known category (K6 with its disability level), a start month, and a payment channel with a
reason when the money is brought home (plan §III.4). Also the Vietnamese labels and display values used in the audit
trail."""
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from ..errors import ValidationError
from ..extensions import db
from ..models import AdministrativeUnit, Beneficiary, CashAtHomeReason, Category, PaymentChannel
from ..spreadsheets.reading import BirthDate, parse_birth_date, parse_date, parse_month
from .identity import detect_legacy_encoding, fold, national_id_warnings, nfc, parse_national_id, phone_normalize

#: model field → Vietnamese label (form labels, audit details, error messages)
FIELD_LABELS = {
    "full_name": "Họ và tên", "birth": "Ngày sinh", "birth_date": "Ngày sinh", "birth_year": "Năm sinh",
    "gender": "Giới tính", "national_id": "Số định danh cá nhân", "phone": "Số điện thoại", "hamlet": "Khóm/Ấp",
    "category_code": "Diện đối tượng", "disability_level": "Mức độ khuyết tật", "children_count": "Số con đang nuôi",
    "decision_number": "Số quyết định hưởng", "decision_date": "Ngày quyết định", "start_month": "Hưởng từ tháng",
    "payment_channel": "Hình thức nhận", "cash_at_home_reason": "Lý do nhận tại nhà",
    "cash_at_home_note": "Ghi rõ lý do", "preferred_bank": "Ngân hàng mong muốn",
    "guardian_name": "Người giám hộ / nhận thay", "guardian_relationship": "Quan hệ",
    "guardian_phone": "Điện thoại người giám hộ", "note": "Ghi chú",
}
#: fields written by ``clean_beneficiary`` (and compared / audited)
FIELDS = ["full_name", "birth_date", "birth_year", "gender", "national_id", "phone", "hamlet", "category_code",
          "disability_level", "children_count", "decision_number", "decision_date", "start_month", "payment_channel",
          "cash_at_home_reason", "cash_at_home_note", "preferred_bank", "guardian_name", "guardian_relationship",
          "guardian_phone", "note"]
DISABILITY_LEVELS = {"severe": "Nặng", "especially_severe": "Đặc biệt nặng"}
GENDERS = {"male": "Nam", "female": "Nữ"}
_TEXT_LIMITS = {"full_name": 120, "hamlet": 120, "decision_number": 60, "cash_at_home_note": 200,
                "preferred_bank": 60, "guardian_name": 120, "guardian_relationship": 60, "note": 300}


class BeneficiaryInvalid(ValidationError):
    """Validation failed on one or more fields; ``errors`` maps a field name (as in ``FIELD_LABELS``; ``birth`` for
    the birth date) to a Vietnamese message. ``str(err)`` joins the messages."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(" ".join(errors.values()))


@dataclass
class Cleaned:
    """Validated values ready to set on a ``Beneficiary`` (keys of ``FIELDS``) and soft warnings (cảnh báo)."""

    values: dict
    warnings: list[str] = field(default_factory=list)


_NAME_PUNCTUATION = frozenset(" '\u2019-.")  # space, apostrophe (also ’), hyphen, dot (e.g. "Néang", "H'Hen")


def check_person_name(name: str, label: str = "Họ và tên") -> None:
    """Refuse a personal name (họ và tên) with characters no Vietnamese or Khmer-romanised name has: it must start
    with a letter and hold only letters (any script, with diacritics), spaces, apostrophes, hyphens and dots — so
    digits and ``= + @ < > " ( ) ,`` are refused, which also keeps formulas such as ``=HYPERLINK(…)`` out of the
    register and the exported lists (pitfalls item 8). ``name`` is NFC text. Raises ``ValidationError`` naming the
    characters."""
    bad = sorted({ch for ch in name if ch not in _NAME_PUNCTUATION and unicodedata.category(ch)[0] not in "LM"})
    if bad:
        shown = ", ".join(f"«{ch}»" for ch in bad)
        raise ValidationError(f"{label} «{name}» có ký tự không dùng trong tên người: {shown}. Chỉ dùng chữ cái, "
                              "khoảng trắng, dấu nháy ('), gạch nối (-) và dấu chấm.")
    if not unicodedata.category(name[0]).startswith("L"):
        raise ValidationError(f"{label} «{name}» phải bắt đầu bằng chữ cái.")


def _text(data: dict, key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    value = nfc(str(value))
    return value or None


def _gender(raw) -> str | None:
    key = fold(raw) if isinstance(raw, str) else ""
    return {"nam": "male", "male": "male", "nu": "female", "female": "female"}.get(key)


def _birth(raw) -> BirthDate | None:
    if raw is None or isinstance(raw, BirthDate):
        return raw
    if isinstance(raw, date):
        return BirthDate(raw, raw.year, False)
    return parse_birth_date(raw.strip() if isinstance(raw, str) else raw)


def _month(raw) -> date | None:
    if isinstance(raw, date):
        return raw.replace(day=1)
    return parse_month(raw, "Hưởng từ tháng")


def clean_beneficiary(data: dict, commune_code: str, current: Beneficiary | None = None,
                      today: date | None = None, check_duplicate: bool = True) -> Cleaned:
    """Validate raw input (form strings or spreadsheet values) for a beneficiary of ``commune_code``.

    ``data`` keys: ``full_name``, ``birth`` (date, ``BirthDate``, year, or text "dd/mm/yyyy" / "yyyy"), ``gender``
    ("male"/"female"/"Nam"/"Nữ"), ``national_id`` (text or spreadsheet number), ``phone``, ``hamlet``,
    ``category_code`` (Art. 5 code), ``disability_level`` (K6 only: severe | especially_severe),
    ``children_count`` (K4, ≥ 1), ``decision_number``, ``decision_date``, ``start_month`` (first-of-month date or
    text "MM/YYYY"/"YYYY-MM"), ``payment_channel`` (``PaymentChannel`` value), ``cash_at_home_reason``
    (``CashAtHomeReason`` value, required for cash at home; "other" needs ``cash_at_home_note``),
    ``preferred_bank``, ``guardian_name``, ``guardian_relationship``, ``guardian_phone``, ``note``.
    ``current`` is the row being edited (excluded from the duplicate check); ``check_duplicate=False`` skips the
    ID look-up for callers that matched IDs themselves (the import).

    Names (and the guardian's) must pass ``check_person_name``. Returns ``Cleaned``: NFC text with single spaces;
    a 12-digit ID (leading zeros restored, with a warning, only for a spreadsheet number — typed text must have 12);
    warnings from ``identity.national_id_warnings`` (province code, birth year, gender). Raises
    ``BeneficiaryInvalid`` listing every failing field; an ID already registered anywhere in the province names
    only the commune holding it (personal data of another commune is not revealed)."""
    errors: dict[str, str] = {}
    warnings: list[str] = []
    v: dict = {}

    def check(key, fn):
        try:
            return fn()
        except ValidationError as err:
            errors[key] = str(err)
            return None

    v["full_name"] = _text(data, "full_name")
    if not v["full_name"]:
        errors["full_name"] = "Chưa nhập họ và tên."
    elif detect_legacy_encoding(v["full_name"]):
        errors["full_name"] = (f"Họ và tên «{v['full_name']}» có vẻ gõ bằng bảng mã "
                               f"{detect_legacy_encoding(v['full_name'])}; hãy chuyển sang Unicode rồi nhập lại.")
    else:
        check("full_name", lambda: check_person_name(v["full_name"]))
    birth = check("birth", lambda: _birth(data.get("birth")))
    if birth is None and "birth" not in errors:
        errors["birth"] = "Chưa nhập ngày sinh (ngày/tháng/năm, hoặc năm sinh)."
    elif birth is not None:
        v["birth_date"], v["birth_year"] = birth.day, birth.year
        if birth.year > (today or date.today()).year:
            errors["birth"] = f"Năm sinh {birth.year} ở tương lai."
    v["gender"] = _gender(data.get("gender"))
    if v["gender"] is None:
        errors["gender"] = "Chọn giới tính (Nam hoặc Nữ)."
    national = check("national_id", lambda: parse_national_id(data.get("national_id")))
    if national is not None:
        v["national_id"] = national.value
        if national.padded:
            warnings.append(f"Số định danh {national.value}: đã bổ sung số 0 đầu (ô lưu dạng số) — kiểm tra lại.")
        if "birth_year" in v and v["gender"]:
            warnings += national_id_warnings(national.value, v["birth_year"], v["gender"], today=today)
    for key in ("phone", "guardian_phone"):
        v[key] = check(key, lambda key=key: phone_normalize(data.get(key))) or None
    for key in ("hamlet", "decision_number", "preferred_bank", "guardian_name", "guardian_relationship", "note",
                "cash_at_home_note"):
        v[key] = _text(data, key)
    if v["guardian_name"]:
        check("guardian_name", lambda: check_person_name(v["guardian_name"], FIELD_LABELS["guardian_name"]))
    for key, limit in _TEXT_LIMITS.items():
        if v.get(key) and len(v[key]) > limit:
            errors[key] = f"{FIELD_LABELS[key]} dài quá {limit} ký tự."
    _check_category(data, v, errors)
    v["decision_date"] = check("decision_date", lambda: parse_date(data.get("decision_date"), "Ngày quyết định")
                               if not isinstance(data.get("decision_date"), date) else data["decision_date"])
    v["start_month"] = check("start_month", lambda: _month(data.get("start_month")))
    if v["start_month"] is None and "start_month" not in errors:
        errors["start_month"] = "Chưa nhập tháng bắt đầu hưởng (MM/YYYY)."
    _check_channel(data, v, errors)
    if check_duplicate and "national_id" in v and "national_id" not in errors:
        _check_duplicate(v["national_id"], current, errors)
    if errors:
        raise BeneficiaryInvalid(errors)
    return Cleaned(v, warnings)


def _check_category(data: dict, v: dict, errors: dict) -> None:
    code = _text(data, "category_code")
    level = _text(data, "disability_level")
    category = db.session.get(Category, code) if code else None
    v["category_code"], v["disability_level"] = code, level
    if category is None:
        errors["category_code"] = "Chọn diện đối tượng." if not code else f"Không có diện đối tượng «{code}»."
        return
    if code == "K6" and level not in DISABILITY_LEVELS:
        errors["disability_level"] = "Diện K6 cần mức độ khuyết tật: nặng hoặc đặc biệt nặng."
    if code != "K6" and level:
        errors["disability_level"] = "Chỉ diện K6 (người khuyết tật) mới ghi mức độ khuyết tật."
    raw_children = data.get("children_count")
    try:
        children = int(raw_children) if raw_children not in (None, "") else 1
    except (TypeError, ValueError):
        children = 0
    if children < 1 or children > 20:
        errors["children_count"] = "Số con đang nuôi phải là số nguyên từ 1 trở lên."
    v["children_count"] = children if code == "K4" else 1


def _check_channel(data: dict, v: dict, errors: dict) -> None:
    raw = _text(data, "payment_channel")
    try:
        channel = PaymentChannel(raw)
    except ValueError:
        errors["payment_channel"] = "Chọn hình thức nhận trợ cấp."
        return
    v["payment_channel"] = channel.value
    if channel is not PaymentChannel.CASH_AT_HOME:
        v["cash_at_home_reason"] = v["cash_at_home_note"] = None
        return
    try:
        reason = CashAtHomeReason(_text(data, "cash_at_home_reason"))
    except ValueError:
        errors["cash_at_home_reason"] = "Nhận tiền mặt tại nhà cần ghi lý do (chọn trong danh sách)."
        return
    v["cash_at_home_reason"] = reason.value
    if reason is CashAtHomeReason.OTHER and not v.get("cash_at_home_note"):
        errors["cash_at_home_note"] = "Lý do khác: ghi rõ lý do nhận tại nhà."


def _check_duplicate(national_id: str, current: Beneficiary | None, errors: dict) -> None:
    stmt = select(Beneficiary.commune_code).where(Beneficiary.national_id == national_id)
    if current is not None and current.id is not None:
        stmt = stmt.where(Beneficiary.id != current.id)
    commune_code = db.session.execute(stmt).scalar()
    if commune_code is not None:
        unit = db.session.get(AdministrativeUnit, commune_code)
        errors["national_id"] = (f"Số định danh {national_id} đã được đăng ký hưởng trợ cấp tại "
                                 f"{unit.name if unit else commune_code}.")


def display_value(key: str, value) -> str | None:
    """A field value as shown to a clerk: Nam/Nữ, channel and reason labels, dd/mm/yyyy, MM/YYYY."""
    if value is None or value == "":
        return None
    if key == "gender":
        return GENDERS.get(value, value)
    if key == "payment_channel":
        return PaymentChannel(value).label
    if key == "cash_at_home_reason":
        return CashAtHomeReason(value).label
    if key == "disability_level":
        return DISABILITY_LEVELS.get(value, value)
    if key == "start_month":
        return value.strftime("%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def audit_snapshot(values: dict, skip_empty: bool = False) -> dict:
    """``values`` (model field → value) keyed by Vietnamese labels with display values, for the audit trail;
    ``skip_empty`` leaves out empty fields (for a new record). The birth year is left out when the full date is
    there."""
    out = {}
    for k in FIELDS:
        if k not in values or (k == "birth_year" and values.get("birth_date")):
            continue
        shown = display_value(k, values[k])
        if shown is not None or not skip_empty:
            out[FIELD_LABELS[k]] = shown
    return out
