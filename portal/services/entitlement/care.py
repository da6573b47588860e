"""Care support of one beneficiary (hỗ trợ chăm sóc, nuôi dưỡng, Decree 20/2021 Art. 20), paid on its own line to a
carer (the payee): the kind's conditions (age band, a woman with a disability, the K6 level) checked, a record ending
itself in the month the person leaves the kind's band, and ended or deleted like a further category. Every write
records an audit entry. Raises ``ExtrasInvalid``. Flushes, never commits."""
from datetime import date

from ...errors import StateError, ValidationError
from ...extensions import db
from ...models import Beneficiary, CareArrangement
from ..audit import record
from ..registry.fields import check_person_name
from ..registry.identity import PROVINCE_CODES, nfc, parse_national_id
from .extras import (
    ExtrasInvalid,
    care_kinds,
    care_of,
    categories_of,
    decision_number,
    entry_month,
    listed_months,
    overlaps,
    refuse_inactive,
)
from .rates import RateBook, age_in_month

#: care kind → (category, disability level or None) the cared-for person must hold, as main or further category
#: (Decree 20/2021 Art. 20 khoản 1–4). Kinds the province adds later without an entry here are not checked.
CARE_NEEDS = {
    "foster_child_under_4": ("K1", None), "foster_child_4_to_16": ("K1", None),
    "foster_elderly_k5d": ("K5d", None),
    "disabled_pregnant_or_child": ("K6", None), "disabled_pregnant_and_child": ("K6", None),
    "household_especially_severe": ("K6", "especially_severe"),
    "foster_adult_especially_severe": ("K6", "especially_severe"),
    "foster_child_especially_severe": ("K6", "especially_severe"),
}
#: care kind → conditions on the cared-for person beyond the category (Decree 20/2021 Art. 20; reference §1.5):
#: ``age`` = [from, to) in whole years (``entitlement.age_in_month``; None = open) with its Vietnamese wording,
#: ``sex`` = the gender required (the khoản 2 kinds: a woman with a disability, pregnant or raising a child).
CARE_PERSON = {
    "foster_child_under_4": {"age": (None, 4, "trẻ em dưới 4 tuổi")},
    "foster_child_4_to_16": {"age": (4, 16, "trẻ em từ 4 đến dưới 16 tuổi")},
    "foster_child_especially_severe": {"age": (None, 16, "trẻ em (dưới 16 tuổi)")},
    "foster_adult_especially_severe": {"age": (16, None, "người từ 16 tuổi trở lên")},
    "disabled_pregnant_or_child": {"sex": "female"},
    "disabled_pregnant_and_child": {"sex": "female"},
}
#: kinds paid to the disabled person herself or himself (Art. 20 khoản 2: pregnant or raising a child under 36 months)
SELF_PAID = ("disabled_pregnant_or_child", "disabled_pregnant_and_child")


def care_person_problem(beneficiary: Beneficiary, kind: str, month: date, label: str, when: str) -> str | None:
    """Why the person does not meet ``kind``'s own conditions (``CARE_PERSON``: age band, sex) in ``month``, as a
    Vietnamese message naming the condition (``label`` = the kind's label, ``when`` names the month), or None."""
    cond = CARE_PERSON.get(kind, {})
    if cond.get("sex") and beneficiary.gender != cond["sex"]:
        return (f"«{label}» chỉ dành cho phụ nữ khuyết tật (đang mang thai hoặc nuôi con dưới 36 tháng); "
                "đối tượng là nam.")
    if cond.get("age"):
        lo, hi, text = cond["age"]
        age = age_in_month(beneficiary.birth_date, beneficiary.birth_year, month)
        if (lo is not None and age < lo) or (hi is not None and age >= hi):
            return (f"«{label}» chỉ dành cho {text}; đối tượng {age} tuổi trong tháng {month:%m/%Y} ({when}).")
    return None


def care_band_end(beneficiary: Beneficiary, kind: str, month: date) -> date | None:
    """The first month in which the person has left ``kind``'s age band (e.g. the child turns 4: the birthday month,
    ``age_in_month`` counting a birthday from its month), or None when the band has no upper end. ``month`` is
    unused (kept for callers)."""
    cond = CARE_PERSON.get(kind, {})
    hi = cond["age"][1] if cond.get("age") else None
    if hi is None:
        return None
    bd = beneficiary.birth_date or date(beneficiary.birth_year, 1, 1)
    return date(bd.year + hi, bd.month, 1)


