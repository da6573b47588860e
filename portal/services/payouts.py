"""Monthly payout lists (danh sách chi trả trợ cấp xã hội hằng tháng): build, confirm, approve, totals.

Flow (Decree 20/2021 Art. 34; DESIGN §3): the district office (``payout_management``) builds one DRAFT list per
commune and channel → the commune (``intake``) confirms its list → a district approver who did not prepare it
approves → the list is frozen (lines and amounts never change again) → the post office records results
(``portal.services.payout_results``, which also holds ``totals``).

Amounts come from the rate tables (``entitlement.RateBook``), never from a spreadsheet. Money is integer đồng;
months are first-of-month dates. Every write records an audit event and flushes, never commits.
"""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, event, inspect, select, update
from sqlalchemy.orm import Session, selectinload

from ..access import area_commune_codes
from ..errors import AccessDenied, PortalError, StateError
from ..extensions import db
from ..formatting import money
from ..models import (
    AdministrativeUnit,
    Beneficiary,
    Duty,
    ListChannel,
    ListStatus,
    Organization,
    OrgKind,
    PayoutLine,
    PayoutList,
    User,
)
from ..models.registry import utcnow
from .audit import record
from .entitlement import RateBook

FROZEN = [s.value for s in ListStatus if s.frozen]
SELF_APPROVAL = "Người lập danh sách không được tự phê duyệt"


@dataclass
class BuildResult:
    """What ``build_lists`` did: ``lists`` built or rebuilt (sorted by commune, channel), ``exclusions`` as
    (beneficiary, Vietnamese reason) for people left off, ``skipped`` frozen lists left untouched."""

    lists: list[PayoutList] = field(default_factory=list)
    exclusions: list[tuple[Beneficiary, str]] = field(default_factory=list)
    skipped: list[PayoutList] = field(default_factory=list)


def describe(lst: PayoutList) -> str:
    """Short Vietnamese name of a list: "tháng 08/2024 – Phường Vĩnh Mỹ – Chuyển khoản"."""
    return f"tháng {lst.month:%m/%Y} – {lst.commune.name} – {lst.channel_enum.label}"


def list_channel(beneficiary: Beneficiary) -> ListChannel:
    """Which list a beneficiary goes on: ``account`` when they chose an account channel AND have an active
    account; ``cash_at_home`` when they chose cash at home; otherwise ``cash_at_point`` (including people whose
    chosen account is not opened yet)."""
    if beneficiary.channel.is_account and beneficiary.active_account is not None:
        return ListChannel.ACCOUNT
    if beneficiary.payment_channel == ListChannel.CASH_AT_HOME.value:
        return ListChannel.CASH_AT_HOME
    return ListChannel.CASH_AT_POINT


def post_office_for(district_code: str) -> Organization | None:
    """The post office (Bưu điện) serving a district: kind ``post_office`` with ``unit_code`` = district code."""
    return db.session.execute(select(Organization).where(
        Organization.kind == OrgKind.POST_OFFICE, Organization.unit_code == district_code,
        Organization.active.is_(True)).order_by(Organization.id).limit(1)).scalar_one_or_none()


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


def _new_line(b: Beneficiary, lst: PayoutList, amount, position: int) -> PayoutLine:
    """A line snapshotting what is printed; the account only on an account-transfer list."""
    account = b.active_account if lst.channel == ListChannel.ACCOUNT else None
    month = lst.month
    return PayoutLine(
        payout_list_id=lst.id, beneficiary_id=b.id, month=month, position=position, full_name=b.full_name,
        name_sort=b.name_sort, birth_display=b.birth_display, gender=b.gender, national_id=b.national_id,
        hamlet=b.hamlet, category_code=b.category_code, coefficient=amount.coefficient,
        standard_level=amount.standard_level, regular_amount=amount.amount, back_pay=0, total=amount.amount,
        account_number=account.account_number if account else None,
        provider_code=account.provider_code if account else None,
        holder_name=account.holder_name if account else None)


