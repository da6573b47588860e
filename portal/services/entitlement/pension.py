"""The social pension (trợ cấp hưu trí xã hội, Luật BHXH 2024 Art. 21–22; Decree 176/2025/NĐ-CP, in force 1/7/2025)
beside monthly social assistance (trợ cấp xã hội, Decree 20/2021): who qualifies in a month, and which of the two
programmes pays a person (the higher one; amounts are never added, reference §1.4, §1.9).

Eligibility in a month: a social-pension level is in force (from 07/2025); no pension or monthly social-insurance
benefit (``receives_pension`` False); aged 75 or more, or 70 to under 75 in a poor or near-poor household
(``household_poverty``); and either a granted request (Mẫu 01, the commune chairman's decision: ``pension_from``
≤ month) or a transfer — a K5b/K5c beneficiary entitled before 07/2025 (those points of Decree 20 Art. 5.5 ended on
1/7/2025 and were replaced by the social pension) is paid the pension from its first month, without a new request,
so there is neither a gap month nor a double month.

Pure functions over a ``RateBook`` and plain person objects (anything with birth_date, birth_year, category_code,
start_month and optionally household_poverty, receives_pension, pension_from), so the register's checks may use
them (``registry.beneficiaries.month_allowance`` loads a person's further categories for their page). Money is
integer đồng; months are first-of-month dates.
"""
from dataclasses import replace
from datetime import date

from ...errors import PortalError
from ...formatting import money
from .rates import SOCIAL_ASSISTANCE, SOCIAL_PENSION, Amount, RateBook, age_in_month

#: categories of Decree 20 Art. 5.5 (points b, c) replaced by the social pension on 1/7/2025
TRANSFERRED_CATEGORIES = ("K5b", "K5c")
#: the register category of a person paid only the social pension (``portal/data/categories.json``); as the
#: category of a provincial top-up it means every social pensioner
PENSION_ONLY_CATEGORY = "HTXH"
#: poor / near-poor household values (``models.HouseholdPoverty``)
POOR_HOUSEHOLDS = ("poor", "near_poor")
#: the two grounds of the social pension (Luật BHXH 2024 Art. 21), as ``age_ground`` words them in a line's reason
AGED_75_GROUND = "từ đủ 75 tuổi, không có lương hưu, trợ cấp BHXH hằng tháng"
POOR_70_GROUND = "từ đủ 70 đến dưới 75 tuổi, thuộc hộ nghèo/cận nghèo"
#: what the «Diện» column of a social-pension list prints for each ground (``ground_label``)
GROUND_LABELS = {AGED_75_GROUND: "Hưu trí XH: 75+", POOR_70_GROUND: "Hưu trí XH: 70–74, hộ nghèo/cận nghèo"}


def first_pension_month(book: RateBook) -> date | None:
    """The first month a confirmed social-pension level is in force (07/2025 in the seed), or None (cached on
    ``book``)."""
    if "_first_pension_month" not in book.__dict__:
        confirmed = [r.valid_from for r in book.pension_levels if not r.provisional]
        book.__dict__["_first_pension_month"] = min(confirmed) if confirmed else None
    return book.__dict__["_first_pension_month"]


def age_ground(person, month: date) -> str | None:
    """Why ``person``'s age and household qualify for the social pension in ``month`` (Vietnamese), or None:
    75+ without a pension or monthly social-insurance benefit; 70 to under 75 in a poor or near-poor household."""
    if getattr(person, "receives_pension", False):
        return None
    age = age_in_month(person.birth_date, person.birth_year, month)
    if age >= 75:
        return AGED_75_GROUND
    if age >= 70 and getattr(person, "household_poverty", None) in POOR_HOUSEHOLDS:
        return POOR_70_GROUND
    return None


def ground_label(reason: str | None) -> str:
    """What a social-pension line is paid on, short, for the «Diện» column of its list: "Hưu trí XH: 75+" or
    "Hưu trí XH: 70–74, hộ nghèo/cận nghèo" — the ground named in the line's reason (``Amount.reason``, kept as
    ``PayoutLine.programme_reason``), or "Hưu trí XH" when the reason names none (e.g. a funeral line). Never a
    social-assistance category code."""
    return next((label for ground, label in GROUND_LABELS.items() if ground in (reason or "")), "Hưu trí XH")


