"""What the post office (Bưu điện, duty ``payment_service``) reports on an approved payout list: per-line results
(đã chi / không chi được), the payment spreadsheet it works from (bảng kê chi trả) and re-uploading that sheet with
the results filled in; totals by result.

Results may be recorded once the post office has accepted the list (nhận danh sách, ``payouts.accept_list``: the
totals checked) and corrected until the list is settled; the last pending line moves it to ``reported`` (Decree 20/2021
Art. 34.5: the provider reports who was paid and who was not). Amounts are never changed here. Money is integer đồng.
Flushes, never commits.
"""
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from sqlalchemy import bindparam, case, func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from ...access import is_assigned_post_office
from ...clock import today_vn, utcnow, vn_date
from ...errors import AccessDenied, StateError, ValidationError
from ...extensions import db
from ...formatting import money
from ...models import LineResult, ListStatus, PaymentProvider, PayoutLine, PayoutList, User
from ...spreadsheets.reading import (
    Column,
    cell_text,
    find_header,
    iter_rows,
    open_workbook,
    parse_date,
    parse_int_amount,
)
from ...spreadsheets.writing import write_workbook
from ..accounts.flags import transfer_failed
from ..audit import record
from ..registry.identity import ascii_upper, fold, parse_national_id
from .lists import describe
from .reasons import FAILURE_REASONS, OTHER_REASON, classify_reason, drop_echo, reason_text
from .workflow import transition

#: results are recorded once the post office has accepted the list (nhận danh sách: totals checked,
#: ``payouts.accept_list``) and until it is settled
RESULTS_OPEN = (ListStatus.ACCEPTED, ListStatus.REPORTED)
NOT_ACCEPTED = "Hãy nhận danh sách (đối chiếu tổng số người, số tiền) trước khi ghi kết quả."
SHEET_HEADERS = ["STT", "Họ và tên", "Tên không dấu", "Số định danh", "Số tài khoản", "Ngân hàng", "Số tiền",
                 "Nội dung chuyển khoản", "Kết quả", "Lý do", "Ngày chi"]
SHEET_COLUMNS = [
    Column("position", ("STT",), required=False),
    Column("national_id", ("Số định danh", "Số định danh cá nhân", "Số CCCD")),
    Column("amount", ("Số tiền", "Số tiền (đồng)")),
    Column("result", ("Kết quả",)),
    Column("reason", ("Lý do",), required=False),
    Column("paid_on", ("Ngày chi",), required=False),
]
_LIST_ID_RE = re.compile(r"Mã danh sách:\s*(\d+)")
_RESULT_WORDS = {"da chi": LineResult.PAID, "khong chi duoc": LineResult.FAILED, "khong chi": LineResult.FAILED,
                 "chua chi": None}


#: what a payee line is paid for, in the sheet's transfer content (Nội dung chuyển khoản)
_PAYEE_CONTENT = {"care": "HTCS", "funeral": "MTP"}


def payee_of(line: PayoutLine) -> tuple[str, str] | None:
    """Who receives a care / funeral line's money when that is not the beneficiary: (payee name, payee national ID
    or ""); None for any other line (the beneficiary is paid). Mirrors ``_macros/payouts.html`` ``has_payee``."""
    if line.programme in _PAYEE_CONTENT and line.payee_name and line.payee_national_id != line.national_id:
        return line.payee_name, line.payee_national_id or ""
    return None


def sheet_id(line: PayoutLine) -> str:
    """The ID written in the payment sheet's "Số định danh" column: the payee's for a payee line, else the
    beneficiary's."""
    payee = payee_of(line)
    return payee[1] if payee else line.national_id


@dataclass(frozen=True)
class Totals:
    """Counts and amounts (đồng) of a list's lines by result: ``people``/``amount`` overall, then paid, failed and
    pending (đã chi, không chi được, chưa chi)."""

    people: int
    amount: int
    paid_count: int
    paid_amount: int
    failed_count: int
    failed_amount: int
    pending_count: int
    pending_amount: int


def result_totals_by_list(list_ids) -> dict[int, Totals]:
    """``Totals`` of many lists at once (list id → Totals), in one grouped query; lists without lines are absent."""
    out: dict[int, Totals] = {}
    if not list_ids:
        return out
    for row in db.session.execute(_result_totals(), {"list_ids": list(list_ids)}):
        out[row[0]] = Totals(*(int(v or 0) for v in row[1:]))
    return out


