"""Who is left off the month's payout lists (người chưa có trong danh sách chi trả), recomputed from the register at
any time — so the district page shows the exclusions of a month after a reload, not only in the answer to "Lập
danh sách" (``payouts.build_lists`` returns them too, at build time). Read-only: no write, no audit."""
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..access import area_commune_codes
from ..errors import PortalError
from ..extensions import db
from ..models import Beneficiary, EventStatus, PayoutLine, PayoutList, RegistryEvent, User
from .entitlement import RateBook
from .entitlement_months import add_months
from .payouts import describe, list_channel

NOT_LISTED_YET = "Chưa có trong danh sách (thay đổi sau khi lập danh sách); bấm «Lập danh sách» để lập lại."
HELD_UNPAID = "Tạm dừng do 3 tháng liên tục không nhận"


def _held_after_unpaid(ids, month: date) -> set[int]:
    """Of the beneficiary ids ``ids`` (a select), those the build holds back in ``month``: their ``tcxh`` lines of
    the three months before were all reported ``failed`` and no accepted ``resume`` takes effect in ``month``
    (``entitlement_months._three_unpaid``; Circular 02/2021 Art. 6.1.b). One query."""
    last3 = [add_months(month, -i) for i in (1, 2, 3)]
    resumed = select(RegistryEvent.beneficiary_id).where(
        RegistryEvent.kind == "resume", RegistryEvent.status == EventStatus.ACCEPTED.value,
        RegistryEvent.effective_month == month)
    return set(db.session.execute(
        select(PayoutLine.beneficiary_id).where(
            PayoutLine.programme == "tcxh", PayoutLine.month.in_(last3), PayoutLine.result == "failed",
            PayoutLine.beneficiary_id.in_(ids), PayoutLine.beneficiary_id.not_in(resumed))
        .group_by(PayoutLine.beneficiary_id).having(func.count(func.distinct(PayoutLine.month)) == 3)).scalars())


def month_exclusions(actor: User, month: date) -> list[tuple[Beneficiary, str]]:
    """People in ``actor``'s area who should be paid for ``month`` (first-of-month date: ``active``, started by then)
    but are on no payout line of that month, as (beneficiary, Vietnamese reason), by commune then name. Reasons: no
    rate applies (Decree 20/2021 Art. 6 — the RateBook message); held after three unpaid months (``HELD_UNPAID``,
    like ``BuildResult.suspensions``); their list is already approved (a supplementary
    list is needed); otherwise they were added or changed after the lists were built. Two queries plus the rate
    tables, plus one query for those held."""
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
    held = _held_after_unpaid(stmt.with_only_columns(Beneficiary.id).order_by(None), month)
    lists = {(l.commune_code, l.channel): l for l in db.session.execute(select(PayoutList).where(
        PayoutList.month == month, PayoutList.commune_code.in_({b.commune_code for b in people}),
        PayoutList.sequence == 0)).scalars()}
    book = RateBook.load()
    out = []
    for b in people:
        if b.id in held:
            out.append((b, HELD_UNPAID))
            continue
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
