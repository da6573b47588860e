"""The month of a month-by-month page (tháng đang xem), read from the query string (``?thang=YYYY-MM``); the page of
a paged list is ``portal.paging``. A missing or malformed value never fails: the page shows its default month."""
from datetime import date

from flask import request
from sqlalchemy import func

from .areas import visible
from .clock import this_month_vn
from .errors import PortalError
from .extensions import db
from .models import PayoutList
from .services.entitlement.rates import parse_month


def month_arg(name: str = "thang", default: date | None = None) -> date:
    """The month in ``?thang=YYYY-MM`` as its first day. Missing or malformed: ``default`` when given, else the
    latest month with a payout list the user can see, else this month (Vietnam time)."""
    try:
        return parse_month(request.args[name])
    except (KeyError, PortalError):
        pass
    if default is not None:
        return default
    latest = db.session.execute(visible(PayoutList).with_only_columns(func.max(PayoutList.month))).scalar()
    return latest or this_month_vn()
