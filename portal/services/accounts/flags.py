"""Safety flags on payment accounts (cảnh báo tài khoản) and what happens to an account after it is recorded.

Flags (``models.accounts.ACCOUNT_FLAGS``), set when an account is recorded (``assess``):

- ``duplicate_number``: the same (provider, number) is recorded for another beneficiary — unless the same guardian
  or proxy (same ID number) holds both (a mother receiving for two children). Both accounts are flagged.
- ``holder_mismatch``: the holder name is not the beneficiary's, nor the recorded guardian's / proxy's
  (capitals without diacritics, reference §6 "Bank names").
- ``not_active``: the person is stopped or suspended, or a death was reported (RegistryEvent ``death``).
- ``outside_coverage``: the recording bank has no approved coverage (BankCoverage) of the person's commune.

A flagged account does not pay (``PaymentAccount.payable``; the payout build uses ``accounts.payable_account``)
until the district (``payout_management``) clears it with a reason (``clear_flags``). The commune may dispute a new
account (``dispute``): the person goes back to the channel they were paid by before. A transfer the post office
reports failed because of the account (``transfer_failed``) makes it invalid: next month the person is paid in cash
at the payout point and is back in the bank's queue. Every change writes an audit event on the beneficiary.
"""
from sqlalchemy import select

from ...access import covers, is_commune_of, manages_payouts
from ...areas import is_bank
from ...clock import utcnow
from ...errors import AccessDenied, StateError, ValidationError
from ...extensions import db
from ...models import (
    AuditEvent,
    Authorization,
    Beneficiary,
    LineResult,
    ListChannel,
    PaymentAccount,
    PaymentChannel,
    PayoutLine,
    PayoutList,
    RegistryEvent,
    User,
)
from ...models.accounts import ACCOUNT_FLAGS
from .. import audit
from ..registry import identity

#: folded words in a post-office failure reason that put the blame on the account (closed, wrong number, name)
ACCOUNT_FAILURE_WORDS = ("tai khoan", "so tk", "tk da", "tk bi", "sai so", "khong khop", "sai ten", "ten chu",
                         "phong toa", "khong ton tai", "da dong")


def _holder_id(account: PaymentAccount) -> str | None:
    return account.holder_national_id if account.holder_kind in ("guardian", "proxy") else None


def duplicates_of(account: PaymentAccount) -> list[PaymentAccount]:
    """Other active accounts with the same (provider, number) held for another beneficiary, except those held by
    the same guardian/proxy (same ID number) as ``account``."""
    others = db.session.execute(select(PaymentAccount).where(
        PaymentAccount.provider_code == account.provider_code, PaymentAccount.account_number == account.account_number,
        PaymentAccount.active.is_(True), PaymentAccount.beneficiary_id != account.beneficiary_id,
        PaymentAccount.id != account.id)).scalars()
    mine = _holder_id(account)
    return [o for o in others if not (mine and _holder_id(o) == mine)]


def _died(beneficiary: Beneficiary) -> bool:
    return db.session.execute(select(RegistryEvent.id).where(
        RegistryEvent.beneficiary_id == beneficiary.id, RegistryEvent.kind == "death",
        RegistryEvent.status.in_(("submitted", "accepted")))).first() is not None


def _expected_holder(account: PaymentAccount) -> str | None:
    b = account.beneficiary
    if account.holder_kind == "guardian":
        return b.guardian_name
    if account.holder_kind == "proxy":
        auth = db.session.get(Authorization, account.authorization_id) if account.authorization_id else None
        return auth.proxy_name if auth else None
    return b.full_name


def _add(account: PaymentAccount, flag: str, detail: str) -> None:
    if flag not in account.flag_set:
        account.flags = ",".join([*account.flag_set, flag])
        account.flag_details = "; ".join(filter(None, [account.flag_details, detail]))[:600]
        account.flags_cleared_at = account.flags_cleared_by_id = account.flags_clear_reason = None


