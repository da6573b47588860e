"""Huge numbers in URLs are a 404 or a clamped page, never a 500 (SQLite INTEGER overflow)."""
import pytest

from portal.errors_web import MAX_ID
from portal.extensions import db
from tests.factories import make_beneficiary

HUGE = "99999999999999999999"


@pytest.fixture
def people(app):
    for i in range(30):  # 25 a page: 2 pages
        make_beneficiary(f"Nguyễn Văn Số {i:02d}", birth_year=1940)
    db.session.commit()


def test_police_list_past_the_end_shows_the_last_page(client, people):
    client.login("congan.vinhmy")
    html = client.get("/cong-an/?page=999").get_data(as_text=True)
    assert "Trang 2/2" in html and "Trang 999" not in html and "Nguyễn Văn Số 29" in html
    resp = client.get(f"/cong-an/?page={HUGE}")
    assert resp.status_code == 200 and "Trang 2/2" in resp.get_data(as_text=True)
    assert "Trang 1/2" in client.get("/cong-an/?page=-5").get_data(as_text=True)


def test_police_cross_check_page_with_a_huge_page_number(client):
    client.login("congan.vinhmy")
    resp = client.get(f"/cong-an/doi-sanh?page={HUGE}")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert HUGE not in html


@pytest.mark.parametrize("number", [HUGE, str(MAX_ID + 1)])
def test_a_huge_id_is_not_found(client, number):
    client.login("xa.vinhmy")
    resp = client.get(f"/xa/doi-tuong/{number}")
    assert resp.status_code == 404
    assert "Không tìm thấy" in resp.get_data(as_text=True)


def test_an_overflow_anywhere_is_a_404(client):
    client.login("xa.vinhmy")
    resp = client.get("/xa/doi-tuong/?page=" + HUGE)  # other lists: the OverflowError safety net (or clamped)
    assert resp.status_code == 404, resp.status_code  # commune registry list: OverflowError → 404
