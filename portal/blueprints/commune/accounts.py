"""Commune (UBND xã) page of accounts recorded by banks for its people (tài khoản mới mở): newest first, with the
bank's flags; the commune may dispute one (khiếu nại), which puts the person back to their previous channel.
Rules in ``portal.services.account_flags``."""
from flask import flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ...access import get_visible_or_404, visible
from ...errors import PortalError
from ...extensions import db
from ...models import PaymentAccount
from ...models.accounts import ACCOUNT_STATUS
from ...rendering import render
from ...services.accounts import flags as account_flags
from .blueprint import bp

PAGE_SIZE = 20


class DisputeForm(FlaskForm):
    """Khiếu nại tài khoản."""

    reason = StringField("Lý do khiếu nại", validators=[DataRequired("Ghi lý do."), Length(max=300)])


@bp.route("/tai-khoan")
def accounts_page():
    page = max(1, request.args.get("page", 1, type=int))
    stmt = visible(PaymentAccount).where(PaymentAccount.opened_by_org_id.is_not(None)).order_by(
        PaymentAccount.created_at.desc(), PaymentAccount.id.desc())
    pagination = db.paginate(stmt, page=page, per_page=PAGE_SIZE, error_out=False)
    return render("commune/accounts.html", block="results", pagination=pagination, page=page,
                  pages=max(1, pagination.pages), form=DisputeForm(), labels=ACCOUNT_STATUS)


@bp.route("/tai-khoan/<int:account_id>/khieu-nai", methods=["POST"])
def dispute_account(account_id):
    account = get_visible_or_404(PaymentAccount, account_id)
    form = DisputeForm()
    try:
        if not form.validate_on_submit():
            raise PortalError(" ".join(form.reason.errors) or "Ghi lý do khiếu nại.")
        account_flags.dispute(current_user, account, form.reason.data)
    except PortalError as err:
        db.session.rollback()
        flash(str(err), "error")
    else:
        db.session.commit()
        flash(f"Đã khiếu nại tài khoản {account.account_number}; {account.beneficiary.full_name} trở lại hình thức "
              "nhận trước đây.", "ok")
    return redirect(url_for("commune.accounts_page"))
