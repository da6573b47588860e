"""District office (Phòng LĐTBXH) page of flagged accounts (tài khoản có cảnh báo): a flagged account does not pay
until the district clears it here with a reason. Routes on the ``district`` blueprint; rules in
``portal.services.accounts.flags``."""
from flask import flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ...areas import get_visible_or_404, visible
from ...errors_web import flash_refusal
from ...extensions import db
from ...models import PaymentAccount
from ...rendering import render
from ...services.accounts import flags as account_flags
from .blueprint import bp


class ClearForm(FlaskForm):
    """Gỡ cảnh báo tài khoản."""

    reason = StringField("Lý do gỡ cảnh báo", validators=[DataRequired("Ghi lý do."), Length(max=300)])


@bp.route("/tai-khoan-canh-bao")
def flagged_accounts():
    show_all = request.args.get("tat_ca") == "1"
    rows = db.session.execute(account_flags.flagged_accounts(visible(PaymentAccount), show_all).limit(200)).scalars()
    return render("district/flagged_accounts.html", rows=list(rows), form=ClearForm(), show_all=show_all)


@bp.route("/tai-khoan/<int:account_id>/go-canh-bao", methods=["POST"])
def clear_account_flags(account_id):
    account = get_visible_or_404(PaymentAccount, account_id)
    form, back = ClearForm(), url_for("district.flagged_accounts")
    if not form.validate_on_submit():
        flash(" ".join(form.reason.errors) or "Ghi lý do gỡ cảnh báo.", "error")
        return redirect(back)
    flash_refusal(back)
    account_flags.clear_flags(current_user, account, form.reason.data)
    flash(f"Đã gỡ cảnh báo tài khoản {account.account_number} của {account.beneficiary.full_name}.", "ok")
    return redirect(back)
