"""Planning a beneficiary import row by row (kế hoạch nhập từng dòng): validate with the register's rules, match on
the personal ID within the commune (new / update / unchanged), keep the fields a clerk edited on the portal since
(``imports.changes``) unless told to overwrite them, compute the allowance for the list's month from the rate tables
and compare it with the clerk's figure (Decree 20/2021 Art. 4, 6), and finally write the planned rows.
``imports.beneficiaries`` holds the preview / commit workflow around it."""
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...clock import today_vn
from ...errors import PortalError, ValidationError
from ...extensions import db
from ...formatting import coefficient as fmt_coefficient
from ...formatting import money
from ...models import (
    AdministrativeUnit,
    Beneficiary,
    CashAtHomeReason,
    Gender,
    PaymentAccount,
    PaymentChannel,
    PaymentProvider,
)
from ...spreadsheets.reading import BirthDate
from ..entitlement.pension import allowance
from ..entitlement.rates import RateBook
from ..registry.beneficiaries import current_values
from ..registry.checks import clean_beneficiary
from ..registry.fields import BeneficiaryInvalid
from ..registry.lookups import lookups_memoised
from .changes import change_lines, edited_warnings, keep_edited, manual_edits, pension_values
from .columns import PENSION_FIELDS
from .origin import check_origin
from .rows import read_sheet
from .typed_row import ParsedRow

NO_REASON_NOTE = "Chưa ghi lý do"
NO_REASON_WARNING = "Nhận tiền mặt tại nhà nhưng chưa ghi lý do (ghi tạm «Lý do khác: Chưa ghi lý do»)."
CASH_CHANNELS = (PaymentChannel.CASH_AT_POINT.value, PaymentChannel.CASH_AT_HOME.value)


@dataclass
class RowResult:
    """One spreadsheet row in a preview: Excel ``row_number``, ``action`` new | update | unchanged | error, the
    Vietnamese ``errors``/``warnings``, routine ``notices`` (an ID padded with its leading zero: shown as one summary
    line, not as a warning), the portal's ``amount`` for the list month and the clerk's (đồng), the ``changes`` of
    an update as "Trường: cũ → mới" lines, and ``kept`` — labels-and-values of the fields left at the value edited
    on the portal (same shape as ``changes``); ``legacy`` the cells converted from a legacy font encoding (TCVN3 /
    VNI), "Ô B12 (TCVN3): «NguyÔn» → «Nguyễn»"."""

    row_number: int
    full_name: str
    national_id: str
    action: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    amount: int | None = None
    clerk_amount: int | None = None
    changes: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    overwritten: bool = False
    legacy: list[str] = field(default_factory=list)
    departure: dict | None = None  # a death / departure written in the row (``imports.departures``), to decide

    @property
    def status(self) -> str:
        """error, warning, or the action (new / update / unchanged)."""
        return "error" if self.errors else "warning" if self.warnings else self.action


@dataclass
class Plan:
    """What to do with one row: its ``result``, the validated ``values`` (for an update, with the fields edited on
    the portal left at their portal value unless overwriting), the ``existing`` beneficiary (None for a new one),
    the ``changed`` fields to write, and an ``account`` (provider code, number) to record."""

    result: RowResult
    values: dict | None = None
    existing: Beneficiary | None = None
    changed: dict | None = None
    account: tuple[str, str] | None = None


@dataclass
class _Context:
    """What every row is planned against: the commune, the register's rows by ID, the month and rates, bank names
    by provider code, the fields edited on the portal (by beneficiary id) and whether to overwrite them."""

    commune_code: str
    existing: dict
    month: date
    book: RateBook
    providers: dict
    edits: dict
    overwrite: bool
    units: dict = field(default_factory=dict)


def analyse_commune(commune_code: str) -> AdministrativeUnit:
    """The commune unit an import is for, by its unit key ``commune_code``. Raises ``ValidationError`` when there is no
    such commune."""
    unit = db.session.get(AdministrativeUnit, commune_code)
    if unit is None or unit.level != "commune":
        raise ValidationError(f"Không có xã/phường mã {commune_code}.")
    return unit


