"""Documents an office would sign, read back from the PDFs (pdfplumber): the Decree 30 date line, headings that
never break inside a unit name, the Tiêu ngữ's drawn rule on the lists."""
from datetime import date
from io import BytesIO

import pdfplumber

from portal.documents import payout_list
from portal.services.demo import user_by_username
from portal.services.documents import contracts
from portal.services.reporting import monthly_report
from tests.documents import pdfcheck
from tests.documents.test_payout_list_pdf import make_doc, make_lines

ISSUED_ON = date(2024, 8, 5)
#: heading lines that end inside a unit name (what the old heading printed)
BROKEN_ENDINGS = ("TỈNH AN", "THÀNH PHỐ CHÂU", "THƯƠNG", "PHỐ", "THÀNH")


def _contract_pdf(people=210, months=12):
    officer = user_by_username("pld.chaudoc")
    data = contracts.defaults(officer, ISSUED_ON)
    data.estimated_people, data.estimated_months, data.fee_per_person = people, months, 5_000
    data.party_b_signer = "Huỳnh Văn Bưu"
    return contracts.issue_contract(officer, contracts.create_draft(officer, data), ISSUED_ON).content


def heading_lines(pdf: bytes, page: int = 0, left: bool = True) -> list[str]:
    """Text lines of the heading's left (issuing body) or right column on ``page``: the top 45 mm of the page."""
    with pdfplumber.open(BytesIO(pdf)) as doc:
        p = doc.pages[page]
        half = p.width * 0.47
        box = (0, 0, half, 45 * pdfcheck.MM) if left else (half, 0, p.width, 45 * pdfcheck.MM)
        return [" ".join(line.split()) for line in (p.crop(box).extract_text() or "").splitlines()]


def test_contract_and_report_date_lines_follow_decree_30(app):
    assert "Châu Đốc, ngày 05 tháng 8 năm 2024" in heading_lines(_contract_pdf(), left=False)
    commune = user_by_username("xa.vinhmy")
    report = monthly_report.issue_report(commune, date(2025, 1, 1), date(2025, 2, 3)).content
    assert "Vĩnh Mỹ, ngày 03 tháng 02 năm 2025" in heading_lines(report, left=False)


def test_prose_headings_break_between_unit_phrases_only(app):
    lines = heading_lines(_contract_pdf())
    assert lines[:4] == ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ CHÂU ĐỐC", "PHÒNG LAO ĐỘNG -", "THƯƠNG BINH VÀ XÃ HỘI"]
    officer = user_by_username("pld.chaudoc")
    report = monthly_report.issue_report(officer, date(2024, 8, 1), ISSUED_ON).content
    assert heading_lines(report)[:4] == lines[:4]
    whole = pdfcheck.text(report)
    assert not any(line.endswith(BROKEN_ENDINGS) for page in whole.split("\f") for line in page.splitlines())


def test_fee_statement_heading_and_signer_titles_keep_unit_names_whole(app, client):
    client.login("buudien.chaudoc")
    pdf = client.get("/van-ban/bang-ke-phi.pdf?thang=2024-08").data
    assert heading_lines(pdf)[:2] == ["BƯU ĐIỆN", "THÀNH PHỐ CHÂU ĐỐC"]
    with pdfplumber.open(BytesIO(pdf)) as doc:
        lines = [" ".join(t.split()) for p in doc.pages for t in (p.extract_text() or "").splitlines()]
    assert not any(line.endswith(BROKEN_ENDINGS) for line in lines), lines
    assert any(line.startswith("THƯƠNG BINH VÀ XÃ HỘI") for line in lines)


def test_list_motto_rule_is_drawn_below_the_text():
    pdf = payout_list.render_payout_list(make_doc(lines=make_lines(3)))
    with pdfplumber.open(BytesIO(pdf)) as doc:
        page = doc.pages[0]
        words = [w for w in page.extract_words() if w["top"] < 40 * pdfcheck.MM]
        motto = [w for w in words if w["text"] in ("Độc", "lập", "Hạnh", "phúc")]
        assert len(motto) == 4
        left, right = min(w["x0"] for w in motto), max(w["x1"] for w in motto)
        glyph_bottom = max(w["bottom"] for w in motto)  # the font's descent: "p", the dot under "ạ"
        rules = [ln for ln in page.lines if abs(ln["x0"] - left) < 1.5 and abs(ln["x1"] - right) < 1.5]
    assert len(rules) == 1  # exactly as long as the text
    assert glyph_bottom < rules[0]["top"] < glyph_bottom + 3
