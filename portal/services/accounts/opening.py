"""Payment accounts (tài khoản nhận trợ cấp) opened by bank branches: who still needs one, and recording one.

Rules (reference §6 "Account numbers", "Bank names"; plan §III.4 bank coverage):

- A bank branch works only on the beneficiaries ``areas.visible`` gives it: communes it covers, people who chose an
  account channel. It records accounts at its own bank (``Organization.provider_code``).
- An account number is text: digits only once spaces, dashes and dots are removed, 6–19 long, leading zeros kept.
  There is no public checksum, so no per-bank validation.
- One active account per beneficiary. A (provider, number) pair recorded for two beneficiaries is accepted but
  flagged (unless the same guardian/proxy holds both): flags and what follows live in
  ``portal.services.accounts.flags``; ``payable_account`` is what the payout build uses.
- The holder name (tên chủ tài khoản) is the beneficiary's own (chính chủ), the recorded guardian's, or the proxy's of
  a valid authorization to open an account (``Authorization.scope_open_account``, valid on the opening day),
  compared in capitals without diacritics (reference §6 "Bank names"): ``holder_mismatch``, shared by the form and
  the bank file.
- Per account the bank records its kind, provider (NAPAS BIN list), card issued, and the fee waivers the plan
  requires (``models.accounts.FEE_WAIVERS``, KH 2587 §V.6), so the province sees who promised what.
- Every write leaves an audit event on the beneficiary (``object_type`` "beneficiary"), shown on their page.

The bank spreadsheet import (``preview_bank_file`` / ``commit_bank_batch`` / ``import_bank_file``) lives in
``accounts.bank_import``.
"""
import re
from datetime import date

from sqlalchemy import exists, select

from ... import access, areas
from ...clock import today_vn
from ...errors import AccessDenied, StateError, ValidationError
from ...extensions import db
from ...models import (
    AdministrativeUnit,
    Authorization,
    BankCoverage,
    Beneficiary,
    Organization,
    PaymentAccount,
    PaymentChannel,
    PaymentProvider,
    PayoutPointSession,
    User,
)
from ...models.accounts import FEE_WAIVERS
from ...models.registry import ACCOUNT_CHANNELS
from .. import audit
from ..registry import identity
from ..units import units_in_force
from . import flags as account_flags
from . import watch as account_watch

ACCOUNT_NUMBER_MIN, ACCOUNT_NUMBER_MAX = 6, 19
EARLIEST_OPENING = date(2000, 1, 1)
HOLDER_KINDS = {"self": "Chính chủ", "guardian": "Người giám hộ / người nhận thay",
                "proxy": "Người được ủy quyền mở tài khoản"}
#: account kinds (loại tài khoản): the cashless payment channels, with their labels
ACCOUNT_KINDS = {c.value: c.label for c in PaymentChannel if c.is_account}
DUPLICATE_NUMBER = "Số tài khoản đã được ghi cho người khác"
_SEPARATORS = re.compile(r"[\s\-.]+")

def clean_account_number(raw) -> str:
    """Số tài khoản as stored: text of digits, spaces/dashes/dots removed, leading zeros kept.

    ``raw``: str (or int, as digits). Returns e.g. ``"0011004123456"``. Raises ``ValidationError`` when empty,
    when other characters remain, when the length is outside 6–19 digits (reference §6), or when it is one digit
    repeated ("0000000000", a placeholder, never a real account)."""
    text = _SEPARATORS.sub("", identity.nfc(str(raw)) if raw is not None else "")
    if not text:
        raise ValidationError("Chưa nhập số tài khoản.")
    if not (text.isascii() and text.isdigit()):
        raise ValidationError(f"Số tài khoản chỉ gồm chữ số (đã nhập: {raw}).")
    if not ACCOUNT_NUMBER_MIN <= len(text) <= ACCOUNT_NUMBER_MAX:
        raise ValidationError(
            f"Số tài khoản phải có từ {ACCOUNT_NUMBER_MIN} đến {ACCOUNT_NUMBER_MAX} chữ số (đã nhập {len(text)} "
            f"chữ số: {text}).")
    if len(set(text)) == 1:
        raise ValidationError(f"Số tài khoản không hợp lệ: {text} (một chữ số lặp lại).")
    return text


def check_opened_on(opened_on: date | None) -> date:
    """Ngày mở tài khoản: required, not after today (Vietnam time), not before 01/01/2000. Returns it; raises
    ``ValidationError``."""
    if opened_on is None:
        raise ValidationError("Chưa nhập ngày mở tài khoản.")
    if opened_on > today_vn():
        raise ValidationError(f"Ngày mở tài khoản {opened_on:%d/%m/%Y} ở tương lai.")
    if opened_on < EARLIEST_OPENING:
        raise ValidationError(f"Ngày mở tài khoản {opened_on:%d/%m/%Y} trước năm 2000, không hợp lệ.")
    return opened_on


