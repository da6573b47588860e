"""Hamlets (khóm / ấp / tổ): the residential units inside a commune, kept by the commune itself and chosen from a list
on the intake form (so "Khóm Mỹ Thới 1" is never also typed "KMT1" or "Mỹ Thới I")."""
from ..clock import utcnow
from ..extensions import db


class Hamlet(db.Model):
    """One khóm/ấp of a commune. ``name_fold`` (see ``identity.fold``) is unique per commune, so "Ấp Tân Hòa" and
    "Ấp Tân Hoà" are the same hamlet; ``name_sort`` is the Vietnamese sort key. A hamlet is never deleted while people
    live there: ``active=False`` takes it off the form's list."""

    __tablename__ = "hamlet"
    __table_args__ = (db.UniqueConstraint("commune_code", "name_fold", name="uq_hamlet_commune_name"),)
    id = db.Column(db.Integer, primary_key=True)
    commune_code = db.Column(db.String(10), db.ForeignKey("administrative_unit.code"), nullable=False, index=True)
    name = db.Column(db.String(120), nullable=False)
    name_fold = db.Column(db.String(120), nullable=False)
    name_sort = db.Column(db.String(400), nullable=False)
    active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
