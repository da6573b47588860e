"""demo-cycle: a file that is not an .xlsx gives the Vietnamese message (not a traceback); a re-run for a month
whose lists are already approved still prints (and writes) one line per list of the month."""
from sqlalchemy import select

from portal.clock import today_vn
from portal.extensions import db
from portal.models import PayoutList
from portal.services.payouts.results import totals
from tests.conftest import AGRIBANK_FILE, VINH_MY_FILE
from tests.factories import AUG


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["demo-cycle", "--month", "2024-08", *args])


def test_a_file_that_is_not_xlsx_is_a_clear_message(app, tmp_path):
    csv = tmp_path / "danh-sach.csv"
    csv.write_text("STT;Họ và tên\n1;Nguyễn Văn A\n", encoding="utf-8")
    result = _run(app, "--out", str(tmp_path / "out"), str(csv))
    assert result.exit_code == 1
    assert "danh-sach.csv: Tệp không phải bảng tính Excel (.xlsx)" in result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an openpyxl error


def test_rerun_prints_every_list_of_the_month(app, tmp_path):
    from portal.services.demo_cycle import run_cycle
    from portal.services.entitlement.rates import parse_month
    first = run_cycle(parse_month("2024-08"), tmp_path / "a", [VINH_MY_FILE, AGRIBANK_FILE])
    db.session.commit()
    expected = [("30322", "social_assistance", "account", 144, 104_250_000),
                ("30322", "social_assistance", "cash_at_home", 32, 21_500_000),
                ("30322", "social_assistance", "cash_at_point", 164, 114_250_000)]
    assert [(item.commune_code, item.programme, item.channel, item.people, item.amount) for item in first] == expected
    home = db.session.execute(select(PayoutList).where(PayoutList.channel == "cash_at_home")).scalar_one()
    home.lines[0].result, home.lines[0].paid_on, home.status = "pending", None, "accepted"  # one still to pay
    db.session.commit()
    out = tmp_path / "b"
    result = _run(app, "--out", str(out), AGRIBANK_FILE, VINH_MY_FILE)
    assert result.exit_code == 0, result.output
    assert [tuple(line.split("\t")) for line in result.output.strip().splitlines() if "\t" in line] == [
        (c, programme, ch, str(n), str(a)) for c, programme, ch, n, a in expected]
    assert sorted(p.name for p in out.iterdir()) == [
        f"30322_{ch}_2024-08.{ext}" for ch in ("account", "cash_at_home", "cash_at_point") for ext in ("pdf", "xlsx")]
    lists = db.session.execute(select(PayoutList).where(PayoutList.month == AUG)).scalars().all()
    assert len(lists) == 3
    for lst in lists:
        t = totals(lst)
        assert (lst.status, t.paid_count, t.pending_count) == ("reported", lst.people_count, 0)
        assert {line.paid_on for line in lst.lines} == {today_vn()}  # approved today: paid today, not before
