"""Account check before every transfer (kiểm tra tài khoản trước khi chuyển tiền, Công văn 5234/LĐTBXH-TT,
23/12/2022): the commune or payout office (or the bank itself) writes, per bank, a check file of the month's account
lines; the bank answers with one status per line from a closed list (``AccountCheckStatus``); the portal records the
answers all or nothing and moves every line whose account does not work to cash at the payout point of the same
month, the reason shown on the list and to the commune.

What happens to a failing line depends on its list:

* the month's transfer list is open (draft, confirmed or returned): the line moves to the cash-at-point list of the
  same commune and month (created as a draft when there is none), without the account; both lists' control totals
  and fee are recomputed; a confirmed list goes back to draft, so the commune confirms the new lists again;
* the transfer list is approved (frozen, Decree 20/2021 Art. 34: the list sent to the provider does not change): the
  line stays; the answer is recorded, the line shows the reason, and the outcome names it so the post office
  records it "không chi được – tài khoản" (``payouts.results``); the carry-over then pays it in cash next month.

Any answer but "hoạt động" also keeps the account out of later builds (``PaymentAccount.check_status``) until a
later check answers "hoạt động"; such accounts are in every later check file so the bank can clear them. "Đã đóng"
(closed) invalidates the account outright, so the bank sees the person again in "Cần mở tài khoản".

Money is integer đồng; months are first-of-month dates. Writes record an audit event and flush, never commit.
"""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from ... import access, areas
from ...clock import today_vn, utcnow
from ...errors import AccessDenied, ValidationError
from ...extensions import db
from ...models import (
    AccountCheck,
    AccountCheckStatus,
    Beneficiary,
    Duty,
    ListChannel,
    ListStatus,
    PaymentAccount,
    PaymentProvider,
    PayoutLine,
    PayoutList,
    User,
)
from ...models.account_checks import FAILING_CHECK_STATUSES
from ...spreadsheets.reading import Column, cell_id_text, cell_text, find_header, iter_rows, open_workbook
from ...spreadsheets.writing import write_workbook
from ..audit import record
from ..entitlement.rates import RateBook, fee_for
from ..registry.identity import fold, parse_national_id
from .lines import CHECK_SOURCES, check_reason
from .lists import describe, file_slug

PROGRAMME = "tcxh"
SOURCES = CHECK_SOURCES

#: folded text → status: the labels, the codes, and the labels without diacritics
_STATUS_WORDS = {**{fold(s.label): s for s in AccountCheckStatus}, **{s.value: s for s in AccountCheckStatus}}

ANSWER_COLUMNS = [
    Column("national_id", ("Số định danh", "Số CCCD", "Số định danh cá nhân", "CCCD", "Số GTTT")),
    Column("name", ("Họ tên", "Họ và tên", "Họ tên khách hàng"), required=False),
    Column("account_number", ("Số tài khoản", "Số TK", "STK")),
    Column("bank", ("Ngân hàng",), required=False),
    Column("status", ("Tình trạng tài khoản", "Tình trạng", "Kết quả kiểm tra")),
]
HEADERS = ["STT", "Số định danh", "Họ tên", "Số tài khoản", "Ngân hàng", "Tình trạng tài khoản"]


def status_of(text) -> AccountCheckStatus | None:
    """The status a cell names ("Sai tên chủ tài khoản", "sai ten chu tai khoan", "wrong_holder"), or None."""
    return _STATUS_WORDS.get(fold(cell_text(text) or ""))


def status_list_text() -> str:
    """The closed list as one line, for file titles and error messages."""
    return "; ".join(s.label for s in AccountCheckStatus)


def require_checker(actor: User) -> None:
    """Raise ``AccessDenied`` unless the actor may run account checks (``access.checks_accounts``)."""
    if not access.checks_accounts(actor):
        raise AccessDenied("Chỉ UBND xã, cơ quan quản lý chi trả hoặc ngân hàng được kiểm tra tài khoản.")


@dataclass
class CheckItem:
    """One account to check in ``month``: the account, its beneficiary, and the month's transfer line (None for an
    account kept out after a failed check, checked again so the bank can clear it)."""

    account: PaymentAccount
    beneficiary: Beneficiary
    line: PayoutLine | None = None


