"""CLI commands that import spreadsheets and run the demo cycle. Each prints counts, commits once on success, and
exits non-zero with nothing changed when the input has errors."""
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from .areas import is_bank
from .errors import PortalError
from .extensions import db
from .models import Organization, User
from .schema import migrates_schema, needs_schema
from .services.accounts.bank_import import import_bank_file
from .services.demo_cycle import run_cycle
from .services.entitlement.rates import parse_month
from .services.imports.beneficiaries import import_file

#: messages printed per file by demo-cycle (the rest are counted)
DEMO_MESSAGES = 10


def _fail(message: str):
    db.session.rollback()
    click.echo(f"Lỗi: {message}", err=True)
    sys.exit(1)


@click.command("import-beneficiaries")
@click.option("--commune", "commune_code", required=True, help="mã xã/phường (GSO), ví dụ 30322")
@click.option("--dry-run", is_flag=True, help="chỉ kiểm tra, không ghi")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
@needs_schema
def import_beneficiaries_cmd(commune_code, dry_run, file):
    """Import a commune's beneficiary spreadsheet (all-or-nothing)."""
    try:
        report = import_file(None, commune_code, file, dry_run=dry_run)
    except PortalError as err:
        _fail(str(err))
    for message in report.error_list + report.warning_list:
        click.echo(message)
    click.echo(f"Số dòng đọc: {report.rows_read}; nhập: {report.imported} (mới {report.created}, cập nhật "
               f"{report.updated}, không đổi {report.unchanged}); cảnh báo: {report.warnings}; "
               f"lỗi: {report.errors}")
    if report.errors:
        _fail("có dòng lỗi, không nhập dòng nào.")
    if dry_run:
        db.session.rollback()
        click.echo("Chạy thử (--dry-run): không ghi gì.")
    else:
        db.session.commit()


@click.command("import-bank-accounts")
@click.option("--bank", "bank_org", required=True, type=int, help="id của chi nhánh ngân hàng (Organization)")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
@needs_schema
def import_bank_accounts_cmd(bank_org, file):
    """Record the accounts a bank branch opened, from its spreadsheet (matched on ID number)."""
    org = db.session.get(Organization, bank_org)
    if org is None or not is_bank(org):
        _fail(f"không có chi nhánh ngân hàng id {bank_org}.")
    actor = db.session.execute(select(User).where(User.organization_id == org.id, User.active.is_(True))
                               .order_by(User.id).limit(1)).scalar_one_or_none()
    if actor is None:
        _fail(f"chi nhánh {org.name} chưa có người dùng nào.")
    try:
        result = import_bank_file(actor, str(file))
    except PortalError as err:
        _fail(str(err))
    for message in result["messages"]:
        click.echo(message)
    click.echo(f"Số dòng: {result['rows']}; ghi nhận: {result['recorded']}; đã có: {result['unchanged']}; "
               f"tên không khớp (giữ lại): {result['name_mismatch']}; lỗi: {result['errors']}")
    if result["errors"]:
        _fail("có dòng lỗi, không ghi nhận tài khoản nào.")
    db.session.commit()


def _show(report) -> None:
    """Print one file's report of demo-cycle: its summary and its first ``DEMO_MESSAGES`` messages."""
    click.echo(report.summary())
    for message in report.messages[:DEMO_MESSAGES]:
        click.echo(f"  {message}")
    if len(report.messages) > DEMO_MESSAGES:
        click.echo(f"  … và {len(report.messages) - DEMO_MESSAGES} thông báo khác (xem bằng "
                   f"import-beneficiaries --dry-run hoặc trang xem trước).")


@click.command("demo-cycle")
@click.option("--month", required=True, help="tháng chi trả, YYYY-MM")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
@migrates_schema
def demo_cycle_cmd(month, out_dir, files):
    """Seed, import FILES, build/confirm/approve the month's lists, record all paid, write PDFs and sheets."""
    try:
        lines = run_cycle(parse_month(month), out_dir, list(files), on_file=_show, on_note=click.echo)
    except PortalError as err:
        _fail(str(err))
    db.session.commit()
    for line in lines:
        click.echo(f"{line.code}\t{line.programme}\t{line.channel}\t{line.people}\t{line.amount}")


IMPORT_COMMANDS = (import_beneficiaries_cmd, import_bank_accounts_cmd, demo_cycle_cmd)
