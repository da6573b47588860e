"""Issued documents: the Decree 30 page read back from the PDF (fonts, heading, page numbers, left
margin, amounts and words), the yearly register (never reused), immutability, PAdES signatures (pyHanko + pdfsig,
tampered fails), the public verification page, the monthly report and the authorization letter."""
from datetime import date
from pathlib import Path

import pytest

from portal.documents import signing
from portal.errors import StateError
from portal.extensions import db
from portal.models import Authorization, IssuedDocument
from portal.services.demo import user_by_username
from portal.services.documents import contracts, issuing
from portal.services.reporting import monthly_report
from tests.documents import pdfcheck
from tests.factories import make_beneficiary

ISSUED_ON = date(2024, 8, 5)


def _contract(people=210, months=12, fee=5_000):
    officer = user_by_username("pld.chaudoc")
    data = contracts.defaults(officer, ISSUED_ON)
    data.valid_from = date(2024, 1, 1)  # the whole year (the default term starts in the signing month)
    data.estimated_people, data.estimated_months, data.fee_per_person = people, months, fee
    data.party_b_signer = "Huỳnh Văn Bưu"
    return officer, contracts.create_draft(officer, data)


def test_contract_pdf_follows_decree_30(app):
    officer, contract = _contract(people=17_500)  # 17.500 × 12 × 5.000 = 1.050.000.000
    doc = contracts.issue_contract(officer, contract, ISSUED_ON)
    pdf = doc.content
    assert doc.number_text == "01/HĐ-LĐTBXH" and contract.status == "issued"
    assert pdfcheck.fonts(pdf) <= {"LiberationSerif", "LiberationSerif-Bold", "LiberationSerif-Italic",
                                   "LiberationSerif-BoldItalic", "Liberation-Serif", "Liberation-Serif-Bold",
                                   "Liberation-Serif-Italic", "Liberation-Serif-BoldItalic"}
    rows = pdfcheck.pdffonts_rows(pdf)
    assert rows and all(r[0].split("+")[-1].startswith("Liberation-Serif") for r in rows)
    assert all(r[-5] == "yes" and r[-4] == "yes" for r in rows)  # embedded, subset
    pages = pdfcheck.page_texts(pdf)
    first = pages[0]
    for text in ("ỦY BAN NHÂN DÂN", "THÀNH PHỐ CHÂU ĐỐC", "PHÒNG LAO ĐỘNG -", "THƯƠNG BINH VÀ XÃ HỘI",
                 "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                 "Độc lập - Tự do - Hạnh phúc", "Số: 01/HĐ-LĐTBXH", "Châu Đốc, ngày 05 tháng 8 năm 2024",
                 "HỢP ĐỒNG DỊCH VỤ CHI TRẢ"):
        assert text in first, text
    numbers = pdfcheck.top_centre_numbers(pdf)
    assert len(pages) >= 2 and numbers[0] == "" and numbers[1:] == [str(i) for i in range(2, len(pages) + 1)]
    assert pdfcheck.min_left_mm(pdf) >= 30 - 0.5
    whole = " ".join(pages)
    assert "5.000 đồng/đối tượng/tháng" in whole and "(bằng chữ: Năm nghìn đồng)" in whole
    assert "17.500 người × 12 tháng × 5.000 đồng = 1.050.000.000 đồng" in whole
    assert "Bằng chữ: Một tỷ không trăm năm mươi triệu đồng." in whole
    assert "không thu bất kỳ khoản phí nào của đối tượng" in whole
    assert "Lập" in whole and "Huỳnh Văn Bưu" in whole


def test_place_date_is_italic(app):
    officer, contract = _contract()
    pdf = contracts.issue_contract(officer, contract, ISSUED_ON).content
    from io import BytesIO

    import pdfplumber
    with pdfplumber.open(BytesIO(pdf)) as p:
        words = p.pages[0].extract_words(extra_attrs=["fontname"])
    date_words = [w for w in words if w["text"] in ("tháng", "năm")][:2]
    assert date_words and all("Italic" in w["fontname"] for w in date_words)


