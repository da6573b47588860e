"""Rules for one beneficiary record (quy tắc hồ sơ đối tượng, Decree 20/2021 Art. 5, 8): what a valid entry is,
shared by the commune's forms and the spreadsheet import — NFC names, a 12-digit personal ID (số định danh cá nhân)
unique in the province, a known category (K6 with its disability level), a start month, and a payment channel with a
reason when the money is brought home (plan §III.4). Also the Vietnamese labels and display values used in the audit
trail."""
import re
import unicodedata
from datetime import date
from types import SimpleNamespace

from sqlalchemy import select

from ...clock import today_vn
from ...errors import ValidationError
from ...extensions import db
from ...models import (
    AdministrativeUnit,
    Beneficiary,
    CashAtHomeReason,
    DisabilityLevel,
    Hamlet,
    HouseholdPoverty,
    PaymentChannel,
)
from ...models.registry import FIELD_LABELS
from ...spreadsheets.legacy import detect_legacy_encoding
from ...spreadsheets.reading import BirthDate, parse_birth_date, parse_date, parse_month
from ..entitlement.pension import PENSION_ONLY_CATEGORY, TRANSFERRED_CATEGORIES, age_ground, replaced_since
from ..entitlement.rates import RateBook, age_in_month
from .fields import (
    DISABILITY_AGE_GROUPS,
    OVERRIDE_HINT,
    BeneficiaryInvalid,
    Checked,
    Cleaned,
    category_age_problem,
    check_person_name,
    parse_legacy_id,
)
from .identity import fold, national_id_warnings, nfc, parse_national_id, phone_normalize
from .lookups import category_of, hamlet_named, hamlet_of

_TEXT_LIMITS = {"full_name": 120, "hamlet": 120, "decision_number": 60, "cash_at_home_note": 200,
                "preferred_bank": 60, "guardian_name": 120, "guardian_relationship": 60, "note": 300,
                "id_warning_override_reason": 300, "category_override_reason": 300}


_CONTROL = dict.fromkeys((c for c in range(0x100) if unicodedata.category(chr(c)) == "Cc"), " ")
_HAS_CONTROL = re.compile("[" + "".join(re.escape(chr(c)) for c in _CONTROL) + "]")


def _text(data: dict, key: str) -> str | None:
    """NFC text with single spaces and no control characters (PostgreSQL refuses NUL), or None when empty."""
    value = data.get(key)
    if value is None:
        return None
    value = str(value)
    if _HAS_CONTROL.search(value):
        value = value.translate(_CONTROL)
    value = nfc(value)
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


def _month(raw, label: str = "Hưởng từ tháng") -> date | None:
    if isinstance(raw, date):
        return raw.replace(day=1)
    if isinstance(raw, str) and not nfc(raw):
        return None
    return parse_month(nfc(raw) if isinstance(raw, str) else raw, label)


def _changed(current: Beneficiary | None, v: dict, keys) -> bool:
    """True for a new record, or when any of ``keys`` differs from the stored row."""
    return current is None or any(getattr(current, k, None) != v.get(k) for k in keys)


def clean_beneficiary(data: dict, commune_code: str, current: Beneficiary | None = None,
                      today: date | None = None, check_duplicate: bool = True, strict: bool = False) -> Cleaned:
    """Validate raw input for a beneficiary of ``commune_code`` (see ``check_beneficiary`` for keys and rules).
    Returns ``Cleaned`` (values, flat warnings, warnings by field, links). Raises ``BeneficiaryInvalid`` listing
    every failing field; an ID already registered anywhere in the province names only the commune holding it
    (personal data of another commune is not revealed)."""
    checked = check_beneficiary(data, commune_code, current, today, check_duplicate, strict)
    if checked.errors:
        raise BeneficiaryInvalid(checked.errors, checked.field_warnings, checked.links)
    return Cleaned(checked.values, checked.warnings, checked.field_warnings, checked.links)


