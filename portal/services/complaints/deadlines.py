"""Deadline of a complaint (thời hạn xử lý) in working days (ngày làm việc): the number of days from
``portal/data/complaints.json`` (the province sets it), counted on the portal's one working-day calendar
(``services.working_days``: Monday to Friday less public holidays and decreed days off). Read-only."""
import json
from datetime import date
from functools import lru_cache
from pathlib import Path

from ..working_days import add_working_days

DATA = Path(__file__).resolve().parent.parent.parent / "data" / "complaints.json"


@lru_cache(maxsize=1)
def working_days_allowed() -> int:
    """How many working days a complaint may stay open (10 in the data file as shipped)."""
    with open(DATA, encoding="utf-8") as fh:
        return int(json.load(fh)["deadline_working_days"])


def due_date(received_on: date) -> date:
    """Deadline of a complaint received on ``received_on``: ``working_days_allowed()`` working days later."""
    return add_working_days(received_on, working_days_allowed())
