"""Bank branch (chi nhánh ngân hàng) pages: beneficiaries to open accounts for, recording one opened account (htmx
row form, or a plain page without JavaScript), uploading the bank's spreadsheet (preview → confirm), the
accounts this branch recorded, its coverage (địa bàn phụ trách: request, see the province's decision) and
payout-point sessions (a phone-sized list of the people expected, one short form each). Gated on the
``account_opening`` duty; rows are loaded through ``portal.access``, rules live in ``portal.services.accounts``. The
category (diện đối tượng) is never shown here."""
from math import ceil

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.validators import ValidationError as FormError
from wtforms.widgets import CheckboxInput, ListWidget

from ..access import gate, get_visible_or_404, visible
from ..clock import today_vn
from ..errors import AccessDenied, PortalError
from ..extensions import db
from ..models import Beneficiary, Duty, PaymentProvider, PayoutPointSession
from ..models.accounts import FEE_WAIVERS
from ..rendering import render, wants_fragment
from ..services.accounts import bank_import, coverage, payout_points
from ..services.accounts import opening as accounts
from ..services.registry import beneficiaries as registry
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
    kind = SelectField("Loại tài khoản", choices=[SelectChoice(k, v) for k, v in accounts.ACCOUNT_KINDS.items()],
                       validate_choice=False)
    provider_code = SelectField("Ngân hàng / đơn vị (mã BIN NAPAS)", validate_choice=False)
    card_issued = BooleanField("Đã phát hành thẻ")
    waivers = SelectMultipleField("Ưu đãi ngân hàng cam kết",
                                  choices=[SelectChoice(k, v) for k, v in FEE_WAIVERS.items()],
                                  validate_choice=False, option_widget=CheckboxInput(),
                                  widget=ListWidget(prefix_label=False))

    def __init__(self, person: Beneficiary, **kwargs):
        super().__init__(**kwargs)
        self.person = person
        self.provider_code.choices = [SelectChoice(p.code, f"{p.name} ({p.bin})" if p.bin else p.name)
                                      for p in db.session.execute(db.select(PaymentProvider).where(
                                          PaymentProvider.code == current_user.organization.provider_code)).scalars()]

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


def _account_defaults(person: Beneficiary, point: PayoutPointSession | None = None) -> dict:
    """Initial values of the account form. "Ngày mở" is the payout-point session's date when recording within a
    session (``point``; never later than today, which ``accounts.check_opened_on`` would refuse), else today; the
    teller may change it."""
    opened = min(point.session_date, today_vn()) if point is not None else today_vn()
    return {"opened_on": opened.isoformat(), "holder_name": accounts.default_holder_name(person),
            "kind": "bank_account", "provider_code": current_user.organization.provider_code,
            "waivers": list(FEE_WAIVERS), "card_issued": True}


def _record(person: Beneficiary, form: OpenAccountForm, session=None):
    """Call the service with the form's values; returns (account, None) or (None, Vietnamese error)."""
    try:
        account = accounts.mark_opened(current_user, person, form.account_number.data, form.opened_date,
                                       form.holder_kind.data, form.holder_name.data, form.provider_code.data or None,
                                       kind=form.kind.data or None, card_issued=form.card_issued.data,
                                       waivers=form.waivers.data or [], session=session)
    except PortalError as err:
        db.session.rollback()
        return None, str(err)
    db.session.commit()
    return account, None


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
    form = OpenAccountForm(person, data=None if request.method == "POST" else _account_defaults(person))
    error = None
    if person.active_account is not None and request.method == "GET":
        return render("bank/opened_row.html", block="row", person=person, account=person.active_account)
    if form.validate_on_submit():
        account, error = _record(person, form)
        if account is not None:
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
            preview = bank_import.preview_bank_file(current_user, form.file.data.filename, form.file.data.read())
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
        shown = bank_import.batch_report(current_user, batch_id)
    except AccessDenied:
        abort(404)
    if shown.batch_status == "previewed":
        return render("bank/preview.html", preview=shown)
    return render("bank/batch_done.html", report=shown)


@bp.route("/tai-len/<int:batch_id>/ghi-nhan", methods=["POST"])
def commit(batch_id):
    try:
        summary = bank_import.commit_bank_batch(current_user, batch_id)
    except AccessDenied:
        abort(404)
    except PortalError as err:
        db.session.rollback()
        flash(str(err), "error")
        return redirect(url_for("bank.batch", batch_id=batch_id))
    db.session.commit()
    flash(bank_import.summary_text(summary), "ok")
    return redirect(url_for("bank.batch", batch_id=batch_id))


