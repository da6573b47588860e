"""Monthly changes to the register (biến động tăng / giảm / điều chỉnh, plan §V.3): registry events with their decision
and effective month, grouped in the commune's monthly submission that the district accepts or returns.
Payout lists use only events whose ``status`` is ``accepted``."""
from enum import StrEnum

from ..clock import utcnow
from ..extensions import db
from .enums import LabelledEnum


class EventKind(LabelledEnum):
    """Kinds of registry event (Decree 20/2021 Art. 8 start, Art. 9 change / stop, Art. 11 death)."""

    NEW = "new"            # tăng mới
    ADJUST = "adjust"      # điều chỉnh (category, age band, disability level, children)
    SUSPEND = "suspend"    # tạm dừng
    RESUME = "resume"      # chi trả lại
    STOP = "stop"          # thôi hưởng (no longer eligible, refused, …)
    MOVE_OUT = "move_out"  # chuyển đi
    MOVE_IN = "move_in"    # chuyển đến
    DEATH = "death"        # chết

    @property
    def label(self) -> str:
        """Vietnamese label."""
        return {
            "new": "Tăng mới", "adjust": "Điều chỉnh", "suspend": "Tạm dừng", "resume": "Chi trả lại",
            "stop": "Thôi hưởng", "move_out": "Chuyển đi", "move_in": "Chuyển đến", "death": "Chết",
        }[self.value]


class EventStatus(StrEnum):
    """Where an event stands: drafted by the commune, submitted in the month's list, accepted or returned."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"


class RegistryEvent(db.Model):
    """One change for one beneficiary. ``effective_month`` (first of month) is the first month the change applies
    to payment (for a death: the month after ``event_date``). ``details`` holds the changed fields as JSON (e.g.
    ``{"category_code": "K5a"}`` for an adjustment, ``{"reason": "refused"}`` for a stop). A move is two events,
    ``move_out`` at the old commune and ``move_in`` at the new, linked by ``linked_event_id``."""

    __tablename__ = "registry_event"
    id = db.Column(db.Integer, primary_key=True)
    beneficiary_id = db.Column(db.Integer, db.ForeignKey("beneficiary.id"), nullable=False, index=True)
    commune_code = db.Column(db.String(10), db.ForeignKey("administrative_unit.code"), nullable=False, index=True)
    kind = db.Column(db.String(12), nullable=False)
    effective_month = db.Column(db.Date, nullable=False, index=True)
    event_date = db.Column(db.Date)  # e.g. date of death
    decision_number = db.Column(db.String(60))
    decision_date = db.Column(db.Date)
    details = db.Column(db.JSON)
    note = db.Column(db.String(300))
    status = db.Column(db.String(12), nullable=False, default=EventStatus.DRAFT.value, index=True)
    linked_event_id = db.Column(db.Integer, db.ForeignKey("registry_event.id"))
    submission_id = db.Column(db.Integer, db.ForeignKey("change_submission.id"), index=True)
    created_by_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)

    beneficiary = db.relationship("Beneficiary")
    submission = db.relationship("ChangeSubmission", back_populates="events")

    @property
    def kind_enum(self) -> EventKind:
        """Kind as an enum."""
        return EventKind(self.kind)


class ChangeSubmission(db.Model):
    """A commune's list of changes for one month (danh sách biến động), submitted to the district, which accepts it
    or returns it with a reason. At most one open (draft or returned) per commune and month; after the 2025 reform
    a commune may also hold, for a month, the lists its old communes had already sent."""

    __tablename__ = "change_submission"
    __table_args__ = (db.Index("uq_change_submission_open_commune_month", "commune_code", "month", unique=True,
                               sqlite_where=db.text("status IN ('draft', 'returned')"),
                               postgresql_where=db.text("status IN ('draft', 'returned')")),)
    id = db.Column(db.Integer, primary_key=True)
    commune_code = db.Column(db.String(10), db.ForeignKey("administrative_unit.code"), nullable=False, index=True)
    month = db.Column(db.Date, nullable=False)
    status = db.Column(db.String(12), nullable=False, default=EventStatus.DRAFT.value)
    submitted_by_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    submitted_at = db.Column(db.DateTime(timezone=True))
    reviewed_by_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    reviewed_at = db.Column(db.DateTime(timezone=True))
    return_reason = db.Column(db.String(300))

    commune = db.relationship("AdministrativeUnit")
    events = db.relationship("RegistryEvent", back_populates="submission", order_by="RegistryEvent.id")
