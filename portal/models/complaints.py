"""Complaints (phản ánh, kiến nghị) of a beneficiary or their family about a payment: tied to the person and to a
month or a payout line, received by the commune, the bank, the post office or the province, routed to the
organisation that can act, with a deadline in working days and a resolution that acts (plan §V.5–V.6)."""
from ..clock import utcnow
from ..extensions import db
from .enums import LabelledEnum


class ComplaintKind(LabelledEnum):
    """Closed list of what a complaint is about (loại phản ánh)."""

    NOT_RECEIVED = "not_received"
    SHORT_PAID = "short_paid"
    ACCOUNT = "account"
    CARD_PIN = "card_pin"
    AUTHORIZATION = "authorization"
    ELIGIBILITY = "eligibility"
    FEE_CHARGED = "fee_charged"
    FRAUD = "fraud"
    OTHER = "other"

    @property
    def label(self) -> str:
        """Vietnamese label."""
        return {
            "not_received": "Chưa nhận được tiền", "short_paid": "Nhận thiếu", "account": "Tài khoản",
            "card_pin": "Thẻ/mã PIN", "authorization": "Ủy quyền", "eligibility": "Điều kiện hưởng",
            "fee_charged": "Bị thu phí", "fraud": "Nghi gian lận", "other": "Khác",
        }[self.value]


class ComplaintChannel(LabelledEnum):
    """How the complaint came in (hình thức tiếp nhận)."""

    PHONE = "phone"
    IN_PERSON = "in_person"
    LETTER = "letter"

    @property
    def label(self) -> str:
        """Vietnamese label."""
        return {"phone": "Điện thoại", "in_person": "Trực tiếp", "letter": "Đơn, thư"}[self.value]


class ComplaintStatus(LabelledEnum):
    """open → resolving (an action was taken, its outcome awaited: e.g. a re-issued line not paid yet) → closed."""

    OPEN = "open"
    RESOLVING = "resolving"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        """Vietnamese label."""
        return {"open": "Đang xử lý", "resolving": "Đã xử lý, chờ kết quả", "closed": "Đã đóng"}[self.value]


class Resolution(LabelledEnum):
    """What was done (hướng giải quyết)."""

    REISSUED = "reissued"
    CHANNEL_CHANGED = "channel_changed"
    ACCOUNT_DISPUTED = "account_disputed"
    REFERRED_TO_BANK = "referred_to_bank"
    ANSWERED = "answered"

    @property
    def label(self) -> str:
        """Vietnamese label."""
        return {
            "reissued": "Chi lại trên danh sách bổ sung", "channel_changed": "Đổi hình thức chi trả",
            "account_disputed": "Khiếu nại tài khoản với ngân hàng", "referred_to_bank": "Chuyển ngân hàng xử lý",
            "answered": "Đã giải thích, trả lời",
        }[self.value]


class Complaint(db.Model):
    """One complaint. ``month`` is a first-of-month date (or None); ``payout_line_id`` the line it is about, when
    known; ``due_on`` the deadline (``received_on`` + the working days of the data file); ``reissue_line_id`` the
    line of the supplementary list that pays again; ``closed_on`` the day it was closed (days to close =
    ``closed_on − received_on``)."""

    __tablename__ = "complaint"
    id = db.Column(db.Integer, primary_key=True)
    beneficiary_id = db.Column(db.Integer, db.ForeignKey("beneficiary.id"), nullable=False, index=True)
    commune_code = db.Column(db.String(10), db.ForeignKey("administrative_unit.code"), nullable=False, index=True)
    month = db.Column(db.Date)
    payout_line_id = db.Column(db.Integer, db.ForeignKey("payout_line.id"))
    kind = db.Column(db.String(20), nullable=False)
    channel = db.Column(db.String(12), nullable=False)
    description = db.Column(db.String(1000), nullable=False)
    received_on = db.Column(db.Date, nullable=False)
    received_org_id = db.Column(db.Integer, db.ForeignKey("organization.id"), nullable=False, index=True)
    received_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False)
    assigned_org_id = db.Column(db.Integer, db.ForeignKey("organization.id"), nullable=False, index=True)
    due_on = db.Column(db.Date, nullable=False)
    status = db.Column(db.String(12), nullable=False, default=ComplaintStatus.OPEN.value)
    resolution = db.Column(db.String(20))
    resolution_note = db.Column(db.String(500))
    reissue_line_id = db.Column(db.Integer, db.ForeignKey("payout_line.id"))
    closed_on = db.Column(db.Date)
    closed_by_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)

    beneficiary = db.relationship("Beneficiary")
    commune = db.relationship("AdministrativeUnit")
    payout_line = db.relationship("PayoutLine", foreign_keys=[payout_line_id])
    reissue_line = db.relationship("PayoutLine", foreign_keys=[reissue_line_id])
    received_org = db.relationship("Organization", foreign_keys=[received_org_id])
    assigned_org = db.relationship("Organization", foreign_keys=[assigned_org_id])
    received_by = db.relationship("User", foreign_keys=[received_by_id])
    closed_by = db.relationship("User", foreign_keys=[closed_by_id])

    @property
    def kind_label(self) -> str:
        """Vietnamese label of the kind."""
        return ComplaintKind.label_of(self.kind)

    @property
    def status_label(self) -> str:
        """Vietnamese label of the status."""
        return ComplaintStatus.label_of(self.status)

    @property
    def channel_label(self) -> str:
        """Vietnamese label of how it came in."""
        return ComplaintChannel.label_of(self.channel)

    @property
    def resolution_label(self) -> str:
        """Vietnamese label of the resolution ("" when none)."""
        return Resolution.label_of(self.resolution) if self.resolution else ""

    @property
    def days_to_close(self) -> int | None:
        """Calendar days from receipt to closing, or None while open."""
        return (self.closed_on - self.received_on).days if self.closed_on else None
