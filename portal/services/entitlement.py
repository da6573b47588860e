"""The amount engine (mức trợ cấp): standard level valid in the month × coefficient for the person's category and
age band in that month, whole đồng (Decree 20/2021 Art. 4, 6; Art. 8.1 for the month a new band starts).

Pure functions over rate rows; ``RateBook`` loads the rows once so building a list makes two queries, not one per
person."""
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from ..errors import PortalError
from ..extensions import db
from ..models import CoefficientRule, StandardLevel


def parse_month(text: str) -> date:
    """"YYYY-MM" → first-of-month date. Raises PortalError with a Vietnamese message."""
    try:
        year, month = (int(x) for x in text.strip().split("-"))
        return date(year, month, 1)
    except (ValueError, AttributeError):
        raise PortalError(f"Tháng không hợp lệ: «{text}» (định dạng YYYY-MM, ví dụ 2024-08).") from None


def age_in_month(birth_date: date | None, birth_year: int, month: date) -> int:
    """Whole years of age reached by the END of ``month`` — a birthday in the month counts from that month (Art. 8.1:
    the new band applies from the month the person qualifies). A year-only birth counts from 1 January."""
    bd = birth_date or date(birth_year, 1, 1)
    return month.year - bd.year - (1 if month.month < bd.month else 0)


@dataclass(frozen=True)
class Amount:
    """Result for one person and month: ``standard_level`` and ``amount`` in đồng, ``coefficient`` Decimal (the
    total multiplier, children included), ``rule`` the label of the coefficient rule applied."""

    standard_level: int
    coefficient: Decimal
    amount: int
    rule: str


class RateBook:
    """Standard levels and coefficient rules loaded once. ``RateBook.load()`` reads the current database."""

    def __init__(self, levels: list[StandardLevel], rules: list[CoefficientRule]):
        self.levels = sorted(levels, key=lambda r: r.valid_from)
        self.rules = rules

    @classmethod
    def load(cls) -> "RateBook":
        """Read every StandardLevel and CoefficientRule."""
        return cls(list(db.session.execute(select(StandardLevel)).scalars()),
                   list(db.session.execute(select(CoefficientRule)).scalars()))

    def standard_level(self, month: date) -> int:
        """Mức chuẩn valid in ``month`` (đồng). Raises PortalError when no level is valid yet."""
        valid = [r for r in self.levels if r.valid_from <= month]
        if not valid:
            raise PortalError(f"Chưa có mức chuẩn trợ giúp xã hội áp dụng cho tháng {month:%m/%Y}.")
        return valid[-1].amount

    def coefficient_rule(self, category_code: str, disability_level: str | None, age: int,
                         month: date) -> CoefficientRule:
        """The rule for a category (and K6 level) at ``age`` in ``month``. Raises PortalError when none applies
        (e.g. K1 at 16, or K5c after 06/2025)."""
        for r in self.rules:
            if (r.category_code == category_code and (r.disability_level or None) == (disability_level or None)
                    and r.valid_from <= month and (r.valid_to is None or month < r.valid_to)
                    and (r.age_from is None or age >= r.age_from) and (r.age_to is None or age < r.age_to)):
                return r
        raise PortalError(f"Không có hệ số cho diện {category_code}"
                          f"{' (' + disability_level + ')' if disability_level else ''} ở tuổi {age}"
                          f" trong tháng {month:%m/%Y}.")

    def amount_for(self, beneficiary, month: date) -> Amount:
        """Monthly allowance of ``beneficiary`` (anything with category_code, disability_level, children_count,
        birth_date, birth_year) for ``month``: standard level × coefficient (× children for K4), rounded half-up
        to whole đồng (Decree 20/2021 Art. 6.1). Raises PortalError when no rate applies."""
        level = self.standard_level(month)
        age = age_in_month(beneficiary.birth_date, beneficiary.birth_year, month)
        rule = self.coefficient_rule(beneficiary.category_code, beneficiary.disability_level, age, month)
        coefficient = Decimal(rule.coefficient)
        if rule.per_child:
            coefficient *= max(1, beneficiary.children_count or 1)
        amount = int((level * coefficient).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        return Amount(level, coefficient, amount, rule.label)
