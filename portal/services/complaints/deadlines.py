"""Deadline of a complaint (thời hạn xử lý) in working days (ngày làm việc): Monday to Friday without the public
holidays, both read from ``portal/data/complaints.json`` (the province sets the number of days; holidays per the
Labour Code 2019 Art. 112 and the yearly notices). Read-only."""
import json
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent.parent / "data" / "complaints.json"


@lru_cache(maxsize=1)
def _data() -> tuple[int, frozenset[date]]:
    with open(DATA, encoding="utf-8") as fh:
        raw = json.load(fh)
    return int(raw["deadline_working_days"]), frozenset(date.fromisoformat(d) for d in raw["holidays"])


def working_days_allowed() -> int:
    """How many working days a complaint may stay open (10 in the data file as shipped)."""
    return _data()[0]


def is_working_day(day: date) -> bool:
    """True for Monday–Friday that is not a listed holiday."""
    return day.weekday() < 5 and day not in _data()[1]


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted)."""
    day = start
    left = days
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def due_date(received_on: date) -> date:
    """Deadline of a complaint received on ``received_on``: ``working_days_allowed()`` working days later."""
    return add_working_days(received_on, working_days_allowed())
