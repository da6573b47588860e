"""Reports (báo cáo) for the province (Sở): the monthly overview per district and commune of the cashless
programme — beneficiaries, their chosen payment channel, accounts opened, and the month's payout lists (people,
amount, amount paid). Reference §2.5 (monthly progress report). Every figure comes from a grouped query; money is
integer đồng, months first-of-month dates."""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from ...extensions import db
from ...models import (
    AdministrativeUnit,
    Beneficiary,
    LineResult,
    PaymentAccount,
    PaymentChannel,
    PayoutLine,
    PayoutList,
)
from ..registry.events import active_in_month

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


@dataclass
class ProvinceOverview:
    """``province_overview`` result: the ``month``, ``districts`` in code order and the province ``total``."""

    month: date
    districts: list[DistrictOverview]
    total: OverviewRow


def _grouped(stmt) -> list:
    return db.session.execute(stmt).all()


def province_overview(month: date) -> ProvinceOverview:
    """The province overview of ``month`` (first-of-month date): per district and commune, beneficiaries active in
    that month (``registry.events.active_in_month``),
    by chosen channel, accounts opened, and the month's list totals (people, amount, paid amount). Five grouped
    queries whatever the number of communes."""
    month = month.replace(day=1)
    units = _grouped(select(AdministrativeUnit.code, AdministrativeUnit.name, AdministrativeUnit.level,
                            AdministrativeUnit.parent_code)
                     .where(AdministrativeUnit.level.in_(("district", "commune"))).order_by(AdministrativeUnit.code))
    rows = {code: OverviewRow(code, name) for code, name, level, _ in units if level == "commune"}
    active = active_in_month(month)  # status in the month per accepted events (a death in the month still counts)
    for code, channel, n in _grouped(select(Beneficiary.commune_code, Beneficiary.payment_channel, func.count())
                                     .where(active).group_by(Beneficiary.commune_code, Beneficiary.payment_channel)):
        if code in rows:
            rows[code].beneficiaries += n
            rows[code].by_channel[channel] = rows[code].by_channel.get(channel, 0) + n
    opened = (select(Beneficiary.commune_code, func.count(func.distinct(Beneficiary.id)))
              .join(PaymentAccount, PaymentAccount.beneficiary_id == Beneficiary.id)
              .where(active, PaymentAccount.active.is_(True),
                     Beneficiary.payment_channel.in_([c.value for c in PaymentChannel if c.is_account]))
              .group_by(Beneficiary.commune_code))
    for code, n in _grouped(opened):
        if code in rows:
            rows[code].accounts_opened = n
    for code, n_lists, people, amount in _grouped(
            select(PayoutList.commune_code, func.count(), func.sum(PayoutList.people_count),
                   func.sum(PayoutList.total_amount)).where(PayoutList.month == month)
            .group_by(PayoutList.commune_code)):
        if code in rows:
            rows[code].lists, rows[code].list_people, rows[code].list_amount = n_lists, int(people), int(amount)
    for code, paid in _grouped(select(PayoutList.commune_code, func.sum(PayoutLine.total)).join(PayoutLine)
                               .where(PayoutList.month == month, PayoutLine.result == LineResult.PAID.value)
                               .group_by(PayoutList.commune_code)):
        if code in rows:
            rows[code].paid_amount = int(paid or 0)
    districts, total = [], OverviewRow("89", "Toàn tỉnh")
    by_district: dict[str, list[OverviewRow]] = {}
    for code, _, level, parent in units:
        if level == "commune":
            by_district.setdefault(parent, []).append(rows[code])
    for code, name, level, _ in units:
        if level == "district":
            d = DistrictOverview(OverviewRow(code, name), by_district.get(code, []))
            for c in d.communes:
                d.total.add(c)
            total.add(d.total)
            districts.append(d)
    return ProvinceOverview(month, districts, total)
