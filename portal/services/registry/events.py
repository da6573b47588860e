"""Registry events (biến động tăng / giảm / điều chỉnh, plan §V.3; ND 20/2021 Art. 8, 9, 11; TT 02/2021 Art. 2):
recording an event as a draft in the commune's monthly submission, applying an accepted event to the beneficiary,
and the read-only query API that payout building uses.

Meaning of ``effective_month`` (first-of-month ``date``) per kind — the first month the change applies to payment:

- ``new``: first month paid. ``adjust``: first month at the new category / age band / level.
- ``suspend``: first month not paid; ``resume``: first month paid again (back pay of the gap is D's rule).
- ``stop``: first month not paid (ND 20 Art. 8.2: from the month after loss of eligibility).
- ``death``: computed as the month after ``event_date`` — the month of death is still paid (Art. 8.2).
- ``move_out`` at the old commune and the linked ``move_in`` at the new one share month M: the old commune pays
  through M-1, the new commune from M (Art. 8.3–8.4). The beneficiary row moves to the new commune when the
  ``move_in`` is accepted (``national_id`` is unique in the province, so it is the same row).

Only events with ``status == "accepted"`` count for payment. Every write records an audit event; services flush,
never commit.
"""
from collections import defaultdict
from datetime import date

from sqlalchemy import select

from ...errors import StateError, ValidationError
from ...extensions import db
from ...models import AdministrativeUnit, Beneficiary, Category, ChangeSubmission, EventKind, EventStatus, RegistryEvent
from ..audit import record, snapshot
from ..entitlement.pension import replaced_since
from ..entitlement.rates import RateBook

#: reasons of a ``stop`` event (thôi hưởng, TT 02/2021 Art. 2)
STOP_REASONS = {"ineligible": "Không còn đủ điều kiện", "refused": "Từ chối nhận trợ cấp",
                "moved_away": "Chuyển đi nơi khác (ngoài tỉnh)", "prison": "Chấp hành án phạt tù",
                "missing": "Mất tích theo quy định pháp luật", "other": "Lý do khác"}
#: kinds a commune may record directly (``move_in`` is created with its ``move_out``)
COMMUNE_KINDS = [EventKind.NEW, EventKind.ADJUST, EventKind.SUSPEND, EventKind.RESUME, EventKind.STOP,
                 EventKind.MOVE_OUT, EventKind.DEATH]
#: beneficiary status after an accepted event of this kind (None: unchanged)
STATUS_AFTER = {"new": "active", "suspend": "suspended", "resume": "active", "stop": "stopped", "death": "stopped"}
#: statuses a beneficiary must have for the event to make sense
STATUS_BEFORE = {"suspend": {"active"}, "resume": {"suspended"}, "stop": {"active", "suspended"},
                 "death": {"active", "suspended"}, "move_out": {"active", "suspended"},
                 "adjust": {"active", "suspended"}}
ADJUSTABLE = ("category_code", "disability_level", "children_count")
EVENT_FIELDS = ["kind", "effective_month", "event_date", "decision_number", "decision_date", "details", "note",
                "status", "commune_code", "submission_id"]


def next_month(month: date) -> date:
    """First day of the month after ``month``."""
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


#: statuses of a change submission the commune may still edit (đang lập, bị trả lại)
OPEN_SUBMISSION = (EventStatus.DRAFT.value, EventStatus.RETURNED.value)


def open_submission_of(commune_code: str, month: date) -> ChangeSubmission | None:
    """The commune's open submission (``OPEN_SUBMISSION``) for ``month``, the earliest; None when it has none."""
    return db.session.execute(select(ChangeSubmission).where(
        ChangeSubmission.commune_code == commune_code, ChangeSubmission.month == month,
        ChangeSubmission.status.in_(OPEN_SUBMISSION)).order_by(ChangeSubmission.id).limit(1)).scalar_one_or_none()


