"""District labour office (Phòng LĐTBXH) pages: building the month's payout lists (one per commune × channel),
checking them and approving them. Gated on the ``payout_management`` duty; rows are loaded through
``portal.access``; the rules (who may approve, frozen lists) live in ``portal.services.payouts``."""
from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import selectinload
from wtforms import StringField
from wtforms.validators import DataRequired, ValidationError as FormError

from ..access import gate, get_visible_or_404, visible
from ..errors import AccessDenied, PortalError
from ..extensions import db
from ..models import Duty, ListStatus, PayoutList
from ..rendering import render
from ..services import payouts
from ..services.audit import events_for
from ..services.entitlement import parse_month
from ..services.payout_results import totals
from .payout_pages import lines_page, month_arg, page_arg

bp = Blueprint("district", __name__, url_prefix="/huyen")
bp.before_request(gate(Duty.PAYOUT_MANAGEMENT))


class BuildForm(FlaskForm):
    """Lập danh sách chi trả của một tháng."""

    month = StringField("Tháng chi trả", validators=[DataRequired("Chọn tháng.")], render_kw={"type": "month"})

    def validate_month(self, field):
        try:
            self.month_date = parse_month(field.data)
        except PortalError as err:
            raise FormError(str(err)) from err


def _month_lists(month):
    return list(db.session.execute(visible(PayoutList).where(PayoutList.month == month)
                                   .options(selectinload(PayoutList.commune))
                                   .order_by(PayoutList.commune_code, PayoutList.channel)).scalars())


@bp.route("/")
def index():
    month = month_arg()
    form = BuildForm(data={"month": f"{month:%Y-%m}"})
    return render("district/index.html", block="lists", month=month, lists=_month_lists(month), form=form)


@bp.route("/chi-tra/lap", methods=["POST"])
def build():
    form = BuildForm()
    if not form.validate_on_submit():
        month = month_arg()
        return render("district/index.html", block="lists", month=month, lists=_month_lists(month), form=form,
                      status=422)
    result = payouts.build_lists(current_user, form.month_date)
    db.session.commit()
    return render("district/index.html", block="lists", month=form.month_date, form=form, result=result,
                  lists=_month_lists(form.month_date))


def _can_approve(lst) -> bool:
    return (current_user.is_approver and current_user.id != lst.prepared_by_id
            and lst.status == ListStatus.CONFIRMED)


def _detail(lst, error=None, status=200):
    lines, page, pages = lines_page(lst, page_arg())
    return render("district/list.html", block="lines", lst=lst, lines=lines, page=page, pages=pages,
                  totals=totals(lst), can_approve=_can_approve(lst), form=FlaskForm(), error=error,
                  events=events_for("payout_list", lst.id), status=status)


@bp.route("/chi-tra/<int:list_id>")
def payout_list(list_id):
    return _detail(get_visible_or_404(PayoutList, list_id))


@bp.route("/chi-tra/<int:list_id>/phe-duyet", methods=["POST"])
def approve(list_id):
    lst = get_visible_or_404(PayoutList, list_id)
    try:
        payouts.approve_list(current_user, lst)
    except PortalError as err:
        db.session.rollback()
        return _detail(db.session.get(PayoutList, list_id), str(err), 403 if isinstance(err, AccessDenied) else 422)
    db.session.commit()
    flash(f"Đã phê duyệt danh sách {payouts.describe(lst)}.", "ok")
    return redirect(url_for("district.payout_list", list_id=lst.id))
