"""Public status lookups (tra cứu tình trạng chi trả): one row per attempt, the audit of the public page. Neither the
ID nor the address is kept in clear: both are HMAC-SHA256 digests keyed with the app's secret key."""
from ..clock import utcnow
from ..extensions import db


class LookupAttempt(db.Model):
    """One lookup: ``outcome`` "found", "not_found" (unknown ID or wrong date of birth, told apart nowhere),
    "challenge_failed" or "throttled"; ``challenge_nonce`` the challenge answered with it (used once)."""

    __tablename__ = "lookup_attempt"
    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    address_hash = db.Column(db.String(64), nullable=False, index=True)
    id_hash = db.Column(db.String(64), index=True)
    outcome = db.Column(db.String(20), nullable=False)
    challenge_nonce = db.Column(db.String(32), unique=True)
