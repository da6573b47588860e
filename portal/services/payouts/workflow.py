"""The life of a built payout list (quy trình danh sách chi trả, Decree 20/2021 Art. 34) as one transition table
(``MOVES``) and one ``transition()``: the commune confirms its list, an approver of the payout office who did not
prepare it approves, the post office accepts it after checking the totals, its last result reports it, the payout
office settles it, and the commune, the approver or the post office returns it with a reason before the next step.

Each move is one guarded ``UPDATE … WHERE status = … AND version = …`` with one audit entry, so two clicks or two
people never act twice: of two concurrent moves exactly one is recorded, the other gets ``Move.lost``. Who may
move is decided by the predicates of ``portal.access``. Flushes, never commits."""
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import update

from ... import access
from ...clock import utcnow
from ...errors import AccessDenied, PortalError, StateError, ValidationError
from ...extensions import db
from ...formatting import money
from ...models import ListStatus, PayoutList, User
from ..audit import record
from .lists import describe

SELF_APPROVAL = "Người lập danh sách không được tự phê duyệt"


@dataclass(frozen=True)
class Rule:
    """One condition on the actor: ``ok(actor, list)``, else ``error(message)`` is raised."""

    ok: Callable[[User, PayoutList], bool]
    message: str
    error: type[PortalError] = AccessDenied


@dataclass(frozen=True)
class Move:
    """One row of the transition table.

    ``sources`` → ``target``; ``who``: rules checked before the state, or ``who_from`` (from-state → rules) checked
    after it when who may move depends on the state; ``refused``: the StateError for any other state (``{label}``:
    the current state's label), ``refused_from`` overrides it for one state; ``lost``: the StateError when someone
    else moved the list first; ``action`` / ``summary`` the audit entry (``{list}``, ``{people}``, ``{amount}``,
    ``{reason}``); ``by`` / ``at``: the columns stamped with the actor and the time; ``clears``: columns set to None;
    ``keeps_source``: the column that records the state the list left."""

    sources: tuple[ListStatus, ...]
    target: ListStatus
    refused: str
    lost: str
    action: str
    summary: str
    at: str
    by: str | None = None
    who: tuple[Rule, ...] = ()
    who_from: dict = field(default_factory=dict)
    refused_from: dict = field(default_factory=dict)
    clears: tuple[str, ...] = ()
    keeps_source: str | None = None


def _in_list_area(actor: User, lst: PayoutList) -> bool:
    return access.in_area(actor, lst.commune_code)


def _is_approver(actor: User, lst: PayoutList) -> bool:
    return actor.is_approver


def _not_preparer(actor: User, lst: PayoutList) -> bool:
    return actor.id != lst.prepared_by_id


def _manages(actor: User, lst: PayoutList) -> bool:
    return access.manages_payouts(actor)


LIST_AREA = Rule(_in_list_area, "Danh sách ngoài địa bàn quản lý.")
MANAGER = Rule(_manages, "Cơ quan của bạn không có nhiệm vụ quản lý chi trả.")
RELOAD = "Hãy tải lại trang."

