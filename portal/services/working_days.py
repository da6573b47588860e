"""Working days (ngày làm việc), the one calendar of every deadline counted in them — a complaint's
(``complaints.deadlines``), a social-pension request's (``entitlement.pension_requests``): Monday to Friday, less
Vietnam's public holidays and their substitute days off (Labour Code 2019 Art. 112; the maintained ``holidays``
package, ``country_holidays("VN")``), less the extra days off the government decrees for a year (nghỉ bù, hoán đổi
ngày làm việc — e.g. Friday 02/01/2026) that the package does not know, listed in ``portal/data/days-off.json``
(edit it when a new notice comes). Read-only."""
import json
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import holidays

DATA = Path(__file__).resolve().parent.parent / "data" / "days-off.json"


@lru_cache(maxsize=1)
def extra_days_off() -> frozenset[date]:
    """The decreed days off of ``portal/data/days-off.json`` (``extra_days_off``: ISO dates)."""
    with open(DATA, encoding="utf-8") as fh:
        return frozenset(date.fromisoformat(d) for d in json.load(fh)["extra_days_off"])


@lru_cache(maxsize=64)
def public_holidays(year: int) -> frozenset[date]:
    """Vietnam's public holidays of ``year`` with their substitute days off (``holidays`` package)."""
    return frozenset(holidays.country_holidays("VN", years=year))


def is_working_day(day: date) -> bool:
    """True for Monday–Friday that is neither a public holiday nor a decreed day off."""
    return day.weekday() < 5 and day not in public_holidays(day.year) and day not in extra_days_off()


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` (≥ 0) working days after ``start`` (``start`` itself not counted; ``start`` for 0)."""
    day, left = start, days
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day
