"""The whole monthly cycle run as the demo users (``flask demo-cycle``): seed, import commune and bank
spreadsheets, build the month's payout lists, confirm (commune), approve (the payout office's approver), record every
line as paid (post office), and write each list's PDF and payment spreadsheet. For a month from 07/2025 the reform of
administrative units is applied first (``reform.apply_reform``) and the lists are issued by the new communes, in the
two-tier set-up (the commune committee's officer builds, its chairman approves). Used by admins to show the portal
and by checks; it goes through the same services as the web pages."""
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import func, select, update

from ..clock import today_vn, utcnow
from ..documents.payout_list import render_payout_list
from ..errors import PortalError, ValidationError
from ..extensions import db
from ..models import (
    TREE_2025_START,
    BankCoverage,
    Beneficiary,
    Duty,
    LineResult,
    ListStatus,
    Organization,
    PayoutLine,
    PayoutList,
    UnitSuccession,
    UnitTransfer,
    User,
    gso_of_key,
)
from ..spreadsheets.reading import open_workbook
from .accounts.bank_import import import_bank_file
from .audit import record
from .demo import ensure_commune_users, seed_demo
from .entitlement.months import add_months
from .imports import beneficiaries as imports
from .imports.origin import communes_in_title
from .organizations import serving_organization
from .payouts import build, workflow
from .payouts.lists import describe
from .payouts.pdf import build_payout_list_doc
from .payouts.results import RESULTS_OPEN, payment_sheet, record_result
from .reform import apply_reform
from .registry.identity import fold, parse_national_id

BANK_HEADER_HINTS = ("so tai khoan", "tai khoan")
COMMUNE_HEADER_HINTS = ("dien doi tuong",)



@dataclass
class ListLine:
    """One printed line of the demo cycle's output: commune code (the unit key; ``code`` is the printed GSO code of
    the issuing unit), channel, people, amount (đồng), files, programme (``social_assistance`` | ``social_pension``)."""

    commune_code: str
    channel: str
    people: int
    amount: int
    pdf: Path
    sheet: Path
    programme: str = "social_assistance"

    @property
    def code(self) -> str:
        """The GSO code of the commune ("30316" for Phường Châu Đốc, key "30316@2025")."""
        return gso_of_key(self.commune_code)


def _open(path: Path):
    """``open_workbook`` (read-only, values) with the file name in front of its Vietnamese ValidationError."""
    try:
        return open_workbook(path)
    except ValidationError as err:
        raise ValidationError(f"{path.name}: {err}") from err


def _head_texts(path: Path, rows: int = 12) -> list[str]:
    wb = _open(path)
    try:
        ws = wb.worksheets[0]
        return [" ".join(str(v) for v in r if v is not None)
                for r in ws.iter_rows(max_row=rows, values_only=True)]
    finally:
        wb.close()


def classify(path: Path) -> tuple[str, str | None]:
    """("commune", commune_code) for a commune's beneficiary list — the commune found by its name in the title
    block — or ("bank", None) for a bank's opened-accounts list. Raises PortalError when neither, ValidationError
    when the file is not a readable .xlsx."""
    texts = _head_texts(path)
    joined = fold(" | ".join(texts))
    if any(h in joined for h in COMMUNE_HEADER_HINTS):
        communes = communes_in_title(texts)
        if not communes:
            raise PortalError(f"{path.name}: không xác định được xã/phường từ tiêu đề bảng.")
        return "commune", communes[0].code
    if any(h in joined for h in BANK_HEADER_HINTS):
        return "bank", None
    raise PortalError(f"{path.name}: không nhận ra loại bảng (danh sách đối tượng hay danh sách tài khoản).")


