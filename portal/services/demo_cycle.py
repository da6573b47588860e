"""The whole monthly cycle run as the demo users (``flask demo-cycle``): seed, import commune and bank
spreadsheets, build the month's payout lists, confirm (commune), approve (district approver), record every line as
paid (post office), and write each list's PDF and payment spreadsheet. Used by admins to show the portal and by
checks; it goes through the same services as the web pages."""
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl
from sqlalchemy import select

from ..errors import PortalError
from ..extensions import db
from ..models import AdministrativeUnit, BankCoverage, Beneficiary, Organization, OrgKind, PayoutList, User
from ..documents.payout_context import build_payout_list_doc
from ..documents.payout_list import render_payout_list
from . import imports, payouts
from .bank_imports import import_bank_file
from .demo import seed_demo
from .identity import fold, parse_national_id
from .payout_results import payment_sheet, record_result

BANK_HEADER_HINTS = ("so tai khoan", "tai khoan")
COMMUNE_HEADER_HINTS = ("dien doi tuong",)


@dataclass
class ListLine:
    """One printed line of the demo cycle's output: commune code, channel, people, amount (đồng), files."""

    commune_code: str
    channel: str
    people: int
    amount: int
    pdf: Path
    sheet: Path


def _head_texts(path: Path, rows: int = 12) -> list[str]:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        return [fold(" ".join(str(v) for v in r if v is not None))
                for r in ws.iter_rows(max_row=rows, values_only=True)]
    finally:
        wb.close()


def classify(path: Path) -> tuple[str, str | None]:
    """("commune", commune_code) for a commune's beneficiary list — the commune found by its name in the title
    block — or ("bank", None) for a bank's opened-accounts list. Raises PortalError when neither."""
    texts = _head_texts(path)
    joined = " | ".join(texts)
    if any(h in joined for h in COMMUNE_HEADER_HINTS):
        units = db.session.execute(select(AdministrativeUnit).where(AdministrativeUnit.level == "commune")).scalars()
        matches = [u for u in units if fold(u.name) in joined]
        if not matches:
            raise PortalError(f"{path.name}: không xác định được xã/phường từ tiêu đề bảng.")
        return "commune", max(matches, key=lambda u: len(u.name)).code
    if any(h in joined for h in BANK_HEADER_HINTS):
        return "bank", None
    raise PortalError(f"{path.name}: không nhận ra loại bảng (danh sách đối tượng hay danh sách tài khoản).")


def _user_of(kind: str, unit_code: str, approver: bool | None = None) -> User:
    stmt = select(User).join(Organization).where(Organization.kind == kind, Organization.unit_code == unit_code,
                                                 User.active.is_(True))
    if approver is not None:
        stmt = stmt.where(User.is_approver.is_(approver))
    user = db.session.execute(stmt.order_by(User.id).limit(1)).scalar_one_or_none()
    if user is None:
        raise PortalError(f"Không có người dùng ({kind}) của đơn vị {unit_code} để chạy chu trình mẫu.")
    return user


def _bank_user_for(path: Path) -> User:
    """The bank user whose branch covers the commune of the first known ID in the bank file."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
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


def run_cycle(month: date, out_dir: Path, files: list[Path]) -> list[ListLine]:
    """Run the cycle for ``month`` (first-of-month date) on ``files`` (commune files first, then bank files,
    whatever order they are given in) and write ``<commune>_<channel>_<YYYY-MM>.pdf/.xlsx`` into ``out_dir``.
    Returns one ListLine per list. Raises PortalError (nothing is committed by this function) when a file has
    errors or a demo user is missing. Flushes only."""
    seed_demo()
    kinds = [(p, *classify(p)) for p in files]
    communes = []
    for path, kind, code in sorted(kinds, key=lambda k: k[1] != "commune"):
        if kind == "commune":
            report = imports.import_file(_user_of(OrgKind.COMMUNE, code), code, path)
            if report.errors:
                raise PortalError(f"{path.name}: {report.errors} dòng lỗi — " + "; ".join(report.error_list[:5]))
            communes.append(code)
        else:
            result = import_bank_file(_bank_user_for(path), str(path))
            if result["errors"]:
                raise PortalError(f"{path.name}: {result['errors']} dòng lỗi — " + "; ".join(result["messages"][:5]))
    out_dir.mkdir(parents=True, exist_ok=True)
    lines: list[ListLine] = []
    districts = sorted({db.session.get(AdministrativeUnit, c).parent_code for c in communes})
    for district in districts:
        built = payouts.build_lists(_user_of(OrgKind.DISTRICT, district, approver=False), month,
                                    [c for c in communes if db.session.get(AdministrativeUnit, c).parent_code == district])
        approver = _user_of(OrgKind.DISTRICT, district, approver=True)
        post_office = _user_of(OrgKind.POST_OFFICE, district)
        for lst in built.lists:
            payouts.confirm_list(_user_of(OrgKind.COMMUNE, lst.commune_code), lst)
            payouts.approve_list(approver, lst)
            for line in lst.lines:
                record_result(post_office, line, "paid", paid_on=month.replace(day=10))
            lines.append(_write_files(lst, out_dir))
    return lines


def _write_files(lst: PayoutList, out_dir: Path) -> ListLine:
    stem = f"{lst.commune_code}_{lst.channel}_{lst.month:%Y-%m}"
    pdf, sheet = out_dir / f"{stem}.pdf", out_dir / f"{stem}.xlsx"
    pdf.write_bytes(render_payout_list(build_payout_list_doc(lst)))
    sheet.write_bytes(payment_sheet(lst))
    return ListLine(lst.commune_code, lst.channel, lst.people_count, lst.total_amount, pdf, sheet)
