"""Who is left off the month's payout lists (người chưa có trong danh sách chi trả), recomputed from the register at
any time — so the district page shows the exclusions of a month after a reload, not only in the answer to "Lập
danh sách" (``payouts.build_lists`` returns them too, at build time). Read-only: no write, no audit.

A person is expected on a list of the commune that pays them *for that month* (``month_payers``, from the accepted
moves: ``registry.events.paying_commune``; Decree 20/2021 Art. 8.3–8.4), not of the commune their register row
belongs to today: someone who moved from A to B from 10/2026 belongs on A's lists up to 09/2026 and on B's from
10/2026."""
from datetime import date

from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from ...areas import area_commune_codes
from ...errors import PortalError
from ...extensions import db
from ...models import (
    AdministrativeUnit,
    Beneficiary,
    EventStatus,
    PayoutLine,
    PayoutList,
    RegistryEvent,
    UnitTransfer,
    User,
)
from ..entitlement.months import add_months
from ..entitlement.pension import allowance
from ..entitlement.rates import RateBook
from ..registry.death_reports import held as death_held
from ..registry.events import active_in_month
from .lists import describe, list_channel
from .payers import MonthPayers, month_payers

#: the closing words of every reason that only a new build fixes (``needs_rebuild``)
REBUILD = "bấm «Lập danh sách» để lập lại."
NOT_LISTED_YET = "Chưa có trong danh sách (thay đổi sau khi lập danh sách); " + REBUILD
HELD_UNPAID = "Tạm dừng do 3 tháng liên tục không nhận"
#: on a list of another commune than the one paying the month (e.g. a list built before a move was accepted)
WRONG_COMMUNE = ("Có trong danh sách chi trả tháng {month:%m/%Y} của {listed}, nhưng tháng này do {payer} chi trả "
                 "(chuyển đi/chuyển đến); " + REBUILD)
#: moved out (accepted) but the destination has not received the person yet: nobody may list them (a gap, never a
#: double payment); the destination's move-in (``registry.events.receive_move``) closes it, with back pay
#: the reform of administrative units split the person's old commune: a new commune must place them first
UNPLACED = ("Chờ xếp vào xã/phường mới: {old} đã bị chia tách khi sắp xếp đơn vị hành chính từ {effective:%m/%Y}; "
            "xã/phường mới xếp người này (theo khóm/ấp) rồi lập danh sách.")
MOVE_NOT_RECEIVED = ("Chuyển đến {payer} từ tháng {effective:%m/%Y}, xã/phường nơi đến chưa tiếp nhận (chưa có "
                     "trong danh sách của nơi đi lẫn nơi đến).")


def needs_rebuild(reason: str) -> bool:
    """True for a reason that means "missing": the lists must be built again (``NOT_LISTED_YET``,
    ``WRONG_COMMUNE``), as opposed to a stated reason for leaving the person off."""
    return reason.endswith(REBUILD)


def area_codes(actor: User) -> set[str] | None:
    """The commune codes of ``actor``'s area as a set (None: the whole province)."""
    area = area_commune_codes(actor)
    return None if area is None else set(db.session.execute(area).scalars())


def _held_after_unpaid(ids, month: date) -> set[int]:
    """Of the beneficiary ids ``ids`` (a select), those the build holds back in ``month``: their ``tcxh`` lines of
    the three months before were all reported ``failed`` and no accepted ``resume`` takes effect in ``month``
    (``entitlement.plan._three_unpaid``; Circular 02/2021 Art. 6.1.b). One query."""
    last3 = [add_months(month, -i) for i in (1, 2, 3)]
    resumed = select(RegistryEvent.beneficiary_id).where(
        RegistryEvent.kind == "resume", RegistryEvent.status == EventStatus.ACCEPTED.value,
        RegistryEvent.effective_month == month)
    return set(db.session.execute(
        select(PayoutLine.beneficiary_id).where(
            PayoutLine.programme == "tcxh", PayoutLine.month.in_(last3), PayoutLine.result == "failed",
            PayoutLine.beneficiary_id.in_(ids), PayoutLine.beneficiary_id.not_in(resumed))
        .group_by(PayoutLine.beneficiary_id).having(func.count(func.distinct(PayoutLine.month)) == 3)).scalars())


