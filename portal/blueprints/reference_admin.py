"""Province reference data for imports (danh mục dùng khi nhập Excel): how clerks write each category
(cách ghi diện đối tượng) — list with search, add, delete; every change audited. Gated on the ``oversight`` duty
(Sở LĐTBXH); rules in ``services.import_synonyms``."""
from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..access import gate
from ..errors import PortalError
from ..extensions import db
from ..models import Duty
from ..rendering import render
from ..services import import_synonyms
from ..services.registry_rules import DISABILITY_LEVELS

bp = Blueprint("reference_admin", __name__, url_prefix="/tinh/danh-muc")
bp.before_request(gate(Duty.OVERSIGHT))


class SynonymForm(FlaskForm):
    """Thêm cách ghi: the wording, the category, and for K6 the disability level."""

    text = StringField("Cách ghi trong bảng tính", validators=[DataRequired("Chưa nhập cách ghi."),
                                                                Length(max=import_synonyms.MAX_TEXT)])
    category = SelectField("Diện đối tượng", validate_choice=False)
    level = SelectField("Mức độ khuyết tật (diện K6)",
                        choices=[SelectChoice("", "—")] + [SelectChoice(k, v) for k, v in DISABILITY_LEVELS.items()],
                        validate_choice=False)


class DeleteForm(FlaskForm):
    """Xoá một cách ghi (by its folded key)."""

    key = HiddenField()


def _page(form: SynonymForm, error: str | None = None, status: int = 200):
    form.category.choices = [SelectChoice("", "— chọn diện —")] + [
        SelectChoice(c.code, f"{c.code} – {c.name}") for c in import_synonyms.categories()]
    q = request.args.get("q", "").strip()
    return render("reference_admin/synonyms.html", block="results" if request.method == "GET" else None,
                  rows=import_synonyms.list_synonyms(q), q=q, form=form, error=error, status=status)


@bp.route("/")
def index():
    """Cách ghi diện đối tượng: the list (htmx search ``q`` returns the ``results`` block) and the add form."""
    return _page(SynonymForm())


@bp.route("/them", methods=["POST"])
def add():
    """Thêm cách ghi; a refused one re-renders the page with 422 keeping what was typed."""
    form = SynonymForm()
    if form.validate_on_submit():
        try:
            s = import_synonyms.add_synonym(current_user, form.text.data, form.category.data, form.level.data)
            db.session.commit()
            flash(f"Đã thêm cách ghi «{s.text}» → {s.category_code}.", "ok")
            return redirect(url_for("reference_admin.index"), 303)
        except PortalError as err:
            db.session.rollback()
            return _page(form, str(err), 422)
    return _page(form, None, 422)


@bp.route("/xoa", methods=["POST"])
def delete():
    """Xoá cách ghi (``key``: the folded wording)."""
    form = DeleteForm()
    try:
        import_synonyms.delete_synonym(current_user, form.key.data or "")
        db.session.commit()
        flash("Đã xoá cách ghi.", "ok")
    except PortalError as err:
        db.session.rollback()
        flash(str(err), "error")
    return redirect(url_for("reference_admin.index"), 303)