def check_beneficiary(data: dict, commune_code: str, current: Beneficiary | None = None,
                      today: date | None = None, check_duplicate: bool = True, strict: bool = False) -> Checked:
    """Check raw input (form strings or spreadsheet values) for a beneficiary of ``commune_code``; never raises for
    bad input (every problem is in ``Checked.errors``).

    ``data`` keys: ``full_name``, ``birth`` (date, ``BirthDate``, year, or text "dd/mm/yyyy" / "yyyy"), ``gender``
    ("male"/"female"/"Nam"/"Nữ"), ``national_id`` (text or spreadsheet number), ``legacy_id_number`` (old CMND,
    9 or 12 digits, optional), ``phone``, ``hamlet_id`` (id in the commune's list) and/or ``hamlet`` (its name),
    ``category_code`` (Art. 5 code), ``disability_level`` (K6 only: severe | especially_severe),
    ``disability_age_group`` (K6, optional: child | adult | elderly, checked against the age, not stored),
    ``disability_certified_month`` (K6, optional), ``children_count`` (K4, ≥ 1), ``decision_number``,
    ``decision_date``, ``start_month`` (first-of-month date or text "MM/YYYY"/"YYYY-MM"), ``payment_channel``
    (``PaymentChannel`` value), ``cash_at_home_reason`` (``CashAtHomeReason`` value, required for cash at home;
    "other" needs ``cash_at_home_note``), ``preferred_bank``, ``guardian_name``, ``guardian_national_id``,
    ``guardian_relationship``, ``guardian_phone``, ``note``, ``id_warning_override_reason``,
    ``category_override_reason``, ``household_poverty`` (``HouseholdPoverty`` value or empty) and
    ``receives_pension`` (checkbox: "y"/"1"/"on"/"true" or a bool) — these two only when given, so a source
    without them (the spreadsheet import) leaves the stored values alone. ``current`` is the row being edited
    (excluded from the duplicate checks); ``check_duplicate=False`` skips the ID look-up for callers that matched
    IDs themselves (the import).

    Always: NFC text with single spaces; names pass ``check_person_name``; a 12-digit ID (leading zeros restored,
    with a warning, only for a spreadsheet number — typed text must have 12); soft ID warnings from
    ``identity.national_id_warnings`` (province code, birth year, gender) under ``national_id``.
    A category outside its age band (``category_age_problem``) is a warning, the same in the form and the import
    (``category_age_warning``). ``strict=True`` (the commune's intake form) adds: soft ID warnings are errors unless
    the override reason is given (only when the fields involved are new or changed — an old record is not
    blocked for an unrelated edit); the reason is kept only while needed; a landline is a valid phone; a hamlet from
    the commune's list (required on new records when the list is not empty); guardian details need the guardian's
    name; decision date and certificate month not in the future; the certificate month only for K6; the same folded
    name and birth in another commune (or the same one) is a warning under ``full_name``. K5b / K5c marked as
    receiving a pension is a warning under ``receives_pension`` (``pension_category_warning``), form and import alike.
    Source: Decree 20/2021 Art. 5, 8; reference §4.3, §6; plan §III.4."""
    today = today or today_vn()
    c = Checked({})
    v, errors = c.values, c.errors
    _check_person(data, v, errors, today)
    for key in ("id_warning_override_reason", "category_override_reason"):
        v[key] = _text(data, key)
    _check_national_id(data, v, c, current, today, strict)
    v["legacy_id_number"] = _checked(errors, "legacy_id_number", lambda: parse_legacy_id(data.get("legacy_id_number")))
    for key in ("phone", "guardian_phone"):
        v[key] = _checked(errors, key, lambda key=key: phone_normalize(data.get(key), allow_landline=strict)) or None
    for key in ("decision_number", "preferred_bank", "guardian_name", "guardian_relationship", "note",
                "cash_at_home_note"):
        v[key] = _text(data, key)
    _check_hamlet(data, commune_code, v, errors, current, strict, c.warn)
    if v["guardian_name"]:
        _checked(errors, "guardian_name", lambda: check_person_name(v["guardian_name"], FIELD_LABELS["guardian_name"]))
    _check_guardian(data, v, errors, strict)
    for key, limit in _TEXT_LIMITS.items():
        if v.get(key) and len(v[key]) > limit:
            errors[key] = f"{FIELD_LABELS[key]} dài quá {limit} ký tự."
    _check_category(data, v, errors)
    _check_dates(data, v, errors, today, strict)
    group = _check_strict_category(data, v, c, today) if strict else None
    _check_category_age(v, c, group)
    _check_channel(data, v, errors)
    _check_social_pension(data, v, errors, strict)
    warning = pension_category_warning(v.get("category_code"), v.get("receives_pension"))
    if warning and "category_code" not in errors:
        c.warn("receives_pension", warning)
    if strict:
        _check_replaced_category(v, errors, current)
    if check_duplicate and "national_id" in v and "national_id" not in errors:
        _check_duplicate(v["national_id"], commune_code, current, c)
    if strict and v.get("full_name") and "full_name" not in errors and "birth_year" in v and "birth" not in errors:
        _check_same_person(v, commune_code, current, c)
    return c


