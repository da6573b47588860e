"""Who is left off the month's payout lists (người chưa có trong danh sách chi trả), recomputed from the register at
any time — so the district page shows the exclusions of a month after a reload, not only in the answer to "Lập
danh sách" (``payouts.build_lists`` returns them too, at build time). Read-only: no write, no audit."""
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..access import area_commune_codes
from ..errors import PortalError
from ..extensions import db
from ..models import Beneficiary, PayoutLine, PayoutList, User
from .entitlement import RateBook
from .payouts import describe, list_channel

NOT_LISTED_YET = "Chưa có trong danh sách (thay đổi sau khi lập danh sách); bấm «Lập danh sách» để lập lại."


def month_exclusions(actor: User, month: date) -> list[tuple[Beneficiary, str]]:
    """People in ``actor``'s area who should be paid for ``month`` (first-of-month date: ``active``, started by then)
    but are on no payout line of that month, as (beneficiary, Vietnamese reason), by commune then name. Reasons: no
    rate applies (Decree 20/2021 Art. 6 — the RateBook message); their list is already approved (a supplementary
    list is needed); otherwise they were added or changed after the lists were built. Two queries plus the rate
    tables."""
    month = month.replace(day=1)
    listed = select(PayoutLine.beneficiary_id).where(PayoutLine.month == month, PayoutLine.programme == "tcxh")
    stmt = (select(Beneficiary).options(selectinload(Beneficiary.accounts), selectinload(Beneficiary.commune))
            .where(Beneficiary.status == "active", Beneficiary.start_month <= month, Beneficiary.id.not_in(listed))
            .order_by(Beneficiary.commune_code, Beneficiary.name_sort, Beneficiary.id))
    area = area_commune_codes(actor)
    if area is not None:
        stmt = stmt.where(Beneficiary.commune_code.in_(area))
    people = list(db.session.execute(stmt).scalars())
    if not people:
        return []
    lists = {(l.commune_code, l.channel): l for l in db.session.execute(select(PayoutList).where(
        PayoutList.month == month, PayoutList.commune_code.in_({b.commune_code for b in people}),
        PayoutList.sequence == 0)).scalars()}
    book = RateBook.load()
    out = []
    for b in people:
        lst = lists.get((b.commune_code, list_channel(b).value))
        if lst is not None and lst.status_enum.frozen:
            out.append((b, f"Danh sách {describe(lst)} đã phê duyệt; cần lập danh sách bổ sung."))
            continue
        try:
            book.amount_for(b, month)
        except PortalError as err:
            out.append((b, str(err)))
            continue
        out.append((b, NOT_LISTED_YET))
    return out
