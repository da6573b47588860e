"""Payout lists (danh sách chi trả) per month, commune, channel and programme, and their lines. A person's monthly
allowance is paid once a month whatever the programme: the allowance line of either programme has line kind
``tcxh``, so ``uq_payout_line_beneficiary_id_programme_month`` on (beneficiary, line kind, month) lets no one be paid
by both social assistance and the social pension in one month."""
from ..clock import utcnow
from ..extensions import db
from .enums import LabelledEnum


class ListStatus(LabelledEnum):
    """States of a payout list; amounts are frozen from ``approved`` on (Decree 20/2021 Art. 34)."""

    DRAFT = "draft"
    CONFIRMED = "confirmed"      # the commune confirmed its list
    APPROVED = "approved"        # the district approver (not the preparer) signed it off
    ACCEPTED = "accepted"        # the post office took it
    REPORTED = "reported"        # results recorded for every line
    SETTLED = "settled"
    RETURNED = "returned"        # sent back for revision with a reason (commune, approver or post office)

    @property
    def label(self) -> str:
        """Vietnamese label."""
        return {
            "draft": "Dự thảo", "confirmed": "Xã đã xác nhận", "approved": "Đã phê duyệt",
            "accepted": "Bưu điện đã nhận", "reported": "Đã báo cáo kết quả", "settled": "Đã quyết toán",
            "returned": "Bị trả lại để sửa",
        }[self.value]

    @property
    def frozen(self) -> bool:
        """True once approved: lines and amounts no longer change (a returned list is open again)."""
        return self not in (ListStatus.DRAFT, ListStatus.CONFIRMED, ListStatus.RETURNED)


class ListChannel(LabelledEnum):
    """The three kinds of list: transfer to accounts, cash at a payout point, cash at home."""

    ACCOUNT = "account"
    CASH_AT_POINT = "cash_at_point"
    CASH_AT_HOME = "cash_at_home"

    @property
    def label(self) -> str:
        """Vietnamese label."""
        return {"account": "Chuyển khoản", "cash_at_point": "Tiền mặt tại điểm chi trả",
                "cash_at_home": "Tiền mặt tại nhà"}[self.value]


class LineResult(LabelledEnum):
    """What the post office reports for a line."""

    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"

    @property
    def label(self) -> str:
        """Vietnamese label."""
        return {"pending": "Chưa chi", "paid": "Đã chi", "failed": "Không chi được"}[self.value]


class Programme(LabelledEnum):
    """Chương trình: monthly social assistance (trợ cấp xã hội, Decree 20/2021) or the social pension (trợ cấp hưu
    trí xã hội, Luật BHXH 2024 and Decree 176/2025, since 07/2025), paid on separate lists of the same pipeline."""

    SOCIAL_ASSISTANCE = "social_assistance"
    SOCIAL_PENSION = "social_pension"

    @property
    def label(self) -> str:
        """Vietnamese label."""
        return {"social_assistance": "Trợ cấp xã hội", "social_pension": "Trợ cấp hưu trí xã hội"}[self.value]

    @property
    def short(self) -> str:
        """Short label for narrow columns: TCXH / HTXH."""
        return {"social_assistance": "TCXH", "social_pension": "HTXH"}[self.value]


class PayoutList(db.Model):
    """One list: ``month`` (first of month), commune, channel, ``programme`` (``Programme``). Control totals
    ``people_count`` and ``total_amount`` (integer đồng) are recomputed on every build and frozen with the list."""

    __tablename__ = "payout_list"
    __table_args__ = (db.UniqueConstraint("month", "commune_code", "channel", "programme", "sequence"),)
    id = db.Column(db.Integer, primary_key=True)
    month = db.Column(db.Date, nullable=False, index=True)
    #: 0 = the month's main list; 1, 2… = supplementary lists (danh sách bổ sung) of ``supplement_of``
    sequence = db.Column(db.Integer, nullable=False, default=0, server_default="0")
    supplement_of_id = db.Column(db.Integer, db.ForeignKey("payout_list.id"))
    return_reason = db.Column(db.String(300))
    returned_from = db.Column(db.String(12))
    returned_by_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    returned_at = db.Column(db.DateTime(timezone=True))
    accepted_by_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    accepted_at = db.Column(db.DateTime(timezone=True))
    reported_at = db.Column(db.DateTime(timezone=True))
    settled_by_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    settled_at = db.Column(db.DateTime(timezone=True))
    commune_code = db.Column(db.String(10), db.ForeignKey("administrative_unit.code"), nullable=False, index=True)
    channel = db.Column(db.String(20), nullable=False)
    programme = db.Column(db.String(20), nullable=False, default="social_assistance",
                          server_default="social_assistance")
    payout_office_id = db.Column(db.Integer, db.ForeignKey("organization.id"), nullable=False)
    post_office_id = db.Column(db.Integer, db.ForeignKey("organization.id"))
    status = db.Column(db.String(12), nullable=False, default=ListStatus.DRAFT.value)
    people_count = db.Column(db.Integer, nullable=False, default=0)
    total_amount = db.Column(db.BigInteger, nullable=False, default=0)
    prepared_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False)
    prepared_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    confirmed_by_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    confirmed_at = db.Column(db.DateTime(timezone=True))
    approved_by_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    approved_at = db.Column(db.DateTime(timezone=True))
    version = db.Column(db.Integer, nullable=False, default=1)
    #: control totals per kind of money (integer đồng), computed at build, frozen with the list
    regular_total = db.Column(db.BigInteger, nullable=False, default=0, server_default="0")
    top_up_total = db.Column(db.BigInteger, nullable=False, default=0, server_default="0")
    back_pay_total = db.Column(db.BigInteger, nullable=False, default=0, server_default="0")
    care_total = db.Column(db.BigInteger, nullable=False, default=0, server_default="0")
    funeral_total = db.Column(db.BigInteger, nullable=False, default=0, server_default="0")
    recovery_total = db.Column(db.BigInteger, nullable=False, default=0, server_default="0")  # shown, never netted
    fee_amount = db.Column(db.BigInteger, nullable=False, default=0, server_default="0")  # chi phí chi trả

    commune = db.relationship("AdministrativeUnit")
    payout_office = db.relationship("Organization", foreign_keys=[payout_office_id])
    post_office = db.relationship("Organization", foreign_keys=[post_office_id])
    prepared_by = db.relationship("User", foreign_keys=[prepared_by_id])
    confirmed_by = db.relationship("User", foreign_keys=[confirmed_by_id])
    approved_by = db.relationship("User", foreign_keys=[approved_by_id])
    returned_by = db.relationship("User", foreign_keys=[returned_by_id])
    accepted_by = db.relationship("User", foreign_keys=[accepted_by_id])
    settled_by = db.relationship("User", foreign_keys=[settled_by_id])
    supplement_of = db.relationship("PayoutList", remote_side=[id], foreign_keys=[supplement_of_id])
    lines = db.relationship("PayoutLine", back_populates="payout_list", order_by="PayoutLine.position",
                            cascade="all, delete-orphan")

    @property
    def status_enum(self) -> ListStatus:
        """Status as an enum."""
        return ListStatus(self.status)

    @property
    def channel_enum(self) -> ListChannel:
        """Channel as an enum."""
        return ListChannel(self.channel)

    @property
    def programme_enum(self) -> Programme:
        """Programme as an enum."""
        return Programme(self.programme)


