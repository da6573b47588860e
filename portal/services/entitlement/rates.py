"""The amount engine (mức trợ cấp): standard level valid in the month × coefficient for the person's category and
age band in that month, whole đồng (Decree 20/2021 Art. 4, 6; Art. 8.1 for the month a new band starts).

Pure functions over rate rows; ``RateBook`` loads the rows once (standard levels, coefficient rules, the province's
local top-ups, support rules for funeral and care, fee rules) so building a list makes five queries, not one per
person. ``fee_for`` gives the fee owed to the payment provider (chi phí chi trả). Month-by-month rules (start, stop,
suspension, back pay, recoveries) are in ``entitlement.plan``; the province edits the rows through
``entitlement_admin``."""
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from ...errors import PortalError
from ...extensions import db
from ...models import CoefficientRule, FeeRule, LocalTopUp, SocialPensionLevel, StandardLevel, SupportRule
from ...spreadsheets.dates import parse_month as parse_sheet_month

#: categories whose amount a K4 single parent gets on top of the K4 amount (Decree 20/2021 Art. 6.2)
K4_COMBINABLE = ("K5a", "K5b", "K5c", "K5d", "K6", "K8")

#: the two programmes (``models.Programme`` values)
SOCIAL_ASSISTANCE, SOCIAL_PENSION = "social_assistance", "social_pension"


def parse_month(text: str) -> date:
    """Month text → first-of-month date; the one month parser for forms and query strings.

    Accepts ``MM/YYYY``, ``M/YYYY`` (also ``-``/``.``), ``YYYY-MM`` and the other spellings of
    :func:`portal.spreadsheets.dates.parse_month`. Raises PortalError with a Vietnamese message
    (empty text included)."""
    try:
        value = parse_sheet_month(text.strip() if isinstance(text, str) else text, "Tháng")
    except (ValueError, AttributeError, TypeError):  # PortalError included
        value = None
    if value is None:
        shown = text.strip() if isinstance(text, str) else text
        raise PortalError(f"Tháng không hợp lệ: «{shown}» (định dạng MM/YYYY, ví dụ 08/2024).")
    return value


def age_in_month(birth_date: date | None, birth_year: int, month: date) -> int:
    """Whole years of age reached by the END of ``month`` — a birthday in the month counts from that month (Art. 8.1:
    the new band applies from the month the person qualifies). A year-only birth counts from 1 January."""
    bd = birth_date or date(birth_year, 1, 1)
    return month.year - bd.year - (1 if month.month < bd.month else 0)


def age_before_month(birth_date: date | None, birth_year: int, month: date) -> int:
    """Whole years of age at the START of ``month`` (the age reached by the end of the month before). Differs from
    ``age_in_month`` only in the birthday month."""
    previous = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
    return age_in_month(birth_date, birth_year, previous)


@dataclass(frozen=True)
class Amount:
    """Result for one person and month: ``standard_level`` and ``amount`` in đồng, ``coefficient`` Decimal (the
    total multiplier, children included), ``rule`` the label of the coefficient rule applied."""

    standard_level: int
    coefficient: Decimal
    amount: int
    rule: str
    top_up: int = 0  # local top-up of the province (đồng), paid on top of ``amount``
    programme: str = SOCIAL_ASSISTANCE  # which programme pays it (``models.Programme`` value)
    reason: str = ""  # why that programme pays (higher-of, Decree 20/2021 Art. 6.2; Decree 176/2025)

    @property
    def total(self) -> int:
        """Allowance plus top-up (đồng): what the month pays."""
        return self.amount + self.top_up


def in_force(record, month: date) -> bool:
    """True when ``record`` (anything with optional ``valid_from``/``valid_to`` first-of-month dates, half-open
    ``[valid_from, valid_to)``; None = open) applies to ``month`` (first-of-month date)."""
    start, end = getattr(record, "valid_from", None), getattr(record, "valid_to", None)
    return (start is None or start <= month) and (end is None or month < end)


