"""PDF metadata of what the portal prints (both engines): Title, Author = the issuing organisation's display name
(never a library default such as ReportLab's "anonymous"), Subject, Keywords, Creator "ASXH Portal", catalog
/Lang "vi" — read back with pypdf, and kept by the PAdES signature (pyHanko's incremental update)."""
from datetime import date
from io import BytesIO

from pypdf import PdfReader

from portal.documents import signing
from portal.documents.official import Stamp, pdf_meta
from portal.documents.payout_list import render_payout_list
from portal.extensions import db
from portal.services.demo import user_by_username
from portal.services.documents import contracts, issuing
from portal.services.documents.headings import issuer_of
from portal.services.documents.printing import print_contract
from portal.services.payouts.pdf import build_payout_list_doc
from portal.services.reporting import monthly_report
from tests.documents.test_issued_documents import ISSUED_ON, _contract
from tests.factories import chau_doc_people, run_to_approved

DISTRICT_OFFICE = "Phòng Lao động - Thương binh và Xã hội – Thành phố Châu Đốc"


def meta(pdf: bytes) -> dict:
    """The document information and catalog language of ``pdf`` as pypdf reads them (latest revision)."""
    reader = PdfReader(BytesIO(pdf))
    info = reader.metadata or {}
    return {"title": info.get("/Title"), "author": info.get("/Author"), "subject": info.get("/Subject"),
            "keywords": info.get("/Keywords"), "creator": info.get("/Creator"), "producer": info.get("/Producer"),
            "lang": str(reader.trailer["/Root"].get("/Lang", ""))}


