"""Bench: a large commune spreadsheet import (nhập danh sách đối tượng từ Excel) — the work the background job does.

Builds a Vĩnh Mỹ list of ``--rows`` people (default 10.000; title block, header, column numbers, "Tổng cộng", signature
block; a third of the IDs stored as numbers, birth dates in three shapes) and, on a scratch SQLite database seeded
with the demo set-up, times: counting the data rows (what the upload does before choosing job or not), the preview
(every rule, every row), the commit (re-check + writes, all-or-nothing) as a background job's worker runs it — in
another process than the preview's, so nothing of the preview is kept in memory (``imports.forget_kept``): it starts
from the sheet as the preview read it, kept with the batch, and checks every row again — and a second preview of the
same file (all rows unchanged). Prints rows per second, CPU seconds beside wall seconds (the machine may be shared:
compare CPU figures between runs) and the peak RSS. Figures, not a test: exit status 0.
Goals: a 10.000-row commune file, preview + commit ≤ 4 s, peak memory ≤ 300 MB; a file under ``IMPORT_JOB_ROWS``
(500) is checked within the web request in ≤ 2 s; larger ones run as a job. ``--profile`` prints the 25 costliest
functions (cProfile, cumulative) of the preview and the commit.

Usage: ``.venv/bin/python bench/import_large.py [--rows 10000] [--profile]``
"""
import argparse
import cProfile
import io
import os
import pstats
import resource
import sys
import tempfile
import time
from datetime import datetime

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import openpyxl  # noqa: E402

from portal import create_app  # noqa: E402
from portal.config import Config  # noqa: E402
from portal.extensions import db  # noqa: E402

HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Số điện thoại", "Khóm/Ấp", "Diện đối tượng",
          "Hệ số", "Mức trợ cấp (đồng)", "Số QĐ hưởng", "Hưởng từ tháng", "Hình thức nhận", "Ngân hàng",
          "Số tài khoản", "Ghi chú"]
GIVEN = ["An", "Bình", "Cúc", "Dũng", "Đức", "Hoà", "Khải", "Lan", "Minh", "Nga", "Phúc", "Quý", "Sang", "Tài"]


def sheet(rows: int) -> bytes:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet()
    for line in ("UBND PHƯỜNG VĨNH MỸ", None, "DANH SÁCH ĐỐI TƯỢNG HƯỞNG TRỢ CẤP XÃ HỘI HẰNG THÁNG",
                 "Phường Vĩnh Mỹ, Thành phố Châu Đốc - Tháng 7/2024", None):
        ws.append([line] if line else [])
    ws.append(HEADER)
    ws.append([f"({n})" for n in range(1, len(HEADER) + 1)])
    for i in range(1, rows + 1):
        nid = f"0890{30 + i % 14:02d}{100000 + i:06d}"
        year = 1930 + i % 14
        birth = (datetime(year, 1 + i % 12, 1 + i % 28), f"{1 + i % 28:02d}/{1 + i % 12:02d}/{year}", year)[i % 3]
        ws.append([i, f"Nguyễn Văn {GIVEN[i % len(GIVEN)]}", birth, "Nam", int(nid) if i % 3 == 0 else nid, None,
                   "Khóm Mỹ Thới 1", "Người từ đủ 80 tuổi trở lên không có lương hưu", 1, 500000, f"{i}/QĐ-UBND",
                   "03/2021", "Tiền mặt tại điểm chi trả", None, None, None])
    ws.append([None, "Tổng cộng"] + [None] * 7 + [500000 * rows])
    ws.append([])
    ws.append([None, "Người lập biểu"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = type("BenchConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
                                                 "TESTING": True})
        app = create_app(config)
        with app.app_context():
            from portal.services.demo import seed_demo, user_by_username
            from portal.services.imports import beneficiaries as imports
            from portal.services.imports import jobs as import_jobs

            db.create_all()
            seed_demo()
            db.session.commit()
            content = sheet(args.rows)
            clerk = user_by_username("xa.vinhmy")
            print(f"file: {args.rows} rows, {len(content) / 1024:.0f} KB")
            figures = []

            def timed(label, work):
                wall, cpu = time.perf_counter(), time.process_time()
                out = work()
                figures.append((label, time.perf_counter() - wall, time.process_time() - cpu))
                return out

            counted = timed("count rows (upload)", lambda: import_jobs.count_rows(content))
            profiler = cProfile.Profile() if args.profile else None
            if profiler:
                profiler.enable()
            def committed(work):
                out = work()
                db.session.commit()
                return out

            p = timed("preview (all rules)", lambda: committed(
                lambda: imports.preview(clerk, "30322", "lon.xlsx", content)))
            batch_id = p.batch_id
            imports.forget_kept()  # the commit job's worker: another process
            db.session.remove()
            clerk = user_by_username("xa.vinhmy")
            result = timed("commit (re-check + write)", lambda: committed(lambda: imports.commit(clerk, batch_id)))
            if profiler:
                profiler.disable()
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
            again = timed("same file again (preview)", lambda: imports.preview(clerk, "30322", "lon.xlsx", content))
            assert counted == args.rows == p.counts["rows"] and result["created"] == args.rows
            assert again.counts["unchanged"] == args.rows
            for label, seconds, cpu in figures:
                print(f"{label:28s} {seconds:7.2f} s  {args.rows / seconds:8.0f} rows/s  (CPU {cpu:.2f} s)")
            both = figures[1][1] + figures[2][1]
            verdict = ("goal applies at 10.000 rows" if args.rows != 10000 else
                       "goal ≤ 4 s: " + ("met" if both <= 4 else "NOT met"))
            print(f"preview + commit of {args.rows} rows: {both:.2f} s, CPU {figures[1][2] + figures[2][2]:.2f} s "
                  f"({verdict})")
            per_row = figures[1][1] / args.rows
            print(f"estimated preview of {import_jobs.DEFAULT_JOB_ROWS} rows (job threshold): "
                  f"{per_row * import_jobs.DEFAULT_JOB_ROWS:.2f} s (goal ≤ 2 s)")
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"peak RSS: {peak:.0f} MB (goal ≤ 300 MB: {'met' if peak <= 300 else 'NOT met'})")
            db.session.remove()


if __name__ == "__main__":
    main()