def open_submission(actor, commune_code: str, month: date) -> ChangeSubmission:
    """The commune's open submission for ``month`` (danh sách biến động tháng: draft, or returned — editable
    again), created as a draft if the commune has none for that month. Raises ``StateError`` when its submission of
    that month was already submitted or accepted and none is open (a draft of a month whose list was sent exists
    only when the 2025 reform brought changes of an old commune into it)."""
    sub = open_submission_of(commune_code, month)
    if sub is not None:
        return sub
    if db.session.execute(select(ChangeSubmission.id).where(
            ChangeSubmission.commune_code == commune_code, ChangeSubmission.month == month)).first():
        raise StateError(f"Danh sách biến động tháng {month:%m/%Y} đã gửi duyệt; ghi biến động vào tháng sau.")
    sub = ChangeSubmission(commune_code=commune_code, month=month, status=EventStatus.DRAFT.value)
    db.session.add(sub)
    db.session.flush()
    record(actor, "create", "change_submission", sub.id, f"Lập danh sách biến động tháng {month:%m/%Y}")
    return sub


def _adjusted_values(b: Beneficiary, details: dict) -> dict:
    """The fields an ``adjust`` sets, as they differ from the register row: each of ``ADJUSTABLE`` given in
    ``details`` (a blank one is left as it is), and the disability level cleared (None) whenever the person's
    category is not K6 afterwards — only K6 has levels (Decree 20/2021 Art. 6.1), so moving a disabled person to
    another category must drop it, not keep it."""
    given = {k: details[k] for k in ADJUSTABLE if details.get(k) not in (None, "")}
    if (given.get("category_code") or b.category_code) != "K6":
        given["disability_level"] = None
    return {k: v for k, v in given.items() if v != getattr(b, k)}


def _refuse_replaced_category(code: str | None, effective_month: date) -> None:
    """An adjustment may not move a person onto K5b / K5c (Decree 20/2021 Art. 5.5 b, c) from the first month of the
    social pension (07/2025, Decree 176/2025), which replaced them — as the intake form refuses. Raises
    ``ValidationError``."""
    began = replaced_since(RateBook.load(), code, effective_month)
    if began is not None:
        raise ValidationError(
            f"Diện {code} hết hiệu lực từ {began:%d/%m/%Y} (thay bằng trợ cấp hưu trí xã hội, Nghị định "
            f"176/2025/NĐ-CP): không điều chỉnh sang diện này từ tháng {effective_month:%m/%Y}; người đủ điều kiện "
            f"lập tờ khai hưởng trợ cấp hưu trí xã hội (Mẫu 01).")


def _clean_details(kind: str, b: Beneficiary, details: dict, event_date: date | None) -> dict:
    if kind == EventKind.ADJUST:
        changed = _adjusted_values(b, details or {})
        if not changed:
            raise ValidationError("Điều chỉnh phải thay đổi ít nhất một trong: diện đối tượng, mức độ khuyết tật, "
                                  "số con.")
        if "category_code" in changed and db.session.get(Category, changed["category_code"]) is None:
            raise ValidationError(f"Không có diện đối tượng «{changed['category_code']}».")
        if "children_count" in changed:
            try:
                changed["children_count"] = int(changed["children_count"])
            except (TypeError, ValueError):
                raise ValidationError("Số con phải là số nguyên.") from None
        if changed.get("category_code") == "K6" and not changed.get("disability_level", b.disability_level):
            raise ValidationError("Diện K6 cần mức độ khuyết tật: nặng hoặc đặc biệt nặng.")
        return changed
    details = {k: v for k, v in (details or {}).items() if v not in (None, "")}
    if kind == EventKind.STOP:
        if details.get("reason") not in STOP_REASONS:
            raise ValidationError("Chọn lý do thôi hưởng.")
        return {"reason": details["reason"]}
    if kind == EventKind.MOVE_OUT:
        to = details.get("to_commune")
        unit = db.session.get(AdministrativeUnit, to) if to else None
        if unit is None or unit.level != "commune":
            raise ValidationError("Chọn xã/phường nơi chuyển đến (trong tỉnh).")
        if to == b.commune_code:
            raise ValidationError("Nơi chuyển đến trùng với xã hiện tại.")
        return {"to_commune": to}
    if kind == EventKind.DEATH:
        if event_date is None:
            raise ValidationError("Chưa nhập ngày chết.")
        out = {k: details[k] for k in ("organiser_name", "organiser_national_id", "death_certificate") if k in details}
        return out
    return {}


