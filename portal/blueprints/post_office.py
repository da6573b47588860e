"""Post office (Bưu điện) pages: the approved payout lists assigned to it, each list's lines with a small form per
line to record paid / failed (htmx swaps just the row), the payment spreadsheet to download and to upload back with
the results, and paid / unpaid totals. Gated on the ``payment_service`` duty; rows are loaded through
``portal.access`` (a post office sees only lists assigned to it, from approval on); rules live in
``portal.services.payouts.results``. The category (diện) is never shown here."""
from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy.orm import selectinload
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from ..access import gate
from ..areas import get_visible_or_404, visible
from ..clock import today_vn
from ..downloads import download
from ..errors_web import on_refusal
from ..extensions import db
from ..models import Duty, PayoutLine, PayoutList
from ..query_args import month_arg
from ..rendering import render, render_form, wants_fragment
from ..services.audit import events_for
from ..services.payouts import cycle, fee_statements, reasons, results, workflow
from ..services.payouts import lists as payouts_lists
from ..services.payouts.lines import line_notes
from ..spreadsheets.reading import parse_date
from .payout_pages import ReturnForm, lines_page

bp = Blueprint("post_office", __name__, url_prefix="/buu-dien")
bp.before_request(gate(Duty.PAYMENT_SERVICE))
LINES_PER_PAGE = 25


class ResultForm(FlaskForm):
    """Kết quả chi trả của một người: đã chi (ngày chi) hoặc không chi được (lý do trong danh sách đóng
    ``payouts.reasons.FAILURE_REASONS``, ghi chú bắt buộc khi chọn «Lý do khác»). Choices are checked by the
    service, with Vietnamese messages."""

    result = SelectField("Kết quả", choices=[SelectChoice("paid", "Đã chi"), SelectChoice("failed", "Không chi được")],
                         validate_choice=False)
    paid_on = StringField("Ngày chi", render_kw={"type": "date"})
    reason_code = SelectField("Lý do không chi được", validate_choice=False, choices=[
        SelectChoice("", "— Chọn lý do —"), *(SelectChoice(c, label) for c, label in reasons.FAILURE_REASONS.items())])
    reason = StringField("Ghi chú lý do (bắt buộc nếu «Lý do khác»)",
                         validators=[Length(max=200, message="Ghi chú tối đa 200 ký tự.")])


class ResultsUploadForm(FlaskForm):
    """Tải lên bảng kê đã ghi kết quả."""

    file = FileField("Bảng kê đã ghi kết quả (.xlsx)", validators=[FileRequired("Chọn tệp .xlsx để tải lên.")])


@bp.context_processor
def _result_helpers():
    return {"reason_text": reasons.reason_text}


@bp.route("/")
def index():
    lists = db.session.execute(visible(PayoutList).options(selectinload(PayoutList.commune))
                               .order_by(PayoutList.month.desc(), PayoutList.commune_code, PayoutList.channel)
                               ).scalars().all()
    return render("post_office/index.html", lists=lists,
                  totals=results.result_totals_by_list([lst.id for lst in lists]))


def _detail(lst, upload_form=None, upload_errors=(), status=200, return_form=None, error=None):
    lines, page, pages = lines_page(lst, LINES_PER_PAGE)
    return render("post_office/list.html", lst=lst, lines=lines, page=page, pages=pages, totals=results.totals(lst),
                  notes=line_notes(lst, lines),
                  upload_form=upload_form or ResultsUploadForm(), upload_errors=upload_errors,
                  events=events_for("payout_list", lst.id), status=status, error=error, form=FlaskForm(),
                  control=cycle.control_totals(lst), deadlines=cycle.deadlines(lst.month),
                  return_form=return_form or ReturnForm())


@bp.route("/danh-sach/<int:list_id>")
def payout_list(list_id):
    return _detail(get_visible_or_404(PayoutList, list_id))


def _initial(line) -> dict:
    """What the per-line form shows first: the recorded result, or paid today; an old free-text reason (no code)
    shows the code it maps to (``classify_reason``) with its text."""
    code, note = line.result_reason_code, line.result_reason
    if line.result == "failed" and code is None:
        code, note = reasons.classify_reason(line.result_reason)
    return {"result": "failed" if line.result == "failed" else "paid", "reason_code": code or "",
            "reason": note or "", "paid_on": (line.paid_on or today_vn()).isoformat()}


