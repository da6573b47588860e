"""Home visits recorded by the commune (lần thăm, kiểm tra đối tượng tại nhà): one of the signals that a
beneficiary was seen alive (``services.registry.life_signals``)."""
from ..clock import utcnow
from ..extensions import db


class HomeVisit(db.Model):
    """The commune saw ``beneficiary`` in person on ``visited_on`` (``note``: who visited, what was found)."""

    __tablename__ = "home_visit"
    id = db.Column(db.Integer, primary_key=True)
    beneficiary_id = db.Column(db.Integer, db.ForeignKey("beneficiary.id"), nullable=False, index=True)
    commune_code = db.Column(db.String(10), db.ForeignKey("administrative_unit.code"), nullable=False, index=True)
    visited_on = db.Column(db.Date, nullable=False)
    note = db.Column(db.String(300))
    recorded_by_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)

    beneficiary = db.relationship("Beneficiary")
