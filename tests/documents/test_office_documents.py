"""Documents an office would sign, read back from the PDFs (pdfplumber): the Decree 30 date line, headings that
never break inside a unit name, the Tiêu ngữ's drawn rule on the lists; the monthly report (one per month unless
replaced, signer's name, recipients by data, the reports a district office or the province received), the
authorization letter (one page, one date, no office number), the contract (term, representatives, margins, article
headings kept with their text, the QR address), the fee statement issued with number, date and signatures."""
import logging
import re
from datetime import date
from io import BytesIO

import pdfplumber
import pytest

from portal.clock import today_vn
from portal.documents import payout_list
from portal.errors import StateError, ValidationError
from portal.extensions import db
from portal.formatting import date_formal_vn
from portal.models import Authorization
from portal.services.demo import user_by_username
from portal.services.documents import contracts, issuing
from portal.services.documents.printing import report_recipients
from portal.services.reporting import monthly_report
from tests.documents import pdfcheck
from tests.documents.test_payout_list_pdf import make_doc, make_lines
from tests.factories import make_beneficiary

ISSUED_ON = date(2024, 8, 5)
#: heading lines that end inside a unit name (what the old heading printed)
BROKEN_ENDINGS = ("TỈNH AN", "THÀNH PHỐ CHÂU", "THƯƠNG", "PHỐ", "THÀNH")


def _contract_pdf(people=210, months=12):
    officer = user_by_username("pld.chaudoc")
    data = contracts.defaults(officer, ISSUED_ON)
    data.valid_from = date(2024, 1, 1)
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
    from tests.factories import chau_doc_people, run_to_approved
    chau_doc_people()
    run_to_approved()  # the lists' payout office (bên A): Phòng Lao động - Thương binh và Xã hội
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


def test_report_issued_twice_needs_replacement_which_names_the_first(app):
    commune = user_by_username("xa.vinhmy")
    first = monthly_report.issue_report(commune, date(2024, 8, 1), ISSUED_ON)
    with pytest.raises(StateError, match="đã ban hành: số 01/BC-UBND ngày 05/08/2024"):
        monthly_report.issue_report(commune, date(2024, 8, 1), date(2024, 8, 9))
    second = monthly_report.issue_report(commune, date(2024, 8, 1), date(2024, 8, 9), replace=True)
    assert second.number_text == "02/BC-UBND" and second.corrects_id == first.id
    text = " ".join(pdfcheck.text(second.content).split())
    assert "(Báo cáo này thay thế báo cáo số 01/BC-UBND ngày 05/08/2024)" in text
    assert "thay thế" not in pdfcheck.text(first.content)
    assert monthly_report.issue_report(commune, date(2024, 9, 1), date(2024, 9, 5)).number_text == "03/BC-UBND"


def signoff_columns(pdf: bytes) -> tuple[str, str]:
    """(recipients, signature) text of the last page: the words left and right of the page's middle, below the
    "Nơi nhận:" line."""
    with pdfplumber.open(BytesIO(pdf)) as doc:
        page = doc.pages[-1]
        words = page.extract_words()
        top = next(w["top"] for w in words if w["text"] == "Nơi") - 2
        end = next((w["top"] for w in words if w["text"] == "Xác" and w["top"] > top), page.height)  # the QR's text
        below = [w for w in words if top <= w["top"] < end - 1]
        half = (30 + 0.45 * 165) * pdfcheck.MM  # the recipients' cell: 45 % of the text width
        return (" ".join(w["text"] for w in below if w["x0"] < half),
                " ".join(w["text"] for w in below if w["x0"] >= half))


def test_report_signed_by_the_representative_and_sent_to_the_office_above(app):
    commune = user_by_username("xa.vinhmy")
    recipients, signature = signoff_columns(monthly_report.issue_report(commune, date(2024, 8, 1), ISSUED_ON).content)
    assert signature == "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH PHÓ CHỦ TỊCH Nguyễn Văn Vĩnh"
    assert recipients == "Nơi nhận: - Phòng Lao động - Thương binh và Xã hội – Thành phố Châu Đốc; - Lưu: VT, VHXH."
    officer = user_by_username("pld.chaudoc")
    recipients, signature = signoff_columns(monthly_report.issue_report(officer, date(2024, 8, 1), ISSUED_ON).content)
    assert signature == "TRƯỞNG PHÒNG Trần Văn Lập"
    assert recipients == "Nơi nhận: - Sở Lao động - Thương binh và Xã hội – Tỉnh An Giang; - Lưu: VT, LĐTBXH."