def test_register_numbers_run_per_year_and_series_and_are_never_reused(app):
    officer, c1 = _contract()
    _, c2 = _contract()
    d1 = contracts.issue_contract(officer, c1, ISSUED_ON)
    d2 = contracts.issue_contract(officer, c2, date(2024, 9, 1))
    assert (d1.number, d2.number) == (1, 2)
    rep = monthly_report.issue_report(officer, date(2024, 8, 1), ISSUED_ON)
    assert rep.number_text == "01/BC-LĐTBXH"  # own series
    _, c3 = _contract()
    d3 = contracts.issue_contract(officer, c3, date(2025, 1, 2))
    assert d3.number_text == "01/HĐ-LĐTBXH" and d3.year == 2025  # new year, new register
    with pytest.raises(StateError):
        contracts.issue_contract(officer, c1, ISSUED_ON)


def test_issued_document_cannot_change_and_correction_is_new(app):
    officer, contract = _contract()
    doc = contracts.issue_contract(officer, contract, ISSUED_ON)
    db.session.commit()
    doc.title = "khác"
    with pytest.raises(StateError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(IssuedDocument, doc.id))
    with pytest.raises(StateError):
        db.session.flush()
    db.session.rollback()
    fix = issuing.issue(officer, officer.organization, "service_contract", "Đính chính",
                        lambda stamp: b"%PDF-1.4 fix " + stamp.number_text.encode(), issued_on=ISSUED_ON,
                        corrects=db.session.get(IssuedDocument, doc.id), sign=False)
    assert fix.number == 2 and fix.corrects_id == doc.id


def test_signed_pdf_validates_and_tampering_fails(app, certs):
    officer, contract = _contract()
    doc = contracts.issue_contract(officer, contract, ISSUED_ON)
    assert doc.signed
    good = signing.validate(doc.content, [certs])
    assert good == {"count": 1, "intact": True, "valid": True, "trusted": True, "signers": [good["signers"][0]]}
    assert good["signers"][0].startswith("Phòng Lao động")
    out = pdfcheck.pdfsig(doc.content)
    if out:
        assert "Signature Validation: Signature is Valid." in out
    tampered = bytearray(doc.content)
    at = tampered.index(b"/Contents", 100) // 2  # somewhere inside the signed range
    tampered[at] ^= 0x01
    bad = signing.validate(bytes(tampered), [certs])
    assert not (bad["intact"] and bad["valid"])
    out = pdfcheck.pdfsig(bytes(tampered))
    if out:
        assert "Signature is Valid." not in out


def test_verify_page_is_public_and_checks_the_hash(app, client):
    officer, contract = _contract()
    doc = contracts.issue_contract(officer, contract, ISSUED_ON)
    db.session.commit()
    assert issuing.VERIFY_PATH + doc.verify_token in pdfcheck.text(doc.content).replace(" ", "")
    url = f"/xac-minh/{doc.verify_token}"
    page = client.get(url)
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "01/HĐ-LĐTBXH" in body and "05/08/2024" in body and "Phòng Lao động" in body and doc.sha256 in body
    assert "Trần Văn Lập" not in body  # no personal data
    from io import BytesIO
    ok = client.post(url, {"file": (BytesIO(doc.content), "hd.pdf")}, content_type="multipart/form-data")
    assert ok.status_code == 200 and "Tệp khớp với văn bản đã ban hành." in ok.get_data(as_text=True)
    bad = client.post(url, {"file": (BytesIO(doc.content + b"\n"), "hd.pdf")}, content_type="multipart/form-data")
    assert "KHÔNG khớp" in bad.get_data(as_text=True)
    assert client.get("/xac-minh/khong-co").status_code == 404


def test_district_drafts_issues_and_uploads_the_signed_copy(app, client):
    client.login("pld.chaudoc")
    page = client.get("/huyen/hop-dong/")
    assert page.status_code == 200 and "5000" in page.get_data(as_text=True)
    resp = client.post("/huyen/hop-dong/lap", {
        "valid_from": "2024-08-01", "valid_to": "2024-12-31", "fee_per_person": "5000", "estimated_people": "200",
        "estimated_months": "5", "party_a_signer": "Trần Văn Lập", "party_a_title": "Trưởng phòng",
        "party_b_signer": "Huỳnh Văn Bưu", "party_b_title": "Giám đốc"})
    assert resp.status_code == 302
    cid = int(resp.headers["Location"].rstrip("/").split("/")[-1])
    draft = client.get(f"/huyen/hop-dong/{cid}/hop-dong.pdf")
    assert draft.status_code == 200 and "DỰ THẢO" in pdfcheck.text(draft.data)
    assert client.post(f"/huyen/hop-dong/{cid}/ban-hanh").status_code == 302
    issued = client.get(f"/huyen/hop-dong/{cid}/hop-dong.pdf").data
    assert "Số: 01/HĐ-LĐTBXH" in pdfcheck.text(issued) and "5.000.000 đồng" in pdfcheck.text(issued)
    from io import BytesIO
    bad = client.post(f"/huyen/hop-dong/{cid}/ban-ky", {"scan": (BytesIO(b"not a pdf"), "x.txt"),
                                                     "signed_on": "2024-08-06"}, content_type="multipart/form-data")
    assert bad.status_code == 422 and "PDF" in bad.get_data(as_text=True)
    ok = client.post(f"/huyen/hop-dong/{cid}/ban-ky", {"scan": (BytesIO(b"%PDF-1.4 scan"), "ky.pdf"),
                                                    "signed_on": "2024-08-06"}, content_type="multipart/form-data")
    assert ok.status_code == 302
    assert "Hai bên đã ký" in client.get(f"/huyen/hop-dong/{cid}").get_data(as_text=True)
    client.logout()
    client.login("agribank.chaudoc")
    assert client.get(f"/huyen/hop-dong/{cid}").status_code == 403


