"""The social pension (Decree 176/2025) as a second programme on the same lists pipeline: the 08/2025 figures of the
sample communes checked against an independent calculation from the decrees, the K5b/K5c transfer without gap or
double month, the higher-of rule with its reason, eligibility (75+, 70–74 poor or near-poor, no pension), the
provincial top-up, funeral support, and one allowance line per person and month whatever the programme, enforced by
the database."""
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import LocalTopUp, PayoutLine, PayoutList, RegistryEvent
from portal.services.demo import user_by_username as user
from portal.services.demo_cycle import run_cycle
from portal.services.entitlement.pension import allowance
from portal.services.entitlement.rates import RateBook, parse_month
from portal.services.payouts.build import build_lists
from tests.conftest import TAN_LOI_FILE, VINH_MY_FILE, pinned_clock
from tests.factories import make_beneficiary

JUN25, JUL25, AUG25 = date(2025, 6, 1), date(2025, 7, 1), date(2025, 8, 1)


# --- an independent calculation from the decrees, reading the sample file with openpyxl only -----------------------
# Decree 20/2021 Art. 6 coefficients by the wording of the sample files and age band (Art. 8.1: from the month the
# person reaches the band); K5c ended 1/7/2025 and is paid the social pension (Decree 176/2025: 500.000 đ, 75+).
def _coefficient(category: str, age: int) -> str | None:
    if category.startswith("Người từ đủ 80 tuổi"):
        return None  # social pension
    if category in ("Người khuyết tật nặng", "Người cao tuổi khuyết tật nặng"):
        return "2.0" if age < 16 or age >= 60 else "1.5"
    if category in ("Người khuyết tật đặc biệt nặng", "Trẻ em khuyết tật đặc biệt nặng"):
        return "2.5" if age < 16 or age >= 60 else "2.0"
    if category == "Trẻ em không có nguồn nuôi dưỡng":
        return "2.5" if age < 4 else ("1.5" if age < 16 else "0")
    if category == "Người từ 16 đến 22 tuổi đang học":
        return "1.5" if 16 <= age < 23 else "0"
    if category.startswith("Người cao tuổi thuộc hộ nghèo"):
        return "2.0" if age >= 80 else "1.5"
    if category.startswith("Người đơn thân"):
        return "1.0"
    if category.startswith("Người nhiễm HIV"):
        return "1.5"
    raise AssertionError(category)


def _by_decree(path, month=AUG25, standard=500_000, pension=500_000) -> tuple[int, int, int, int]:
    """(people, đồng, people on the social pension, đồng of the social pension) due in ``month``."""
    sheet = openpyxl.load_workbook(path, data_only=True).active
    people = total = pensioners = pension_total = 0
    for row in list(sheet.iter_rows(values_only=True))[8:]:
        if not row[4] or row[1] == "Tổng cộng":
            continue
        born = row[2]
        if isinstance(born, datetime):
            year, mon = born.year, born.month
        elif isinstance(born, int):
            year, mon = born, 1
        else:
            _, mon, year = (int(x) for x in born.split("/"))
        age = month.year - year - (1 if month.month < mon else 0)
        coefficient = _coefficient(row[7], age)
        if coefficient is None:
            amount = pension if age >= 75 else 0
            pensioners, pension_total = pensioners + bool(amount), pension_total + amount
        else:
            amount = int(standard * Decimal(coefficient))
        people, total = people + bool(amount), total + amount
    return people, total, pensioners, pension_total


def test_the_independent_calculation_gives_the_issue_figures():
    assert _by_decree(VINH_MY_FILE) == (340, 240_000_000, 147, 73_500_000)
    assert _by_decree(TAN_LOI_FILE) == (210, 143_000_000, 83, 41_500_000)


def test_08_2025_pays_everyone_of_both_communes_on_the_two_programmes(app, tmp_path):
    lines = run_cycle(parse_month("2025-08"), tmp_path, [VINH_MY_FILE, TAN_LOI_FILE])
    db.session.commit()
    # the reform of 1/7/2025 is applied by the cycle: Vĩnh Mỹ's people are paid by Phường Châu Đốc, Tân Lợi's by
    # Phường Chi Lăng
    for code, path in (("30316@2025", VINH_MY_FILE), ("30505@2025", TAN_LOI_FILE)):
        people, total, pensioners, pension_total = _by_decree(path)
        mine = [line for line in lines if line.commune_code == code]
        assert (sum(x.people for x in mine), sum(x.amount for x in mine)) == (people, total)
        pension = [x for x in mine if x.programme == "social_pension"]
        assert (sum(x.people for x in pension), sum(x.amount for x in pension)) == (pensioners, pension_total)
    # every pension line at 500.000 đ, its category K5c, with the reason of the transfer
    rows = db.session.execute(select(PayoutLine).join(PayoutList).where(
        PayoutList.programme == "social_pension", PayoutList.commune_code == "30316@2025")).scalars().all()
    assert len(rows) == 147
    assert {(r.category_code, r.standard_level, r.regular_amount, r.total) for r in rows} == {
        ("K5c", 500_000, 500_000, 500_000)}
    assert rows[0].programme_reason == ("Hưởng trợ cấp hưu trí xã hội: từ đủ 75 tuổi, không có lương hưu, trợ cấp "
                                        "BHXH hằng tháng; chuyển từ diện K5c (hết hiệu lực 01/7/2025), không cần "
                                        "tờ khai mới.")
    assert sorted(p.name for p in tmp_path.iterdir() if "social_pension" in p.name)[0].startswith(
        "30316_social_pension_")


