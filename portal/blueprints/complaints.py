"""Complaint pages (phản ánh, kiến nghị) for every organisation that receives or handles them: the list with overdue
ones first and counts, receiving a complaint (person by CCCD, month, kind, channel, date), one complaint with the
actions its viewer may take (route, re-issue on a supplementary list, change the channel, dispute the account, refer
to the bank, close) and its audit trail. Rules in ``services.complaints``; rows through ``areas.visible``."""
from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..access import gate_any
from ..areas import get_visible_or_404, visible
from ..clock import today_vn
from ..errors_web import flash_refusal, on_refusal
from ..extensions import db
from ..form_checks import service_check, with_error
from ..models import CashAtHomeReason, Complaint, ComplaintChannel, ComplaintKind, ComplaintStatus, PayoutLine
from ..paging import paged
from ..rendering import render, render_form
from ..services.audit import events_for
from ..services.complaints import records
from ..services.entitlement.rates import parse_month
from ..spreadsheets.reading import parse_date

bp = Blueprint("complaints", __name__, url_prefix="/phan-anh")
bp.before_request(gate_any(*records.RECEIVING_DUTIES))
PAGE_SIZE = 50


class ReceiveForm(FlaskForm):
    """Tiếp nhận phản ánh: who (CCCD), about which month, what kind, how it came in, when, what was said."""

    national_id = StringField("Số định danh cá nhân (CCCD) của đối tượng",
                              validators=[DataRequired("Nhập số định danh của đối tượng.")],
                              render_kw={"inputmode": "numeric", "autocomplete": "off"})
    month = StringField("Tháng chi trả liên quan (MM/YYYY, có thể để trống)", render_kw={"placeholder": "08/2024"})
    kind = SelectField("Loại phản ánh", choices=[SelectChoice(v, label) for v, label in ComplaintKind.choices()],
                       validate_choice=False)
    channel = SelectField("Hình thức tiếp nhận",
                          choices=[SelectChoice(v, label) for v, label in ComplaintChannel.choices()],
                          validate_choice=False)
    received_on = StringField("Ngày tiếp nhận", validators=[DataRequired("Nhập ngày tiếp nhận.")],
                              render_kw={"type": "date"})
    description = TextAreaField("Nội dung phản ánh", validators=[Length(max=1000, message="Tối đa 1000 ký tự.")])

    def validate_national_id(self, field):
        self.person = service_check(lambda v: records.find_person(current_user, v), field)

    def validate_month(self, field):
        self.month_date = service_check(lambda v: parse_month(v) if (v or "").strip() else None, field)

    def validate_received_on(self, field):
        self.received_date = service_check(lambda v: parse_date(v, "Ngày tiếp nhận"), field)


@bp.route("/")
def index():
    """Complaints visible to the organisation: overdue first, then open by deadline, then closed; ``?loc=qua-han``
    only the overdue ones. Counts of the month by kind on top."""
    overdue_only = request.args.get("loc") == "qua-han"
    stmt = visible(Complaint).options(selectinload(Complaint.beneficiary), selectinload(Complaint.assigned_org),
                                      selectinload(Complaint.commune))
    if overdue_only:
        stmt = stmt.where(records.overdue_filter())
    stmt = stmt.order_by(case((Complaint.status == ComplaintStatus.CLOSED.value, 1), else_=0), Complaint.due_on,
                         Complaint.id.desc())
    total = db.session.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
    page = paged(lambda n: (db.session.execute(stmt.limit(PAGE_SIZE).offset((n - 1) * PAGE_SIZE)).scalars().all(),
                            total), PAGE_SIZE, "trang")
    overdue = db.session.execute(select(func.count()).select_from(
        visible(Complaint).where(records.overdue_filter()).subquery())).scalar_one()
    return render("complaints/index.html", block="main", page=page, overdue_count=overdue,
                  overdue_only=overdue_only, today=today_vn(), is_overdue=records.is_overdue)


def _receive_page(form):
    return render_form("complaints/new.html", block="main", form=form)


