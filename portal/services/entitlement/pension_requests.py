"""Requests for the social pension (tờ khai Mẫu số 01, Decree 176/2025/NĐ-CP Art. 6): the commune registers the
written request, the commune chairman decides within 10 working days (``due_on``, ``due_date``: the portal's one
working-day calendar, ``services.working_days``), and a granted request makes the
person entitled from the month stated in the decision (``Beneficiary.pension_from``; a person not yet in the
register is added under ``HTXH``). The month engine (``entitlement.pension``) does the rest: the higher of social
assistance and the pension.

Money is not handled here; months are first-of-month dates. Writes flush, never commit, and are audited. Raises
ValidationError (Vietnamese, ``field`` set), AccessDenied or StateError.
"""
from datetime import date

from sqlalchemy import select

from ...access import decides_social_pension, is_commune_of
from ...clock import today_vn
from ...errors import AccessDenied, StateError, ValidationError
from ...extensions import db
from ...models import Beneficiary, HouseholdPoverty, PaymentChannel, PensionRequest, RequestStatus, User
from ...spreadsheets.dates import parse_birth_date, parse_date, parse_month
from ..audit import record
from ..registry.checks import check_payment_channel
from ..registry.hamlets import NAME_LIMIT, find_hamlet, hamlets_for
from ..registry.identity import fold, name_sort_key, national_id_warnings, nfc, parse_national_id
from ..registry.lookups import hamlet_of
from ..working_days import add_working_days
from .pension import PENSION_ONLY_CATEGORY, age_ground

#: working days the commune chairman has to decide (Decree 176/2025 Art. 6; Decree 147/2025 Art. 5.2.b)
DECISION_WORKING_DAYS = 10


def _error(message: str, field: str | None = None) -> ValidationError:
    err = ValidationError(message)
    err.field = field
    return err


def due_date(received_on: date) -> date:
    """The day the chairman's decision is due: ``DECISION_WORKING_DAYS`` working days after ``received_on``."""
    return add_working_days(received_on, DECISION_WORKING_DAYS)


def is_overdue(request: PensionRequest, today: date | None = None) -> bool:
    """True for a request still pending after its deadline (``due_on``)."""
    return request.status == RequestStatus.PENDING.value and (today or today_vn()) > request.due_on


def _hamlet(commune_code: str, data: dict) -> str | None:
    """The hamlet of the request as the beneficiary form takes it: ``hamlet_id`` (id in the commune's list of
    khóm/ấp, ``registry.hamlets``) or ``hamlet`` (a name on that list, compared folded); returns the list's name, or
    None when nothing is chosen and the commune keeps no list. Raises ValidationError (field ``hamlet_id``) for an
    id not on the commune's list, a hamlet taken off the list, a name not on it, or no choice while the list has
    hamlets."""
    raw_id, text = str(data.get("hamlet_id") or "").strip(), nfc((data.get("hamlet") or "").strip())
    if raw_id:
        found = hamlet_of(commune_code, raw_id)
        if found is None:
            raise _error("Khóm/ấp không có trong danh sách của xã.", "hamlet_id")
    elif text:
        found = find_hamlet(commune_code, text)
        if found is None and hamlets_for(commune_code):
            raise _error(f"Khóm/ấp «{text}» chưa có trong danh sách khóm/ấp của xã; chọn trong danh sách.",
                         "hamlet_id")
        if found is None:
            if len(text) > NAME_LIMIT:
                raise _error(f"Tên khóm/ấp dài quá {NAME_LIMIT} ký tự.", "hamlet_id")
            return text
    elif hamlets_for(commune_code):
        raise _error("Chọn khóm/ấp (trong danh sách của xã).", "hamlet_id")
    else:
        return None
    if not found.active:
        raise _error(f"Khóm/ấp «{found.name}» đã ngừng dùng; chọn khóm/ấp khác.", "hamlet_id")
    return found.name


