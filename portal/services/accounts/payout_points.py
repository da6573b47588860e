"""Payout-point sessions (buổi mở tài khoản tại điểm chi trả, KH 2587 §V.6): bank staff sit at the commune office, a
post office or a hamlet office on a payout day and open accounts for the people expected there. The teller works
down a short list on a phone over a slow link; each person is one small form (``accounts.mark_opened`` with the
session). Flushes only; audit on creation."""
from datetime import date

from sqlalchemy import select

from ...access import covers
from ...errors import AccessDenied, ValidationError
from ...extensions import db
from ...models import Beneficiary, PaymentAccount, PayoutPointSession, User
from .. import audit
from ..registry import identity
from .opening import bank_of, pending_accounts

PLACE_KINDS = {"commune_office": "Trụ sở UBND xã/phường", "post_office": "Bưu cục / Bưu điện văn hóa xã",
               "hamlet_office": "Văn phòng khóm/ấp"}


def _text(value, what: str, limit: int, required: bool = True) -> str | None:
    text = " ".join(identity.nfc(value or "").split())
    if required and not text:
        raise ValidationError(f"Chưa nhập {what}.")
    if len(text) > limit:
        raise ValidationError(f"{what[0].upper() + what[1:]} quá dài (tối đa {limit} ký tự).")
    return text or None


def create_session(actor: User, commune_code: str, session_date: date, place_kind: str, place_name: str,
                   staff_present: str, hamlet: str | None = None) -> PayoutPointSession:
    """Open a session of the actor's bank in a covered commune. ``place_kind``: a ``PLACE_KINDS`` key;
    ``place_name``: e.g. "Văn phòng khóm Mỹ Thới 1"; ``staff_present``: bank staff names; ``hamlet``: only people
    of this khóm/ấp are expected (None: the whole commune). Raises ``AccessDenied`` (not a bank, commune not
    covered) or ``ValidationError`` (missing date, place or staff)."""
    bank = bank_of(actor)
    if not covers(bank, commune_code or ""):
        raise AccessDenied("Xã/phường không thuộc địa bàn phụ trách đã được duyệt của chi nhánh.")
    if session_date is None:
        raise ValidationError("Chưa nhập ngày làm việc.")
    if place_kind not in PLACE_KINDS:
        raise ValidationError("Chọn loại địa điểm: trụ sở UBND xã, bưu cục hoặc văn phòng khóm/ấp.")
    session = PayoutPointSession(
        bank_id=bank.id, commune_code=commune_code, session_date=session_date, place_kind=place_kind,
        place_name=_text(place_name, "địa điểm", 200), staff_present=_text(staff_present, "cán bộ ngân hàng", 300),
        hamlet=_text(hamlet, "khóm/ấp", 120, required=False), created_by_id=actor.id)
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
