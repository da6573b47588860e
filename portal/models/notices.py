"""Short messages to beneficiaries (tin nhắn thông báo): the consent each person gave (Law 91/2025/QH15 on personal
data: consent and its date recorded, withdrawable) and the outbox of messages (paid; not received; account needs
attention) with what was sent."""
from ..clock import utcnow
from ..extensions import db
from .enums import LabelledEnum


class NoticeKind(LabelledEnum):
    """What a message says."""

    PAID = "paid"
    NOT_RECEIVED = "not_received"
    ACCOUNT_ATTENTION = "account_attention"

    @property
    def label(self) -> str:
        """Vietnamese label."""
        return {"paid": "Đã chi trả", "not_received": "Chưa nhận được",
                "account_attention": "Tài khoản cần kiểm tra"}[self.value]


class NoticeConsent(db.Model):
    """The person's consent to receive messages at the phone number of the register: ``given_on`` (date), and
    ``withdrawn_on`` once withdrawn (a new consent opens a new row)."""

    __tablename__ = "notice_consent"
    id = db.Column(db.Integer, primary_key=True)
    beneficiary_id = db.Column(db.Integer, db.ForeignKey("beneficiary.id"), nullable=False, index=True)
    given_on = db.Column(db.Date, nullable=False)
    withdrawn_on = db.Column(db.Date)
    recorded_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False)

    beneficiary = db.relationship("Beneficiary")


class Notice(db.Model):
    """One message: ``text`` (with diacritics) and ``text_ascii`` (without), both ≤ 160 characters; ``phone_masked``
    the last digits only; ``status`` "queued", "sent" or "failed" (``error``); one message per person, kind and
    month (``payout_line_id`` the line it is about, when any)."""

    __tablename__ = "notice"
    __table_args__ = (db.UniqueConstraint("beneficiary_id", "kind", "month"),)
    id = db.Column(db.Integer, primary_key=True)
    beneficiary_id = db.Column(db.Integer, db.ForeignKey("beneficiary.id"), nullable=False, index=True)
    commune_code = db.Column(db.String(10), db.ForeignKey("administrative_unit.code"), nullable=False, index=True)
    kind = db.Column(db.String(20), nullable=False)
    month = db.Column(db.Date, nullable=False)
    payout_line_id = db.Column(db.Integer, db.ForeignKey("payout_line.id"))
    text = db.Column(db.String(160), nullable=False)
    text_ascii = db.Column(db.String(160), nullable=False)
    phone_masked = db.Column(db.String(15), nullable=False)
    status = db.Column(db.String(10), nullable=False, default="queued")
    sender = db.Column(db.String(20))
    error = db.Column(db.String(200))
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    sent_at = db.Column(db.DateTime(timezone=True))

    beneficiary = db.relationship("Beneficiary")

    @property
    def kind_label(self) -> str:
        """Vietnamese label of the kind."""
        return NoticeKind.label_of(self.kind)