def test_the_issuer_carries_its_heading_and_display_name(app):
    district = user_by_username("pld.chaudoc").organization
    assert district.display_name == DISTRICT_OFFICE
    issuer = issuer_of(district)
    assert (issuer.heading_parent, issuer.heading, issuer.place, issuer.symbol) == (
        "ỦY BAN NHÂN DÂN THÀNH PHỐ CHÂU ĐỐC", "PHÒNG LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "Châu Đốc", "LĐTBXH")
    assert issuer.display_name == DISTRICT_OFFICE
    commune = issuer_of(user_by_username("xa.vinhmy").organization)
    assert (commune.heading_parent, commune.heading, commune.place) == ("ỦY BAN NHÂN DÂN", "PHƯỜNG VĨNH MỸ", "Vĩnh Mỹ")
    assert commune.display_name == user_by_username("xa.vinhmy").organization.display_name


def test_author_without_an_app_is_the_given_one_else_the_heading():
    def frame(**kw):
        return type("Doc", (), {"issuer_parent": "", "issuer": "", "place": "", "author": "", **kw})()

    assert pdf_meta(frame(issuer_parent="ỦY BAN NHÂN DÂN THÀNH PHỐ CHÂU ĐỐC",
                          issuer="PHÒNG LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI")).author == (
        "PHÒNG LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI – ỦY BAN NHÂN DÂN THÀNH PHỐ CHÂU ĐỐC")
    assert pdf_meta(frame(issuer_parent="SỞ KHÔNG CÓ", issuer="PHÒNG KHÔNG CÓ")).author == (
        "PHÒNG KHÔNG CÓ – SỞ KHÔNG CÓ")  # as printed
    assert pdf_meta(frame(issuer="X", author="Cơ quan A")).author == "Cơ quan A"  # an explicit author wins


def test_service_contract_metadata_draft_and_signed(app, certs):
    officer, contract = _contract()
    draft = meta(print_contract(contract))
    assert draft["author"] == DISTRICT_OFFICE and draft["creator"] == "ASXH Portal" and draft["lang"] == "vi"
    assert draft["title"] == "Hợp đồng dịch vụ chi trả"  # a draft has no number yet
    doc = contracts.issue_contract(officer, contract, ISSUED_ON)
    assert doc.signed and signing.validate(doc.content, [certs])["valid"]
    m = meta(doc.content)
    assert m["title"] == "Hợp đồng dịch vụ chi trả 01/HĐ-LĐTBXH"
    assert m["author"] == DISTRICT_OFFICE
    assert m["subject"] == ("Chi trả chính sách trợ giúp xã hội không dùng tiền mặt đối với đối tượng bảo trợ xã hội "
                            "sống tại cộng đồng năm 2024")
    assert m["keywords"] == "01/HĐ-LĐTBXH, trợ giúp xã hội"
    assert m["creator"] == "ASXH Portal" and m["lang"] == "vi"
    # the signature is an incremental update: the metadata of the signed bytes is the one of the rendered bytes
    unsigned = contracts_render_issued(contract)
    assert {k: v for k, v in meta(unsigned).items() if k != "producer"} == {
        k: v for k, v in m.items() if k != "producer"}


def contracts_render_issued(contract):
    """The issued contract rendered again, unsigned (same number)."""
    stamp = Stamp(number=1, symbol="HĐ-LĐTBXH", verify_url="http://localhost:5000/xac-minh/x", qr_svg="")
    return print_contract(contract, stamp, ISSUED_ON)


def test_countersigned_contract_keeps_metadata(app, client, certs):
    officer, contract = _contract()
    doc = contracts.issue_contract(officer, contract, ISSUED_ON)
    post_office = user_by_username("buudien.chaudoc").organization
    twice = signing.sign_pdf(doc.content, signing.signer_for(post_office), reason="Bên B ký hợp đồng",
                             field_name="ChuKyBenB")
    assert signing.validate(twice, [certs])["count"] == 2
    m = meta(twice)
    assert m["author"] == DISTRICT_OFFICE and m["title"] == "Hợp đồng dịch vụ chi trả 01/HĐ-LĐTBXH"
    assert m["creator"] == "ASXH Portal" and m["lang"] == "vi"


def test_payout_list_pdf_metadata(app):
    chau_doc_people()
    lists = run_to_approved()
    lst = lists["account"]
    pdf = render_payout_list(build_payout_list_doc(lst))
    m = meta(pdf)
    assert m["title"] == "Danh sách chi trả trợ cấp xã hội hằng tháng - Tháng 08/2024 - Phường Vĩnh Mỹ"
    assert m["author"] == DISTRICT_OFFICE and m["author"] != "anonymous"
    assert m["subject"] == "Tháng 08/2024 - Phường Vĩnh Mỹ - Hình thức chi trả: Chuyển khoản"
    assert m["keywords"] == "trợ giúp xã hội"
    assert m["creator"] == "ASXH Portal" and m["producer"] == "ASXH Portal (ReportLab)" and m["lang"] == "vi"


def test_monthly_report_metadata(app, certs):
    commune = user_by_username("xa.vinhmy")
    doc = monthly_report.issue_report(commune, date(2024, 8, 1), ISSUED_ON)
    assert doc.signed
    m = meta(doc.content)
    assert m["title"] == "Báo cáo chi trả không dùng tiền mặt tháng 08/2024"
    assert m["author"] == commune.organization.display_name == "Ủy ban nhân dân Phường Vĩnh Mỹ"
    assert m["subject"] == "Tiến độ, kết quả chi trả chính sách trợ giúp xã hội không dùng tiền mặt tháng 08/2024"
    assert m["keywords"] == "01/BC-UBND, trợ giúp xã hội"
    assert m["creator"] == "ASXH Portal" and m["lang"] == "vi"
    district = user_by_username("pld.chaudoc")
    m = meta(monthly_report.issue_report(district, date(2024, 8, 1), ISSUED_ON).content)
    assert m["author"] == DISTRICT_OFFICE and m["keywords"] == "01/BC-LĐTBXH, trợ giúp xã hội"


def test_authorization_letter_metadata(app):
    from portal.models import Authorization
    from tests.factories import make_beneficiary

    b = make_beneficiary("Lê Văn Ủy", commune_code="30322", birth_year=1938, payment_channel="cash_at_point")
    auth = Authorization(beneficiary_id=b.id, proxy_name="Lê Thị Nhận", proxy_national_id="089190000123",
                         proxy_relationship="Con gái", valid_from=date(2024, 8, 1), valid_to=date(2025, 7, 31),
                         certification_number="125/2024/SCT", certified_on=date(2024, 8, 2))
    db.session.add(auth)
    db.session.commit()
    commune = user_by_username("xa.vinhmy")
    m = meta(issuing.issue_authorization_letter(commune, auth, date(2024, 8, 2)).content)
    assert m["title"] == "Giấy ủy quyền" and m["author"] == commune.organization.display_name
    assert m["subject"] == "Nhận trợ cấp xã hội hằng tháng" and m["creator"] == "ASXH Portal" and m["lang"] == "vi"