@bp.route("/dong/<int:line_id>", methods=["GET", "POST"])
def line_result(line_id):
    """One line's result form (GET) and its saving (POST). htmx gets the row back plus the list's summary card
    (paid / failed / pending totals, status) swapped out of band; a plain form a redirect; errors the form again
    (422) with what was typed."""
    line = get_visible_or_404(PayoutLine, line_id)
    form = ResultForm(data=None if request.method == "POST" else _initial(line))
    if not form.validate_on_submit():
        return _line_form(line, form)
    on_refusal(lambda err: _line_form(line, form, str(err)))
    failed = form.result.data == "failed"
    paid_on = None if failed else parse_date(form.paid_on.data, "Ngày chi")
    results.record_result(current_user, line, form.result.data, form.reason.data, paid_on,
                          reason_code=(form.reason_code.data or "") if failed else None)
    if wants_fragment():
        lst = line.payout_list
        return render("post_office/line.html", block="row", line=line, editing=False, lst=lst,
                      totals=results.totals(lst), notes=line_notes(lst, [line]))
    flash(f"Đã ghi kết quả cho {line.full_name}.", "ok")
    return redirect(url_for("post_office.payout_list", list_id=line.payout_list_id))


def _line_form(line: PayoutLine, form: ResultForm, error: str | None = None):
    return render_form("post_office/line.html", block="row", line=line, form=form, error=error, editing=True)


@bp.route("/danh-sach/<int:list_id>/tai-len", methods=["POST"])
def upload_results(list_id):
    lst = get_visible_or_404(PayoutList, list_id)
    form = ResultsUploadForm()
    if not form.validate_on_submit():
        return _detail(lst, form, status=422)
    on_refusal(lambda err: _detail(lst, form, [str(err)], 422))
    out = results.results_upload(current_user, lst, form.file.data.filename, form.file.data.read())
    if out.errors:  # nothing of the file is kept (422)
        return _detail(lst, form, out.errors, 422)
    flash(f"Đã ghi kết quả từ tệp: {out.paid} người đã chi, {out.failed} người không chi được, "
          f"{out.unchanged} dòng không đổi.", "ok")
    return redirect(url_for("post_office.payout_list", list_id=lst.id))


def _act(list_id, action, done: str):
    """One state action on a visible list: redirect with ``done`` flashed, or the list page with the error (422;
    not allowed: the 403 page)."""
    lst = get_visible_or_404(PayoutList, list_id)
    on_refusal(lambda err: _detail(lst, error=str(err), status=422))
    action(current_user, lst)
    flash(done.format(lst=payouts_lists.describe(lst), office=lst.payout_office.display_name), "ok")
    return redirect(url_for("post_office.index") if lst.status == "returned"
                    else url_for("post_office.payout_list", list_id=lst.id))


@bp.route("/danh-sach/<int:list_id>/nhan", methods=["POST"])
def accept(list_id):
    return _act(list_id, workflow.accept_list, "Đã nhận danh sách {lst}.")


@bp.route("/danh-sach/<int:list_id>/tra-lai", methods=["POST"])
def return_list(list_id):
    """Send an approved list back (before accepting it), with a reason."""
    form = ReturnForm()
    if not form.validate_on_submit():
        return _detail(get_visible_or_404(PayoutList, list_id), status=422, return_form=form)
    return _act(list_id, lambda u, lst: workflow.return_list(u, lst, form.reason.data),
                "Đã trả lại danh sách {lst} cho {office}.")


@bp.route("/chi-phi")
def fees():
    """This post office's fee statement (bảng tính chi phí chi trả) for a month, with an .xlsx download."""
    month = month_arg()
    return render("post_office/fees.html", month=month,
                  st=fee_statements.fee_statement(current_user.organization, month))


@bp.route("/chi-phi.xlsx")
def fees_xlsx():
    month = month_arg()
    data = fee_statements.fee_statement_xlsx(fee_statements.fee_statement(current_user.organization, month))
    office = payouts_lists.file_slug(current_user.organization.name)
    return download(data, f"Chi-phi-chi-tra-{month:%Y-%m}-{office}.xlsx")
