"""The amount engine: every coefficient at 360.000, 500.000 and 540.000 đ, age-band transitions, the higher-of rule
with the K4 exception, the province's top-up, funeral and care multiples, the fee rule (rates as data)."""
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from portal.errors import PortalError
from portal.extensions import db
from portal.models import FeeRule, LocalTopUp, StandardLevel
from portal.services.entitlement.rates import RateBook, age_in_month, fee_for

AT_360, AT_500, AT_540 = date(2022, 1, 1), date(2025, 1, 1), date(2026, 8, 1)


def person(category, *, level=None, birth=None, year=None, children=1):
    return SimpleNamespace(category_code=category, disability_level=level, children_count=children,
                           birth_date=birth, birth_year=year or birth.year)


def born_for(age, month):
    """Someone who is ``age`` all through ``month`` (born in January, not in the month)."""
    return date(month.year - age, 1, 1) if month.month != 1 else date(month.year - age - 1, 12, 1)


# (category, disability level, age, coefficient, at 360k, at 500k, at 540k) — reference §1.3
TABLE = [
    ("K1", None, 2, "2.5", 900_000, 1_250_000, 1_350_000),
    ("K1", None, 10, "1.5", 540_000, 750_000, 810_000),
    ("K2", None, 18, "1.5", 540_000, 750_000, 810_000),
    ("K3", None, 2, "2.5", 900_000, 1_250_000, 1_350_000),
    ("K3", None, 10, "2.0", 720_000, 1_000_000, 1_080_000),
    ("K4", None, 35, "1.0", 360_000, 500_000, 540_000),
    ("K5a", None, 70, "1.5", 540_000, 750_000, 810_000),
    ("K5a", None, 85, "2.0", 720_000, 1_000_000, 1_080_000),
    ("K5b", None, 77, "1.0", 360_000, 500_000, None),
    ("K5c", None, 85, "1.0", 360_000, 500_000, None),
    ("K5d", None, 70, "3.0", 1_080_000, 1_500_000, 1_620_000),
    ("K6", "especially_severe", 40, "2.0", 720_000, 1_000_000, 1_080_000),
    ("K6", "especially_severe", 10, "2.5", 900_000, 1_250_000, 1_350_000),
    ("K6", "especially_severe", 70, "2.5", 900_000, 1_250_000, 1_350_000),
    ("K6", "severe", 40, "1.5", 540_000, 750_000, 810_000),
    ("K6", "severe", 10, "2.0", 720_000, 1_000_000, 1_080_000),
    ("K6", "severe", 70, "2.0", 720_000, 1_000_000, 1_080_000),
    ("K7", None, 1, "1.5", 540_000, 750_000, 810_000),
    ("K8", None, 40, "1.5", 540_000, 750_000, 810_000),
]


def test_every_coefficient_at_360k_500k_and_540k(app):
    book = RateBook.load()
    assert [book.standard_level(m) for m in (AT_360, AT_500, AT_540)] == [360_000, 500_000, 540_000]
    for category, level, age, coef, *amounts in TABLE:
        for month, expected in zip((AT_360, AT_500, AT_540), amounts, strict=False):
            p = person(category, level=level, birth=born_for(age, month))
            if expected is None:  # K5b / K5c ended 30/6/2025 (social pension)
                with pytest.raises(PortalError, match=f"Không có hệ số cho diện {category}"):
                    book.amount_for(p, month)
                continue
            a = book.amount_for(p, month)
            assert (a.amount, a.coefficient, a.standard_level, a.top_up) == (
                expected, Decimal(coef), book.standard_level(month), 0), (category, level, age, month)
    k4 = book.amount_for(person("K4", birth=date(1990, 5, 5), children=3), AT_540)
    assert (k4.amount, k4.coefficient) == (1_620_000, 3)


def test_standard_levels_are_seeded_rows_with_their_legal_basis(app):
    rows = [(r.valid_from, r.amount, r.legal_basis.split()[2]) for r in
            db.session.query(StandardLevel).order_by(StandardLevel.valid_from)]
    assert rows == [(date(2021, 7, 1), 360_000, "20/2021/NĐ-CP"), (date(2024, 7, 1), 500_000, "76/2024/NĐ-CP"),
                    (date(2026, 7, 1), 540_000, "335/2026/NĐ-CP")]