@bp.route("/moi", methods=["GET", "POST"])
def receive():
    """Tiếp nhận phản ánh (form works without JS; what was typed is kept on a refusal)."""
    form = ReceiveForm(data=None if request.method == "POST" else {"received_on": today_vn().isoformat()})
    if not form.validate_on_submit():
        return _receive_page(form)
    on_refusal(lambda err: _receive_page(with_error(form, form.description, err)))
    c = records.receive(current_user, form.person, kind=form.kind.data, channel=form.channel.data,
                        description=form.description.data, received_on=form.received_date, month=form.month_date)
    flash(f"Đã tiếp nhận phản ánh số {c.id}, chuyển {c.assigned_org.display_name} xử lý, hạn "
          f"{c.due_on:%d/%m/%Y}.", "ok")
    return redirect(url_for("complaints.detail", complaint_id=c.id))


@bp.route("/<int:complaint_id>")
def detail(complaint_id):
    """One complaint: the person (fields per ``access.may_see``), the line it is about (when the viewer may see
    payout lines), deadline, resolution, actions, audit trail."""
    c = get_visible_or_404(Complaint, complaint_id)
    lines = {}
    for line in (c.payout_line, c.reissue_line):
        if line is not None and db.session.execute(visible(PayoutLine).where(PayoutLine.id == line.id)).first():
            lines[line.id] = line
    return render("complaints/detail.html", c=c, lines=lines, events=events_for("complaint", c.id),
                  overdue=records.is_overdue(c), can_reissue=records.can_reissue(c), may_close=records.may_close,
                  targets=records.TARGETS, reasons=CashAtHomeReason.choices(), form=FlaskForm())


def _act(complaint_id, action, message):
    c = get_visible_or_404(Complaint, complaint_id)
    back = url_for("complaints.detail", complaint_id=c.id)
    if not FlaskForm().validate_on_submit():
        flash("Phiên làm việc hết hạn, hãy thử lại.", "error")
        return redirect(back)
    flash_refusal(back)
    action(c)
    flash(message, "ok")
    return redirect(back)


@bp.route("/<int:complaint_id>/chi-lai", methods=["POST"])
def reissue(complaint_id):
    return _act(complaint_id, lambda c: records.reissue(current_user, c),
                "Đã đưa khoản chưa nhận vào danh sách bổ sung (dự thảo): xã xác nhận, lãnh đạo phê duyệt, "
                "bưu điện chi.")


@bp.route("/<int:complaint_id>/chuyen", methods=["POST"])
def route(complaint_id):
    return _act(complaint_id, lambda c: records.route(current_user, c, request.form.get("target", ""),
                                                      request.form.get("note", "")), "Đã chuyển phản ánh.")


@bp.route("/<int:complaint_id>/doi-hinh-thuc", methods=["POST"])
def change_channel(complaint_id):
    return _act(complaint_id, lambda c: records.change_channel(current_user, c, request.form.get("channel", ""),
                                                               request.form.get("reason") or None),
                "Đã đổi hình thức chi trả (áp dụng từ danh sách lập sau).")


@bp.route("/<int:complaint_id>/khieu-nai-tai-khoan", methods=["POST"])
def dispute_account(complaint_id):
    return _act(complaint_id, lambda c: records.dispute_account(current_user, c, request.form.get("reason", "")),
                "Đã khiếu nại tài khoản; đối tượng chuyển lại chi tiền mặt.")


@bp.route("/<int:complaint_id>/chuyen-ngan-hang", methods=["POST"])
def refer_to_bank(complaint_id):
    return _act(complaint_id, lambda c: records.refer_to_bank(current_user, c, request.form.get("note", "")),
                "Đã chuyển ngân hàng xử lý.")


@bp.route("/<int:complaint_id>/dong", methods=["POST"])
def close(complaint_id):
    return _act(complaint_id, lambda c: records.close(current_user, c, request.form.get("answer", "")),
                "Đã đóng phản ánh.")