def _clean(data: dict, commune_code: str) -> dict:
    """Typed form values → columns; raises ValidationError on the first bad field."""
    name = nfc((data.get("full_name") or "").strip())
    if not name:
        raise _error("Chưa nhập họ và tên.", "full_name")
    try:
        national_id = parse_national_id((data.get("national_id") or "").strip()).value
    except ValidationError as err:
        raise _error(str(err), "national_id") from err
    try:
        birth = parse_birth_date((data.get("birth") or "").strip() or None)
    except ValidationError as err:
        raise _error(str(err), "birth") from err
    if birth is None:
        raise _error("Chưa nhập ngày sinh (dd/mm/yyyy hoặc năm sinh).", "birth")
    gender = data.get("gender") or ""
    if gender not in ("male", "female"):
        raise _error("Chưa chọn giới tính.", "gender")
    poverty = data.get("household_poverty") or None
    if poverty is not None and not HouseholdPoverty.has(poverty):
        raise _error("Hộ nghèo / cận nghèo không hợp lệ.", "household_poverty")
    mismatch = national_id_warnings(national_id, birth.year, gender)
    if mismatch:
        raise _error(" ".join(mismatch) + " Đối chiếu lại số định danh, năm sinh và giới tính với thẻ CCCD.",
                     "national_id")
    channel, errors = check_payment_channel(data | {
        "payment_channel": data.get("payment_channel") or PaymentChannel.CASH_AT_POINT.value})
    for field in ("payment_channel", "cash_at_home_reason", "cash_at_home_note"):
        if field in errors:
            raise _error(errors[field], field)
    try:
        received = parse_date((data.get("received_on") or "").strip() or None, "Ngày nhận tờ khai") or today_vn()
    except ValidationError as err:
        raise _error(str(err), "received_on") from err
    if received > today_vn():
        raise _error("Ngày nhận tờ khai không được sau hôm nay.", "received_on")
    hamlet = _hamlet(commune_code, data)
    return {"full_name": name, "national_id": national_id, "birth_date": birth.day, "birth_year": birth.year,
            "gender": gender, "hamlet": hamlet, "household_poverty": poverty,
            "receives_pension": str(data.get("receives_pension") or "").lower() in ("1", "on", "true", "y"),
            **channel, "received_on": received}


def register_request(actor: User, commune_code: str, data: dict) -> PensionRequest:
    """Record a Mẫu 01 request received by the commune ``commune_code`` (the actor must be that commune's
    committee). ``data``: full_name, national_id, birth (dd/mm/yyyy or year), gender, hamlet_id (id in the
    commune's list of khóm/ấp) or hamlet (a name on it; required while the list has hamlets), household_poverty
    (``poor`` | ``near_poor`` | empty), receives_pension (checkbox), payment_channel with cash_at_home_reason and
    cash_at_home_note (the beneficiary form's channels and conditions: ``registry.checks.check_payment_channel``),
    received_on (dd/mm/yyyy, default today). Refuses an ID that disagrees with the gender or year of birth
    declared (``registry.identity.national_id_warnings``, the beneficiary form's check of the CCCD; a request has
    no override), a person who does not qualify in the month received (75+ without a pension or monthly
    social-insurance benefit; 70 to under 75 in a poor or near-poor household), one already entitled, and a second
    pending request. The deadline is 10 working days after ``received_on``."""
    if not is_commune_of(actor, commune_code):
        raise AccessDenied("Chỉ UBND xã/phường nơi cư trú tiếp nhận tờ khai hưởng trợ cấp hưu trí xã hội.")
    values = _clean(data, commune_code)
    received_month = values["received_on"].replace(day=1)
    if age_ground(_Person(values), received_month) is None:
        raise _error("Người này chưa đủ điều kiện hưởng trợ cấp hưu trí xã hội: cần từ đủ 75 tuổi và không có "
                     "lương hưu, trợ cấp BHXH hằng tháng; hoặc từ đủ 70 đến dưới 75 tuổi thuộc hộ nghèo, cận nghèo.",
                     "birth")
    pending = db.session.execute(select(PensionRequest.id).where(
        PensionRequest.national_id == values["national_id"],
        PensionRequest.status == RequestStatus.PENDING.value)).first()
    if pending is not None:
        raise _error("Người này đã có tờ khai đang chờ quyết định.", "national_id")
    person = _register_row(values["national_id"])
    if person is not None and person.pension_from is not None:
        raise _error(f"Người này đã được quyết định hưởng trợ cấp hưu trí xã hội từ tháng "
                     f"{person.pension_from:%m/%Y}.", "national_id")
    request = PensionRequest(commune_code=commune_code, registered_by_id=actor.id,
                             due_on=due_date(values["received_on"]),
                             status=RequestStatus.PENDING.value, beneficiary_id=person.id if person else None,
                             **values)
    db.session.add(request)
    db.session.flush()
    record(actor, "create", "pension_request", request.id,
           f"Tiếp nhận tờ khai hưởng trợ cấp hưu trí xã hội (Mẫu 01) của {request.full_name}, "
           f"hạn quyết định {request.due_on:%d/%m/%Y}.")
    return request


class _Person:
    """The typed values seen as a person for ``age_ground``."""

    def __init__(self, values: dict):
        self.birth_date, self.birth_year = values["birth_date"], values["birth_year"]
        self.household_poverty, self.receives_pension = values["household_poverty"], values["receives_pension"]