def analyse(content: bytes, commune_code: str, today: date | None = None,
            overwrite_manual: bool = False, progress=None, stored: str | None = None) -> tuple[date, list[Plan]]:
    """Parse ``content`` (.xlsx bytes) and plan every row against the register of ``commune_code``. Returns the
    month amounts are compared for (named in the title, else the month of ``today``) and one ``Plan`` per row.
    Fields edited on the portal since they were last imported are kept (with a warning) unless
    ``overwrite_manual`` (the clerk's "Ghi đè cả các thông tin đã sửa trên cổng"). Raises ``ValidationError`` for
    file-level problems, among them a title naming another commune (``imports.origin.check_origin``).
    ``progress(done, total)``, if given, is called every 100 planned rows and at the end (background jobs).
    ``stored``: the sheet as read at the preview (``imports.rows.stored_form``), used when still valid."""
    commune = analyse_commune(commune_code)
    sheet = read_sheet(content, stored)
    check_origin(sheet.title_lines, commune)
    month = sheet.title_month or (today or today_vn()).replace(day=1)
    ids = [r.national_id for r in sheet.rows if r.national_id]
    existing: dict[str, Beneficiary] = {}
    for start in range(0, len(ids), 500):
        for b in db.session.execute(select(Beneficiary).options(selectinload(Beneficiary.accounts)).where(
                Beneficiary.national_id.in_(ids[start:start + 500]))).scalars():  # accounts: one query a chunk
            existing[b.national_id] = b
    providers = dict(db.session.execute(select(PaymentProvider.code, PaymentProvider.name)).all())
    edits = manual_edits([b.id for b in existing.values() if b.commune_code == commune_code])
    ctx = _Context(commune_code, existing, month, RateBook.load(), providers, edits, overwrite_manual)
    accounts = _accounts_in_use([r for r in sheet.rows if r.account_number])
    seen: dict[str, int] = {}
    seen_accounts: dict[tuple, int] = {}
    plans = []
    with lookups_memoised():
        for index, row in enumerate(sheet.rows, start=1):
            if progress is not None and (index % 100 == 0 or index == len(sheet.rows)):
                progress(index, len(sheet.rows))
            plans.append(_planned(row, ctx, seen, accounts, seen_accounts, providers))
    return month, plans


def _planned(row: ParsedRow, ctx: "_Context", seen: dict, accounts: dict, seen_accounts: dict,
             providers: dict) -> "Plan":
    """One row planned, with the checks across rows (the same ID or account twice in the file)."""
    plan = _plan_row(row, ctx)
    if row.national_id:
        if row.national_id in seen:
            plan.result.errors.append(f"Trùng số định danh {row.national_id} với dòng {seen[row.national_id]}.")
        seen.setdefault(row.national_id, row.row_number)
    if plan.account:
        _check_account(plan, accounts, seen_accounts, providers)
    if plan.result.errors:
        plan.result.action = "error"
    return plan


def _accounts_in_use(rows: list[ParsedRow]) -> dict[tuple, str]:
    numbers = {r.account_number for r in rows}
    found = db.session.execute(select(PaymentAccount).where(PaymentAccount.account_number.in_(numbers))).scalars()
    return {(a.provider_code, a.account_number): a.beneficiary.national_id for a in found}


def _check_account(plan: Plan, in_use: dict, seen: dict, providers: dict) -> None:
    key = plan.account
    owner = in_use.get(key)
    if owner is not None and owner != plan.result.national_id:
        plan.result.errors.append(f"Số tài khoản {key[1]} ({providers.get(key[0], key[0])}) đã thuộc về người khác.")
    elif key in seen:
        plan.result.errors.append(f"Số tài khoản {key[1]} trùng với dòng {seen[key]}.")
    seen.setdefault(key, plan.result.row_number)


def _base_data(b: Beneficiary) -> dict:
    data = current_values(b)
    data["birth"] = BirthDate(b.birth_date, b.birth_year, b.birth_date is None)
    return data