def month_exclusions(actor: User, month: date, payers: MonthPayers | None = None) -> list[tuple[Beneficiary, str]]:
    """People in ``actor``'s area who should be paid for ``month`` (first-of-month date: active in that month per
    the accepted events — ``registry.events.active_in_month`` —, started by then, paid that month by a commune of
    the area — ``month_payers``) but are on no payout line of that month on a list of that commune, as
    (beneficiary, Vietnamese reason), by commune then name. Reasons: no rate applies (Decree 20/2021 Art. 6 — the
    RateBook message); reported dead by the post office and not verified by the commune
    (``death_reports.HELD_REASON``); held after three unpaid months (``HELD_UNPAID``, like
    ``BuildResult.suspensions``); moved and not received yet by the destination (``MOVE_NOT_RECEIVED``); their
    list is already approved (a supplementary list is needed); on another commune's list (``WRONG_COMMUNE``);
    otherwise they were added or changed after the lists were built (``NOT_LISTED_YET``). ``payers``:
    ``month_payers(month)`` when the caller has it. A handful of queries plus the rate tables."""
    month = month.replace(day=1)
    payers = payers or month_payers(month)
    people, ids, listed_at = _not_listed(month, payers, area_codes(actor))
    if not people:
        return []
    reasons = _Reasons(month, payers, people, ids, listed_at)
    out = [(b, reasons.of(b)) for b in people]
    out.sort(key=lambda x: (payers.of(x[0]), x[0].name_sort, x[0].id))
    return out


def _not_listed(month: date, payers: MonthPayers, codes) -> tuple[list, object, dict]:
    """The people ``month_exclusions`` looks at: active and started in ``month``, paid that month by a commune of
    ``codes`` (None: all), and on no line of the month on a list of that commune. Returns (people, their ids as a
    select, beneficiary id → commune code of a list of the month they are on elsewhere)."""
    # on a line of the month on a list of their own register commune: listed where expected, unless they moved
    listed_at_home = exists().where(PayoutLine.beneficiary_id == Beneficiary.id, PayoutLine.month == month,
                                    PayoutLine.programme == "tcxh", PayoutLine.payout_list_id == PayoutList.id,
                                    PayoutList.commune_code == Beneficiary.commune_code)
    not_listed = ~listed_at_home
    if payers.moved:
        not_listed = not_listed | Beneficiary.id.in_(list(payers.moved))
    stmt = (select(Beneficiary).options(selectinload(Beneficiary.accounts), selectinload(Beneficiary.commune))
            .where(active_in_month(month), Beneficiary.start_month <= month, payers.condition(codes), not_listed)
            .order_by(Beneficiary.commune_code, Beneficiary.name_sort, Beneficiary.id))
    people = list(db.session.execute(stmt).scalars())
    if not people:
        return [], None, {}
    ids = stmt.with_only_columns(Beneficiary.id).order_by(None)  # as a subquery: no list of 150.000 ids
    listed_at = dict(db.session.execute(
        select(PayoutLine.beneficiary_id, PayoutList.commune_code).join(PayoutList).where(
            PayoutLine.month == month, PayoutLine.programme == "tcxh", PayoutLine.beneficiary_id.in_(ids))).all())
    return [b for b in people if listed_at.get(b.id) != payers.of(b)], ids, listed_at


class _Reasons:
    """Why each person ``_not_listed`` found is off the lists (``of``), from a handful of queries made once."""

    def __init__(self, month: date, payers: MonthPayers, people: list, ids, listed_at: dict):
        self.month, self.payers, self.listed_at = month, payers, listed_at
        self.held = _held_after_unpaid(ids, month)
        self.dead = death_held(month, ids)
        paying = {payers.of(b) for b in people}
        self.lists = {(lst.commune_code, lst.channel, lst.programme): lst for lst in db.session.execute(
            select(PayoutList).where(PayoutList.month == month, PayoutList.commune_code.in_(paying),
                                     PayoutList.sequence == 0)).scalars()}
        self.names = dict(db.session.execute(select(AdministrativeUnit.code, AdministrativeUnit.name).where(
            AdministrativeUnit.code.in_(paying | set(listed_at.values())))).all())
        self.book = RateBook.load()
        self.unplaced = {t.beneficiary_id: t for t in db.session.execute(select(UnitTransfer).where(
            UnitTransfer.new_commune_code.is_(None), UnitTransfer.beneficiary_id.in_(ids))).scalars()}

    def of(self, b: Beneficiary) -> str:
        """The Vietnamese reason ``b`` is off the lists (see ``month_exclusions`` for the order they are tried)."""
        payer = self.payers.of(b)
        if b.id in self.listed_at:
            listed = self.listed_at[b.id]
            return WRONG_COMMUNE.format(month=self.month, listed=self.names.get(listed, listed),
                                        payer=self.names.get(payer, payer))
        if b.id in self.unplaced:
            t = self.unplaced[b.id]
            return UNPLACED.format(old=b.commune.name if b.commune else t.old_commune_code,
                                   effective=t.effective_month)
        if b.id in self.payers.waiting:
            return MOVE_NOT_RECEIVED.format(payer=self.names.get(payer, payer),
                                            effective=self.payers.waiting[b.id].effective_month)
        if b.id in self.dead:
            return self.dead[b.id]
        if b.id in self.held:
            return HELD_UNPAID
        try:
            programme = allowance(self.book, b, self.month).programme
        except PortalError as err:
            return str(err)
        lst = self.lists.get((payer, list_channel(b).value, programme))
        if lst is not None and lst.status_enum.frozen:
            return f"Danh sách {describe(lst)} đã phê duyệt; cần lập danh sách bổ sung."
        return NOT_LISTED_YET