def _checked(errors: dict, key: str, fn):
    """``fn()``, or None with the Vietnamese message under ``errors[key]`` when the value is refused."""
    try:
        return fn()
    except ValidationError as err:
        errors[key] = str(err)
    except (ValueError, TypeError, OverflowError):
        errors[key] = f"{FIELD_LABELS.get(key, key)}: giá trị không hợp lệ."
    return None


def _check_person(data: dict, v: dict, errors: dict, today: date) -> None:
    """Full name (not legacy-font text, a plausible name), birth (date or year, not in the future) and gender."""
    v["full_name"] = _text(data, "full_name")
    if not v["full_name"]:
        errors["full_name"] = "Chưa nhập họ và tên."
    elif detect_legacy_encoding(v["full_name"]):
        errors["full_name"] = (f"Họ và tên «{v['full_name']}» có vẻ gõ bằng bảng mã "
                               f"{detect_legacy_encoding(v['full_name'])}; hãy chuyển sang Unicode rồi nhập lại.")
    else:
        _checked(errors, "full_name", lambda: check_person_name(v["full_name"]))
    birth = _checked(errors, "birth", lambda: _birth(data.get("birth")))
    if birth is None and "birth" not in errors:
        errors["birth"] = "Chưa nhập ngày sinh (ngày/tháng/năm, hoặc năm sinh)."
    elif birth is not None:
        v["birth_date"], v["birth_year"] = birth.day, birth.year
        if birth.year > today.year or (birth.day and birth.day > today):
            errors["birth"] = f"Năm sinh {birth.year} ở tương lai." if birth.year > today.year else (
                f"Ngày sinh {birth.day:%d/%m/%Y} ở tương lai.")
    v["gender"] = _gender(data.get("gender"))
    if v["gender"] is None:
        errors["gender"] = "Chọn giới tính (Nam hoặc Nữ)."


def _check_dates(data: dict, v: dict, errors: dict, today: date, strict: bool) -> None:
    """Decision date (not in the future on the intake form), start month (required), certificate month."""
    v["decision_date"] = _checked(errors, "decision_date", lambda: parse_date(
        data.get("decision_date"), "Ngày quyết định") if not isinstance(data.get("decision_date"), date)
        else data["decision_date"])
    if strict and v["decision_date"] and v["decision_date"] > today:
        errors["decision_date"] = f"Ngày quyết định {v['decision_date']:%d/%m/%Y} ở tương lai."
    v["start_month"] = _checked(errors, "start_month", lambda: _month(data.get("start_month")))
    if v["start_month"] is None and "start_month" not in errors:
        errors["start_month"] = "Chưa nhập tháng bắt đầu hưởng (MM/YYYY)."
    v["disability_certified_month"] = _checked(errors, "disability_certified_month", lambda: _month(
        data.get("disability_certified_month"), FIELD_LABELS["disability_certified_month"]))


