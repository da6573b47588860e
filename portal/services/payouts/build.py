"""Building the month's payout lists (lập danh sách chi trả trợ cấp xã hội hằng tháng): one DRAFT list per commune,
channel and programme (social assistance, social pension) from the register, the month engine (``entitlement.plan``) and
the accounts, with back pay, care and funeral lines and the unpaid amounts carried over; a rebuild replaces a draft's
lines. What follows a build (confirm, approve, accept, settle) is in ``payouts.workflow``; results in
``payouts.results``.

Amounts come from the rate tables (``entitlement.rates.RateBook``), never from a spreadsheet. Money is integer đồng;
months are first-of-month dates. Every write records an audit event and flushes, never commits.
"""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, delete, func, or_, select, type_coerce
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.types import NullType

from ...clock import utcnow
from ...errors import StateError
from ...extensions import db
from ...formatting import money
from ...models import (
    AdditionalCategory,
    Beneficiary,
    CareArrangement,
    Duty,
    EventStatus,
    ListChannel,
    ListStatus,
    PaymentAccount,
    PayoutLine,
    PayoutList,
    RegistryEvent,
    User,
)
from ..audit import record
from ..bulk import paused_gc
from ..entitlement.months import LOOKBACK_MONTHS, History, LinePlan, add_months, describe_months, month_key
from ..entitlement.plan import plan_person
from ..entitlement.rates import RateBook, fee_for
from ..organizations import serving_organizations
from ..reform import check_placed
from ..registry.death_reports import held as death_held
from .carry_over import unpaid_carry_over
from .lines import insert_lines, line_row
from .lists import FROZEN, area_communes, describe, list_channel, require_manager, supplement_reason


@dataclass
class BuildResult:
    """What ``build_lists`` did: ``lists`` built or rebuilt (sorted by commune, channel), ``exclusions`` as
    (beneficiary, Vietnamese reason) for people left off, ``skipped`` frozen lists left untouched."""

    lists: list[PayoutList] = field(default_factory=list)
    exclusions: list[tuple[Beneficiary, str]] = field(default_factory=list)
    skipped: list[PayoutList] = field(default_factory=list)
    suspensions: list[Beneficiary] = field(default_factory=list)  # held after 3 unpaid months (the commune
    # records the suspension event)


@dataclass
class _Loaded:
    """Everything build needs for a set of communes, loaded in a fixed number of queries."""

    people: list
    events: dict
    extras: dict
    care: dict
    tcxh: dict
    care_history: dict
    funeral_paid: set
    history_start: dict


_MOVES_AND_ENDS = ("move_in", "move_out", "death", "stop")


