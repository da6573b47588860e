"""Account usability watch (theo dõi tài khoản có nguy cơ không dùng được): each account records the identity document
it was opened on (CMND 9 or 12 digits, CCCD, passport) and that document's expiry, for the holder (``holder_kind``:
the beneficiary, guardian or proxy). A bank blocks every transaction, counter included, once the holder's document
has expired; every CMND stopped being valid on 31/12/2024 (Luật Căn cước 2023 Art. 46.1; reference §4.1 "Old CMND").

``worklist`` gives the commune, for a month, the accounts at risk with the reason, the deadline and what to do;
``commune_counts`` gives the province the number per commune. Writes flush, never commit.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from ... import access, areas
from ...errors import AccessDenied, ValidationError
from ...extensions import db
from ...models import AdministrativeUnit, Beneficiary, PaymentAccount, User
from ...models.account_checks import FAILING_CHECK_STATUSES, AccountCheckStatus
from ...models.accounts import ID_DOCUMENT_KINDS, effective_expiry
from .. import audit

#: a document expiring within this many days after the month's end is "sắp hết hạn"
WARN_DAYS = 90
HOLDERS = {"self": "đối tượng", "guardian": "người giám hộ", "proxy": "người được ủy quyền"}


def check_document(kind: str | None, expiry: date | None) -> tuple[str | None, date | None]:
    """Validate a (kind, expiry) pair: kind one of ``ID_DOCUMENT_KINDS`` or empty (unknown; then no expiry), a CCCD
    or passport needs its expiry. Returns the pair; raises ``ValidationError``."""
    kind = kind or None
    if kind is None:
        if expiry is not None:
            raise ValidationError("Chọn loại giấy tờ mở tài khoản trước khi ghi ngày hết hạn.")
        return None, None
    if kind not in ID_DOCUMENT_KINDS:
        raise ValidationError("Loại giấy tờ phải là CMND 9 số, CMND 12 số, CCCD/Căn cước hoặc hộ chiếu.")
    if kind in ("cccd", "passport") and expiry is None:
        raise ValidationError(f"Ghi ngày hết hạn của {ID_DOCUMENT_KINDS[kind]}.")
    return kind, expiry


def document_risk(kind: str | None, expiry: date | None, day: date) -> str | None:
    """The state on ``day`` of an identity document (``kind``, ``expiry``; see ``models.accounts.effective_expiry``)
    an account trades on: "expired" when its last valid day is before ``day`` (every CMND after 31/12/2024: the
    bank blocks the account), "expiring" when it ends by ``WARN_DAYS`` days after the end of ``day``'s month, else
    None (valid, or unknown)."""
    end = effective_expiry(kind, expiry)
    if end is None:
        return None
    if end < day:
        return "expired"
    return "expiring" if end <= _month_end(day) + timedelta(days=WARN_DAYS) else None


def check_opening_document(kind: str | None, expiry: date | None,
                           opened_on: date) -> tuple[str | None, date | None]:
    """``check_document``, and a document that no longer lets an account trade on ``opened_on`` (``document_risk``
    "expired": a CMND from 01/01/2025 on, a CCCD or passport past its expiry) is refused: the bank would block the
    account from its first day. Returns the pair; raises ``ValidationError``."""
    kind, expiry = check_document(kind, expiry)
    if document_risk(kind, expiry, opened_on) == "expired":
        label = ID_DOCUMENT_KINDS[kind]
        if kind in ("cmnd9", "cmnd12"):
            raise ValidationError(f"{label} hết giá trị từ 01/01/2025 (Luật Căn cước 2023): tài khoản mở ngày "
                                  f"{opened_on:%d/%m/%Y} bằng giấy tờ này bị ngân hàng chặn mọi giao dịch. Mở "
                                  "bằng CCCD/Căn cước còn hạn.")
        raise ValidationError(f"{label} hết hạn ngày {effective_expiry(kind, expiry):%d/%m/%Y}, trước ngày mở "
                              f"tài khoản {opened_on:%d/%m/%Y}: ngân hàng chặn mọi giao dịch. Mở bằng giấy tờ còn "
                              "hạn.")
    return kind, expiry


def record_document(actor: User, account: PaymentAccount, kind: str | None, expiry: date | None) -> PaymentAccount:
    """Record the identity document ``account`` was opened on and its expiry (of the holder). Who: the bank that
    covers the person or the commune / payout office of the area (``access.checks_accounts`` and the account
    visible to the actor). Raises ``AccessDenied``, ``ValidationError`` (``check_document``). Flushes."""
    if not access.checks_accounts(actor) or db.session.execute(areas.visible(PaymentAccount, actor).where(
            PaymentAccount.id == account.id)).first() is None:
        raise AccessDenied("Không được ghi giấy tờ của tài khoản này.")
    kind, expiry = check_document(kind, expiry)
    account.id_document_kind, account.id_document_expiry = kind, expiry
    shown = f"{ID_DOCUMENT_KINDS[kind]}" + (f", hết hạn {expiry:%d/%m/%Y}" if expiry else "") if kind else "chưa rõ"
    audit.record(actor, "account_document", "beneficiary", account.beneficiary_id,
                 f"Giấy tờ mở tài khoản {account.account_number} ({HOLDERS.get(account.holder_kind, '')}): {shown}.",
                 after={"id_document_kind": kind, "id_document_expiry": expiry.isoformat() if expiry else None})
    db.session.flush()
    return account


@dataclass
class AtRisk:
    """One account at risk in a month: ``reason``, ``deadline`` (the day it stops / stopped working, or None),
    ``action`` (what the commune does), ``expired`` (True: already blocked)."""

    account: PaymentAccount
    reason: str
    deadline: date | None
    action: str
    expired: bool


def _month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def assess(account: PaymentAccount, month: date) -> AtRisk | None:
    """Why ``account`` may not work in ``month`` (first-of-month date), or None: an expired or expiring document of
    the holder (CMND: 31/12/2024 at the latest), or a failed account check."""
    whose = HOLDERS.get(account.holder_kind, "chủ tài khoản")
    end = effective_expiry(account.id_document_kind, account.id_document_expiry)
    kind = ID_DOCUMENT_KINDS.get(account.id_document_kind or "", "")
    risk = document_risk(account.id_document_kind, account.id_document_expiry, month)
    if risk == "expired":
        cmnd = account.id_document_kind in ("cmnd9", "cmnd12")
        reason = (f"Tài khoản mở bằng {kind} của {whose}: CMND hết giá trị từ 01/01/2025" if cmnd
                  else f"{kind} của {whose} hết hạn ngày {end:%d/%m/%Y}")
        return AtRisk(account, reason + "; ngân hàng chặn mọi giao dịch, kể cả tại quầy.", end,
                      f"Báo {whose} mang CCCD còn hạn đến ngân hàng cập nhật giấy tờ; đến khi cập nhật, chi tiền mặt "
                      "tại điểm chi trả.", True)
    if risk == "expiring":
        return AtRisk(account, f"{kind} của {whose} hết hạn ngày {end:%d/%m/%Y}.", end,
                      f"Nhắc {whose} làm lại CCCD và cập nhật tại ngân hàng trước ngày {end:%d/%m/%Y}.", False)
    if account.check_status in FAILING_CHECK_STATUSES:
        label = AccountCheckStatus(account.check_status).label
        return AtRisk(account, f"Kiểm tra tài khoản tháng {account.check_month:%m/%Y}: {label}.", None,
                      "Liên hệ ngân hàng để khắc phục; tháng tới kiểm tra lại. Trong khi chờ, chi tiền mặt tại điểm "
                      "chi trả.", True)
    return None


def opening_warning(account: PaymentAccount, day: date) -> str | None:
    """What the teller is told on recording ``account`` on ``day`` when the watch would list it at once as expiring
    (``assess`` for ``day``'s month: the holder's document ends within ``WARN_DAYS`` days after the month): its
    reason and what to do, in Vietnamese; None otherwise (an expired document is refused before,
    ``check_opening_document``)."""
    risk = assess(account, day.replace(day=1))
    return f"{risk.reason[:-1]}: {risk.action[0].lower()}{risk.action[1:]}" if risk and not risk.expired else None


def _accounts(actor: User):
    if not (access.checks_accounts(actor) or access.oversees(actor)):
        raise AccessDenied("Không có quyền xem tài khoản.")
    return areas.visible(PaymentAccount, actor).where(PaymentAccount.active.is_(True))


def worklist(actor: User, month: date) -> list[AtRisk]:
    """The accounts at risk in ``month`` in the actor's area (danh sách tài khoản cần xử lý), expired first, then by
    deadline and name. Raises ``AccessDenied`` unless the actor checks accounts or oversees."""
    month = month.replace(day=1)
    candidates = PaymentAccount.id_document_kind.is_not(None) | PaymentAccount.check_status.in_(
        FAILING_CHECK_STATUSES)  # the others cannot be at risk: one query, no row per account
    rows = db.session.execute(_accounts(actor).join(Beneficiary).where(candidates).options(
        contains_eager(PaymentAccount.beneficiary)).order_by(Beneficiary.commune_code, Beneficiary.name_sort)).scalars()
    out = [risk for account in rows if (risk := assess(account, month)) is not None]
    return sorted(out, key=lambda r: (not r.expired, r.deadline or date.max))


def unknown_documents(actor: User) -> int:
    """Active accounts in the area whose opening document is not recorded yet."""
    return db.session.scalar(_accounts(actor).where(PaymentAccount.id_document_kind.is_(None)).with_only_columns(
        func.count(PaymentAccount.id)))


def commune_counts(actor: User, month: date) -> list[tuple[AdministrativeUnit, int, int]]:
    """(commune, accounts blocked, accounts expiring soon) per commune with at least one, for the province's
    overview (and any actor's area), by commune name."""
    counts: dict[str, list[int]] = {}
    for risk in worklist(actor, month):
        c = counts.setdefault(risk.account.beneficiary.commune_code, [0, 0])
        c[0 if risk.expired else 1] += 1
    units = {u.code: u for u in db.session.execute(select(AdministrativeUnit).where(
        AdministrativeUnit.code.in_(list(counts)))).scalars()}
    return sorted(((units[code], a, b) for code, (a, b) in counts.items()), key=lambda t: t[0].name)