def check_items(actor: User, month: date, provider_code: str | None = None) -> list[CheckItem]:
    """The accounts to check for ``month`` in the actor's area (``areas.visible``): the account of every person on
    the month's transfer lists (programme ``tcxh``), plus active accounts whose last answer failed. A bank gets only
    its own provider's accounts; ``provider_code`` narrows further. Ordered by provider, commune, name. Raises
    ``AccessDenied`` (``require_checker``)."""
    require_checker(actor)
    month = month.replace(day=1)
    if access.opens_accounts(actor):
        provider_code = actor.organization.provider_code
    people = areas.visible(Beneficiary, actor).with_only_columns(Beneficiary.id)
    lines = {line.beneficiary_id: line for line in db.session.execute(
        select(PayoutLine).join(PayoutList).options(contains_eager(PayoutLine.payout_list)).where(
            PayoutLine.month == month, PayoutLine.programme == PROGRAMME, PayoutLine.payee_name.is_(None),
            PayoutList.channel == ListChannel.ACCOUNT.value, PayoutLine.beneficiary_id.in_(people))).scalars()}
    failed_ids = select(PaymentAccount.beneficiary_id).where(
        PaymentAccount.active.is_(True), PaymentAccount.check_status.in_(FAILING_CHECK_STATUSES))
    accounts = select(PaymentAccount).join(Beneficiary).where(
        PaymentAccount.active.is_(True), PaymentAccount.beneficiary_id.in_(people),
        PaymentAccount.beneficiary_id.in_(list(lines)) | PaymentAccount.beneficiary_id.in_(failed_ids))
    if provider_code:
        accounts = accounts.where(PaymentAccount.provider_code == provider_code)
    rows = db.session.execute(accounts.options(contains_eager(PaymentAccount.beneficiary)).order_by(
        PaymentAccount.provider_code, Beneficiary.commune_code, Beneficiary.name_sort, Beneficiary.id)).scalars()
    return [CheckItem(a, a.beneficiary, lines.get(a.beneficiary_id)) for a in rows]


def check_banks(actor: User, month: date) -> list[tuple[PaymentProvider | str, int]]:
    """(provider, number of accounts to check) for each bank with something to check in ``month``; the provider
    code itself when it is not in the provider table."""
    counts: dict[str, int] = {}
    for item in check_items(actor, month):
        counts[item.account.provider_code] = counts.get(item.account.provider_code, 0) + 1
    return [(db.session.get(PaymentProvider, code) or code, n) for code, n in sorted(counts.items())]


def check_file(actor: User, month: date, provider_code: str) -> tuple[str, bytes]:
    """(file name, .xlsx bytes) of the check file for one bank: STT, Số định danh, Họ tên, Số tài khoản, Ngân hàng and
    an empty "Tình trạng tài khoản" column the bank fills from the closed list (IDs and account numbers as text).
    Raises ``AccessDenied`` (``require_checker``), ``ValidationError`` when there is nothing to check."""
    if not provider_code:
        raise ValidationError("Chọn ngân hàng cần lập tệp kiểm tra.")
    items = check_items(actor, month, provider_code)
    if not items:
        raise ValidationError(f"Không có tài khoản nào của ngân hàng {provider_code} cần kiểm tra tháng "
                              f"{month:%m/%Y} (chưa lập danh sách chuyển khoản?).")
    provider = db.session.get(PaymentProvider, provider_code)
    name = provider.name if provider else provider_code
    titles = ["DANH SÁCH ĐỀ NGHỊ KIỂM TRA TÀI KHOẢN TRƯỚC KHI CHI TRẢ",
              f"Tháng {month:%m/%Y} – {name} – {len(items)} tài khoản – lập bởi {actor.organization.name}",
              f"Cột «Tình trạng tài khoản» ghi một trong: {status_list_text()}."]
    rows = [[i, item.beneficiary.national_id, item.beneficiary.full_name, item.account.account_number,
             name, ""] for i, item in enumerate(items, start=1)]
    content = write_workbook(titles, HEADERS, rows, text_columns={1, 3}, sheet_title="Kiểm tra tài khoản")
    return f"Kiem-tra-tai-khoan-{month:%Y-%m}-{file_slug(name)}.xlsx", content


