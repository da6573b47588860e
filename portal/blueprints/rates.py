"""Province rates pages (quản lý mức chuẩn, hệ số, hỗ trợ thêm, chi phí chi trả) under /tinh/muc-chuan, gated on
``oversight``. Each form posts to one ``services.entitlement_admin`` function; a refused value re-renders the page
with 422 and what was typed. The rows and the audited history come from ``entitlement_admin.rates_overview``."""
from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice

from ..access import gate
from ..errors import ValidationError
from ..extensions import db
from ..formatting import money
from ..models import CoefficientRule, Duty, StandardLevel
from ..rendering import render
from ..services import entitlement_admin as admin

bp = Blueprint("rates", __name__, url_prefix="/tinh/muc-chuan")
bp.before_request(gate(Duty.OVERSIGHT))


class LevelForm(FlaskForm):
    """Thêm mức chuẩn."""

    valid_from = StringField("Áp dụng từ tháng (YYYY-MM)")
    amount = StringField("Mức chuẩn (đồng)")
    legal_basis = StringField("Căn cứ pháp lý")


class CoefficientForm(FlaskForm):
    """Hệ số mới cho một dòng hệ số."""

    rule_id = SelectField("Dòng hệ số", choices=[], validate_choice=False)
    coefficient = StringField("Hệ số mới")
    valid_from = StringField("Áp dụng từ tháng (YYYY-MM)")
    legal_basis = StringField("Căn cứ pháp lý")


class TopUpForm(FlaskForm):
    """Hỗ trợ thêm của tỉnh."""

    category_code = SelectField("Diện (để trống: mọi diện)", choices=[], validate_choice=False)
    amount = StringField("Số tiền/tháng (đồng)")
    valid_from = StringField("Từ tháng (YYYY-MM)")
    valid_to = StringField("Đến trước tháng (YYYY-MM, có thể để trống)")
    legal_basis = StringField("Căn cứ pháp lý")


class FeeForm(FlaskForm):
    """Chi phí chi trả."""

    valid_from = StringField("Áp dụng từ tháng (YYYY-MM)")
    per_beneficiary = StringField("Đồng/đối tượng/tháng")
    basis_points = StringField("Tỷ lệ trên số tiền chi trả (phần vạn, 50 = 0,5 %)")
    legal_basis = StringField("Căn cứ pháp lý")


def _page(status=200, **forms):
    forms = {"level": LevelForm(), "coef": CoefficientForm(), "top_up": TopUpForm(), "fee": FeeForm(), **forms}
    overview = admin.rates_overview()
    forms["top_up"].category_code.choices = [SelectChoice("", "Mọi diện")] + [
        SelectChoice(code, code) for code in sorted({r.category_code for r in overview.rules})]
    forms["coef"].rule_id.choices = [SelectChoice("", "— Chọn —")] + [
        SelectChoice(str(r.id), f"{r.category_code} {r.label} (hệ số {r.coefficient})") for r in overview.rules
        if r.valid_to is None]
    return render("rates/index.html", block="rates", o=overview, forms=forms, status=status)


def _save(name: str, form, call):
    """Run ``call(form)`` when the form validates; commit and redirect, or re-render with 422 and the error."""
    if form.validate_on_submit():
        try:
            message = call(form)
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("rates.index"))
        except ValidationError as err:
            db.session.rollback()
            field = getattr(form, getattr(err, "field", None) or "legal_basis", None) or form.legal_basis
            field.errors = list(field.errors) + [str(err)]
    return _page(422, **{name: form})


@bp.route("/")
def index():
    return _page()


@bp.route("/muc-chuan", methods=["POST"])
def add_level():
    def call(f):
        row = admin.add_standard_level(current_user, f.valid_from.data, f.amount.data, f.legal_basis.data)
        return f"Đã thêm mức chuẩn {money(row.amount)} đồng từ tháng {row.valid_from:%m/%Y}."
    return _save("level", LevelForm(), call)


@bp.route("/muc-chuan/<int:level_id>", methods=["POST"])
def edit_level(level_id: int):
    row = db.get_or_404(StandardLevel, level_id)
    form = LevelForm()
    return _save("level", form, lambda f: admin.update_standard_level(
        current_user, row, f.amount.data, f.legal_basis.data) and "Đã sửa mức chuẩn.")


@bp.route("/he-so", methods=["POST"])
def set_coefficient():
    form = CoefficientForm()
    rule = db.session.get(CoefficientRule, int(request.form.get("rule_id") or 0)) if (
        request.form.get("rule_id") or "").isdigit() else None
    if rule is None and form.is_submitted():
        form.rule_id.errors = ["Chọn dòng hệ số cần sửa."]
        return _page(422, coef=form)
    return _save("coef", form, lambda f: admin.set_coefficient(
        current_user, rule, f.coefficient.data, f.valid_from.data, f.legal_basis.data) and "Đã lưu hệ số mới.")


@bp.route("/ho-tro-them", methods=["POST"])
def add_top_up():
    return _save("top_up", TopUpForm(), lambda f: admin.add_top_up(
        current_user, f.category_code.data, f.amount.data, f.valid_from.data, f.valid_to.data,
        f.legal_basis.data) and "Đã thêm khoản hỗ trợ thêm của tỉnh.")


@bp.route("/chi-phi", methods=["POST"])
def add_fee():
    return _save("fee", FeeForm(), lambda f: admin.add_fee_rule(
        current_user, f.valid_from.data, f.per_beneficiary.data, f.basis_points.data, f.legal_basis.data)
        and "Đã thêm quy định chi phí chi trả.")
