"""Moves of the register by the 1/7/2025 reform of administrative units (sắp xếp đơn vị hành chính): which commune
each beneficiary was in and went to, so months before the reform stay with the old commune."""
from ..clock import utcnow
from ..extensions import db


class UnitTransfer(db.Model):
    """One beneficiary moved by the reform (chuyển theo sắp xếp đơn vị hành chính) from ``old_commune_code`` to
    ``new_commune_code`` from ``effective_month`` (first of month, 2025-07-01): the old commune paid the months
    before it, the new one pays from it. ``new_commune_code`` is None while the person waits for placement (the old
    commune was split among ``candidates``, a JSON list of unit keys); ``placed_by_id``/``placed_at`` record who
    placed them."""

    __tablename__ = "unit_transfer"
    __table_args__ = (db.UniqueConstraint("beneficiary_id", "effective_month", name="uq_unit_transfer_person_month"),)
    id = db.Column(db.Integer, primary_key=True)
    beneficiary_id = db.Column(db.Integer, db.ForeignKey("beneficiary.id"), nullable=False, index=True)
    effective_month = db.Column(db.Date, nullable=False)
    old_commune_code = db.Column(db.String(10), db.ForeignKey("administrative_unit.code"), nullable=False)
    new_commune_code = db.Column(db.String(10), db.ForeignKey("administrative_unit.code"), index=True)
    candidates = db.Column(db.JSON)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    placed_by_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    placed_at = db.Column(db.DateTime(timezone=True))

    beneficiary = db.relationship("Beneficiary")
