"""Commune payout-list pages (danh sách chi trả của xã): the commune's lists by month, one list with its lines, and
"Xác nhận danh sách" (the commune confirms the list the district prepared, before the district approves it).
Routes on the commune blueprint (gated on ``intake``); rows come through ``portal.access``."""
from flask import flash, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import selectinload

from ...areas import get_visible_or_404, visible
from ...errors_web import on_refusal
from ...extensions import db
from ...models import ListStatus, PayoutList
from ...rendering import render
from ...services.audit import events_for
from ...services.payouts import cycle
from ...services.payouts.lines import line_notes
from ...services.payouts.lists import describe
from ...services.payouts.results import totals
from ...services.payouts.workflow import confirm_list, return_list
from ..payout_pages import ReturnForm, lines_page
from .blueprint import bp


@bp.route("/chi-tra")
def payout_lists():
    """The commune's payout lists, newest month first."""
    lists = db.session.execute(visible(PayoutList).options(selectinload(PayoutList.commune))
                               .order_by(PayoutList.month.desc(), PayoutList.channel)).scalars().all()
    return render("commune/payouts.html", lists=lists)


def _detail(lst, error=None, status=200, return_form=None):
    lines, page, pages = lines_page(lst)
    return render("commune/payouts_list.html", block="lines", lst=lst, lines=lines, page=page, pages=pages,
                  notes=line_notes(lst, lines), totals=totals(lst), form=FlaskForm(), error=error,
                  can_confirm=lst.status == ListStatus.DRAFT, events=events_for("payout_list", lst.id), status=status,
                  control=cycle.control_totals(lst), deadlines=cycle.deadlines(lst.month),
                  return_form=return_form or ReturnForm())


@bp.route("/chi-tra/<int:list_id>")
def payout_list(list_id):
    return _detail(get_visible_or_404(PayoutList, list_id))


@bp.route("/chi-tra/<int:list_id>/xac-nhan", methods=["POST"])
def confirm_payout_list(list_id):
    lst = get_visible_or_404(PayoutList, list_id)
    on_refusal(lambda err: _detail(lst, str(err), 422))
    confirm_list(current_user, lst)
    flash(f"Đã xác nhận danh sách {describe(lst)}.", "ok")
    return redirect(url_for("commune.payout_list", list_id=lst.id))


@bp.route("/chi-tra/<int:list_id>/tra-lai", methods=["POST"])
def return_payout_list(list_id):
    """The commune sends its draft list back to the district (before confirming it), with a reason."""
    lst = get_visible_or_404(PayoutList, list_id)
    form = ReturnForm()
    if not form.validate_on_submit():
        return _detail(lst, status=422, return_form=form)
    on_refusal(lambda err: _detail(lst, str(err), 422, form))
    return_list(current_user, lst, form.reason.data)
    flash(f"Đã trả lại danh sách {describe(lst)} cho {lst.payout_office.display_name}.", "ok")
    return redirect(url_for("commune.payout_list", list_id=lst.id))
