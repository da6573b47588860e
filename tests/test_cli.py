"""CLI commands as admins and checks use them: exit codes, printed counts, nothing changed on errors."""
import re
import shutil

import openpyxl
import pytest
from sqlalchemy import func, select

from portal import create_app
from portal.extensions import db
from portal.models import Beneficiary, Organization, PaymentAccount, PayoutLine, PayoutList, User
from tests.conftest import AGRIBANK_FILE, TAN_LOI_FILE, VINH_MY_FILE


def _list_lines(output: str) -> list[tuple[str, ...]]:
    """The per-list lines of demo-cycle (tab-separated), without the per-file reports printed before them."""
    return [tuple(line.split("\t")) for line in output.strip().splitlines() if "\t" in line]


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
    printed = set(re.findall(r"[a-z]+\.[a-z.]+", result.output.split("Tài khoản mẫu", 1)[1]))
    assert {"pld.chaudoc", "xa.vinhmy", "syt.angiang", "ubnd.chaudoc.ct", "congan.chilang"} <= printed
    assert printed == {u.username for u in db.session.query(User)}  # every demo account, both set-ups


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
    lines = [line.split("\t") for line in result.output.strip().splitlines() if "\t" in line]
    assert {tuple(line[:3]) for line in lines} == {("30322", "social_assistance", "account"),
                                                   ("30322", "social_assistance", "cash_at_point"),
                                                   ("30322", "social_assistance", "cash_at_home")}
    assert sum(int(line[3]) for line in lines) == 340
    assert sum(int(line[4]) for line in lines) == 240_000_000
    assert len(list(out.glob("*.pdf"))) == 3 and len(list(out.glob("*.xlsx"))) == 3


def test_demo_cycle_reports_each_file_before_the_lists(app, tmp_path):
    result = _run(app, "demo-cycle", "--month", "2024-08", "--out", str(tmp_path / "out"), AGRIBANK_FILE, VINH_MY_FILE)
    assert result.exit_code == 0, result.output
    out = result.output.splitlines()
    commune = out.index("2024-07_phuong-vinh-my_ds-doi-tuong.xlsx: đọc 340 dòng, nhập 340, cảnh báo 60, lỗi 0")
    bank = out.index("2024-08_agribank-chau-doc_tk-mo-moi.xlsx: đọc 40 dòng, nhập 40, cảnh báo 0, lỗi 0")
    assert commune < bank < out.index("30322\tsocial_assistance\taccount\t144\t104250000")
    assert out[commune + 1].startswith("  Dòng 40: Nhận tiền mặt tại nhà nhưng chưa ghi lý do")
    assert out[commune + 11] == ("  … và 170 thông báo khác (xem bằng import-beneficiaries --dry-run hoặc trang xem "
                                 "trước).")


def test_demo_cycle_stops_on_a_file_with_errors_and_shows_its_rows(app, tmp_path):
    bad = tmp_path / "vinh-my-loi.xlsx"
    shutil.copy(VINH_MY_FILE, bad)
    wb = openpyxl.load_workbook(bad)
    wb.active["E20"] = "08912345X789"
    wb.save(bad)
    result = app.test_cli_runner().invoke(args=["demo-cycle", "--month", "2024-08", "--out", str(tmp_path / "o"),
                                                str(bad)])
    assert result.exit_code == 1
    assert "vinh-my-loi.xlsx: đọc 340 dòng, nhập 0, cảnh báo 60, lỗi 1" in result.output
    assert "  Dòng 20: " in result.output
    assert _count(Beneficiary) == 0


def _commune_copy(tmp_path, title_unit: str, file_name: str):
    """The Vĩnh Mỹ sample list retitled as another commune's list (same people, invented)."""
    path = tmp_path / file_name
    wb = openpyxl.load_workbook(VINH_MY_FILE)
    wb.active["A1"] = f"UBND {title_unit.upper()}"
    wb.active["A5"] = f"{title_unit}, Thành phố Châu Đốc - Tháng 7/2024"
    wb.save(path)
    return path


@pytest.fixture
def empty_app(tmp_path):
    """The app on a SQLite file that does not exist yet (no schema, no data)."""
    from tests.conftest import _config
    app = create_app(_config(f"sqlite:///{tmp_path / 'moi' / 'portal.db'}"))
    (tmp_path / "moi").mkdir()
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_a_command_on_a_database_never_migrated_names_the_command_to_run(empty_app):
    for args in (["list-organizations"], ["create-user", "--org", "1", "--password", "x", "a", "A"],
                 ["import-beneficiaries", "--commune", "30322", VINH_MY_FILE]):
        result = empty_app.test_cli_runner().invoke(args=args)
        assert result.exit_code == 1, args
        assert result.output.strip() == ("Lỗi: Cơ sở dữ liệu chưa được tạo. Hãy chạy: flask --app wsgi db upgrade "
                                         "(rồi flask --app wsgi seed-reference hoặc seed-demo).")
        assert isinstance(result.exception, SystemExit)


