"""Police (Công an xã) pages: the commune's beneficiaries to cross-check against the national population database
(đối sánh CSDL quốc gia về dân cư) — name, birth, gender, personal ID and hamlet, never the category or phone —
and the checks the commune sent: record a result per person (matched, mismatched with the fields, not found,
deceased) or upload the filled-in sheet. Gated on the ``id_verification`` duty; rows are loaded through
``portal.access`` (a check of another commune answers 404); rules live in ``services.registry.identity_checks``.

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

from ..access import gate
from ..areas import get_visible_or_404, visible
from ..clock import this_month_vn, today_vn
from ..downloads import download
from ..errors_web import on_refusal
from ..models import Beneficiary, CheckResult, Duty, IdentityCheck
from ..models.identity_checks import MISMATCH_FIELDS
from ..paging import page_arg, paged
from ..rendering import render, render_form, wants_fragment
from ..services.audit import record_read
from ..services.payouts import account_checks
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
    page = paged(lambda n: search_beneficiaries(visible(Beneficiary), q, n, PAGE_SIZE), PAGE_SIZE)
    return render("police/index.html", block="results", rows=page.rows, total=page.total, q=q, page=page.number,
                  pages=page.pages, first=page.first)


def _checks_page(upload=None, errors=None, status=200, block="pending", message=None, message_kind="ok"):
    """The cross-check page at ``page`` (query string; past the end — the last rows of the last page were just
    recorded — the last page), or for htmx one ``block``."""
    done = []  # the latest results, read with the page

    def fetch(n):
        rows, total, done[:] = checks.police_page(visible(IdentityCheck), n, CHECKS_PAGE)
        return rows, total

    page = paged(fetch, CHECKS_PAGE)
    return render("police/checks.html", block=block, rows=page.rows, total=page.total, page=page.number,
                  pages=page.pages, first=page.first, done=done, upload=upload or UploadForm(), errors=errors,
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
    record_read(current_user, "download", "identity_check", None, f"Tải danh sách đối sánh, có CCCD ({org.unit_code})")
    return download(checks.export_xlsx(checks.pending_checks([org.unit_code]), org.unit.name),
                    f"doi-sanh-{org.unit_code}.xlsx")


@bp.route("/doi-sanh/<int:check_id>", methods=["GET", "POST"])
def identity_check(check_id: int):
    """Ghi kết quả đối sánh của một người; invalid input re-renders with 422."""
    check = get_visible_or_404(IdentityCheck, check_id)
    form = ResultForm()
    if not form.validate_on_submit():
        return render_form("police/check.html", check=check, form=form)
    on_refusal(lambda err: render_form("police/check.html", check=check, form=form, error=str(err)))
    checks.record_result(current_user, check, form.result.data, form.fields.data, form.note.data, today_vn())
    flash(f"Đã ghi kết quả đối sánh của {check.beneficiary.full_name}.", "ok")
    return redirect(url_for("police.identity_checks"))


@bp.route("/doi-sanh/khop", methods=["POST"])
def identity_check_matched():
    """Nút «Khớp» on the list (one form for the page, the button carries ``check_id``): records a match. htmx gets
    the ``pending`` block of the same page with the message (and ``HX-Trigger: checks-changed``); otherwise a
    redirect to that page."""
    check_id = request.form.get("check_id", type=int)
    if check_id is None:
        return _matched_answer("Chọn người cần ghi kết quả.", "error")
    check = get_visible_or_404(IdentityCheck, check_id)
    on_refusal(lambda err: _matched_answer(str(err), "error"))
    checks.record_result(current_user, check, CheckResult.MATCHED.value, checked_on=today_vn())
    return _matched_answer(f"{check.beneficiary.full_name}: khớp.", "ok")


def _matched_answer(message: str, kind: str):
    """After «Khớp»: htmx gets the ``pending`` block of the same page with ``message`` (and, when a result was
    recorded, ``HX-Trigger: checks-changed``); otherwise the message is flashed and the page redirected to."""
    if wants_fragment():
        resp = _checks_page(message=message, message_kind=kind)
        if kind == "ok":
            resp.headers["HX-Trigger"] = CHECKS_CHANGED
        return resp
    flash(message, kind)
    return redirect(url_for("police.identity_checks", page=page_arg(default=None)))


@bp.route("/doi-sanh/tai-len", methods=["POST"])
def identity_checks_upload():
    """Tải lên tệp kết quả: all-or-nothing; row errors are listed with their row numbers (422)."""
    form = UploadForm()
    if not form.validate_on_submit():
        return _checks_page(form, [e for errs in form.errors.values() for e in errs], 422)
    on_refusal(lambda err: _checks_page(form, _upload_errors(err), 422))
    statuses = []
    n = checks.import_results(current_user, [current_user.organization.unit_code], form.file.data.read(), today_vn(),
                              account_statuses=statuses)
    out = account_checks.record_police_statuses(current_user, this_month_vn(), statuses)
    flash(f"Đã ghi {n} kết quả đối sánh" + (f", {out.recorded} tình trạng tài khoản ({len(out.moved)} chuyển sang "
                                            "chi tiền mặt tại điểm chi trả)" if out.recorded else "") + ".", "ok")
    return redirect(url_for("police.identity_checks"))


def _upload_errors(err) -> list[str]:
    """The messages of a refused results file: the refusal, then each row's (``CheckImportInvalid``)."""
    rows = err.errors if isinstance(err, checks.CheckImportInvalid) else []
    return [str(err)] + [f"Dòng {n}: {m}" for n, m in rows]