def _user_of(duty: str, unit_code: str, approver: bool | None = None) -> User:
    """The first active user (an approver or not, when ``approver`` says) of the organisation holding ``duty``
    that serves ``unit_code`` (``organizations.serving_organization``). Raises PortalError when there is none."""
    org = serving_organization(unit_code, duty)
    stmt = select(User).where(User.organization_id == (org.id if org else None), User.active.is_(True))
    if approver is not None:
        stmt = stmt.where(User.is_approver.is_(approver))
    user = db.session.execute(stmt.order_by(User.id).limit(1)).scalar_one_or_none()
    if user is None:
        raise PortalError(f"Không có người dùng ({duty}) của đơn vị {unit_code} để chạy chu trình mẫu.")
    return user


def _bank_user_for(path: Path) -> User:
    """The bank user whose branch covers the commune of the first known ID in the bank file."""
    wb = _open(path)
    try:
        for row in wb.worksheets[0].iter_rows(values_only=True):
            for v in row:
                try:
                    national_id = parse_national_id(v).value
                except (PortalError, TypeError, ValueError):
                    continue
                commune = db.session.execute(select(Beneficiary.commune_code).where(
                    Beneficiary.national_id == national_id)).scalar_one_or_none()
                if commune:
                    return db.session.execute(
                        select(User).join(Organization).join(BankCoverage, BankCoverage.bank_id == Organization.id)
                        .where(BankCoverage.commune_code == commune, User.active.is_(True))
                        .order_by(User.id).limit(1)).scalar_one()
    finally:
        wb.close()
    raise PortalError(f"{path.name}: không có số định danh nào khớp với đối tượng đã nhập.")


@dataclass
class FileReport:
    """What the cycle read from one file: its name, kind ("commune"/"bank"), rows read, rows imported (commune:
    new + updated; bank: accounts recorded), rows with a warning (bank: name mismatches held back), rows with an
    error, and the messages ("Dòng N: …"), errors first."""

    name: str
    kind: str
    rows: int
    imported: int
    warnings: int
    errors: int
    messages: list[str]

    def summary(self) -> str:
        """One line for the CLI: "<file>: đọc N dòng, nhập M, cảnh báo W, lỗi E"."""
        return (f"{self.name}: đọc {self.rows} dòng, nhập {self.imported}, cảnh báo {self.warnings}, "
                f"lỗi {self.errors}")


def _import_commune(path: Path, code: str) -> FileReport:
    actor = ensure_commune_users(code)[0]
    report = imports.import_file(actor, code, path)
    return FileReport(path.name, "commune", report.rows_read, report.imported, report.warnings, report.errors,
                      report.error_list + report.warning_list + report.notice_list)


def _import_bank(path: Path) -> FileReport:
    result = import_bank_file(_bank_user_for(path), str(path))
    return FileReport(path.name, "bank", result["rows"], result["recorded"], result["name_mismatch"],
                      result["errors"], result["messages"])


def run_cycle(month: date, out_dir: Path, files: list[Path], on_file=None, on_note=None) -> list[ListLine]:
    """Run the cycle for ``month`` (first-of-month date) on ``files`` (commune files first, then bank files, whatever
    order they are given in) and write ``<commune>_<channel>_<YYYY-MM>.pdf/.xlsx`` into ``out_dir``. A commune file may
    be of any commune of the demo districts: its committee and police users are created when missing
    (``demo.ensure_commune_users``). ``on_file(FileReport)`` is called for each file once it is read, before a file with
    errors stops the cycle. Returns one ListLine per list of the month of the imported communes, by commune, programme
    and channel — also on a re-run, when some lists are already approved (``BuildResult.skipped``): their still-pending
    lines are recorded paid and their files written again. Lines are recorded paid on today's date (Vietnam), the
    approval day of the new lists. Raises PortalError (nothing is committed by this function) when a file has errors or
    is not a readable .xlsx, or a demo user is missing. Flushes only.

    When a commune already has lists of an earlier month, the months in between are run first, without files
    (``_run_months_between``; a province runs every month, and a month without lists is owed as back pay);
    ``on_note(text)`` receives the one-line summary."""
    seed_demo()
    kinds = [(Path(p), *classify(Path(p))) for p in files]
    communes = []
    for path, kind, code in sorted(kinds, key=lambda k: k[1] != "commune"):
        if kind == "commune" and _reformed(code):  # a re-run after the reform: the people are at the new commune
            report = FileReport(path.name, "commune", 0, 0, 0, 0, [
                "Xã/phường đã được sắp xếp (từ 01/07/2025): đối tượng đã chuyển sang xã/phường mới, không nhập lại."])
        else:
            report = _import_commune(path, code) if kind == "commune" else _import_bank(path)
        if on_file is not None:
            on_file(report)
        if report.errors:
            raise PortalError(f"{path.name}: {report.errors} dòng lỗi — " + "; ".join(report.messages[:5]))
        if kind == "commune":
            communes.append(code)
    out_dir.mkdir(parents=True, exist_ok=True)
    before = _run_months_between(communes, month)
    if before is not None and on_note is not None:
        on_note(before)
    if month >= TREE_2025_START:
        communes = _after_reform(communes, month)
    lists = _run_month(communes, month)
    return [_write_files(lst, out_dir) for lst in sorted(
        lists, key=lambda item: (item.commune_code, item.programme, item.channel))]


