"""Notes shown next to payout-list lines (ghi chú dòng danh sách chi trả), read from the register when a page or
the PDF is rendered — one query for the lines at hand, never one per line:

* ``awaiting_account`` (chờ mở tài khoản): the person chose an account channel (bank account, e-wallet, mobile
  money) but is on a cash list, because no account was open when the list was built (``payouts.list_channel``).
  They are paid in cash this month; the commune and the bank should follow up.
* ``proxy_name``: who receives the money for the person (guardian / proxy, người giám hộ / người nhận thay), with
  the relationship — printed on cash lists (reference §2.3) so the post office knows whom to pay. Only shown where
  ``access.may_see("guardian_name")`` allows.
* ``account_problem``: the month's account check (``payouts.account_checks``) answered that the person's account
  does not work — "Tài khoản không dùng được: Sai tên chủ tài khoản (Ngân hàng báo, 09/2026)"; shown instead of
  ``awaiting_account`` (the person has an account, it just cannot take the transfer this month); also when the
  holder's recorded identity document has expired (``PaymentAccount.document_expired``: the bank blocks it).
"""
from dataclasses import dataclass

from sqlalchemy import select

from ...clock import today_vn
from ...extensions import db
from ...models import (
    AccountCheck,
    Beneficiary,
    LineResult,
    ListChannel,
    PaymentAccount,
    PaymentChannel,
    PayoutLine,
    PayoutList,
)
from ...models.account_checks import FAILING_CHECK_STATUSES, AccountCheckStatus
from ...models.accounts import effective_expiry
from ..accounts.opening import payable_account
from ..bulk import insert_rows
from ..entitlement.months import LinePlan
from ..entitlement.rates import Amount

PROGRAMME = "tcxh"


AWAITING_ACCOUNT = "Chờ mở tài khoản"


@dataclass(frozen=True)
class LineNote:
    """Notes of one line: ``awaiting_account`` (bool), ``proxy_name`` ("Lê Văn B (con)", or "" when none) and
    ``account_problem`` (the failed account check's reason, or "")."""

    awaiting_account: bool = False
    proxy_name: str = ""
    account_problem: str = ""


NO_NOTE = LineNote()


def line_notes(lst: PayoutList, lines=None) -> dict[int, LineNote]:
    """Notes of ``lst``'s lines (all of them, or only ``lines``), as line id → ``LineNote``, in one query joining
    each line to its beneficiary and the month's account check. ``awaiting_account`` and ``account_problem`` are
    only ever set on a cash list, and never both; notes only on the person's own allowance line: a care, funeral or
    heirs' line is paid to someone else (a deceased person is never "awaiting an account")."""
    stmt = (select(PayoutLine.id, Beneficiary.payment_channel, Beneficiary.guardian_name,
                   Beneficiary.guardian_relationship, PayoutLine.programme, PayoutLine.payee_name,
                   AccountCheck.status, AccountCheck.source,
                   PaymentAccount.id_document_kind, PaymentAccount.id_document_expiry)
            .join(Beneficiary, PayoutLine.beneficiary_id == Beneficiary.id)
            .outerjoin(AccountCheck, (AccountCheck.beneficiary_id == PayoutLine.beneficiary_id)
                       & (AccountCheck.month == PayoutLine.month)
                       & AccountCheck.status.in_(FAILING_CHECK_STATUSES))
            .outerjoin(PaymentAccount, (PaymentAccount.beneficiary_id == PayoutLine.beneficiary_id)
                       & PaymentAccount.active.is_(True) & PaymentAccount.id_document_kind.is_not(None))
            .where(PayoutLine.payout_list_id == lst.id))
    if lines is not None:
        ids = [line.id for line in lines]
        if not ids:
            return {}
        stmt = stmt.where(PayoutLine.id.in_(ids))
    cash = lst.channel != ListChannel.ACCOUNT
    out = {}
    today = today_vn()
    for (line_id, channel, name, relationship, programme, payee, check, source, doc_kind,
         doc_expiry) in db.session.execute(stmt):
        if programme != PROGRAMME or payee:
            out[line_id] = NO_NOTE
            continue
        name = (name or "").strip()
        proxy = f"{name} ({relationship.strip()})" if name and (relationship or "").strip() else name
        problem = check_reason(AccountCheckStatus(check), lst.month, source) if check and cash else ""
        end = effective_expiry(doc_kind, doc_expiry)
        if cash and not problem and end is not None and end < today:
            problem = f"Tài khoản không dùng được: giấy tờ tùy thân của chủ tài khoản hết hạn ngày {end:%d/%m/%Y}"
        out[line_id] = LineNote(awaiting_account=cash and PaymentChannel(channel).is_account and not problem,
                                proxy_name=proxy, account_problem=problem)
    return out