def test_seed_demo_migrates_a_new_database(empty_app):
    result = _run(empty_app, "seed-demo")
    assert result.exit_code == 0
    assert result.output.startswith("Đã tạo/cập nhật lược đồ cơ sở dữ liệu (flask db upgrade).")
    assert _count(User) == 13 + 9  # the 2024 world and its two-tier continuation
    again = _run(empty_app, "list-organizations", "--kind", "post_office")
    assert sorted(line.split("\t")[2] for line in again.output.splitlines()) == ["30316@2025", "30505@2025", "884",
                                                                                 "890"]


def test_demo_cycle_on_a_new_database_for_another_commune(empty_app, tmp_path):
    nui_sam = _commune_copy(tmp_path, "Phường Núi Sam", "nui-sam.xlsx")
    result = _run(empty_app, "demo-cycle", "--month", "2024-08", "--out", str(tmp_path / "out"), str(nui_sam))
    assert result.exit_code == 0, result.output
    assert "nui-sam.xlsx: đọc 340 dòng, nhập 340, cảnh báo 60, lỗi 0" in result.output
    assert _list_lines(result.output) == [("30325", "social_assistance", "account", "104", "72500000"),
                                          ("30325", "social_assistance", "cash_at_home", "32", "21500000"),
                                          ("30325", "social_assistance", "cash_at_point", "204", "146000000")]
    clerk = db.session.execute(select(User).join(Organization).where(
        Organization.unit_code == "30325", Organization.kind == "commune_committee")).scalar_one()
    assert clerk.username == "xa.nuisam" and clerk.check_password("demo1234")


def test_demo_cycle_refuses_a_commune_outside_the_demo_districts(app, tmp_path):
    long_xuyen = _commune_copy(tmp_path, "Phường Mỹ Bình", "my-binh.xlsx")
    result = app.test_cli_runner().invoke(args=["demo-cycle", "--month", "2024-08", "--out", str(tmp_path / "o"),
                                                str(long_xuyen)])
    assert result.exit_code == 1
    assert "Đơn vị 30280 không phải xã/phường của các huyện mẫu (884, 890)" in result.output


def test_demo_cycle_after_the_reform_is_two_tier(empty_app, tmp_path):
    """08/2025 on the 2024 sample files: the reform is applied, Phường Châu Đốc (30316, which took Vĩnh Mỹ) and
    Phường Chi Lăng (30505, which took Tân Lợi) issue the lists, built by their officer and approved by their
    chairman. The K5b/K5c people of 06/2025 are paid by the social pension at 500.000 đ (Decree 176/2025), so
    the figures are the decree's: 340 people / 240.000.000 đ (147 pensioners) and 210 / 143.000.000 đ (83)."""
    out = tmp_path / "out"
    result = _run(empty_app, "demo-cycle", "--month", "2025-08", "--out", str(out), VINH_MY_FILE, TAN_LOI_FILE,
                  AGRIBANK_FILE)
    assert result.exit_code == 0, result.output
    lines = _list_lines(result.output)
    assert lines == [("30316", "social_assistance", "account", "81", "72750000"),
                     ("30316", "social_assistance", "cash_at_home", "17", "14000000"),
                     ("30316", "social_assistance", "cash_at_point", "95", "79750000"),
                     ("30316", "social_pension", "account", "63", "31500000"),
                     ("30316", "social_pension", "cash_at_home", "15", "7500000"),
                     ("30316", "social_pension", "cash_at_point", "69", "34500000"),
                     ("30505", "social_assistance", "account", "31", "25000000"),
                     ("30505", "social_assistance", "cash_at_home", "24", "19500000"),
                     ("30505", "social_assistance", "cash_at_point", "72", "57000000"),
                     ("30505", "social_pension", "account", "27", "13500000"),
                     ("30505", "social_pension", "cash_at_home", "17", "8500000"),
                     ("30505", "social_pension", "cash_at_point", "39", "19500000")]
    totals = {}
    for code, programme, _channel, people, amount in lines:
        for key in (code, (code, programme)):
            seen = totals.get(key, (0, 0))
            totals[key] = (seen[0] + int(people), seen[1] + int(amount))
    assert totals["30316"] == (340, 240_000_000) and totals[("30316", "social_pension")] == (147, 73_500_000)
    assert totals["30505"] == (210, 143_000_000) and totals[("30505", "social_pension")] == (83, 41_500_000)
    pension_amounts = db.session.execute(select(PayoutLine.total).join(PayoutList).where(
        PayoutList.programme == "social_pension")).scalars().all()
    assert len(pension_amounts) == 230 and set(pension_amounts) == {500_000}
    lists = db.session.execute(select(PayoutList).order_by(PayoutList.commune_code, PayoutList.channel)).scalars()
    for lst in lists:
        assert lst.payout_office.unit_code == lst.commune_code and lst.commune_code.endswith("@2025")
        assert (lst.prepared_by.username, lst.approved_by.username) in {
            ("ubnd.chaudoc", "ubnd.chaudoc.ct"), ("ubnd.chilang", "ubnd.chilang.ct")}
        assert lst.status == "reported"
    assert sorted(p.name for p in out.glob("30316_*.pdf")) == [
        f"30316_{ch}_2025-08.pdf" for ch in ("account", "cash_at_home", "cash_at_point")] + [
        f"30316_social_pension_{ch}_2025-08.pdf" for ch in ("account", "cash_at_home", "cash_at_point")]