def _check_national_id(data: dict, v: dict, c: Checked, current, today: date, strict: bool) -> None:
    try:
        national = parse_national_id(data.get("national_id"))
    except ValidationError as err:
        c.errors["national_id"] = str(err)
        return
    except (ValueError, TypeError, OverflowError):
        c.errors["national_id"] = "Số định danh cá nhân không hợp lệ."
        return
    v["national_id"] = national.value
    warnings = []
    if national.padded:
        warnings.append(f"Số định danh {national.value}: đã bổ sung số 0 đầu (ô lưu dạng số) — kiểm tra lại.")
    if "birth_year" in v and v["gender"]:
        warnings += national_id_warnings(national.value, v["birth_year"], v["gender"], today=today)
    for w in warnings:
        c.warn("national_id", w)
    if not strict:
        return
    if not warnings:
        v["id_warning_override_reason"] = None  # nothing to override any more
    elif not _text(data, "id_warning_override_reason") and _changed(
            current, v, ("national_id", "birth_date", "birth_year", "gender")):
        c.errors["id_warning_override_reason"] = f"Số định danh chưa khớp với thông tin đã khai. {OVERRIDE_HINT}"


def _check_hamlet(data: dict, commune_code: str, v: dict, errors: dict, current, strict: bool, warn) -> None:
    raw_id, text = data.get("hamlet_id"), _text(data, "hamlet")
    hamlet = None
    if raw_id not in (None, ""):
        found = hamlet_of(commune_code, raw_id)
        if found is None:
            errors["hamlet_id"] = "Khóm/ấp không có trong danh sách của xã."
        elif strict and not found.active and getattr(current, "hamlet_id", None) != found.id:
            errors["hamlet_id"] = f"Khóm/ấp «{found.name}» đã ngừng dùng; chọn khóm/ấp khác."
        elif not text or fold(text) == found.name_fold:
            hamlet = found
    if hamlet is None and text and "hamlet_id" not in errors:
        hamlet = hamlet_named(commune_code, fold(text))
        if hamlet is None and strict and (current is None or fold(text) != fold(current.hamlet)):
            warn("hamlet_id", f"Khóm/ấp «{text}» chưa có trong danh sách khóm/ấp của xã.")
    if hamlet is None and not text and raw_id in (None, "") and strict and current is not None and "hamlet" not in data:
        text = current.hamlet  # an old free-text hamlet not on the list is kept until one is chosen
    v["hamlet"] = hamlet.name if hamlet else text  # ``hamlet_id`` is derived from the name (registry.apply_values)
    if strict and v["hamlet"] is None and "hamlet_id" not in errors and (current is None or current.hamlet) and \
            db.session.execute(select(Hamlet.id).where(Hamlet.commune_code == commune_code,
                                                       Hamlet.active).limit(1)).first():
        errors["hamlet_id"] = "Chọn khóm/ấp (trong danh sách của xã)."


def _check_guardian(data: dict, v: dict, errors: dict, strict: bool) -> None:
    raw = data.get("guardian_national_id")
    v["guardian_national_id"] = None
    if raw not in (None, "") and nfc(str(raw)):
        try:
            v["guardian_national_id"] = parse_national_id(raw if isinstance(raw, (int, str)) else str(raw)).value
        except (ValueError, TypeError):
            errors["guardian_national_id"] = (f"Số định danh người giám hộ phải gồm đúng 12 chữ số "
                                              f"(đã nhập: {nfc(str(raw))}).")
        else:
            if v["guardian_national_id"] == v.get("national_id"):
                errors["guardian_national_id"] = "Số định danh người giám hộ trùng với số định danh của đối tượng."
    if strict and not v["guardian_name"] and "guardian_name" not in errors and (
            v["guardian_national_id"] or v["guardian_relationship"] or v.get("guardian_phone")):
        errors["guardian_name"] = "Ghi họ và tên người giám hộ / nhận thay."