def create_event(actor, beneficiary: Beneficiary, kind: str, *, effective_month: date | None,
                 report_month: date, event_date: date | None = None, decision_number: str | None = None,
                 decision_date: date | None = None, details: dict | None = None,
                 note: str | None = None) -> RegistryEvent:
    """Record one event as a draft in the commune's submission for ``report_month`` (the month it is reported in,
    not necessarily the effective month). ``effective_month`` is required except for a death, where it is the
    month after ``event_date``. ``details`` per kind: adjust ``{category_code?, disability_level?,
    children_count?}``; stop ``{reason}`` (``STOP_REASONS``); move_out ``{to_commune}`` — creates the linked
    ``move_in`` draft at the new commune, which that commune receives with ``receive_move``; death
    ``{organiser_name?, organiser_national_id?}`` (the funeral organiser; funeral support itself is claimed through
    the entitlement engine). Returns the event (flushed). Raises ``ValidationError`` (missing decision, wrong
    details, duplicate) or ``StateError`` (status does not allow it, submission already sent)."""
    if kind not in [k.value for k in COMMUNE_KINDS]:
        raise ValidationError("Loại biến động không hợp lệ.")
    if kind in STATUS_BEFORE and beneficiary.status not in STATUS_BEFORE[kind]:
        raise StateError(f"Không thể ghi «{EventKind(kind).label}» cho đối tượng đang ở trạng thái "
                         f"«{beneficiary.status_label}».")
    if kind == EventKind.DEATH:
        if event_date is None:
            raise ValidationError("Chưa nhập ngày chết.")
        effective_month = next_month(event_date.replace(day=1))
    if effective_month is None:
        raise ValidationError("Chưa nhập tháng áp dụng.")
    if kind != EventKind.DEATH and not (decision_number or "").strip():
        raise ValidationError("Chưa nhập số quyết định.")
    details = _clean_details(kind, beneficiary, details or {}, event_date)
    if kind == EventKind.ADJUST:
        _refuse_replaced_category(details.get("category_code"), effective_month)
    dup = db.session.execute(select(RegistryEvent.id).where(
        RegistryEvent.beneficiary_id == beneficiary.id, RegistryEvent.kind == kind,
        RegistryEvent.effective_month == effective_month)).first()
    if dup:
        raise ValidationError(f"Đã có biến động «{EventKind(kind).label}» tháng {effective_month:%m/%Y} cho người này.")
    sub = open_submission(actor, beneficiary.commune_code, report_month)
    event = RegistryEvent(
        beneficiary_id=beneficiary.id, commune_code=beneficiary.commune_code, kind=kind,
        effective_month=effective_month, event_date=event_date, decision_number=(decision_number or "").strip() or None,
        decision_date=decision_date, details=details or None, note=note or None, status=EventStatus.DRAFT.value,
        submission_id=sub.id, created_by_id=getattr(actor, "id", None))
    db.session.add(event)
    db.session.flush()
    record(actor, "create", "registry_event", event.id,
           f"Ghi biến động «{EventKind(kind).label}» của {beneficiary.full_name} từ tháng {effective_month:%m/%Y}",
           after=snapshot(event, EVENT_FIELDS))
    record(actor, "event", "beneficiary", beneficiary.id,
           f"Ghi biến động «{EventKind(kind).label}» từ tháng {effective_month:%m/%Y} (chờ chấp nhận)")
    if kind == EventKind.MOVE_OUT:
        incoming = RegistryEvent(
            beneficiary_id=beneficiary.id, commune_code=details["to_commune"], kind=EventKind.MOVE_IN.value,
            effective_month=effective_month, details={"from_commune": beneficiary.commune_code},
            status=EventStatus.DRAFT.value, linked_event_id=event.id, created_by_id=getattr(actor, "id", None))
        db.session.add(incoming)
        db.session.flush()
        event.linked_event_id = incoming.id
        record(actor, "create", "registry_event", incoming.id,
               f"Chuyển đến của {beneficiary.full_name} chờ xã nơi đến tiếp nhận",
               after=snapshot(incoming, EVENT_FIELDS))
    return event


