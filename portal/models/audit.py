"""Audit trail (nhật ký thao tác): every write leaves who, when, what, before and after."""
from ..clock import utcnow
from ..extensions import db


class AuditEvent(db.Model):
    """One change. ``object_type``/``object_id`` point at the changed row; ``summary`` is Vietnamese prose;
    ``before``/``after`` hold the changed fields as JSON (personal data included; shown only to who may see it)."""

    __tablename__ = "audit_event"
    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    organization_id = db.Column(db.Integer, db.ForeignKey("organization.id"))
    action = db.Column(db.String(40), nullable=False)
    object_type = db.Column(db.String(40), nullable=False)
    object_id = db.Column(db.Integer)
    summary = db.Column(db.String(500), nullable=False)
    before = db.Column(db.JSON)
    after = db.Column(db.JSON)

    user = db.relationship("User")

    __table_args__ = (db.Index("ix_audit_object", "object_type", "object_id"),)