@cache
def _result_totals():
    """The grouped statement of ``result_totals_by_list`` (built once: every payout-list page runs it), list ids in
    the expanding parameter ``list_ids``."""
    sums = [func.sum(case((PayoutLine.result == r.value, x), else_=0))
            for r in (LineResult.PAID, LineResult.FAILED, LineResult.PENDING) for x in (1, PayoutLine.total)]
    return (select(PayoutLine.payout_list_id, func.count(), func.sum(PayoutLine.total), *sums)
            .where(PayoutLine.payout_list_id.in_(bindparam("list_ids", expanding=True)))
            .group_by(PayoutLine.payout_list_id))


def paid_people_by_list(list_ids) -> dict[int, int]:
    """People actually paid per list (list id → count), the base of the fee (chi phí chi trả theo thực tế): distinct
    beneficiaries with a line marked ``paid`` that pays money (total > 0); a care line to the carer adds no one, so
    a person counts once whatever their lines. One grouped query; lists without such lines are absent."""
    if not list_ids:
        return {}
    return {lid: int(n) for lid, n in db.session.execute(
        select(PayoutLine.payout_list_id, func.count(func.distinct(PayoutLine.beneficiary_id)))
        .where(PayoutLine.payout_list_id.in_(list(list_ids)), PayoutLine.result == LineResult.PAID.value,
               PayoutLine.total > 0, PayoutLine.programme != "care")
        .group_by(PayoutLine.payout_list_id))}


def totals(lst: PayoutList) -> Totals:
    """Totals of ``lst``: people and amount, and how many / how much is paid, failed, pending."""
    return result_totals_by_list([lst.id]).get(lst.id, Totals(0, 0, 0, 0, 0, 0, 0, 0))


def _require_post_office(actor: User, lst: PayoutList) -> None:
    if not is_assigned_post_office(actor, lst):
        raise AccessDenied("Chỉ bưu điện được giao chi trả danh sách này mới được ghi kết quả.")
    if lst.status_enum == ListStatus.APPROVED:
        raise StateError(NOT_ACCEPTED)
    if lst.status_enum not in RESULTS_OPEN:
        raise StateError(f"Danh sách đang ở trạng thái «{lst.status_enum.label}», không ghi kết quả được.")


def approved_on(lst: PayoutList) -> date | None:
    """The day ``lst`` was approved, in Vietnam time (UTC+7); None while not approved."""
    return vn_date(lst.approved_at)


def _checked(result, reason: str | None, paid_on: date | None, since: date | None = None,
             code: str | None = None) -> tuple[LineResult, str | None, str | None, date | None]:
    """Validate one result → (result, note, reason code, paid_on). Failed needs a reason: ``code`` from
    ``FAILURE_REASONS`` ("other" needs a note in ``reason``); ``code`` None derives it from the free text
    (``classify_reason``); ``code`` "" (nothing chosen in the form) is refused. Paid needs a date not in the future
    and not before ``since`` (the list's approval day: nobody is paid from a list before it is approved)."""
    try:
        result = LineResult(result)
    except ValueError:
        raise ValidationError("Kết quả phải là «Đã chi» hoặc «Không chi được».") from None
    reason = " ".join((reason or "").split()) or None
    if result == LineResult.FAILED:
        if code is None:
            if not reason:
                raise ValidationError("Không chi được: cần ghi lý do.")
            code, reason = classify_reason(reason)
        elif code == "":
            raise ValidationError("Không chi được: chọn lý do trong danh sách.")
        elif code not in FAILURE_REASONS:
            raise ValidationError("Lý do không chi được không có trong danh sách.")
        if code == OTHER_REASON and not reason:
            raise ValidationError("Lý do khác: cần ghi rõ lý do.")
        reason = drop_echo(code, reason)
        return result, (reason[:200] if reason else None), code, None
    if result == LineResult.PAID:
        if paid_on is None:
            raise ValidationError("Đã chi: cần ghi ngày chi.")
        if paid_on > today_vn():
            raise ValidationError("Ngày chi không được sau ngày hôm nay.")
        if since is not None and paid_on < since:
            raise ValidationError(f"Ngày chi ({paid_on:%d/%m/%Y}) không được trước ngày danh sách được phê duyệt "
                                  f"({since:%d/%m/%Y}).")
        return result, None, None, paid_on
    raise ValidationError("Kết quả phải là «Đã chi» hoặc «Không chi được».")