def test_reports_page_warns_before_a_second_issue_and_lists_received_reports(app, client):
    client.login("xa.vinhmy")
    assert client.post("/bao-cao/ban-hanh?thang=2024-08", {}).status_code == 302
    page = client.get("/bao-cao/?thang=2024-08").get_data(as_text=True)
    assert "đã ban hành: số 01/BC-UBND" in page and "Thay thế báo cáo đã ban hành" in page
    again = client.post("/bao-cao/ban-hanh?thang=2024-08", {})
    assert again.status_code == 409 and "Ban hành lại sẽ thay thế" in again.get_data(as_text=True)
    assert client.post("/bao-cao/ban-hanh?thang=2024-08", {"replace": "y"}).status_code == 302
    client.logout()
    client.login("pld.chaudoc")
    page = client.get("/bao-cao/?thang=2024-08").get_data(as_text=True)
    assert "Báo cáo đã nhận tháng 08/2024" in page and "Tổng cộng: 2 báo cáo" in page
    assert "02/BC-UBND" in page and "(thay thế báo cáo số 01/BC-UBND)" in page
    received = monthly_report.received_reports(user_by_username("pld.chaudoc"), date(2024, 8, 1))
    assert client.get(f"/van-ban/da-ban-hanh/{received[0].id}.pdf").data == received[0].content  # may open it
    assert client.post("/bao-cao/ban-hanh?thang=2024-08", {}).status_code == 302
    client.logout()
    client.login("so.angiang")
    page = client.get("/bao-cao/?thang=2024-08").get_data(as_text=True)
    assert "Tổng cộng: 1 báo cáo" in page and "01/BC-LĐTBXH" in page  # the district's; communes report to it
    assert client.get("/bao-cao/?thang=2024-09").get_data(as_text=True).count("Chưa nhận báo cáo nào") == 1


def test_authorization_letter_fits_one_page_dated_as_certified_without_office_number(app):
    b = make_beneficiary("Lê Văn Ủy", commune_code="30322", birth_year=1938, payment_channel="cash_at_point")
    auth = Authorization(beneficiary_id=b.id, proxy_name="Lê Thị Nhận", proxy_national_id="089190000123",
                         proxy_relationship="Con gái", proxy_address="Khóm Mỹ Thới 1, Phường Vĩnh Mỹ",
                         valid_from=date(2024, 8, 1), valid_to=date(2025, 7, 31), scope_open_account=True,
                         certification_number="125/2024/SCT", certified_on=date(2024, 8, 1))
    b.decision_number, b.decision_date = "112/QĐ-UBND", date(2024, 1, 5)
    db.session.add(auth)
    db.session.commit()
    doc = issuing.issue_authorization_letter(user_by_username("xa.vinhmy"), auth, date(2024, 8, 2))
    pages = pdfcheck.page_texts(doc.content)
    assert len(pages) == 1  # undertakings, both signatures and the certification on the one page
    text = pages[0]
    assert doc.issued_on == date(2024, 8, 1)
    assert "Vĩnh Mỹ, ngày 01 tháng 8 năm 2024" in text and "Số chứng thực: 125/2024/SCT; ngày 01/08/2024." in text
    assert "ngày 02" not in text and "02/08/2024" not in text
    assert "không chuyển quyền sở hữu tài sản." in text and "CHỨNG THỰC CHỮ KÝ" in text
    assert "GUQ" not in text and "Số:" not in text


def test_contract_defaults_start_in_the_signing_month_from_the_representatives(app):
    officer = user_by_username("pld.chaudoc")
    office = officer.organization
    office.representative_name, office.representative_title = "Đỗ Thị Hằng", "Phó Trưởng phòng"
    office.representative_gender = "female"
    data = contracts.defaults(officer, ISSUED_ON)
    assert (data.valid_from, data.valid_to, data.estimated_months) == (date(2024, 8, 1), date(2024, 12, 31), 5)
    assert (data.party_a_signer, data.party_a_title) == ("Đỗ Thị Hằng", "Phó Trưởng phòng")  # not the clerk
    assert (data.party_b_signer, data.party_b_title) == ("Huỳnh Văn Bưu", "Giám đốc")
    data.estimated_people = 200
    contract = contracts.create_draft(officer, data)
    assert contract.estimated_value == 200 * 5 * data.fee_per_person
    text = " ".join(pdfcheck.text(contracts.issue_contract(officer, contract, ISSUED_ON).content).split())
    assert "Đại diện: Bà Đỗ Thị Hằng - Chức vụ: Phó Trưởng phòng." in text
    assert "Đại diện: Ông Huỳnh Văn Bưu - Chức vụ: Giám đốc." in text and "Ông/Bà" not in text
    assert "200 người × 5 tháng" in text
    data.estimated_months = 12  # the term 01/08/2024–31/12/2024 has 5 months
    with pytest.raises(ValidationError, match=r"Số tháng tạm tính \(12\) phải bằng số tháng .*: 5 tháng\)"):
        contracts.create_draft(officer, data)


@pytest.mark.parametrize("people", [210, 17_500])
def test_contract_keeps_articles_with_their_text_and_the_right_margin(app, people):
    pdf = _contract_pdf(people=people)
    with pdfplumber.open(BytesIO(pdf)) as doc:
        for number, page in enumerate(doc.pages, start=1):
            assert page.width - max(c["x1"] for c in page.chars) >= 15 * pdfcheck.MM - 0.05, number
            body = [line for line in (page.extract_text() or "").splitlines() if line.strip()]
            if number < len(doc.pages):
                assert not re.match(r"^Điều \d+\.", body[-1]), (number, body[-1])  # no heading alone at a foot