# A table is clearer than one function per move: every move reads the same way, and the differences (who, which
# messages, which columns) stand side by side.
MOVES = {
    "confirm": Move(
        (ListStatus.DRAFT,), ListStatus.CONFIRMED,
        who=(Rule(access.is_list_commune, "Chỉ UBND xã/phường của danh sách mới được xác nhận danh sách này."),),
        refused="Danh sách đang ở trạng thái «{label}», chỉ xác nhận được bản dự thảo.",
        lost="Danh sách vừa được xác nhận hoặc lập lại bởi người khác. Hãy tải lại trang để xem trạng thái mới.",
        action="confirm", summary="Xã xác nhận danh sách {list}", by="confirmed_by_id", at="confirmed_at"),
    "approve": Move(
        (ListStatus.CONFIRMED,), ListStatus.APPROVED,
        who=(MANAGER, LIST_AREA, Rule(_is_approver, "Bạn không có quyền phê duyệt danh sách chi trả."),
             Rule(_not_preparer, SELF_APPROVAL, StateError)),
        refused="Danh sách đang ở trạng thái «{label}», không phê duyệt lại được.",
        refused_from={ListStatus.DRAFT: "Danh sách chưa được UBND xã/phường xác nhận, chưa thể phê duyệt."},
        lost="Danh sách vừa được người khác phê duyệt hoặc thay đổi. " + RELOAD,
        action="approve", summary="Phê duyệt danh sách {list}: {people} người, {amount} đồng.",
        by="approved_by_id", at="approved_at"),
    "return": Move(
        (ListStatus.DRAFT, ListStatus.CONFIRMED, ListStatus.APPROVED), ListStatus.RETURNED,
        who_from={
            ListStatus.DRAFT: (Rule(access.is_list_commune, "Danh sách dự thảo chỉ do UBND xã/phường của danh sách "
                                                            "trả lại (trước khi xác nhận)."),),
            ListStatus.CONFIRMED: (Rule(access.is_list_approver, "Danh sách xã đã xác nhận chỉ do người phê duyệt "
                                                                 "của cơ quan quản lý chi trả trả lại (trước khi "
                                                                 "phê duyệt)."),),
            ListStatus.APPROVED: (Rule(access.is_assigned_post_office, "Danh sách đã phê duyệt chỉ do bưu điện được "
                                                                       "giao trả lại (trước khi nhận)."),)},
        refused="Danh sách đang ở trạng thái «{label}», không trả lại được.",
        lost="Danh sách vừa được người khác thay đổi. " + RELOAD,
        action="return", summary="Trả lại danh sách {list} để sửa. Lý do: {reason}",
        by="returned_by_id", at="returned_at", keeps_source="returned_from",
        clears=("confirmed_by_id", "confirmed_at", "approved_by_id", "approved_at")),
    "accept": Move(
        (ListStatus.APPROVED,), ListStatus.ACCEPTED,
        who=(Rule(access.is_assigned_post_office,
                  "Chỉ bưu điện được giao chi trả danh sách này mới được nhận danh sách."),),
        refused="Danh sách đang ở trạng thái «{label}», chỉ nhận được danh sách đã phê duyệt.",
        lost="Danh sách vừa được nhận hoặc trả lại. " + RELOAD,
        action="accept", summary="Bưu điện nhận danh sách {list}: {people} người, {amount} đồng.",
        by="accepted_by_id", at="accepted_at"),
    "report": Move(
        (ListStatus.ACCEPTED,), ListStatus.REPORTED,
        who=(Rule(access.is_assigned_post_office,
                  "Chỉ bưu điện được giao chi trả danh sách này mới được ghi kết quả."),),
        refused="Danh sách đang ở trạng thái «{label}», không ghi kết quả được.",
        lost="Danh sách vừa được người khác thay đổi. " + RELOAD,
        action="report", summary="Bưu điện đã báo cáo kết quả mọi dòng của danh sách {list}.", at="reported_at"),
    "settle": Move(
        (ListStatus.REPORTED,), ListStatus.SETTLED, who=(MANAGER, LIST_AREA),
        refused="Danh sách đang ở trạng thái «{label}», chỉ quyết toán được khi bưu điện đã báo cáo kết quả của mọi "
                "dòng.",
        lost="Danh sách vừa được quyết toán hoặc thay đổi. " + RELOAD,
        action="settle", summary="Quyết toán danh sách {list}.", by="settled_by_id", at="settled_at"),
}


def _check(rules: tuple[Rule, ...], actor: User, lst: PayoutList) -> None:
    for rule in rules:
        if not rule.ok(actor, lst):
            raise rule.error(rule.message)