def _plan_row(row: ParsedRow, ctx: _Context) -> Plan:
    result = RowResult(row.row_number, row.data.get("full_name", ""), row.national_id or "", "error",
                       list(row.errors), list(row.warnings), clerk_amount=row.clerk_amount,
                       notices=list(row.notices), legacy=list(row.legacy))
    plan = Plan(result)
    if row.departure is not None:
        d = row.departure
        when = f" tháng {d.month:%m/%Y}" if d.month else ""
        result.departure = d.as_dict()
        result.warnings.append(f"Ô {d.cell}: «{d.text}» — đối tượng {d.label.lower()}{when}: chọn ghi biến động "
                               "(chết / thôi hưởng, có tháng) hoặc xác nhận vẫn đang hưởng trước khi nhập.")
    current = ctx.existing.get(row.national_id) if row.national_id else None
    if current is not None and current.commune_code != ctx.commune_code:
        name = ctx.units.setdefault(current.commune_code,
                                    db.session.get(AdministrativeUnit, current.commune_code).name)
        result.errors.append(f"Số định danh {row.national_id} đã được đăng ký hưởng trợ cấp tại {name}.")
        return plan
    if result.errors:
        return plan
    data = _base_data(current) if current else {}
    data.update(row.data)
    _fill_defaults(row, data, current, result)
    try:
        cleaned = clean_beneficiary(data, ctx.commune_code, current=current, check_duplicate=False)
    except BeneficiaryInvalid as err:
        result.errors += [f"Ô {row.refs[key]}: {message}" if key in row.refs else message
                          for key, message in err.errors.items()]
        return plan
    result.warnings += cleaned.warnings
    # the social pension's conditions, when the sheet has their columns (``registry`` does not check them)
    plan.values = cleaned.values | {k: row.data[k] for k in PENSION_FIELDS if k in row.data}
    plan.existing = current
    if current is not None:
        _plan_update(plan, row, current, ctx)
    else:
        result.action = "new"
        if row.account_number and row.provider_code:
            plan.account = (row.provider_code, row.account_number)
    _compare_amount(result, plan.values, ctx.month, ctx.book)
    return plan


def _plan_update(plan: Plan, row: ParsedRow, current: Beneficiary, ctx: _Context) -> None:
    """Changes against the register, minus the fields edited on the portal (unless overwriting), with warnings for
    those and for a switch from an active account to cash."""
    result, before = plan.result, current_values(current) | pension_values(current)
    changed = {k: v for k, v in plan.values.items() if before.get(k) != v}
    kept = keep_edited(changed, ctx.edits.get(current.id, {}))
    if kept:
        result.warnings += edited_warnings(before, plan.values, kept, ctx.overwrite)
        if ctx.overwrite:
            result.overwritten = True
        else:
            result.kept = change_lines(before, plan.values, kept)
            plan.values = plan.values | {k: before[k] for k in kept}
            changed = {k: v for k, v in changed.items() if k not in kept}
            if "payment_channel" in kept and NO_REASON_WARNING in result.warnings:
                result.warnings.remove(NO_REASON_WARNING)
    plan.changed = changed
    result.changes = change_lines(before, plan.values, changed)
    active = current.active_account
    channel = plan.values["payment_channel"]
    if active is not None and channel in CASH_CHANNELS and channel != current.payment_channel:
        result.warnings.append(f"Đang có tài khoản {ctx.providers.get(active.provider_code, active.provider_code)} "
                               f"{active.account_number}; chuyển sang {PaymentChannel(channel).label.lower()} "
                               "theo tệp — kiểm tra lại.")
    if row.account_number and row.provider_code:
        if active is None:
            plan.account = (row.provider_code, row.account_number)
            result.changes.append(f"Tài khoản: — → {ctx.providers.get(row.provider_code, row.provider_code)} "
                                  f"{row.account_number}")
        elif (active.provider_code, active.account_number) != (row.provider_code, row.account_number):
            result.warnings.append(f"Đã có tài khoản {ctx.providers.get(active.provider_code, active.provider_code)} "
                                   f"{active.account_number}; không ghi tài khoản {row.account_number} trong tệp.")
    result.action = "update" if plan.changed or plan.account else "unchanged"


