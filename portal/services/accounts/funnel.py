"""The account funnel the province watches (phễu mở tài khoản), per commune, per bank, per month:

    registered → chose an account → account opened → first successful transfer

with the cash-at-home exceptions (hình thức tiền mặt tại nhà) and their reasons. The same numbers feed the
province page (SVG chart, table, Excel export) and the monthly report (``reporting.monthly_report`` calls
``monthly_funnel``).

Definitions for ``month`` M (first-of-month date; "by M" means on or before the last day of M):

- ``registered``: beneficiaries with status ``active`` whose allowance starts by M (``start_month <= M``);
- ``chose_account``: of those, payment channel bank account / e-wallet / mobile money;
- ``account_opened``: of the registered, people with an account opened by M (any account ever recorded, even one
  later invalid or disputed: the stage was reached; an account taken from the commune's own list has no opening
  date and counts in every month — it existed before the portal); per bank by the account's provider;
- ``first_transfer``: of the registered, people with at least one payout line of a month ≤ M transferred to an
  account (``account_number`` set) and reported paid by the post office;
- ``cash_at_home``: registered people paid in cash at home, counted per ``CashAtHomeReason``;
- ``programmes``: people on the month's lists per programme (``social_assistance`` | ``social_pension``, the
  social pension of Decree 176/2025 since 07/2025), by the commune of the list.

Per bank (provider code, e.g. ``VBA``) only the last two stages exist (the first two belong to the commune). All
counts are of people (distinct beneficiaries). Seven grouped queries whatever the number of communes.
"""
import calendar
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, or_, select

from ...access import bank_ids
from ...extensions import db
from ...models import (
    AdministrativeUnit,
    Beneficiary,
    CashAtHomeReason,
    LineResult,
    PaymentAccount,
    PaymentChannel,
    PaymentProvider,
    PayoutLine,
    PayoutList,
    Programme,
)
from ...models.accounts import FEE_WAIVERS
from ...models.registry import ACCOUNT_CHANNELS
from ...spreadsheets.writing import write_workbook

STAGES = {"registered": "Đang hưởng", "chose_account": "Chọn nhận qua tài khoản",
          "account_opened": "Đã mở tài khoản", "first_transfer": "Nhận chuyển khoản thành công"}


@dataclass
class BankFunnel:
    """One bank's part of a commune's funnel: people whose account it opened by M, and of them paid by transfer."""

    code: str
    name: str
    account_opened: int = 0
    first_transfer: int = 0


@dataclass
class CommuneFunnel:
    """One commune's funnel for the month; ``banks`` sorted by name; ``cash_at_home`` reason key → people."""

    code: str
    name: str
    district_code: str | None
    registered: int = 0
    chose_account: int = 0
    account_opened: int = 0
    first_transfer: int = 0
    cash_at_home: dict[str, int] = field(default_factory=dict)
    banks: list[BankFunnel] = field(default_factory=list)
    programmes: dict[str, int] = field(default_factory=dict)  # programme → people on the month's lists

    @property
    def cash_at_home_total(self) -> int:
        """People paid in cash at home."""
        return sum(self.cash_at_home.values())

    def stage(self, key: str) -> int:
        """The count of a ``STAGES`` key."""
        return getattr(self, key)


@dataclass
class Funnel:
    """``monthly_funnel``'s answer: ``communes`` (with at least one registered person, by code), ``total`` (a
    CommuneFunnel named "Tổng cộng" summing them, banks merged) and ``month``."""

    month: date
    communes: list[CommuneFunnel]
    total: CommuneFunnel


def _month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def monthly_funnel(month: date, commune_codes=None) -> Funnel:
    """The funnel of ``month`` (first-of-month date) for ``commune_codes`` (an iterable of codes, or a scalar
    ``select`` such as ``areas.area_commune_codes(user)``; None = the whole province). Returns a ``Funnel``;
    raises nothing. Counts are people; see the module docstring for each stage."""
    month = month.replace(day=1)
    counts = _counts(month, commune_codes)
    codes = {r[0] for r in counts["base"]}
    units = {u.code: u for u in db.session.execute(
        select(AdministrativeUnit).where(AdministrativeUnit.code.in_(codes))).scalars()} if codes else {}
    rows = {c: CommuneFunnel(c, units[c].name if c in units else c, units[c].parent_code if c in units else None)
            for c in sorted(codes)}
    for code, n, chose in counts["base"]:
        rows[code].registered, rows[code].chose_account = int(n), int(chose or 0)
    for code, reason, n in counts["home"]:
        rows[code].cash_at_home[reason or CashAtHomeReason.OTHER.value] = (
            rows[code].cash_at_home.get(reason or CashAtHomeReason.OTHER.value, 0) + int(n))
    for code, n in counts["opened_total"]:
        rows[code].account_opened = int(n)
    for code, n in counts["paid_total"]:
        rows[code].first_transfer = int(n)
    _add_banks(rows, counts["opened_bank"], counts["paid_bank"])
    for code, programme, n in counts["programmes"]:
        if code in rows:
            rows[code].programmes[programme] = int(n)
    return Funnel(month, list(rows.values()), _total(list(rows.values())))


