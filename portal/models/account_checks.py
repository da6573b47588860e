"""Account check before every transfer (kiểm tra, đối chiếu tài khoản trước khi chi trả, Công văn
5234/LĐTBXH-TT, 23/12/2022): one answer per account and month, from the bank's answer file or the police exchange
sheet, with a status from a closed list. An answer other than "hoạt động" takes the account out of the transfer
list until a later answer says it works again (``PaymentAccount.check_status``)."""
from ..clock import utcnow
from ..extensions import db
from .enums import LabelledEnum


class AccountCheckStatus(LabelledEnum):
    """Tình trạng tài khoản as the bank (or the police) answers it; only ``active`` lets a transfer go."""

    ACTIVE = "active"                      # hoạt động
    CLOSED = "closed"                      # đã đóng
    DORMANT = "dormant"                    # không hoạt động lâu ngày
    WRONG_HOLDER = "wrong_holder"          # sai tên chủ tài khoản
    DOCUMENT_EXPIRED = "document_expired"  # giấy tờ tùy thân hết hạn
    RESTRICTED = "restricted"              # bị hạn chế giao dịch
    HOLDER_DECEASED = "holder_deceased"    # chủ tài khoản đã chết

    @property
    def label(self) -> str:
        """Vietnamese label, as written in the check file."""
        return {"active": "Hoạt động", "closed": "Đã đóng", "dormant": "Không hoạt động lâu ngày",
                "wrong_holder": "Sai tên chủ tài khoản", "document_expired": "Giấy tờ tùy thân hết hạn",
                "restricted": "Bị hạn chế giao dịch", "holder_deceased": "Chủ tài khoản đã chết"}[self.value]

    @property
    def usable(self) -> bool:
        """True when a transfer may go to the account."""
        return self is AccountCheckStatus.ACTIVE


#: answers that stop transfers (every status but "active")
FAILING_CHECK_STATUSES = tuple(s.value for s in AccountCheckStatus if not s.usable)


class AccountCheck(db.Model):
    """One answer about one account for one payout ``month`` (first of month): ``status`` an
    ``AccountCheckStatus`` value, ``source`` "bank" (answer file) or "police" (exchange sheet), ``answered_on`` the
    day it was recorded. ``moved_to_cash``: the month's line moved to cash at the payout point because of it (False
    when the account works, or the month's list was already approved). One row per account and month: a later answer
    replaces the earlier one."""

    __tablename__ = "account_check"
    __table_args__ = (db.UniqueConstraint("account_id", "month"),)
    id = db.Column(db.Integer, primary_key=True)
    month = db.Column(db.Date, nullable=False, index=True)
    account_id = db.Column(db.Integer, db.ForeignKey("payment_account.id"), nullable=False)
    beneficiary_id = db.Column(db.Integer, db.ForeignKey("beneficiary.id"), nullable=False, index=True)
    commune_code = db.Column(db.String(10), db.ForeignKey("administrative_unit.code"), nullable=False, index=True)
    status = db.Column(db.String(20), nullable=False)
    source = db.Column(db.String(10), nullable=False, default="bank")
    answered_on = db.Column(db.Date, nullable=False)
    answered_by_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    moved_to_cash = db.Column(db.Boolean, nullable=False, default=False, server_default=db.false())
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)

    account = db.relationship("PaymentAccount")
    beneficiary = db.relationship("Beneficiary")

    @property
    def status_enum(self) -> AccountCheckStatus:
        """Status as an enum."""
        return AccountCheckStatus(self.status)
