"""The life of a built payout list (quy trình danh sách chi trả): the commune confirms its list, an approver who did
not prepare it approves (``may_approve``), the post office accepts it after checking the totals, anyone entitled
returns it with a reason, and the payout office settles it once results are in (Decree 20/2021 Art. 34). Each step
is one guarded ``UPDATE … WHERE status = … AND version = …`` with one audit entry, so two clicks never act twice.
Flushes, never commits."""
from sqlalchemy import update

from ...access import area_commune_codes
from ...clock import utcnow
from ...errors import AccessDenied, StateError, ValidationError
from ...extensions import db
from ...formatting import money
from ...models import Duty, ListStatus, PayoutList, User
from ..audit import record
from .lists import describe, in_area, require_manager

SELF_APPROVAL = "Người lập danh sách không được tự phê duyệt"


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
    require_manager(actor)
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
        if not (org.has_duty(Duty.PAYOUT_MANAGEMENT) and actor.is_approver and in_area(actor, lst)):
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
    require_manager(actor)
    if not in_area(actor, lst):
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
