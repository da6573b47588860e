"""Audit trail (nhật ký): every service write calls ``record`` in the same transaction."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session, joinedload

from ..extensions import db
from ..models import AuditEvent


def _jsonable(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(obj, fields) -> dict:
    """The named attributes of ``obj`` as a JSON-able dict (dates ISO, Decimals as strings)."""
    return {f: _jsonable(getattr(obj, f)) for f in fields}


def diff(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the keys whose values changed, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def record(actor, action: str, object_type: str, object_id: int | None, summary: str,
           before: dict | None = None, after: dict | None = None) -> AuditEvent:
    """Add an AuditEvent for ``actor`` (a User, or None for system/CLI). ``summary`` is Vietnamese. Flushes, never
    commits."""
    event = AuditEvent(**event_row(actor, action, object_type, object_id, summary, before, after))
    db.session.add(event)
    return event


def event_row(actor, action: str, object_type: str, object_id: int | None, summary: str,
              before: dict | None = None, after: dict | None = None) -> dict:
    """The AuditEvent columns ``record`` writes, as a dict (the time left to the column default): for writing many
    entries at once (``bulk.insert_rows``, the spreadsheet import)."""
    return {"user_id": getattr(actor, "id", None), "organization_id": getattr(actor, "organization_id", None),
            "action": action, "object_type": object_type, "object_id": object_id, "summary": summary[:500],
            "before": {k: _jsonable(v) for k, v in (before or {}).items()} or None,
            "after": {k: _jsonable(v) for k, v in (after or {}).items()} or None}


def record_apart(actor, action: str, object_type: str, object_id: int | None, summary: str) -> None:
    """Like ``record``, but written and committed at once in a transaction of its own: for an entry that must stay
    although the request answers an error and rolls back (a refused login, a download of personal data that is then
    refused). The one commit in services, kept to audit entries."""
    with Session(db.engine) as own:
        own.add(AuditEvent(user_id=getattr(actor, "id", None), organization_id=getattr(actor, "organization_id", None),
                           action=action, object_type=object_type, object_id=object_id, summary=summary[:500]))
        own.commit()


#: actions that record who read personal data (a page viewed, a file downloaded), not a change of the object
READ_ACTIONS = ("view", "download")


def record_read(actor, action: str, object_type: str, object_id: int | None, summary: str) -> AuditEvent:
    """Who read personal data, what, when: ``action`` ``"view"`` (a person's page) or ``"download"`` (a list, a
    sheet with CCCD numbers). Kept out of the object's change history (``events_for``)."""
    assert action in READ_ACTIONS
    return record(actor, action, object_type, object_id, summary)


def events_for(object_type: str, object_id: int, limit: int = 50) -> list[AuditEvent]:
    """Latest changes of one object, newest first (for the object's page); reads (``READ_ACTIONS``) left out."""
    return list(db.session.execute(
        db.select(AuditEvent).options(joinedload(AuditEvent.user))
        .where(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id,
               AuditEvent.action.not_in(READ_ACTIONS))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)).scalars())