@bp.route("/tai-khoan")
def opened():
    page = max(1, request.args.get("page", 1, type=int))
    pagination = db.paginate(accounts.recorded_accounts(current_user), page=page, per_page=PAGE_SIZE,
                             error_out=False)
    return render("bank/accounts.html", block="results", pagination=pagination, page=page,
                  pages=max(1, pagination.pages))


class CoverageForm(FlaskForm):
    """Đăng ký địa bàn phụ trách."""

    commune = SelectField("Xã/phường", validate_choice=False)
    note = StringField("Ghi chú", validators=[Length(max=300, message="Ghi chú quá dài.")])


@bp.route("/dia-ban", methods=["GET", "POST"])
def coverage_page():
    form = CoverageForm()
    form.commune.choices = [SelectChoice(c.code, c.name) for c in coverage.requestable_communes(current_user)]
    if form.validate_on_submit():
        try:
            row = coverage.request_coverage(current_user, form.commune.data, form.note.data)
        except PortalError as err:
            db.session.rollback()
            form.commune.errors = [str(err)]
        else:
            db.session.commit()
            flash(f"Đã đăng ký địa bàn {row.commune.name}; chờ Sở duyệt.", "ok")
            return redirect(url_for("bank.coverage_page"))
    return render("bank/coverage.html", form=form, rows=coverage.bank_coverage(current_user),
                  labels=coverage.COVERAGE_STATUS, status=422 if request.method == "POST" else 200)


class SessionForm(FlaskForm):
    """Buổi làm việc tại điểm chi trả."""

    commune = SelectField("Xã/phường", validate_choice=False)
    session_date = StringField("Ngày", validators=[DataRequired("Nhập ngày.")], render_kw={"type": "date"})
    place_kind = SelectField("Địa điểm", choices=[SelectChoice(k, v) for k, v in payout_points.PLACE_KINDS.items()],
                             validate_choice=False)
    place_name = StringField("Tên địa điểm", validators=[DataRequired("Nhập tên địa điểm."), Length(max=200)])
    hamlet = StringField("Chỉ khóm/ấp (để trống: cả xã)", validators=[Length(max=120)])
    staff_present = StringField("Cán bộ ngân hàng có mặt", validators=[DataRequired("Nhập tên cán bộ."),
                                                                       Length(max=300)])

    def validate_session_date(self, field):
        self.day = _service_check(lambda v: parse_date(v, "Ngày"), field)


@bp.route("/diem-chi-tra", methods=["GET", "POST"])
def sessions():
    form = SessionForm(data=None if request.method == "POST" else {"session_date": today_vn().isoformat()})
    form.commune.choices = [SelectChoice(c.code, c.name) for c in accounts.covered_communes(current_user)]
    if form.validate_on_submit():
        try:
            created = payout_points.create_session(current_user, form.commune.data, form.day, form.place_kind.data,
                                                   form.place_name.data, form.staff_present.data, form.hamlet.data)
        except PortalError as err:
            db.session.rollback()
            form.place_name.errors = [str(err)]
        else:
            db.session.commit()
            return redirect(url_for("bank.session_page", session_id=created.id))
    return render("bank/sessions.html", form=form, places=payout_points.PLACE_KINDS,
                  rows=payout_points.sessions_of(current_user, visible(PayoutPointSession)),
                  status=422 if request.method == "POST" else 200)


@bp.route("/diem-chi-tra/<int:session_id>")
def session_page(session_id):
    point = get_visible_or_404(PayoutPointSession, session_id)
    page = max(1, request.args.get("page", 1, type=int))
    people = payout_points.expected_people(current_user, point)
    size = 30
    return render("bank/session.html", block="people", point=point, page=page, pages=max(1, ceil(len(people) / size)),
                  people=people[(page - 1) * size:page * size], waiting=len(people),
                  done=payout_points.recorded_at(point), places=payout_points.PLACE_KINDS)


@bp.route("/diem-chi-tra/<int:session_id>/doi-tuong/<int:beneficiary_id>", methods=["GET", "POST"])
def session_person(session_id, beneficiary_id):
    point = get_visible_or_404(PayoutPointSession, session_id)
    person = get_visible_or_404(Beneficiary, beneficiary_id)
    if person.commune_code != point.commune_code:
        abort(404)
    form = OpenAccountForm(person, data=None if request.method == "POST" else _account_defaults(person, point))
    error, account = None, person.active_account
    if account is None and form.validate_on_submit():
        account, error = _record(person, form, point)
    ctx = {"point": point, "person": person, "proxies": accounts.proxy_authorizations(person, today_vn())}
    if account is not None:
        return render("bank/session_person.html", block="person", account=account, **ctx)
    return render("bank/session_person.html", block="person", form=form, error=error,
                  status=422 if request.method == "POST" else 200, **ctx)