def on_line_failed(actor: User, line: PayoutLine) -> None:
    """THE single place to react to a line newly reported ``failed`` (không chi được), called once per such line
    from ``record_result`` and ``results_upload`` before they flush; ``line.result_reason_code`` holds the reason
    (``FAILURE_REASONS``) and ``line.result_reason`` the post office's note. The account is invalidated here when
    the failure is because of the account (code "account", ``accounts.flags.transfer_failed``). Unpaid amounts need
    nothing here: ``carry_over.unpaid_carry_over`` finds them for next month's build."""
    transfer_failed(actor, line, reason_text(line))


#: the columns a result is made of, in the order ``_apply`` compares them
RESULT_COLUMNS = ("result", "result_reason", "result_reason_code", "paid_on")
CHANGED_MEANWHILE = "Kết quả của dòng này vừa được người khác ghi khác đi. Vui lòng tải lại trang rồi ghi lại."


def _apply(actor: User, line: PayoutLine, result: LineResult, reason, code, paid_on) -> bool:
    """Set one line's result; False when nothing changes. A guarded update (``UPDATE … WHERE`` the result is still
    the one this request read): of several requests recording the same result at once, one changes the line (and
    so writes the one audit entry) and the others find it already so (False). Raises ``StateError`` when another
    request recorded a different result meanwhile."""
    old = tuple(getattr(line, name) for name in RESULT_COLUMNS)
    new = (result.value, reason, code, paid_on)
    if old == new:
        return False
    values = dict(zip(RESULT_COLUMNS, new, strict=True)) | {"result_by_id": actor.id, "result_at": utcnow()}
    guard = [getattr(PayoutLine, name).is_(None) if value is None else getattr(PayoutLine, name) == value
             for name, value in zip(RESULT_COLUMNS, old, strict=True)]
    changed = db.session.execute(update(PayoutLine).where(PayoutLine.id == line.id, *guard).values(**values)
                                 .execution_options(synchronize_session=False)).rowcount
    if not changed:
        db.session.refresh(line)
        if tuple(getattr(line, name) for name in RESULT_COLUMNS) == new:
            return False  # recorded just now by another request: nothing left to do
        raise StateError(CHANGED_MEANWHILE)
    for name, value in values.items():
        set_committed_value(line, name, value)  # the row already holds them: nothing more to flush
    if result == LineResult.FAILED:
        on_line_failed(actor, line)
    return True


def _advance(lst: PayoutList, actor: User) -> None:
    """accepted → reported (the move "report" of ``workflow.transition``) when no line is pending."""
    pending = db.session.execute(select(func.count()).where(
        PayoutLine.payout_list_id == lst.id, PayoutLine.result == LineResult.PENDING.value)).scalar_one()
    if pending == 0 and lst.status == ListStatus.ACCEPTED:
        transition(actor, lst, "report")


def record_result(actor: User, line: PayoutLine, result, reason: str | None = None,
                  paid_on: date | None = None, reason_code: str | None = None) -> PayoutLine:
    """Record (or correct) what the post office did for one line: ``result`` ``paid`` (with ``paid_on``) or
    ``failed`` with ``reason_code`` (``FAILURE_REASONS``; "other" needs the note ``reason``, optional otherwise).
    ``reason_code`` None derives the code from the free text ``reason`` (``classify_reason``); the per-line form
    always passes the select's value, so "" (nothing chosen) is refused. Raises AccessDenied (not this list's post
    office), StateError (list not accepted yet — ``NOT_ACCEPTED`` —, or settled), ValidationError (missing reason, code
    or date, ``paid_on`` in the future or before the day the list was approved)."""
    lst = line.payout_list
    _require_post_office(actor, lst)
    result, reason, code, paid_on = _checked(result, reason, paid_on, approved_on(lst), reason_code)
    before = {"result": line.result, "result_reason": line.result_reason,
              "result_reason_code": line.result_reason_code, "paid_on": line.paid_on}
    if _apply(actor, line, result, reason, code, paid_on):
        db.session.flush()
        _advance(lst, actor)
        shown = reason_text(line)
        record(actor, "record_result", "payout_line", line.id,
               f"{result.label}: {line.full_name} (STT {line.position}, danh sách {describe(lst)})"
               + (f" – lý do: {shown}" if shown else ""), before=before,
               after={"result": line.result, "result_reason": reason, "result_reason_code": code,
                      "paid_on": paid_on})
        db.session.flush()
    return line


