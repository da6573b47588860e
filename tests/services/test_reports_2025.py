"""The province overview and the monthly report on the map of the month: the 2025 tree (communes under the
province, no district) from 07/2025, the 2024 districts before; the report's counts of people, each labelled for what
it counts; the social pension under HTXH; HIV categories folded for any recipient above the district; a malformed
report month refused."""
import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import PayoutLine, PayoutList
from portal.services.demo import user_by_username as user
from portal.services.documents.printing import print_report
from portal.services.payouts.build import build_lists
from portal.services.reform import apply_reform
from portal.services.reporting.monthly_report import SENSITIVE_FOLDED, build_report, report_workbook
from portal.services.reporting.overview import ELSEWHERE, province_overview
from tests.conftest import pinned_clock
from tests.documents import pdfcheck
from tests.factories import make_account, make_beneficiary

pytestmark = pinned_clock
REFORM, AUG25, OCT25 = date(2025, 7, 1), date(2025, 8, 1), date(2025, 10, 1)
CHAU_DOC, CHI_LANG, TAN_LOI, VINH_CHAU = "30316@2025", "30505@2025", "30535", "30334"
SEVERE = dict(birth_date=date(1980, 2, 2), category_code="K6", disability_level="severe",
              start_month=date(2024, 1, 1))


@pytest.fixture
def world(app):
    """Vĩnh Mỹ (→ Phường Châu Đốc): two K6 (one paid to an account), two K8 (HIV), a K5c of 87 (→ social
    pension), a K1 child who turns 16 in 09/2025; Tân Lợi (→ Phường Chi Lăng): one K6. The reform applied, lists of
    08/2025 and 10/2025 built (09/2025 skipped: the 10/2025 lines carry it as back pay)."""
    a = make_beneficiary("Ngô Văn An", payment_channel="bank_account", **SEVERE)
    make_account(a, "7700123456789")
    make_beneficiary("Trần Thị Bình", gender="female", **SEVERE)
    for name in ("Lê Văn Hải", "Phan Thị Hoa"):
        make_beneficiary(name, category_code="K8", birth_date=date(1975, 3, 3))
    make_beneficiary("Phạm Thị Cụ", gender="female", birth_date=date(1938, 5, 5), category_code="K5c")
    make_beneficiary("Đỗ Minh Tâm", birth_date=date(2009, 9, 15), category_code="K1")
    make_beneficiary("Võ Văn Lợi", commune_code=TAN_LOI, **SEVERE)
    db.session.commit()
    apply_reform(None, REFORM)
    for month in (AUG25, OCT25):
        build_lists(user("ubnd.chaudoc"), month)
        build_lists(user("ubnd.chilang"), month)
    db.session.commit()


def _on_lists(month, commune_code=None):
    """(people, people paid nothing for the month itself) on the month's allowance lines, counted from the rows."""
    stmt = (select(func.count(func.distinct(PayoutLine.beneficiary_id)))
            .join(PayoutList, PayoutList.id == PayoutLine.payout_list_id)
            .where(PayoutLine.month == month, PayoutLine.programme == "tcxh"))
    if commune_code:
        stmt = stmt.where(PayoutList.commune_code == commune_code)
    return (db.session.execute(stmt).scalar_one(),
            db.session.execute(stmt.where(PayoutLine.regular_amount == 0)).scalar_one())