def delete_draft(actor, event: RegistryEvent) -> None:
    """Remove a draft or returned event (and the linked ``move_in`` of a ``move_out``). Raises ``StateError`` for
    submitted or accepted events, and for a ``move_in`` (it goes with its ``move_out``)."""
    if event.status not in (EventStatus.DRAFT, EventStatus.RETURNED) or event.kind == EventKind.MOVE_IN:
        raise StateError("Chỉ xóa được biến động chưa gửi hoặc bị trả lại.")
    sub = event.submission
    if sub is not None and sub.status in (EventStatus.SUBMITTED, EventStatus.ACCEPTED):
        raise StateError("Danh sách biến động đã gửi duyệt; không xóa được.")
    linked = db.session.get(RegistryEvent, event.linked_event_id) if event.linked_event_id else None
    if linked is not None:
        if linked.status not in (EventStatus.DRAFT, EventStatus.RETURNED) or linked.submission_id:
            raise StateError("Xã nơi đến đã tiếp nhận việc chuyển đến; không xóa được.")
        event.linked_event_id = linked.linked_event_id = None  # the two rows point at each other
        db.session.flush()
        record(actor, "delete", "registry_event", linked.id, "Xóa chuyển đến đi kèm",
               before=snapshot(linked, EVENT_FIELDS))
        db.session.delete(linked)
    record(actor, "delete", "registry_event", event.id,
           f"Xóa biến động «{event.kind_enum.label}» của {event.beneficiary.full_name}",
           before=snapshot(event, EVENT_FIELDS))
    db.session.delete(event)
    db.session.flush()


def receive_move(actor, event: RegistryEvent, *, report_month: date, decision_number: str | None,
                 decision_date: date | None = None) -> RegistryEvent:
    """The new commune takes in a ``move_in`` (tiếp nhận chuyển đến) into its submission for ``report_month``.
    Allowed once the old commune's ``move_out`` is accepted. Raises ``StateError`` / ``ValidationError``."""
    if event.kind != EventKind.MOVE_IN or event.submission_id is not None:
        raise StateError("Biến động này không chờ tiếp nhận.")
    out = db.session.get(RegistryEvent, event.linked_event_id)
    if out is None or out.status != EventStatus.ACCEPTED:
        raise StateError("Việc chuyển đi của xã nơi đi chưa được chấp nhận; chưa tiếp nhận được.")
    if not (decision_number or "").strip():
        raise ValidationError("Chưa nhập số quyết định.")
    before = snapshot(event, EVENT_FIELDS)
    sub = open_submission(actor, event.commune_code, report_month)
    event.submission_id = sub.id
    event.decision_number = decision_number.strip()
    event.decision_date = decision_date
    event.status = EventStatus.DRAFT.value
    db.session.flush()
    record(actor, "update", "registry_event", event.id, f"Tiếp nhận chuyển đến của {event.beneficiary.full_name}",
           before=before, after=snapshot(event, EVENT_FIELDS))
    return event


def apply_event(actor, event: RegistryEvent) -> None:
    """Apply an accepted event to its beneficiary (status, adjusted fields, commune on a ``move_in``) and audit the
    change. Called by ``change_submissions.accept``. Raises ``StateError`` for a ``move_in`` whose ``move_out`` is
    not accepted."""
    b = event.beneficiary
    fields = ["status", "commune_code", *ADJUSTABLE]
    before = snapshot(b, fields)
    if event.kind in STATUS_AFTER:
        b.status = STATUS_AFTER[event.kind]
    if event.kind == EventKind.ADJUST:
        new = {k: v for k, v in (event.details or {}).items() if k in ADJUSTABLE}
        # the record keeps what it replaced, so a list of an earlier month built after acceptance uses the old
        # values (the engine reads ``before`` for months before the effective month: entitlement.plan.Timeline)
        event.details = {**new, "before": {k: getattr(b, k) for k in new}}
        for k, v in new.items():
            setattr(b, k, v)
    if event.kind == EventKind.MOVE_IN:
        out = db.session.get(RegistryEvent, event.linked_event_id)
        if out is None or out.status != EventStatus.ACCEPTED:
            raise StateError(f"Chuyển đến của {b.full_name}: xã nơi đi chưa được chấp nhận chuyển đi.")
        b.commune_code = event.commune_code
    after = snapshot(b, fields)
    db.session.flush()
    record(actor, "apply_event", "beneficiary", b.id,
           f"Áp dụng biến động «{event.kind_enum.label}» từ tháng {event.effective_month:%m/%Y}"
           f" (QĐ {event.decision_number or '—'})", before=before, after=after)