def _load(codes: list[str], month: date) -> _Loaded:
    """Bulk-load the people of ``codes`` payable in ``month`` (active or suspended and started; plus anyone with an
    accepted move / death / stop event there in the last 24 months, for funeral support and recoveries), their
    accepted events, extra categories, care arrangements and earlier lines — no per-person query."""
    recent = add_months(month, -24)
    ev_ids = select(RegistryEvent.beneficiary_id).where(
        RegistryEvent.status == EventStatus.ACCEPTED.value, RegistryEvent.commune_code.in_(codes),
        RegistryEvent.kind.in_(_MOVES_AND_ENDS), RegistryEvent.effective_month >= recent)
    mine = or_(Beneficiary.commune_code.in_(codes), Beneficiary.id.in_(ev_ids))
    pids = select(Beneficiary.id).where(mine)
    people = list(db.session.execute(
        select(Beneficiary)
        .where(or_(and_(Beneficiary.commune_code.in_(codes), Beneficiary.status.in_(("active", "suspended")),
                        Beneficiary.start_month <= month), Beneficiary.id.in_(ev_ids)))
        .order_by(Beneficiary.commune_code, Beneficiary.name_sort, Beneficiary.id)).scalars())

    def by_person(stmt):
        out: dict[int, list] = {}
        for row in db.session.execute(stmt).scalars():
            out.setdefault(row.beneficiary_id, []).append(row)
        return out

    # the accounts in one query (a selectin load sends one per 500 people), as ``Beneficiary.accounts`` (by id)
    accounts = by_person(select(PaymentAccount).where(PaymentAccount.beneficiary_id.in_(pids))
                         .order_by(PaymentAccount.id))
    for b in people:
        if "accounts" not in b.__dict__:  # a collection loaded before stays as it is, as with a selectin load
            set_committed_value(b, "accounts", accounts.get(b.id, []))

    events = by_person(select(RegistryEvent).where(RegistryEvent.status == EventStatus.ACCEPTED.value,
                                                   RegistryEvent.beneficiary_id.in_(pids)))
    extras = by_person(select(AdditionalCategory).where(AdditionalCategory.beneficiary_id.in_(pids)))
    care = by_person(select(CareArrangement).where(CareArrangement.beneficiary_id.in_(pids)))
    tcxh: dict[int, History] = {}
    care_history: dict[int, History] = {}
    funeral_paid: set[int] = set()
    for bid, programme, m, amount, care_amt, level, entries, res, funeral, coef, scheme in _earlier_lines(
            pids, month, len(people)):
        if programme == "tcxh":
            history = tcxh.get(bid)
            if history is None:
                history = tcxh[bid] = History()
            history.add_line(m, amount, level, entries, res, coef, scheme)
        elif programme == "care":
            care_history.setdefault(bid, History()).add_line(m, care_amt or 0, level, entries, res)
        elif programme == "funeral":
            if funeral:
                funeral_paid.add(bid)
            if entries:  # a recovery of the allowance shown on the funeral line (``_drop_empty_lines``)
                tcxh.setdefault(bid, History()).add_entries(entries)
    funeral_paid |= set(db.session.execute(select(PayoutLine.beneficiary_id).where(
        PayoutLine.programme == "funeral", PayoutLine.beneficiary_id.in_(pids),
        PayoutLine.month < add_months(month, -LOOKBACK_MONTHS))).scalars())
    history_start = dict(db.session.execute(select(PayoutList.commune_code, func.min(PayoutList.month)).where(
        PayoutList.commune_code.in_(codes)).group_by(PayoutList.commune_code)).all())
    return _Loaded(people, events, extras, care, tcxh, care_history, funeral_paid, history_start)


def _earlier_lines(pids, month: date, people: int):
    """The lines of the people ``pids`` (a select of ids; ``people`` of them are built) for the ``LOOKBACK_MONTHS``
    before ``month``, one query: (beneficiary id, line programme, month, regular + top-up, care support, standard
    level, back-pay entries or None, result, funeral support, coefficient Decimal, list programme). About twelve rows
    a person in a running province (1,8 million for 150.000 people), so the rows come straight from the connection
    and each column's type conversion (date, Decimal, JSON) runs once per distinct raw value, not once per row.

    On SQLite, for a build of a third of the register or more, the lines are read in one pass and matched against
    the ids (``beneficiary_id + 0`` keeps SQLite off the index): seeking them person by person through the index on
    ``beneficiary_id`` reads the table in random order, about three times as slow for a province."""
    line, lst = PayoutLine.__table__, PayoutList.__table__
    person = line.c.beneficiary_id
    if db.session.get_bind().dialect.name == "sqlite" and people * 3 >= db.session.execute(
            select(func.count()).select_from(Beneficiary)).scalar():
        person = person + 0
    raw = [type_coerce(col, NullType) for col in (line.c.month, line.c.back_pay_months, line.c.coefficient)]
    stmt = (select(line.c.beneficiary_id, line.c.programme, raw[0],
                   func.coalesce(line.c.regular_amount, 0) + func.coalesce(line.c.top_up, 0), line.c.care_support,
                   line.c.standard_level, raw[1], line.c.result, line.c.funeral_support, raw[2], lst.c.programme)
            .join(lst, lst.c.id == line.c.payout_list_id)
            .where(person.in_(pids), line.c.month < month,
                   line.c.month >= add_months(month, -LOOKBACK_MONTHS)))
    result = db.session.connection().execute(stmt)
    as_month, as_entries, as_coefficient = (_converter(col.type, result, i) for col, i in (
        (line.c.month, 2), (line.c.back_pay_months, 6), (line.c.coefficient, 9)))
    for rows in result.partitions(10_000):
        if as_month is None and as_coefficient is None:  # the driver converts (psycopg): the rows as they come
            for row in rows:
                entries = row[6]
                if entries is None:
                    yield row
                else:
                    yield (*row[:6], None if entries == "null" else (as_entries or _same)(entries), *row[7:])
            continue
        for bid, programme, m, amount, care_amt, level, entries, res, funeral, coef, scheme in rows:
            yield (bid, programme, as_month(m) if as_month else m, amount, care_amt, level,
                   None if entries is None or entries == "null" else (as_entries or _same)(entries), res, funeral,
                   as_coefficient(coef) if as_coefficient else coef, scheme)


