"""Rates as data (mức chuẩn, hệ số): standard levels and coefficient rules with valid-from months and legal basis.
Never constants in code (Decree 20/2021 Art. 4 and 6; Decree 76/2024; Decree 335/2026)."""
from ..extensions import db


class StandardLevel(db.Model):
    """Mức chuẩn trợ giúp xã hội in integer đồng, valid from ``valid_from`` (first of month) until the next row."""

    __tablename__ = "standard_level"
    id = db.Column(db.Integer, primary_key=True)
    valid_from = db.Column(db.Date, nullable=False, unique=True)
    amount = db.Column(db.Integer, nullable=False)
    legal_basis = db.Column(db.String(200), nullable=False)


class CoefficientRule(db.Model):
    """Hệ số for a category (and K6 disability level) in an age band ``[age_from, age_to)`` in whole years
    (None = open), valid ``[valid_from, valid_to)``. ``per_child`` multiplies by the children raised (K4)."""

    __tablename__ = "coefficient_rule"
    id = db.Column(db.Integer, primary_key=True)
    category_code = db.Column(db.String(6), db.ForeignKey("category.code"), nullable=False, index=True)
    disability_level = db.Column(db.String(20))
    age_from = db.Column(db.Integer)
    age_to = db.Column(db.Integer)
    coefficient = db.Column(db.Numeric(4, 2), nullable=False)
    per_child = db.Column(db.Boolean, nullable=False, default=False)
    valid_from = db.Column(db.Date, nullable=False)
    valid_to = db.Column(db.Date)
    label = db.Column(db.String(120), nullable=False)
    legal_basis = db.Column(db.String(200), nullable=False)
