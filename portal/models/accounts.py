"""Payment accounts (tài khoản nhận trợ cấp) opened by banks, the list of providers with NAPAS BINs, and the
payout-point sessions (buổi mở tài khoản tại điểm chi trả) where bank staff record them."""
from datetime import date

from ..clock import today_vn, utcnow
from ..extensions import db

#: fee waivers the plan requires a bank to grant (KH 2587/KH-SLĐTBXH §V.6): column → Vietnamese label
FEE_WAIVERS = {
    "waive_account_fee": "Miễn phí quản lý tài khoản",
    "waive_balance_sms": "Miễn phí SMS biến động số dư",
    "waive_otp_sms": "Miễn phí SMS xác thực giao dịch (OTP)",
    "waive_card_fees": "Miễn phí phát hành và phí thường niên thẻ",
    "waive_own_atm": "Miễn phí rút tiền tại ATM của ngân hàng",
}

#: safety flags (cảnh báo) that stop an account from paying until the district clears them
ACCOUNT_FLAGS = {
    "duplicate_number": "Số tài khoản trùng với đối tượng khác",
    "holder_mismatch": "Tên chủ tài khoản không khớp",
    "not_active": "Đối tượng đã chết, thôi hưởng hoặc dừng hưởng",
    "outside_coverage": "Ngoài địa bàn phụ trách của ngân hàng",
}

#: identity documents an account is opened on (giấy tờ tùy thân mở tài khoản). Every CMND (9 or 12 digits) stopped
#: being valid on 31/12/2024 (Luật Căn cước 2023 Art. 46.1): ``CMND_LAST_VALID_DAY``
ID_DOCUMENT_KINDS = {"cmnd9": "CMND 9 số", "cmnd12": "CMND 12 số", "cccd": "CCCD / Căn cước", "passport": "Hộ chiếu"}
CMND_LAST_VALID_DAY = date(2024, 12, 31)


def effective_expiry(kind: str | None, expiry: date | None) -> date | None:
    """The last day an identity document lets an account trade: a CMND's own expiry but never after 31/12/2024; a
    CCCD's or passport's ``expiry``; None when unknown (no kind, or no date for a CCCD/passport)."""
    if kind in ("cmnd9", "cmnd12"):
        return min(expiry, CMND_LAST_VALID_DAY) if expiry else CMND_LAST_VALID_DAY
    return expiry

#: account states: active (in use), invalid (a transfer failed because of the account), disputed (the commune
#: disputed it), replaced
ACCOUNT_STATUS = {"active": "Đang dùng", "invalid": "Không hợp lệ (chuyển khoản lỗi)", "disputed": "Xã khiếu nại",
                  "replaced": "Đã thay"}


class PaymentProvider(db.Model):
    """A bank or e-wallet by its VietQR code (``VBA`` Agribank) with its NAPAS BIN (reference §6, list of
    07/10/2026)."""

    __tablename__ = "payment_provider"
    code = db.Column(db.String(20), primary_key=True)
    name = db.Column(db.String(120), nullable=False)
    bin = db.Column(db.String(6))
    kind = db.Column(db.String(20), nullable=False, default="bank_account")