def assess(account: PaymentAccount) -> list[str]:
    """Set the flags of a just-recorded ``account`` (and flag the other account of a shared number). Returns the
    flag keys of ``account``. Flushes nothing itself."""
    b = account.beneficiary
    for other in duplicates_of(account):
        _add(account, "duplicate_number", f"Số TK {account.account_number} cũng ghi cho {other.beneficiary.full_name} "
                                          f"({other.beneficiary.national_id})")
        _add(other, "duplicate_number", f"Số TK {other.account_number} cũng ghi cho {b.full_name} ({b.national_id})")
    expected = _expected_holder(account)
    if not expected or not identity.names_match_bank(expected, account.holder_name):
        _add(account, "holder_mismatch", f"Chủ TK «{account.holder_name}» ≠ «{expected or 'chưa rõ'}»")
    if b.status != "active" or _died(b):
        _add(account, "not_active", "Đối tượng " + ("đã chết" if _died(b) else {
            "stopped": "đã thôi hưởng", "suspended": "đang tạm dừng"}.get(b.status, b.status)))
    org = account.opened_by_org
    if org is not None and is_bank(org) and not covers(org, b.commune_code):
        _add(account, "outside_coverage", f"{org.name} không phụ trách {b.commune.name if b.commune else ''}")
    return account.flag_set


def flagged_accounts(area_select, include_cleared: bool = False):
    """``select(PaymentAccount)`` of active flagged accounts among ``area_select`` (an ``areas.visible(
    PaymentAccount)`` select), uncleared first unless ``include_cleared``; newest first."""
    stmt = area_select.where(PaymentAccount.flags != "", PaymentAccount.active.is_(True))
    if not include_cleared:
        stmt = stmt.where(PaymentAccount.flags_cleared_at.is_(None))
    return stmt.order_by(PaymentAccount.created_at.desc(), PaymentAccount.id.desc())


def clear_flags(actor: User, account: PaymentAccount, reason: str) -> PaymentAccount:
    """The district (Phòng LĐTBXH, duty ``payout_management``) clears an account's flags after checking (gỡ cảnh
    báo); from then on it pays. ``reason``: Vietnamese text, at least 5 characters. Raises ``AccessDenied`` (not a
    payout manager), ``StateError`` (no flag, already cleared, account not active), ``ValidationError`` (no
    reason). The caller loads ``account`` through ``areas.get_visible_or_404``."""
    if not manages_payouts(actor):
        raise AccessDenied("Chỉ cơ quan quản lý chi trả được gỡ cảnh báo tài khoản.")
    reason = " ".join(identity.nfc(reason or "").split())
    if len(reason) < 5:
        raise ValidationError("Ghi lý do gỡ cảnh báo (ít nhất 5 ký tự).")
    if not account.active or not account.flag_set:
        raise StateError("Tài khoản này không có cảnh báo đang chờ xử lý.")
    if account.flags_cleared_at is not None:
        raise StateError("Cảnh báo của tài khoản này đã được gỡ.")
    account.flags_cleared_at, account.flags_cleared_by_id = utcnow(), actor.id
    account.flags_clear_reason = reason[:300]
    audit.record(actor, "account_flags_cleared", "beneficiary", account.beneficiary_id,
                 f"Gỡ cảnh báo tài khoản {account.account_number} ({', '.join(account.flag_labels)}): {reason}",
                 after={"flags": account.flags, "reason": reason})
    db.session.flush()
    return account


def previous_channel(beneficiary: Beneficiary) -> str:
    """The cash channel the person was paid by before the account: the channel of their latest cash payout line,
    else cash at home when the commune recorded a reason for it, else cash at the payout point."""
    last = db.session.execute(select(PayoutList.channel).join(PayoutLine, PayoutLine.payout_list_id == PayoutList.id)
                              .where(PayoutLine.beneficiary_id == beneficiary.id,
                                     PayoutList.channel != ListChannel.ACCOUNT.value)
                              .order_by(PayoutLine.month.desc(), PayoutLine.id.desc()).limit(1)).scalar()
    if last:
        return last
    return (PaymentChannel.CASH_AT_HOME if beneficiary.cash_at_home_reason else PaymentChannel.CASH_AT_POINT).value


