"""Reports (báo cáo) for the province (Sở): the monthly overview of the cashless programme per unit in force in the
month — beneficiaries, their chosen payment channel, accounts opened, and the month's payout lists (people, amount,
amount paid). Before 07/2025 the 2024 tree (districts and their communes), from 07/2025 the 2025 tree (one row per
commune, no district: Law 72/2025/QH15, ``services.units``). Reference §2.5 (monthly progress report). Every
figure comes from a grouped query; money is integer đồng, months first-of-month dates."""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, func, select

from ...extensions import db
from ...models import (
    AdministrativeUnit,
    Beneficiary,
    LineResult,
    PaymentAccount,
    PaymentChannel,
    PayoutLine,
    PayoutList,
    UnitTransfer,
)
from ..registry.events import active_in_month
from ..units import in_force

CHANNELS = [c.value for c in PaymentChannel]


@dataclass
class OverviewRow:
    """Figures of one commune (or the sum of a district / the province): ``beneficiaries`` active,
    ``by_channel`` chosen channel value → count, ``accounts_opened`` (of those who chose an account channel, how many
    have an active account — so it never exceeds ``chose_account``),
    and for the month: ``list_people``, ``list_amount``, ``paid_amount`` (đồng), ``lists`` (number of lists)."""

    code: str
    name: str
    beneficiaries: int = 0
    by_channel: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHANNELS, 0))
    accounts_opened: int = 0
    lists: int = 0
    list_people: int = 0
    list_amount: int = 0
    paid_amount: int = 0

    @property
    def chose_account(self) -> int:
        """How many chose an account channel (bank account, e-wallet, mobile money)."""
        return sum(n for ch, n in self.by_channel.items() if PaymentChannel(ch).is_account)

    @property
    def empty(self) -> bool:
        """True when the unit has neither beneficiaries nor lists."""
        return not (self.beneficiaries or self.lists)

    def add(self, other: "OverviewRow") -> None:
        """Add ``other``'s figures to this row."""
        for name in ("beneficiaries", "accounts_opened", "lists", "list_people", "list_amount", "paid_amount"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for ch, n in other.by_channel.items():
            self.by_channel[ch] += n


@dataclass
class DistrictOverview:
    """One district: ``total`` row and its ``communes`` (all of them, in code order)."""

    total: OverviewRow
    communes: list[OverviewRow]


#: The row of figures kept under units not in force in the month: people of a split commune waiting to be placed
#: in a new one (``services.reform``).
ELSEWHERE = "Chưa xếp vào xã/phường của tháng (chờ sắp xếp)"


@dataclass
class ProvinceOverview:
    """``province_overview`` result: the ``month``; ``districts`` in code order (the 2024 tree, before 07/2025;
    empty after) or ``communes`` in code order (the 2025 tree: communes directly under the province; empty before);
    ``elsewhere``: the figures kept under units not in force in the month (``ELSEWHERE``), None when there are none;
    the province ``total`` (code: the province's official code in force, name "Toàn tỉnh"), which includes
    ``elsewhere``."""

    month: date
    districts: list[DistrictOverview]
    total: OverviewRow
    communes: list[OverviewRow] = field(default_factory=list)
    elsewhere: OverviewRow | None = None


def _grouped(stmt) -> list:
    return db.session.execute(stmt).all()


def _commune_before_reform(month: date):
    """Subquery (beneficiary_id, old_commune_code): for people moved by a reform of units effective after ``month``
    (``UnitTransfer``), the commune they belonged to in ``month`` (a month before the reform stays with the old
    commune)."""
    first = (select(UnitTransfer.beneficiary_id, func.min(UnitTransfer.effective_month).label("effective"))
             .where(UnitTransfer.effective_month > month).group_by(UnitTransfer.beneficiary_id).subquery())
    return (select(UnitTransfer.beneficiary_id, UnitTransfer.old_commune_code)
            .join(first, and_(first.c.beneficiary_id == UnitTransfer.beneficiary_id,
                              first.c.effective == UnitTransfer.effective_month)).subquery())


def province_overview(month: date) -> ProvinceOverview:
    """The province overview of ``month`` (first-of-month date) over the units in force in that month
    (``services.units.in_force``): per district and commune (2024 tree) or per commune (2025 tree), beneficiaries
    active in that month (``registry.events.active_in_month``; under the commune of that month, the old one for a
    month before the reform that moved them), by chosen channel, accounts opened, and the month's
    list totals (people, amount, paid amount) by the commune of the list. Figures under a unit not in force in the
    month go to ``elsewhere``. Five grouped queries whatever the number of communes."""
    month = month.replace(day=1)
    units = _grouped(select(AdministrativeUnit.code, AdministrativeUnit.name, AdministrativeUnit.level,
                            AdministrativeUnit.parent_code, AdministrativeUnit.gso_code)
                     .where(AdministrativeUnit.level.in_(("province", "district", "commune")), in_force(month))
                     .order_by(AdministrativeUnit.code))
    rows = {code: OverviewRow(code, name) for code, name, level, *_ in units if level == "commune"}
    elsewhere = OverviewRow("", ELSEWHERE)

    def row(code):
        return rows.get(code, elsewhere)

    active = active_in_month(month)  # status in the month per accepted events (a death in the month still counts)
    then = _commune_before_reform(month)
    commune = func.coalesce(then.c.old_commune_code, Beneficiary.commune_code)
    for code, channel, n in _grouped(select(commune, Beneficiary.payment_channel, func.count())
                                     .select_from(Beneficiary).outerjoin(then, then.c.beneficiary_id == Beneficiary.id)
                                     .where(active).group_by(commune, Beneficiary.payment_channel)):
        r = row(code)
        r.beneficiaries += n
        r.by_channel[channel] = r.by_channel.get(channel, 0) + n
    opened = (select(commune, func.count(func.distinct(Beneficiary.id))).select_from(Beneficiary)
              .join(PaymentAccount, PaymentAccount.beneficiary_id == Beneficiary.id)
              .outerjoin(then, then.c.beneficiary_id == Beneficiary.id)
              .where(active, PaymentAccount.active.is_(True),
                     Beneficiary.payment_channel.in_([c.value for c in PaymentChannel if c.is_account]))
              .group_by(commune))
    for code, n in _grouped(opened):
        row(code).accounts_opened += n
    for code, n_lists, people, amount in _grouped(
            select(PayoutList.commune_code, func.count(), func.sum(PayoutList.people_count),
                   func.sum(PayoutList.total_amount)).where(PayoutList.month == month)
            .group_by(PayoutList.commune_code)):
        r = row(code)
        r.lists, r.list_people, r.list_amount = r.lists + n_lists, r.list_people + int(people), \
            r.list_amount + int(amount)
    for code, paid in _grouped(select(PayoutList.commune_code, func.sum(PayoutLine.total)).join(PayoutLine)
                               .where(PayoutList.month == month, PayoutLine.result == LineResult.PAID.value)
                               .group_by(PayoutList.commune_code)):
        row(code).paid_amount += int(paid or 0)
    province = next(((gso or code) for code, _, level, _, gso in units if level == "province"), "")
    total = OverviewRow(province, "Toàn tỉnh")
    districts: list[DistrictOverview] = []
    communes: list[OverviewRow] = []
    district_codes = {code for code, _, level, *_ in units if level == "district"}
    by_district: dict[str, list[OverviewRow]] = {}
    for code, _, level, parent, _ in units:
        if level != "commune":
            continue
        if parent in district_codes:
            by_district.setdefault(parent, []).append(rows[code])
        else:  # the 2025 tree: the commune's parent is the province
            communes.append(rows[code])
            total.add(rows[code])
    for code, name, level, *_ in units:
        if level == "district":
            d = DistrictOverview(OverviewRow(code, name), by_district.get(code, []))
            for c in d.communes:
                d.total.add(c)
            total.add(d.total)
            districts.append(d)
    total.add(elsewhere)
    return ProvinceOverview(month, districts, total, communes, None if elsewhere.empty else elsewhere)
