"""Long payout lists: the list engine read back at 1.000 rows (header on every page, no row split across
pages, Decree 30 page numbers, only Liberation Serif, left margin ≥ 30 mm, totals with the last row), its
pagination rules, and the PDF as a stored file rendered in a job (served the second time without rendering)."""
from __future__ import annotations

import re
import shutil
import subprocess
import threading
import time
from dataclasses import replace
from io import BytesIO

import pdfplumber
import pytest
from pypdf import PdfReader
from sqlalchemy import select, text

from portal import jobs
from portal.documents import list_grid, list_text
from portal.documents import payout_list as pl
from portal.extensions import db
from portal.models import Job, StoredFile
from portal.services.payouts import pdf as payout_list_pdf
from tests.documents.test_payout_list_pdf import make_doc, make_lines, row_text
from tests.factories import chau_doc_people, run_to_approved

needs_poppler = pytest.mark.skipif(not (shutil.which("pdftotext") and shutil.which("pdffonts")),
                                   reason="poppler-utils not installed")
MM = 72 / 25.4
N = 1000


def _pdftotext(pdf: bytes, *args: str) -> list[str]:
    """Text per page (poppler), pages split on form feeds."""
    out = subprocess.run(["pdftotext", *args, "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return out.decode().split("\f")[:-1]


@pytest.fixture(scope="module")
def big():
    """1.000 lines; some names and notes long enough to wrap to two or three lines (taller rows)."""
    lines = make_lines(N)
    for i in range(0, N, 37):
        lines[i] = replace(lines[i], full_name=lines[i].full_name + " Tôn Nữ Hoàng Phương Khánh Ngọc",
                           note="Chủ TK: Nguyễn Thị Người Nhận Thay Dài")
    doc = make_doc(lines=lines)
    return doc, pl.render_payout_list(doc)


@needs_poppler
def test_every_page_has_the_header_and_no_row_is_split(big):
    doc, pdf = big
    pages = _pdftotext(pdf, "-raw")
    assert len(pages) == len(PdfReader(BytesIO(pdf)).pages) >= 20
    squashed = ["".join(p.split()) for p in pages]
    for number, page in enumerate(squashed, start=1):
        assert "STTHọvàtênNgàysinhGiớitínhSốđịnhdanhcánhân" in page, number
        assert "(1)(2)(3)(4)(5)(6)(7)(8)(9)(10)(11)(12)(13)(14)" in page, number
    where = []
    for line in doc.lines:  # each row, every cell (wrapped names and notes included), whole on exactly one page
        expected = row_text(line) + "".join(line.note.split())
        found = [n for n, page in enumerate(squashed) if expected in page]
        assert len(found) == 1, (line.index, found)
        where.append(found[0])
    assert where == sorted(where)  # in order
    assert where[-1] == len(pages) - 1  # the last row sits with the totals, words and signatures
    last = " ".join(pages[-1].split())
    assert f"Tổng cộng: {N} người" in last and f"Bằng chữ: {doc.amount_in_words}." in last
    total = f"{doc.totals.total:,}".replace(",", ".")
    assert doc.totals.total == sum(line.total for line in doc.lines) > 10**9
    assert total in squashed[-1]  # the control total (bold, wrapped at its dots when too wide), on the last page


@needs_poppler
def test_page_numbers_from_page_two_top_centre(big):
    _, pdf = big
    bands = _pdftotext(pdf, "-x", "0", "-y", "0", "-W", "842", "-H", str(int(20 * MM)))
    assert bands[0].strip() == ""  # Decree 30: page 1 unnumbered
    assert [b.strip() for b in bands[1:]] == [str(n) for n in range(2, len(bands) + 1)]
    with pdfplumber.open(BytesIO(pdf)) as doc:
        page = doc.pages[5]
        number = [c for c in page.chars if c["top"] < 20 * MM]
        centre = (min(c["x0"] for c in number) + max(c["x1"] for c in number)) / 2
        assert abs(centre - (30 * MM + (page.width - 45 * MM) / 2)) < 2  # centred on the text width
        assert all(c["size"] == pytest.approx(13, abs=0.1) for c in number)


@needs_poppler
def test_only_liberation_serif_embedded(big):
    _, pdf = big
    out = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    rows = [r.split() for r in out.splitlines()[2:] if r.strip()]
    assert rows
    for row in rows:
        assert re.fullmatch(r"[A-Z]{6}\+LiberationSerif(-Bold|-Italic|-BoldItalic)?", row[0]), row
        assert row[-5:-2] == ["yes", "yes", "yes"], row  # embedded, subset, ToUnicode


def test_margins_and_landscape(big):
    _, pdf = big
    with pdfplumber.open(BytesIO(pdf)) as doc:
        for index in (0, 1, len(doc.pages) // 2, len(doc.pages) - 1):
            page = doc.pages[index]
            assert (round(page.width), round(page.height)) == (842, 595)  # A4 landscape
            left = min([c["x0"] for c in page.chars] + [line["x0"] for line in page.lines])
            right = max([c["x1"] for c in page.chars] + [line["x1"] for line in page.lines])
            bottom = max([c["bottom"] for c in page.chars] + [line["bottom"] for line in page.lines])
            assert left >= 30 * MM - 0.5, index
            assert right <= page.width - 15 * MM + 0.5, index
            assert bottom <= page.height - 20 * MM + 0.5, index


def test_vietnamese_heading_and_metadata(big):
    doc, pdf = big
    reader = PdfReader(BytesIO(pdf))
    first = " ".join(reader.pages[0].extract_text().split())
    for expected in ("ỦY BAN NHÂN DÂN THÀNH PHỐ CHÂU ĐỐC", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                     "Độc lập - Tự do - Hạnh phúc", "Châu Đốc, ngày 05 tháng 8 năm 2024",
                     "DANH SÁCH CHI TRẢ TRỢ CẤP XÃ HỘI HẰNG THÁNG", "Tình trạng: Đã phê duyệt"):
        assert expected in first, expected
    assert reader.metadata.title.startswith("Danh sách chi trả trợ cấp xã hội hằng tháng - Tháng 08/2024")


def test_cash_rows_leave_room_to_sign():
    doc = make_doc(lines=make_lines(60, channel="cash_at_home"), channel="cash_at_home")
    spec = pl.list_spec(doc)
    assert [c.title for c in spec.columns][11] == "Ký nhận"
    pdf = pl.render_payout_list(doc)
    with pdfplumber.open(BytesIO(pdf)) as read:
        page = read.pages[1]
        tops = sorted({round(line["top"], 1) for line in page.lines if line["x1"] - line["x0"] > 500})
        gaps = [b - a for a, b in zip(tops[2:], tops[3:], strict=False)]  # body rows (after the two header rows)
        assert gaps and min(gaps) >= 11 * MM - 0.2


# Pagination and wrapping ---------------------------------------------------------------------------------------------

def test_paginate_fills_pages_and_keeps_the_tail_with_a_row():
    heights = [20.0] * 50
    pages = list_grid.paginate(heights, first_page_room=100, page_room=200, tail=0)
    assert [len(p) for p in pages] == [5, 10, 10, 10, 10, 5]
    # the tail does not fit after the last row: that row moves to a new page with it (never the tail alone)
    pages = list_grid.paginate([20.0] * 15, first_page_room=100, page_room=200, tail=150)
    assert [len(p) for p in pages] == [5, 9, 1]
    pages = list_grid.paginate([20.0] * 15, first_page_room=100, page_room=200, tail=0)
    assert [len(p) for p in pages] == [5, 10]
    assert list_grid.paginate([], 100, 200, 50) == [range(0, 0)]
    # rows in order, each once
    pages = list_grid.paginate([10.0 + (i % 7) * 9 for i in range(500)], 300, 480, 120)
    assert [i for p in pages for i in p] == list(range(500))


def test_wrap_at_spaces_then_dots_then_characters():
    list_text.register_fonts()
    assert list_text.wrap("Nguyễn Thị Hoà", list_text.REGULAR, 10, 500) == ["Nguyễn Thị Hoà"]
    assert list_text.wrap("Nguyễn Thị Hoà", list_text.REGULAR, 10, 40) == ["Nguyễn", "Thị Hoà"]
    assert list_text.wrap("1.039.500.000", list_text.BOLD, 10, 45) == ["1.039.500.", "000"]
    pieces = list_text.wrap("1769502347400012345", list_text.REGULAR, 10, 50)
    assert "".join(pieces) == "1769502347400012345" and len(pieces) > 1
    assert all(list_text.width(p, list_text.REGULAR, 10) <= 50 for p in pieces)


# Stored PDF rendered in a job ----------------------------------------------------------------------------------------

@pytest.fixture
def approved(app):
    chau_doc_people()
    return run_to_approved()


def _count_renders(monkeypatch):
    calls = []
    real = payout_list_pdf.render_payout_list

    def counting(doc, progress=None):
        calls.append(doc.totals.people)
        return real(doc, progress=progress)

    monkeypatch.setattr(payout_list_pdf, "render_payout_list", counting)
    return calls


def test_stored_pdf_served_the_second_time_without_rendering(client, approved, monkeypatch):
    calls = _count_renders(monkeypatch)
    lst = approved["account"]
    client.login("pld.chaudoc")
    first = client.get(f"/van-ban/danh-sach-chi-tra/{lst.id}.pdf")  # sync jobs in tests: rendered by the job
    assert first.status_code == 200 and first.mimetype == "application/pdf" and len(calls) == 1
    stored = db.session.execute(select(StoredFile)).scalar_one()
    assert stored.subject_id == lst.id and stored.fingerprint == payout_list_pdf.fingerprint(lst)
    assert stored.content == first.data and stored.size == len(first.data)
    job = db.session.get(Job, stored.job_id)
    assert job.status == "done" and job.progress == 100 and job.kind == "payout_list_pdf"
    client.logout()
    client.login("xa.vinhmy")  # another organisation seeing the same fields: same stored bytes, no rendering
    again = client.get(f"/van-ban/danh-sach-chi-tra/{lst.id}.pdf")
    assert again.status_code == 200 and again.data == first.data and len(calls) == 1
    assert again.headers["Content-Disposition"] == f'attachment; filename="{stored.filename}"'
    text_ = " ".join(PdfReader(BytesIO(again.data)).pages[0].extract_text().split())
    assert "DANH SÁCH CHI TRẢ TRỢ CẤP XÃ HỘI HẰNG THÁNG" in text_ and "Phường Vĩnh Mỹ" in text_
    client.logout()
    client.login("buudien.chaudoc")  # the post office sees no category: its own copy, rendered once
    post = client.get(f"/van-ban/danh-sach-chi-tra/{lst.id}.pdf")
    assert post.status_code == 200 and post.data != first.data and len(calls) == 2


def test_job_records_progress_while_rendering(app, approved, monkeypatch):
    seen = []
    real = payout_list_pdf.render_payout_list

    def watching(doc, progress=None):
        pdf = real(doc, progress=progress)
        progress(50, "Đã dựng 1/1 trang")
        with db.engine.connect() as conn:
            seen.append(tuple(conn.execute(text("SELECT status, progress, message FROM job")).one()))
        return pdf

    monkeypatch.setattr(payout_list_pdf, "render_payout_list", watching)
    from portal.services.demo import user_by_username
    user = user_by_username("pld.chaudoc")
    stored, job = payout_list_pdf.request_pdf(user, approved["account"])
    # committed on its own session while the job ran: 10 + 50 * 85 // 100
    assert seen == [("running", 52, "Đã dựng 1/1 trang")]
    assert stored is not None and job.status == "done" and job.result["file_id"] == stored.id


def test_failure_is_recorded_in_vietnamese(app):
    job = Job(kind="payout_list_pdf", status="queued", params={"_func": payout_list_pdf.JOB_FUNC, "list_id": 999999})
    db.session.add(job)
    db.session.commit()
    jobs.run_job(job.id)
    db.session.refresh(job)
    assert job.status == "failed" and job.error == "Danh sách chi trả không còn tồn tại."


def test_draft_list_printed_fresh_each_time(client, app, monkeypatch):
    chau_doc_people()
    from portal.services.demo import user_by_username
    from portal.services.payouts.build import build_lists
    lst = next(lst for lst in build_lists(user_by_username("pld.chaudoc"), approved_month()).lists
               if lst.commune_code == "30322")
    db.session.commit()
    calls = _count_renders(monkeypatch)
    client.login("pld.chaudoc")
    assert client.get(f"/van-ban/danh-sach-chi-tra/{lst.id}.pdf").status_code == 200
    assert client.get(f"/van-ban/danh-sach-chi-tra/{lst.id}.pdf").status_code == 200
    assert len(calls) == 2  # a list still open may change: no reuse
    files = db.session.execute(select(StoredFile)).scalars().all()
    assert len(files) == 1 and files[0].fingerprint.startswith("draft-")  # only the newest print kept
    resp = client.get(f"/van-ban/danh-sach-chi-tra/{lst.id}.pdf?tep={files[0].id}")
    assert resp.status_code == 200 and len(calls) == 2 and resp.data == files[0].content


def approved_month():
    from tests.factories import AUG
    return AUG


def test_in_a_web_process_the_page_shows_progress_then_the_file(client, approved):
    client.web_app.config["JOBS_SYNC"] = False  # the in-process runner (thread pool), as without Redis
    lst = approved["cash_at_home"]
    client.login("pld.chaudoc")
    page = client.get(f"/van-ban/danh-sach-chi-tra/{lst.id}.pdf")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "Đang chuẩn bị danh sách chi trả (PDF)…" in html and 'hx-trigger="every 1s"' in html
    job_id = int(re.search(r'hx-get="/cong-viec/(\d+)"', html).group(1))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        frag = client.get(f"/cong-viec/{job_id}", htmx=True).get_data(as_text=True)
        if "every 1s" not in frag:
            break
        threading.Event().wait(0.1)  # not time.sleep: EINVAL under the moved-clock run
    assert f'<a href="/van-ban/danh-sach-chi-tra/{lst.id}.pdf">Tải danh sách (PDF)</a>' in frag
    done = client.get(f"/van-ban/danh-sach-chi-tra/{lst.id}.pdf")
    assert done.status_code == 200 and done.mimetype == "application/pdf"
