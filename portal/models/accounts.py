"""Payment accounts (tài khoản nhận trợ cấp) opened by banks, and the list of providers with NAPAS BINs."""
from ..extensions import db
from .registry import utcnow


class PaymentProvider(db.Model):
    """A bank or e-wallet by its VietQR code (``VBA`` Agribank) with its NAPAS BIN (reference §6, list of 07/10/2026)."""

    __tablename__ = "payment_provider"
    code = db.Column(db.String(20), primary_key=True)
    name = db.Column(db.String(120), nullable=False)
    bin = db.Column(db.String(6))
    kind = db.Column(db.String(20), nullable=False, default="bank_account")


class PaymentAccount(db.Model):
    """An account that receives the allowance. ``account_number`` is text (digits, leading zeros kept, 6–19 long);
    ``holder_kind`` is ``self`` or ``guardian``. One active account per beneficiary."""

    __tablename__ = "payment_account"
    __table_args__ = (db.UniqueConstraint("provider_code", "account_number"),)
    id = db.Column(db.Integer, primary_key=True)
    beneficiary_id = db.Column(db.Integer, db.ForeignKey("beneficiary.id"), nullable=False, index=True)
    kind = db.Column(db.String(20), nullable=False, default="bank_account")
    provider_code = db.Column(db.String(20), db.ForeignKey("payment_provider.code"), nullable=False)
    account_number = db.Column(db.String(19), nullable=False)
    holder_kind = db.Column(db.String(10), nullable=False, default="self")
    holder_name = db.Column(db.String(120), nullable=False)
    opened_on = db.Column(db.Date)  # None when unknown (an account recorded from a commune list)
    opened_by_org_id = db.Column(db.Integer, db.ForeignKey("organization.id"))
    opened_by_user_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)

    beneficiary = db.relationship("Beneficiary", back_populates="accounts")
    provider = db.relationship("PaymentProvider")