def dispute(actor: User, account: PaymentAccount, reason: str) -> PaymentAccount:
    """The commune (UBND xã, duty ``intake``, the person's commune) disputes an account a bank recorded (khiếu nại
    tài khoản): the account stops being used (status ``disputed``) and the person goes back to their previous
    channel (``previous_channel``) with the reason. Raises ``AccessDenied`` (not the person's commune),
    ``StateError`` (account not active), ``ValidationError`` (reason shorter than 5 characters)."""
    b = account.beneficiary
    if not is_commune_of(actor, b.commune_code):
        raise AccessDenied("Chỉ UBND xã/phường của đối tượng được khiếu nại tài khoản.")
    reason = " ".join(identity.nfc(reason or "").split())
    if len(reason) < 5:
        raise ValidationError("Ghi lý do khiếu nại (ít nhất 5 ký tự).")
    if not account.active:
        raise StateError("Tài khoản này không còn được sử dụng.")
    before = {"payment_channel": b.payment_channel, "account_status": account.status}
    channel = previous_channel(b)
    account.active, account.status, account.status_reason = False, "disputed", reason[:300]
    account.status_changed_at, account.previous_channel = utcnow(), channel
    b.payment_channel = channel
    audit.record(actor, "account_disputed", "beneficiary", b.id,
                 f"Xã khiếu nại tài khoản {account.account_number} của {b.full_name}: {reason}. Chuyển lại hình "
                 f"thức «{PaymentChannel(channel).label}».", before=before,
                 after={"payment_channel": channel, "account_status": "disputed"})
    db.session.flush()
    return account


def confirm(actor: User, account: PaymentAccount) -> PaymentAccount:
    """The commune (the person's commune) confirms an account a bank recorded (xác nhận tài khoản): it checked the
    person and the number; recorded as an ``account_confirmed`` audit event on the account (nothing else changes:
    the account was already in use). Raises ``AccessDenied`` (not the person's commune), ``StateError`` (account
    not active, or already confirmed)."""
    b = account.beneficiary
    if not is_commune_of(actor, b.commune_code):
        raise AccessDenied("Chỉ UBND xã/phường của đối tượng được xác nhận tài khoản.")
    if not account.active:
        raise StateError("Tài khoản này không còn được sử dụng.")
    if confirmed_ids([account.id]):
        raise StateError(f"Tài khoản {account.account_number} đã được xác nhận.")
    audit.record(actor, "account_confirmed", "payment_account", account.id,
                 f"Xã xác nhận tài khoản {account.account_number} của {b.full_name}.")
    db.session.flush()
    return account


def confirmed_ids(account_ids: list[int]) -> set[int]:
    """The ids among ``account_ids`` whose account the commune confirmed (an ``account_confirmed`` event)."""
    if not account_ids:
        return set()
    return set(db.session.execute(select(AuditEvent.object_id).where(
        AuditEvent.action == "account_confirmed", AuditEvent.object_type == "payment_account",
        AuditEvent.object_id.in_(account_ids))).scalars())


def is_account_failure(reason: str | None, code: str | None = None) -> bool:
    """True when a post-office failure blames the account (closed, wrong number, name mismatch…): decided by the
    reason ``code`` (``payouts.reasons.FAILURE_REASONS``: only "account") when there is one; for results recorded
    before the closed list (``code`` None) by the words of the free-text ``reason`` (``ACCOUNT_FAILURE_WORDS``)."""
    if code is not None:
        return code == "account"
    folded = identity.fold(reason or "")
    return any(word in folded for word in ACCOUNT_FAILURE_WORDS)


def transfer_failed(actor: User, line: PayoutLine, why: str) -> PaymentAccount | None:
    """Hook for ``payouts.results``: when ``line`` (of an account-transfer list) is recorded ``failed`` for a reason
    that blames the account (``is_account_failure`` of ``line.result_reason_code``, or of the free text when the
    code is None; ``why``: the reason as shown, ``payouts.reasons.reason_text(line)``), the beneficiary's active account
    with that number becomes ``invalid`` (inactive): next month's build puts the person on the cash-at-point list, and
    the bank sees them again in "Cần mở tài khoản". Returns the account invalidated, or None when nothing applies.
    Flushes."""
    if (line.result != LineResult.FAILED.value or not line.account_number
            or not is_account_failure(line.result_reason, line.result_reason_code)):
        return None
    account = db.session.execute(select(PaymentAccount).where(
        PaymentAccount.beneficiary_id == line.beneficiary_id, PaymentAccount.account_number == line.account_number,
        PaymentAccount.active.is_(True))).scalars().first()
    if account is None:
        return None
    account.active, account.status, account.status_reason = False, "invalid", why[:300]
    account.status_changed_at = utcnow()
    audit.record(actor, "account_invalid", "beneficiary", line.beneficiary_id,
                 f"Chuyển khoản tháng {line.month:%m/%Y} không thành công ({why}): tài khoản "
                 f"{account.account_number} không còn dùng; tháng sau chi tiền mặt, chờ ngân hàng mở lại.",
                 after={"account_status": "invalid"})
    db.session.flush()
    return account


FLAG_LABELS = ACCOUNT_FLAGS
