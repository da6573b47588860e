"""Planning a beneficiary import row by row (kế hoạch nhập từng dòng): validate with the register's rules, match on
the personal ID within the commune (new / update / unchanged), compute the allowance for the list's month from the
rate tables and compare it with the clerk's figure (Decree 20/2021 Art. 4, 6), and finally write the planned rows.
``services.imports`` holds the preview / commit workflow around it."""
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace

from sqlalchemy import select

from ..errors import PortalError, ValidationError
from ..extensions import db
from ..formatting import coefficient as fmt_coefficient, money
from ..models import AdministrativeUnit, Beneficiary, CashAtHomeReason, PaymentAccount, PaymentChannel
from ..spreadsheets.reading import BirthDate
from .audit import record
from .entitlement import RateBook
from .identity import ascii_upper
from .import_origin import check_origin
from .import_rows import ParsedRow, read_sheet
from .registry import FIELD_LABELS, BeneficiaryInvalid, apply_values, audit_snapshot, clean_beneficiary, current_values

NO_REASON_NOTE = "Chưa ghi lý do"
NO_REASON_WARNING = "Nhận tiền mặt tại nhà nhưng chưa ghi lý do (ghi tạm «Lý do khác: Chưa ghi lý do»)."


@dataclass
class RowResult:
    """One spreadsheet row in a preview: Excel ``row_number``, ``action`` new | update | unchanged | error, the
    Vietnamese ``errors``/``warnings``, the portal's ``amount`` for the list month and the clerk's (đồng)."""

    row_number: int
    full_name: str
    national_id: str
    action: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    amount: int | None = None
    clerk_amount: int | None = None
    changes: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        """error, warning, or the action (new / update / unchanged)."""
        return "error" if self.errors else "warning" if self.warnings else self.action


@dataclass
class Plan:
    """What to do with one row: its ``result``, the validated ``values``, the ``existing`` beneficiary (None for a
    new one), the ``changed`` fields, and an ``account`` (provider code, number) to record."""

    result: RowResult
    values: dict | None = None
    existing: Beneficiary | None = None
    changed: dict | None = None
    account: tuple[str, str] | None = None


def _commune(commune_code: str) -> AdministrativeUnit:
    unit = db.session.get(AdministrativeUnit, commune_code)
    if unit is None or unit.level != "commune":
        raise ValidationError(f"Không có xã/phường mã {commune_code}.")
    return unit


def analyse(content: bytes, commune_code: str, today: date | None = None) -> tuple[date, list[Plan]]:
    """Parse ``content`` (.xlsx bytes) and plan every row against the register of ``commune_code``. Returns the
    month amounts are compared for (named in the title, else the month of ``today``) and one ``Plan`` per row.
    Raises ``ValidationError`` for file-level problems, among them a title naming another commune
    (``import_origin.check_origin``)."""
    commune = _commune(commune_code)
    sheet = read_sheet(content)
    check_origin(sheet.title_lines, commune)
    month = sheet.title_month or (today or date.today()).replace(day=1)
    ids = [r.national_id for r in sheet.rows if r.national_id]
    existing: dict[str, Beneficiary] = {}
    for start in range(0, len(ids), 500):
        for b in db.session.execute(select(Beneficiary).where(
                Beneficiary.national_id.in_(ids[start:start + 500]))).scalars():
            existing[b.national_id] = b
    accounts = _accounts_in_use([r for r in sheet.rows if r.account_number])
    book = RateBook.load()
    seen: dict[str, int] = {}
    seen_accounts: dict[tuple, int] = {}
    units: dict[str, str] = {}
    plans = []
    for row in sheet.rows:
        plan = _plan_row(row, commune_code, existing, month, book, units)
        if row.national_id:
            if row.national_id in seen:
                plan.result.errors.append(f"Trùng số định danh {row.national_id} với dòng {seen[row.national_id]}.")
            seen.setdefault(row.national_id, row.row_number)
        if plan.account:
            _check_account(plan, accounts, seen_accounts)
        if plan.result.errors:
            plan.result.action = "error"
        plans.append(plan)
    return month, plans


def _accounts_in_use(rows: list[ParsedRow]) -> dict[tuple, str]:
    numbers = {r.account_number for r in rows}
    found = db.session.execute(select(PaymentAccount).where(PaymentAccount.account_number.in_(numbers))).scalars()
    return {(a.provider_code, a.account_number): a.beneficiary.national_id for a in found}


def _check_account(plan: Plan, in_use: dict, seen: dict) -> None:
    key = plan.account
    owner = in_use.get(key)
    if owner is not None and owner != plan.result.national_id:
        plan.result.errors.append(f"Số tài khoản {key[1]} ({key[0]}) đã thuộc về người khác.")
    elif key in seen:
        plan.result.errors.append(f"Số tài khoản {key[1]} trùng với dòng {seen[key]}.")
    seen.setdefault(key, plan.result.row_number)


def _base_data(b: Beneficiary) -> dict:
    data = current_values(b)
    data["birth"] = BirthDate(b.birth_date, b.birth_year, b.birth_date is None)
    return data