def _unit_keys(code: str) -> set[str]:
    """``code`` and the units that took its people or gave it theirs in the reform (``UnitSuccession``), so the
    lists of a commune before and after 1/7/2025 count as one history."""
    later = db.session.execute(select(UnitSuccession.new_key).where(UnitSuccession.old_key == code)).scalars()
    earlier = db.session.execute(select(UnitSuccession.old_key).where(UnitSuccession.new_key == code)).scalars()
    return {code, *later, *earlier}


def _run_months_between(communes: list[str], month: date) -> str | None:
    """Run the cycle (build, confirm, approve, record paid; no files) of every month between the latest month with
    lists of each of ``communes`` (or of the units that took them over) and ``month``, as a province runs every
    month — a month left without lists is a month the engine owes as back pay. A commune without earlier lists is
    left alone. From 07/2025 the reform is applied first and the new communes issue the lists. Returns the one-line
    summary ("Đã chạy trước chu trình các tháng 09/2024–07/2025 (11 tháng) của 30322: …"), or None when no month
    was missing."""
    latest = {}
    for code in communes:
        last = db.session.execute(select(func.max(PayoutList.month)).where(
            PayoutList.commune_code.in_(_unit_keys(code)), PayoutList.month < month)).scalar()
        if last is not None:
            latest[code] = last
    if not latest:
        return None
    first = add_months(min(latest.values()), 1)
    m = first
    while m < month:
        due = [code for code, last in latest.items() if last < m]
        _run_month(_after_reform(due, m) if m >= TREE_2025_START else due, m, quiet=True)
        m = add_months(m, 1)
    if first >= month:
        return None
    last = add_months(month, -1)
    span = f"{first:%m/%Y}" if first == last else (
        f"{first:%m/%Y}–{last:%m/%Y} ({(last.year - first.year) * 12 + last.month - first.month + 1} tháng)")
    return (f"Đã chạy trước chu trình các tháng {span} của {', '.join(gso_of_key(c) for c in latest)}: lập, phê "
            "duyệt, ghi đã chi.")