def _check_category(data: dict, v: dict, errors: dict) -> None:
    code = _text(data, "category_code")
    level = _text(data, "disability_level")
    category = category_of(code) if code else None
    v["category_code"], v["disability_level"] = code, level
    if category is None:
        errors["category_code"] = "Chọn diện đối tượng." if not code else f"Không có diện đối tượng «{code}»."
        return
    if code == "K6" and not DisabilityLevel.has(level):
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


def check_payment_channel(data: dict) -> tuple[dict, dict]:
    """The payment channel as the beneficiary form takes it, for another form that records one (the social-pension
    request): ``payment_channel`` (a ``PaymentChannel`` value), ``cash_at_home_reason`` (a ``CashAtHomeReason``
    value, required for cash at home), ``cash_at_home_note`` (required for "other", at most 200 characters).
    Returns (values of those three keys, the reason and note None unless cash at home; errors: field → Vietnamese
    message, empty when valid)."""
    v, errors = {"cash_at_home_note": _text(data, "cash_at_home_note")}, {}
    limit = _TEXT_LIMITS["cash_at_home_note"]
    if v["cash_at_home_note"] and len(v["cash_at_home_note"]) > limit:
        errors["cash_at_home_note"] = f"{FIELD_LABELS['cash_at_home_note']} dài quá {limit} ký tự."
    _check_channel(data, v, errors)
    return v, errors


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


def _check_social_pension(data: dict, v: dict, errors: dict, strict: bool) -> None:
    """Whether the person receives a pension or monthly social-insurance benefit (``receives_pension``) and the
    poor / near-poor household (``household_poverty``), as the social pension's eligibility reads them (Luật BHXH
    2024 Art. 21; Decree 176/2025). The intake form (``strict``) refuses the social-pension-only category (HTXH)
    for a person the pension would not pay in the start month: one with a pension or monthly social-insurance
    benefit, one under 70, one of 70 to under 75 outside a poor or near-poor household."""
    if "household_poverty" in data:
        raw = _text(data, "household_poverty")
        if raw is not None and not HouseholdPoverty.has(raw):
            errors["household_poverty"] = "Chọn hộ nghèo, hộ cận nghèo hoặc để trống."
        v["household_poverty"] = raw
    if "receives_pension" in data:
        raw = data.get("receives_pension")
        v["receives_pension"] = raw if isinstance(raw, bool) else fold(str(raw or "")) in ("y", "1", "on", "true",
                                                                                            "co", "x")
    if not strict or v.get("category_code") != PENSION_ONLY_CATEGORY or "birth_year" not in v or not v.get(
            "start_month") or {"category_code", "birth", "start_month"} & set(errors):
        return
    if v.get("receives_pension"):
        errors["receives_pension"] = ("Người đang hưởng lương hưu hoặc trợ cấp BHXH hằng tháng không thuộc diện trợ "
                                      "cấp hưu trí xã hội (Luật BHXH 2024 Điều 21).")
        return
    person = SimpleNamespace(birth_date=v.get("birth_date"), birth_year=v["birth_year"],
                             household_poverty=v.get("household_poverty"), receives_pension=False)
    if age_ground(person, v["start_month"]) is not None:  # the eligibility the month engine applies
        return
    age = age_in_month(v.get("birth_date"), v["birth_year"], v["start_month"])
    if age < 70:
        errors["category_code"] = (f"Trợ cấp hưu trí xã hội dành cho người từ đủ 75 tuổi, hoặc từ đủ 70 tuổi thuộc hộ "
                                   f"nghèo, cận nghèo; tháng {v['start_month']:%m/%Y} đối tượng {age} tuổi.")
    else:
        errors.setdefault("household_poverty", "Từ đủ 70 đến dưới 75 tuổi chỉ hưởng trợ cấp hưu trí xã hội khi thuộc "
                                               "hộ nghèo hoặc hộ cận nghèo: chọn loại hộ.")


