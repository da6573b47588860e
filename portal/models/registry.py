"""The register of beneficiaries (đối tượng bảo trợ xã hội, Decree 20/2021 Art. 5), their payment choice, and the
register's vocabulary: the coded values as enums carrying their Vietnamese labels (gender, status, disability
level, channel, cash-at-home reason) and the one table of field labels (``FIELD_LABELS``)."""
from ..clock import utcnow
from ..extensions import db
from .enums import LabelledEnum


class Gender(LabelledEnum):
    """Giới tính as stored in ``Beneficiary.gender``."""

    MALE = "male"
    FEMALE = "female"

    @property
    def label(self) -> str:
        """Nam / Nữ."""
        return {"male": "Nam", "female": "Nữ"}[self.value]


class BeneficiaryStatus(LabelledEnum):
    """Whether the allowance is paid (``Beneficiary.status``), changed only by accepted registry events."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    STOPPED = "stopped"

    @property
    def label(self) -> str:
        """Đang hưởng / Tạm dừng / Thôi hưởng."""
        return {"active": "Đang hưởng", "suspended": "Tạm dừng", "stopped": "Thôi hưởng"}[self.value]


class DisabilityLevel(LabelledEnum):
    """Mức độ khuyết tật of a K6 beneficiary (Decree 20/2021 Art. 6.1.đ)."""

    SEVERE = "severe"
    ESPECIALLY_SEVERE = "especially_severe"

    @property
    def label(self) -> str:
        """Nặng / Đặc biệt nặng."""
        return {"severe": "Nặng", "especially_severe": "Đặc biệt nặng"}[self.value]


class PaymentChannel(LabelledEnum):
    """Hình thức chi trả (reference §6): account kinds, or cash at a payout point / at home."""

    BANK_ACCOUNT = "bank_account"
    E_WALLET = "e_wallet"
    MOBILE_MONEY = "mobile_money"
    CASH_AT_POINT = "cash_at_point"
    CASH_AT_HOME = "cash_at_home"

    @property
    def label(self) -> str:
        """Vietnamese label."""
        return {
            "bank_account": "Tài khoản ngân hàng", "e_wallet": "Ví điện tử", "mobile_money": "Mobile Money",
            "cash_at_point": "Tiền mặt tại điểm chi trả", "cash_at_home": "Tiền mặt tại nhà",
        }[self.value]

    @property
    def is_account(self) -> bool:
        """True for the cashless channels (paid into an account)."""
        return self in (PaymentChannel.BANK_ACCOUNT, PaymentChannel.E_WALLET, PaymentChannel.MOBILE_MONEY)


#: the values of the cashless channels (for ``IN``)
ACCOUNT_CHANNELS = [c.value for c in PaymentChannel if c.is_account]


class CashAtHomeReason(LabelledEnum):
    """Closed list of reasons for cash at home (plan §III.4: special cases)."""

    BEDRIDDEN = "bedridden"
    VERY_OLD = "very_old"
    SEVERE_DISABILITY = "severe_disability"
    NO_PHONE = "no_phone"
    NO_PROXY = "no_proxy"
    OTHER = "other"

    @property
    def label(self) -> str:
        """Vietnamese label."""
        return {
            "bedridden": "Nằm liệt giường", "very_old": "Tuổi cao, sức yếu",
            "severe_disability": "Khuyết tật nặng, không tự đi lại", "no_phone": "Không có điện thoại",
            "no_proxy": "Không có người nhận thay", "other": "Lý do khác",
        }[self.value]


class Category(db.Model):
    """Diện đối tượng under Decree 20/2021 Art. 5 (K1…K8 with K5a–K5d). ``sensitive`` marks HIV categories, never
    shown outside commune and district staff (Art. 8.1.b spirit)."""

    __tablename__ = "category"
    code = db.Column(db.String(6), primary_key=True)
    name = db.Column(db.String(200), nullable=False)
    legal_ref = db.Column(db.String(60), nullable=False)
    sensitive = db.Column(db.Boolean, nullable=False, default=False)
    valid_to = db.Column(db.Date)  # K5b/K5c ended 30/6/2025


class CategorySynonym(db.Model):
    """How clerks write a category in spreadsheets, folded (see ``identity.fold``), mapped to a category and, for
    K6, a disability level. Editable by the province."""

    __tablename__ = "category_synonym"
    text_fold = db.Column(db.String(200), primary_key=True)
    category_code = db.Column(db.String(6), db.ForeignKey("category.code"), nullable=False)
    disability_level = db.Column(db.String(20))  # "severe" | "especially_severe" | None
    text = db.Column(db.String(200))  # the wording as entered (NFC), for the province's list; None for old rows


class Beneficiary(db.Model):
    """One registered beneficiary of one commune. ``national_id`` (số định danh cá nhân, 12 digits) is unique in the
    province; ``name_fold`` is the diacritic-free search key and ``name_sort`` the Vietnamese sort key. A birth date
    known only by year has ``birth_date`` None and ``birth_year`` set. ``start_month`` is a first-of-month date."""

    __tablename__ = "beneficiary"
    id = db.Column(db.Integer, primary_key=True)
    commune_code = db.Column(db.String(10), db.ForeignKey("administrative_unit.code"), nullable=False, index=True)
    full_name = db.Column(db.String(120), nullable=False)
    name_fold = db.Column(db.String(120), nullable=False, index=True)
    name_sort = db.Column(db.String(400), nullable=False, index=True)
    birth_date = db.Column(db.Date)
    birth_year = db.Column(db.Integer, nullable=False)
    gender = db.Column(db.String(6), nullable=False)  # "male" | "female"
    national_id = db.Column(db.String(12), nullable=False, unique=True)
    phone = db.Column(db.String(15))
    hamlet = db.Column(db.String(120))
    hamlet_id = db.Column(db.Integer, db.ForeignKey("hamlet.id"), index=True)  # the commune's list; text kept too
    legacy_id_number = db.Column(db.String(12))  # số CMND cũ (9 digits, or 12 of 2012–2016), for old records
    id_warning_override_reason = db.Column(db.String(300))  # why the clerk saved despite soft ID warnings
    category_override_reason = db.Column(db.String(300))  # why the clerk saved a category outside its age band
    disability_certified_month = db.Column(db.Date)  # K6: month of the disability certificate (first of month)
    category_code = db.Column(db.String(6), db.ForeignKey("category.code"), nullable=False)
    disability_level = db.Column(db.String(20))
    children_count = db.Column(db.Integer, nullable=False, default=1)  # K4: coefficient 1,0 per child
    decision_number = db.Column(db.String(60))
    decision_date = db.Column(db.Date)
    start_month = db.Column(db.Date, nullable=False)
    #: hộ nghèo / cận nghèo: ``poor`` | ``near_poor`` | None (social pension from 70, Decree 176/2025 Art. 3)
    household_poverty = db.Column(db.String(10))
    #: has a pension or a monthly social-insurance benefit (lương hưu, trợ cấp BHXH hằng tháng): no social pension
    receives_pension = db.Column(db.Boolean, nullable=False, default=False, server_default=db.false())
    #: first month of the social pension by the commune chairman's decision on a request (Mẫu 01); None = none
    pension_from = db.Column(db.Date)
    status = db.Column(db.String(12), nullable=False, default="active")  # active | suspended | stopped
    payment_channel = db.Column(db.String(20), nullable=False, default=PaymentChannel.CASH_AT_POINT.value)
    cash_at_home_reason = db.Column(db.String(20))
    cash_at_home_note = db.Column(db.String(200))
    preferred_bank = db.Column(db.String(60))
    guardian_name = db.Column(db.String(120))
    guardian_national_id = db.Column(db.String(12))
    guardian_relationship = db.Column(db.String(60))
    guardian_phone = db.Column(db.String(15))
    note = db.Column(db.String(300))
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)

    commune = db.relationship("AdministrativeUnit")
    category = db.relationship("Category")
    accounts = db.relationship("PaymentAccount", back_populates="beneficiary", order_by="PaymentAccount.id")

    @property
    def birth_display(self) -> str:
        """dd/mm/yyyy, or yyyy when only the year is known."""
        return self.birth_date.strftime("%d/%m/%Y") if self.birth_date else str(self.birth_year)

    @property
    def status_label(self) -> str:
        """Đang hưởng / Tạm dừng / Thôi hưởng (``BeneficiaryStatus``)."""
        return BeneficiaryStatus.label_of(self.status)

    @property
    def gender_label(self) -> str:
        """Nam / Nữ (``Gender``)."""
        return Gender.label_of(self.gender)

    @property
    def disability_level_label(self) -> str | None:
        """Nặng / Đặc biệt nặng (``DisabilityLevel``), None without a level."""
        return DisabilityLevel.label_of(self.disability_level)

    @property
    def channel(self) -> PaymentChannel:
        """The chosen payment channel as an enum."""
        return PaymentChannel(self.payment_channel)

    @property
    def active_account(self):
        """The active payment account, or None."""
        return next((a for a in self.accounts if a.active), None)


#: THE table of beneficiary field labels: field → Vietnamese label, for form labels, audit details, error messages
#: and the change log (``formatting.field_label``); ``birth`` is the birth date as typed (date or year).
FIELD_LABELS = {
    "full_name": "Họ và tên", "birth": "Ngày sinh", "birth_date": "Ngày sinh", "birth_year": "Năm sinh",
    "gender": "Giới tính", "national_id": "Số định danh cá nhân", "phone": "Số điện thoại", "hamlet": "Khóm/Ấp",
    "category_code": "Diện đối tượng", "disability_level": "Mức độ khuyết tật", "children_count": "Số con đang nuôi",
    "decision_number": "Số quyết định hưởng", "decision_date": "Ngày quyết định", "start_month": "Hưởng từ tháng",
    "payment_channel": "Hình thức nhận", "cash_at_home_reason": "Lý do nhận tại nhà",
    "cash_at_home_note": "Ghi rõ lý do", "preferred_bank": "Ngân hàng mong muốn",
    "guardian_name": "Người giám hộ / nhận thay", "guardian_relationship": "Quan hệ",
    "guardian_phone": "Điện thoại người giám hộ", "note": "Ghi chú",
    "hamlet_id": "Mã khóm/ấp", "legacy_id_number": "Số CMND cũ", "guardian_national_id": "Số định danh người giám hộ",
    "disability_certified_month": "Tháng xác nhận khuyết tật",
    "id_warning_override_reason": "Lý do vẫn lưu dù số định danh chưa khớp",
    "category_override_reason": "Lý do vẫn lưu dù diện không khớp tuổi",
    "disability_age_group": "Nhóm tuổi người khuyết tật",
    "household_poverty": "Hộ nghèo / cận nghèo", "receives_pension": "Có lương hưu / trợ cấp BHXH hằng tháng",
    "pension_from": "Hưởng trợ cấp hưu trí xã hội từ tháng",
}


class HouseholdPoverty(LabelledEnum):
    """Hộ nghèo / hộ cận nghèo as stored in ``Beneficiary.household_poverty``."""

    POOR = "poor"
    NEAR_POOR = "near_poor"

    @property
    def label(self) -> str:
        """Hộ nghèo / Hộ cận nghèo."""
        return {"poor": "Hộ nghèo", "near_poor": "Hộ cận nghèo"}[self.value]