def clean_care(beneficiary: Beneficiary, data: dict, month: date | None = None) -> dict:
    """Check a care arrangement for ``beneficiary``. ``data``: ``kind`` (a care ``SupportRule`` kind), ``payee_name``,
    ``payee_national_id`` (12 digits, ``identity.parse_national_id``), ``payee_relationship``, ``valid_from`` and
    optional ``valid_to`` (months ``MM/YYYY`` or ``YYYY-MM``; ``valid_to`` = first month NOT paid, after
    ``valid_from``), ``decision_number`` (the chairman's decision). The kind must fit the person's categories
    (``CARE_NEEDS``); the payee is someone else except for the kinds paid to the disabled person (``SELF_PAID``); the
    same kind may not overlap an existing arrangement. The person must meet the kind's own conditions
    (``CARE_PERSON``: age band, sex) in ``valid_from`` and, when it runs then, in ``month`` (the next list's month,
    default ``valid_from``); a kind whose age band ends before ``valid_to`` (the child turns 4 or 16) gets ``valid_to``
    = the month the person leaves the band, so the engine never pays the old rate past it. Returns the column values;
    raises ``ExtrasInvalid`` (Decree 20/2021 Art. 20)."""
    errors: dict[str, str] = {}
    kinds = care_kinds()
    kind = _care_kind(beneficiary, nfc(data.get("kind")), kinds, errors)
    name, national_id, relationship = _care_payee(beneficiary, data, kind, errors)
    valid_from = entry_month(data.get("valid_from"), "Hưởng từ tháng", errors, "valid_from", True)
    valid_to = entry_month(data.get("valid_to"), "Thôi hưởng từ tháng", errors, "valid_to", False)
    if valid_from and valid_to and valid_to <= valid_from:
        errors["valid_to"] = (f"Tháng thôi hưởng ({valid_to:%m/%Y}) phải sau tháng bắt đầu hưởng "
                              f"({valid_from:%m/%Y}).")
    decision = decision_number(data, errors, "hỗ trợ chăm sóc")
    if not errors:
        valid_to = _care_person_fits(beneficiary, kind, kinds[kind], valid_from, valid_to, month, errors)
    if not errors:
        _care_rate_and_overlap(beneficiary, kind, kinds[kind], valid_from, valid_to, errors)
    if errors:
        raise ExtrasInvalid(errors)
    return {"kind": kind, "payee_name": name, "payee_national_id": national_id, "payee_relationship": relationship,
            "valid_from": valid_from, "valid_to": valid_to, "decision_number": decision}


def _care_kind(beneficiary: Beneficiary, kind: str, kinds: dict, errors: dict) -> str:
    """The care kind, checked against the rate table and the person's categories (``CARE_NEEDS``)."""
    if not kind:
        errors["kind"] = "Chọn loại hỗ trợ chăm sóc."
    elif kind not in kinds:
        errors["kind"] = f"Không có loại hỗ trợ chăm sóc «{kind}» trong bảng mức hỗ trợ."
    else:
        need = CARE_NEEDS.get(kind)
        held = [(beneficiary.category_code, beneficiary.disability_level)] + [
            (r.category_code, r.disability_level) for r in categories_of(beneficiary.id)]
        if need and not any(c == need[0] and (need[1] is None or lvl == need[1]) for c, lvl in held):
            who = f"diện {need[0]}" + (" mức đặc biệt nặng" if need[1] == "especially_severe" else "")
            errors["kind"] = f"«{kinds[kind]}» chỉ dành cho đối tượng {who}; đối tượng này không có diện đó."
    return kind


