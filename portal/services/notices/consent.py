"""Consent to receive messages (đồng ý nhận tin nhắn), Law 91/2025/QH15: given on a date, withdrawable at any time;
recorded by the person's commune committee, each change audited. Flushes, never commits."""
from datetime import date

from sqlalchemy import select

from ...access import is_commune_of
from ...clock import today_vn
from ...errors import AccessDenied, StateError, ValidationError
from ...extensions import db
from ...models import Beneficiary, NoticeConsent, User
from ..audit import record


def active_consent(beneficiary_id: int) -> NoticeConsent | None:
    """The person's consent in force (not withdrawn), or None."""
    return db.session.execute(select(NoticeConsent).where(
        NoticeConsent.beneficiary_id == beneficiary_id, NoticeConsent.withdrawn_on.is_(None))).scalars().first()


def _require_commune(actor: User, person: Beneficiary) -> None:
    if not is_commune_of(actor, person.commune_code):
        raise AccessDenied("Chỉ UBND xã/phường của đối tượng ghi nhận sự đồng ý nhận tin nhắn.")


def give(actor: User, person: Beneficiary, given_on: date | None = None) -> NoticeConsent:
    """Record the person's consent given on ``given_on`` (default today, Vietnam; never in the future). Raises
    AccessDenied (not the person's commune), ValidationError (no phone in the register, a future date), StateError
    (a consent is already in force)."""
    _require_commune(actor, person)
    given_on = given_on or today_vn()
    if not (person.phone or "").strip():
        raise ValidationError("Đối tượng chưa có số điện thoại trong hồ sơ: cập nhật số điện thoại trước.")
    if given_on > today_vn():
        raise ValidationError("Ngày đồng ý không được sau hôm nay.")
    if active_consent(person.id) is not None:
        raise StateError("Đối tượng đã đồng ý nhận tin nhắn.")
    consent = NoticeConsent(beneficiary_id=person.id, given_on=given_on, recorded_by_id=actor.id)
    db.session.add(consent)
    db.session.flush()
    record(actor, "notice_consent", "beneficiary", person.id,
           f"{person.full_name} đồng ý nhận tin nhắn thông báo chi trả từ ngày {given_on:%d/%m/%Y}.",
           after={"notice_consent": given_on})
    return consent


def withdraw(actor: User, person: Beneficiary, on: date | None = None) -> NoticeConsent:
    """Withdraw the consent in force (from ``on``, default today): no message is queued for the person afterwards.
    Raises AccessDenied, StateError (no consent in force)."""
    _require_commune(actor, person)
    consent = active_consent(person.id)
    if consent is None:
        raise StateError("Đối tượng chưa đồng ý nhận tin nhắn.")
    consent.withdrawn_on = on or today_vn()
    record(actor, "notice_consent_withdrawn", "beneficiary", person.id,
           f"{person.full_name} rút lại sự đồng ý nhận tin nhắn từ ngày {consent.withdrawn_on:%d/%m/%Y}.",
           before={"notice_consent": consent.given_on}, after={"notice_consent": None})
    db.session.flush()
    return consent