def _settle_paid(post_office: User, lst: PayoutList) -> None:
    """Record every pending line of ``lst`` (accepted by ``post_office``) paid today in one statement, and report
    the list (the move "report" of ``workflow.transition``) with one audit entry — a post office's bulk result for
    a month the demo runs quietly."""
    paid = db.session.execute(update(PayoutLine).where(
        PayoutLine.payout_list_id == lst.id, PayoutLine.result == LineResult.PENDING.value).values(
        result=LineResult.PAID.value, paid_on=today_vn(), result_by_id=post_office.id, result_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    db.session.expire(lst, ["lines"])
    if lst.status_enum == ListStatus.ACCEPTED:
        workflow.transition(post_office, lst, "report")
    record(post_office, "upload_results", "payout_list", lst.id,
           f"Chu trình mẫu: ghi đã chi {paid} dòng của danh sách {describe(lst)}.", after={"paid": paid})


def _run_month(communes: list[str], month: date, quiet: bool = False) -> list[PayoutList]:
    """Build the lists of ``month`` for ``communes`` (keys of units in force then), confirm (commune), approve (the
    payout office's approver), and record every pending line paid (post office), today — line by line, or
    ``quiet``: in bulk (``_settle_paid``); also the lists already approved before
    (``BuildResult.skipped``). Returns the month's lists of those communes."""
    lists: list[PayoutList] = []
    offices = {c: serving_organization(c, Duty.PAYOUT_MANAGEMENT) for c in communes}
    if None in offices.values():
        missing = ", ".join(gso_of_key(c) for c, o in offices.items() if o is None)
        raise PortalError(f"Không có cơ quan lập danh sách chi trả cho {missing} tháng {month:%m/%Y}.")
    parent = {c: o.unit_code for c, o in offices.items()}  # the payout office's seat: district, or the commune
    for district in sorted(set(parent.values())):
        built = build.build_lists(_user_of(Duty.PAYOUT_MANAGEMENT, district, approver=False), month,
                                  [c for c in communes if parent[c] == district])
        approver = _user_of(Duty.PAYOUT_MANAGEMENT, district, approver=True)
        for lst in built.lists:
            workflow.confirm_list(_user_of(Duty.INTAKE, lst.commune_code, approver=False), lst)
            workflow.approve_list(approver, lst)
        post_office = _user_of(Duty.PAYMENT_SERVICE, district)
        for lst in built.lists + built.skipped:
            if lst.status_enum == ListStatus.APPROVED:  # the post office receives the list before paying it
                workflow.accept_list(post_office, lst)
            if lst.status_enum in RESULTS_OPEN:
                if quiet:
                    _settle_paid(post_office, lst)
                else:
                    for line in lst.lines:
                        if line.result == LineResult.PENDING:
                            record_result(post_office, line, "paid", paid_on=today_vn())
            lists.append(lst)
    return lists


def _reformed(code: str) -> bool:
    """True when the reform already moved people out of the old commune ``code``."""
    return db.session.execute(select(UnitTransfer.id).where(UnitTransfer.old_commune_code == code).limit(1)
                              ).first() is not None


def _after_reform(communes: list[str], month: date) -> list[str]:
    """Apply the reform of 1/7/2025 (idempotent; a second run moves nothing) and return the new communes that took
    the people of ``communes`` (old keys), in order. Raises PortalError while some of them wait for placement."""
    apply_reform(None, TREE_2025_START)
    out: list[str] = []
    for code in communes:
        new = db.session.execute(select(UnitTransfer.new_commune_code).where(
            UnitTransfer.old_commune_code == code, UnitTransfer.new_commune_code.is_not(None)).limit(1)).scalar()
        if new is None:  # nobody moved (an empty commune) — the mapping's single successor
            news = db.session.execute(select(UnitSuccession.new_key).where(
                UnitSuccession.old_key == code)).scalars().all()
            new = news[0] if len(news) == 1 else None
        if new is None:
            raise PortalError(f"Xã/phường {code} đã bị chia tách: xếp từng người vào xã/phường mới trước.")
        if new not in out:
            out.append(new)
    return out


def _write_files(lst: PayoutList, out_dir: Path) -> ListLine:
    """Write the list's PDF and payment sheet as ``<commune>_<channel>_<YYYY-MM>`` (a social-pension list:
    ``<commune>_social_pension_<channel>_<YYYY-MM>``)."""
    programme = "social_pension_" if lst.programme == "social_pension" else ""
    stem = f"{gso_of_key(lst.commune_code)}_{programme}{lst.channel}_{lst.month:%Y-%m}"
    pdf, sheet = out_dir / f"{stem}.pdf", out_dir / f"{stem}.xlsx"
    pdf.write_bytes(render_payout_list(build_payout_list_doc(lst)))
    sheet.write_bytes(payment_sheet(lst))
    return ListLine(lst.commune_code, lst.channel, lst.people_count, lst.total_amount, pdf, sheet, lst.programme)
