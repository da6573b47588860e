"""Police (Công an xã) pages: the commune's beneficiaries to cross-check against the national population database
(đối sánh CSDL quốc gia về dân cư) — name, birth, gender, personal ID and hamlet, never the category or phone —
and the checks the commune sent: record a result per person (matched, mismatched with the fields, not found,
deceased) or upload the filled-in sheet. Gated on the ``id_verification`` duty; rows are loaded through
``portal.access`` (a check of another commune answers 404); rules live in ``services.identity_checks``.

htmx on the cross-check page (each answer ≤ 5 KB, tests/blueprints/test_page_weight.py): paging answers the
``pending`` block; «Khớp» answers the ``pending`` block of the same page with a message and fires ``checks-changed``,
on which the recent-results section reloads itself (``done`` block, ``/doi-sanh/gan-day``). Without JavaScript the
button posts the page form and redirects."""
from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from ..access import gate, get_visible_or_404, visible
from ..clock import today_vn
from ..errors import PortalError
from ..extensions import db
from ..models import Beneficiary, CheckResult, Duty, IdentityCheck
from ..models.identity_checks import MISMATCH_FIELDS
from ..paging import page_arg, page_count
from ..rendering import render, wants_fragment
from ..services.registry import identity_checks as checks
from ..services.registry.beneficiaries import search_beneficiaries

bp = Blueprint("police", __name__, url_prefix="/cong-an")
bp.before_request(gate(Duty.ID_VERIFICATION))

PAGE_SIZE = 25
CHECKS_PAGE = 15  # rows with a button and a link each: 15 keep the htmx page under 5 KB (test_page_weight)
CHECKS_CHANGED = "checks-changed"


