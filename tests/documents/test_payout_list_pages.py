"""The payout list's page count, totals and columns read back from the PDF: columns sized from the content print
1.000 rows on no more pages than LibreOffice prints the same spreadsheet on (22, A4 landscape, fitted to the page
width), the hamlet column never wraps, an empty "Truy lĩnh" column has an empty total, and the cash-at-home list
has a witness column."""
from dataclasses import replace
from io import BytesIO

import pdfplumber
from pypdf import PdfReader

from portal.documents import payout_list as pl
from tests.documents.test_payout_list_pdf import make_doc, make_lines

HAMLETS = ["Ấp Vĩnh Tây 1", "Ấp Vĩnh Tây 2", "Khóm Châu Long 3", "Khóm Mỹ Thới", "Ấp Tân Hiệp"]
#: what LibreOffice 7.4 prints the same 1.000 rows on (bench/pdf_lists.py: A4 landscape, fitted to the width)
LIBREOFFICE_PAGES_1000 = 22


def _lines(n: int, channel: str = "bank_account") -> list[pl.PayoutLine]:
    return [replace(line, hamlet=HAMLETS[i % 5]) for i, line in enumerate(make_lines(n, channel=channel))]


def _header_titles(pdf: bytes) -> str:
    with pdfplumber.open(BytesIO(pdf)) as doc:
        return " ".join((doc.pages[-1].extract_text() or "").split())


def test_1000_rows_take_no_more_pages_than_libreoffice_and_hamlets_stay_on_one_line():
    pdf = pl.render_payout_list(make_doc(lines=_lines(1000)))
    assert len(PdfReader(BytesIO(pdf)).pages) <= LIBREOFFICE_PAGES_1000
    with pdfplumber.open(BytesIO(pdf)) as doc:
        page = doc.pages[3]
        lines = (page.extract_text() or "").splitlines()
        rows = [line for line in lines if line.split()[:1] and line.split()[0].isdigit() and "089" in line]
        assert len(rows) >= 45  # a full page of one-line rows
        assert all(any(h in row for h in HAMLETS) for row in rows), rows[:3]  # each hamlet whole on its row
        body = [c for c in page.chars if c["top"] > 40]
        assert min(c["size"] for c in body) >= 7.0  # shrunk, still legible (LibreOffice prints at ~7,3 pt)


def test_back_pay_total_is_blank_when_no_line_has_any():
    lines = [replace(line, back_pay=0, total=line.amount) for line in make_lines(6)]
    doc = make_doc(lines=lines)
    spec = pl.list_spec(doc)
    assert spec.totals[9] == "" and spec.totals[8] == spec.totals[10] == "3.255.000"
    text = " ".join(_header_titles(pl.render_payout_list(doc)).split())
    assert "Tổng cộng: 6 người 3.255.000 3.255.000" in text  # no "0" between the amounts
    with_back_pay = pl.list_spec(make_doc(lines=make_lines(8)))
    assert with_back_pay.totals[9] == "360.000"  # lines 1 and 8 carry 180.000


def test_cash_at_home_list_has_a_witness_column():
    doc = make_doc(lines=make_lines(5, channel="cash_at_home"), channel="cash_at_home")
    titles = [c.title for c in pl.list_spec(doc).columns]
    assert titles[11:] == ["Ký nhận", "Người làm chứng", "Ghi chú"]
    text = _header_titles(pl.render_payout_list(doc))
    assert "Người làm" in text and "chứng" in text and "(14)" in text
    point = [c.title for c in pl.list_spec(make_doc(lines=make_lines(5, channel="cash_at_point"),
                                                    channel="cash_at_point")).columns]
    assert "Người làm chứng" not in point
