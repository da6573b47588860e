"""Monthly progress report on cashless payment (báo cáo tiến độ chi trả không dùng tiền mặt, plan §V.7) for the
commune, the district office and the province: figures of the month, the reporter's free text, draft PDF, Excel,
issue (numbered, stored, signed; a second issue for the month only as an explicit replacement), and the reports the
district office or the province received for the month. One gate: any of intake / payout_management / oversight.
The report is 2–3 pages: its PDF renders in the request (< 1 s measured), no background job needed."""
from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField
from wtforms.validators import Length

from ..access import gate_any
from ..areas import visible
from ..clock import today_vn
from ..downloads import download
from ..errors_web import on_refusal
from ..extensions import db
from ..models import DocumentKind, Duty, IssuedDocument
from ..query_args import month_arg
from ..rendering import render
from ..services.entitlement.rates import parse_month
from ..services.reporting import monthly_report

bp = Blueprint("reports", __name__, url_prefix="/bao-cao")
bp.before_request(gate_any(Duty.INTAKE, Duty.PAYOUT_MANAGEMENT, Duty.OVERSIGHT))


class NotesForm(FlaskForm):
    """Khó khăn, vướng mắc và đề xuất của người báo cáo."""

    difficulties = TextAreaField("Khó khăn, vướng mắc", validators=[Length(max=4000)])
    proposals = TextAreaField("Đề xuất, kiến nghị", validators=[Length(max=4000)])


class IssueForm(FlaskForm):
    """Ban hành báo cáo; ``replace``: thay thế báo cáo đã ban hành của tháng."""

    replace = BooleanField("Thay thế báo cáo đã ban hành của tháng này")


def _month():
    """The report's month: ``?thang=`` when given — a malformed one is refused (``PortalError`` → 422 with "Tháng
    không hợp lệ: «2026-99» …"), never replaced by another month, since a report (or its PDF, Excel, issue) of
    another month must not be served under the one asked for; missing: ``query_args.month_arg``'s default."""
    text = request.args.get("thang", "")
    return parse_month(text) if text.strip() else month_arg()


def _page(month, form=None, error=None, status=200):
    rep = monthly_report.build_report(current_user, month)
    issued = db.session.execute(visible(IssuedDocument).where(
        IssuedDocument.kind == DocumentKind.MONTHLY_REPORT.value,
        IssuedDocument.organization_id == current_user.organization_id).order_by(IssuedDocument.id.desc())
        .limit(24)).scalars().all()
    form = form or NotesForm(data={"difficulties": rep.difficulties, "proposals": rep.proposals})
    received = monthly_report.received_reports(current_user, month) if rep.level != "commune" else None
    this_month = monthly_report.issued_reports(current_user.organization_id, month)
    return render("reports/index.html", block="main", rep=rep, month=month, form=form, issue_form=IssueForm(),
                  issued=issued, this_month=this_month, received=received, error=error, status=status)


@bp.route("/")
def index():
    return _page(_month())


@bp.route("/ghi-chu", methods=["POST"])
def notes():
    month = _month()
    form = NotesForm()
    if not form.validate_on_submit():
        return _page(month, form, status=422)
    on_refusal(lambda err: _page(month, form, str(err), 422))
    monthly_report.save_notes(current_user, month, form.difficulties.data, form.proposals.data)
    flash("Đã lưu khó khăn, đề xuất.", "ok")
    return redirect(url_for("reports.index", thang=f"{month:%Y-%m}"))


@bp.route("/du-thao.pdf")
def draft_pdf():
    from ..services.documents.printing import print_report
    month = _month()
    rep = monthly_report.build_report(current_user, month)
    return download(print_report(rep, None, today_vn()), f"du-thao-bao-cao-{month:%Y-%m}.pdf", inline=True)


@bp.route("/bao-cao.xlsx")
def workbook():
    month = _month()
    rep = monthly_report.build_report(current_user, month)
    return download(monthly_report.report_workbook(rep), f"bao-cao-chi-tra-khong-tien-mat-{month:%Y-%m}.xlsx")


@bp.route("/ban-hanh", methods=["POST"])
def issue():
    month = _month()
    form = IssueForm()
    if not form.validate_on_submit():
        return _page(month, error="Phiên làm việc hết hạn, hãy thử lại.", status=422)
    on_refusal(lambda err: _page(month, error=str(err), status=409))
    doc = monthly_report.issue_report(current_user, month, today_vn(), replace=bool(form.replace.data))
    replaced = f" (thay thế báo cáo số {doc.corrects.number_text})" if doc.corrects_id else ""
    flash(f"Đã ban hành báo cáo số {doc.number_text}{replaced}.", "ok")
    return redirect(url_for("reports.index", thang=f"{month:%Y-%m}"))