def payment_sheet(lst: PayoutList) -> bytes:
    """The payment spreadsheet (.xlsx bytes) the post office works from and uploads back: STT, Họ và tên, Tên không
    dấu, Số định danh, Số tài khoản, Ngân hàng, Số tiền, Nội dung chuyển khoản ("TCXH T08 2024 NGUYEN VAN A"),
    Kết quả, Lý do, Ngày chi. IDs, accounts and dates are text cells; a "Tổng cộng" row ends the table."""
    providers = dict(db.session.execute(select(PaymentProvider.code, PaymentProvider.name)).all())
    rows = []
    code = lst.programme_enum.short  # TCXH / HTXH in the transfer content
    for line in lst.lines:
        name = ascii_upper(line.full_name)
        shown, shown_id, content = line.full_name, line.national_id, f"{code} T{lst.month:%m %Y} {name}"
        if payee := payee_of(line):  # paid to the carer / burial organiser: their name and ID, the person in content
            shown, shown_id = payee
            content = f"{_PAYEE_CONTENT[line.programme]} T{lst.month:%m %Y} {ascii_upper(shown)} CHO {name}"
            name = ascii_upper(shown)
        rows.append([line.position, shown, name, shown_id, line.account_number or "",
                     providers.get(line.provider_code, line.provider_code or ""), line.total, content,
                     "" if line.result == LineResult.PENDING else line.result_enum.label,
                     reason_text(line), line.paid_on.strftime("%d/%m/%Y") if line.paid_on else ""])
    rows.append([None, "Tổng cộng", f"{len(rows)} người", None, None, None, sum(r[6] for r in rows)])
    titles = [f"BẢNG KÊ CHI TRẢ {lst.programme_enum.label.upper()} HẰNG THÁNG - THÁNG {lst.month:%m/%Y}",
              f"{lst.commune.name} - {lst.programme_enum.label} - {lst.channel_enum.label} - Mã danh sách: {lst.id}",
              "Ghi cột Kết quả «Đã chi» (kèm Ngày chi dd/mm/yyyy) hoặc «Không chi được» (kèm Lý do: "
              + "; ".join(FAILURE_REASONS[c] for c in FAILURE_REASONS if c != OTHER_REASON)
              + "; hoặc ghi rõ lý do khác)."]
    return write_workbook(titles, SHEET_HEADERS, rows, text_columns={3, 4, 10},
                          sheet_title=f"DS {lst.id} T{lst.month:%m-%Y}")


@dataclass
class UploadResult:
    """Outcome of ``results_upload``: counts of lines newly set ``paid``/``failed``, ``unchanged`` rows, and
    ``errors`` ("Dòng 12: …", Excel row numbers). When ``errors`` is not empty nothing was recorded."""

    paid: int = 0
    failed: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class _SheetLines:
    """A list's lines as the payment sheet names them: by STT and by the ID written in the sheet (``sheet_id``:
    the payee's on care / funeral lines), with the beneficiary's ID as fallback (sheets written before payees)."""

    by_position: dict
    by_id: dict
    by_beneficiary: dict

    @classmethod
    def of(cls, lst: PayoutList) -> "_SheetLines":
        by_id: dict[str, list] = {}
        by_beneficiary: dict[str, list] = {}
        for line in lst.lines:
            by_id.setdefault(sheet_id(line), []).append(line)
            by_beneficiary.setdefault(line.national_id, []).append(line)
        return cls({line.position: line for line in lst.lines}, by_id, by_beneficiary)


def _find_line(v: dict, lines: _SheetLines) -> PayoutLine:
    """The line a sheet row is about: its STT when the ID matches that line's, else the one line with that ID (the
    payee's, or the beneficiary's on older sheets). Raises ValidationError."""
    raw = v.get("national_id")
    national_id = parse_national_id(raw).value if raw not in (None, "") else ""  # leading zero back
    try:
        position = int(v.get("position"))
    except (TypeError, ValueError):
        position = None
    line = lines.by_position.get(position)
    if line is not None and national_id in (sheet_id(line), line.national_id):
        return line
    if not national_id:
        raise ValidationError("thiếu Số định danh.")
    found = lines.by_id.get(national_id) or lines.by_beneficiary.get(national_id) or []
    if len(found) > 1:
        raise ValidationError(f"số định danh {national_id} có ở nhiều dòng của danh sách; giữ nguyên cột STT của "
                              "bảng kê để biết là dòng nào.")
    if not found:
        raise ValidationError(f"số định danh {national_id} không có trong danh sách này.")
    return found[0]