def test_the_overview_of_a_2025_month_has_one_row_per_commune_of_the_2025_tree(world):
    ov = province_overview(OCT25)
    assert ov.districts == [] and ov.elsewhere is None and len(ov.communes) == 102
    rows = {c.code: c for c in ov.communes}
    chau_doc, chi_lang = rows[CHAU_DOC], rows[CHI_LANG]
    assert (chau_doc.name, chau_doc.beneficiaries, chau_doc.chose_account, chau_doc.accounts_opened) == (
        "Phường Châu Đốc", 6, 1, 1)
    assert (chi_lang.name, chi_lang.beneficiaries) == ("Phường Chi Lăng", 1)
    people_cd = db.session.execute(select(func.sum(PayoutList.people_count)).where(
        PayoutList.month == OCT25, PayoutList.commune_code == CHAU_DOC)).scalar_one()
    amount = db.session.execute(select(func.sum(PayoutList.total_amount)).where(PayoutList.month == OCT25)).scalar_one()
    assert chau_doc.list_people == people_cd == 6 and chi_lang.list_people == 1
    assert (ov.total.code, ov.total.name, ov.total.beneficiaries, ov.total.list_people, ov.total.list_amount) == (
        "91", "Toàn tỉnh", 7, 7, amount)
    assert amount > 0
    # before the reform: the 2024 districts, the people under the communes of that month
    old = province_overview(date(2025, 6, 1))
    assert len(old.districts) == 11 and old.communes == [] and old.total.code == "89"
    by_code = {d.total.code: d for d in old.districts}
    assert (by_code["884"].total.beneficiaries, by_code["890"].total.beneficiaries) == (6, 1)
    assert [c.beneficiaries for c in by_code["884"].communes if c.code == "30322"] == [6]


def test_people_of_a_split_commune_waiting_for_placement_count_in_the_province_total(app):
    make_beneficiary("Lý Văn Châu", commune_code=VINH_CHAU, **SEVERE)
    make_beneficiary("Ngô Văn An", **SEVERE)
    db.session.commit()
    apply_reform(None, REFORM)
    db.session.commit()
    ov = province_overview(AUG25)
    assert (ov.elsewhere.name, ov.elsewhere.beneficiaries) == (ELSEWHERE, 1)
    assert ov.total.beneficiaries == 2 and sum(c.beneficiaries for c in ov.communes) == 1


def test_overview_page_lists_the_2025_communes_and_hides_empty_ones_unless_asked(world, client):
    client.login("syt.angiang")
    html = client.get("/tinh/?thang=2025-10").get_data(as_text=True)
    assert "Thành phố Châu Đốc" not in html and "Huyện An Phú" not in html
    cells = lambda r: [c.split(">")[-1] for c in r.split("</td>")[:-1]]  # noqa: E731
    row = html.split(f'id="c-{CHAU_DOC}"')[1].split("</tr>")[0]
    assert cells(row)[0] == "Phường Châu Đốc" and cells(row)[1] == "6" and cells(row)[6] == "6"
    assert html.count('<tr id="c-') == 2
    total = html.split("<tfoot>")[1].split("</tfoot>")[0]
    assert cells(total)[:2] == ["Toàn tỉnh", "7"]
    every = client.get("/tinh/?thang=2025-10&tat_ca=1", htmx=True).get_data(as_text=True)
    assert every.count('<tr id="c-') == 102 and "<html" not in every
    before = client.get("/tinh/?thang=2025-06").get_data(as_text=True)
    assert "<th>Thành phố Châu Đốc</th>" in before and 'id="c-30322"' in before