def transition(actor: User, lst: PayoutList, name: str, reason: str | None = None) -> PayoutList:
    """Move ``lst`` as ``actor`` by the move ``name`` of ``MOVES`` ("confirm", "approve", "return", "accept",
    "report", "settle"): check who may (AccessDenied, or StateError for self-approval) and the state (StateError
    ``refused``), then one guarded ``UPDATE … WHERE status=<from> AND version=<seen>`` that sets the target state,
    the actor and time columns, clears ``clears`` and bumps ``version`` (StateError ``lost`` when it changed no
    row), then one audit entry. ``reason`` is stored as ``return_reason`` and named in the audit (return only).
    Refreshes and returns ``lst``; flushes."""
    move = MOVES[name]
    source = lst.status_enum
    _check(move.who, actor, lst)
    if source not in move.sources:
        raise StateError(move.refused_from.get(source, move.refused).format(label=source.label))
    _check(move.who_from.get(source, ()), actor, lst)
    values = {"status": move.target.value, move.at: utcnow(), **dict.fromkeys(move.clears)}
    if move.by:
        values[move.by] = actor.id
    if move.keeps_source:
        values[move.keeps_source] = source.value
    if reason is not None:
        values["return_reason"] = reason
    guard = [PayoutList.id == lst.id, PayoutList.status == source.value, PayoutList.version == lst.version]
    if move.target == ListStatus.APPROVED:
        guard.append(PayoutList.prepared_by_id != actor.id)
    done = db.session.execute(update(PayoutList).where(*guard).values(version=PayoutList.version + 1, **values)
                              .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(lst)
    if done != 1:
        raise StateError(move.lost)
    after = {"status": lst.status} | ({"return_reason": reason} if reason is not None else {})
    record(actor, move.action, "payout_list", lst.id,
           move.summary.format(list=describe(lst), people=lst.people_count, amount=money(lst.total_amount),
                               reason=reason),
           before={"status": source.value}, after=after)
    db.session.flush()
    return lst


def confirm_list(actor: User, lst: PayoutList) -> PayoutList:
    """The commune (UBND xã, duty ``intake``) confirms its own draft list (xác nhận danh sách), only the version it
    looked at. Raises AccessDenied for another organisation, StateError in any other status or when the list
    changed meanwhile."""
    return transition(actor, lst, "confirm")


def approve_list(actor: User, lst: PayoutList) -> PayoutList:
    """An approver of the payout office (``is_approver``, in area, not the preparer) approves a list the commune
    confirmed (phê duyệt); from here on the list is frozen. Raises AccessDenied (not a payout office, out of area,
    not an approver) or StateError (self-approval, not confirmed yet, already approved, lost to another
    approver)."""
    return transition(actor, lst, "approve")


def return_list(actor: User, lst: PayoutList, reason: str) -> PayoutList:
    """Send a list back for revision (trả lại danh sách để sửa) with a Vietnamese ``reason`` (5–300 characters):
    the commune (its own list) while it is a draft, an approver of the payout office (in area) while it is
    confirmed, the post office assigned to it while it is approved and not yet accepted. The list becomes
    ``returned`` (open again: the payout office rebuilds it with ``build_lists``, which makes it a draft);
    confirmation and approval are cleared. Raises ValidationError (reason missing or too long), AccessDenied
    (wrong organisation or area), StateError (any other status, or someone acted on the list meanwhile)."""
    reason = " ".join((reason or "").split())
    if len(reason) < 5:
        raise ValidationError("Cần ghi lý do trả lại danh sách (ít nhất 5 ký tự).")
    if len(reason) > 300:
        raise ValidationError("Lý do trả lại tối đa 300 ký tự.")
    return transition(actor, lst, "return", reason=reason)


def accept_list(actor: User, lst: PayoutList) -> PayoutList:
    """The post office assigned to an approved list accepts it (nhận danh sách và kinh phí, Decree 20/2021 Art.
    34.4); results may be recorded only after this (``payouts.results``). Raises AccessDenied (another
    organisation), StateError (not approved, or already accepted)."""
    return transition(actor, lst, "accept")


def settle_list(actor: User, lst: PayoutList) -> PayoutList:
    """The payout office (``payout_management``, in area) settles a list once the post office reported every line
    (quyết toán, Decree 20/2021 Art. 34.5). Raises AccessDenied, StateError (results not complete, or already
    settled)."""
    return transition(actor, lst, "settle")