@dataclass
class AnswerOutcome:
    """What ``record_answers`` did: ``errors`` (Vietnamese, with Excel row numbers: nothing recorded when any),
    ``recorded`` answers, ``usable`` of them "hoạt động", ``moved`` [(beneficiary, reason)] lines moved to cash at
    the payout point, ``on_frozen`` [(beneficiary, reason)] failing lines left on an approved list, ``kept_out``
    failing accounts with no transfer line this month (they stay out of transfers)."""

    errors: list[str] = field(default_factory=list)
    recorded: int = 0
    usable: int = 0
    moved: list = field(default_factory=list)
    on_frozen: list = field(default_factory=list)
    kept_out: int = 0


def read_answers(actor: User, month: date, content: bytes) -> tuple[list, list[str]]:
    """Parse an answer file against the month's check items: ([(row number, CheckItem, status)], errors). A row is
    matched on Số định danh + Số tài khoản; errors name the Excel row. Raises ``ValidationError`` for a file that
    is not a readable .xlsx with the expected header."""
    items = {(item.beneficiary.national_id, item.account.account_number): item
             for item in check_items(actor, month)}
    parsed, errors, seen = [], [], {}
    wb = open_workbook(content)
    try:
        ws = wb.worksheets[0]
        for row in iter_rows(ws, find_header(ws, ANSWER_COLUMNS)):
            problem, item, status = _answer_row(row.values, items)
            key = (item.account.id if item else None)
            if problem is None and key in seen:
                problem = f"tài khoản {item.account.account_number} đã có ở dòng {seen[key]}."
            if problem:
                errors.append(f"Dòng {row.row_number}: {problem}")
                continue
            seen[key] = row.row_number
            parsed.append((row.row_number, item, status))
    finally:
        wb.close()
    if not parsed and not errors:
        errors.append("Tệp không có dòng trả lời nào.")
    return parsed, errors


def _answer_row(v: dict, items: dict):
    """(problem or None, CheckItem, status) of one answer row."""
    raw_id = v.get("national_id")
    try:
        national_id = parse_national_id(raw_id).value if raw_id not in (None, "") else ""
        number = cell_id_text(v.get("account_number"), "Số tài khoản") or ""
    except ValidationError as err:
        return str(err), None, None
    if not national_id or not number:
        return "thiếu số định danh hoặc số tài khoản.", None, None
    item = items.get((national_id, number))
    if item is None:
        return (f"tài khoản {number} của số định danh {national_id} không có trong danh sách kiểm tra tháng này "
                "(hoặc ngoài địa bàn)."), None, None
    text = cell_text(v.get("status"))
    if not text:
        return f"chưa ghi tình trạng tài khoản của {item.beneficiary.full_name}.", item, None
    status = status_of(text)
    if status is None:
        return f"tình trạng «{text}» không có trong danh mục ({status_list_text()}).", item, None
    return None, item, status


def record_answers(actor: User, month: date, content: bytes, source: str = "bank") -> AnswerOutcome:
    """Record a bank's answer file (``source`` "bank") for ``month``, all or nothing: with any row error the outcome
    carries ``errors`` and nothing is written. Each answer goes through ``record_answer``. Raises ``AccessDenied``
    (``require_checker``), ``ValidationError`` for an unreadable file."""
    month = month.replace(day=1)
    parsed, errors = read_answers(actor, month, content)
    out = AnswerOutcome(errors=errors)
    if errors:
        return out
    for _, item, status in parsed:
        record_answer(actor, month, item, status, source, out)
    record(actor, "account_check", "organization", actor.organization_id,
           f"Ghi kết quả kiểm tra tài khoản tháng {month:%m/%Y}: {out.recorded} tài khoản, {out.usable} hoạt động, "
           f"{len(out.moved)} chuyển sang chi tiền mặt tại điểm chi trả, {len(out.on_frozen)} trên danh sách đã "
           "phê duyệt.", after={"recorded": out.recorded, "moved": len(out.moved)})
    db.session.flush()
    return out


