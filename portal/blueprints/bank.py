"""Bank branch (chi nhánh ngân hàng) pages: beneficiaries to open accounts for, recording one opened account (htmx
row form, or a plain page without JavaScript), uploading the bank's spreadsheet (preview → confirm) and the
accounts this branch recorded. Gated on the ``account_opening`` duty; rows are loaded through ``portal.access``,
rules live in ``portal.services.accounts``. The category (diện đối tượng) is never shown here."""
from math import ceil

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.validators import ValidationError as FormError

from ..access import gate, get_visible_or_404
from ..clock import today_vn
from ..errors import AccessDenied, PortalError
from ..extensions import db
from ..models import Beneficiary, Duty
from ..rendering import render, wants_fragment
from ..services import accounts, registry
from ..spreadsheets.reading import parse_date

bp = Blueprint("bank", __name__, url_prefix="/ngan-hang")
bp.before_request(gate(Duty.ACCOUNT_OPENING))

PAGE_SIZE = 15  # keeps the htmx results fragment under 5 KB


def _service_check(check, field):
    """Run a service validation on a form field; its Vietnamese message becomes the field error."""
    try:
        return check(field.data)
    except PortalError as err:
        raise FormError(str(err)) from err


class OpenAccountForm(FlaskForm):
    """Ghi nhận mở tài khoản."""

    account_number = StringField("Số tài khoản", validators=[DataRequired("Nhập số tài khoản."),
                                                             Length(max=40, message="Số tài khoản quá dài.")],
                                 render_kw={"inputmode": "numeric", "autocomplete": "off"})
    opened_on = StringField("Ngày mở", validators=[DataRequired("Nhập ngày mở tài khoản.")],
                            render_kw={"type": "date"})
    holder_kind = SelectField("Chủ tài khoản", choices=[SelectChoice(k, v) for k, v in accounts.HOLDER_KINDS.items()],
                              validate_choice=False)  # checked by the service, in Vietnamese
    holder_name = StringField("Tên chủ tài khoản (như ngân hàng ghi)",
                              validators=[Length(max=120, message="Tên chủ tài khoản quá dài (tối đa 120 ký tự).")])

    def __init__(self, person: Beneficiary, **kwargs):
        super().__init__(**kwargs)
        self.person = person

    def validate_holder_kind(self, field):
        _service_check(accounts.check_holder_kind, field)

    def validate_holder_name(self, field):
        if self.holder_kind.data in accounts.HOLDER_KINDS:
            _service_check(lambda v: accounts.check_holder(self.person, self.holder_kind.data, v), field)

    def validate_account_number(self, field):
        _service_check(accounts.clean_account_number, field)

    def validate_opened_on(self, field):
        self.opened_date = _service_check(lambda v: accounts.check_opened_on(parse_date(v, "Ngày mở")), field)


class UploadForm(FlaskForm):
    """Tải lên danh sách tài khoản đã mở."""

    file = FileField("Tệp Excel của ngân hàng (.xlsx)", validators=[FileRequired("Chọn tệp .xlsx để tải lên.")])


def _pages(total: int) -> int:
    return max(1, ceil(total / PAGE_SIZE))


@bp.route("/")
def index():
    communes = accounts.covered_communes(current_user)
    commune = request.args.get("commune") if request.args.get("commune") in {c.code for c in communes} else None
    q, page = request.args.get("q", "").strip()[:60], max(1, request.args.get("page", 1, type=int))
    rows, total = registry.search_beneficiaries(accounts.pending_accounts(current_user, commune), q, page, PAGE_SIZE)
    names = {c.code: c.name for c in communes}
    return render("bank/index.html", block="results", rows=rows, total=total, page=page, pages=_pages(total), q=q,
                  commune=commune, communes=communes, commune_names=names)


@bp.route("/doi-tuong/<int:beneficiary_id>/mo-tai-khoan", methods=["GET", "POST"])
def open_account(beneficiary_id):
    person = get_visible_or_404(Beneficiary, beneficiary_id)
    defaults = {"opened_on": today_vn().isoformat(), "holder_name": accounts.default_holder_name(person)}
    form = OpenAccountForm(person, data=None if request.method == "POST" else defaults)
    error = None
    if person.active_account is not None and request.method == "GET":
        return render("bank/opened_row.html", block="row", person=person, account=person.active_account)
    if form.validate_on_submit():
        try:
            account = accounts.mark_opened(current_user, person, form.account_number.data, form.opened_date,
                                           form.holder_kind.data, form.holder_name.data)
        except PortalError as err:
            db.session.rollback()
            error = str(err)
        else:
            db.session.commit()
            if wants_fragment():
                return render("bank/opened_row.html", block="row", person=person, account=account)
            flash(f"Đã ghi nhận tài khoản {account.account_number} cho {person.full_name}.", "ok")
            return redirect(url_for("bank.index"))
    status = 422 if request.method == "POST" else 200
    return render("bank/open_account.html", block="form_row", person=person, form=form, error=error, status=status)


@bp.route("/tai-len", methods=["GET", "POST"])
def upload():
    form = UploadForm()
    if form.validate_on_submit():
        try:
            preview = accounts.preview_bank_file(current_user, form.file.data.filename, form.file.data.read())
        except PortalError as err:
            db.session.rollback()
            form.file.errors.append(str(err))
        else:
            db.session.commit()
            return redirect(url_for("bank.batch", batch_id=preview.batch_id))
    return render("bank/upload.html", form=form, status=422 if request.method == "POST" else 200)


@bp.route("/tai-len/<int:batch_id>")
def batch(batch_id):
    try:
        shown = accounts.batch_report(current_user, batch_id)
    except AccessDenied:
        abort(404)
    if shown.batch_status == "previewed":
        return render("bank/preview.html", preview=shown)
    return render("bank/batch_done.html", report=shown)


@bp.route("/tai-len/<int:batch_id>/ghi-nhan", methods=["POST"])
def commit(batch_id):
    try:
        summary = accounts.commit_bank_batch(current_user, batch_id)
    except AccessDenied:
        abort(404)
    except PortalError as err:
        db.session.rollback()
        flash(str(err), "error")
        return redirect(url_for("bank.batch", batch_id=batch_id))
    db.session.commit()
    flash(accounts.summary_text(summary), "ok")
    return redirect(url_for("bank.batch", batch_id=batch_id))


@bp.route("/tai-khoan")
def opened():
    page = max(1, request.args.get("page", 1, type=int))
    pagination = db.paginate(accounts.recorded_accounts(current_user), page=page, per_page=PAGE_SIZE,
                             error_out=False)
    return render("bank/accounts.html", block="results", pagination=pagination, page=page,
                  pages=max(1, pagination.pages))