def _parse_row(row, lines: "_SheetLines", seen: set,
               since: date | None) -> tuple[PayoutLine, LineResult, str | None, str | None, date | None] | None:
    """One sheet row → (line, result, note, reason code, paid_on), None for a row left pending. The free-text
    reason is mapped to a code (``classify_reason``: unknown text is "other" with the text as note). Raises
    ValidationError."""
    v = row.values
    line = _find_line(v, lines)
    if line.id in seen:
        raise ValidationError(f"dòng STT {line.position} ({sheet_id(line) or line.full_name}) xuất hiện nhiều lần.")
    seen.add(line.id)
    amount = parse_int_amount(v.get("amount"), "Số tiền")
    if amount != line.total:
        shown = "trống" if amount is None else money(amount)
        raise ValidationError(f"Số tiền ({shown}) khác số tiền trong danh sách "
                              f"({money(line.total)} đồng) của {line.full_name}.")
    word = fold(cell_text(v.get("result")) or "chua chi")
    if word not in _RESULT_WORDS:
        raise ValidationError(f"Kết quả «{cell_text(v.get('result'))}» không hợp lệ "
                              "(ghi «Đã chi» hoặc «Không chi được»).")
    if _RESULT_WORDS[word] is None:
        return None
    return (line, *_checked(_RESULT_WORDS[word], cell_text(v.get("reason")),
                            parse_date(v.get("paid_on"), "Ngày chi"), since))


def _reversal(line: PayoutLine, result: LineResult, reason, code, paid_on) -> str | None:
    """Why an uploaded row may not overwrite a line's recorded result: paid ↔ failed, or another paid date (a sheet
    must not reverse a payment silently; the per-line form is the place for corrections). None when allowed."""
    if line.result == LineResult.PENDING.value or (line.result == result.value and line.paid_on == paid_on):
        return None
    shown = f"«{line.result_enum.label}»" + (f" ngày {line.paid_on:%d/%m/%Y}" if line.paid_on else "")
    return f"đã ghi {shown}; muốn sửa, hãy sửa từng dòng trên trang danh sách"


def _check_list_id(ws, lst: PayoutList, title_rows: int = 6) -> None:
    """Refuse the sheet of another list: ``payment_sheet`` writes "Mã danh sách: N" in the title block. A sheet
    without that text (re-typed by hand) is matched row by row as usual."""
    for values in ws.iter_rows(max_row=title_rows, values_only=True):
        for value in values:
            m = _LIST_ID_RE.search(str(value)) if isinstance(value, str) else None
            if m and int(m.group(1)) != lst.id:
                raise ValidationError(f"Bảng kê này thuộc danh sách số {m.group(1)}, không phải danh sách đang mở "
                                      f"(số {lst.id}).")


def results_upload(actor: User, lst: PayoutList, filename: str, content: bytes) -> UploadResult:
    """Read the payment spreadsheet back (header found by its labels) and record every result in it, all or
    nothing: rows are matched on Số định danh, the amount must equal the line's, a failed row needs a reason, a
    paid row a date (from the approval day to today). Rows with an empty Kết quả stay pending. Raises AccessDenied
    / StateError as ``record_result``, ValidationError for a file that is not a readable sheet with the expected
    header, or that is the sheet of another list (its title says "Mã danh sách: N"); row problems are returned in
    ``UploadResult.errors`` with Excel row numbers and nothing is changed."""
    _require_post_office(actor, lst)
    out = UploadResult()
    lines = _SheetLines.of(lst)
    seen: set[int] = set()
    parsed = []
    since = approved_on(lst)
    wb = open_workbook(content)
    try:
        ws = wb.worksheets[0]
        _check_list_id(ws, lst)
        header = find_header(ws, SHEET_COLUMNS)
        for row in iter_rows(ws, header):
            try:
                item = _parse_row(row, lines, seen, since)
            except ValidationError as err:
                out.errors.append(f"Dòng {row.row_number}: {err}")
                continue
            if item is not None:
                if clash := _reversal(*item):
                    out.errors.append(f"Dòng {row.row_number}: {clash}")
                    continue
                parsed.append(item)
    finally:
        wb.close()
    if not parsed and not out.errors:
        out.errors.append("Tệp không có dòng nào ghi kết quả «Đã chi» hoặc «Không chi được».")
    if out.errors:
        return out
    for line, result, reason, code, paid_on in parsed:
        if _apply(actor, line, result, reason, code, paid_on):
            setattr(out, result.value, getattr(out, result.value) + 1)
        else:
            out.unchanged += 1
    db.session.flush()
    _advance(lst, actor)
    record(actor, "upload_results", "payout_list", lst.id,
           f"Tải lên kết quả chi trả ({filename}) cho danh sách {describe(lst)}: {out.paid} dòng đã chi, "
           f"{out.failed} dòng không chi được, {out.unchanged} dòng không đổi.",
           after={"paid": out.paid, "failed": out.failed, "status": lst.status})
    db.session.flush()
    return out
