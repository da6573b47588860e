"""Reports of the post office that a beneficiary has died (bưu điện báo đã chết): a ``failed`` payout line with
``result_reason_code == "deceased"`` (``payouts.reasons.FAILURE_REASONS``). Until the commune resolves the report the
person is held: the month's build leaves them off with ``HELD_REASON`` (``payouts.build_lists``,
``payouts.exclusions.month_exclusions``). The commune (duty ``intake``, its own area) either records the death as a
registry event (biến động chết; Decree 20/2021 Art. 11 — then the event's acceptance stops payment and recovers what
was overpaid) or confirms the person is alive with a note (xác minh còn sống): payment resumes and the failed amount
is carried as back pay as usual (``payouts.carry_over.unpaid_carry_over``, Art. 34.4)."""
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...access import is_commune_of
from ...clock import utcnow
from ...errors import AccessDenied, StateError, ValidationError
from ...extensions import db
from ...models import Beneficiary, EventKind, EventStatus, PayoutLine, RegistryEvent, User
from ..audit import record

DECEASED = "deceased"
DEATH_RECORDED = "death_recorded"
ALIVE = "alive"
#: resolution code → Vietnamese label (stored in ``PayoutLine.report_resolution``, with the note for ``ALIVE``)
RESOLUTIONS = {DEATH_RECORDED: "Đã ghi biến động chết", ALIVE: "Xác minh còn sống"}
#: why the build leaves a reported person off; ``month`` = the month of the list that reported the death
HELD_REASON = "Bưu điện báo đã chết (danh sách {month:%m/%Y}); chờ xã xác minh"


def _open():
    """Select of open reports: failed "deceased" lines not resolved, whose person has no accepted death event."""
    dead = select(RegistryEvent.beneficiary_id).where(RegistryEvent.kind == EventKind.DEATH.value,
                                                      RegistryEvent.status == EventStatus.ACCEPTED.value)
    return (select(PayoutLine).join(Beneficiary, Beneficiary.id == PayoutLine.beneficiary_id)
            .where(PayoutLine.result == "failed", PayoutLine.result_reason_code == DECEASED,
                   PayoutLine.report_resolved_at.is_(None), PayoutLine.beneficiary_id.not_in(dead)))


def open_reports(commune_codes) -> list[PayoutLine]:
    """Open death reports of the people registered in ``commune_codes`` (an iterable of commune codes; None = all):
    their ``PayoutLine`` rows (payout list and beneficiary loaded), by name then month. Read-only, one query."""
    stmt = _open().options(selectinload(PayoutLine.payout_list), selectinload(PayoutLine.beneficiary)) \
        .order_by(PayoutLine.name_sort, PayoutLine.beneficiary_id, PayoutLine.month)
    if commune_codes is not None:
        stmt = stmt.where(Beneficiary.commune_code.in_(list(commune_codes)))
    return list(db.session.execute(stmt).scalars())


def held(month: date, ids=None) -> dict[int, str]:
    """Beneficiary id → Vietnamese reason (``HELD_REASON``, month of the earliest open report) for the people the
    build of ``month`` (first of month) must hold: an open report on a line of an earlier month. ``ids``: limit to
    these beneficiary ids (an iterable or a select). One query."""
    stmt = _open().where(PayoutLine.month < month.replace(day=1)) \
        .with_only_columns(PayoutLine.beneficiary_id, PayoutLine.month).order_by(PayoutLine.month.desc())
    if ids is not None:
        stmt = stmt.where(PayoutLine.beneficiary_id.in_(ids))
    return {bid: HELD_REASON.format(month=m) for bid, m in db.session.execute(stmt)}


def death_event(beneficiary_id: int) -> RegistryEvent | None:
    """The person's death event drafted, submitted or accepted (not returned), newest first; None if none."""
    return db.session.execute(select(RegistryEvent).where(
        RegistryEvent.beneficiary_id == beneficiary_id, RegistryEvent.kind == EventKind.DEATH.value,
        RegistryEvent.status.in_([EventStatus.DRAFT.value, EventStatus.SUBMITTED.value,
                                  EventStatus.ACCEPTED.value])).order_by(RegistryEvent.id.desc()).limit(1)
    ).scalar_one_or_none()


def resolve(actor: User, line: PayoutLine, resolution: str, note: str | None = None) -> PayoutLine:
    """Resolve the open death report ``line`` as ``actor`` (commune with duty ``intake``; the person registered in
    its own commune): ``DEATH_RECORDED`` once a death event of the person exists (drafted, submitted or accepted),
    or ``ALIVE`` with a verification ``note`` (payment resumes at the next build, the failed amount carried). Sets
    ``report_resolved_at/by_id/resolution``, audits, flushes. Raises AccessDenied (not a commune, other commune),
    StateError (already resolved, not a death report), ValidationError (unknown resolution, no note, no death
    event)."""
    b = db.session.get(Beneficiary, line.beneficiary_id)
    if not is_commune_of(actor, b.commune_code):
        raise AccessDenied("Chỉ UBND xã/phường nơi đối tượng cư trú được xử lý báo cáo này.")
    if line.result != "failed" or line.result_reason_code != DECEASED:
        raise StateError("Dòng này không phải báo cáo đối tượng đã chết của bưu điện.")
    if line.report_resolved_at is not None:
        raise StateError("Báo cáo này đã được xử lý.")
    note = (note or "").strip()
    if resolution == DEATH_RECORDED:
        if death_event(b.id) is None:
            raise ValidationError("Chưa có biến động «Chết» của đối tượng: hãy ghi biến động chết trước.")
        text = RESOLUTIONS[DEATH_RECORDED] + (f" – {note}" if note else "")
    elif resolution == ALIVE:
        if not note:
            raise ValidationError("Nhập ghi chú xác minh (ai xác minh, khi nào, cách nào).")
        text = f"{RESOLUTIONS[ALIVE]} – {note}"
    else:
        raise ValidationError("Chọn cách xử lý.")
    line.report_resolved_at = utcnow()
    line.report_resolved_by_id = actor.id
    line.report_resolution = text[:200]
    record(actor, "resolve_death_report", "payout_line", line.id,
           f"Xử lý báo cáo bưu điện báo đã chết: {line.full_name} (tháng {line.month:%m/%Y}) – {text}",
           after={"report_resolution": line.report_resolution, "resolution": resolution})
    db.session.flush()
    return line