def provider_label(code: str | None) -> str:
    """The provider's name for a PaymentProvider code ("VBA" → "Agribank"); the code itself when unknown."""
    provider = db.session.get(PaymentProvider, code) if code else None
    return provider.name if provider else (code or "")


def bank_of(actor: User) -> Organization:
    """The actor's bank branch; raises ``AccessDenied`` when the actor does not work for a bank with the
    ``account_opening`` duty."""
    org = actor.organization
    if not access.opens_accounts(actor) or not org.provider_code:
        raise AccessDenied("Chỉ chi nhánh ngân hàng được giao mở tài khoản mới ghi nhận được tài khoản.")
    return org


def covered_communes(user: User, month: date) -> list[AdministrativeUnit]:
    """Communes in force in ``month`` (``units.units_in_force``: a month before 07/2025 the 2024 communes, later the
    2025 ones) that the user's bank covers with approved coverage (BankCoverage), by name; empty for non-bank
    users."""
    return units_in_force(month, among=select(BankCoverage.commune_code).where(
        BankCoverage.bank_id == user.organization_id, BankCoverage.status == "approved"))


def payable_account(beneficiary: Beneficiary) -> PaymentAccount | None:
    """The account the allowance may be transferred to (used by ``payouts.build_lists``): the active account
    unless a safety flag on it is not cleared yet by the district (``accounts.flags``). None means: treat the person
    as having no account (cash at the payout point, or at home)."""
    account = beneficiary.active_account
    return account if account is not None and account.payable else None


def proxy_authorizations(beneficiary: Beneficiary, day: date) -> list[Authorization]:
    """Authorizations (giấy ủy quyền, certified by the commune) that let a proxy open an account for
    ``beneficiary`` on ``day``: ``scope_open_account`` and ``valid_on(day)``."""
    rows = db.session.execute(select(Authorization).where(
        Authorization.beneficiary_id == beneficiary.id, Authorization.scope_open_account.is_(True))
        .order_by(Authorization.id.desc())).scalars()
    return [a for a in rows if a.valid_on(day)]


def _has_active_account():
    return exists().where(PaymentAccount.beneficiary_id == Beneficiary.id, PaymentAccount.active.is_(True))


def pending_accounts(user: User, commune_code: str | None = None):
    """``select(Beneficiary)`` of the beneficiaries ``user`` may see who chose an account channel, are not stopped
    and have no active PaymentAccount (danh sách cần mở tài khoản), ordered by commune then Vietnamese name order.
    ``commune_code`` narrows to one commune; search and paging: ``registry.search_beneficiaries``."""
    stmt = areas.visible(Beneficiary, user).where(
        Beneficiary.payment_channel.in_(ACCOUNT_CHANNELS), Beneficiary.status != "stopped",
        ~_has_active_account())
    if commune_code:
        stmt = stmt.where(Beneficiary.commune_code == commune_code)
    return stmt.order_by(Beneficiary.commune_code, Beneficiary.name_sort, Beneficiary.id)


def recorded_accounts(user: User):
    """``select(PaymentAccount)`` of the accounts recorded by the user's organisation on beneficiaries it may see,
    newest first (trang "Tài khoản đã mở")."""
    return areas.visible(PaymentAccount, user).where(
        PaymentAccount.opened_by_org_id == user.organization_id).order_by(
        PaymentAccount.created_at.desc(), PaymentAccount.id.desc())


def default_holder_name(beneficiary: Beneficiary, holder_kind: str = "self") -> str:
    """The holder name a bank would write: the beneficiary's (or guardian's) name in capitals without diacritics."""
    name = beneficiary.guardian_name if holder_kind == "guardian" else beneficiary.full_name
    return identity.ascii_upper(name)


def check_holder_kind(holder_kind: str) -> str:
    """Chủ tài khoản: "self" (chính chủ) or "guardian" (người giám hộ / nhận thay). Returns it; raises
    ``ValidationError``."""
    if holder_kind not in HOLDER_KINDS:
        raise ValidationError("Chủ tài khoản phải là chính chủ hoặc người giám hộ.")
    return holder_kind