CHECK_SOURCES = {"bank": "Ngân hàng", "police": "Công an"}


def check_reason(status: AccountCheckStatus, month, source: str = "bank") -> str:
    """The reason a failed account check prints on the list and shows to the commune: "Tài khoản không dùng được:
    Sai tên chủ tài khoản (Ngân hàng báo, 09/2026)" (``month`` a first-of-month date)."""
    return f"Tài khoản không dùng được: {status.label} ({CHECK_SOURCES.get(source, source)} báo, {month:%m/%Y})"


class NewLine:
    """A payout line about to be written: the ``PayoutLine`` column values as plain attributes (``line.total``…),
    without the ORM's per-attribute instrumentation, which costs more than everything else in a province-wide build.
    ``insert_lines`` writes it; ``to_model()`` gives a transient ``PayoutLine``."""

    def __init__(self, **values):
        self.__dict__.update(values)

    def to_model(self) -> PayoutLine:
        """The same values as a transient ``PayoutLine``."""
        return PayoutLine(**self.__dict__)


def insert_lines(lines: list) -> None:
    """Write new lines (``NewLine`` or transient ``PayoutLine``) of DRAFT lists in one bulk write
    (``bulk.insert_rows``: COPY on PostgreSQL, executemany elsewhere) instead of the unit of work — the monthly
    build of a province writes ~150.000 lines (bench/monthly_build.py). Only for lines of lists that are not frozen
    (the caller builds drafts; the frozen-list guard in ``lists`` sees ORM flushes only). Nothing is added to the
    session: a list's ``lines`` load from the database afterwards. Lines whose sets of given values differ are
    written through the ORM instead (column defaults stay right)."""
    if not lines:
        return
    rows = [vars(line) if type(line) is NewLine else {k: v for k, v in vars(line).items() if not k.startswith("_")}
            for line in lines]
    keys = rows[0].keys()
    if any(r.keys() != keys for r in rows):
        db.session.add_all([line.to_model() if isinstance(line, NewLine) else line for line in lines])
        return
    for line in lines:
        if isinstance(line, PayoutLine) and line in db.session:
            db.session.expunge(line)
    insert_rows(PayoutLine.__table__, rows)


def line_row(b: Beneficiary, lst: PayoutList, plan, position: int, level: int | None = None) -> NewLine:
    """The column values of one line, snapshotting what is printed; the account only on an account-transfer list
    and only for the person's own allowance (care and funeral support go to their payee). ``plan`` is an
    ``entitlement.months.LinePlan`` (or a bare ``entitlement.Amount`` for the month's allowance)."""
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
        programme_reason=(getattr(plan, "programme_reason", "") or None) and plan.programme_reason[:200],
        payee_name=payee.get("name"), payee_national_id=payee.get("national_id"),
        payee_relationship=payee.get("relationship"),
        account_number=account.account_number if account else None,
        provider_code=account.provider_code if account else None,
        holder_name=account.holder_name if account else None, result=LineResult.PENDING.value)


def new_line(b: Beneficiary, lst: PayoutList, plan, position: int, level: int | None = None) -> PayoutLine:
    """A (transient) PayoutLine with the values of ``line_row``."""
    return line_row(b, lst, plan, position, level).to_model()
