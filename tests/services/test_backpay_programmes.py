"""Back pay across the start of the social pension (1/7/2025, Decree 176/2025): each earlier month is owed what that
month's law gave — Decree 20/2021 social assistance before 07/2025 (K5c: coefficient 1,0 × the standard level of the
month, reference §1.3), the social pension from 07/2025 — and is printed on a list of the programme that owed it."""
from datetime import date

from sqlalchemy import select

from portal.documents.payout_list import render_payout_list
from portal.extensions import db
from portal.models import LocalTopUp, PayoutLine
from portal.services.demo import user_by_username as user
from portal.services.entitlement.months import describe_months
from portal.services.payouts.build import build_lists
from portal.services.payouts.pdf import build_payout_list_doc
from tests.conftest import pinned_clock
from tests.documents.pdfcheck import text
from tests.factories import make_beneficiary

pytestmark = pinned_clock

MAY24, JUN25, JUL25, AUG25, SEP25 = (date(2024, 5, 1), date(2025, 6, 1), date(2025, 7, 1), date(2025, 8, 1),
                                     date(2025, 9, 1))


def _build(month):
    return build_lists(user("pld.chaudoc"), month, ["30322"])


def _lines(b, month):
    """(line kind, list programme, list channel) → (regular + top-up, back pay, months named) of ``month``."""
    rows = db.session.execute(select(PayoutLine).where(PayoutLine.beneficiary_id == b.id,
                                                       PayoutLine.month == month)).scalars()
    return {(x.programme, x.payout_list.programme, x.payout_list.channel): (
        x.regular_amount + x.top_up, x.back_pay, [e["month"] for e in x.back_pay_months or ()]) for x in rows}


def _person():
    """K5c (80+, no pension; Decree 20/2021 Art. 5.5.c) since 07/2021, paid on the commune's first list, 05/2024;
    the province adds 100.000 đ to the social pension from 07/2025, so a pension month (600.000 đ) and a social-
    assistance month (500.000 đ) differ."""
    db.session.add(LocalTopUp(programme="social_pension", amount=100_000, valid_from=date(2025, 7, 1),
                              legal_basis="Nghị quyết HĐND tỉnh (thử)"))
    b = make_beneficiary("Đặng Văn Chín Mươi", birth_date=date(1935, 3, 1), category_code="K5c",
                         payment_channel="cash_at_point", start_month=date(2021, 7, 1))
    db.session.commit()
    _build(MAY24)
    return b


def test_months_before_the_pension_are_owed_social_assistance_on_its_list(app):
    b = _person()
    _build(AUG25)
    sa_months = ["2024-06"] + [f"2024-{m:02d}" for m in range(7, 13)] + [f"2025-{m:02d}" for m in range(1, 7)]
    # by hand: 06/2024 at 1,0 × 360.000; 07/2024–06/2025 (12 months) at 1,0 × 500.000 (Decree 76/2024);
    # 07/2025 and 08/2025 at the pension 500.000 + 100.000 top-up
    assert _lines(b, AUG25) == {
        ("tcxh", "social_pension", "cash_at_point"): (600_000, 600_000, ["2025-07"]),
        ("arrears", "social_assistance", "cash_at_point"): (0, 360_000 + 12 * 500_000, sa_months),
    }
    arrears = db.session.execute(select(PayoutLine).where(PayoutLine.beneficiary_id == b.id,
                                                          PayoutLine.programme == "arrears")).scalar_one()
    assert describe_months(arrears.back_pay_months) == "Truy lĩnh 06/2024–06/2025 (13 tháng): 6.360.000 đ"
    assert arrears.total == 6_360_000 and arrears.payout_list.people_count == 1
    assert arrears.payout_list.fee_amount == 0  # the person's fee is counted once, with their allowance
    # what the two printed lists say: the pension list names only 07/2025, the social-assistance list the rest
    printed = {lst.programme: text(render_payout_list(build_payout_list_doc(lst)))
               for lst in (arrears.payout_list, _own_line(b).payout_list)}
    assert "Truy lĩnh 06/2024–06/2025 (13 tháng):" in printed["social_assistance"]  # the amount wraps below
    assert "Truy lĩnh 07/2025:" in printed["social_pension"]
    assert "06/2024" not in printed["social_pension"] and "13 tháng" not in printed["social_pension"]


def _own_line(b):
    return db.session.execute(select(PayoutLine).where(PayoutLine.beneficiary_id == b.id, PayoutLine.month == AUG25,
                                                       PayoutLine.programme == "tcxh")).scalar_one()


def test_the_payout_office_sees_the_arrears_line_on_its_list_page(app, client):
    b = _person()
    _build(AUG25)
    arrears = db.session.execute(select(PayoutLine).where(PayoutLine.beneficiary_id == b.id,
                                                          PayoutLine.programme == "arrears")).scalar_one()
    list_id = arrears.payout_list_id
    db.session.commit()
    page = client.login("pld.chaudoc").get(f"/huyen/chi-tra/{list_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Đặng Văn Chín Mươi" in html and "6.360.000" in html


def test_paid_arrears_are_not_owed_again_failed_ones_are(app):
    b = _person()
    _build(AUG25)
    assert set(_lines(b, SEP25)) == set()
    _build(SEP25)
    assert _lines(b, SEP25) == {("tcxh", "social_pension", "cash_at_point"): (600_000, 0, [])}
    arrears = db.session.execute(select(PayoutLine).where(PayoutLine.beneficiary_id == b.id,
                                                          PayoutLine.programme == "arrears")).scalar_one()
    arrears.result = "failed"
    db.session.flush()
    _build(SEP25)
    assert _lines(b, SEP25)[("arrears", "social_assistance", "cash_at_point")] == (
        0, 6_360_000, ["2024-06"] + [f"2024-{m:02d}" for m in range(7, 13)] + [f"2025-{m:02d}" for m in range(1, 7)])


def test_an_unpaid_social_assistance_month_is_carried_on_a_social_assistance_list(app):
    """06/2025 paid by social assistance (K5c, 1,0 × 500.000) could not be paid: it is carried (Decree 20/2021
    Art. 34.4) on a social-assistance list beside the 07/2025 pension line, and again when that line fails too."""
    db.session.add(LocalTopUp(programme="social_pension", amount=100_000, valid_from=JUL25,
                              legal_basis="Nghị quyết HĐND tỉnh (thử)"))
    b = make_beneficiary("Đặng Văn Chín Mươi", birth_date=date(1935, 3, 1), category_code="K5c",
                         payment_channel="cash_at_point", start_month=JUN25)
    db.session.commit()
    _build(JUN25)
    _fail(b, "tcxh", JUN25)
    _build(JUL25)
    assert _lines(b, JUL25) == {("tcxh", "social_pension", "cash_at_point"): (600_000, 0, []),
                                ("arrears", "social_assistance", "cash_at_point"): (0, 500_000, ["2025-06"])}
    _fail(b, "arrears", JUL25)
    _build(AUG25)
    assert _lines(b, AUG25) == {("tcxh", "social_pension", "cash_at_point"): (600_000, 0, []),
                                ("arrears", "social_assistance", "cash_at_point"): (0, 500_000, ["2025-06"])}


def _fail(b, kind, month):
    """The post office could not pay ``b``'s ``kind`` line of ``month`` (its list accepted)."""
    line = db.session.execute(select(PayoutLine).where(PayoutLine.beneficiary_id == b.id, PayoutLine.month == month,
                                                       PayoutLine.programme == kind)).scalar_one()
    line.result, line.payout_list.status = "failed", "accepted"
    db.session.commit()
