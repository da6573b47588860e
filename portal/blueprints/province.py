"""Province (Sở) pages: the monthly overview per district and commune — beneficiaries, chosen payment channels,
accounts opened and the month's payout totals. Gated on the ``oversight`` duty (the province sees the whole
province); figures come from ``portal.services.reports``. No personal data and no category is shown here."""
from datetime import datetime, timedelta, timezone

from flask import Blueprint, request
from sqlalchemy import func, select

from ..access import gate
from ..errors import PortalError
from ..extensions import db
from ..models import Duty, PayoutList
from ..rendering import render
from ..services.entitlement import parse_month
from ..services.reports import province_overview

bp = Blueprint("province", __name__, url_prefix="/tinh")
bp.before_request(gate(Duty.OVERSIGHT))


def _month():
    try:
        return parse_month(request.args["thang"])
    except (KeyError, PortalError):
        latest = db.session.execute(select(func.max(PayoutList.month))).scalar()
        return latest or datetime.now(timezone(timedelta(hours=7))).date().replace(day=1)


@bp.route("/")
def index():
    month = _month()
    show_all = request.args.get("tat_ca") == "1"
    return render("province/index.html", block="overview", overview=province_overview(month), month=month,
                  show_all=show_all)