def _plan_row(row: ParsedRow, commune_code: str, existing: dict, month: date, book: RateBook,
              units: dict) -> Plan:
    result = RowResult(row.row_number, row.data.get("full_name", ""), row.national_id or "", "error",
                       list(row.errors), list(row.warnings), clerk_amount=row.clerk_amount)
    plan = Plan(result)
    current = existing.get(row.national_id) if row.national_id else None
    if current is not None and current.commune_code != commune_code:
        name = units.setdefault(current.commune_code, db.session.get(AdministrativeUnit, current.commune_code).name)
        result.errors.append(f"Số định danh {row.national_id} đã được đăng ký hưởng trợ cấp tại {name}.")
        return plan
    if result.errors:
        return plan
    data = _base_data(current) if current else {}
    data.update(row.data)
    _fill_defaults(row, data, current, result)
    try:
        cleaned = clean_beneficiary(data, commune_code, current=current, check_duplicate=False)
    except BeneficiaryInvalid as err:
        result.errors += [f"Ô {row.refs[key]}: {message}" if key in row.refs else message
                          for key, message in err.errors.items()]
        return plan
    result.warnings += cleaned.warnings
    plan.values, plan.existing = cleaned.values, current
    _compare_amount(result, cleaned.values, month, book)
    if row.account_number and row.provider_code:
        active = current.active_account if current else None
        if active is None:
            plan.account = (row.provider_code, row.account_number)
        elif (active.provider_code, active.account_number) != (row.provider_code, row.account_number):
            result.warnings.append(f"Đã có tài khoản {active.account_number} ({active.provider_code}); "
                                   f"không ghi tài khoản {row.account_number} trong tệp.")
    if current is None:
        result.action = "new"
    else:
        before = current_values(current)
        plan.changed = {k: v for k, v in cleaned.values.items() if before.get(k) != v}
        result.changes = [FIELD_LABELS[k] for k in plan.changed if k != "birth_year"]
        result.action = "update" if plan.changed or plan.account else "unchanged"
    return plan


def _fill_defaults(row: ParsedRow, data: dict, current: Beneficiary | None, result: RowResult) -> None:
    """Gender from the ID when missing; a channel and a cash-at-home reason when the sheet does not give them."""
    if not data.get("gender") and row.national_id:
        data["gender"] = "male" if int(row.national_id[3]) % 2 == 0 else "female"
        shown = "Nam" if data["gender"] == "male" else "Nữ"
        result.warnings.append(f"Chưa ghi giới tính: lấy theo số định danh ({shown}).")
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
        amount = book.amount_for(SimpleNamespace(**values), month)
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
    ``warning`` (rows with a warning and no error)."""
    rows = [p.result for p in plans]
    counts = {k: sum(1 for r in rows if r.action == k) for k in ("new", "update", "unchanged", "error")}
    counts["warning"] = sum(1 for r in rows if r.warnings and not r.errors)
    counts["rows"] = len(rows)
    return counts


def ordered(plans: list[Plan]) -> list[RowResult]:
    """Row results as the clerk reads them: errors first, then warnings, then the rest, each by Excel row number."""
    rank = {"error": 0, "warning": 1, "new": 2, "update": 2, "unchanged": 3}
    return sorted((p.result for p in plans), key=lambda r: (rank[r.status], r.row_number))


def apply_plans(actor, plans: list[Plan], commune_code: str) -> dict:
    """Write the planned rows; returns counts created / updated / unchanged / accounts."""
    new = [p for p in plans if p.result.action == "new"]
    for p in new:
        p.existing = Beneficiary(commune_code=commune_code, status="active")
        apply_values(p.existing, p.values)
        db.session.add(p.existing)
    db.session.flush()
    accounts = 0
    for p in plans:
        if p.result.action not in ("new", "update"):
            continue
        b = p.existing
        if p.result.action == "update" and p.changed:
            before = {k: getattr(b, k) for k in p.changed}
            apply_values(b, p.values)
        if p.account:
            db.session.add(PaymentAccount(  # the commune's sheet has no opening date: left unknown (None)
                beneficiary=b, kind="bank_account", provider_code=p.account[0], account_number=p.account[1],
                holder_kind="self", holder_name=ascii_upper(b.full_name), opened_on=None,
                opened_by_user_id=getattr(actor, "id", None)))
            accounts += 1
        extra = {"Tài khoản": f"{p.account[0]} {p.account[1]}"} if p.account else {}
        if p.result.action == "new":
            record(actor, "import_create", "beneficiary", b.id, f"Thêm đối tượng {b.full_name} từ tệp Excel "
                   f"(dòng {p.result.row_number})", after=audit_snapshot(p.values, skip_empty=True) | extra)
        else:
            changed = p.changed or {}
            record(actor, "import_update", "beneficiary", b.id, f"Cập nhật đối tượng từ tệp Excel "
                   f"(dòng {p.result.row_number})",
                   before=audit_snapshot(before) if changed else None, after=audit_snapshot(changed) | extra)
    db.session.flush()
    counts = counts_of(plans)
    return {"created": counts["new"], "updated": counts["update"], "unchanged": counts["unchanged"],
            "accounts": accounts, "warnings": counts["warning"], "rows": counts["rows"]}