def _fill_defaults(row: ParsedRow, data: dict, current: Beneficiary | None, result: RowResult) -> None:
    """Gender from the ID when missing; a channel and a cash-at-home reason when the sheet does not give them."""
    if not data.get("gender") and row.national_id:
        gender = Gender.MALE if int(row.national_id[3]) % 2 == 0 else Gender.FEMALE
        data["gender"] = gender.value
        result.warnings.append(f"Chưa ghi giới tính: lấy theo số định danh ({gender.label}).")
    if not data.get("payment_channel"):
        data["payment_channel"] = PaymentChannel.CASH_AT_POINT.value
        result.warnings.append("Chưa ghi hình thức nhận: tạm ghi Tiền mặt tại điểm chi trả.")
    if data["payment_channel"] == PaymentChannel.BANK_ACCOUNT.value and row.provider_code:
        data["preferred_bank"] = row.provider_code
    if data["payment_channel"] != PaymentChannel.CASH_AT_HOME.value:
        return
    if row.reason_from_note:
        data["cash_at_home_reason"] = row.reason_from_note
        if row.reason_from_note != CashAtHomeReason.OTHER.value:
            data["cash_at_home_note"] = None
    elif current is not None and current.cash_at_home_reason and current.payment_channel == data["payment_channel"]:
        if current.cash_at_home_note == NO_REASON_NOTE:  # keep the reason recorded earlier (e.g. in the form)
            result.warnings.append(NO_REASON_WARNING)
    elif row.data.get("note"):
        data["cash_at_home_reason"], data["cash_at_home_note"] = CashAtHomeReason.OTHER.value, row.data["note"]
    else:
        data["cash_at_home_reason"], data["cash_at_home_note"] = CashAtHomeReason.OTHER.value, NO_REASON_NOTE
        result.warnings.append(NO_REASON_WARNING)


def _compare_amount(result: RowResult, values: dict, month: date, book: RateBook) -> None:
    try:
        amount = allowance(book, SimpleNamespace(**values), month)  # a K5c row after 06/2025: the social pension
    except PortalError as err:
        result.warnings.append(f"Không tính được mức trợ cấp tháng {month:%m/%Y}: {err}")
        return
    result.amount = amount.amount
    if result.clerk_amount is not None and result.clerk_amount != amount.amount:
        result.warnings.append(
            f"Mức trợ cấp trong tệp {money(result.clerk_amount)} đ khác mức cổng tính cho tháng {month:%m/%Y}: "
            f"{money(amount.amount)} đ (mức chuẩn {money(amount.standard_level)} đ × hệ số "
            f"{fmt_coefficient(amount.coefficient)}, {amount.rule}).")


def counts_of(plans: list[Plan]) -> dict:
    """Counts for the preview: ``rows`` read and rows per action ``new``/``update``/``unchanged``/``error``, plus
    ``warning`` (rows with a warning and no error), ``kept`` (rows keeping fields edited on the portal),
    ``overwritten`` (rows overwriting such fields), ``padded`` (IDs given back their leading zero) and ``legacy``
    (rows with text converted from a legacy font encoding)."""
    rows = [p.result for p in plans]
    counts = {k: sum(1 for r in rows if r.action == k) for k in ("new", "update", "unchanged", "error")}
    counts["warning"] = sum(1 for r in rows if r.warnings and not r.errors)
    counts["kept"] = sum(1 for r in rows if r.kept and not r.errors)
    counts["overwritten"] = sum(1 for r in rows if r.overwritten and not r.errors)
    counts["padded"] = sum(1 for r in rows if r.notices)
    counts["legacy"] = sum(1 for r in rows if r.legacy)
    counts["departure"] = sum(1 for r in rows if r.departure and not r.errors)
    counts["rows"] = len(rows)
    return counts


def ordered(plans: list[Plan]) -> list[RowResult]:
    """Row results as the clerk reads them: errors first, then warnings, then the rest, each by Excel row number."""
    rank = {"error": 0, "warning": 1, "new": 2, "update": 2, "unchanged": 3}
    return sorted((p.result for p in plans), key=lambda r: (rank[r.status], r.row_number))
