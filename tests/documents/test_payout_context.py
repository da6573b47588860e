"""Payout list document: its data built from the database (services.payouts.pdf), and the PDF read back (pypdf)
with the exact words."""
import io
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from portal.documents.payout_list import render_payout_list
from portal.models import AdministrativeUnit
from portal.services.demo import user_by_username as user
from portal.services.documents.headings import short_name
from portal.services.payouts.build import build_lists
from portal.services.payouts.pdf import build_payout_list_doc
from tests.factories import AUG, chau_doc_people, make_beneficiary, run_to_approved


@pytest.fixture
def lists(app):
    chau_doc_people()
    return run_to_approved()


def test_context_of_an_approved_account_list(lists):
    lists["account"].approved_at = datetime(2024, 7, 31, 18, 30, tzinfo=UTC)  # 01:30 on 01/08 in Vietnam
    doc = build_payout_list_doc(lists["account"])
    assert (doc.issuer_parent, doc.issuer, doc.place) == (
        "ỦY BAN NHÂN DÂN THÀNH PHỐ CHÂU ĐỐC", "PHÒNG LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "Châu Đốc")
    assert (doc.month, doc.commune_name, doc.channel, doc.status) == (AUG, "Phường Vĩnh Mỹ", "bank_account", "")
    first = doc.lines[0]
    assert (first.index, first.full_name, first.birth, first.gender, first.category_code, first.coefficient,
            first.amount, first.total, first.account_number, first.bank_name) == (
        1, "Bùi Ngọc Vũ", "06/09/1977", "Nam", "K6", "2", 1_000_000, 1_000_000, "1164963643329", "Agribank")
    assert doc.lines[1].bank_name == "VietinBank"
    assert (doc.totals.people, doc.totals.total) == (2, 1_500_000)
    assert doc.amount_in_words == "Một triệu năm trăm nghìn đồng"
    assert [(s.title, s.name) for s in doc.signers] == [
        ("Người lập biểu", "Trần Văn Lập"), ("Kế toán", ""), ("KT. TRƯỞNG PHÒNG\nPHÓ TRƯỞNG PHÒNG", "Phạm Thị Duyệt")]
    assert doc.issued_on == date(2024, 8, 1)  # the approval day in Vietnam time, not UTC
    assert doc.author == "Phòng Lao động - Thương binh và Xã hội – Thành phố Châu Đốc"  # the PDF Author, as given


def test_draft_is_marked_and_hiv_category_is_only_a_code(app):
    make_beneficiary("Lâm Thị Hồng", birth_date=date(1985, 5, 5), gender="female", category_code="K8")
    lst = build_lists(user("pld.chaudoc"), AUG).lists[0]
    doc = build_payout_list_doc(lst)
    assert doc.status == "Dự thảo, chưa phê duyệt" and doc.signers[2].name == ""
    assert [(line.category_code, line.coefficient, line.total) for line in doc.lines] == [("K8", "1,5", 750_000)]
    text = " ".join(str(v) for line in doc.lines for v in vars(line).values())
    assert "HIV" not in text


def test_short_name():
    assert short_name(AdministrativeUnit(name="Thành phố Châu Đốc", unit_type="thành phố")) == "Châu Đốc"
    assert short_name(AdministrativeUnit(name="Huyện Tịnh Biên", unit_type=None)) == "Tịnh Biên"


def test_pdf_reads_back(lists):
    pdf = render_payout_list(build_payout_list_doc(lists["cash_at_point"]))
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    for expected in ("DANH SÁCH CHI TRẢ TRỢ CẤP XÃ HỘI HẰNG THÁNG", "Tháng 08/2024", "Phường Vĩnh Mỹ",
                     "Huỳnh Minh Khải", "Trương Văn Phúc", "Bằng chữ: Một triệu hai trăm năm mươi nghìn đồng"):
        assert expected in " ".join(text.split()), expected


def test_cash_line_of_someone_waiting_for_an_account_is_noted(lists):
    doc = build_payout_list_doc(lists["cash_at_point"])
    assert [(line.full_name, line.note) for line in doc.lines] == [
        ("Huỳnh Minh Khải", "Chờ mở tài khoản"), ("Trương Văn Phúc", "")]
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(render_payout_list(doc))).pages).split())
    assert "Chờ mở tài khoản" in text
    assert [lst.note for lst in build_payout_list_doc(lists["account"]).lines] == ["", ""]