def _same(value):
    return value


def _converter(sql_type, result, index: int):
    """What SQLAlchemy would do to the raw values of column ``index`` of ``result`` read as ``sql_type`` (the
    dialect's own conversion; None when the driver converts already), remembered per raw value for the immutable
    ones (dates, Decimals: a month or a coefficient recurs in most of a build's rows); JSON values are converted
    each time (rare, and mutable)."""
    dialect = result.context.dialect
    convert = sql_type.dialect_impl(dialect).result_processor(dialect, result.context.cursor.description[index][1])
    if convert is None or isinstance(sql_type, db.JSON):
        return convert
    seen: dict = {}

    def once(value):
        try:
            return seen[value]
        except KeyError:
            seen[value] = out = convert(value)
            return out
    return once


def _add_unpaid(plan, carried, held: bool) -> None:
    """Add what earlier lines could not pay (``carry_over.unpaid_carry_over``: [(month, đồng)]) to the person's own
    allowance line as back pay, months named (kind ``unpaid``, "Chưa nhận được 08/2024"; Decree 20/2021 Art. 34.4).
    The line goes on the list of the person's channel now (a failed account gives cash). With no allowance line this
    month one is made for the carried money alone (to the heirs named on a funeral line), except for a person held
    (suspended): they get it on the first line after resumption."""
    line = next((line for line in plan.lines if line.programme == "tcxh"), None)
    if line is None:
        if held:
            return
        funeral = next((line for line in plan.lines if line.programme == "funeral"), None)
        line = LinePlan("tcxh", payee=funeral.payee if funeral else None,
                        list_programme=funeral.list_programme if funeral else "social_assistance")
        plan.lines.insert(0, line)
    line.entries = line.entries + [{"month": month_key(m), "kind": "unpaid", "amount": amount}
                                   for m, amount in carried]


def _drop_empty_lines(plan, b: Beneficiary, result: BuildResult) -> None:
    """No 0 đ row on a list: a line that pays nothing and only shows a recovery (thu hồi) — typically the
    allowance of a person who died or stopped after a month was already paid — is not a list row. Its recovery is
    shown on the person's funeral line of the month when there is one, else given to the district among the
    exclusions ("Cần thu hồi …"), months named (Decree 20/2021 Art. 8.2; recoveries are never netted)."""
    empty = [line for line in plan.lines if line.total == 0]
    if not empty:
        return
    plan.lines = [line for line in plan.lines if line.total > 0]
    funeral = next((line for line in plan.lines if line.programme == "funeral"), None)
    for line in empty:
        recovered = [e for e in line.entries if e["kind"] == "recovery"]
        if not recovered:
            continue
        if funeral is not None and line.programme == "tcxh":
            funeral.entries = funeral.entries + recovered
        else:
            result.exclusions.append((b, f"Cần thu hồi (không lập dòng 0 đồng): {describe_months(recovered)}."))


