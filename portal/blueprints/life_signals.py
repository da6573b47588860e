"""People not seen alive for months (đối tượng lâu chưa có dấu hiệu còn sống): the monthly list for the commune, the
payout office and the province, each with their last signal (cash signed for, account check "hoạt động", police
check, home visit), and the commune's short form to record a home visit. Rules in
``portal.services.registry.life_signals``; the number of months is ``LIFE_SIGNAL_MONTHS`` (configuration)."""
from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import HiddenInput

from ..access import gate_any
from ..areas import get_visible_or_404
from ..errors_web import on_refusal
from ..models import Beneficiary, Duty
from ..query_args import month_arg
from ..rendering import render
from ..services.registry import life_signals
from ..spreadsheets.reading import parse_date

bp = Blueprint("life_signals", __name__, url_prefix="/dau-hieu-con-song")
bp.before_request(gate_any(Duty.INTAKE, Duty.PAYOUT_MANAGEMENT, Duty.OVERSIGHT))

SHOWN = 200


class VisitForm(FlaskForm):
    """Ghi lần đến thăm."""

    beneficiary_id = IntegerField(widget=HiddenInput(), validators=[DataRequired("Thiếu đối tượng.")])
    visited_on = StringField("Ngày thăm", validators=[DataRequired("Nhập ngày thăm.")], render_kw={"type": "date"})
    note = StringField("Ghi chú", validators=[Length(max=300, message="Ghi chú tối đa 300 ký tự.")])


def _page(month, form=None, error=None, status=200):
    rows = life_signals.unseen(current_user, month)
    return render("life_signals/index.html", month=month, rows=rows[:SHOWN], total=len(rows),
                  months=life_signals.signal_months(), form=form or VisitForm(), error=error, status=status)


@bp.route("/")
def index():
    return _page(month_arg())


@bp.route("/tham", methods=["POST"])
def visit():
    month = month_arg()
    form = VisitForm()
    if not form.validate_on_submit():
        return _page(month, form, " ".join(e for errs in form.errors.values() for e in errs), 422)
    on_refusal(lambda err: _page(month, form, str(err), 422))
    person = get_visible_or_404(Beneficiary, form.beneficiary_id.data)
    life_signals.record_visit(current_user, person, parse_date(form.visited_on.data, "Ngày thăm"), form.note.data)
    flash(f"Đã ghi lần đến thăm {person.full_name}.", "ok")
    return redirect(url_for("life_signals.index", thang=f"{month:%Y-%m}"))