def test_monthly_report_counts_and_excel(app, client):
    b1 = make_beneficiary("Nguyễn Văn Một", commune_code="30322", birth_year=1940, payment_channel="bank_account")
    b2 = make_beneficiary("Trần Thị Hai", commune_code="30322", birth_year=1945, payment_channel="cash_at_home")
    db.session.commit()
    commune = user_by_username("xa.vinhmy")
    monthly_report.save_notes(commune, date(2024, 8, 1), "Người cao tuổi chưa có CCCD gắn chip.", "")
    rep = monthly_report.build_report(commune, date(2024, 8, 1))
    assert rep.level == "commune" and rep.registered >= 2
    chans = dict(rep.by_channel)
    assert chans["Tài khoản ngân hàng"] >= 1 and chans["Tiền mặt tại nhà"] >= 1
    assert rep.difficulties.startswith("Người cao tuổi")
    from io import BytesIO

    from openpyxl import load_workbook
    wb = load_workbook(BytesIO(monthly_report.report_workbook(rep)))
    assert wb.sheetnames[0] == "Tổng hợp" and wb["Tổng hợp"]["B4"].value == rep.registered
    doc = monthly_report.issue_report(commune, date(2024, 8, 1), ISSUED_ON)
    text = pdfcheck.text(doc.content)
    assert doc.number_text == "01/BC-UBND"
    assert "ỦY BAN NHÂN DÂN" in text and "PHƯỜNG VĨNH MỸ" in text and "Số: 01/BC-UBND" in text
    assert "Nơi nhận:" in text and "Lưu: VT, VHXH." in text and "Người cao tuổi chưa có CCCD" in text
    assert b1.full_name not in text and b2.full_name not in text  # counts only
    db.session.commit()
    client.login("so.angiang")
    assert client.get("/bao-cao/?thang=2024-08").status_code == 200
    xlsx = client.get("/bao-cao/bao-cao.xlsx?thang=2024-08")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_authorization_letter_with_certification(app, client):
    b = make_beneficiary("Lê Văn Ủy", commune_code="30322", birth_year=1938, payment_channel="cash_at_point")
    auth = Authorization(beneficiary_id=b.id, proxy_name="Lê Thị Nhận", proxy_national_id="089190000123",
                         proxy_relationship="Con gái", valid_from=date(2024, 8, 1), valid_to=date(2025, 7, 31),
                         certification_number="125/2024/SCT", certified_on=date(2024, 8, 2))
    db.session.add(auth)
    db.session.commit()
    commune = user_by_username("xa.vinhmy")
    doc = issuing.issue_authorization_letter(commune, auth, date(2024, 8, 2))
    text = pdfcheck.text(doc.content)
    assert "GUQ" not in text and "Số:" not in text  # a letter between citizens: the certification number only
    for part in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "GIẤY ỦY QUYỀN", "Lê Văn Ủy", "Lê Thị Nhận", "Con gái",
                 "từ ngày 01/08/2024 đến ngày 31/07/2025", "CHỨNG THỰC CHỮ KÝ", "125/2024/SCT"):
        assert part in text, part
    db.session.commit()
    client.login("xa.vinhmy")
    resp = client.get(f"/van-ban/giay-uy-quyen/{auth.id}.pdf")
    assert resp.status_code == 200 and resp.data == doc.content


