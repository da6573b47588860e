"""Acceptance: the portal's monthly allowance equals an independent calculation from Decree 20/2021/NĐ-CP (as amended
by Decree 76/2024 and Decree 335/2026) for every person of the two sample lists (Phường Vĩnh Mỹ, Xã Tân Lợi) and every
month 01/2024 .. 12/2026, to the đồng — birthday months at 4, 16, 23, 60 and 80 included.

The independent side (``owed``) is written here from the decree, not from the engine: the standard level valid in
the month (Art. 4: 360.000 đ, 500.000 đ from 07/2024, 540.000 đ from 07/2026), the coefficient of Art. 6.1 for the
category and the age band the person is in by the end of the month (Art. 8.1: a new band from the month the person
qualifies), and in the month an age limit ends eligibility (K1/K3 at 16, K2 at 23, K7 at 3, K5b at 80) the old band
still (Art. 8.2: payment stops from the month after). A birth year without a date counts from 1 January. Amounts
are rounded half up to whole đồng.

From 07/2025 K5b and K5c are replaced by the social pension (Decree 176/2025): those person-months are owed the
pension level instead, 500.000 đ (the 540.000 đ of 07/2026 is provisional until the province records the official
text, so it is not paid yet), on a line of the pension's lists."""
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from portal.extensions import db
from portal.models import Beneficiary, PayoutLine
from portal.services.demo import user_by_username as user
from portal.services.imports.beneficiaries import import_file
from portal.services.payouts.build import build_lists
from tests.conftest import TAN_LOI_FILE, VINH_MY_FILE, pinned_clock

pytestmark = pinned_clock

MONTHS = [date(2024 + i // 12, i % 12 + 1, 1) for i in range(36)]  # 01/2024 .. 12/2026
PENSION_FROM = date(2025, 7, 1)
LEVELS = ((date(2026, 7, 1), 540_000), (date(2024, 7, 1), 500_000), (date(2021, 7, 1), 360_000))


def level(month: date) -> int:
    return next(amount for start, amount in LEVELS if start <= month)


def age(birth: date, month: date) -> int:
    """Years reached by the end of ``month``."""
    return month.year - birth.year - (month.month < birth.month)


def coefficient(code: str, disability: str | None, children: int, years: int) -> Decimal | None:
    """Decree 20/2021 Art. 6.1 (categories of Art. 5); None when the category gives nothing at ``years``."""
    elderly, child = years >= 60, years < 16
    table = {
        "K1": "2.5" if years < 4 else "1.5" if years < 16 else None,
        "K2": "1.5" if 16 <= years < 23 else None,
        "K3": "2.5" if years < 4 else "2.0" if years < 16 else None,
        "K4": str(max(children or 1, 1)),
        "K5a": ("2.0" if years >= 80 else "1.5") if years >= 60 else None,
        "K5b": "1.0" if 75 <= years < 80 else None,
        "K5c": "1.0" if years >= 80 else None,
        "K5d": "3.0" if years >= 60 else None,
        "K6": (("2.5" if child or elderly else "2.0") if disability == "especially_severe"
               else ("2.0" if child or elderly else "1.5")),
        "K7": "1.5" if years < 3 else None,
        "K8": "1.5",
    }
    value = table[code]
    return Decimal(value) if value else None


def owed(b, month: date) -> int:
    """The allowance of ``b`` for ``month`` in đồng (0 when not entitled)."""
    if month < b.start_month:
        return 0
    birth = b.birth_date or date(b.birth_year, 1, 1)
    coef = coefficient(b.category_code, b.disability_level, b.children_count, age(birth, month))
    if coef is None:  # the month eligibility ends is still paid (Art. 8.2)
        previous = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
        coef = coefficient(b.category_code, b.disability_level, b.children_count, age(birth, previous))
    if coef is None:
        return 0
    return int((level(month) * coef).quantize(Decimal(1), rounding=ROUND_HALF_UP))


PENSION_LEVEL = 500_000  # Decree 176/2025 Art. 5, from 07/2025


def on_pension(b, month: date) -> bool:
    """K5b / K5c from 07/2025 are paid by the social pension (moved without a new request)."""
    return b.category_code in ("K5b", "K5c") and month >= PENSION_FROM


def due(b, month: date) -> int:
    """What ``b`` is owed for ``month`` by either programme, in đồng."""
    if on_pension(b, month):
        return PENSION_LEVEL if month >= b.start_month else 0
    return owed(b, month)


def test_every_month_of_the_samples_matches_decree_20_to_the_dong(app):
    import_file(user("xa.vinhmy"), "30322", VINH_MY_FILE)
    import_file(user("xa.tanloi"), "30535", TAN_LOI_FILE)
    db.session.commit()
    for month in MONTHS:
        build_lists(user("pld.chaudoc"), month, ["30322"])
        build_lists(user("pld.tinhbien"), month, ["30535"])
    people = db.session.execute(select(Beneficiary)).scalars().all()
    assert len([b for b in people if b.commune_code == "30322"]) == 340
    portal = {(bid, m): regular + top_up for bid, m, regular, top_up in db.session.execute(select(
        PayoutLine.beneficiary_id, PayoutLine.month, PayoutLine.regular_amount, PayoutLine.top_up).where(
        PayoutLine.programme == "tcxh"))}
    differences, person_months, crossings = [], 0, {4: 0, 16: 0, 23: 0, 60: 0, 80: 0}
    for b in people:
        birth = b.birth_date or date(b.birth_year, 1, 1)
        for month in MONTHS:
            person_months += 1
            if birth.month == month.month and month.year - birth.year in crossings:
                crossings[month.year - birth.year] += 1
            expected, got = due(b, month), portal.get((b.id, month), 0)
            if expected != got:
                differences.append((b.full_name, b.category_code, f"{month:%m/%Y}", expected, got))
    assert differences == []
    # 550 people × 36 months = 19.800 person-months; the 230 K5c people's 18 months from 07/2025 on the pension
    assert (len(people), person_months) == (550, 19_800)
    assert sum(1 for b in people for m in MONTHS if on_pension(b, m)) == 230 * 18
    assert all(crossings.values()), crossings  # every birthday limit is met in the samples
    assert sum(portal.values()) == sum(due(b, m) for b in people for m in MONTHS)