def build_lists(actor: User, month: date, commune_codes=None) -> BuildResult:
    """Build or rebuild the DRAFT lists (lập danh sách chi trả) of ``month`` (first-of-month date) for every
    commune in ``actor``'s area (or only ``commune_codes``, which must lie in it), one per commune and
    ``ListChannel``. Only ``active`` beneficiaries with ``start_month ≤ month``; amounts from ``RateBook``
    (Decree 20/2021 Art. 6); lines ordered by ``name_sort`` and numbered 1..n; control totals set.

    A DRAFT or CONFIRMED list gets its lines replaced (a confirmed one returns to draft, with an audit note);
    an approved (frozen) list is never touched and its people are skipped. People with no applicable rate, or
    already on another list of the month, are returned in ``exclusions``. Raises AccessDenied when the actor's
    organisation lacks ``payout_management`` or a code is outside its area."""
    _require_manager(actor)
    month = month.replace(day=1)
    communes = {c.code: c for c in _area_communes(actor, commune_codes)}
    result = BuildResult()
    if not communes:
        return result
    existing = {(l.commune_code, l.channel): l for l in db.session.execute(select(PayoutList).where(
        PayoutList.month == month, PayoutList.commune_code.in_(communes))).scalars()}
    rebuild = [l for l in existing.values() if not l.status_enum.frozen]
    result.skipped = sorted((l for l in existing.values() if l.status_enum.frozen),
                            key=lambda l: (l.commune_code, l.channel))
    if rebuild:
        db.session.execute(delete(PayoutLine).where(PayoutLine.payout_list_id.in_([l.id for l in rebuild])))
        for lst in rebuild:
            db.session.expire(lst, ["lines"])
    # whoever is still on a list of the month is on a frozen list (skipped) or on another commune's list
    taken = dict(db.session.execute(select(PayoutLine.beneficiary_id, PayoutList.status).join(PayoutList).where(
        PayoutLine.month == month, PayoutLine.programme == "tcxh")).all())
    people = db.session.execute(
        select(Beneficiary).options(selectinload(Beneficiary.accounts), selectinload(Beneficiary.commune))
        .where(Beneficiary.commune_code.in_(communes), Beneficiary.status == "active",
               Beneficiary.start_month <= month)
        .order_by(Beneficiary.commune_code, Beneficiary.name_sort, Beneficiary.id)).scalars()
    book = RateBook.load()
    groups: dict[tuple[str, str], list] = {}
    for b in people:
        if b.id in taken:
            if taken[b.id] not in FROZEN:
                result.exclusions.append((b, "Đã có trong danh sách chi trả của xã/phường khác trong tháng này."))
            continue
        key = (b.commune_code, list_channel(b).value)
        frozen = existing.get(key)
        if frozen is not None and frozen.status_enum.frozen:
            result.exclusions.append((b, f"Danh sách {describe(frozen)} đã phê duyệt; cần lập danh sách bổ sung."))
            continue
        try:
            amount = book.amount_for(b, month)
        except PortalError as err:
            result.exclusions.append((b, str(err)))
            continue
        groups.setdefault(key, []).append((b, amount))
    for lst in rebuild:
        if (lst.commune_code, lst.channel) not in groups:
            record(actor, "delete", "payout_list", lst.id, f"Xoá danh sách rỗng {describe(lst)}")
            db.session.delete(lst)
    for (code, channel), rows in sorted(groups.items()):
        result.lists.append(_fill(actor, month, communes[code], channel, existing.get((code, channel)), rows))
    db.session.flush()
    return result


def _fill(actor, month, commune, channel, lst, rows) -> PayoutList:
    """Create or refill one list with ``rows`` [(beneficiary, Amount)] already in name order."""
    was_confirmed = lst is not None and lst.status == ListStatus.CONFIRMED
    if lst is None:
        office = post_office_for(commune.parent_code)
        lst = PayoutList(month=month, commune_code=commune.code, channel=channel,
                         payout_office_id=actor.organization_id, post_office_id=office.id if office else None,
                         prepared_by_id=actor.id, status=ListStatus.DRAFT.value)
        db.session.add(lst)
        db.session.flush()
        action = "create"
    else:
        lst.version = (lst.version or 1) + 1
        office = post_office_for(commune.parent_code)
        lst.post_office_id = office.id if office else lst.post_office_id
        action = "rebuild"
    lst.status = ListStatus.DRAFT.value
    lst.prepared_by_id, lst.prepared_at = actor.id, utcnow()
    lst.confirmed_by_id = lst.confirmed_at = None
    lines = [_new_line(b, lst, a, i) for i, (b, a) in enumerate(rows, start=1)]
    db.session.add_all(lines)
    lst.people_count = len(lines)
    lst.total_amount = sum(line.total for line in lines)
    note = " Danh sách đã được xã xác nhận nay trở lại dự thảo, xã cần xác nhận lại." if was_confirmed else ""
    record(actor, action, "payout_list", lst.id,
           f"Lập danh sách chi trả {describe(lst)}: {lst.people_count} người, "
           f"{money(lst.total_amount)} đồng." + note,
           after={"people_count": lst.people_count, "total_amount": lst.total_amount, "status": lst.status})
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
    if not (org.has_duty(Duty.INTAKE) and org.kind == OrgKind.COMMUNE and org.unit_code == lst.commune_code):
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
