"""Commune (UBND xã) page of accounts recorded by banks for its people (tài khoản mới mở): newest first, with the
bank's flags; the commune confirms one (xác nhận) or disputes it (khiếu nại), which puts the person back to their
previous channel.
Rules in ``portal.services.accounts.flags``."""
from flask import flash, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ...areas import get_visible_or_404, visible
from ...errors_web import flash_refusal
from ...extensions import db
from ...models import PaymentAccount
from ...models.accounts import ACCOUNT_STATUS
from ...paging import paged
from ...rendering import render
from ...services.accounts import flags as account_flags
from .blueprint import bp

PAGE_SIZE = 20


class DisputeForm(FlaskForm):
    """Khiếu nại tài khoản."""

    reason = StringField("Lý do khiếu nại", validators=[DataRequired("Ghi lý do."), Length(max=300)])


@bp.route("/tai-khoan")
def accounts_page():
    stmt = visible(PaymentAccount).where(PaymentAccount.opened_by_org_id.is_not(None)).order_by(
        PaymentAccount.created_at.desc(), PaymentAccount.id.desc())

    def fetch(n):
        pagination = db.paginate(stmt, page=n, per_page=PAGE_SIZE, error_out=False)
        return pagination.items, pagination.total

    page = paged(fetch, PAGE_SIZE)
    return render("commune/accounts.html", block="results", accounts=page.rows, page=page.number, pages=page.pages,
                  form=DisputeForm(), labels=ACCOUNT_STATUS,
                  confirmed=account_flags.confirmed_ids([a.id for a in page.rows]))


@bp.route("/tai-khoan/<int:account_id>/xac-nhan", methods=["POST"])
def confirm_account(account_id):
    """Xác nhận tài khoản: the commune checked the person and the number the bank recorded."""
    account = get_visible_or_404(PaymentAccount, account_id)
    back = url_for("commune.accounts_page")
    flash_refusal(back)
    account_flags.confirm(current_user, account)
    flash(f"Đã xác nhận tài khoản {account.account_number} của {account.beneficiary.full_name}.", "ok")
    return redirect(back)


@bp.route("/tai-khoan/<int:account_id>/khieu-nai", methods=["POST"])
def dispute_account(account_id):
    account = get_visible_or_404(PaymentAccount, account_id)
    form, back = DisputeForm(), url_for("commune.accounts_page")
    if not form.validate_on_submit():
        flash(" ".join(form.reason.errors) or "Ghi lý do khiếu nại.", "error")
        return redirect(back)
    flash_refusal(back)
    account_flags.dispute(current_user, account, form.reason.data)
    flash(f"Đã khiếu nại tài khoản {account.account_number}; {account.beneficiary.full_name} trở lại hình thức "
          "nhận trước đây.", "ok")
    return redirect(back)