class PayoutLine(db.Model):
    """One person × line kind × month on a list (``programme`` here is the kind of line: ``tcxh`` the person's
    monthly allowance under the list's programme, ``care`` care support, ``funeral`` funeral support, ``arrears``
    earlier months owed by the list's programme to a person the other programme pays now, ``reissue`` a failed
    payment paid again),
    with a snapshot of what is printed (name, ID, account) so the approved list does not change when the register
    does. Amounts in integer đồng."""

    __tablename__ = "payout_line"
    __table_args__ = (db.UniqueConstraint("beneficiary_id", "programme", "month"),)
    id = db.Column(db.Integer, primary_key=True)
    payout_list_id = db.Column(db.Integer, db.ForeignKey("payout_list.id"), nullable=False, index=True)
    beneficiary_id = db.Column(db.Integer, db.ForeignKey("beneficiary.id"), nullable=False, index=True)
    programme = db.Column(db.String(12), nullable=False, default="tcxh")
    #: why this programme pays the person (higher-of between social assistance and the social pension)
    programme_reason = db.Column(db.String(200))
    month = db.Column(db.Date, nullable=False)
    position = db.Column(db.Integer, nullable=False)
    full_name = db.Column(db.String(120), nullable=False)
    name_sort = db.Column(db.String(400), nullable=False)
    birth_display = db.Column(db.String(10), nullable=False)
    gender = db.Column(db.String(6), nullable=False)
    national_id = db.Column(db.String(12), nullable=False)
    hamlet = db.Column(db.String(120))
    category_code = db.Column(db.String(6), nullable=False)
    coefficient = db.Column(db.Numeric(5, 2), nullable=False)
    standard_level = db.Column(db.Integer, nullable=False)
    regular_amount = db.Column(db.Integer, nullable=False)
    back_pay = db.Column(db.Integer, nullable=False, default=0)
    top_up = db.Column(db.Integer, nullable=False, default=0, server_default="0")  # local top-up (HĐND tỉnh)
    care_support = db.Column(db.Integer, nullable=False, default=0, server_default="0")  # Art. 20, programme "care"
    funeral_support = db.Column(db.Integer, nullable=False, default=0, server_default="0")  # Art. 11, "funeral"
    #: money to recover (paid for months after death / loss of eligibility): shown, NOT subtracted from ``total``
    recovery = db.Column(db.Integer, nullable=False, default=0, server_default="0")
    #: [{"month": "2026-07", "kind": "rate_change"|"gap"|"held"|"recovery", "amount": 40000}, …] — months named
    back_pay_months = db.Column(db.JSON)
    payee_name = db.Column(db.String(120))  # who is paid on a care / funeral line (carer, burial organiser)
    payee_national_id = db.Column(db.String(12))
    payee_relationship = db.Column(db.String(60))
    total = db.Column(db.Integer, nullable=False)
    account_number = db.Column(db.String(19))
    provider_code = db.Column(db.String(20))
    holder_name = db.Column(db.String(120))
    result = db.Column(db.String(10), nullable=False, default=LineResult.PENDING.value)
    result_reason = db.Column(db.String(200))
    # closed list of why a line was not paid (services.payout_results.FAILURE_REASONS): "account" (closed / wrong
    # number / name mismatch: the account is invalidated), "absent", "deceased", "refused", "other"; None for
    # results recorded before the list existed (then the free-text reason is read).
    result_reason_code = db.Column(db.String(20))
    # a "deceased" report of the post office (báo đã chết) is resolved by the commune: death recorded, or the person
    # confirmed alive (then payment resumes); until then the person's next lines are held
    report_resolved_at = db.Column(db.DateTime(timezone=True))
    report_resolved_by_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    report_resolution = db.Column(db.String(200))
    paid_on = db.Column(db.Date)
    result_by_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    result_at = db.Column(db.DateTime(timezone=True))  # when the result was last recorded (carry-over of unpaid)

    payout_list = db.relationship("PayoutList", back_populates="lines")
    beneficiary = db.relationship("Beneficiary")

    @property
    def result_enum(self) -> LineResult:
        """Result as an enum."""
        return LineResult(self.result)