@paused_gc
def build_lists(actor: User, month: date, commune_codes=None) -> BuildResult:
    """Build or rebuild the DRAFT lists (lập danh sách chi trả) of ``month`` (first-of-month date) for every commune in
    ``actor``'s area (or only ``commune_codes``, which must lie in it), one per commune, ``ListChannel`` and
    ``Programme`` (the engine says which programme pays each person: the higher of social assistance and the social
    pension, Decree 176/2025). Amounts from ``entitlement.plan.plan_person`` (rates as data, Decree 20/2021 Art. 6, 8,
    11, 20; only ACCEPTED registry events): each person's allowance line (programme ``tcxh``, with back pay and
    recoveries naming their months), a care-support line to the carer (``care``) and a one-off funeral line to the
    burial organiser (``funeral``) — care and funeral lines go on the cash-at-point list. Lines ordered by
    ``name_sort`` and numbered 1..n; control totals (people, regular, top-up, back pay, care, funeral, recovery,
    fee) set. Bulk loads only: a fixed number of queries whatever the number of people.

    A DRAFT, CONFIRMED or RETURNED list gets its lines replaced (a confirmed one returns to draft, with an audit
    note); an approved (frozen) list is never touched and its people are skipped. People with no applicable rate,
    held (suspended, or reported dead by the post office and not verified by the commune:
    ``death_reports.held``), or already on another list of the month, are returned in ``exclusions``. Raises
    AccessDenied when the actor's organisation lacks ``payout_management`` or a code is outside its area;
    StateError while people of a split commune wait for placement into one of the communes (``reform.check_placed``)."""
    require_manager(actor)
    month = month.replace(day=1)
    communes = {c.code: c for c in area_communes(actor, commune_codes)}
    result = BuildResult()
    if not communes:
        return result
    check_placed(communes, month)  # people of a split commune wait for placement: on no list yet
    existing, rebuild = _open_lists(month, communes, result)
    book = RateBook.load()
    groups = _plan_lines(month, communes, existing, book, result)
    for lst in rebuild:
        if (lst.commune_code, lst.channel, lst.programme) not in groups:
            record(actor, "delete", "payout_list", lst.id, f"Xoá danh sách rỗng {describe(lst)}")
            db.session.delete(lst)
    _write_lists(actor, month, communes, groups, existing, book, result)
    db.session.flush()
    return result


def _open_lists(month: date, communes: dict, result: BuildResult) -> tuple[dict, list]:
    """The month's main lists of ``communes`` by (commune, channel, programme), and those to rebuild (not frozen), whose
    lines are deleted here; the frozen ones go to ``result.skipped``."""
    existing = {(lst.commune_code, lst.channel, lst.programme): lst for lst in db.session.execute(
        select(PayoutList).where(PayoutList.month == month, PayoutList.commune_code.in_(communes),
                                 PayoutList.sequence == 0)).scalars()}
    rebuild = [lst for lst in existing.values() if not lst.status_enum.frozen]
    result.skipped = sorted((lst for lst in existing.values() if lst.status_enum.frozen),
                            key=lambda item: (item.commune_code, item.programme, item.channel))
    if rebuild:
        db.session.execute(delete(PayoutLine).where(PayoutLine.payout_list_id.in_([lst.id for lst in rebuild])))
        for lst in rebuild:
            db.session.expire(lst, ["lines"])
    return existing, rebuild