def pension_category_warning(category_code: str | None, receives_pension: bool | None) -> str | None:
    """The warning (cảnh báo, never a refusal) when a person filed under K5b / K5c — older people without a pension
    or monthly social-insurance benefit (Decree 20/2021 Art. 5.5 points b, c; the social pension that replaced them
    from 1/7/2025 has the same condition, Luật BHXH 2024 Art. 21) — is marked as receiving one: the category or the
    mark is wrong, and such a person is paid by neither programme. One rule for the intake form and the import
    preview (``check_beneficiary``, under ``receives_pension``). None when they agree."""
    if not receives_pension or category_code not in TRANSFERRED_CATEGORIES:
        return None
    return (f"Diện {category_code} là người không có lương hưu, trợ cấp BHXH hằng tháng (Nghị định 20/2021/NĐ-CP "
            f"Điều 5 khoản 5) nhưng đối tượng được ghi «Đang hưởng lương hưu hoặc trợ cấp BHXH hằng tháng»: kiểm tra "
            f"lại diện và ô này — người có lương hưu, trợ cấp BHXH hằng tháng không hưởng diện {category_code} và "
            f"không được chuyển sang trợ cấp hưu trí xã hội.")


def _check_replaced_category(v: dict, errors: dict, current: Beneficiary | None) -> None:
    """The intake form refuses K5b / K5c (Decree 20/2021 Art. 5.5 points b, c) for a start month from the first
    month of the social pension (07/2025, Decree 176/2025), which replaced them: such a person is registered as
    HTXH or through a social-pension request. Only for a new record or a changed category or start month, so a
    record kept from before is not blocked for an unrelated edit."""
    code, month = v.get("category_code"), v.get("start_month")
    if code not in TRANSFERRED_CATEGORIES or month is None or "category_code" in errors or "start_month" in errors:
        return
    began = replaced_since(RateBook.load(), code, month)
    if began is None or not _changed(current, v, ("category_code", "start_month")):
        return
    errors["category_code"] = (
        f"Diện {code} hết hiệu lực từ {began:%d/%m/%Y} (thay bằng trợ cấp hưu trí xã hội, Nghị định 176/2025/NĐ-CP): "
        f"người hưởng từ tháng {month:%m/%Y} chọn diện {PENSION_ONLY_CATEGORY} (trợ cấp hưu trí xã hội) hoặc lập tờ "
        "khai hưởng trợ cấp hưu trí xã hội.")


def _check_strict_category(data: dict, v: dict, c: Checked, today: date) -> str | None:
    """Intake-form rules on the category: the certificate month only for K6 and not in the future; the K6 age group
    (child / adult / elderly) only for K6. Returns the age group chosen (or None)."""
    month = v.get("disability_certified_month")
    if month and v.get("category_code") != "K6":
        c.errors["disability_certified_month"] = "Chỉ diện K6 (người khuyết tật) mới ghi tháng xác nhận khuyết tật."
    elif month and month > today:
        c.errors["disability_certified_month"] = f"Tháng xác nhận khuyết tật {month:%m/%Y} ở tương lai."
    group = _text(data, "disability_age_group")
    if group and group not in DISABILITY_AGE_GROUPS:
        c.errors["disability_age_group"] = "Chọn nhóm tuổi trong danh sách."
        group = None
    if group and v.get("category_code") != "K6":
        c.errors["disability_age_group"] = "Chỉ diện K6 (người khuyết tật) mới chọn nhóm tuổi người khuyết tật."
    return group


