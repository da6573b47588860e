"""Monthly change submissions (danh sách biến động hằng tháng, plan §V.3): the commune submits its month's events,
the district labour office (Phòng LĐTBXH, duty ``payout_management``) accepts them — each event is then applied to
its beneficiary — or returns the list with a reason for the commune to fix and submit again. Services flush, never
commit; every write is audited."""
from sqlalchemy import func, select

from ...access import accepts_changes
from ...clock import this_month_vn, utcnow
from ...errors import AccessDenied, StateError, ValidationError
from ...extensions import db
from ...models import ChangeSubmission, EventStatus, RegistryEvent
from ..audit import record
from .events import apply_event

STATUS_LABELS = {"draft": "Đang lập", "submitted": "Đã gửi duyệt", "accepted": "Đã được chấp nhận",
                 "returned": "Bị trả lại"}


def submit(actor, sub: ChangeSubmission) -> ChangeSubmission:
    """Gửi duyệt: every draft/returned event of the submission becomes ``submitted``. Raises ``StateError`` when it
    is already submitted/accepted, ``ValidationError`` when it has no events."""
    if sub.status not in (EventStatus.DRAFT, EventStatus.RETURNED):
        raise StateError("Danh sách biến động này đã gửi duyệt.")
    if not sub.events:
        raise ValidationError("Danh sách biến động chưa có biến động nào.")
    for ev in sub.events:
        ev.status = EventStatus.SUBMITTED.value
    before = {"status": sub.status}
    sub.status = EventStatus.SUBMITTED.value
    sub.submitted_by_id = actor.id
    sub.submitted_at = utcnow()
    db.session.flush()
    record(actor, "submit", "change_submission", sub.id,
           f"Gửi duyệt danh sách biến động tháng {sub.month:%m/%Y} ({len(sub.events)} biến động)",
           before=before, after={"status": sub.status})
    return sub


def _review(actor, sub: ChangeSubmission) -> None:
    if not accepts_changes(actor):
        raise AccessDenied("Chỉ Chủ tịch hoặc Phó Chủ tịch Ủy ban nhân dân xã/phường (hoặc cơ quan quản lý chi trả) "
                           "xem xét danh sách biến động; công chức lập danh sách không tự chấp nhận hay trả lại.")
    if sub.status != EventStatus.SUBMITTED:
        raise StateError("Chỉ xem xét được danh sách biến động đã gửi duyệt.")
    sub.reviewed_by_id = actor.id
    sub.reviewed_at = utcnow()


def accept(actor, sub: ChangeSubmission) -> ChangeSubmission:
    """Chấp nhận: every event becomes ``accepted`` and is applied to its beneficiary (``registry.events.apply_event``:
    status, adjusted fields, transfer on a move-in). Raises ``StateError`` when not submitted or when an event
    cannot be applied (nothing is applied then: the caller rolls back), and ``AccessDenied`` when ``actor`` does not
    review change lists (``access.accepts_changes``: since 7/2025 the commune committee both sends and accepts, so
    its chairman or vice-chairman accepts what its officer sent — four eyes, as for payout lists) or sent the list."""
    if sub.submitted_by_id is not None and sub.submitted_by_id == actor.id:
        raise AccessDenied("Người gửi danh sách biến động không tự chấp nhận danh sách của mình: Chủ tịch hoặc Phó "
                           "Chủ tịch xem xét và chấp nhận.")
    _review(actor, sub)
    for ev in sub.events:
        ev.status = EventStatus.ACCEPTED.value
        db.session.flush()
        apply_event(actor, ev)
    sub.status = EventStatus.ACCEPTED.value
    sub.return_reason = None
    db.session.flush()
    record(actor, "accept", "change_submission", sub.id,
           f"Chấp nhận danh sách biến động tháng {sub.month:%m/%Y} của {sub.commune.name} "
           f"({len(sub.events)} biến động)",
           before={"status": "submitted"}, after={"status": sub.status})
    return sub


def return_submission(actor, sub: ChangeSubmission, reason: str) -> ChangeSubmission:
    """Trả lại with ``reason`` (required, ≤ 300 characters): the submission and its events become ``returned``;
    the commune may edit and submit again. Raises ``ValidationError`` / ``StateError``, and ``AccessDenied`` when
    ``actor`` does not review change lists (``access.accepts_changes``)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Nhập lý do trả lại.")
    if len(reason) > 300:
        raise ValidationError("Lý do trả lại tối đa 300 ký tự.")
    _review(actor, sub)
    for ev in sub.events:
        ev.status = EventStatus.RETURNED.value
    sub.status = EventStatus.RETURNED.value
    sub.return_reason = reason
    db.session.flush()
    record(actor, "return", "change_submission", sub.id,
           f"Trả lại danh sách biến động tháng {sub.month:%m/%Y} của {sub.commune.name}: {reason}",
           before={"status": "submitted"}, after={"status": sub.status, "return_reason": reason})
    return sub


def submissions(stmt, status: str | None = None) -> list[ChangeSubmission]:
    """Rows of ``stmt`` (a ``visible(ChangeSubmission)`` select), newest month first, optionally by status."""
    if status:
        stmt = stmt.where(ChangeSubmission.status == status)
    return list(db.session.execute(stmt.order_by(ChangeSubmission.month.desc(), ChangeSubmission.commune_code))
                .scalars())


def waiting_count(stmt) -> int:
    """How many change lists of ``stmt`` (a ``visible(ChangeSubmission)`` select) wait for review (``submitted``),
    in one query."""
    return db.session.execute(select(func.count()).select_from(
        stmt.where(ChangeSubmission.status == EventStatus.SUBMITTED.value).order_by(None).subquery())).scalar_one()


def event_counts(submission_ids) -> dict[int, int]:
    """Number of events per submission id."""
    ids = list(submission_ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(RegistryEvent.submission_id, func.count()).where(
        RegistryEvent.submission_id.in_(ids)).group_by(RegistryEvent.submission_id)).all())


def current_month():
    """The default report month: this month in Vietnam time."""
    return this_month_vn()
