"""Payout-point sessions (buổi mở tài khoản tại điểm chi trả, KH 2587 §V.6): bank staff sit at the commune office, a
post office or a hamlet office on a payout day and open accounts for the people expected there. The teller works
down a short list on a phone over a slow link; each person is one small form (``accounts.mark_opened`` with the
session). Flushes only; audit on creation.

A session is opened only where and when it can happen: a commune in force on the session's date
(``units.in_force``: a commune abolished by the 2025 reform takes no session after 30/6/2025), a hamlet on the
commune's active list of khóm/ấp when the commune keeps one (``registry.hamlets``), and a date within
``SESSION_MONTHS`` months of today either way: a payout-day plan is not announced further ahead, and a session
written on paper is entered in the portal within that time or not at all."""
from datetime import date

from sqlalchemy import select

from ...access import covers
from ...clock import today_vn
from ...errors import AccessDenied, ValidationError
from ...extensions import db
from ...models import AdministrativeUnit, Beneficiary, PaymentAccount, PayoutPointSession, User
from .. import audit
from ..entitlement.months import add_months
from ..registry import identity
from ..registry.hamlets import find_hamlet, hamlets_for
from ..units import in_force
from .opening import bank_of, pending_accounts

PLACE_KINDS = {"commune_office": "Trụ sở UBND xã/phường", "post_office": "Bưu cục / Bưu điện văn hóa xã",
               "hamlet_office": "Văn phòng khóm/ấp"}
#: months before or after today a session's date may lie (the same day of the month, inclusive)
SESSION_MONTHS = 3


def _error(message: str, field: str | None) -> ValidationError:
    err = ValidationError(message)
    err.field = field
    return err