def _build(month, communes=("30322",)):
    return build_lists(user("pld.chaudoc"), month, list(communes))


def _allowance_lines(b):
    return [(line.month, line.payout_list.programme, line.regular_amount, line.back_pay) for line in
            db.session.execute(select(PayoutLine).where(PayoutLine.beneficiary_id == b.id,
                                                        PayoutLine.programme == "tcxh")
                               .order_by(PayoutLine.month)).scalars()]


def test_k5b_k5c_of_06_2025_move_to_the_pension_without_gap_or_double_month(app):
    k5c = make_beneficiary("Lê Văn Tám Mươi", birth_date=date(1940, 3, 1), category_code="K5c",
                           start_month=date(2024, 1, 1))
    k5b = make_beneficiary("Nguyễn Thị Bảy Lăm", birth_date=date(1948, 5, 5), gender="female", category_code="K5b",
                           start_month=date(2024, 1, 1))
    db.session.commit()
    for month in (JUN25, JUL25, AUG25):
        _build(month)
    for b in (k5c, k5b):
        assert _allowance_lines(b) == [(JUN25, "social_assistance", 500_000, 0), (JUL25, "social_pension", 500_000, 0),
                                       (AUG25, "social_pension", 500_000, 0)]
    assert _build(AUG25).exclusions == []  # nobody silently dropped


def test_one_allowance_line_per_person_and_month_whatever_the_programme(app):
    b = make_beneficiary("Trần Văn Một", birth_date=date(1940, 1, 1), start_month=date(2024, 1, 1))
    db.session.commit()
    result = _build(AUG25)
    (pension_list,) = [lst for lst in result.lists if lst.programme == "social_pension"]
    other = PayoutList(month=AUG25, commune_code="30322", channel="cash_at_point", programme="social_assistance",
                       payout_office_id=pension_list.payout_office_id, prepared_by_id=pension_list.prepared_by_id)
    db.session.add(other)
    db.session.flush()
    db.session.add(PayoutLine(payout_list_id=other.id, beneficiary_id=b.id, programme="tcxh", month=AUG25,
                              position=1, full_name=b.full_name, name_sort=b.name_sort, birth_display="1940",
                              gender="male", national_id=b.national_id, category_code="K5c", coefficient=1,
                              standard_level=500_000, regular_amount=500_000, total=500_000))
    with pytest.raises(IntegrityError):
        db.session.flush()


@pytest.mark.parametrize(("category", "born", "poverty", "pension_from", "receives", "expected"), [
    # K5a 76 years: social assistance 1,5 × 500.000 is higher than the pension
    ("K5a", date(1949, 1, 1), None, JUL25, False, ("social_assistance", 750_000)),
    # 72, near-poor household, decision from 08/2025: pension
    ("HTXH", date(1953, 2, 1), "near_poor", AUG25, False, ("social_pension", 500_000)),
    # 72, not poor: nothing under either programme
    ("HTXH", date(1953, 2, 1), None, AUG25, False, None),
    # 78 but has a social-insurance pension: nothing
    ("HTXH", date(1947, 2, 1), None, AUG25, True, None),
    # 78, decision from 09/2025: not yet in 08/2025
    ("HTXH", date(1947, 2, 1), None, date(2025, 9, 1), False, None),
])
def test_eligibility_and_higher_of(app, category, born, poverty, pension_from, receives, expected):
    b = make_beneficiary("Phan Văn Thử", birth_date=born, category_code=category, start_month=pension_from)
    b.household_poverty, b.pension_from, b.receives_pension = poverty, pension_from, receives
    book = RateBook.load()
    if expected is None:
        with pytest.raises(Exception, match="hệ số"):
            allowance(book, b, AUG25)
        return
    got = allowance(book, b, AUG25)
    assert (got.programme, got.total) == expected
    if category == "K5a":
        assert got.reason == ("Trợ cấp xã hội 750.000 đ không thấp hơn trợ cấp hưu trí xã hội 500.000 đ: hưởng "
                              "một mức cao hơn (NĐ 20/2021 Điều 6 khoản 2).")