def accepted_events_by_beneficiary(beneficiary_ids, up_to_month: date | None = None) -> dict[int, list[RegistryEvent]]:
    """Accepted events of the given beneficiaries (iterable of ids), effective on or before ``up_to_month`` (first
    of month; None: all), as ``{beneficiary_id: [events ordered by effective_month, id]}``; beneficiaries without
    events are absent. One query. Read-only."""
    ids = list(beneficiary_ids)
    if not ids:
        return {}
    stmt = select(RegistryEvent).where(RegistryEvent.beneficiary_id.in_(ids),
                                       RegistryEvent.status == EventStatus.ACCEPTED.value)
    if up_to_month is not None:
        stmt = stmt.where(RegistryEvent.effective_month <= up_to_month)
    out: dict[int, list[RegistryEvent]] = defaultdict(list)
    for ev in db.session.execute(stmt.order_by(RegistryEvent.effective_month, RegistryEvent.id)).scalars():
        out[ev.beneficiary_id].append(ev)
    return dict(out)


def paying_commune(beneficiary: Beneficiary, month: date, events: list[RegistryEvent] | None = None) -> str:
    """Code of the one commune that pays ``beneficiary`` for ``month`` (first of month): the commune before the
    first accepted ``move_out`` effective after ``month``, else the destination of the last accepted move effective
    on or before it, else ``beneficiary.commune_code``. A ``move_out`` effective M means the old commune pays
    through M-1 and the new one from M — even before the new commune has received the person (then nobody lists
    them yet, which is a gap, never a double payment). ``events``: the beneficiary's accepted events (from
    ``accepted_events_by_beneficiary`` without ``up_to_month``) to avoid a query per person."""
    if events is None:
        events = accepted_events_by_beneficiary([beneficiary.id]).get(beneficiary.id, [])
    moves = sorted((e for e in events if e.kind == EventKind.MOVE_OUT and e.status == EventStatus.ACCEPTED),
                   key=lambda e: (e.effective_month, e.id))
    if not moves:
        return beneficiary.commune_code
    commune = moves[0].commune_code
    for ev in moves:
        if ev.effective_month <= month:
            commune = ev.details["to_commune"]
    return commune


def status_in_month(beneficiary: Beneficiary, month: date, events: list[RegistryEvent] | None = None) -> str:
    """Status for paying ``month``: ``active``, ``suspended``, ``stopped`` or ``not_started``, from the accepted
    status events (new, suspend, resume, stop, death): the status after the last one effective on or before
    ``month``; if all are later, the status before the first of them; without any, ``beneficiary.status``. A death
    in month M gives ``active`` for M and ``stopped`` from M+1."""
    if events is None:
        events = accepted_events_by_beneficiary([beneficiary.id]).get(beneficiary.id, [])
    changes = sorted((e for e in events if e.kind in STATUS_AFTER and e.status == EventStatus.ACCEPTED),
                     key=lambda e: (e.effective_month, e.id))
    if not changes:
        return beneficiary.status
    done = [e for e in changes if e.effective_month <= month]
    if done:
        return STATUS_AFTER[done[-1].kind]
    first = changes[0].kind
    return {"new": "not_started", "resume": "suspended"}.get(first, "active")