def _shift(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months, clamped to the last day of the target month."""
    first = add_months(day.replace(day=1), months)
    last = (add_months(first, 1) - first).days
    return first.replace(day=min(day.day, last))


def check_session_date(session_date: date | None, today: date | None = None) -> date:
    """The session's date: required, within ``SESSION_MONTHS`` months of ``today`` (default Vietnam's today) either
    way. Returns it; raises ``ValidationError`` (field ``session_date``)."""
    if session_date is None:
        raise _error("Chưa nhập ngày làm việc.", "session_date")
    today = today or today_vn()
    latest, earliest = _shift(today, SESSION_MONTHS), _shift(today, -SESSION_MONTHS)
    if session_date > latest:
        raise _error(f"Ngày {session_date:%d/%m/%Y} quá xa: chỉ mở buổi làm việc trong {SESSION_MONTHS} tháng tới "
                     f"(đến ngày {latest:%d/%m/%Y}).", "session_date")
    if session_date < earliest:
        raise _error(f"Ngày {session_date:%d/%m/%Y} đã quá {SESSION_MONTHS} tháng: chỉ ghi buổi làm việc từ ngày "
                     f"{earliest:%d/%m/%Y}.", "session_date")
    return session_date


def check_session_commune(commune_code: str, session_date: date) -> AdministrativeUnit:
    """The commune of a session held on ``session_date``: it must be in force in that month (``units.in_force``).
    Raises ``ValidationError`` (field ``commune``)."""
    unit = db.session.execute(select(AdministrativeUnit).where(
        AdministrativeUnit.code == (commune_code or ""), AdministrativeUnit.level == "commune",
        in_force(session_date))).scalar_one_or_none()
    if unit is None:
        known = db.session.get(AdministrativeUnit, commune_code or "")
        name = known.name if known is not None else "Xã/phường đã chọn"
        raise _error(f"{name} không còn (hoặc chưa) hoạt động vào ngày {session_date:%d/%m/%Y}: chọn xã/phường "
                     f"theo danh mục đơn vị hành chính đang có hiệu lực.", "commune")
    return unit


def check_session_hamlet(commune_code: str, hamlet: str | None) -> str | None:
    """The khóm/ấp a session is limited to: None for the whole commune; when the commune keeps a list, a name on its
    active list (compared folded, ``registry.hamlets.find_hamlet``), returned as the list writes it; otherwise the
    typed name. Raises ``ValidationError`` (field ``hamlet``)."""
    text = _text(hamlet, "khóm/ấp", 120, required=False, field="hamlet")
    if text is None or not hamlets_for(commune_code):
        return text
    found = find_hamlet(commune_code, text)
    if found is None:
        raise _error(f"Khóm/ấp «{text}» không có trong danh sách khóm/ấp của xã; để trống nếu làm việc cho cả xã.",
                     "hamlet")
    if not found.active:
        raise _error(f"Khóm/ấp «{found.name}» đã ngừng dùng; chọn khóm/ấp khác hoặc để trống.", "hamlet")
    return found.name


def _text(value, what: str, limit: int, required: bool = True, field: str | None = None) -> str | None:
    text = " ".join(identity.nfc(value or "").split())
    if required and not text:
        raise _error(f"Chưa nhập {what}.", field)
    if len(text) > limit:
        raise _error(f"{what[0].upper() + what[1:]} quá dài (tối đa {limit} ký tự).", field)
    return text or None


def create_session(actor: User, commune_code: str, session_date: date, place_kind: str, place_name: str,
                   staff_present: str, hamlet: str | None = None) -> PayoutPointSession:
    """Open a session of the actor's bank in a covered commune. ``place_kind``: a ``PLACE_KINDS`` key;
    ``place_name``: e.g. "Văn phòng khóm Mỹ Thới 1"; ``staff_present``: bank staff names; ``hamlet``: only people
    of this khóm/ấp are expected (None: the whole commune). Raises ``AccessDenied`` (not a bank, commune not
    covered) or ``ValidationError`` with ``field`` set (a date out of ``check_session_date``'s bounds, a commune
    not in force that day, a hamlet not on the commune's list, a missing place or staff)."""
    bank = bank_of(actor)
    if not covers(bank, commune_code or ""):
        raise AccessDenied("Xã/phường không thuộc địa bàn phụ trách đã được duyệt của chi nhánh.")
    check_session_date(session_date)
    check_session_commune(commune_code, session_date)
    hamlet = check_session_hamlet(commune_code, hamlet)
    if place_kind not in PLACE_KINDS:
        raise _error("Chọn loại địa điểm: trụ sở UBND xã, bưu cục hoặc văn phòng khóm/ấp.", "place_kind")
    place = _text(place_name, "địa điểm", 200, field="place_name")
    staff = _text(staff_present, "cán bộ ngân hàng", 300, field="staff_present")
    session = PayoutPointSession(
        bank_id=bank.id, commune_code=commune_code, session_date=session_date, place_kind=place_kind,
        place_name=place, staff_present=staff, hamlet=hamlet, created_by_id=actor.id)
    db.session.add(session)
    db.session.flush()
    audit.record(actor, "payout_point_session", "payout_point_session", session.id,
                 f"Mở buổi làm việc {session_date:%d/%m/%Y} tại {session.place_name}")
    return session


def sessions_of(actor: User, visible_select):
    """The sessions of ``visible_select`` (``areas.visible(PayoutPointSession)``), newest first."""
    return list(db.session.execute(visible_select.order_by(
        PayoutPointSession.session_date.desc(), PayoutPointSession.id.desc())).scalars())


def expected_people(actor: User, session: PayoutPointSession, q: str | None = None) -> list[Beneficiary]:
    """People expected at ``session``: those of its commune (and hamlet, when set) the bank may see who still need
    an account (``accounts.pending_accounts``), in Vietnamese name order. ``q`` narrows them: digits match the
    personal ID (số định danh) anywhere in it, other text the name without diacritics ("nguyen van a")."""
    stmt = pending_accounts(actor, session.commune_code)
    if session.hamlet:
        stmt = stmt.where(Beneficiary.hamlet == session.hamlet)
    q = " ".join((q or "").split())[:60]
    if q.isdigit():
        stmt = stmt.where(Beneficiary.national_id.contains(q, autoescape=True))
    elif q:
        stmt = stmt.where(Beneficiary.name_fold.contains(identity.fold(q), autoescape=True))
    return list(db.session.execute(stmt).scalars())


def recorded_at(session: PayoutPointSession) -> list[PaymentAccount]:
    """Accounts recorded at ``session``, in the order recorded."""
    return list(db.session.execute(select(PaymentAccount).where(PaymentAccount.session_id == session.id)
                                   .order_by(PaymentAccount.id)).scalars())


def check_session_person(session: PayoutPointSession, person: Beneficiary) -> None:
    """Raises ``AccessDenied`` when ``person`` is not of the session's commune."""
    if person.commune_code != session.commune_code:
        raise AccessDenied("Đối tượng không thuộc xã của buổi làm việc.")
