"""Account check before every transfer (kiểm tra tài khoản trước khi chuyển tiền, Công văn 5234/LĐTBXH-TT): one
page for the commune, the payout office and the bank — the month's check file per bank, the bank's answer file
uploaded back (row errors shown, nothing recorded), and the month's answers with what happened to each line.
Gated on any of ``intake`` / ``payout_management`` / ``account_opening``; rules in
``portal.services.payouts.account_checks``."""
from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from ..access import gate_any
from ..downloads import download
from ..errors_web import on_refusal
from ..extensions import db
from ..models import AccountCheckStatus, Duty
from ..query_args import month_arg
from ..rendering import render
from ..services.payouts import account_checks as checks

bp = Blueprint("account_checks", __name__, url_prefix="/kiem-tra-tai-khoan")
bp.before_request(gate_any(Duty.INTAKE, Duty.PAYOUT_MANAGEMENT, Duty.ACCOUNT_OPENING))

PAGE_ROWS = 200


class AnswerForm(FlaskForm):
    """Tải lên kết quả kiểm tra của ngân hàng."""

    file = FileField("Tệp kết quả của ngân hàng (.xlsx)", validators=[FileRequired("Chọn tệp .xlsx để tải lên.")])


def _page(month, form=None, errors=(), status=200):
    rows = db.session.execute(checks.month_checks(current_user, month).limit(PAGE_ROWS)).scalars().all()
    return render("account_checks/index.html", month=month, banks=checks.check_banks(current_user, month),
                  rows=rows, counts=checks.month_check_counts(current_user, month), form=form or AnswerForm(),
                  errors=list(errors), statuses=list(AccountCheckStatus), reason=checks.check_reason,
                  status=status)


@bp.route("/")
def index():
    return _page(month_arg())


@bp.route("/tep")
def check_file():
    """The check file of the bank ``?nh=<provider code>`` for ``?thang=``."""
    month = month_arg()
    provider_code = request.args.get("nh", "")
    on_refusal(lambda err: _page(month, errors=[str(err)], status=422))
    name, content = checks.check_file(current_user, month, provider_code)
    return download(content, name)


@bp.route("/tra-loi", methods=["POST"])
def answer():
    month = month_arg()
    form = AnswerForm()
    if not form.validate_on_submit():
        return _page(month, form, [e for errs in form.errors.values() for e in errs], 422)
    on_refusal(lambda err: _page(month, form, [str(err)], 422))
    out = checks.record_answers(current_user, month, form.file.data.read())
    if out.errors:
        return _page(month, form, ["Tệp có lỗi, chưa ghi nhận dòng nào. Sửa các dòng sau rồi tải lại:",
                                   *out.errors], 422)
    flash(f"Đã ghi kết quả kiểm tra {out.recorded} tài khoản tháng {month:%m/%Y}: {out.usable} hoạt động, "
          f"{len(out.moved)} chuyển sang chi tiền mặt tại điểm chi trả"
          + (f", {len(out.on_frozen)} trên danh sách đã phê duyệt (báo Bưu điện ghi «không chi được – tài khoản»)"
             if out.on_frozen else "") + ".", "ok")
    return redirect(url_for("account_checks.index", thang=f"{month:%Y-%m}"))