def _counts(month: date, commune_codes) -> dict[str, list]:
    """The seven grouped queries of the funnel, by commune (and bank): ``base`` (registered, chose an account),
    ``home`` (cash at home by reason), ``opened_total`` / ``opened_bank``, ``paid_total`` / ``paid_bank``,
    ``programmes`` (people on the month's lists per programme)."""
    end = _month_end(month)
    people = select(Beneficiary.id).where(Beneficiary.status == "active", Beneficiary.start_month <= month)
    if commune_codes is not None:
        people = people.where(Beneficiary.commune_code.in_(commune_codes))
    registered = select(people.subquery().c.id)

    def grouped(stmt):
        return db.session.execute(stmt).all()

    opened_filter = and_(PaymentAccount.beneficiary_id.in_(registered), or_(
        PaymentAccount.opened_on <= end, PaymentAccount.opened_on.is_(None)))
    paid_filter = and_(PayoutLine.beneficiary_id.in_(registered), PayoutLine.month <= month,
                       PayoutLine.account_number.is_not(None), PayoutLine.result == LineResult.PAID.value)
    people_count = func.count(func.distinct(Beneficiary.id))
    return {
        "base": grouped(select(Beneficiary.commune_code, func.count(),
                               func.sum(case((Beneficiary.payment_channel.in_(ACCOUNT_CHANNELS), 1), else_=0)))
                        .where(Beneficiary.id.in_(registered)).group_by(Beneficiary.commune_code)),
        "home": grouped(select(Beneficiary.commune_code, Beneficiary.cash_at_home_reason, func.count())
                        .where(Beneficiary.id.in_(registered),
                               Beneficiary.payment_channel == PaymentChannel.CASH_AT_HOME.value)
                        .group_by(Beneficiary.commune_code, Beneficiary.cash_at_home_reason)),
        "opened_total": grouped(select(Beneficiary.commune_code, people_count)
                                .join(PaymentAccount, PaymentAccount.beneficiary_id == Beneficiary.id)
                                .where(opened_filter).group_by(Beneficiary.commune_code)),
        "opened_bank": grouped(select(Beneficiary.commune_code, PaymentAccount.provider_code, people_count)
                               .join(PaymentAccount, PaymentAccount.beneficiary_id == Beneficiary.id)
                               .where(opened_filter).group_by(Beneficiary.commune_code, PaymentAccount.provider_code)),
        "paid_total": grouped(select(Beneficiary.commune_code, people_count)
                              .join(PayoutLine, PayoutLine.beneficiary_id == Beneficiary.id)
                              .where(paid_filter).group_by(Beneficiary.commune_code)),
        "programmes": grouped(_on_lists(month, commune_codes)),
        "paid_bank": grouped(select(Beneficiary.commune_code, PayoutLine.provider_code, people_count)
                             .join(PayoutLine, PayoutLine.beneficiary_id == Beneficiary.id)
                             .where(paid_filter).group_by(Beneficiary.commune_code, PayoutLine.provider_code)),
    }


def _on_lists(month: date, commune_codes):
    """(commune, programme, people) on the month's lists: distinct people with an allowance line."""
    stmt = (select(PayoutList.commune_code, PayoutList.programme, func.count(func.distinct(PayoutLine.beneficiary_id)))
            .join(PayoutList, PayoutList.id == PayoutLine.payout_list_id)
            .where(PayoutLine.month == month, PayoutLine.programme == "tcxh")
            .group_by(PayoutList.commune_code, PayoutList.programme))
    return stmt if commune_codes is None else stmt.where(PayoutList.commune_code.in_(commune_codes))


