"""The «Diện» column of a social-pension list (trợ cấp hưu trí xã hội, Decree 176/2025) says what the pension pays
on — 75+, or 70–74 in a poor or near-poor household (Luật BHXH 2024 Art. 21) — never a social-assistance category
code, on the list pages and in the PDF alike; a social-assistance list keeps its codes; the copies of readers who
see no category (post office, province) print none, HIV included."""
import io
import re
from datetime import date

from pypdf import PdfReader

from portal.documents.payout_list import render_payout_list
from portal.extensions import db
from portal.services.demo import user_by_username as user
from portal.services.entitlement.pension import ground_label
from portal.services.payouts.build import build_lists
from portal.services.payouts.pdf import FULL_VIEW, build_payout_list_doc, category_cell, reader_view
from tests.factories import make_beneficiary

AUG25 = date(2025, 8, 1)
OLD = "Hưu trí XH: 75+"
POOR = "Hưu trí XH: 70–74, hộ nghèo/cận nghèo"


def _lists():
    """Vĩnh Mỹ in 08/2025: a K5c of 85 moved to the pension, a near-poor 72-year-old granted it from 08/2025, a
    K6 and a K8 (HIV) on social assistance. Returns the month's lists by programme."""
    make_beneficiary("Lê Văn Tám", birth_date=date(1940, 3, 1), start_month=date(2024, 1, 1))
    poor = make_beneficiary("Phan Văn Lộc", birth_date=date(1953, 2, 1), category_code="HTXH", start_month=AUG25)
    poor.household_poverty, poor.pension_from = "near_poor", AUG25
    make_beneficiary("Lâm Thị Nặng", birth_date=date(1985, 4, 4), gender="female", category_code="K6",
                     disability_level="severe", start_month=date(2024, 1, 1))
    make_beneficiary("Trần Văn Kín", birth_date=date(1980, 6, 6), category_code="K8", start_month=date(2024, 1, 1))
    db.session.commit()
    lists = {lst.programme: lst for lst in build_lists(user("pld.chaudoc"), AUG25, ["30322"]).lists}
    db.session.commit()
    return lists


def _cells(lst, view=FULL_VIEW) -> dict[str, str]:
    return {line.full_name: line.category_code for line in build_payout_list_doc(lst, view).lines}


def test_the_ground_label_reads_the_lines_reason():
    assert ground_label("Hưởng trợ cấp hưu trí xã hội: từ đủ 75 tuổi, không có lương hưu, trợ cấp BHXH hằng tháng; "
                        "chuyển từ diện K5c (hết hiệu lực 01/7/2025), không cần tờ khai mới.") == OLD
    assert ground_label("Trợ cấp hưu trí xã hội 500.000 đ cao hơn trợ cấp xã hội 360.000 đ (từ đủ 70 đến dưới 75 "
                        "tuổi, thuộc hộ nghèo/cận nghèo): hưởng một mức cao hơn.") == POOR
    assert ground_label(None) == "Hưu trí XH"


def test_pdf_lines_of_a_social_pension_list_print_the_ground_not_the_category(app):
    lists = _lists()
    pension, assistance = lists["social_pension"], lists["social_assistance"]
    assert _cells(pension) == {"Lê Văn Tám": OLD, "Phan Văn Lộc": POOR}
    assert _cells(assistance) == {"Lâm Thị Nặng": "K6", "Trần Văn Kín": "K8"}
    for reader in ("buudien.chaudoc", "so.angiang"):  # no category at all in their copies, HIV included
        view = reader_view(user(reader))
        assert set(_cells(pension, view).values()) == {""} == set(_cells(assistance, view).values())
    pdf = PdfReader(io.BytesIO(render_payout_list(build_payout_list_doc(pension))))
    text = " ".join(pdf.pages[0].extract_text().split())
    assert "75+" in text and "70–74" in text and "K5c" not in text and "HTXH" not in text
    assert pdf.metadata.title == "Danh sách chi trả trợ cấp hưu trí xã hội hằng tháng - Tháng 08/2025 - Phường Vĩnh Mỹ"


def test_the_list_pages_print_the_ground_in_the_column(app, client):
    lists = _lists()
    pension = lists["social_pension"]
    assert {line.full_name: category_cell(line, pension.programme) for line in pension.lines} == {
        "Lê Văn Tám": OLD, "Phan Văn Lộc": POOR}
    client.login("pld.chaudoc")
    html = client.get(f"/huyen/chi-tra/{pension.id}").get_data(as_text=True)
    cells = re.findall(r'<td class="opt">([^<]*)</td><td class="num">', html)
    assert sorted(cells) == sorted([OLD, POOR])
    html = client.get(f"/huyen/chi-tra/{lists['social_assistance'].id}").get_data(as_text=True)
    assert sorted(re.findall(r'<td class="opt">([^<]*)</td><td class="num">', html)) == ["K6", "K8"]
