"""Helpers shared by the payout-list pages of the district, commune and post office blueprints (no routes): one page
of a list's lines, and the form returning a list. Rows are always loaded through ``portal.access``."""
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..extensions import db
from ..models import PayoutLine, PayoutList
from ..paging import clamp_page, page_arg, page_count

LINES_PER_PAGE = 15  # keeps the htmx page-of-lines fragment under 5 KB


def lines_page(lst: PayoutList, size: int = LINES_PER_PAGE) -> tuple[list[PayoutLine], int, int]:
    """The page ``?trang=N`` of ``lst``'s lines in list order: (lines, page clamped to the list, number of pages)."""
    total = lst.people_count or 0
    page = clamp_page(page_arg("trang"), total, size)
    lines = list(db.session.execute(select(PayoutLine).where(PayoutLine.payout_list_id == lst.id)
                                    .order_by(PayoutLine.position).offset((page - 1) * size).limit(size)).scalars())
    return lines, page, page_count(total, size)


class ReturnForm(FlaskForm):
    """Trả lại danh sách để sửa, với lý do (commune, approver or post office; ``payouts.return_list``)."""

    reason = StringField("Lý do trả lại", validators=[DataRequired("Ghi lý do trả lại."), Length(
        min=5, max=300, message="Lý do từ 5 đến 300 ký tự.")])
