"""Payout list PDF: Vietnamese text round-trip, Decree 30 heading, repeated header, no split rows, computed page
numbers, embedded Liberation Serif (the list engine and WeasyPrint's prose documents); and the locked URL fetcher.

Uses poppler's ``pdftotext`` / ``pdffonts`` (Debian ``poppler-utils``) and pypdf.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from dataclasses import replace as dataclasses_replace
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from portal.documents import renderer
from portal.documents.renderer import (
    STATIC_DIR,
    DocumentRenderError,
    RefusedURL,
    StaticOnlyURLFetcher,
    pdf_from_html,
)

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdffonts")), reason="poppler-utils not installed"
)

FAMILIES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi"]
MIDDLES = ["Thị", "Văn", "Ngọc", "Quốc", "Mỹ"]
GIVENS = ["Hoà", "Đức", "Tuyết", "Hưng", "Hạnh", "Út", "Bảy", "Ánh", "Lộc", "Thuý", "Ẩn", "Ưng", "Sương", "Khải",
          "Phượng"]
N_LINES = 120
# Landscape A4 in PDF points and the 20 mm top margin where Decree 30 puts the page number.
PAGE_W, PAGE_H, TOP_MARGIN_PT = 842, 595, 56


def _amount_in_words():
    from portal.formatting import amount_in_words

    return amount_in_words


def _payout_module():
    from portal.documents import payout_list

    return payout_list


def make_lines(n: int = N_LINES, channel: str = "bank_account"):
    """``n`` synthetic lines with unique NFC names, IDs and totals (so each can be located in the PDF)."""
    pl = _payout_module()
    lines = []
    for i in range(n):
        name = f"{FAMILIES[i % 8]} {MIDDLES[i % 5]} {GIVENS[(i // 8) % 15]}"
        amount = 540_000 + 1_000 * i          # unique per line: 540.000 … 659.000
        back_pay = 180_000 if i % 7 == 0 else 0
        lines.append(pl.PayoutLine(
            index=i + 1, full_name=name,
            birth=f"{i % 28 + 1:02d}/{i % 12 + 1:02d}/{1940 + i % 50}" if i % 5 else str(1940 + i % 50),
            gender="Nữ" if i % 2 else "Nam", national_id=f"089{i:09d}",
            hamlet=f"Ấp Vĩnh Tây {i % 4 + 1}", category_code="K6" if i % 3 else "K1", coefficient="1,5",
            amount=amount, back_pay=back_pay, total=amount + back_pay,
            account_number=f"71000{i:07d}" if channel == "bank_account" else "",
            bank_name="Agribank" if channel == "bank_account" else "",
        ))
    return lines


def make_doc(lines=None, channel: str = "bank_account"):
    pl = _payout_module()
    return pl.PayoutListDoc(
        issuer_parent="ỦY BAN NHÂN DÂN THÀNH PHỐ CHÂU ĐỐC",
        issuer="PHÒNG LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI",
        place="Châu Đốc",
        issued_on=dt.date(2024, 8, 5),
        month=dt.date(2024, 8, 1),
        commune_name="Phường Châu Phú A",
        channel=channel,
        lines=make_lines(channel=channel) if lines is None else lines,
        signers=pl.default_signers("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường",
                                   head_title="KT. TRƯỞNG PHÒNG\nPHÓ TRƯỞNG PHÒNG"),
        status="Đã phê duyệt",
    )


def write(tmp_dir: Path, name: str, data: bytes) -> Path:
    path = tmp_dir / name
    path.write_bytes(data)
    return path


def pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def page_texts(path: Path, n_pages: int, *args: str) -> list[str]:
    return [pdftotext(path, "-f", str(p), "-l", str(p), *args) for p in range(1, n_pages + 1)]


def top_margin_text(path: Path, page: int) -> str:
    """Text inside the top margin band (where Decree 30 page numbers go) of ``page`` (1-based)."""
    return pdftotext(path, "-f", str(page), "-l", str(page), "-x", "0", "-y", "0",
                     "-W", str(PAGE_W), "-H", str(TOP_MARGIN_PT)).strip()


def squash(text: str) -> str:
    return " ".join(text.split())


def money_re(amount: int) -> re.Pattern:
    return re.compile(r"(?<![\d.])" + re.escape(f"{amount:,}".replace(",", ".")) + r"(?![\d.])")


@pytest.fixture(scope="module")
def pdf_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("payout_pdf")


@pytest.fixture(scope="module")
def doc():
    return make_doc()


@pytest.fixture(scope="module")
def single_pdf(doc, pdf_dir) -> Path:
    """The whole list as the portal prints it (list engine, portal.documents.list_pdf)."""
    pl = _payout_module()
    return write(pdf_dir, "single.pdf", pl.render_payout_list(doc))


@pytest.fixture(scope="module")
def prose_pdf(pdf_dir) -> Path:
    """A prose document through WeasyPrint (portal.documents.renderer): the service contract, drawn from plain data
    without a database."""
    from portal.documents.official import Issuer
    from portal.documents.service_contract import ContractBody, render_contract

    office = "Phòng Lao động - Thương binh và Xã hội"
    issuer = Issuer(heading_parent="ỦY BAN NHÂN DÂN THÀNH PHỐ CHÂU ĐỐC", heading=office.upper(), place="Châu Đốc",
                    symbol="LĐTBXH", name=office, display_name=f"{office} – Thành phố Châu Đốc")
    body = ContractBody(
        year=2024, party_a=issuer.display_name, party_a_signer="Trần Văn Lập", party_a_title="Trưởng phòng",
        party_b="Bưu điện Thành phố Châu Đốc", party_b_signer="Huỳnh Văn Bưu", party_b_title="Giám đốc",
        communes=["Phường Châu Phú A", "Phường Vĩnh Mỹ"], fee_per_person=5_000, estimated_people=210,
        estimated_months=12, estimated_value=12_600_000, valid_from=dt.date(2024, 1, 1),
        valid_to=dt.date(2024, 12, 31), settlement_day=10)
    return write(pdf_dir, "contract.pdf", render_contract(issuer, body, dt.date(2024, 8, 5)))


def n_pages(path: Path) -> int:
    return len(PdfReader(path).pages)


# --------------------------------------------------------------------------------------------------------------------
# Content
# --------------------------------------------------------------------------------------------------------------------


def test_doc_derives_totals_and_words(doc):
    amount_in_words = _amount_in_words()
    expected_total = sum(line.total for line in doc.lines)
    assert doc.totals.people == N_LINES
    assert doc.totals.total == expected_total == doc.totals.amount + doc.totals.back_pay
    assert doc.amount_in_words == amount_in_words(expected_total)
    assert doc.channel_label == "Chuyển khoản"


def test_line_must_add_up_and_money_is_int():
    pl = _payout_module()
    base = make_lines(1)[0]
    with pytest.raises(ValueError):
        pl.PayoutLine(**{**base.__dict__, "total": base.total + 1})
    with pytest.raises(TypeError):
        pl.PayoutLine(**{**base.__dict__, "amount": 540000.0, "total": 540000.0})
    with pytest.raises(ValueError):
        make_doc(lines=[], channel="cash")


def test_vietnamese_text_extracts_exactly(doc, single_pdf):
    amount_in_words = _amount_in_words()
    text = squash(pdftotext(single_pdf))
    for expected in [
        "ỦY BAN NHÂN DÂN THÀNH PHỐ CHÂU ĐỐC",
        "PHÒNG LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Châu Đốc, ngày 05 tháng 8 năm 2024",
        "DANH SÁCH CHI TRẢ TRỢ CẤP XÃ HỘI HẰNG THÁNG",
        "Tháng 08/2024",
        "Phường Châu Phú A",
        "Hình thức chi trả: Chuyển khoản",
        "Nguyễn Thị Hoà",
        "Đặng Mỹ Ưng",
        "Ấp Vĩnh Tây 3",
        f"Tổng cộng: {N_LINES} người",
        f"Bằng chữ: {amount_in_words(doc.totals.total)}",
        "NGƯỜI LẬP BIỂU", "KẾ TOÁN", "KT. TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG",
        "Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường",
    ]:
        assert expected in text, expected
    assert amount_in_words(doc.totals.total).endswith("đồng")
    assert money_re(doc.totals.total).search(text)
    # pypdf sees the same precomposed (NFC) code points
    pypdf_text = squash(" ".join(p.extract_text() for p in PdfReader(single_pdf).pages))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in pypdf_text
    assert "Nguyễn Thị Hoà" in pypdf_text


def test_bank_columns_and_cash_sign_column(pdf_dir):
    pl = _payout_module()
    cash = write(pdf_dir, "cash.pdf", pl.render_payout_list(make_doc(channel="cash_at_home")))
    first = pdftotext(cash, "-f", "1", "-l", "1")
    assert "Ký nhận" in first and "Số tài khoản" not in first
    assert "Hình thức chi trả: Tiền mặt tại nhà" in squash(first)


def row_text(line) -> str:
    """A line's cells as drawn (content-stream order, ``pdftotext -raw``), all whitespace removed (pdftotext may
    or may not put a space between adjacent cells, and wrapped names contain line breaks)."""
    cells = [str(line.index), line.full_name, line.birth, line.gender, line.national_id, line.hamlet,
             line.category_code, line.coefficient, f"{line.amount:,}".replace(",", ".")]
    if line.back_pay:
        cells.append(f"{line.back_pay:,}".replace(",", "."))
    cells += [f"{line.total:,}".replace(",", "."), line.account_number, line.bank_name]
    return "".join("".join(cells).split())


def test_header_repeated_and_rows_never_split(doc, single_pdf):
    count = n_pages(single_pdf)
    raw_pages = ["".join(t.split()) for t in page_texts(single_pdf, count, "-raw")]
    layout_pages = page_texts(single_pdf, count, "-layout")
    assert count >= 3
    seen: list[str] = []
    for number, (raw, layout) in enumerate(zip(raw_pages, layout_pages, strict=False), start=1):
        assert "Họvàtên" in raw, f"header missing on page {number}"
        assert "Sốđịnhdanh" in raw
        for line in doc.lines:
            if line.national_id in layout:
                seen.append(line.national_id)
                # the whole row, every cell, is on this page: name and amounts together with the ID
                assert row_text(line) in raw, (number, line.index)
                assert money_re(line.total).search(layout), (number, line.index)
    # every row exactly once, in order
    assert seen == [line.national_id for line in doc.lines]


def test_page_numbers_computed_and_top_centred(single_pdf, prose_pdf):
    for path in (single_pdf, prose_pdf):
        count = n_pages(path)
        assert top_margin_text(path, 1) == "", "Decree 30: no number on page 1"
        for page in range(2, count + 1):
            assert top_margin_text(path, page) == str(page)
        # centred: the number's layout line is indented about half the page width
        line = next(line for line in pdftotext(path, "-f", "2", "-l", "2", "-layout").splitlines() if line.strip())
        assert line.strip() == "2" and len(line) - len(line.lstrip()) > 40


def test_empty_list_renders(pdf_dir):
    pl = _payout_module()
    path = write(pdf_dir, "empty.pdf", pl.render_payout_list(make_doc(lines=[])))
    text = squash(pdftotext(path))
    assert "Tổng cộng: 0 người" in text and "Bằng chữ:" in text


def test_fonts_are_embedded_liberation_serif(single_pdf, prose_pdf):
    for path in (single_pdf, prose_pdf):  # the list engine (TrueType subsets) and WeasyPrint (CID subsets)
        out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
        rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
        assert rows
        names = {row[0] for row in rows}
        # every font is a subset ("ABCDEF+") of Liberation Serif: no fallback (e.g. DejaVu for missing Vietnamese
        # glyphs, which Liberation Serif 1.x lacks), embedded (emb=yes, sub=yes, uni=yes)
        for name in names:
            assert re.fullmatch(r"[A-Z]{6}\+Liberation-?Serif(-Bold|-Italic|-BoldItalic)?", name), name
        assert any(n.endswith("Liberation-Serif") or n.endswith("LiberationSerif") for n in names)
        assert any("Bold" in n for n in names) and any("Italic" in n for n in names)
        for row in rows:
            assert row[-5:-2] == ["yes", "yes", "yes"], row
    # pypdf: each font (or its descendant font) carries a FontFile2 (TrueType program embedded)
    for path in (single_pdf, prose_pdf):
        reader = PdfReader(path)
        font_files = 0
        for font in reader.pages[0]["/Resources"]["/Font"].values():
            font = font.get_object()
            for desc in font.get("/DescendantFonts", [font]):
                descriptor = desc.get_object()["/FontDescriptor"].get_object()
                font_files += "/FontFile2" in descriptor
        assert font_files >= 2


def test_privacy_only_category_code(single_pdf):
    text = pdftotext(single_pdf)
    assert "K6" in text and "K1" in text
    assert "HIV" not in text


# --------------------------------------------------------------------------------------------------------------------
# Renderer: filters, fetcher
# --------------------------------------------------------------------------------------------------------------------


def test_filters_without_flask():
    env = renderer.jinja_env
    assert env.from_string("{{ 1234567 | money }}").render() == "1.234.567"
    assert env.from_string("{{ d | date_vn }}").render(d=dt.date(2024, 8, 5)) == "05/08/2024"
    assert env.from_string("{{ d | month_vn }}").render(d=dt.date(2024, 8, 1)) == "08/2024"
    assert env.from_string("{{ '2024-08' | month_vn }}").render() == "08/2024"
    assert env.from_string("{{ d | date_formal_vn }}").render(d=dt.date(2026, 1, 5)) == "ngày 05 tháng 01 năm 2026"
    assert env.from_string("{{ 1004 | amount_words }}").render() == "Một nghìn không trăm linh bốn đồng"
    assert env.from_string("{{ s }}").render(s="<b>") == "&lt;b&gt;"  # autoescape on


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "http://example.com/print.css",
    "https://example.com/x.png",
    "data:text/css,body{}",
    "ftp://example.com/x",
    (STATIC_DIR / "..").as_uri() + "/config.py",
    STATIC_DIR.as_uri() + "/../config.py",
    STATIC_DIR.as_uri() + "/%2e%2e/config.py",
    "file://evil.example/" + str(STATIC_DIR / "print.css"),
    STATIC_DIR.as_uri() + "/does-not-exist.css",
])
def test_fetcher_refuses_non_static(url):
    with pytest.raises(RefusedURL):
        StaticOnlyURLFetcher().fetch(url)


def test_fetcher_serves_static_css():
    response = StaticOnlyURLFetcher().fetch((STATIC_DIR / "print.css").as_uri())
    assert b"@page" in response.read()
    assert response.content_type == "text/css"


def test_fetcher_refuses_symlink_escape(tmp_path):
    root = tmp_path / "static"
    root.mkdir()
    (root / "ok.css").write_text("p{}")
    (root / "escape.css").symlink_to("/etc/passwd")
    fetcher = StaticOnlyURLFetcher(root)
    assert fetcher.fetch((root / "ok.css").as_uri()).read() == b"p{}"
    with pytest.raises(RefusedURL):
        fetcher.fetch((root / "escape.css").as_uri())


@pytest.mark.parametrize("html", [
    '<link rel="stylesheet" href="http://example.com/x.css"><p>x</p>',
    '<img src="file:///etc/passwd">',
    '<style>@import url("file:///etc/passwd");</style><p>x</p>',
    '<p style="background: url(../config.py)">x</p>',
])
def test_rendering_with_foreign_url_fails(html):
    with pytest.raises(DocumentRenderError):
        pdf_from_html(html)


def test_rendering_static_stylesheet_works():
    pdf = pdf_from_html('<link rel="stylesheet" href="print.css"><p>Độc lập - Tự do - Hạnh phúc</p>')
    assert "Độc lập - Tự do - Hạnh phúc" in PdfReader(BytesIO(pdf)).pages[0].extract_text()


def test_account_numbers_bank_names_and_dates_never_break_mid_word(tmp_path):
    """Columns are wide enough for a 4-digit STT, a 14-digit account, "Vietcombank", dd/mm/yyyy and "Nam": each reads
    back whole on one line (a break inside would split it in the extracted text)."""
    pl = _payout_module()
    lines = [dataclasses_replace(line, index=1000 + i, account_number=f"17695023474{i:03d}", bank_name="Vietcombank",
                                 birth="31/12/1931", gender="Nam") for i, line in enumerate(make_lines(30))]
    path = write(tmp_path, "wide.pdf", pl.render_payout_list(make_doc(lines=lines)))
    text = pdftotext(path, "-layout")
    for i in range(30):
        assert f"17695023474{i:03d}" in text
    assert text.count("Vietcombank") == 30
    assert text.count("31/12/1931") == 30
    assert len(re.findall(r"\bNam\b", text)) >= 30
    assert all(re.search(rf"^\s*{1000 + i}\s", text, re.M) for i in range(30))  # 4-digit STT on one line