def _register_row(national_id: str) -> Beneficiary | None:
    return db.session.execute(select(Beneficiary).where(Beneficiary.national_id == national_id)).scalar_one_or_none()


def decide(actor: User, request: PensionRequest, *, granted: bool, decision_number: str = "",
           decision_date=None, start_month=None, refusal_reason: str = "") -> PensionRequest:
    """The chairman's decision on ``request``. Only the commune's chairman or vice-chairman (``is_approver``), not
    the officer who registered it. Granted: ``decision_number`` and ``decision_date`` (dd/mm/yyyy, not in the
    future) required, ``start_month`` (MM/YYYY, default the decision's month, not before the month the request was
    received); the register row gets ``pension_from`` (created under ``HTXH`` when the person is not in the
    register, its hamlet linked to the commune's list as on the beneficiary form). Refused: a written reason.
    Raises StateError when already decided."""
    if not decides_social_pension(actor, request.commune_code):
        raise AccessDenied("Chỉ Chủ tịch hoặc Phó Chủ tịch UBND xã/phường quyết định hưởng trợ cấp hưu trí xã hội.")
    if actor.id == request.registered_by_id:
        raise AccessDenied("Người tiếp nhận tờ khai không tự quyết định: cần Chủ tịch/Phó Chủ tịch khác.")
    if request.status != RequestStatus.PENDING.value:
        raise StateError(f"Tờ khai đã được xử lý ({request.status_enum.label}).")
    request.decided_by_id = actor.id
    if not granted:
        reason = (refusal_reason or "").strip()
        if not reason:
            raise _error("Từ chối phải ghi rõ lý do bằng văn bản.", "refusal_reason")
        request.status, request.refusal_reason = RequestStatus.REFUSED.value, reason[:300]
        record(actor, "refuse", "pension_request", request.id,
               f"Từ chối hưởng trợ cấp hưu trí xã hội của {request.full_name}: {request.refusal_reason}")
        db.session.flush()
        return request
    number = (decision_number or "").strip()
    if not number:
        raise _error("Chưa nhập số quyết định.", "decision_number")
    try:
        when = decision_date if isinstance(decision_date, date) else parse_date(
            (decision_date or "").strip() or None, "Ngày quyết định")
    except ValidationError as err:
        raise _error(str(err), "decision_date") from err
    if when is None or when > today_vn():
        raise _error("Ngày quyết định phải có và không sau hôm nay.", "decision_date")
    try:
        month = start_month if isinstance(start_month, date) else parse_month(
            (start_month or "").strip() or None, "Hưởng từ tháng")
    except ValidationError as err:
        raise _error(str(err), "start_month") from err
    month = (month or when).replace(day=1)
    if month < request.received_on.replace(day=1):
        raise _error("Tháng hưởng không được trước tháng nhận tờ khai.", "start_month")
    request.status, request.decision_number, request.decision_date = RequestStatus.GRANTED.value, number[:60], when
    request.start_month = month
    person = request.beneficiary or _register_row(request.national_id)
    if person is None:
        person = Beneficiary(
            commune_code=request.commune_code, full_name=request.full_name, name_fold=fold(request.full_name),
            name_sort=name_sort_key(request.full_name), birth_date=request.birth_date,
            birth_year=request.birth_year, gender=request.gender, national_id=request.national_id,
            hamlet=request.hamlet, category_code=PENSION_ONLY_CATEGORY, children_count=1, start_month=month,
            decision_number=request.decision_number, decision_date=when, status="active",
            payment_channel=request.payment_channel, cash_at_home_reason=request.cash_at_home_reason,
            cash_at_home_note=request.cash_at_home_note,
            hamlet_id=getattr(find_hamlet(request.commune_code, request.hamlet), "id", None))
        db.session.add(person)
    person.pension_from = month
    person.household_poverty = request.household_poverty
    person.receives_pension = request.receives_pension
    db.session.flush()
    request.beneficiary_id = person.id
    record(actor, "grant", "pension_request", request.id,
           f"Quyết định số {request.decision_number} ngày {when:%d/%m/%Y}: {request.full_name} hưởng trợ cấp hưu "
           f"trí xã hội từ tháng {month:%m/%Y}.")
    db.session.flush()
    return request


def commune_requests(commune_code: str) -> list[PensionRequest]:
    """The commune's requests, pending first (earliest deadline first), then decided (latest first)."""
    rows = db.session.execute(select(PensionRequest).where(PensionRequest.commune_code == commune_code)
                              .order_by(PensionRequest.id.desc())).scalars().all()
    return sorted(rows, key=lambda r: (r.status != RequestStatus.PENDING.value,
                                       r.due_on if r.status == RequestStatus.PENDING.value else date.max))
