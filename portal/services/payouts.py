"""Monthly payout lists (danh sách chi trả trợ cấp xã hội hằng tháng): build, confirm, approve, totals.

Flow (Decree 20/2021 Art. 34; DESIGN §3): the district office (``payout_management``) builds one DRAFT list per
commune and channel → the commune (``intake``) confirms its list → a district approver who did not prepare it
approves → the list is frozen (lines and amounts never change again) → the post office records results
(``portal.services.payout_results``, which also holds ``totals``).

Amounts come from the rate tables (``entitlement.RateBook``), never from a spreadsheet. Money is integer đồng;
months are first-of-month dates. Every write records an audit event and flushes, never commits.
"""
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, delete, event, func, inspect, or_, select, update
from sqlalchemy.orm import Session, selectinload

from ..access import area_commune_codes, serving_organization, serving_organizations
from ..errors import AccessDenied, StateError, ValidationError
from ..extensions import db
from ..formatting import money
from ..models import (
    AdministrativeUnit,
    AdditionalCategory,
    Beneficiary,
    CareArrangement,
    Duty,
    EventStatus,
    LineResult,
    ListChannel,
    ListStatus,
    Organization,
    PayoutLine,
    PayoutList,
    RegistryEvent,
    User,
)
from ..clock import utcnow
from .accounts import payable_account
from .audit import record
from .payout_lines import NewLine, insert_lines, paused_gc
from .entitlement import Amount, RateBook, fee_for
from .entitlement_months import LOOKBACK_MONTHS, History, LinePlan, add_months, month_key, plan_person

FROZEN = [s.value for s in ListStatus if s.frozen]
SELF_APPROVAL = "Người lập danh sách không được tự phê duyệt"


@dataclass
class BuildResult:
    """What ``build_lists`` did: ``lists`` built or rebuilt (sorted by commune, channel), ``exclusions`` as
    (beneficiary, Vietnamese reason) for people left off, ``skipped`` frozen lists left untouched."""

    lists: list[PayoutList] = field(default_factory=list)
    exclusions: list[tuple[Beneficiary, str]] = field(default_factory=list)
    skipped: list[PayoutList] = field(default_factory=list)
    suspensions: list[Beneficiary] = field(default_factory=list)  # held after 3 unpaid months: C records the event


def describe(lst: PayoutList) -> str:
    """Short Vietnamese name of a list: "tháng 08/2024 – Phường Vĩnh Mỹ – Chuyển khoản"."""
    return f"tháng {lst.month:%m/%Y} – {lst.commune.name} – {lst.channel_enum.label}"


def list_channel(beneficiary: Beneficiary) -> ListChannel:
    """Which list a beneficiary goes on: ``account`` when they chose an account channel AND have an active
    account; ``cash_at_home`` when they chose cash at home; otherwise ``cash_at_point`` (including people whose
    chosen account is not opened yet)."""
    if beneficiary.channel.is_account and payable_account(beneficiary) is not None:  # flagged account = none
        return ListChannel.ACCOUNT
    if beneficiary.payment_channel == ListChannel.CASH_AT_HOME.value:
        return ListChannel.CASH_AT_HOME
    return ListChannel.CASH_AT_POINT


def post_office_for(commune_code: str) -> Organization | None:
    """The post office (``payment_service``) serving a commune: seated at the commune itself, else at its nearest
    ancestor unit (the district's post office in the 2024 tree) — ``access.serving_organization``."""
    return serving_organization(commune_code, Duty.PAYMENT_SERVICE)


def _require_manager(actor: User) -> None:
    if not actor.organization.has_duty(Duty.PAYOUT_MANAGEMENT):
        raise AccessDenied("Cơ quan của bạn không có nhiệm vụ quản lý chi trả.")


def _area_communes(actor: User, commune_codes) -> list[AdministrativeUnit]:
    stmt = select(AdministrativeUnit).where(AdministrativeUnit.level == "commune")
    area = area_commune_codes(actor)
    if area is not None:
        stmt = stmt.where(AdministrativeUnit.code.in_(area))
    communes = list(db.session.execute(stmt.order_by(AdministrativeUnit.code)).scalars())
    if commune_codes is not None:
        wanted = set(commune_codes)
        outside = wanted - {c.code for c in communes}
        if outside:
            raise AccessDenied(f"Xã/phường ngoài địa bàn quản lý: {', '.join(sorted(outside))}.")
        communes = [c for c in communes if c.code in wanted]
    return communes


