"""Forms of the commune register (biểu mẫu hồ sơ đối tượng, tải tệp Excel). They only carry what was typed; the rules
are in ``services.registry`` and its errors are attached back to the fields (status 422, values kept)."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from ...extensions import db
from ...models import (
    CashAtHomeReason,
    Category,
    DisabilityLevel,
    Gender,
    HouseholdPoverty,
    PaymentChannel,
    PaymentProvider,
)
from ...models.registry import FIELD_LABELS
from ...services.registry.fields import DISABILITY_AGE_GROUPS
from ...services.registry.hamlets import hamlets_for

_L = FIELD_LABELS


def _choices(pairs, empty="— Chọn —") -> list[SelectChoice]:
    return [SelectChoice("", empty)] + [SelectChoice(value, label) for value, label in pairs]


def _select(label, pairs):
    return SelectField(label, choices=_choices(pairs), validate_choice=False, default="")


class BeneficiaryForm(FlaskForm):
    """Hồ sơ đối tượng: identity, category (Art. 5), decision, the social pension's conditions (pension or monthly
    social-insurance benefit, poor / near-poor household), payment channel (and reason for cash at home)."""

    full_name = StringField(_L["full_name"])  # required: checked by the service with every other field
    birth = StringField("Ngày sinh (ngày/tháng/năm, hoặc chỉ năm)")
    gender = _select(_L["gender"], Gender.choices())
    national_id = StringField("Số định danh cá nhân (12 chữ số; trẻ dưới 14 tuổi có số dù chưa có thẻ)")
    id_warning_override_reason = StringField(_L["id_warning_override_reason"])
    legacy_id_number = StringField("Số CMND cũ (9 chữ số, nếu có)")
    phone = StringField(_L["phone"] + " (di động hoặc cố định)")
    hamlet_id = _select(_L["hamlet"], [])
    category_code = _select(_L["category_code"], [])
    category_override_reason = StringField(_L["category_override_reason"])
    disability_level = _select("Mức độ khuyết tật (chỉ diện K6)", DisabilityLevel.choices())
    disability_age_group = _select("Nhóm tuổi (diện K6)", [(k, v[2]) for k, v in DISABILITY_AGE_GROUPS.items()])
    disability_certified_month = StringField("Tháng xác nhận khuyết tật (MM/YYYY, diện K6)")
    children_count = StringField("Số con đang nuôi (diện K4)", default="1")
    decision_number = StringField(_L["decision_number"])
    decision_date = StringField("Ngày quyết định (ngày/tháng/năm)")
    start_month = StringField("Hưởng từ tháng (MM/YYYY)")
    #: the social pension (Luật BHXH 2024 Art. 21; Decree 176/2025): read by its eligibility
    receives_pension = BooleanField("Đang hưởng lương hưu hoặc trợ cấp BHXH hằng tháng")
    household_poverty = SelectField("Hộ nghèo / cận nghèo (người từ đủ 70 đến dưới 75 tuổi)",
                                    choices=_choices(HouseholdPoverty.choices(), "— Không —"), validate_choice=False,
                                    default="")
    payment_channel = _select(_L["payment_channel"], [(c.value, c.label) for c in PaymentChannel])
    cash_at_home_reason = _select("Lý do nhận tại nhà (chỉ khi nhận tiền mặt tại nhà)",
                                  [(r.value, r.label) for r in CashAtHomeReason])
    cash_at_home_note = StringField("Ghi rõ lý do (khi chọn Lý do khác)")
    preferred_bank = _select(_L["preferred_bank"], [])
    guardian_name = StringField(_L["guardian_name"])
    guardian_national_id = StringField("Số định danh người giám hộ / nhận thay")
    guardian_relationship = StringField(_L["guardian_relationship"])
    guardian_phone = StringField(_L["guardian_phone"])
    note = TextAreaField(_L["note"])

    def __init__(self, *args, commune_code: str | None = None, keep_hamlet_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.hamlet_id.choices = _choices(
            (str(h.id), h.name if h.active else f"{h.name} (ngừng dùng)")
            for h in (hamlets_for(commune_code, keep_id=keep_hamlet_id) if commune_code else []))
        self.category_code.choices = _choices(
            (c.code, f"{c.code} – {c.name}") for c in db.session.execute(select(Category).order_by(Category.code))
            .scalars())
        self.preferred_bank.choices = _choices(
            ((p.code, p.name) for p in db.session.execute(select(PaymentProvider).where(
                PaymentProvider.kind == "bank_account").order_by(PaymentProvider.name)).scalars()), "— Không —")

    def values(self) -> dict:
        """Raw values for ``services.registry`` (everything but the CSRF token)."""
        return {name: f.data for name, f in self._fields.items() if name != "csrf_token"}

    def attach(self, errors: dict[str, str]) -> None:
        """Show service errors under their fields (unknown keys under the name field)."""
        for key, message in errors.items():
            field = self._fields.get(key) or self._fields.get(
                {"birth_date": "birth", "birth_year": "birth", "hamlet": "hamlet_id"}.get(key, "full_name"))
            field.errors = list(field.errors or []) + [message]


class ImportForm(FlaskForm):
    """Tải lên danh sách đối tượng (.xlsx, .xls, .ods)."""

    file = FileField("Tệp danh sách đối tượng (.xlsx, .xls, .ods)",
                     validators=[FileRequired("Chọn tệp bảng tính (.xlsx, .xls hoặc .ods) để tải lên.")])
