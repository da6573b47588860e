"""Province overview page: per district and commune totals for the chosen month, no personal data."""
from datetime import date

import pytest

from portal.extensions import db
from portal.services.demo import user_by_username as user
from portal.services.payouts.results import record_result
from tests.factories import chau_doc_people, run_to_accepted


@pytest.fixture
def cycle(app):
    p = chau_doc_people()
    lists = run_to_accepted()
    record_result(user("buudien.chaudoc"), lists["cash_at_home"].lines[0], "paid", paid_on=date(2024, 8, 6))
    db.session.commit()
    return p


def test_overview_shows_district_and_commune_totals(client, cycle):
    client.login("so.angiang")
    resp = client.get("/tinh/?thang=2024-08")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Tổng hợp chi trả tháng 08/2024" in html
    district = html.split('id="d-884"')[1].split("</tbody>")[0]
    cells = lambda r: [c.split(">")[-1] for c in r.split("</td>")[:-1]]  # noqa: E731
    # Châu Đốc: 8 active, 3 chose an account, 4 cash at point, 1 cash at home, 2 accounts, 6 people on lists
    assert "<th>Thành phố Châu Đốc</th>" in district
    assert cells(district.split("</th>", 1)[1].split("</tr>")[0]) == ["8", "3", "4", "1", "2", "6", "4.500.000",
                                                                     "1.000.000"]
    vinh_my = district.split('id="c-30322"')[1].split("</tr>")[0]
    assert "Phường Vĩnh Mỹ" in vinh_my
    assert cells(vinh_my)[1:] == ["7", "3", "3", "1", "2", "5", "3.750.000", "1.000.000"]
    assert 'id="c-30325"' in district and 'id="c-30316"' not in district  # communes without data are folded
    assert "Bùi Ngọc Vũ" not in html and cycle["vu"].national_id not in html
    frag = client.get("/tinh/?thang=2024-08&tat_ca=1", htmx=True)
    assert 'id="c-30316"' in frag.get_data(as_text=True) and "<html" not in frag.get_data(as_text=True)
    july = client.get("/tinh/?thang=2024-07").get_data(as_text=True)
    assert "Danh sách tháng 07/2024" in july


def test_other_roles_cannot_open_the_overview(client, cycle):
    client.login("pld.chaudoc")
    assert client.get("/tinh/").status_code == 403