def _line_row(b: Beneficiary, lst: PayoutList, plan, position: int, level: int | None = None) -> NewLine:
    """The column values of one line, snapshotting what is printed; the account only on an account-transfer list
    and only for the person's own allowance (care and funeral support go to their payee). ``plan`` is an
    ``entitlement_months.LinePlan`` (or a bare ``entitlement.Amount`` for the month's allowance)."""
    if isinstance(plan, Amount):
        plan = LinePlan("tcxh", amount=plan)
    amount = plan.amount
    own = plan.programme == "tcxh" and plan.payee is None
    account = payable_account(b) if (lst.channel == ListChannel.ACCOUNT and own) else None
    payee = plan.payee or {}
    return NewLine(
        payout_list_id=lst.id, beneficiary_id=b.id, programme=plan.programme, month=lst.month, position=position,
        full_name=b.full_name, name_sort=b.name_sort, birth_display=b.birth_display, gender=b.gender,
        national_id=b.national_id, hamlet=b.hamlet, category_code=b.category_code,
        coefficient=amount.coefficient if amount else 0,
        standard_level=amount.standard_level if amount else (level or 0),
        regular_amount=amount.amount if amount else 0, top_up=amount.top_up if amount else 0,
        back_pay=plan.back_pay, care_support=plan.care_support, funeral_support=plan.funeral_support,
        recovery=plan.recovery, back_pay_months=plan.entries or None, total=plan.total,
        payee_name=payee.get("name"), payee_national_id=payee.get("national_id"),
        payee_relationship=payee.get("relationship"),
        account_number=account.account_number if account else None,
        provider_code=account.provider_code if account else None,
        holder_name=account.holder_name if account else None, result=LineResult.PENDING.value)


def _new_line(b: Beneficiary, lst: PayoutList, plan, position: int, level: int | None = None) -> PayoutLine:
    """A (transient) PayoutLine with the values of ``_line_row``."""
    return _line_row(b, lst, plan, position, level).to_model()


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
        select(Beneficiary).options(selectinload(Beneficiary.accounts))
        .where(or_(and_(Beneficiary.commune_code.in_(codes), Beneficiary.status.in_(("active", "suspended")),
                        Beneficiary.start_month <= month), Beneficiary.id.in_(ev_ids)))
        .order_by(Beneficiary.commune_code, Beneficiary.name_sort, Beneficiary.id)).scalars())

    def by_person(stmt):
        out: dict[int, list] = {}
        for row in db.session.execute(stmt).scalars():
            out.setdefault(row.beneficiary_id, []).append(row)
        return out

    events = by_person(select(RegistryEvent).where(RegistryEvent.status == EventStatus.ACCEPTED.value,
                                                   RegistryEvent.beneficiary_id.in_(pids)))
    extras = by_person(select(AdditionalCategory).where(AdditionalCategory.beneficiary_id.in_(pids)))
    care = by_person(select(CareArrangement).where(CareArrangement.beneficiary_id.in_(pids)))
    tcxh: dict[int, History] = {}
    care_history: dict[int, History] = {}
    funeral_paid: set[int] = set()
    rows = db.session.execute(select(
        PayoutLine.beneficiary_id, PayoutLine.programme, PayoutLine.month, PayoutLine.regular_amount,
        PayoutLine.top_up, PayoutLine.care_support, PayoutLine.standard_level, PayoutLine.back_pay_months,
        PayoutLine.result, PayoutLine.funeral_support, PayoutLine.coefficient).where(
        PayoutLine.beneficiary_id.in_(pids), PayoutLine.month < month,
        PayoutLine.month >= add_months(month, -LOOKBACK_MONTHS)))
    for bid, programme, m, regular, top_up, care_amt, level, entries, res, funeral, coef in rows:
        if programme == "tcxh":
            tcxh.setdefault(bid, History()).add_line(m, (regular or 0) + (top_up or 0), level, entries, res, coef)
        elif programme == "care":
            care_history.setdefault(bid, History()).add_line(m, care_amt or 0, level, entries, res)
        elif programme == "funeral" and funeral:
            funeral_paid.add(bid)
    funeral_paid |= set(db.session.execute(select(PayoutLine.beneficiary_id).where(
        PayoutLine.programme == "funeral", PayoutLine.beneficiary_id.in_(pids),
        PayoutLine.month < add_months(month, -LOOKBACK_MONTHS))).scalars())
    history_start = dict(db.session.execute(select(PayoutList.commune_code, func.min(PayoutList.month)).where(
        PayoutList.commune_code.in_(codes)).group_by(PayoutList.commune_code)).all())
    return _Loaded(people, events, extras, care, tcxh, care_history, funeral_paid, history_start)


