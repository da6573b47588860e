"""One month parser for every form (services.entitlement.parse_month): MM/YYYY, M/YYYY and YYYY-MM."""
from datetime import date

import pytest
from sqlalchemy import select

from portal.errors import PortalError
from portal.extensions import db
from portal.models import StandardLevel
from portal.services.entitlement.rates import parse_month


@pytest.mark.parametrize("text", ["01/2027", "1/2027", "2027-01", " 01/2027 ", "1-2027"])
def test_month_spellings(text):
    assert parse_month(text) == date(2027, 1, 1)


@pytest.mark.parametrize("text", ["13/2024", "2024-13", "abc", "", "01/27"])
def test_bad_months_are_refused_in_vietnamese(text):
    with pytest.raises(PortalError, match="Tháng không hợp lệ"):
        parse_month(text)


def test_province_rates_accept_mm_yyyy(client):
    client.login("so.angiang")
    page = client.get("/tinh/muc-chuan/").get_data(as_text=True)
    assert page.count('placeholder="MM/YYYY"') >= 2 and "(MM/YYYY)" in page and "YYYY-MM" not in page
    ok = client.post("/tinh/muc-chuan/muc-chuan", {"valid_from": "01/2027", "amount": "600.000",
                                                   "legal_basis": "Nghị định 999/2027/NĐ-CP"})
    assert ok.status_code == 302
    row = db.session.execute(select(StandardLevel).where(StandardLevel.valid_from == date(2027, 1, 1))).scalar_one()
    assert row.amount == 600_000
    bad = client.post("/tinh/muc-chuan/muc-chuan", {"valid_from": "13/2027", "amount": "600.000",
                                                    "legal_basis": "Nghị định 999/2027/NĐ-CP"})
    assert bad.status_code == 422 and "Tháng không hợp lệ (định dạng MM/YYYY" in bad.get_data(as_text=True)