def test_every_printed_document_uses_the_shared_page():
    from portal.documents.renderer import TEMPLATES_DIR
    printed = ("authorization_letter", "fee_statement", "monthly_report", "service_contract")
    for name in printed:
        assert '{% extends "documents/_page.html" %}' in (TEMPLATES_DIR / f"documents/{name}.html").read_text(), name


def test_dev_ca_cli(app, tmp_path):
    out = tmp_path / "c"
    result = app.test_cli_runner().invoke(args=["dev-ca", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "ca.pem").is_file() and list(Path(out).glob("org-*.p12"))


def test_post_office_countersigns_both_signatures_valid(app, client, certs):
    officer, contract = _contract()
    doc = contracts.issue_contract(officer, contract, ISSUED_ON)
    db.session.commit()
    client.web_app.config.update(SIGNING_CERT_DIR=app.config["SIGNING_CERT_DIR"], SIGNING_P12_PASSWORD="asxh-dev")
    client.login("buudien.chaudoc")
    listing = client.get("/van-ban/hop-dong/")
    assert listing.status_code == 200 and doc.number_text in listing.get_data(as_text=True)
    assert client.post(f"/van-ban/hop-dong/{contract.id}/ky-so").status_code == 302
    db.session.refresh(contract)
    assert contract.status == "signed" and contract.scan.startswith(doc.content)  # incremental: first bytes kept
    both = signing.validate(contract.scan, [certs])
    assert both["count"] == 2 and both["intact"] and both["valid"] and both["trusted"]
    assert both["signers"][1].startswith("Bưu điện")
    out = pdfcheck.pdfsig(contract.scan)
    if out:
        assert out.count("Signature is Valid.") == 2
    assert client.get(f"/van-ban/hop-dong/{contract.id}/hop-dong.pdf").data == contract.scan
    from io import BytesIO
    check = client.post(f"/xac-minh/{doc.verify_token}", {"file": (BytesIO(contract.scan), "hd.pdf")},
                        content_type="multipart/form-data")
    assert "bản hợp đồng đã có chữ ký của hai bên" in check.get_data(as_text=True)
    client.logout()
    client.login("buudien.tinhbien")
    assert client.get(f"/van-ban/hop-dong/{contract.id}").status_code == 404


def test_fee_statement_pdf_people_paid_times_fee(app, client):
    from portal.services.payouts.results import record_result
    from tests.factories import chau_doc_people, run_to_accepted
    people = chau_doc_people()
    lists = run_to_accepted()  # Vĩnh Mỹ: 5 people on approved lists (account 2, cash at home 1, cash at point 2)
    client.login("buudien.chaudoc")
    draft = pdfcheck.text(client.get("/van-ban/bang-ke-phi.pdf?thang=2024-08").data)
    assert "Căn cứ:" in draft and "chưa có hợp đồng" in draft  # demo FeeRule, no contract issued yet
    officer, contract = _contract()
    contracts.issue_contract(officer, contract, ISSUED_ON)
    post = user_by_username("buudien.chaudoc")
    for line in lists["account"].lines:  # Vũ paid, Yến failed
        if line.beneficiary_id == people["yen"].id:
            record_result(post, line, "failed", reason="Tài khoản bị phong toả")
        else:
            record_result(post, line, "paid", paid_on=date(2024, 8, 5))
    record_result(post, lists["cash_at_home"].lines[0], "paid", paid_on=date(2024, 8, 6))
    db.session.commit()  # cash at point: 2 still pending
    resp = client.get("/van-ban/bang-ke-phi.pdf?thang=2024-08")
    text = pdfcheck.text(resp.data)
    assert resp.status_code == 200
    assert "BƯU ĐIỆN" in text and "THÀNH PHỐ CHÂU ĐỐC" in text and "BẢNG KÊ CHI PHÍ DỊCH VỤ CHI TRẢ" in text
    assert "Số: /BK-BĐ" in text
    assert "(tạm tính)" in text and "còn 2 người chưa có kết quả chi trả" in text
    assert "Hợp đồng dịch vụ chi trả số 01/HĐ-LĐTBXH ngày 05/08/2024" in text and "số 1:" not in text
    assert "Tổng cộng 5 2 1 2" in " ".join(text.split()) and "Bằng chữ: Mười nghìn đồng." in text  # 2 paid × 5.000
    client.logout()
    client.login("pld.chaudoc")
    assert "Bằng chữ: Mười nghìn đồng." in pdfcheck.text(
        client.get("/huyen/hop-dong/bang-ke-phi.pdf?thang=2024-08").data)