def record_police_statuses(actor: User, month: date, statuses) -> AnswerOutcome:
    """Record the account statuses the police wrote on the identity exchange sheet
    (``registry.identity_checks.import_results``: [(beneficiary, AccountCheckStatus)]) as account checks of
    ``month`` (source "police"), with the same effects as a bank's answer. People without an active account are
    skipped. Raises ``AccessDenied`` unless the actor is the police (``id_verification``) of each person's
    commune."""
    month = month.replace(day=1)
    out = AnswerOutcome()
    for b, status in statuses:
        if not (actor.organization.has_duty(Duty.ID_VERIFICATION) and access.in_area(actor, b.commune_code)):
            raise AccessDenied("Chỉ công an cấp xã nơi đối tượng cư trú ghi tình trạng tài khoản trên bảng đối sánh.")
        account = b.active_account
        if account is None:
            continue
        line = db.session.execute(select(PayoutLine).join(PayoutList).where(
            PayoutLine.beneficiary_id == b.id, PayoutLine.month == month, PayoutLine.programme == PROGRAMME,
            PayoutLine.payee_name.is_(None), PayoutList.channel == ListChannel.ACCOUNT.value)).scalar_one_or_none()
        record_answer(actor, month, CheckItem(account, b, line), status, "police", out)
    return out


def record_answer(actor: User, month: date, item: CheckItem, status: AccountCheckStatus, source: str,
                  out: AnswerOutcome | None = None) -> AccountCheck:
    """Record one answer (kết quả kiểm tra một tài khoản) about ``item`` for ``month``: upsert the ``AccountCheck``,
    set the account's ``check_status`` (an answer for an earlier month does not overwrite a later one), invalidate a
    closed account, and move a failing line to cash (see the module notes). Returns the check; ``out`` collects
    what happened. Flushes."""
    out = out if out is not None else AnswerOutcome()
    account, b = item.account, item.beneficiary
    check = db.session.execute(select(AccountCheck).where(
        AccountCheck.account_id == account.id, AccountCheck.month == month)).scalar_one_or_none()
    if check is None:
        check = AccountCheck(account_id=account.id, beneficiary_id=b.id, month=month, commune_code=b.commune_code)
        db.session.add(check)
    check.status, check.source, check.answered_on, check.answered_by_id = status.value, source, today_vn(), actor.id
    if account.check_month is None or account.check_month <= month:
        account.check_status, account.check_month = status.value, month
    out.recorded += 1
    reason = check_reason(status, month, source)
    if status.usable:
        out.usable += 1
    else:
        if status is AccountCheckStatus.CLOSED:
            account.active, account.status, account.status_reason = False, "invalid", reason[:300]
            account.status_changed_at = utcnow()
        line = item.line
        if line is None:
            out.kept_out += 1
        elif line.payout_list.status_enum.frozen or _cash_list_frozen(line):
            out.on_frozen.append((b, reason))
        else:
            move_to_cash(actor, line, reason)
            check.moved_to_cash = True
            out.moved.append((b, reason))
    record(actor, "account_check", "beneficiary", b.id,
           f"Kiểm tra tài khoản {account.account_number} tháng {month:%m/%Y} ({SOURCES.get(source, source)}): "
           f"{status.label}." + ("" if status.usable else " Tháng này chi tiền mặt tại điểm chi trả."),
           after={"check_status": status.value})
    db.session.flush()
    return check


def _cash_list_frozen(line: PayoutLine) -> bool:
    """True when the cash-at-point list the line would move to is already approved."""
    status = db.session.execute(select(PayoutList.status).where(
        PayoutList.month == line.month, PayoutList.commune_code == line.payout_list.commune_code,
        PayoutList.channel == ListChannel.CASH_AT_POINT.value,
        PayoutList.sequence == line.payout_list.sequence)).scalar_one_or_none()
    return status is not None and ListStatus(status).frozen


def move_to_cash(actor: User, line: PayoutLine, reason: str) -> PayoutLine:
    """Move ``line`` from its open transfer list to the cash-at-point list of the same commune and month (created
    as a draft when missing), without the account; lines renumbered by name, control totals and fee recomputed on
    both lists; a confirmed list goes back to draft (the commune confirms again); a transfer list left empty is
    deleted. Raises ``StateError`` through the
    frozen-list guard when either list is approved."""
    source = line.payout_list
    target = db.session.execute(select(PayoutList).where(
        PayoutList.month == source.month, PayoutList.commune_code == source.commune_code,
        PayoutList.channel == ListChannel.CASH_AT_POINT.value, PayoutList.sequence == source.sequence)
    ).scalar_one_or_none()
    if target is None:
        target = PayoutList(month=source.month, commune_code=source.commune_code, sequence=source.sequence,
                            supplement_of_id=source.supplement_of_id, channel=ListChannel.CASH_AT_POINT.value,
                            payout_office_id=source.payout_office_id, post_office_id=source.post_office_id,
                            prepared_by_id=source.prepared_by_id, status=ListStatus.DRAFT.value)
        db.session.add(target)
        db.session.flush()
    line.payout_list = target
    line.account_number = line.provider_code = line.holder_name = None
    db.session.flush()
    for lst in (source, target):
        _recount(actor, lst, f"{line.full_name}: {reason}")
    if source.people_count == 0:  # nobody left to transfer to: the empty draft goes, as a rebuild would do
        record(actor, "delete", "payout_list", source.id, f"Xoá danh sách rỗng {describe(source)}")
        db.session.delete(source)
        db.session.flush()
    return line