class RateBook:
    """Standard levels and coefficient rules loaded once. ``RateBook.load()`` reads the current database."""

    def __init__(self, levels: list[StandardLevel], rules: list[CoefficientRule], top_ups=(), supports=(),
                 fees=(), pension_levels=()):
        self.levels = sorted(levels, key=lambda r: r.valid_from)
        self.pension_levels = sorted(pension_levels, key=lambda r: r.valid_from)
        self._pension_cache: dict[date, int | None] = {}
        self.rules = rules
        self.top_ups = list(top_ups)
        self.supports = list(supports)
        self.fees = sorted(fees, key=lambda r: r.valid_from)
        self._by_category: dict[tuple, list] = {}
        for r in rules:
            self._by_category.setdefault((r.category_code, r.disability_level or None), []).append(r)
        self._level_cache: dict[date, int | None] = {}
        self._amount_cache: dict[tuple, Amount | PortalError] = {}

    @classmethod
    def load(cls) -> "RateBook":
        """Read every StandardLevel, CoefficientRule, LocalTopUp, SupportRule, FeeRule and SocialPensionLevel (six
        queries)."""
        def rows(model):
            return list(db.session.execute(select(model)).scalars())
        return cls(rows(StandardLevel), rows(CoefficientRule), rows(LocalTopUp), rows(SupportRule), rows(FeeRule),
                   rows(SocialPensionLevel))

    def level_or_none(self, month: date) -> int | None:
        """Mức chuẩn valid in ``month`` (đồng), or None before the first level (cached per month)."""
        if month not in self._level_cache:
            valid = [r for r in self.levels if r.valid_from <= month]
            self._level_cache[month] = valid[-1].amount if valid else None
        return self._level_cache[month]

    def pension_level_or_none(self, month: date) -> int | None:
        """Mức trợ cấp hưu trí xã hội paid in ``month`` (đồng): the latest confirmed SocialPensionLevel valid then
        (a provisional one — tạm tính — is not paid), or None before the social pension (07/2025)."""
        if month not in self._pension_cache:
            valid = [r for r in self.pension_levels if r.valid_from <= month and not r.provisional]
            self._pension_cache[month] = valid[-1].amount if valid else None
        return self._pension_cache[month]

    def provisional_pension_level(self, month: date):
        """The provisional SocialPensionLevel (tạm tính) announced for ``month``, later than the level paid, or
        None: shown beside the paid level until the province confirms it."""
        valid = [r for r in self.pension_levels if r.valid_from <= month]
        return valid[-1] if valid and valid[-1].provisional else None

    def pension_amount(self, month: date, reason: str = "") -> Amount:
        """The social pension for ``month`` (Luật BHXH 2024 Art. 22; Decree 176/2025 Art. 5): the level paid then
        plus the province's top-up for social pensioners, ``programme`` social_pension. Raises PortalError before
        the first confirmed level."""
        level = self.pension_level_or_none(month)
        if level is None:
            raise PortalError(f"Chưa có mức trợ cấp hưu trí xã hội áp dụng cho tháng {month:%m/%Y}.")
        return Amount(level, Decimal(1), level, "Trợ cấp hưu trí xã hội", self.top_up(None, month, SOCIAL_PENSION),
                      SOCIAL_PENSION, reason)

    def pension_funeral_amount(self, death_month: date) -> int:
        """Funeral support for a social pensioner (Decree 176/2025 Art. 7): the ``social_pension_funeral`` rule's
        multiple × the social-pension level of the month of death, đồng. Raises PortalError when none applies."""
        rule = self.support_rule("social_pension_funeral", death_month)
        level = self.pension_level_or_none(death_month)
        if rule is None or level is None:
            raise PortalError(f"Không có quy định hỗ trợ mai táng người hưởng trợ cấp hưu trí xã hội cho tháng "
                              f"{death_month:%m/%Y}.")
        return int((level * Decimal(rule.coefficient)).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def standard_level(self, month: date) -> int:
        """Mức chuẩn valid in ``month`` (đồng). Raises PortalError when no level is valid yet."""
        level = self.level_or_none(month)
        if level is None:
            raise PortalError(f"Chưa có mức chuẩn trợ giúp xã hội áp dụng cho tháng {month:%m/%Y}.")
        return level

    def coefficient_rule(self, category_code: str, disability_level: str | None, age: int,
                         month: date) -> CoefficientRule:
        """The rule for a category (and K6 level) at ``age`` in ``month``. Raises PortalError when none applies
        (e.g. K1 at 16, or K5c after 06/2025)."""
        for r in self._by_category.get((category_code, disability_level or None), ()):
            if (r.valid_from <= month and (r.valid_to is None or month < r.valid_to)
                    and (r.age_from is None or age >= r.age_from) and (r.age_to is None or age < r.age_to)):
                return r
        raise PortalError(f"Không có hệ số cho diện {category_code}"
                          f"{' (' + disability_level + ')' if disability_level else ''} ở tuổi {age}"
                          f" trong tháng {month:%m/%Y}.")

    def _single(self, level: int, category_code, disability_level, children_count, age: int, month: date,
                age_before: int | None = None) -> Amount:
        try:
            rule = self.coefficient_rule(category_code, disability_level, age, month)
        except PortalError:
            # the birthday month of an age limit (K1/K3 at 16, K2 at 23, K7 at 3, K5b at 80): eligibility is lost
            # in the month, payment stops from the month after (Art. 8.2), so the month is paid at the old band
            if age_before is None or age_before == age:
                raise
            rule = self.coefficient_rule(category_code, disability_level, age_before, month)
        coefficient = Decimal(rule.coefficient)
        if rule.per_child:
            coefficient *= max(1, children_count or 1)
        amount = int((level * coefficient).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        return Amount(level, coefficient, amount, rule.label)

    def amount_for(self, beneficiary, month: date, extra_categories=()) -> Amount:
        """Monthly allowance of ``beneficiary`` (anything with category_code, disability_level, children_count,
        birth_date, birth_year) for ``month``: standard level × coefficient (× children for K4), rounded half-up
        to whole đồng (Decree 20/2021 Art. 6.1), plus the province's ``top_up`` (Art. 4.3).

        ``extra_categories`` (objects with category_code, disability_level, optional children_count) are further
        categories the person qualifies under: only the single highest amount is paid, except that a K4 single parent
        who is also K5/K6/K8 gets the K4 amount (per child) plus the highest K5/K6/K8 amount (Art. 6.2). One whose
        optional ``valid_from``/``valid_to`` (first-of-month dates, ``[from, to)``) leave ``month`` out does not
        count, so adding a category from 12/2026 changes nothing for months already paid. The age band is the one
        reached by the end of the month (Art. 8.1); in the month an age limit ends the category (K1/K3 at 16, K2 at
        23, K7 at 3, K5b at 80) the band held at the start of the month still pays (Art. 8.2: payment stops from the
        month after). Raises PortalError when no rate applies under any category."""
        extra_categories = [c for c in extra_categories if in_force(c, month)]
        age = age_in_month(beneficiary.birth_date, beneficiary.birth_year, month)
        before = age_before_month(beneficiary.birth_date, beneficiary.birth_year, month)
        key = (beneficiary.category_code, beneficiary.disability_level, beneficiary.children_count, age, before,
               month)
        if extra_categories:
            hit = self._amount(beneficiary, month, (age, before), extra_categories)
        else:  # people sharing category, age and month share the result (a build's hot path)
            hit = self._amount_cache.get(key)
            if hit is None:
                hit = self._amount_cache[key] = self._amount(beneficiary, month, (age, before), ())
        if isinstance(hit, PortalError):
            raise hit
        return hit

    def _amount(self, beneficiary, month: date, ages: tuple[int, int], extra_categories) -> "Amount | PortalError":
        """The Amount, or the PortalError to raise (kept in the cache as a value); ``ages`` = (age by the end of
        the month, age at its start)."""
        level = self.level_or_none(month)
        if level is None:
            return PortalError(f"Chưa có mức chuẩn trợ giúp xã hội áp dụng cho tháng {month:%m/%Y}.")
        cats = [(beneficiary.category_code, beneficiary.disability_level, beneficiary.children_count)]
        cats += [(c.category_code, c.disability_level, getattr(c, "children_count", None)
                  or beneficiary.children_count) for c in extra_categories]
        found, first_error = [], None
        for code, dis, children in cats:
            try:
                found.append((code, self._single(level, code, dis, children, ages[0], month, ages[1])))
            except PortalError as err:
                first_error = first_error or err
        if not found:
            return first_error
        best = max((a for _, a in found), key=lambda a: a.amount)
        k4 = [a for code, a in found if code == "K4"]
        others = [a for code, a in found if code in K4_COMBINABLE]
        if k4 and others:
            a, b = max(k4, key=lambda x: x.amount), max(others, key=lambda x: x.amount)
            if a.amount + b.amount > best.amount:
                best = Amount(level, a.coefficient + b.coefficient, a.amount + b.amount, f"{a.rule} + {b.rule}")
        top_up = self.top_up(beneficiary.category_code, month)
        return Amount(best.standard_level, best.coefficient, best.amount, best.rule, top_up) if top_up else best

    def top_up(self, category_code: str | None, month: date, programme: str = SOCIAL_ASSISTANCE) -> int:
        """Local top-up (đồng) for ``category_code`` in ``month`` under ``programme``: the sum of LocalTopUp rows of
        that programme valid then for that category or for every category. 0 when the province set none."""
        return sum(t.amount for t in self.top_ups
                   if (t.programme or SOCIAL_ASSISTANCE) == programme
                   and (t.category_code is None or t.category_code == category_code) and t.valid_from <= month
                   and (t.valid_to is None or month < t.valid_to))

    def support_rule(self, kind: str, month: date) -> SupportRule | None:
        """The SupportRule of ``kind`` (``funeral`` or a care kind) valid in ``month``, or None."""
        valid = [r for r in self.supports if r.kind == kind and r.valid_from <= month
                 and (r.valid_to is None or month < r.valid_to)]
        return max(valid, key=lambda r: r.valid_from) if valid else None

    def support_amount(self, kind: str, month: date) -> int:
        """Coefficient of ``kind`` × the standard level of ``month``, whole đồng: funeral support 20 × (Decree
        20/2021 Art. 11), care support per Art. 20. Raises PortalError when no rule or level applies."""
        rule = self.support_rule(kind, month)
        if rule is None:
            raise PortalError(f"Không có quy định mức hỗ trợ «{kind}» áp dụng cho tháng {month:%m/%Y}.")
        return int((self.standard_level(month) * Decimal(rule.coefficient)).quantize(Decimal(1),
                                                                                    rounding=ROUND_HALF_UP))

    def funeral_amount(self, death_month: date) -> int:
        """Hỗ trợ chi phí mai táng: 20 × the standard level of the month of death (Decree 20/2021 Art. 11), đồng."""
        return self.support_amount("funeral", death_month)

    def care_amount(self, arrangements, month: date):
        """(amount đồng, arrangement) of the highest care support valid in ``month`` among ``arrangements``
        (CareArrangement rows; overlapping ones pay only the highest, Decree 20/2021 Art. 20), or (0, None)."""
        best = (0, None)
        for arr in arrangements:
            if arr.valid_from <= month and (arr.valid_to is None or month < arr.valid_to):
                try:
                    amount = self.support_amount(arr.kind, month)
                except PortalError:
                    continue
                if amount > best[0]:
                    best = (amount, arr)
        return best

    def fee_rule(self, month: date) -> FeeRule | None:
        """The FeeRule valid in ``month`` (latest valid_from ≤ month), or None."""
        valid = [r for r in self.fees if r.valid_from <= month]
        return valid[-1] if valid else None

    def fee(self, people: int, amount: int, month: date) -> int:
        """Chi phí chi trả for ``people`` beneficiaries paid ``amount`` đồng in ``month``: per-beneficiary amount ×
        people + basis points of the amount (rounded half-up), whole đồng; 0 without a rule."""
        rule = self.fee_rule(month)
        if rule is None:
            return 0
        pct = (Decimal(amount) * rule.basis_points / 10000).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return rule.per_beneficiary * people + int(pct)


def fee_for(lines_or_counts, month: date, book: RateBook | None = None) -> int:
    """Fee owed to the payment provider (chi phí chi trả) for ``month`` (first-of-month date), integer đồng, from the
    FeeRule valid then: An Giang 5.000 đ per beneficiary per month whatever the channel (plan 2587 §II.3b), and/or a
    percentage of the amount paid (Circular 76/2021/TT-BTC Art. 3.7).

    ``lines_or_counts`` is either an iterable of payout lines (anything with ``beneficiary_id``, ``total`` and
    optionally ``programme``; people = distinct beneficiaries with a positive total, a care line to the carer or an
    arrears line (the person's fee is counted with their own allowance) adding no one, amount = sum of totals), an
    int (people; amount 0) or a tuple ``(people, amount)``. Returns 0 when no rule is valid."""
    book = book or RateBook.load()
    if isinstance(lines_or_counts, int):
        people, amount = lines_or_counts, 0
    elif isinstance(lines_or_counts, tuple) and len(lines_or_counts) == 2 and all(
            isinstance(x, int) for x in lines_or_counts):
        people, amount = lines_or_counts
    else:
        lines = [line for line in lines_or_counts if (line.total or 0) > 0]
        people = len({line.beneficiary_id for line in lines
                      if getattr(line, "programme", "tcxh") not in ("care", "arrears")})
        amount = sum(line.total for line in lines)
    return book.fee(people, amount, month)