def test_report_counts_agree_and_say_what_they_count(world):
    on_lists, back_pay_only = _on_lists(OCT25)
    assert (on_lists, back_pay_only) == (7, 1)  # the child past 16 only gets 09/2025
    rep = build_report(user("syt.angiang"), OCT25)
    assert (rep.registered, rep.back_pay_only, rep.in_register, rep.from_lists) == (7, 1, 7, True)
    assert sum(n for *_, n in rep.by_category) == rep.registered
    assert sum(n for _, n in rep.by_channel) == rep.in_register
    assert sum(row[1] for row in rep.by_programme) == on_lists
    assert dict(rep.by_channel)["Tài khoản ngân hàng"] == 1
    # the social pension under HTXH whatever the old code; HIV folded in the Sở's report
    assert [(code, n) for code, _, n in rep.by_category] == [("K1", 1), ("K6", 3), ("HTXH", 1), ("—", 2)]
    assert rep.by_category[-1][1] == SENSITIVE_FOLDED
    # section 6: one row per commune of the 2025 tree
    assert [(r.name, r.registered) for r in rep.rows] == [("Phường Châu Đốc", 6), ("Phường Chi Lăng", 1)]
    text = " ".join(pdfcheck.page_texts(print_report(rep, issued_on=date(2025, 10, 20))))
    assert "1. Người trong danh sách chi trả tháng 10/2025: 7 người" in text
    assert "Trong đó 1 người chỉ nhận truy lĩnh các tháng trước" in text
    assert "(đối tượng đang hưởng theo hồ sơ: 7 người)" in text
    assert "Tỉnh An Giang" not in text.split("6. Chi tiết theo địa bàn")[1].split("7.")[0]
    assert "K5c" not in text and "HIV" not in text
    book = openpyxl.load_workbook(io.BytesIO(report_workbook(rep)))
    summary = {r[0]: r[1] for r in book["Tổng hợp"].iter_rows(min_row=4, values_only=True)}
    assert (summary["Người trong danh sách chi trả tháng 10/2025"],
            summary["Đối tượng đang hưởng theo hồ sơ (theo hình thức đăng ký)"]) == (7, 7)
    assert [r[:2] for r in book["Theo địa bàn"].iter_rows(min_row=3, values_only=True)] == [
        ("Địa bàn", "Trong danh sách"), ("Phường Châu Đốc", 6), ("Phường Chi Lăng", 1)]


def test_a_commune_reporting_to_so_y_te_folds_hiv_a_2024_commune_reporting_to_its_district_does_not(world):
    rep = build_report(user("ubnd.chaudoc"), OCT25)
    assert rep.folds_sensitive and (rep.registered, rep.in_register) == (6, 6) == (_on_lists(OCT25, CHAU_DOC)[0], 6)
    assert [(code, n) for code, _, n in rep.by_category] == [("K1", 1), ("K6", 2), ("HTXH", 1), ("—", 2)]
    text = " ".join(pdfcheck.page_texts(print_report(rep, issued_on=date(2025, 10, 20))))
    assert "Sở Y tế tỉnh An Giang" in text and "HIV" not in text and SENSITIVE_FOLDED in text


def test_a_2024_commune_report_to_its_district_keeps_hiv_the_district_report_folds_it(app):
    make_beneficiary("Lê Văn Hải", category_code="K8", birth_date=date(1975, 3, 3))
    make_beneficiary("Trần Thị Bình", gender="female", **SEVERE)
    db.session.commit()
    aug = date(2024, 8, 1)
    build_lists(user("pld.chaudoc"), aug)
    db.session.commit()
    commune = build_report(user("xa.vinhmy"), aug)
    assert not commune.folds_sensitive and ("K8", 1) in [(c, n) for c, _, n in commune.by_category]
    district = build_report(user("pld.chaudoc"), aug)
    assert district.folds_sensitive and [(c, n) for c, _, n in district.by_category] == [("K6", 1), ("—", 1)]


def test_report_pages_show_both_counts_and_refuse_a_malformed_month(world, client):
    client.login("syt.angiang")
    html = client.get("/bao-cao/?thang=2025-10").get_data(as_text=True)
    assert ("<th>Người trong danh sách chi trả tháng 10/2025</th><td class=\"num\">7 (trong đó 1 người chỉ nhận "
            "truy lĩnh các tháng trước)</td>") in html
    assert "<th>Đối tượng đang hưởng theo hồ sơ</th><td class=\"num\">7</td>" in html
    for url in ("/bao-cao/du-thao.pdf?thang=2026-99", "/bao-cao/bao-cao.xlsx?thang=2026-99", "/bao-cao/?thang=abc"):
        resp = client.get(url)
        assert resp.status_code == 422, url
        assert "Tháng không hợp lệ: «" in resp.get_data(as_text=True)
    assert client.post("/bao-cao/ban-hanh?thang=2026-99", {}).status_code == 422
    assert client.get("/bao-cao/du-thao.pdf?thang=2025-10").data[:5] == b"%PDF-"
