"""Authorizations (giấy ủy quyền): a beneficiary authorizes a proxy to receive the allowance and/or open an account,
certified by the commune (plan §III.4, §V.6). A proxy outside ``[valid_from, valid_to]`` is not accepted."""
from ..clock import utcnow
from ..extensions import db


class Authorization(db.Model):
    """One authorization letter. ``scope_receive``: may receive the allowance; ``scope_open_account``: may open an
    account on the beneficiary's behalf. ``valid_to`` None = open-ended. ``revoked_on`` ends it early."""

    __tablename__ = "authorization"
    id = db.Column(db.Integer, primary_key=True)
    beneficiary_id = db.Column(db.Integer, db.ForeignKey("beneficiary.id"), nullable=False, index=True)
    proxy_name = db.Column(db.String(120), nullable=False)
    proxy_national_id = db.Column(db.String(12), nullable=False)
    proxy_birth_year = db.Column(db.Integer)
    proxy_relationship = db.Column(db.String(60), nullable=False)
    proxy_phone = db.Column(db.String(15))
    proxy_address = db.Column(db.String(200))
    scope_receive = db.Column(db.Boolean, nullable=False, default=True)
    scope_open_account = db.Column(db.Boolean, nullable=False, default=False)
    valid_from = db.Column(db.Date, nullable=False)
    valid_to = db.Column(db.Date)
    certification_number = db.Column(db.String(60))
    certified_on = db.Column(db.Date)
    certified_by_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    revoked_on = db.Column(db.Date)
    note = db.Column(db.String(300))
    created_by_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)

    beneficiary = db.relationship("Beneficiary")

    def valid_on(self, day) -> bool:
        """True when certified, not revoked by ``day`` (revoked from ``revoked_on`` on) and ``day`` lies in the
        validity period."""
        return (self.certified_on is not None and (self.revoked_on is None or day < self.revoked_on)
                and self.valid_from <= day
                and (self.valid_to is None or day <= self.valid_to))