@pytest.mark.parametrize("category,level,birth,before,after,switch", [
    ("K1", None, date(2021, 3, 15), 1_250_000, 750_000, date(2025, 3, 1)),        # 4th birthday in March
    ("K3", None, date(2021, 11, 30), 1_250_000, 1_000_000, date(2025, 11, 1)),   # 4 → 2,0
    ("K6", "especially_severe", date(2009, 6, 1), 1_250_000, 1_000_000, date(2025, 6, 1)),  # child → adult at 16
    ("K6", "severe", date(1965, 9, 20), 750_000, 1_000_000, date(2025, 9, 1)),   # adult → elderly at 60
    ("K5a", None, date(1945, 12, 31), 750_000, 1_000_000, date(2025, 12, 1)),    # 80 in December
])
def test_age_band_switches_from_the_birthday_month(app, category, level, birth, before, after, switch):
    book = RateBook.load()
    p = person(category, level=level, birth=birth)
    prev = date(switch.year - (switch.month == 1), (switch.month - 2) % 12 + 1, 1)
    assert (book.amount_for(p, prev).amount, book.amount_for(p, switch).amount) == (before, after)


def test_year_only_birth_counts_from_1_january(app):
    book = RateBook.load()
    p = person("K1", year=2021)
    assert (age_in_month(None, 2021, date(2024, 12, 1)), age_in_month(None, 2021, date(2025, 1, 1))) == (3, 4)
    assert (book.amount_for(p, date(2024, 12, 1)).amount, book.amount_for(p, date(2025, 1, 1)).amount) == (
        1_250_000, 750_000)
    assert book.amount_for(p, date(2037, 1, 1)).amount == 810_000  # the month of the 16th birthday: paid (Art. 8.2)
    with pytest.raises(PortalError, match="K1 ở tuổi 16 trong tháng 02/2037"):
        book.amount_for(p, date(2037, 2, 1))


def test_several_categories_pay_the_highest_except_k4_with_k5_k6_k8(app):
    book = RateBook.load()
    k8 = person("K8", birth=date(1980, 1, 1))
    assert book.amount_for(k8, AT_500, [SimpleNamespace(category_code="K6", disability_level="especially_severe")]
                           ).amount == 1_000_000  # 2,0 beats 1,5; not added
    assert book.amount_for(person("K6", level="severe", birth=date(1980, 1, 1)), AT_500,
                           [SimpleNamespace(category_code="K8", disability_level=None)]).amount == 750_000
    parent = person("K4", birth=date(1985, 1, 1), children=2)
    both = book.amount_for(parent, AT_540, [SimpleNamespace(category_code="K6", disability_level="severe")])
    assert (both.amount, both.coefficient) == (2 * 540_000 + 810_000, Decimal("3.5"))  # K4 per child + K6
    assert "+" in both.rule
    # the extra category alone when the main one no longer applies (K1 at 17)
    assert book.amount_for(person("K1", birth=date(2007, 1, 1)), AT_500,
                           [SimpleNamespace(category_code="K6", disability_level="severe")]).amount == 750_000


def test_top_up_funeral_care_and_fee_rules(app):
    db.session.add(LocalTopUp(category_code=None, amount=100_000, valid_from=date(2026, 7, 1),
                              legal_basis="Nghị quyết HĐND tỉnh (thử)"))
    db.session.add(LocalTopUp(category_code="K6", amount=50_000, valid_from=date(2026, 7, 1),
                              valid_to=date(2026, 9, 1), legal_basis="Nghị quyết HĐND tỉnh (thử)"))
    db.session.flush()
    book = RateBook.load()
    k6 = person("K6", level="severe", birth=date(1980, 1, 1))
    assert [book.amount_for(k6, m).top_up for m in (date(2026, 6, 1), date(2026, 8, 1), date(2026, 9, 1))] == [
        0, 150_000, 100_000]
    assert [book.funeral_amount(m) for m in (AT_360, AT_500, AT_540)] == [7_200_000, 10_000_000, 10_800_000]
    assert book.support_amount("household_especially_severe", AT_540) == 540_000
    assert book.support_amount("foster_child_under_4", AT_500) == 1_250_000
    carer = [SimpleNamespace(kind="household_especially_severe", valid_from=date(2024, 1, 1), valid_to=None),
             SimpleNamespace(kind="foster_adult_especially_severe", valid_from=date(2026, 1, 1), valid_to=None)]
    assert book.care_amount(carer, AT_500)[0] == 500_000 and book.care_amount(carer, AT_540)[0] == 810_000
    # An Giang: 5.000 đ per beneficiary per month, whatever the channel
    lines = [SimpleNamespace(beneficiary_id=i, total=t) for i, t in ((1, 540_000), (1, 540_000), (2, 810_000),
                                                                      (3, 0))]
    assert fee_for(lines, AT_540) == 10_000 and fee_for(7, AT_540) == 35_000
    assert fee_for(3, date(2024, 7, 1)) == 0  # before the plan
    db.session.add(FeeRule(valid_from=date(2027, 1, 1), per_beneficiary=0, basis_points=50,
                           legal_basis="TT 76/2021/TT-BTC Điều 3 khoản 7 (thử 0,5 %)"))
    db.session.flush()
    assert fee_for((10, 5_000_001), date(2027, 1, 1)) == 25_000