def _plan_lines(month: date, communes: dict, existing: dict, book: RateBook, result: BuildResult) -> dict:
    """Plan every payable person of ``communes`` (``plan_person``) and group the lines by the (commune, channel) list
    they go on (commune, channel, programme); people left off, with the reason, go to ``result.exclusions`` (and those
    held after three unpaid months to ``result.suspensions``)."""
    # whoever is still on a list of the month is on a frozen list (skipped) or on another commune's list
    taken = {(bid, prog): status for bid, prog, status in db.session.execute(
        select(PayoutLine.beneficiary_id, PayoutLine.programme, PayoutList.status).join(PayoutList).where(
            PayoutLine.month == month)).all()}
    data = _load(list(communes), month)
    carry = unpaid_carry_over(list(communes), month)  # one query (two when something failed) for the whole build
    # people the post office reported dead (báo đã chết), not yet verified by the commune: held, nothing paid
    dead = death_held(month)  # the few open reports, whole province: one query, no list of ids
    groups: dict[tuple[str, str, str], list] = {}
    for b in data.people:
        plan = plan_person(book, b, month, events=data.events.get(b.id, ()), extra_categories=data.extras.get(
            b.id, ()), care=data.care.get(b.id, ()), tcxh=data.tcxh.get(b.id), care_history=data.care_history.get(
            b.id), funeral_paid=b.id in data.funeral_paid, history_start=data.history_start.get(b.commune_code))
        if plan.commune_code not in communes:
            continue
        if b.id in dead:  # held until the commune resolves the report (services.death_reports)
            result.exclusions.append((b, dead[b.id]))
            continue
        result.exclusions.extend((b, reason) for reason in plan.reasons)
        if plan.suspended:
            result.suspensions.append(b)
        if b.id in carry:
            _add_unpaid(plan, carry[b.id], held=plan.suspended or any(
                r.startswith("Đang tạm dừng") for r in plan.reasons))
        _drop_empty_lines(plan, b, result)
        for line in plan.lines:
            key = _list_key(b, line, plan.commune_code, taken, existing, result)
            if key is not None:
                groups.setdefault(key, []).append((b, line))
    return groups


def _list_key(b: Beneficiary, line: LinePlan, commune_code: str, taken: dict, existing: dict,
              result: BuildResult) -> tuple[str, str, str] | None:
    """The (commune, channel, programme) list a planned line goes on: the person's own allowance by their channel, care
    and funeral lines on the cash-at-point list; the programme the engine chose (``LinePlan.list_programme``). None when
    the line is left off — the person is on another list of the month already, or that list is frozen (the reason goes
    to ``result.exclusions``)."""
    if (b.id, line.programme) in taken:
        if taken[(b.id, line.programme)] not in FROZEN:
            result.exclusions.append((b, "Đã có trong danh sách chi trả của xã/phường khác trong tháng này."))
        return None
    own = line.programme == "tcxh" and line.payee is None
    key = (commune_code, (list_channel(b) if own else ListChannel.CASH_AT_POINT).value, line.list_programme)
    frozen = existing.get(key)
    if frozen is not None and frozen.status_enum.frozen:
        result.exclusions.append((b, supplement_reason(frozen)))
        return None
    return key


def _write_lists(actor: User, month: date, communes: dict, groups: dict, existing: dict, book: RateBook,
                 result: BuildResult) -> None:
    """Create the lists ``groups`` needs that do not exist yet (one flush for all their ids) and fill every list
    with its lines in order (name, then allowance / care / funeral), into ``result.lists``."""
    order = {"tcxh": 0, "care": 1, "funeral": 2}
    # commune code → id of the post office serving it (same unit, else nearest ancestor), a few queries in all
    offices = {code: office.id if office else None for code, office in serving_organizations(
        {key[0] for key in groups}, Duty.PAYMENT_SERVICE).items()}
    new_lists = {key: PayoutList(month=month, commune_code=key[0], channel=key[1], programme=key[2],
                                 payout_office_id=actor.organization_id,
                                 post_office_id=offices[key[0]], prepared_by_id=actor.id,
                                 status=ListStatus.DRAFT.value) for key in groups if key not in existing}
    db.session.add_all(new_lists.values())
    db.session.flush()  # one flush gives every new list its id
    for key, rows in sorted(groups.items(), key=lambda item: (item[0][0], item[0][2], item[0][1])):
        code, channel, programme = key
        rows.sort(key=lambda r: (r[0].name_sort, r[0].id, order.get(r[1].programme, 9)))
        lst = new_lists.get(key)
        result.lists.append(_fill(actor, month, communes[code], channel, lst or existing.get(key),
                                  rows, book=book, new=lst is not None, office_id=offices[code], programme=programme))