def replaced_since(book: RateBook, code: str | None, month: date) -> date | None:
    """The first social-pension month (07/2025) when ``code`` is K5b / K5c and ``month`` is on or after it — those
    points of Decree 20/2021 Art. 5.5 ended when the social pension replaced them (Decree 176/2025) — else None."""
    began = first_pension_month(book)
    return began if code in TRANSFERRED_CATEGORIES and began is not None and month >= began else None


def decided_by(person, month: date) -> bool:
    """True when a decision granting the social pension (a Mẫu 01 request granted: ``pension_from``) covers
    ``month``."""
    pension_from = getattr(person, "pension_from", None)
    return pension_from is not None and pension_from <= month


def is_transferred(book: RateBook, person, category_code: str | None = None) -> bool:
    """True when ``person`` was a K5b/K5c beneficiary entitled before the social pension began (07/2025)."""
    start, began = first_pension_month(book), getattr(person, "start_month", None)
    code = category_code or person.category_code
    return start is not None and began is not None and code in TRANSFERRED_CATEGORIES and began < start


def pension_ground(book: RateBook, person, month: date, category_code: str | None = None) -> str | None:
    """Why ``person`` is entitled to the social pension in ``month`` (Vietnamese, for the line's reason), or None.
    ``category_code`` is the person's category in that month when it differs from the register row."""
    if book.pension_level_or_none(month) is None:
        return None
    ground = age_ground(person, month)
    if ground is None:
        return None
    if decided_by(person, month):
        return f"{ground}; quyết định hưởng từ tháng {person.pension_from:%m/%Y}"
    if is_transferred(book, person, category_code):
        code = category_code or person.category_code
        return f"{ground}; chuyển từ diện {code} (hết hiệu lực 01/7/2025), không cần tờ khai mới"
    return None


def allowance(book: RateBook, person, month: date, extra_categories=(), attrs=None) -> Amount:
    """The month's allowance of ``person`` and the programme paying it: social assistance (``RateBook.amount_for``
    on ``attrs``, the person as they were that month; default ``person``) or the social pension
    (``RateBook.pension_amount``), whichever is higher (top-ups included; equal amounts stay on social assistance),
    with the reason in ``Amount.reason``. Raises PortalError when neither programme pays."""
    attrs = attrs if attrs is not None else person
    try:
        assistance, error = book.amount_for(attrs, month, extra_categories), None
    except PortalError as err:
        assistance, error = None, err
    ground = pension_ground(book, person, month, getattr(attrs, "category_code", None))
    if ground is None:
        if assistance is None:
            raise error
        return assistance
    if assistance is None:
        return book.pension_amount(month, f"Hưởng trợ cấp hưu trí xã hội: {ground}.")
    pension = book.pension_amount(month)
    if assistance.total >= pension.total:
        return replace(assistance, programme=SOCIAL_ASSISTANCE, reason=(
            f"Trợ cấp xã hội {money(assistance.total)} đ không thấp hơn trợ cấp hưu trí xã hội "
            f"{money(pension.total)} đ: hưởng một mức cao hơn (NĐ 20/2021 Điều 6 khoản 2)."))
    return replace(pension, reason=(
        f"Trợ cấp hưu trí xã hội {money(pension.total)} đ cao hơn trợ cấp xã hội {money(assistance.total)} đ "
        f"({ground}): hưởng một mức cao hơn."))


def programme_in(book: RateBook, person, month: date, extra_categories=(), attrs=None) -> str:
    """The programme that pays ``person`` in ``month`` (``SOCIAL_ASSISTANCE`` when neither does)."""
    try:
        return allowance(book, person, month, extra_categories, attrs).programme
    except PortalError:
        return SOCIAL_ASSISTANCE


__all__ = ["SOCIAL_ASSISTANCE", "SOCIAL_PENSION", "TRANSFERRED_CATEGORIES", "age_ground", "allowance",
           "first_pension_month", "ground_label", "is_transferred", "pension_ground", "programme_in"]
