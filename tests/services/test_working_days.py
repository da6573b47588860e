"""One working-day calendar (``services.working_days``) for every deadline: complaints (``complaints.deadlines``)
and social-pension requests (``entitlement.pension_requests``) give the same deadline for the same start day —
across Tết, the public holidays of the ``holidays`` package (with their substitute days off) and the extra days
off decreed by the government that the data file lists."""
from datetime import date

import pytest

from portal.services import working_days
from portal.services.complaints import deadlines
from portal.services.entitlement import pension_requests


@pytest.mark.parametrize("start, due", [
    (date(2026, 2, 12), date(2026, 3, 5)),    # Tết Bính Ngọ: 16–20/02/2026 off
    (date(2027, 2, 3), date(2027, 2, 24)),    # Tết Đinh Mùi: 04, 05, 08–10/02/2027 off
    (date(2025, 12, 26), date(2026, 1, 13)),  # 01/01/2026 and the decreed swap of Friday 02/01/2026 (data file)
    (date(2026, 8, 28), date(2026, 9, 16)),   # Quốc khánh 2026: 31/08 (substitute day), 01–02/09
    (date(2026, 11, 20), date(2026, 12, 7)),  # Ngày Văn hóa Việt Nam 24/11
])
def test_complaint_and_pension_request_deadlines_are_the_same(start, due):
    assert deadlines.working_days_allowed() == pension_requests.DECISION_WORKING_DAYS == 10
    assert deadlines.due_date(start) == due
    assert pension_requests.due_date(start) == due
    assert working_days.add_working_days(start, 10) == due


def test_the_calendar():
    assert [working_days.is_working_day(d) for d in (
        date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 5), date(2026, 2, 17), date(2026, 4, 27),
        date(2026, 12, 5), date(2026, 12, 7))] == [False, False, True, False, False, False, True]
    assert date(2026, 1, 2) in working_days.extra_days_off()
    assert working_days.add_working_days(date(2026, 12, 4), 0) == date(2026, 12, 4)
