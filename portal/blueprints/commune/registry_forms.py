"""Forms of the commune register (biểu mẫu hồ sơ đối tượng, tải tệp Excel). They only carry what was typed; the rules
are in ``services.registry`` and its errors are attached back to the fields (status 422, values kept)."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from ...extensions import db
from ...models import CashAtHomeReason, Category, PaymentChannel, PaymentProvider
from ...services.registry import DISABILITY_LEVELS, FIELD_LABELS, GENDERS

_L = FIELD_LABELS


def _choices(pairs, empty="— Chọn —") -> list[SelectChoice]:
    return [SelectChoice("", empty)] + [SelectChoice(value, label) for value, label in pairs]


def _select(label, pairs):
    return SelectField(label, choices=_choices(pairs), validate_choice=False, default="")


class BeneficiaryForm(FlaskForm):
    """Hồ sơ đối tượng: identity, category (Art. 5), decision, payment channel (and reason for cash at home)."""

    full_name = StringField(_L["full_name"], validators=[DataRequired("Chưa nhập họ và tên.")])
    birth = StringField("Ngày sinh (ngày/tháng/năm, hoặc chỉ năm)")
    gender = _select(_L["gender"], GENDERS.items())
    national_id = StringField("Số định danh cá nhân (12 chữ số)")
    phone = StringField(_L["phone"])
    hamlet = StringField(_L["hamlet"])
    category_code = _select(_L["category_code"], [])
    disability_level = _select("Mức độ khuyết tật (chỉ diện K6)", DISABILITY_LEVELS.items())
    children_count = StringField("Số con đang nuôi (diện K4)", default="1")
    decision_number = StringField(_L["decision_number"])
    decision_date = StringField("Ngày quyết định (ngày/tháng/năm)")
    start_month = StringField("Hưởng từ tháng (MM/YYYY)")
    payment_channel = _select(_L["payment_channel"], [(c.value, c.label) for c in PaymentChannel])
    cash_at_home_reason = _select("Lý do nhận tại nhà (chỉ khi nhận tiền mặt tại nhà)",
                                  [(r.value, r.label) for r in CashAtHomeReason])
    cash_at_home_note = StringField("Ghi rõ lý do (khi chọn Lý do khác)")
    preferred_bank = _select(_L["preferred_bank"], [])
    guardian_name = StringField(_L["guardian_name"])
    guardian_relationship = StringField(_L["guardian_relationship"])
    guardian_phone = StringField(_L["guardian_phone"])
    note = TextAreaField(_L["note"])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
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
                {"birth_date": "birth", "birth_year": "birth"}.get(key, "full_name"))
            field.errors = list(field.errors or []) + [message]


class ImportForm(FlaskForm):
    """Tải lên danh sách đối tượng (.xlsx)."""

    file = FileField("Tệp danh sách đối tượng (.xlsx)", validators=[FileRequired("Chọn tệp Excel (.xlsx) để tải lên.")])
