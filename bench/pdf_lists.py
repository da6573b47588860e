"""Bench: the payout-list PDF against what clerks do today (print the list from a spreadsheet with LibreOffice).

Prints, for 1.000 and 10.000 rows: the portal's rendering time (list engine, ``portal.documents.list_pdf``, as the
job runs it: rows → PDF bytes) and its peak RSS, LibreOffice's headless conversion of an .xlsx with the same rows
(A4 landscape, header rows repeated, fitted to the page width) and its peak RSS, and the ratio portal / LibreOffice.
Each measurement runs in a fresh process (peak RSS per process from ``wait4``); LibreOffice gets a warm-up
conversion first so its one-off profile creation is not counted. Goal at both sizes: no more pages than LibreOffice
prints the same rows on, ratio ≤ 0,5 (half its time), portal peak ≤ 400 MB.

Usage: ``.venv/bin/python bench/pdf_lists.py [--rows 1000,10000]``
LibreOffice (Debian ``libreoffice-calc-nogui``) is installed with apt when missing (needs root); without it the
LibreOffice columns say so and the bench still prints the portal's figures. Exit status 0 always (figures, not a test).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_RSS_MB = 400
GOAL_RATIO = 0.5

FAMILIES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLES = ["Thị", "Văn", "Ngọc", "Quốc", "Mỹ", "Thanh", "Hữu"]
GIVENS = ["Hoà", "Đức", "Tuyết", "Hưng", "Hạnh", "Út", "Bảy", "Ánh", "Lộc", "Thuý", "Ẩn", "Ưng", "Sương", "Khải",
          "Phượng", "Nghĩa", "Trường", "Xuân"]
HAMLETS = ["Ấp Vĩnh Tây 1", "Ấp Vĩnh Tây 2", "Khóm Châu Long 3", "Khóm Mỹ Thới", "Ấp Tân Hiệp"]


def rows(n: int) -> list[dict]:
    """``n`` synthetic payout lines (unique names, IDs, amounts), as plain dicts."""
    out = []
    for i in range(n):
        amount = 500_000 + 1_000 * (i % 400)
        back_pay = 180_000 if i % 7 == 0 else 0
        out.append({
            "index": i + 1, "full_name": f"{FAMILIES[i % 10]} {MIDDLES[i % 7]} {GIVENS[(i // 10) % 18]}",
            "birth": f"{i % 28 + 1:02d}/{i % 12 + 1:02d}/{1930 + i % 60}" if i % 5 else str(1930 + i % 60),
            "gender": "Nữ" if i % 2 else "Nam", "national_id": f"089{i:09d}", "hamlet": HAMLETS[i % 5],
            "category_code": "K6" if i % 3 else "K1", "coefficient": "1,5", "amount": amount, "back_pay": back_pay,
            "total": amount + back_pay, "account_number": f"71000{i:09d}", "bank_name": "Agribank", "note": "",
        })
    return out


# --------------------------------------------------------------------------------------------------------------------
# Children (one per measurement)
# --------------------------------------------------------------------------------------------------------------------


def child_portal(n: int, out: Path) -> None:
    """Render ``n`` rows with the portal and print {"seconds", "pages"} as JSON."""
    sys.path.insert(0, str(ROOT))
    import datetime as dt

    from pypdf import PdfReader

    from portal.documents import payout_list as pl

    doc = pl.PayoutListDoc(
        issuer_parent="ỦY BAN NHÂN DÂN THÀNH PHỐ CHÂU ĐỐC", issuer="PHÒNG LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI",
        place="Châu Đốc", issued_on=dt.date(2024, 8, 5), month=dt.date(2024, 8, 1),
        commune_name="Phường Châu Phú A", channel="bank_account",
        lines=[pl.PayoutLine(**r) for r in rows(n)],
        signers=pl.default_signers("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"), status="")
    start = time.perf_counter()
    pdf = pl.render_payout_list(doc)
    seconds = time.perf_counter() - start
    out.write_bytes(pdf)
    print(json.dumps({"seconds": seconds, "pages": len(PdfReader(out).pages)}))


def write_xlsx(n: int, path: Path) -> None:
    """The same rows as a spreadsheet set up for printing as clerks do: A4 landscape, header rows 1-2 repeated on
    every page, fitted to one page wide, Liberation Serif 10 pt, thin borders."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    titles = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số định danh cá nhân", "Khóm/Ấp", "Diện", "Hệ số",
              "Mức trợ cấp (đồng)", "Truy lĩnh (đồng)", "Tổng cộng (đồng)", "Số tài khoản", "Ngân hàng", "Ghi chú"]
    ws.append(titles)
    ws.append([f"({i})" for i in range(1, len(titles) + 1)])
    keys = ["index", "full_name", "birth", "gender", "national_id", "hamlet", "category_code", "coefficient",
            "amount", "back_pay", "total", "account_number", "bank_name", "note"]
    for r in rows(n):
        ws.append([r[k] for k in keys])
    thin = Side(style="thin")
    font = Font(name="Liberation Serif", size=10)
    for row in ws.iter_rows():
        for cell in row:
            cell.font = font
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            if isinstance(cell.value, int) and cell.column in (9, 10, 11):
                cell.number_format = "#,##0"
    for col, w in zip("ABCDEFGHIJKLMN", [6, 22, 11, 6, 15, 14, 5, 5, 12, 10, 12, 17, 12, 10], strict=False):
        ws.column_dimensions[col].width = w
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:2"
    ws.oddHeader.center.text = "Trang &P/&N"
    wb.save(path)