def test_provincial_top_up_counts_in_the_higher_of(app):
    db.session.add(LocalTopUp(programme="social_pension", amount=300_000, valid_from=JUL25,
                              legal_basis="Nghị quyết HĐND tỉnh (thử)"))
    b = make_beneficiary("Võ Văn Bù", birth_date=date(1948, 1, 1), category_code="K6", disability_level="severe",
                         start_month=date(2024, 1, 1))  # NCT khuyết tật nặng: 2,0 × 500.000 = 1.000.000
    b.pension_from = JUL25
    k5c = make_beneficiary("Đỗ Thị Thêm", birth_date=date(1940, 1, 1), gender="female", start_month=date(2024, 1, 1))
    book = RateBook.load()
    assert (allowance(book, b, AUG25).programme, allowance(book, b, AUG25).total) == ("social_assistance", 1_000_000)
    got = allowance(book, k5c, AUG25)
    assert (got.programme, got.amount, got.top_up, got.total) == ("social_pension", 500_000, 300_000, 800_000)


def test_a_social_pensioners_funeral_support_is_on_the_pension_list(app):
    b = make_beneficiary("Hồ Văn Cuối", birth_date=date(1938, 1, 1), start_month=date(2024, 1, 1))
    db.session.add(RegistryEvent(beneficiary_id=b.id, commune_code="30322", kind="death", effective_month=AUG25,
                                 event_date=date(2025, 7, 20), status="accepted",
                                 details={"organiser_name": "Hồ Thị Con", "organiser_relationship": "Con"}))
    db.session.commit()
    _build(AUG25)
    (line,) = db.session.execute(select(PayoutLine).where(PayoutLine.beneficiary_id == b.id,
                                                          PayoutLine.programme == "funeral")).scalars()
    assert (line.payout_list.programme, line.funeral_support, line.payee_name) == (
        "social_pension", 10_000_000, "Hồ Thị Con")


def test_the_programme_is_shown_on_pdf_payment_sheet_pages_and_monthly_report(app, client):
    import io

    from pypdf import PdfReader

    from portal.documents.payout_list import render_payout_list
    from portal.services.payouts.pdf import build_payout_list_doc
    from portal.services.payouts.results import payment_sheet
    from portal.services.reporting.monthly_report import build_report
    make_beneficiary("Lý Văn Hưu", birth_date=date(1941, 4, 4), start_month=date(2024, 1, 1))
    make_beneficiary("Lâm Thị Nặng", birth_date=date(1985, 4, 4), gender="female", category_code="K6",
                     disability_level="severe", start_month=date(2024, 1, 1))
    db.session.commit()
    lists = {lst.programme: lst for lst in _build(AUG25).lists}
    pension = lists["social_pension"]
    assert (pension.people_count, pension.total_amount, lists["social_assistance"].total_amount) == (
        1, 500_000, 750_000)
    text = " ".join(PdfReader(io.BytesIO(render_payout_list(build_payout_list_doc(pension)))).pages[0]
                    .extract_text().split())
    assert "DANH SÁCH CHI TRẢ TRỢ CẤP HƯU TRÍ XÃ HỘI HẰNG THÁNG" in text
    assert "Chương trình: Trợ cấp hưu trí xã hội" in text
    sheet = openpyxl.load_workbook(io.BytesIO(payment_sheet(pension))).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any(c.startswith("BẢNG KÊ CHI TRẢ TRỢ CẤP HƯU TRÍ XÃ HỘI HẰNG THÁNG") for c in cells)
    assert "HTXH T08 2025 LY VAN HUU" in cells
    rep = build_report(user("pld.chaudoc"), AUG25)
    assert rep.by_programme == [("Trợ cấp xã hội", 1, 750_000, 0, 0), ("Trợ cấp hưu trí xã hội", 1, 500_000, 0, 0)]
    client.login("pld.chaudoc")
    page = client.get("/huyen/?thang=08/2025").get_data(as_text=True)
    assert '<abbr title="Trợ cấp hưu trí xã hội">HTXH</abbr>' in page