def holder_mismatch(beneficiary: Beneficiary, holder_kind: str, holder_name: str | None) -> str | None:
    """The Vietnamese message when the bank's holder name (tên chủ tài khoản) does not belong to the expected
    person, else None. The same check serves the account form and the bank spreadsheet (reference §6 "Bank
    names": names compared in capitals without diacritics, ``identity.names_match_bank``).

    ``holder_kind`` "self": must match the beneficiary's name; "guardian": must match the guardian (người giám hộ /
    nhận thay) recorded by the commune — money never goes to a third party the register does not name (the caller,
    ``check_holder``, refuses a guardian holder when none is recorded). ``holder_name`` empty counts as a
    mismatch."""
    if holder_kind == "guardian":
        expected, whose = beneficiary.guardian_name, "người giám hộ"
    elif holder_kind == "proxy":
        auths = proxy_authorizations(beneficiary, today_vn())
        if not auths or any(identity.names_match_bank(a.proxy_name, holder_name) for a in auths):
            return None
        expected, whose = auths[0].proxy_name, "người được ủy quyền"
    else:
        expected, whose = beneficiary.full_name, "đối tượng"
    if not expected or identity.names_match_bank(expected, holder_name):
        return None
    shown = " ".join(identity.nfc(holder_name or "").split())
    return f"Tên chủ tài khoản «{shown}» không khớp với tên {whose} «{expected}»."


def check_holder(beneficiary: Beneficiary, holder_kind: str, holder_name: str | None) -> str:
    """The holder name to store for ``beneficiary`` (NFC, spaces collapsed; empty → ``default_holder_name``).

    Raises ``ValidationError`` for an unknown ``holder_kind``, a guardian holder when the commune has recorded no
    guardian for the person, a name over 120 characters, or a name that does not match (``holder_mismatch``)."""
    check_holder_kind(holder_kind)
    name = " ".join(identity.nfc(holder_name or "").split())
    if holder_kind == "guardian" and not beneficiary.guardian_name:
        raise ValidationError("Sổ đăng ký chưa có người giám hộ/nhận thay của đối tượng này: xã cần ghi người giám "
                              "hộ trước khi mở tài khoản đứng tên người khác.")
    if holder_kind == "proxy" and not proxy_authorizations(beneficiary, today_vn()):
        raise ValidationError("Chưa có giấy ủy quyền mở tài khoản còn hiệu lực (đã chứng thực) của đối tượng này.")
    name = name or default_holder_name(beneficiary, holder_kind)
    if not name:
        raise ValidationError("Chưa nhập tên chủ tài khoản.")
    if len(name) > 120:
        raise ValidationError("Tên chủ tài khoản quá dài (tối đa 120 ký tự).")
    problem = holder_mismatch(beneficiary, holder_kind, name)
    if problem:
        raise ValidationError(problem)
    return name


def number_taken(provider_code: str, number: str):
    """The first active PaymentAccount holding (provider, number), or None (a shared number is flagged, not
    refused: ``accounts.flags``)."""
    return db.session.execute(select(PaymentAccount).where(
        PaymentAccount.provider_code == provider_code, PaymentAccount.account_number == number,
        PaymentAccount.active.is_(True)).order_by(PaymentAccount.id)).scalars().first()


def is_visible(actor: User, beneficiary: Beneficiary) -> bool:
    """True when ``beneficiary`` is in ``areas.visible(Beneficiary, actor)``."""
    return db.session.execute(areas.visible(Beneficiary, actor).where(
        Beneficiary.id == beneficiary.id).with_only_columns(Beneficiary.id)).first() is not None