def _add_banks(rows: dict, opened_bank: list, paid_bank: list) -> None:
    """Each commune's banks (by provider name): accounts opened, and of them paid by transfer."""
    providers = dict(db.session.execute(select(PaymentProvider.code, PaymentProvider.name)).all())
    banks: dict[tuple[str, str], BankFunnel] = {}
    for code, provider, n in opened_bank:
        banks.setdefault((code, provider), BankFunnel(provider, providers.get(provider, provider))).account_opened = n
    for code, provider, n in paid_bank:
        if provider:
            banks.setdefault((code, provider), BankFunnel(provider, providers.get(provider, provider))
                             ).first_transfer = int(n)
    for (code, _), bank in sorted(banks.items(), key=lambda kv: kv[1].name):
        rows[code].banks.append(bank)


def _total(rows: list[CommuneFunnel]) -> CommuneFunnel:
    total = CommuneFunnel("", "Tổng cộng", None)
    merged: dict[str, BankFunnel] = {}
    for r in rows:
        for key in STAGES:
            setattr(total, key, total.stage(key) + r.stage(key))
        for reason, n in r.cash_at_home.items():
            total.cash_at_home[reason] = total.cash_at_home.get(reason, 0) + n
        for programme, n in r.programmes.items():
            total.programmes[programme] = total.programmes.get(programme, 0) + n
        for b in r.banks:
            m = merged.setdefault(b.code, BankFunnel(b.code, b.name))
            m.account_opened += b.account_opened
            m.first_transfer += b.first_transfer
    total.banks = sorted(merged.values(), key=lambda b: b.name)
    return total


def funnel_workbook(funnel: Funnel) -> bytes:
    """The funnel as an .xlsx (bytes): one row per commune and one per bank under it, then the total; columns
    Xã/phường, Ngân hàng, the four stages, Tiền mặt tại nhà, one column per cash-at-home reason, and the people on
    the month's lists per programme."""
    reasons = list(CashAtHomeReason)
    headers = ["Xã/phường", "Ngân hàng", *STAGES.values(), "Tiền mặt tại nhà", *(r.label for r in reasons),
               *(f"Trong danh sách: {p.label}" for p in Programme)]
    rows = []
    for c in [*funnel.communes, funnel.total]:
        rows.append([c.name, "", *(c.stage(k) for k in STAGES), c.cash_at_home_total,
                     *(c.cash_at_home.get(r.value, 0) for r in reasons), *(c.programmes.get(p.value, 0)
                                                                          for p in Programme)])
        for b in c.banks:
            rows.append([c.name, b.name, None, None, b.account_opened, b.first_transfer, None,
                         *(None for _ in reasons), *(None for _ in Programme)])
    return write_workbook([f"PHỄU MỞ TÀI KHOẢN NHẬN TRỢ CẤP - THÁNG {funnel.month:%m/%Y}",
                           "Số người; số mở tài khoản và nhận chuyển khoản tính đến hết tháng."],
                          headers, rows, text_columns=set(), sheet_title=f"Pheu T{funnel.month:%m-%Y}")


@dataclass
class WaiverRow:
    """Per bank (provider): active accounts recorded by bank branches, cards issued, and per fee waiver
    (``FEE_WAIVERS`` key) how many of those accounts carry it — who promised what (KH 2587 §V.6)."""

    code: str
    name: str
    accounts: int
    cards: int
    waivers: dict[str, int]


def waiver_summary(commune_codes=None) -> list[WaiverRow]:
    """``WaiverRow`` per provider of active accounts recorded by a bank branch, by name; ``commune_codes`` as in
    ``monthly_funnel``. One grouped query."""
    cols = [func.sum(case((getattr(PaymentAccount, w).is_(True), 1), else_=0)) for w in FEE_WAIVERS]
    stmt = (select(PaymentAccount.provider_code, func.count(),
                   func.sum(case((PaymentAccount.card_issued.is_(True), 1), else_=0)), *cols)
            .where(PaymentAccount.opened_by_org_id.in_(bank_ids()), PaymentAccount.active.is_(True))
            .group_by(PaymentAccount.provider_code))
    if commune_codes is not None:
        stmt = stmt.join(Beneficiary, Beneficiary.id == PaymentAccount.beneficiary_id).where(
            Beneficiary.commune_code.in_(commune_codes))
    providers = dict(db.session.execute(select(PaymentProvider.code, PaymentProvider.name)).all())
    rows = [WaiverRow(r[0], providers.get(r[0], r[0]), int(r[1]), int(r[2] or 0),
                      {w: int(v or 0) for w, v in zip(FEE_WAIVERS, r[3:], strict=False)})
            for r in db.session.execute(stmt)]
    return sorted(rows, key=lambda r: r.name)