class PaymentAccount(db.Model):
    """An account that receives the allowance. ``account_number`` is text (digits, leading zeros kept, 6–19 long);
    ``holder_kind`` is ``self``, ``guardian`` or ``proxy`` (with ``authorization_id``). One active account per
    beneficiary. A (provider, number) pair shared by two beneficiaries is allowed but flagged (``flags`` holds
    ``ACCOUNT_FLAGS`` keys, comma-separated) unless the same guardian holds both; a flagged account pays only once
    the district clears it (``flags_cleared_at``). ``status``: ``ACCOUNT_STATUS``; ``active`` is False for every
    status but ``active``."""

    __tablename__ = "payment_account"
    __table_args__ = (db.Index("ix_payment_account_number", "provider_code", "account_number"),)
    id = db.Column(db.Integer, primary_key=True)
    beneficiary_id = db.Column(db.Integer, db.ForeignKey("beneficiary.id"), nullable=False, index=True)
    kind = db.Column(db.String(20), nullable=False, default="bank_account")
    provider_code = db.Column(db.String(20), db.ForeignKey("payment_provider.code"), nullable=False)
    account_number = db.Column(db.String(19), nullable=False)
    holder_kind = db.Column(db.String(10), nullable=False, default="self")
    holder_name = db.Column(db.String(120), nullable=False)
    holder_national_id = db.Column(db.String(12))  # guardian / proxy ID, to tell "same guardian" apart
    authorization_id = db.Column(db.Integer, db.ForeignKey("authorization.id"))
    opened_on = db.Column(db.Date)  # None when unknown (an account recorded from a commune list)
    opened_by_org_id = db.Column(db.Integer, db.ForeignKey("organization.id"))
    opened_by_user_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    session_id = db.Column(db.Integer, db.ForeignKey("payout_point_session.id"), index=True)
    card_issued = db.Column(db.Boolean, nullable=False, default=False, server_default=db.false())
    waive_account_fee = db.Column(db.Boolean, nullable=False, default=False, server_default=db.false())
    waive_balance_sms = db.Column(db.Boolean, nullable=False, default=False, server_default=db.false())
    waive_otp_sms = db.Column(db.Boolean, nullable=False, default=False, server_default=db.false())
    waive_card_fees = db.Column(db.Boolean, nullable=False, default=False, server_default=db.false())
    waive_own_atm = db.Column(db.Boolean, nullable=False, default=False, server_default=db.false())
    active = db.Column(db.Boolean, nullable=False, default=True)
    status = db.Column(db.String(10), nullable=False, default="active", server_default="active")
    status_reason = db.Column(db.String(300))  # why invalid / disputed
    status_changed_at = db.Column(db.DateTime(timezone=True))
    previous_channel = db.Column(db.String(20))  # the channel a disputed account's owner went back to
    flags = db.Column(db.String(200), nullable=False, default="", server_default="")
    flag_details = db.Column(db.String(600))
    flags_cleared_at = db.Column(db.DateTime(timezone=True))
    flags_cleared_by_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    flags_clear_reason = db.Column(db.String(300))
    #: the last account-check answer (``AccountCheckStatus`` value; None: never checked) and its payout month: any
    #: answer but "active" keeps transfers away until a later answer says it works (Công văn 5234/LĐTBXH-TT, 23/12/2022)
    check_status = db.Column(db.String(20))
    check_month = db.Column(db.Date)
    #: identity document the account was opened on (``ID_DOCUMENT_KINDS``) and its expiry, of the holder
    #: (``holder_kind``: the beneficiary, guardian or proxy); None when the bank did not say
    id_document_kind = db.Column(db.String(10))
    id_document_expiry = db.Column(db.Date)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)

    beneficiary = db.relationship("Beneficiary", back_populates="accounts")
    provider = db.relationship("PaymentProvider")
    opened_by_org = db.relationship("Organization", foreign_keys=[opened_by_org_id])

    @property
    def flag_set(self) -> list[str]:
        """The flags as a list of ``ACCOUNT_FLAGS`` keys."""
        return [f for f in (self.flags or "").split(",") if f]

    @property
    def flag_labels(self) -> list[str]:
        """Vietnamese labels of the flags."""
        return [ACCOUNT_FLAGS.get(f, f) for f in self.flag_set]

    @property
    def blocked(self) -> bool:
        """True while a flag is not cleared by the district: the account does not pay."""
        return bool(self.flag_set) and self.flags_cleared_at is None

    @property
    def check_failed(self) -> bool:
        """True while the last account-check answer is anything but "hoạt động"."""
        return self.check_status is not None and self.check_status != "active"

    @property
    def document_end(self) -> date | None:
        """The last day the holder's identity document lets the account trade (``effective_expiry``), or None."""
        return effective_expiry(self.id_document_kind, self.id_document_expiry)

    @property
    def document_expired(self) -> bool:
        """True when the holder's recorded identity document has expired (Vietnam today): the bank blocks every
        transaction, counter included."""
        end = self.document_end
        return end is not None and end < today_vn()

    @property
    def payable(self) -> bool:
        """True when transfers may go to this account: active, not blocked by a flag, not failed at the last
        account check, and the holder's recorded identity document not expired."""
        return self.active and not self.blocked and not self.check_failed and not self.document_expired

    @property
    def waivers(self) -> list[str]:
        """Labels of the fee waivers the bank granted on this account."""
        return [label for col, label in FEE_WAIVERS.items() if getattr(self, col)]


class PayoutPointSession(db.Model):
    """Buổi làm việc tại điểm chi trả: a bank's staff open accounts on ``session_date`` at a place (``place_kind``
    commune_office | post_office | hamlet_office, ``place_name``) of one commune; ``hamlet`` narrows the people
    expected to one khóm/ấp; ``staff_present`` names the bank staff there."""

    __tablename__ = "payout_point_session"
    id = db.Column(db.Integer, primary_key=True)
    bank_id = db.Column(db.Integer, db.ForeignKey("organization.id"), nullable=False, index=True)
    commune_code = db.Column(db.String(10), db.ForeignKey("administrative_unit.code"), nullable=False, index=True)
    session_date = db.Column(db.Date, nullable=False)
    place_kind = db.Column(db.String(20), nullable=False)
    place_name = db.Column(db.String(200), nullable=False)
    hamlet = db.Column(db.String(120))
    staff_present = db.Column(db.String(300), nullable=False)
    created_by_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)

    commune = db.relationship("AdministrativeUnit")
    bank = db.relationship("Organization")