def _recount(actor: User, lst: PayoutList, why: str) -> None:
    """Renumber ``lst``'s lines by name and set its control totals and fee again; a confirmed list returns to
    draft."""
    db.session.expire(lst, ["lines"])
    lines = sorted(lst.lines, key=lambda x: (x.name_sort, x.beneficiary_id, x.programme != PROGRAMME))
    for i, line in enumerate(lines, start=1):
        line.position = i
    lst.people_count = len(lines)
    lst.total_amount = sum(x.total for x in lines)
    for col, line_col in (("regular_total", "regular_amount"), ("top_up_total", "top_up"),
                          ("back_pay_total", "back_pay"), ("care_total", "care_support"),
                          ("funeral_total", "funeral_support"), ("recovery_total", "recovery")):
        setattr(lst, col, sum(getattr(x, line_col) or 0 for x in lines))
    lst.fee_amount = fee_for(lines, lst.month, RateBook.load())
    note = ""
    if lst.status == ListStatus.CONFIRMED.value:
        lst.status, lst.confirmed_by_id, lst.confirmed_at = ListStatus.DRAFT.value, None, None
        note = " Danh sách đã được xã xác nhận nay trở lại dự thảo, xã cần xác nhận lại."
    lst.version = (lst.version or 1) + 1
    record(actor, "account_check_move", "payout_list", lst.id,
           f"Chuyển dòng sang chi tiền mặt tại điểm chi trả ({why}); danh sách {describe(lst)}: "
           f"{lst.people_count} người.{note}", after={"people_count": lst.people_count,
                                                      "total_amount": lst.total_amount, "status": lst.status})
    db.session.flush()


def failing_checks(list_or_month, commune_codes=None) -> dict[int, str]:
    """beneficiary id → reason of the failing answers of a month (a ``PayoutList``'s or a date), in one query: the
    note "Tài khoản không dùng được: …" on lists and the commune's page."""
    month = list_or_month.month if isinstance(list_or_month, PayoutList) else list_or_month
    stmt = select(AccountCheck.beneficiary_id, AccountCheck.status, AccountCheck.source).where(
        AccountCheck.month == month, AccountCheck.status.in_(FAILING_CHECK_STATUSES))
    if isinstance(list_or_month, PayoutList):
        stmt = stmt.where(AccountCheck.commune_code == list_or_month.commune_code)
    elif commune_codes is not None:
        stmt = stmt.where(AccountCheck.commune_code.in_(commune_codes))
    return {bid: check_reason(AccountCheckStatus(status), month, source)
            for bid, status, source in db.session.execute(stmt)}


def month_checks(actor: User, month: date):
    """``select(AccountCheck)`` of ``month`` in the actor's area, failing first then by commune: the commune's
    page of answers."""
    people = areas.visible(Beneficiary, actor).with_only_columns(Beneficiary.id)
    return select(AccountCheck).join(Beneficiary).where(
        AccountCheck.month == month.replace(day=1), AccountCheck.beneficiary_id.in_(people)).order_by(
        (AccountCheck.status == AccountCheckStatus.ACTIVE.value), AccountCheck.commune_code, Beneficiary.name_sort)


def month_check_counts(actor: User, month: date) -> dict[str, int]:
    """status value → number of answers of ``month`` in the actor's area."""
    people = areas.visible(Beneficiary, actor).with_only_columns(Beneficiary.id)
    return dict(db.session.execute(select(AccountCheck.status, func.count()).where(
        AccountCheck.month == month.replace(day=1), AccountCheck.beneficiary_id.in_(people))
        .group_by(AccountCheck.status)).all())