def _care_payee(beneficiary: Beneficiary, data: dict, kind: str, errors: dict) -> tuple[str, str | None, str]:
    """(name, national ID, relationship) of who is paid: a valid name, a 12-digit ID of a real province code, not
    the person's own ID except for the kinds paid to the disabled person (``SELF_PAID``)."""
    name = nfc(data.get("payee_name"))
    if not name:
        errors["payee_name"] = "Chưa nhập họ tên người nhận hỗ trợ."
    elif len(name) > 120:
        errors["payee_name"] = "Họ tên người nhận quá dài (tối đa 120 ký tự)."
    else:
        try:
            check_person_name(name, "Họ tên người nhận")
        except ValidationError as err:
            errors["payee_name"] = str(err)
    national_id = None
    try:
        national_id = parse_national_id(nfc(data.get("payee_national_id"))).value
    except ValidationError as err:
        errors["payee_national_id"] = str(err).replace("số định danh cá nhân", "số định danh người nhận").replace(
            "Số định danh cá nhân", "Số định danh người nhận")
    else:
        if set(national_id) == {"0"} or not 1 <= int(national_id[:3]) <= max(map(int, PROVINCE_CODES)):
            errors["payee_national_id"] = (f"Số định danh người nhận ({national_id}) không hợp lệ: 3 chữ số đầu "
                                           f"({national_id[:3]}) không thể là mã tỉnh nơi đăng ký khai sinh "
                                           "(001–096).")
            national_id = None
    self_paid = national_id is not None and national_id == beneficiary.national_id
    if self_paid and kind and kind not in SELF_PAID and "kind" not in errors:
        errors["payee_national_id"] = ("Người nhận hỗ trợ chăm sóc là người/hộ chăm sóc, không phải chính đối tượng "
                                       "(số định danh trùng với đối tượng).")
    relationship = nfc(data.get("payee_relationship")) or ("Bản thân" if self_paid else "")
    if not relationship:
        errors["payee_relationship"] = "Ghi quan hệ với đối tượng (ví dụ: con, cháu, người nhận chăm sóc)."
    elif len(relationship) > 60:
        errors["payee_relationship"] = "Quan hệ quá dài (tối đa 60 ký tự)."
    return name, national_id, relationship


def _care_person_fits(beneficiary: Beneficiary, kind: str, label: str, valid_from: date, valid_to: date | None,
                      month: date | None, errors: dict) -> date | None:
    """Check the kind's own conditions on the person (``CARE_PERSON``) in ``valid_from`` and, when the arrangement
    runs then, in ``month``; returns ``valid_to``, cut to the month the person leaves the kind's age band."""
    problem = care_person_problem(beneficiary, kind, valid_from, label, "hưởng từ tháng")
    if problem is None and month is not None and valid_from <= month and (valid_to is None or month < valid_to):
        problem = care_person_problem(beneficiary, kind, month, label, "tháng của danh sách tới")
    if problem:
        errors["kind"] = problem
        return valid_to
    band_end = care_band_end(beneficiary, kind, valid_from)
    return band_end if band_end is not None and (valid_to is None or band_end < valid_to) else valid_to


def _care_rate_and_overlap(beneficiary: Beneficiary, kind: str, label: str, valid_from: date, valid_to: date | None,
                           errors: dict) -> None:
    """A rate of the kind applies from ``valid_from``, and no arrangement of the same kind overlaps the months."""
    if RateBook.load().support_rule(kind, valid_from) is None:
        errors["valid_from"] = f"Chưa có quy định mức «{label}» áp dụng cho tháng {valid_from:%m/%Y}."
    for other in care_of(beneficiary.id):
        if other.kind == kind and overlaps(other.valid_from, other.valid_to, valid_from, valid_to):
            until = f" đến trước tháng {other.valid_to:%m/%Y}" if other.valid_to else ""
            errors["valid_from"] = (f"Đã có «{label}» cho đối tượng từ tháng {other.valid_from:%m/%Y}"
                                    f"{until}; kết thúc bản ghi cũ trước khi ghi mới.")
            break


def _period(arr) -> str:
    return f"từ {arr.valid_from:%m/%Y}" + (f", thôi từ {arr.valid_to:%m/%Y}" if arr.valid_to else "")


def _care_audit(arr) -> dict:
    return {"Loại hỗ trợ chăm sóc": care_kinds().get(arr.kind, arr.kind), "Người nhận": arr.payee_name,
            "Số định danh người nhận": arr.payee_national_id, "Quan hệ": arr.payee_relationship,
            "Hưởng từ tháng": f"{arr.valid_from:%m/%Y}",
            "Thôi hưởng từ tháng": f"{arr.valid_to:%m/%Y}" if arr.valid_to else None,
            "Số quyết định": arr.decision_number}