def mark_opened(actor: User, beneficiary: Beneficiary, account_number, opened_on: date,
                holder_kind: str = "self", holder_name: str | None = None,
                provider_code: str | None = None, *, kind: str | None = None, card_issued: bool = False,
                waivers=(), session: PayoutPointSession | None = None,
                document: tuple[str | None, date | None] = (None, None)) -> PaymentAccount:
    """Record that the actor's bank opened an account for ``beneficiary`` (ghi nhận mở tài khoản).

    ``account_number``: text (see ``clean_account_number``); ``opened_on``: date, 01/01/2000 … today;
    ``holder_kind``: "self" | "guardian" | "proxy" (a proxy needs a valid authorization to open an account,
    ``proxy_authorizations``); ``holder_name``: as the bank wrote it (NFC; default: the person's or the guardian's
    name in capitals without diacritics); ``provider_code``: default the bank's own code (another bank's code is
    refused); ``kind``: "bank_account" | "e_wallet" | "mobile_money", must be the provider's kind (default: it is);
    ``card_issued``: a card was issued; ``waivers``: keys of ``FEE_WAIVERS`` the bank granted; ``session``: the
    payout-point session it was recorded at; ``document``: (kind, expiry) of the holder's identity document the
    account was opened on (``models.accounts.ID_DOCUMENT_KINDS``, checked by ``accounts.watch.check_opening_document``:
    one that no longer lets an account trade on ``opened_on``, e.g. any CMND from 01/01/2025, is refused).
    Returns the new active PaymentAccount (flushed), with its safety
    flags set (``accounts.flags.assess``: a number shared with another person, a stopped or dead person, a commune
    outside coverage — the account then pays only once the district clears it), and writes an audit event.

    Raises ``AccessDenied`` (actor is not a bank, or the person is outside its coverage / did not choose an
    account, or the session is another bank's), ``StateError`` (the person already has an active account),
    ``ValidationError`` (bad number, date, kind, waiver, expired document, holder — including a holder name that is
    not the person's, the recorded guardian's or the authorized proxy's: ``holder_mismatch``)."""
    bank = bank_of(actor)
    provider_code = provider_code or bank.provider_code
    if provider_code != bank.provider_code:
        raise AccessDenied(f"{bank.name} chỉ ghi nhận tài khoản mở tại ngân hàng mình "
                           f"({provider_label(bank.provider_code)}).")
    if not is_visible(actor, beneficiary):
        raise AccessDenied("Đối tượng không thuộc địa bàn của chi nhánh hoặc chưa đăng ký nhận qua tài khoản.")
    if session is not None and (session.bank_id != bank.id or session.commune_code != beneficiary.commune_code):
        raise AccessDenied("Buổi làm việc tại điểm chi trả không thuộc chi nhánh hoặc xã của đối tượng.")
    provider = db.session.get(PaymentProvider, provider_code)
    if kind is not None and kind not in ACCOUNT_KINDS:
        raise ValidationError("Loại tài khoản phải là tài khoản ngân hàng, ví điện tử hoặc Mobile Money.")
    if kind is not None and provider is not None and kind != provider.kind:
        raise ValidationError(f"{provider.name} cung cấp «{ACCOUNT_KINDS.get(provider.kind, provider.kind)}», "
                              f"không phải «{ACCOUNT_KINDS[kind]}».")
    unknown = set(waivers) - set(FEE_WAIVERS)
    if unknown:
        raise ValidationError(f"Ưu đãi không hợp lệ: {', '.join(sorted(unknown))}.")
    number = clean_account_number(account_number)
    check_opened_on(opened_on)
    name = check_holder(beneficiary, holder_kind, holder_name)
    current = beneficiary.active_account
    if current is not None:
        raise StateError(f"{beneficiary.full_name} đã có tài khoản đang dùng "
                         f"({provider_label(current.provider_code)} {current.account_number}).")
    doc_kind, doc_expiry = account_watch.check_opening_document(*document, opened_on)
    extra = {"card_issued": bool(card_issued), "session_id": session.id if session else None,
             "id_document_kind": doc_kind, "id_document_expiry": doc_expiry,
             **{w: w in set(waivers) for w in FEE_WAIVERS}}
    if holder_kind == "guardian":
        extra["holder_national_id"] = beneficiary.guardian_national_id
    elif holder_kind == "proxy":
        auth = next(a for a in proxy_authorizations(beneficiary, today_vn())
                    if identity.names_match_bank(a.proxy_name, name))
        extra.update(authorization_id=auth.id, holder_national_id=auth.proxy_national_id)
    return create_account(actor, beneficiary, provider_code, number, opened_on, holder_kind, name, **extra)


def create_account(actor: User, beneficiary: Beneficiary, provider_code: str, number: str, opened_on: date,
                   holder_kind: str, holder_name: str, source: str = "", **extra) -> PaymentAccount:
    """Insert an already-validated account, set its safety flags (``accounts.flags.assess``) and write its audit
    event (internal to this module and bank imports). ``extra``: further PaymentAccount columns (waivers,
    card_issued, session_id, holder_national_id, authorization_id)."""
    provider = db.session.get(PaymentProvider, provider_code)
    account = PaymentAccount(
        beneficiary=beneficiary, kind=provider.kind if provider else "bank_account", provider_code=provider_code,
        account_number=number, holder_kind=holder_kind, holder_name=holder_name, opened_on=opened_on,
        opened_by_org_id=actor.organization_id, opened_by_user_id=actor.id, active=True, status="active", **extra)
    db.session.add(account)
    db.session.flush()
    flags = account_flags.assess(account)
    db.session.flush()
    after = audit.snapshot(account, ["provider_code", "account_number", "holder_kind", "holder_name", "opened_on",
                                     "card_issued", "flags"])
    warn = (f" – CẢNH BÁO: {'; '.join(account.flag_labels)} (chưa chi trả đến khi cơ quan quản lý chi trả gỡ)"
            if flags else "")
    audit.record(actor, "account_opened", "beneficiary", beneficiary.id,
                 f"Ghi nhận mở tài khoản {provider.name if provider else provider_code} {number} "
                 f"cho {beneficiary.full_name}{source}{warn}", after=after)
    return account


def holder_label(kind: str) -> str:
    """Vietnamese label of a holder kind."""
    return HOLDER_KINDS.get(kind, kind)