def _add_unpaid(plan, carried, held: bool) -> None:
    """Add what earlier lines could not pay (``payout_cycle.unpaid_carry_over``: [(month, đồng)]) to the person's own
    allowance line as back pay, months named (kind ``unpaid``, "Chưa nhận được 08/2024"; Decree 20/2021 Art. 34.4).
    The line goes on the list of the person's channel now (a failed account gives cash). With no allowance line this
    month one is made for the carried money alone (to the heirs named on a funeral line), except for a person held
    (suspended): they get it on the first line after resumption."""
    line = next((l for l in plan.lines if l.programme == "tcxh"), None)
    if line is None:
        if held:
            return
        line = LinePlan("tcxh", payee=next((l.payee for l in plan.lines if l.programme == "funeral"), None))
        plan.lines.insert(0, line)
    line.entries = line.entries + [{"month": month_key(m), "kind": "unpaid", "amount": amount}
                                   for m, amount in carried]


@paused_gc
def build_lists(actor: User, month: date, commune_codes=None) -> BuildResult:
    """Build or rebuild the DRAFT lists (lập danh sách chi trả) of ``month`` (first-of-month date) for every
    commune in ``actor``'s area (or only ``commune_codes``, which must lie in it), one per commune and
    ``ListChannel``. Amounts from ``entitlement_months.plan_person`` (rates as data, Decree 20/2021 Art. 6, 8, 11,
    20; only ACCEPTED registry events): each person's allowance line (programme ``tcxh``, with back pay and
    recoveries naming their months), a care-support line to the carer (``care``) and a one-off funeral line to the
    burial organiser (``funeral``) — care and funeral lines go on the cash-at-point list. Lines ordered by
    ``name_sort`` and numbered 1..n; control totals (people, regular, top-up, back pay, care, funeral, recovery,
    fee) set. Bulk loads only: a fixed number of queries whatever the number of people.

    A DRAFT, CONFIRMED or RETURNED list gets its lines replaced (a confirmed one returns to draft, with an audit
    note); an approved (frozen) list is never touched and its people are skipped. People with no applicable rate,
    held (suspended, or reported dead by the post office and not verified by the commune:
    ``death_reports.held``), or already on another list of the month, are returned in ``exclusions``. Raises
    AccessDenied when the actor's organisation lacks ``payout_management`` or a code is outside its area."""
    _require_manager(actor)
    month = month.replace(day=1)
    communes = {c.code: c for c in _area_communes(actor, commune_codes)}
    result = BuildResult()
    if not communes:
        return result
    existing = {(l.commune_code, l.channel): l for l in db.session.execute(select(PayoutList).where(
        PayoutList.month == month, PayoutList.commune_code.in_(communes), PayoutList.sequence == 0)).scalars()}
    rebuild = [l for l in existing.values() if not l.status_enum.frozen]
    result.skipped = sorted((l for l in existing.values() if l.status_enum.frozen),
                            key=lambda l: (l.commune_code, l.channel))
    if rebuild:
        db.session.execute(delete(PayoutLine).where(PayoutLine.payout_list_id.in_([l.id for l in rebuild])))
        for lst in rebuild:
            db.session.expire(lst, ["lines"])
    # whoever is still on a list of the month is on a frozen list (skipped) or on another commune's list
    taken = {(bid, prog): status for bid, prog, status in db.session.execute(
        select(PayoutLine.beneficiary_id, PayoutLine.programme, PayoutList.status).join(PayoutList).where(
            PayoutLine.month == month)).all()}
    data = _load(list(communes), month)
    from .payout_cycle import unpaid_carry_over  # payout_cycle imports this module
    carry = unpaid_carry_over(list(communes), month)  # one query (two when something failed) for the whole build
    book = RateBook.load()
    # people the post office reported dead (báo đã chết), not yet verified by the commune: held, nothing paid
    from .death_reports import held as death_held
    dead = death_held(month)  # the few open reports, whole province: one query, no list of ids
    groups: dict[tuple[str, str], list] = {}
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
            _add_unpaid(plan, carry[b.id], held=plan.suspended or b.status == "suspended" or any(
                r.startswith("Đang tạm dừng") for r in plan.reasons))
        for line in plan.lines:
            if (b.id, line.programme) in taken:
                if taken[(b.id, line.programme)] not in FROZEN:
                    result.exclusions.append((b, "Đã có trong danh sách chi trả của xã/phường khác trong tháng "
                                                 "này."))
                continue
            own = line.programme == "tcxh" and line.payee is None
            channel = list_channel(b) if own else ListChannel.CASH_AT_POINT
            key = (plan.commune_code, channel.value)
            frozen = existing.get(key)
            if frozen is not None and frozen.status_enum.frozen:
                result.exclusions.append((b, f"Danh sách {describe(frozen)} đã phê duyệt; cần lập danh sách bổ "
                                             "sung."))
                continue
            groups.setdefault(key, []).append((b, line))
    for lst in rebuild:
        if (lst.commune_code, lst.channel) not in groups:
            record(actor, "delete", "payout_list", lst.id, f"Xoá danh sách rỗng {describe(lst)}")
            db.session.delete(lst)
    order = {"tcxh": 0, "care": 1, "funeral": 2}
    # commune code → id of the post office serving it (same unit, else nearest ancestor), a few queries in all
    offices = {code: office.id if office else None for code, office in serving_organizations(
        {code for code, _ in groups}, Duty.PAYMENT_SERVICE).items()}
    new_lists = {key: PayoutList(month=month, commune_code=key[0], channel=key[1],
                                 payout_office_id=actor.organization_id,
                                 post_office_id=offices[key[0]], prepared_by_id=actor.id,
                                 status=ListStatus.DRAFT.value) for key in groups if key not in existing}
    db.session.add_all(new_lists.values())
    db.session.flush()  # one flush gives every new list its id
    for (code, channel), rows in sorted(groups.items()):
        rows.sort(key=lambda r: (r[0].name_sort, r[0].id, order.get(r[1].programme, 9)))
        lst = new_lists.get((code, channel))
        result.lists.append(_fill(actor, month, communes[code], channel, lst or existing.get((code, channel)),
                                  rows, book=book, new=lst is not None,
                                  office_id=offices[code]))
    db.session.flush()
    return result