# --------------------------------------------------------------------------------------------------------------------
# Parent
# --------------------------------------------------------------------------------------------------------------------


def measure(cmd: list[str], env: dict | None = None) -> tuple[float, int, str]:
    """Run ``cmd``; returns (wall seconds, peak RSS in MB of it and its descendants, stdout)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out = proc.stdout.read().decode()
    err = proc.stderr.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({proc.returncode}): {err[-500:]}")
    return wall, usage.ru_maxrss // 1024, out


def soffice() -> str | None:
    """Path of LibreOffice's ``soffice``; installs ``libreoffice-calc-nogui`` with apt when missing (root only)."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return None
    print("LibreOffice missing: installing libreoffice-calc-nogui with apt (once)…", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "libreoffice-calc-nogui"],
                   env=env, check=False, stdout=subprocess.DEVNULL)
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice(binary: str, xlsx: Path, outdir: Path, profile: Path) -> tuple[float, int, int]:
    wall, rss, _ = measure([binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                            "--convert-to", "pdf", "--outdir", str(outdir), str(xlsx)])
    from pypdf import PdfReader

    return wall, rss, len(PdfReader(outdir / (xlsx.stem + ".pdf")).pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1000,10000")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_portal(int(args.child[0]), Path(args.child[1]))
        return
    sizes = [int(s) for s in args.rows.split(",")]
    binary = soffice()
    tmp = Path(tempfile.mkdtemp(prefix="bench-pdf-"))
    try:
        profile = tmp / "lo-profile"
        if binary:  # warm-up: LibreOffice creates its user profile on the first run
            write_xlsx(5, tmp / "warmup.xlsx")
            libreoffice(binary, tmp / "warmup.xlsx", tmp, profile)
        print(f"{'rows':>6} | {'portal s':>8} {'(process)':>9} {'pages':>5} {'MB':>5} | {'LibreOffice s':>13} "
              f"{'pages':>5} {'MB':>5} | {'ratio':>5} | goal")
        for n in sizes:
            pdf = tmp / f"portal-{n}.pdf"
            wall, rss, out = measure([sys.executable, __file__, "--child", str(n), str(pdf)])
            portal = json.loads(out)
            line = f"{n:>6} | {portal['seconds']:>8.2f} {wall:>9.2f} {portal['pages']:>5} {rss:>5} | "
            if binary:
                xlsx = tmp / f"list-{n}.xlsx"
                write_xlsx(n, xlsx)
                lo_s, lo_rss, lo_pages = libreoffice(binary, xlsx, tmp, profile)
                ratio = portal["seconds"] / lo_s
                ok = ratio <= GOAL_RATIO and portal["pages"] <= lo_pages and rss <= GOAL_RSS_MB
                line += f"{lo_s:>13.2f} {lo_pages:>5} {lo_rss:>5} | {ratio:>5.2f} | {'OK' if ok else 'MISSED'}"
            else:
                ok = rss <= GOAL_RSS_MB
                line += f"{'(not installed)':>25} |   n/a | {'RSS OK' if ok else 'RSS MISSED'}"
            print(line, flush=True)
        print("portal s: list engine, rows → PDF bytes in a warm process (as the job runs it); (process): the whole "
              "child incl. Python start, imports and test data; LibreOffice s: the whole soffice --convert-to run; "
              "MB: peak RSS of the process (and its children); ratio: portal s / LibreOffice s. Goal: pages ≤ "
              f"LibreOffice's, ratio ≤ {GOAL_RATIO}, MB ≤ {GOAL_RSS_MB}.")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
