"""Bank branch (chi nhánh ngân hàng) pages: beneficiaries to open accounts for, recording one opened account (htmx
row form, or a plain page without JavaScript), uploading the bank's spreadsheet (preview → confirm), the
accounts this branch recorded, its coverage (địa bàn phụ trách: request, see the province's decision) and
payout-point sessions (a phone-sized list of the people expected, one short form each). Gated on the
``account_opening`` duty; rows are loaded through ``portal.access``, rules live in ``portal.services.accounts``. The
category (diện đối tượng) is never shown here."""
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from ..access import gate
from ..areas import get_visible_or_404, visible
from ..clock import today_vn
from ..errors_web import flash_refusal, on_refusal
from ..extensions import db
from ..form_checks import service_check, with_error
from ..models import Beneficiary, Duty, ImportBatch, PaymentProvider, PayoutPointSession
from ..models.accounts import FEE_WAIVERS, ID_DOCUMENT_KINDS
from ..paging import paged, paged_list
from ..rendering import render, render_form, wants_fragment
from ..services.accounts import bank_import, coverage, payout_points, watch
from ..services.accounts import opening as accounts
from ..services.audit import record_read
from ..services.registry import beneficiaries as registry
from ..spreadsheets.reading import parse_date

bp = Blueprint("bank", __name__, url_prefix="/ngan-hang")
bp.before_request(gate(Duty.ACCOUNT_OPENING))

PAGE_SIZE = 15  # keeps the htmx results fragment under 5 KB
SESSION_PAGE = 30  # people expected at a payout point, a page


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
    id_document_kind = SelectField("Giấy tờ mở TK", choices=[SelectChoice("", "Chưa rõ")] + [
        SelectChoice(k, v) for k, v in ID_DOCUMENT_KINDS.items()], validate_choice=False)
    id_document_expiry = StringField("Hết hạn ngày", render_kw={"type": "date"})
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
        service_check(accounts.check_holder_kind, field)

    def validate_holder_name(self, field):
        if self.holder_kind.data in accounts.HOLDER_KINDS:
            service_check(lambda v: accounts.check_holder(self.person, self.holder_kind.data, v), field)

    def validate_account_number(self, field):
        service_check(accounts.clean_account_number, field)

    def validate_id_document_expiry(self, field):
        def check(value):
            pair = (self.id_document_kind.data, parse_date(value, "Ngày hết hạn giấy tờ") if value else None)
            opened = getattr(self, "opened_date", None)  # "Ngày mở" is checked first (declared before)
            return watch.check_opening_document(*pair, opened) if opened else watch.check_document(*pair)
        self.document = service_check(check, field)

    def validate_opened_on(self, field):
        self.opened_date = service_check(lambda v: accounts.check_opened_on(parse_date(v, "Ngày mở")), field)


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
    """Record the account with the form's values (``accounts.mark_opened``); its refusals raise."""
    return accounts.mark_opened(current_user, person, form.account_number.data, form.opened_date,
                                form.holder_kind.data, form.holder_name.data, form.provider_code.data or None,
                                kind=form.kind.data or None, card_issued=form.card_issued.data,
                                waivers=form.waivers.data or [], session=session,
                                document=getattr(form, "document", (None, None)))


def _batch_or_404(batch_id: int) -> ImportBatch:
    """An upload of this branch (another organisation's: 404)."""
    return get_visible_or_404(ImportBatch, batch_id)


@bp.route("/")
def index():
    communes = accounts.covered_communes(current_user, today_vn())
    commune = request.args.get("commune") if request.args.get("commune") in {c.code for c in communes} else None
    q = request.args.get("q", "").strip()[:60]
    pending = accounts.pending_accounts(current_user, commune)
    page = paged(lambda n: registry.search_beneficiaries(pending, q, n, PAGE_SIZE), PAGE_SIZE)
    names = {c.code: c.name for c in communes}
    return render("bank/index.html", block="results", rows=page.rows, total=page.total, page=page.number,
                  pages=page.pages, q=q, commune=commune, communes=communes, commune_names=names)


@bp.route("/doi-tuong/<int:beneficiary_id>/mo-tai-khoan", methods=["GET", "POST"])
def open_account(beneficiary_id):
    person = get_visible_or_404(Beneficiary, beneficiary_id)
    if request.method == "GET":
        record_read(current_user, "view", "beneficiary", person.id, f"Ngân hàng xem hồ sơ: {person.full_name}")
    form = OpenAccountForm(person, data=None if request.method == "POST" else _account_defaults(person))
    if person.active_account is not None and request.method == "GET":
        return render("bank/opened_row.html", block="row", person=person, account=person.active_account)
    if not form.validate_on_submit():
        return _account_form(person, form)
    on_refusal(lambda err: _account_form(person, form, str(err)))
    account = _record(person, form)
    warning = watch.opening_warning(account, today_vn())
    if wants_fragment():
        return render("bank/opened_row.html", block="row", person=person, account=account, doc_warning=warning)
    flash(f"Đã ghi nhận tài khoản {account.account_number} cho {person.full_name}.", "ok")
    if warning:
        flash(warning, "warning")
    return redirect(url_for("bank.index"))


def _account_form(person: Beneficiary, form: OpenAccountForm, error: str | None = None):
    return render_form("bank/open_account.html", block="form_row", person=person, form=form, error=error)


@bp.route("/tai-len", methods=["GET", "POST"])
def upload():
    form = UploadForm()
    if not form.validate_on_submit():
        return render_form("bank/upload.html", form=form)
    on_refusal(lambda err: render_form("bank/upload.html", form=with_error(form, form.file, err)))
    preview = bank_import.preview_bank_file(current_user, form.file.data.filename, form.file.data.read())
    return redirect(url_for("bank.batch", batch_id=preview.batch_id))