def _fill(actor, month, commune, channel, lst, rows, book: RateBook | None = None, new: bool = False,
          office_id: int | None = None) -> PayoutList:
    """Create (``lst`` None) or refill one list with ``rows`` [(beneficiary, LinePlan or Amount)] already in order;
    set the control totals (the fee from the FeeRule valid in ``month``). ``new`` marks a list just created by the
    caller; ``office_id`` the post office when the caller looked it up already."""
    book = book or RateBook.load()
    was_confirmed = lst is not None and lst.status == ListStatus.CONFIRMED
    if office_id is None:
        office = post_office_for(commune.code)
        office_id = office.id if office else None
    if lst is None:
        lst = PayoutList(month=month, commune_code=commune.code, channel=channel,
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
    level = book.level_or_none(month)
    lines = [_line_row(b, lst, a, i, level) for i, (b, a) in enumerate(rows, start=1)]
    insert_lines(lines)  # one bulk INSERT, not the unit of work: ~150.000 lines for the province
    db.session.expire(lst, ["lines"])
    lst.people_count = len(lines)
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


def confirm_list(actor: User, lst: PayoutList) -> PayoutList:
    """The commune (UBND xã, duty ``intake``) confirms its own list (xác nhận danh sách). Only from draft, and only
    the version the commune looked at: the state change is one guarded ``UPDATE … WHERE status='draft' AND
    version=…``, so of two confirmations at once (double click, two tabs) exactly one is recorded. Raises
    AccessDenied for another organisation, StateError in any other status or when the list changed meanwhile."""
    org = actor.organization
    if not (org.has_duty(Duty.INTAKE) and org.unit_code == lst.commune_code):
        raise AccessDenied("Chỉ UBND xã/phường của danh sách mới được xác nhận danh sách này.")
    if lst.status != ListStatus.DRAFT:
        raise StateError(f"Danh sách đang ở trạng thái «{lst.status_enum.label}», chỉ xác nhận được bản dự thảo.")
    done = db.session.execute(
        update(PayoutList).where(PayoutList.id == lst.id, PayoutList.status == ListStatus.DRAFT.value,
                                 PayoutList.version == lst.version)
        .values(status=ListStatus.CONFIRMED.value, confirmed_by_id=actor.id, confirmed_at=utcnow(),
                version=PayoutList.version + 1)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(lst)
    if done != 1:
        raise StateError("Danh sách vừa được xác nhận hoặc lập lại bởi người khác. Hãy tải lại trang để xem "
                         "trạng thái mới.")
    record(actor, "confirm", "payout_list", lst.id, f"Xã xác nhận danh sách {describe(lst)}",
           before={"status": "draft"}, after={"status": lst.status})
    db.session.flush()
    return lst


def may_approve(actor: User, lst: PayoutList) -> bool:
    """True when ``actor`` could approve ``lst`` now: an approver who did not prepare it, and the commune confirmed
    it (the page shows the button only then; ``approve_list`` enforces the same rules)."""
    return actor.is_approver and actor.id != lst.prepared_by_id and lst.status == ListStatus.CONFIRMED


def approve_list(actor: User, lst: PayoutList) -> PayoutList:
    """A district approver (``is_approver``, not the preparer) approves a list the commune confirmed (phê duyệt).
    The state change is one guarded ``UPDATE … WHERE status='confirmed'``, so of two approvers at once exactly one
    succeeds. From here on the list is frozen. Raises AccessDenied (not an approver, out of area) or StateError
    (self-approval, not confirmed yet, already approved)."""
    _require_manager(actor)
    area = area_commune_codes(actor)
    if area is not None and lst.commune_code not in set(db.session.execute(area).scalars()):
        raise AccessDenied("Danh sách ngoài địa bàn quản lý.")
    if not actor.is_approver:
        raise AccessDenied("Bạn không có quyền phê duyệt danh sách chi trả.")
    if actor.id == lst.prepared_by_id:
        raise StateError(SELF_APPROVAL)
    if lst.status == ListStatus.DRAFT:
        raise StateError("Danh sách chưa được UBND xã/phường xác nhận, chưa thể phê duyệt.")
    if lst.status != ListStatus.CONFIRMED:
        raise StateError(f"Danh sách đang ở trạng thái «{lst.status_enum.label}», không phê duyệt lại được.")
    done = db.session.execute(
        update(PayoutList).where(PayoutList.id == lst.id, PayoutList.status == ListStatus.CONFIRMED.value,
                                 PayoutList.version == lst.version, PayoutList.prepared_by_id != actor.id)
        .values(status=ListStatus.APPROVED.value, approved_by_id=actor.id, approved_at=utcnow(),
                version=PayoutList.version + 1)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(lst)
    if done != 1:
        raise StateError("Danh sách vừa được người khác phê duyệt hoặc thay đổi. Hãy tải lại trang.")
    record(actor, "approve", "payout_list", lst.id,
           f"Phê duyệt danh sách {describe(lst)}: {lst.people_count} người, "
           f"{money(lst.total_amount)} đồng.",
           before={"status": "confirmed"}, after={"status": "approved"})
    db.session.flush()
    return lst


RETURN_FROM = {
    ListStatus.DRAFT: "commune",       # the commune, before confirming
    ListStatus.CONFIRMED: "approver",  # the district approver, before approving
    ListStatus.APPROVED: "post_office",  # the post office, before accepting
}


def _guarded(lst: PayoutList, from_status: ListStatus, lost: str, **values) -> None:
    """Move ``lst`` from ``from_status`` with one guarded ``UPDATE … WHERE status=… AND version=…`` (of two clicks
    or two people at once exactly one wins); refreshes ``lst``. Raises StateError(``lost``) when it lost the race."""
    done = db.session.execute(
        update(PayoutList).where(PayoutList.id == lst.id, PayoutList.status == from_status.value,
                                 PayoutList.version == lst.version)
        .values(version=PayoutList.version + 1, **values)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(lst)
    if done != 1:
        raise StateError(lost)


def _in_area(actor: User, lst: PayoutList) -> bool:
    area = area_commune_codes(actor)
    return area is None or lst.commune_code in set(db.session.execute(area).scalars())


def return_list(actor: User, lst: PayoutList, reason: str) -> PayoutList:
    """Send a list back for revision (trả lại danh sách để sửa) with a Vietnamese ``reason`` (5–300 characters):
    the commune (its own list) while it is a draft, a district approver (in area) while it is confirmed, the post
    office assigned to it while it is approved and not yet accepted. The list becomes ``returned`` (open again:
    the district rebuilds it with ``build_lists``, which makes it a draft); confirmation and approval are cleared.
    Raises ValidationError (reason missing), AccessDenied (wrong organisation or area), StateError (any other
    status, or someone acted on the list meanwhile)."""
    reason = " ".join((reason or "").split())
    if len(reason) < 5:
        raise ValidationError("Cần ghi lý do trả lại danh sách (ít nhất 5 ký tự).")
    if len(reason) > 300:
        raise ValidationError("Lý do trả lại tối đa 300 ký tự.")
    status = lst.status_enum
    org = actor.organization
    who = RETURN_FROM.get(status)
    if who is None:
        raise StateError(f"Danh sách đang ở trạng thái «{status.label}», không trả lại được.")
    if who == "commune":
        if not (org.has_duty(Duty.INTAKE) and org.unit_code == lst.commune_code):
            raise AccessDenied("Danh sách dự thảo chỉ do UBND xã/phường của danh sách trả lại (trước khi xác nhận).")
    elif who == "approver":
        if not (org.has_duty(Duty.PAYOUT_MANAGEMENT) and actor.is_approver and _in_area(actor, lst)):
            raise AccessDenied("Danh sách xã đã xác nhận chỉ do người phê duyệt của phòng trả lại (trước khi phê "
                               "duyệt).")
    elif not (org.has_duty(Duty.PAYMENT_SERVICE)
              and org.id == lst.post_office_id):
        raise AccessDenied("Danh sách đã phê duyệt chỉ do bưu điện được giao trả lại (trước khi nhận).")
    _guarded(lst, status, "Danh sách vừa được người khác thay đổi. Hãy tải lại trang.",
             status=ListStatus.RETURNED.value, returned_from=status.value, return_reason=reason,
             returned_by_id=actor.id, returned_at=utcnow(), confirmed_by_id=None, confirmed_at=None,
             approved_by_id=None, approved_at=None)
    record(actor, "return", "payout_list", lst.id, f"Trả lại danh sách {describe(lst)} để sửa. Lý do: {reason}",
           before={"status": status.value}, after={"status": lst.status, "return_reason": reason})
    db.session.flush()
    return lst


def accept_list(actor: User, lst: PayoutList) -> PayoutList:
    """The post office assigned to an approved list accepts it (nhận danh sách và kinh phí, Decree 20/2021 Art.
    34.4). Results may be recorded only after this (payout_results). Raises AccessDenied (another organisation),
    StateError (not approved, or already accepted)."""
    org = actor.organization
    if not (org.has_duty(Duty.PAYMENT_SERVICE) and org.id == lst.post_office_id):
        raise AccessDenied("Chỉ bưu điện được giao chi trả danh sách này mới được nhận danh sách.")
    if lst.status != ListStatus.APPROVED:
        raise StateError(f"Danh sách đang ở trạng thái «{lst.status_enum.label}», chỉ nhận được danh sách đã phê "
                         "duyệt.")
    _guarded(lst, ListStatus.APPROVED, "Danh sách vừa được nhận hoặc trả lại. Hãy tải lại trang.",
             status=ListStatus.ACCEPTED.value, accepted_by_id=actor.id, accepted_at=utcnow())
    record(actor, "accept", "payout_list", lst.id, f"Bưu điện nhận danh sách {describe(lst)}: "
           f"{lst.people_count} người, {money(lst.total_amount)} đồng.",
           before={"status": "approved"}, after={"status": lst.status})
    db.session.flush()
    return lst


def settle_list(actor: User, lst: PayoutList) -> PayoutList:
    """The payout office (``payout_management``, in area) settles a list once the post office reported every line
    (quyết toán, Decree 20/2021 Art. 34.5). Raises AccessDenied, StateError (results not complete, or already
    settled)."""
    _require_manager(actor)
    if not _in_area(actor, lst):
        raise AccessDenied("Danh sách ngoài địa bàn quản lý.")
    if lst.status != ListStatus.REPORTED:
        raise StateError(f"Danh sách đang ở trạng thái «{lst.status_enum.label}», chỉ quyết toán được khi bưu điện "
                         "đã báo cáo kết quả của mọi dòng.")
    _guarded(lst, ListStatus.REPORTED, "Danh sách vừa được quyết toán hoặc thay đổi. Hãy tải lại trang.",
             status=ListStatus.SETTLED.value, settled_by_id=actor.id, settled_at=utcnow())
    record(actor, "settle", "payout_list", lst.id, f"Quyết toán danh sách {describe(lst)}.",
           before={"status": "reported"}, after={"status": lst.status})
    db.session.flush()
    return lst


_AMOUNT_FIELDS = ("regular_amount", "back_pay", "total", "beneficiary_id", "payout_list_id", "month",
                  "account_number", "full_name", "national_id")


@event.listens_for(Session, "before_flush")
def _guard_frozen(session, _ctx, _instances):
    """Model-level safety net: a line of a frozen list cannot be added, deleted or have its amount, person or
    account changed, and a frozen list's control totals cannot change — whatever code tries (StateError)."""
    for obj in list(session.new) + list(session.deleted):
        if isinstance(obj, PayoutLine):
            lst = obj.payout_list or (session.get(PayoutList, obj.payout_list_id) if obj.payout_list_id else None)
            if lst is not None and ListStatus(lst.status).frozen:
                raise StateError("Danh sách đã phê duyệt, không thể thêm hoặc xoá dòng.")
    for obj in session.dirty:
        if isinstance(obj, PayoutLine) and obj.payout_list is not None and ListStatus(obj.payout_list.status).frozen:
            state = inspect(obj)
            if any(state.attrs[f].history.has_changes() for f in _AMOUNT_FIELDS):
                raise StateError("Danh sách đã phê duyệt, không thể thay đổi số tiền hoặc người nhận.")
        if isinstance(obj, PayoutList):
            state = inspect(obj)
            before = state.attrs.status.history.deleted or [obj.status]
            if before and before[0] and ListStatus(before[0]).frozen and any(
                    state.attrs[f].history.has_changes() for f in ("people_count", "total_amount", "month",
                                                                   "commune_code", "channel")):
                raise StateError("Danh sách đã phê duyệt, không thể thay đổi tổng số người hoặc số tiền.")


def file_slug(text: str) -> str:
    """ASCII slug of a Vietnamese label for download file names (old browsers): diacritics dropped, đ → d, case
    kept, every run of other characters → "-". "Phường Vĩnh Mỹ" → "Phuong-Vinh-My"."""
    text = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("M"))
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


def download_name(lst: PayoutList, ext: str, kind: str = "DS-chi-tra") -> str:
    """Readable ASCII file name of a payout list's download: ``<kind>-<YYYY-MM>-<commune>-<channel>[-bo-sung-N].
    <ext>``, e.g. "DS-chi-tra-2024-08-Phuong-Vinh-My-tien-mat-tai-diem-chi-tra.pdf" (``kind`` "Bang-ke-chi-tra"
    for the payment sheet)."""
    parts = [kind, f"{lst.month:%Y-%m}", file_slug(lst.commune.name if lst.commune else lst.commune_code),
             file_slug(lst.channel_enum.label).lower()]
    if lst.sequence:
        parts.append(f"bo-sung-{lst.sequence}")
    return "-".join(parts) + f".{ext}"