def payable_in_month(beneficiary: Beneficiary, commune_code: str, month: date,
                     events: list[RegistryEvent] | None = None) -> bool:
    """True when ``commune_code`` should list ``beneficiary`` for ``month``: it is the paying commune and the status
    in that month is active."""
    if events is None:
        events = accepted_events_by_beneficiary([beneficiary.id]).get(beneficiary.id, [])
    return (paying_commune(beneficiary, month, events) == commune_code
            and status_in_month(beneficiary, month, events) == "active")


def payable_beneficiary_ids(commune_code: str, month: date) -> set[int]:
    """Ids of the beneficiaries ``commune_code`` pays for ``month`` per the accepted events (``payable_in_month``):
    its own register plus those who moved out of it later (their row now belongs to the new commune) — so a
    back-pay month before a move is still paid by the old commune, and nobody by both. Status only: the start
    month, age bands and rates stay with the entitlement rules. Two queries. Read-only."""
    moved_out = select(RegistryEvent.beneficiary_id).where(
        RegistryEvent.kind == EventKind.MOVE_OUT.value, RegistryEvent.status == EventStatus.ACCEPTED.value,
        RegistryEvent.commune_code == commune_code)
    people = db.session.execute(select(Beneficiary).where(
        (Beneficiary.commune_code == commune_code) | Beneficiary.id.in_(moved_out))).scalars().all()
    events = accepted_events_by_beneficiary([b.id for b in people])
    return {b.id for b in people if payable_in_month(b, commune_code, month, events.get(b.id, []))}


def incoming_moves(commune_codes) -> list[RegistryEvent]:
    """``move_in`` events waiting for the commune(s) to receive them (not yet in a submission); ``commune_codes``
    is a list or a scalar select."""
    return list(db.session.execute(select(RegistryEvent).where(
        RegistryEvent.kind == EventKind.MOVE_IN.value, RegistryEvent.submission_id.is_(None),
        RegistryEvent.commune_code.in_(commune_codes)).order_by(RegistryEvent.id)).scalars())


def events_of(beneficiary_id: int) -> list[RegistryEvent]:
    """Every event of one beneficiary (any status), newest effective month first — for the beneficiary page."""
    return list(db.session.execute(select(RegistryEvent).where(RegistryEvent.beneficiary_id == beneficiary_id)
                                   .order_by(RegistryEvent.effective_month.desc(), RegistryEvent.id.desc())).scalars())


def unit_name(code: str | None) -> str:
    """Name of an administrative unit by code (e.g. "Phường Núi Sam"), or the code if unknown, "—" for None."""
    if not code:
        return "—"
    unit = db.session.get(AdministrativeUnit, code)
    return unit.name if unit else code


#: helpers for templates showing events (``_event_details.html``)
TEMPLATE_HELPERS = {"unit_name": unit_name, "stop_reasons": STOP_REASONS}


def active_in_month(month: date):
    """SQL condition on ``Beneficiary``: the status in ``month`` (first of month, ``status_in_month``) is
    ``active``. People without accepted status events effective after ``month`` keep their current status; the few
    with such later events (e.g. a death in ``month`` → stopped from the next month) are resolved in Python from
    their accepted events. One query whatever the register size (150.000 people). Read-only. Usage:
    ``select(Beneficiary.id).where(active_in_month(m), Beneficiary.start_month <= m)``."""
    later = (select(RegistryEvent.beneficiary_id)
             .where(RegistryEvent.status == EventStatus.ACCEPTED.value,
                    RegistryEvent.kind.in_(list(STATUS_AFTER)), RegistryEvent.effective_month > month)
             .distinct())
    events: dict[Beneficiary, list[RegistryEvent]] = defaultdict(list)
    for ev, b in db.session.execute(select(RegistryEvent, Beneficiary).join(
            Beneficiary, Beneficiary.id == RegistryEvent.beneficiary_id).where(
            RegistryEvent.status == EventStatus.ACCEPTED.value, RegistryEvent.beneficiary_id.in_(later))
            .order_by(RegistryEvent.effective_month, RegistryEvent.id)):
        events[b].append(ev)
    active_then = [b.id for b, evs in events.items() if status_in_month(b, month, evs) == "active"]
    return ((Beneficiary.status == "active") & Beneficiary.id.not_in(later)) | Beneficiary.id.in_(active_then)
