"""Helpers shared by the payout-list pages of the district, commune and post office blueprints (no routes): the
month picked in the query string, the month to show by default, one page of a list's lines. Rows are always loaded
through ``portal.access``."""
from datetime import date
from math import ceil

from flask import request
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..access import visible
from ..clock import this_month_vn
from ..errors import PortalError
from ..extensions import db
from ..models import PayoutLine, PayoutList
from ..services.entitlement.rates import parse_month

LINES_PER_PAGE = 15  # keeps the htmx page-of-lines fragment under 5 KB


def month_arg(name: str = "thang") -> date:
    """The month in ``?thang=YYYY-MM``; else the latest month with a list the user can see; else this month
    (Vietnam time). A malformed value falls back the same way."""
    try:
        return parse_month(request.args[name])
    except (KeyError, PortalError):
        pass
    latest = db.session.execute(visible(PayoutList).with_only_columns(func.max(PayoutList.month))).scalar()
    return latest or this_month_vn()


def page_arg() -> int:
    """``?trang=N`` (1-based, at least 1)."""
    return max(1, request.args.get("trang", 1, type=int))


def lines_page(lst: PayoutList, page: int, size: int = LINES_PER_PAGE) -> tuple[list[PayoutLine], int, int]:
    """One page of ``lst``'s lines in list order: (lines, page clamped to the last page, number of pages)."""
    pages = max(1, ceil((lst.people_count or 0) / size))
    page = min(page, pages)
    lines = list(db.session.execute(select(PayoutLine).where(PayoutLine.payout_list_id == lst.id)
                                    .order_by(PayoutLine.position).offset((page - 1) * size).limit(size)).scalars())
    return lines, page, pages


class ReturnForm(FlaskForm):
    """Trả lại danh sách để sửa, với lý do (commune, approver or post office; ``payouts.return_list``)."""

    reason = StringField("Lý do trả lại", validators=[DataRequired("Ghi lý do trả lại."), Length(
        min=5, max=300, message="Lý do từ 5 đến 300 ký tự.")])