def add_care(actor, beneficiary: Beneficiary, data: dict, month: date | None = None) -> CareArrangement:
    """Record a care arrangement (``clean_care`` rules; ``month`` = the next list's month). Refused (``ExtrasInvalid``
    key ``status``) while the person is stopped or suspended in ``month``. Audits on the beneficiary; flushes."""
    if month is not None:
        refuse_inactive(beneficiary, month, "hỗ trợ chăm sóc")
    arr = CareArrangement(beneficiary_id=beneficiary.id, **clean_care(beneficiary, data, month))
    db.session.add(arr)
    db.session.flush()
    record(actor, "create", "beneficiary", beneficiary.id,
           f"Ghi hỗ trợ chăm sóc «{care_kinds().get(arr.kind, arr.kind)}» trả cho {arr.payee_name} {_period(arr)} "
           f"(QĐ {arr.decision_number}; NĐ 20/2021 Điều 20)", after=_care_audit(arr))
    return arr


def listed_care_months(beneficiary_id: int, since: date) -> list[date]:
    """Months from ``since`` on for which a care line of the person is already on a payout list (any status)."""
    return listed_months(beneficiary_id, "care", since)


def end_care(actor, beneficiary: Beneficiary, arr: CareArrangement, valid_to_text: str) -> list[str]:
    """End a care arrangement: ``valid_to_text`` (``MM/YYYY`` or ``YYYY-MM``) is the first month no longer paid and
    must be after ``valid_from``. Returns Vietnamese warnings (care lines already listed for months from then on are
    not recovered automatically). Raises ``ExtrasInvalid`` (key ``valid_to``). Audits; flushes."""
    if arr.beneficiary_id != beneficiary.id:
        raise ValidationError("Bản ghi hỗ trợ chăm sóc không thuộc đối tượng đang xem.")
    errors: dict[str, str] = {}
    valid_to = entry_month(valid_to_text, "Thôi hưởng từ tháng", errors, "valid_to", True)
    if valid_to is not None and valid_to <= arr.valid_from:
        errors["valid_to"] = (f"Tháng thôi hưởng ({valid_to:%m/%Y}) phải sau tháng bắt đầu hưởng "
                              f"({arr.valid_from:%m/%Y}).")
    if errors:
        raise ExtrasInvalid(errors)
    before = {"Thôi hưởng từ tháng": f"{arr.valid_to:%m/%Y}" if arr.valid_to else None}
    arr.valid_to = valid_to
    db.session.flush()
    record(actor, "update", "beneficiary", beneficiary.id,
           f"Kết thúc hỗ trợ chăm sóc «{care_kinds().get(arr.kind, arr.kind)}» trả cho {arr.payee_name}: thôi từ "
           f"tháng {valid_to:%m/%Y}", before=before, after={"Thôi hưởng từ tháng": f"{valid_to:%m/%Y}"})
    listed = listed_care_months(beneficiary.id, valid_to)
    if listed:
        shown = ", ".join(f"{m:%m/%Y}" for m in listed)
        return [f"Đã có dòng hỗ trợ chăm sóc trên danh sách chi trả tháng {shown}: số đã lập không tự thu hồi; "
                "nếu danh sách chưa duyệt, đề nghị cơ quan lập danh sách lập lại."]
    return []


def remove_care(actor, beneficiary: Beneficiary, arr: CareArrangement) -> None:
    """Delete a care arrangement entered by mistake — only while no care line of the person from its first month is
    on a payout list (otherwise it can only be ended). Raises ``StateError``. Audits; flushes."""
    if arr.beneficiary_id != beneficiary.id:
        raise ValidationError("Bản ghi hỗ trợ chăm sóc không thuộc đối tượng đang xem.")
    if listed_care_months(beneficiary.id, arr.valid_from):
        raise StateError("Hỗ trợ chăm sóc này đã lên danh sách chi trả; không xóa được, chỉ có thể kết thúc "
                         "(ghi tháng thôi hưởng).")
    before = _care_audit(arr)
    label = care_kinds().get(arr.kind, arr.kind)
    db.session.delete(arr)
    db.session.flush()
    record(actor, "delete", "beneficiary", beneficiary.id,
           f"Xóa hỗ trợ chăm sóc «{label}» trả cho {arr.payee_name} (ghi nhầm, chưa chi trả)", before=before,
           after={k: None for k in before})