@bp.route("/tai-len/<int:batch_id>")
def batch(batch_id):
    shown = bank_import.batch_report(current_user, _batch_or_404(batch_id).id)
    if shown.batch_status == "previewed":
        return render("bank/preview.html", preview=shown)
    return render("bank/batch_done.html", report=shown)


@bp.route("/tai-len/<int:batch_id>/ghi-nhan", methods=["POST"])
def commit_batch(batch_id):
    page = url_for("bank.batch", batch_id=_batch_or_404(batch_id).id)
    flash_refusal(page)
    summary = bank_import.commit_bank_batch(current_user, batch_id)
    flash(bank_import.summary_text(summary), "ok")
    return redirect(page)


@bp.route("/tai-khoan")
def opened():
    recorded = accounts.recorded_accounts(current_user)

    def fetch(n):
        pagination = db.paginate(recorded, page=n, per_page=PAGE_SIZE, error_out=False)
        return pagination.items, pagination.total

    page = paged(fetch, PAGE_SIZE)
    return render("bank/accounts.html", block="results", accounts=page.rows, total=page.total, page=page.number,
                  pages=page.pages)


class CoverageForm(FlaskForm):
    """Đăng ký địa bàn phụ trách."""

    commune = SelectField("Xã/phường", validate_choice=False)
    note = StringField("Ghi chú", validators=[Length(max=300, message="Ghi chú quá dài.")])


@bp.route("/dia-ban", methods=["GET", "POST"])
def coverage_page():
    form = CoverageForm()
    requestable = coverage.requestable_communes(current_user, today_vn())
    form.commune.choices = [SelectChoice(c.code, c.name) for c in requestable]
    if not form.validate_on_submit():
        return _coverage_form(form)
    on_refusal(lambda err: _coverage_form(with_error(form, form.commune, err)))
    row = coverage.request_coverage(current_user, form.commune.data, form.note.data)
    flash(f"Đã đăng ký địa bàn {row.commune.name}; chờ Sở duyệt.", "ok")
    return redirect(url_for("bank.coverage_page"))


def _coverage_form(form: CoverageForm):
    return render_form("bank/coverage.html", form=form, rows=coverage.bank_coverage(current_user),
                       labels=coverage.COVERAGE_STATUS)


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
        self.day = service_check(lambda v: parse_date(v, "Ngày"), field)


@bp.route("/diem-chi-tra", methods=["GET", "POST"])
def sessions():
    form = SessionForm(data=None if request.method == "POST" else {"session_date": today_vn().isoformat()})
    covered = accounts.covered_communes(current_user, today_vn())
    form.commune.choices = [SelectChoice(c.code, c.name) for c in covered]
    if not form.validate_on_submit():
        return _sessions_form(form)
    on_refusal(lambda err: _sessions_form(with_error(form, _field_of(form, err, form.place_name), err)))
    created = payout_points.create_session(current_user, form.commune.data, form.day, form.place_kind.data,
                                           form.place_name.data, form.staff_present.data, form.hamlet.data)
    return redirect(url_for("bank.session_page", session_id=created.id))


def _field_of(form: FlaskForm, err, default):
    """The form's field a service refusal names (``err.field``), else ``default``."""
    name = getattr(err, "field", None)
    return form[name] if name and name in form else default


def _sessions_form(form: SessionForm):
    return render_form("bank/sessions.html", form=form, places=payout_points.PLACE_KINDS,
                       rows=payout_points.sessions_of(current_user, visible(PayoutPointSession)))


@bp.route("/diem-chi-tra/<int:session_id>")
def session_page(session_id):
    point = get_visible_or_404(PayoutPointSession, session_id)
    q = request.args.get("q", "").strip()[:60]
    people = payout_points.expected_people(current_user, point, q)
    page = paged_list(people, SESSION_PAGE)
    return render("bank/session.html", block="people", point=point, page=page.number, pages=page.pages,
                  people=page.rows, waiting=len(people), done=payout_points.recorded_at(point), q=q,
                  places=payout_points.PLACE_KINDS)


@bp.route("/diem-chi-tra/<int:session_id>/doi-tuong/<int:beneficiary_id>", methods=["GET", "POST"])
def session_person(session_id, beneficiary_id):
    point = get_visible_or_404(PayoutPointSession, session_id)
    person = get_visible_or_404(Beneficiary, beneficiary_id)
    if person.commune_code != point.commune_code:
        abort(404)
    if request.method == "GET":
        record_read(current_user, "view", "beneficiary", person.id, f"Ngân hàng xem hồ sơ: {person.full_name}")
    form = OpenAccountForm(person, data=None if request.method == "POST" else _account_defaults(person, point))
    account = person.active_account
    if account is None and form.validate_on_submit():
        on_refusal(lambda err: _person_form(point, person, form, str(err)))
        account = _record(person, form, point)
    if account is None:
        return _person_form(point, person, form)
    return render("bank/session_person.html", block="person", account=account, point=point, person=person,
                  proxies=accounts.proxy_authorizations(person, today_vn()),
                  doc_warning=watch.opening_warning(account, today_vn()))


def _person_form(point: PayoutPointSession, person: Beneficiary, form: OpenAccountForm, error: str | None = None):
    """One person of a payout-point session with the account form (200 shown, 422 refused)."""
    return render_form("bank/session_person.html", block="person", form=form, error=error, point=point,
                       person=person, proxies=accounts.proxy_authorizations(person, today_vn()))