class ResultForm(FlaskForm):
    """Kết quả đối sánh của một người."""

    result = SelectField("Kết quả", choices=[SelectChoice("", "— Chọn —")] + [
        SelectChoice(r.value, r.label) for r in CheckResult if r != CheckResult.PENDING], validate_choice=False)
    fields = SelectMultipleField("Trường sai lệch", choices=[SelectChoice(k, v) for k, v in MISMATCH_FIELDS.items()],
                                 validate_choice=False,
                                 widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    note = StringField("Ghi chú")


class UploadForm(FlaskForm):
    """Tải lên tệp kết quả (.xlsx do xã xuất, đã điền cột Kết quả)."""

    file = FileField("Tệp kết quả (.xlsx)", validators=[FileRequired("Chọn tệp.")])


@bp.route("/")
def index():
    """Danh sách đối chiếu nhân thân: paged, searchable by name or ID; htmx gets the ``results`` block."""
    q = request.args.get("q", "").strip()
    page = page_arg()
    rows, total = search_beneficiaries(visible(Beneficiary), q, page, PAGE_SIZE)
    pages = page_count(total, PAGE_SIZE)
    if page > pages:  # past the end (?page=999): the last page
        page = pages
        rows, total = search_beneficiaries(visible(Beneficiary), q, page, PAGE_SIZE)
    return render("police/index.html", block="results", rows=rows, total=total, q=q, page=page, pages=pages,
                  first=(page - 1) * PAGE_SIZE)


def _checks_page(upload=None, errors=None, status=200, block="pending", message=None, message_kind="ok"):
    """The cross-check page at ``page`` (query string; clamped to the last page), or for htmx one ``block``."""
    page = page_arg()
    rows, total, done = checks.police_page(visible(IdentityCheck), page, CHECKS_PAGE)
    pages = page_count(total, CHECKS_PAGE)
    if page > pages:  # the last rows of the last page were just recorded
        page = pages
        rows, total, done = checks.police_page(visible(IdentityCheck), page, CHECKS_PAGE)
    return render("police/checks.html", block=block, rows=rows, total=total, page=page, pages=pages,
                  first=(page - 1) * CHECKS_PAGE, done=done, upload=upload or UploadForm(), errors=errors,
                  message=message, message_kind=message_kind, status=status)


@bp.route("/doi-sanh")
def identity_checks():
    """Danh sách chờ đối sánh (15 mỗi trang; htmx paging gets the ``pending`` block) and the latest results."""
    return _checks_page()


@bp.route("/doi-sanh/gan-day")
def recent_results():
    """Kết quả đã ghi gần đây: htmx gets the ``done`` block (reloaded after «Khớp»), a browser the whole page."""
    return _checks_page(block="done")


@bp.route("/doi-sanh/danh-sach.xlsx")
def identity_checks_export():
    """Tải danh sách chờ đối sánh (.xlsx): họ tên, ngày sinh, giới tính, số định danh (dạng văn bản)."""
    org = current_user.organization
    rows = checks.pending_checks([org.unit_code])
    return checks.export_xlsx(rows, org.unit.name), 200, {
        "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Content-Disposition": f"attachment; filename=doi-sanh-{org.unit_code}.xlsx"}


@bp.route("/doi-sanh/<int:check_id>", methods=["GET", "POST"])
def identity_check(check_id: int):
    """Ghi kết quả đối sánh của một người; invalid input re-renders with 422."""
    check = get_visible_or_404(IdentityCheck, check_id)
    form, error = ResultForm(), None
    if form.validate_on_submit():
        try:
            checks.record_result(current_user, check, form.result.data, form.fields.data, form.note.data, today_vn())
            db.session.commit()
            flash(f"Đã ghi kết quả đối sánh của {check.beneficiary.full_name}.", "ok")
            return redirect(url_for("police.identity_checks"))
        except PortalError as err:
            db.session.rollback()
            error = str(err)
    status = 422 if form.is_submitted() else 200
    return render("police/check.html", check=check, form=form, error=error, status=status)


@bp.route("/doi-sanh/khop", methods=["POST"])
def identity_check_matched():
    """Nút «Khớp» on the list (one form for the page, the button carries ``check_id``): records a match. htmx gets
    the ``pending`` block of the same page with the message (and ``HX-Trigger: checks-changed``); otherwise a
    redirect to that page."""
    check_id = request.form.get("check_id", type=int)
    changed = False
    if check_id is None:
        message, kind = "Chọn người cần ghi kết quả.", "error"
    else:
        check = get_visible_or_404(IdentityCheck, check_id)
        try:
            checks.record_result(current_user, check, CheckResult.MATCHED.value, checked_on=today_vn())
            db.session.commit()
            message, kind, changed = f"{check.beneficiary.full_name}: khớp.", "ok", True
        except PortalError as err:
            db.session.rollback()
            message, kind = str(err), "error"
    if wants_fragment():
        resp = _checks_page(message=message, message_kind=kind)
        if changed:
            resp.headers["HX-Trigger"] = CHECKS_CHANGED
        return resp
    flash(message, kind)
    return redirect(url_for("police.identity_checks", page=request.args.get("page", type=int)))


@bp.route("/doi-sanh/tai-len", methods=["POST"])
def identity_checks_upload():
    """Tải lên tệp kết quả: all-or-nothing; row errors are listed with their row numbers (422)."""
    form = UploadForm()
    if form.validate_on_submit():
        try:
            n = checks.import_results(current_user, [current_user.organization.unit_code], form.file.data.read(),
                                      today_vn())
            db.session.commit()
            flash(f"Đã ghi {n} kết quả đối sánh.", "ok")
            return redirect(url_for("police.identity_checks"))
        except checks.CheckImportInvalid as err:
            db.session.rollback()
            return _checks_page(form, [str(err)] + [f"Dòng {n}: {m}" for n, m in err.errors], 422)
        except PortalError as err:
            db.session.rollback()
            return _checks_page(form, [str(err)], 422)
    return _checks_page(form, [e for errs in form.errors.values() for e in errs], 422)
