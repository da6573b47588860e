"""Accounts at risk (tài khoản có nguy cơ không dùng được): the month's worklist for the commune, the payout office
and the bank — identity document expired or expiring (every CMND since 01/01/2025), or a failed account check —
with the reason, the deadline and what to do, and a short form to record the document an account was opened on; the
province sees the count per commune. Rules in ``portal.services.accounts.watch``."""
from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.widgets import HiddenInput

from ..access import checks_accounts, gate_any
from ..areas import get_visible_or_404
from ..errors_web import on_refusal
from ..models import Duty, PaymentAccount
from ..models.accounts import ID_DOCUMENT_KINDS
from ..query_args import month_arg
from ..rendering import render
from ..services.accounts import watch
from ..spreadsheets.reading import parse_date

bp = Blueprint("account_watch", __name__, url_prefix="/tai-khoan-rui-ro")
bp.before_request(gate_any(Duty.INTAKE, Duty.PAYOUT_MANAGEMENT, Duty.ACCOUNT_OPENING, Duty.OVERSIGHT))

SHOWN = 200


class DocumentForm(FlaskForm):
    """Giấy tờ mở tài khoản."""

    account_id = IntegerField(widget=HiddenInput(), validators=[DataRequired("Thiếu tài khoản.")])
    kind = SelectField("Loại giấy tờ", choices=[SelectChoice("", "Chưa rõ")] + [
        SelectChoice(k, v) for k, v in ID_DOCUMENT_KINDS.items()], validate_choice=False)
    expiry = StringField("Ngày hết hạn", render_kw={"type": "date"})


def _page(month, form=None, error=None, status=200):
    mine = checks_accounts(current_user)
    rows = watch.worklist(current_user, month) if mine else []
    return render("account_watch/index.html", month=month, rows=rows[:SHOWN], more=max(len(rows) - SHOWN, 0),
                  counts=watch.commune_counts(current_user, month), unknown=watch.unknown_documents(current_user),
                  form=form or DocumentForm(), kinds=ID_DOCUMENT_KINDS, error=error, mine=mine, status=status)


@bp.route("/")
def index():
    return _page(month_arg())


@bp.route("/giay-to", methods=["POST"])
def record_document():
    month = month_arg()
    form = DocumentForm()
    if not form.validate_on_submit():
        return _page(month, form, " ".join(e for errs in form.errors.values() for e in errs), 422)
    on_refusal(lambda err: _page(month, form, str(err), 422))
    account = get_visible_or_404(PaymentAccount, form.account_id.data)
    expiry = parse_date(form.expiry.data, "Ngày hết hạn") if form.expiry.data else None
    watch.record_document(current_user, account, form.kind.data, expiry)
    flash(f"Đã ghi giấy tờ mở tài khoản {account.account_number}.", "ok")
    return redirect(url_for("account_watch.index", thang=f"{month:%Y-%m}"))