def test_the_provisional_540k_is_shown_not_paid_until_confirmed_then_back_paid(app, client):
    jul, aug, sep, octo, nov, dec = (date(2026, m, 1) for m in range(7, 13))
    b = make_beneficiary("Trương Văn Chờ", birth_date=date(1939, 9, 9), start_month=date(2024, 1, 1))
    db.session.commit()
    for month in (jul, aug, sep, octo):
        _build(month)
    assert _allowance_lines(b) == [(m, "social_pension", 500_000, 0) for m in (jul, aug, sep, octo)]
    client.login("so.angiang")
    page = client.get("/tinh/muc-chuan/").get_data(as_text=True)
    assert "Tạm tính</strong> — chưa chi" in page and "540.000" in page
    refused = client.post("/tinh/muc-chuan/huu-tri-xa-hoi/xac-nhan", {"valid_from": "2026-07", "official_text": ""})
    assert refused.status_code == 422 and "Cần ghi căn cứ pháp lý" in refused.get_data(as_text=True)
    result = app.test_cli_runner().invoke(args=[
        "confirm-pension-level", "--from", "2026-07", "--text", "Nghị định 335/2026/NĐ-CP ngày 21/8/2026",
        "--user", "so.angiang"])
    assert result.exit_code == 0, result.output
    assert "Truy lĩnh chênh lệch trong danh sách kế tiếp: 1 người, 160000 đồng." in result.output
    db.session.expire_all()
    _build(nov)
    (line,) = db.session.execute(select(PayoutLine).where(PayoutLine.beneficiary_id == b.id,
                                                          PayoutLine.month == nov)).scalars()
    assert (line.standard_level, line.regular_amount, line.back_pay, line.total) == (540_000, 540_000, 160_000,
                                                                                      700_000)
    assert [(e["month"], e["kind"], e["amount"]) for e in line.back_pay_months] == [
        (f"2026-{m:02d}", "rate_change", 40_000) for m in (7, 8, 9, 10)]
    _build(dec)  # paid once
    assert _allowance_lines(b)[-1] == (dec, "social_pension", 540_000, 0)
    again = app.test_cli_runner().invoke(args=[
        "confirm-pension-level", "--from", "2026-07", "--text", "Nghị định 335/2026/NĐ-CP", "--user", "so.angiang"])
    assert again.exit_code == 1 and "Không có mức trợ cấp hưu trí xã hội tạm tính từ tháng 07/2026" in again.output


def test_the_funnel_counts_people_on_the_lists_per_programme(app, client):
    from portal.services.accounts.funnel import funnel_workbook, monthly_funnel
    make_beneficiary("Lý Văn Hưu", birth_date=date(1941, 4, 4), start_month=date(2024, 1, 1))
    make_beneficiary("Lâm Thị Nặng", birth_date=date(1985, 4, 4), gender="female", category_code="K6",
                     disability_level="severe", start_month=date(2024, 1, 1))
    db.session.commit()
    _build(AUG25)
    data = monthly_funnel(AUG25, ["30322"])
    assert data.total.programmes == {"social_assistance": 1, "social_pension": 1}
    sheet = openpyxl.load_workbook(__import__("io").BytesIO(funnel_workbook(data))).active
    rows = list(sheet.iter_rows(values_only=True))
    header = next(r for r in rows if r and r[0] == "Xã/phường")
    total = next(r for r in rows if r and r[0] == "Tổng cộng")
    assert header[-2:] == ("Trong danh sách: Trợ cấp xã hội", "Trong danh sách: Trợ cấp hưu trí xã hội")
    assert total[-2:] == (1, 1)
    client.login("so.angiang")
    page = client.get("/tinh/pheu?thang=2025-08").get_data(as_text=True)
    assert 'Trong DS <abbr title="Trợ cấp hưu trí xã hội">HTXH</abbr>' in page


def test_the_province_adds_a_top_up_for_social_pensioners(app):
    from portal.services.entitlement.administration import add_top_up
    row = add_top_up(user("so.angiang"), "HTXH", "150.000", "07/2025", "", "Nghị quyết HĐND tỉnh (thử nghiệm)")
    assert (row.programme, row.category_code) == ("social_pension", None)
    k5c = make_beneficiary("Đinh Văn Thêm", birth_date=date(1940, 1, 1), start_month=date(2024, 1, 1))
    k6 = make_beneficiary("Đinh Thị Khác", birth_date=date(1985, 1, 1), gender="female", category_code="K6",
                          disability_level="severe", start_month=date(2024, 1, 1))
    book = RateBook.load()
    assert allowance(book, k5c, AUG25).total == 650_000
    assert allowance(book, k6, AUG25).total == 750_000  # social assistance: no pension top-up


@pinned_clock
def test_the_persons_page_says_which_programme_pays_and_why(app, client):
    b = make_beneficiary("Mai Văn Xem", birth_date=date(1936, 6, 6), start_month=date(2024, 1, 1))
    db.session.commit()
    client.login("xa.vinhmy")
    page = client.get(f"/xa/doi-tuong/{b.id}").get_data(as_text=True)
    assert "500.000 đ — trợ cấp hưu trí xã hội" in page
    assert "chuyển từ diện K5c (hết hiệu lực 01/7/2025), không cần tờ khai mới" in page
