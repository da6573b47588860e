"""CLI commands as admins and checks use them: exit codes, printed counts, nothing changed on errors."""
import shutil

import openpyxl
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Beneficiary, Organization, PaymentAccount, User
from tests.conftest import AGRIBANK_FILE, VINH_MY_FILE


def _run(app, *args):
    return app.test_cli_runner().invoke(args=list(args), catch_exceptions=False)


def _count(model):
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(model)).scalar()


def test_seed_demo_is_idempotent(app):
    users, orgs = _count(User), _count(Organization)
    result = _run(app, "seed-demo")
    assert result.exit_code == 0
    assert "0 người dùng mới" in result.output
    assert (_count(User), _count(Organization)) == (users, orgs)


def test_import_beneficiaries_dry_run_then_real(app):
    dry = _run(app, "import-beneficiaries", "--commune", "30322", VINH_MY_FILE, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Số dòng đọc: 340" in dry.output
    assert _count(Beneficiary) == 0
    real = _run(app, "import-beneficiaries", "--commune", "30322", VINH_MY_FILE)
    assert real.exit_code == 0, real.output
    assert "mới 340" in real.output
    assert _count(Beneficiary) == 340


def test_import_with_a_bad_row_exits_non_zero_and_changes_nothing(app, tmp_path):
    bad = tmp_path / "bad.xlsx"
    shutil.copy(VINH_MY_FILE, bad)
    wb = openpyxl.load_workbook(bad)
    wb.active["E20"] = "08912345X789"
    wb.save(bad)
    result = app.test_cli_runner().invoke(args=["import-beneficiaries", "--commune", "30322", str(bad)])
    assert result.exit_code == 1
    assert "Dòng 20" in result.output
    assert _count(Beneficiary) == 0


def test_import_bank_accounts_by_org_id(app):
    _run(app, "import-beneficiaries", "--commune", "30322", VINH_MY_FILE)
    accounts_before = _count(PaymentAccount)
    listing = _run(app, "list-organizations", "--kind", "bank_branch", "--unit", "884")
    agribank_id = next(line.split("\t")[0] for line in listing.output.splitlines() if "Agribank" in line)
    result = _run(app, "import-bank-accounts", "--bank", agribank_id, AGRIBANK_FILE)
    assert result.exit_code == 0, result.output
    assert "ghi nhận: 40" in result.output
    assert _count(PaymentAccount) == accounts_before + 40


def test_demo_cycle_prints_one_line_per_list_and_writes_files(app, tmp_path):
    out = tmp_path / "out"
    result = _run(app, "demo-cycle", "--month", "2024-08", "--out", str(out), AGRIBANK_FILE, VINH_MY_FILE)
    assert result.exit_code == 0, result.output
    lines = [l.split("\t") for l in result.output.strip().splitlines()]
    assert {tuple(l[:2]) for l in lines} == {("30322", "account"), ("30322", "cash_at_point"),
                                             ("30322", "cash_at_home")}
    assert sum(int(l[2]) for l in lines) == 340
    assert sum(int(l[3]) for l in lines) == 240_000_000
    assert len(list(out.glob("*.pdf"))) == 3 and len(list(out.glob("*.xlsx"))) == 3
