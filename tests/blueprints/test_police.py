"""Police (Công an xã) cross-check list: their commune only, identity fields only, never the category."""
import pytest

from portal.extensions import db
from portal.services.demo import user_by_username
from portal.services.imports.beneficiaries import import_file
from tests.conftest import TAN_LOI_FILE, VINH_MY_FILE


@pytest.fixture
def loaded(app):
    import_file(user_by_username("xa.vinhmy"), "30322", VINH_MY_FILE)
    import_file(user_by_username("xa.tanloi"), "30535", TAN_LOI_FILE)
    db.session.commit()


def test_police_sees_own_commune_identity_fields(client, loaded):
    client.login("congan.vinhmy")
    html = client.get("/cong-an/").get_data(as_text=True)
    assert "340 người" in html
    assert "Trang 1/14" in html
    page = client.get("/cong-an/?q=huynh+thanh+tai").get_data(as_text=True)
    row = page[page.index("Huỳnh Thanh Tài"):]
    row = row[:row.index("</tr>")]
    assert "1931" in row and "Nam" in row and "089031432683" in row and "Khóm Mỹ Thới 4" in row
    for hidden in ("Người từ đủ 80", "K5c", "Diện", "khuyết tật", "0794340961"):
        assert hidden not in page  # no category, no phone column
    assert "Chau Sane Rết" not in client.get("/cong-an/?q=chau+sane").get_data(as_text=True)


def test_police_of_tan_loi_sees_tan_loi(client, loaded):
    client.login("congan.tanloi")
    html = client.get("/cong-an/?q=089028679597").get_data(as_text=True)
    assert "1 người" in html and "Chau Sane Rết" in html
    assert "210 người" in client.get("/cong-an/").get_data(as_text=True)


def test_police_fragment_is_small(client, loaded):
    client.login("congan.vinhmy")
    resp = client.get("/cong-an/?page=2", htmx=True)
    assert resp.status_code == 200 and len(resp.data) <= 5 * 1024 and b"<html" not in resp.data
    assert "Trang 2/14" in resp.get_data(as_text=True)


def test_police_list_is_read_only_and_gated(client):
    client.login("congan.vinhmy")
    assert client.post("/cong-an/").status_code == 405
    client.logout()
    client.login("xa.vinhmy")
    assert client.get("/cong-an/").status_code == 403