def _check_category_age(v: dict, c: Checked, group: str | None) -> None:
    """The category-versus-age rule (diện không khớp tuổi, ``category_age_problem``; Decree 20/2021 Art. 5), the same
    for the intake form and the spreadsheet import: a warning on ``category_code`` (``category_age_warning``), never
    a refusal — a clerk may keep a record outside its band, and may note why (``category_override_reason``,
    cleared when the band fits). Only a K6 age group the form chose against the person's age is an error (it is
    the clerk's own choice, not the record)."""
    if "category_code" in c.errors or "birth" in c.errors or "start_month" in c.errors:
        return
    problem = category_age_problem(v.get("category_code"), v.get("birth_date"), v.get("birth_year"),
                                   v.get("start_month"), group)
    if problem is None:
        if "category_override_reason" in v:
            v["category_override_reason"] = None
    elif group:
        c.errors["category_code"] = problem
    else:
        c.warn("category_code", category_age_warning(problem, v.get("category_override_reason")))


def category_age_warning(problem: str, reason: str | None = None) -> str:
    """The one warning of a category outside its age band, as the form and the import show it: the problem
    (``category_age_problem``), then what to check, then the reason noted if any, e.g. «Diện K5c dành cho người từ
    đủ 80 tuổi; theo ngày sinh, tháng 07/2024 (hưởng từ tháng) đối tượng 75 tuổi. Kiểm tra lại diện, ngày sinh và
    tháng hưởng.»"""
    return f"{problem} Kiểm tra lại diện, ngày sinh và tháng hưởng." + (f" Lý do ngoại lệ: {reason}." if reason else "")


def _check_duplicate(national_id: str, commune_code: str, current: Beneficiary | None, c: Checked) -> None:
    """The same ID anywhere in the province blocks the save. Same commune: name, birth and a link; another commune:
    only that commune's name (no personal data, no link)."""
    stmt = select(Beneficiary).where(Beneficiary.national_id == national_id)
    if current is not None and current.id is not None:
        stmt = stmt.where(Beneficiary.id != current.id)
    other = db.session.execute(stmt).scalars().first()
    if other is None:
        return
    if other.commune_code == commune_code:
        c.errors["national_id"] = (f"Số định danh {national_id} đã có trong sổ của xã: {other.full_name}, sinh "
                                   f"{other.birth_display}.")
        c.links.setdefault("national_id", []).append(other.id)
    else:
        unit = db.session.get(AdministrativeUnit, other.commune_code)
        c.errors["national_id"] = (f"Số định danh {national_id} đã được đăng ký hưởng trợ cấp tại "
                                   f"{unit.name if unit else other.commune_code}.")


def _check_same_person(v: dict, commune_code: str, current: Beneficiary | None, c: Checked) -> None:
    """Same folded name and birth (full date, or the year when either side knows only the year) on a record not
    stopped, with another ID: warn — in another commune it is most likely a move not yet stopped at the old place
    (reference §1.6, §4.3). Another commune is named, never linked; the same commune is linked."""
    stmt = select(Beneficiary.id, Beneficiary.commune_code).where(
        Beneficiary.name_fold == fold(v["full_name"]), Beneficiary.status != "stopped",
        Beneficiary.birth_year == v["birth_year"])
    if v.get("birth_date"):
        stmt = stmt.where((Beneficiary.birth_date == v["birth_date"]) | Beneficiary.birth_date.is_(None))
    if v.get("national_id"):
        stmt = stmt.where(Beneficiary.national_id != v["national_id"])
    if current is not None and current.id is not None:
        stmt = stmt.where(Beneficiary.id != current.id)
    rows = db.session.execute(stmt.order_by(Beneficiary.id).limit(5)).all()
    for row in rows:
        if row.commune_code == commune_code:
            c.warn("full_name", "Trong sổ của xã đã có người cùng họ tên và ngày sinh (số định danh khác) — kiểm tra "
                                "có trùng người không.")
            c.links.setdefault("full_name", []).append(row.id)
        else:
            unit = db.session.get(AdministrativeUnit, row.commune_code)
            c.warn("full_name", f"Có người cùng họ tên và ngày sinh đang hưởng trợ cấp tại "
                                f"{unit.name if unit else row.commune_code} — có thể đã chuyển đến mà nơi cũ chưa "
                                "dừng chi trả; liên hệ nơi cũ trước khi lưu.")