def test_qr_address_warned_at_start_up_and_never_localhost_in_production(app, caplog):
    from portal import create_app
    from portal.config import Config
    from portal.services.documents.issuing import verify_url

    class Production(Config):
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        PUBLIC_BASE_URL = None
        SECRET_KEY = "k" * 20 + "-production-like-key-0123456789"  # production refuses to start without a strong key

    with caplog.at_level(logging.WARNING):
        prod = create_app(Production)
    assert any("PUBLIC_BASE_URL chưa được đặt" in r.getMessage() for r in caplog.records)
    with prod.app_context(), pytest.raises(StateError, match="PUBLIC_BASE_URL"):
        verify_url("abc")
    with prod.test_request_context("/", base_url="http://localhost:5000"), pytest.raises(StateError):
        verify_url("abc")
    with prod.test_request_context("/", base_url="https://asxh.angiang.gov.vn"):
        assert verify_url("abc") == "https://asxh.angiang.gov.vn/xac-minh/abc"
    configured = type("Configured", (Production,), {"PUBLIC_BASE_URL": "https://cong.example.vn/"})
    with create_app(configured).app_context():
        assert verify_url("abc") == "https://cong.example.vn/xac-minh/abc"


def test_fee_statement_can_be_issued_once_every_line_has_a_result(app, client):
    from portal.services.documents.statements import issue_fee_statement
    from portal.services.payouts.results import record_result
    from tests.factories import chau_doc_people, run_to_accepted
    chau_doc_people()
    lists = run_to_accepted()  # Vĩnh Mỹ: 5 people on approved lists
    officer = user_by_username("pld.chaudoc")
    data = contracts.defaults(officer, ISSUED_ON)
    data.valid_from, data.estimated_months, data.party_b_signer = date(2024, 1, 1), 12, "Huỳnh Văn Bưu"
    contracts.issue_contract(officer, contracts.create_draft(officer, data), ISSUED_ON)
    post = user_by_username("buudien.chaudoc")
    with pytest.raises(StateError, match="chưa có kết quả chi trả"):
        issue_fee_statement(post, date(2024, 8, 1), date(2024, 8, 20))
    for lst in lists.values():
        for line in lst.lines:
            record_result(post, line, "paid", paid_on=date(2024, 8, 6))
    db.session.commit()
    client.login("buudien.chaudoc")
    assert "Bản dự thảo (PDF)" in client.get("/van-ban/hop-dong/?thang=2024-08").get_data(as_text=True)
    assert client.post("/van-ban/bang-ke-phi/ban-hanh?thang=2024-08", {}).status_code == 302
    page = client.get("/van-ban/hop-dong/?thang=2024-08").get_data(as_text=True)
    assert "Đã ban hành bảng kê chi phí dịch vụ chi trả số 01/BK-BĐ" in page and "Bảng kê số 01/BK-BĐ" in page
    pdf = client.get("/van-ban/bang-ke-phi.pdf?thang=2024-08").data
    text = " ".join(pdfcheck.text(pdf).split())
    assert "Số: 01/BK-BĐ" in text and "DỰ THẢO" not in text and "(tạm tính)" not in text
    assert f"Châu Đốc, {date_formal_vn(today_vn())}" in text
    with pdfplumber.open(BytesIO(pdf)) as doc:
        words = doc.pages[-1].extract_words()
        half = doc.pages[-1].width / 2
    left = " ".join(w["text"] for w in words if w["x0"] < half and w["top"] > 300)
    right = " ".join(w["text"] for w in words if w["x0"] >= half and w["top"] > 300)
    assert "XÁC NHẬN CỦA BÊN A" in left and "Trần Văn Lập" in left  # the district office's representative
    assert "ĐẠI DIỆN BÊN B GIÁM ĐỐC (Ký, đóng dấu) Huỳnh Văn Bưu" in right
    again = client.post("/van-ban/bang-ke-phi/ban-hanh?thang=2024-08", {})
    assert again.status_code == 302
    assert "đã ban hành: số 01/BK-BĐ" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_the_province_departments_own_report_goes_to_the_bodies_recorded_for_it(app):
    """Sở Y tế tỉnh An Giang (2025 tree) reports to Bộ Y tế and UBND tỉnh An Giang as recorded for it
    (``Organization.report_recipients``), not to the 2024 plan's "Bộ Lao động - Thương binh và Xã hội"."""
    department = user_by_username("syt.angiang")
    assert report_recipients(department.organization) == ["Bộ Y tế", "UBND tỉnh An Giang", "Lưu: VT"]
    recipients, _ = signoff_columns(monthly_report.issue_report(department, date(2025, 8, 1),
                                                                date(2025, 9, 5)).content)
    assert recipients == "Nơi nhận: - Bộ Y tế; - UBND tỉnh An Giang; - Lưu: VT."
    assert "Lao động" not in recipients
    # the 2024 department keeps the register's line; a 2025 commune reports to Sở Y tế
    assert report_recipients(user_by_username("so.angiang").organization)[0].startswith("Bộ Lao động")
    assert report_recipients(user_by_username("ubnd.chaudoc").organization) == [
        "Sở Y tế tỉnh An Giang", "Lưu: VT, UBND"]