def _fill(actor, month, commune, channel, lst, rows, book: RateBook | None = None, new: bool = False,
          office_id: int | None = None, programme: str = "social_assistance") -> PayoutList:
    """Create (``lst`` None) or refill one list with ``rows`` [(beneficiary, LinePlan or Amount)] already in order;
    set the control totals (the fee from the FeeRule valid in ``month``). ``new`` marks a list just created by the
    caller; ``office_id`` the post office serving the commune as the caller looked it up for all communes at once
    (None: none serves it — not looked up again per list); ``programme`` that of a list created here."""
    book = book or RateBook.load()
    was_confirmed = lst is not None and lst.status == ListStatus.CONFIRMED
    if lst is None:
        lst = PayoutList(month=month, commune_code=commune.code, channel=channel, programme=programme,
                         payout_office_id=actor.organization_id, post_office_id=office_id,
                         prepared_by_id=actor.id, status=ListStatus.DRAFT.value)
        db.session.add(lst)
        db.session.flush()
        action = "create"
    elif new:
        action = "create"
    else:
        lst.version = (lst.version or 1) + 1
        lst.post_office_id = office_id or lst.post_office_id
        action = "rebuild"
    lst.status = ListStatus.DRAFT.value
    lst.prepared_by_id, lst.prepared_at = actor.id, utcnow()
    lst.confirmed_by_id = lst.confirmed_at = None
    level = (book.pension_level_or_none(month) if lst.programme == "social_pension"
             else book.level_or_none(month))
    lines = [line_row(b, lst, a, i, level) for i, (b, a) in enumerate(rows, start=1)]
    insert_lines(lines)  # one bulk INSERT, not the unit of work: ~150.000 lines for the province
    db.session.expire(lst, ["lines"])
    lst.people_count = len({line.beneficiary_id for line in lines})  # a person once, whatever their lines
    lst.total_amount = sum(line.total for line in lines)
    lst.regular_total = sum(line.regular_amount for line in lines)
    lst.top_up_total = sum(line.top_up for line in lines)
    lst.back_pay_total = sum(line.back_pay for line in lines)
    lst.care_total = sum(line.care_support for line in lines)
    lst.funeral_total = sum(line.funeral_support for line in lines)
    lst.recovery_total = sum(line.recovery for line in lines)
    lst.fee_amount = fee_for(lines, month, book)
    extra = "".join(f", {label} {money(value)} đồng" for label, value in (
        ("truy lĩnh", lst.back_pay_total), ("hỗ trợ chăm sóc", lst.care_total), ("mai táng phí", lst.funeral_total),
        ("thu hồi", lst.recovery_total)) if value)
    note = " Danh sách đã được xã xác nhận nay trở lại dự thảo, xã cần xác nhận lại." if was_confirmed else ""
    record(actor, action, "payout_list", lst.id,
           f"Lập danh sách chi trả {describe(lst)}: {lst.people_count} người, "
           f"{money(lst.total_amount)} đồng{extra}." + note,
           after={"people_count": lst.people_count, "total_amount": lst.total_amount, "status": lst.status,
                  "back_pay_total": lst.back_pay_total, "fee_amount": lst.fee_amount})
    return lst


def rebuild_list(actor: User, lst: PayoutList) -> BuildResult:
    """Rebuild one list's lines from the register. Raises StateError when the list is frozen (approved or
    later: Decree 20/2021 Art. 34 — amounts sent to the provider no longer change)."""
    if lst.status_enum.frozen:
        raise StateError(f"Danh sách {describe(lst)} đã phê duyệt, không thể thay đổi dòng hoặc số tiền.")
    return build_lists(actor, lst.month, [lst.commune_code])
