"""Error pages: a lost race (unique constraint) is a Vietnamese 409, never a bare 500; an oversized upload names
the limit; htmx requests get the message alone."""
from sqlalchemy.exc import IntegrityError

from portal.blueprints import district


def test_integrity_error_becomes_vietnamese_409(client, monkeypatch):
    def lost_race(*_a, **_k):
        raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed: payout_list.month"))
    monkeypatch.setattr(district.payouts, "build_lists", lost_race)
    client.login("pld.chaudoc")
    resp = client.post("/huyen/chi-tra/lap", {"month": "2024-08"})
    assert resp.status_code == 409
    assert "vừa được người khác thay đổi" in resp.get_data(as_text=True)
    # the session was rolled back: the next request works
    assert client.get("/huyen/").status_code == 200


def test_htmx_error_is_the_message_only(client):
    client.login("xa.vinhmy")
    resp = client.get("/xa/doi-tuong/999999", htmx=True)
    assert resp.status_code == 404
    html = resp.get_data(as_text=True)
    assert "<html" not in html and "Không tìm thấy" in html


def test_upload_too_large_names_the_limit(app, client):
    client.web_app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    client.login("xa.vinhmy")
    resp = client.post("/xa/nhap", {"file": (__import__("io").BytesIO(b"x" * (2 * 1024 * 1024)), "a.xlsx")},
                       content_type="multipart/form-data")
    assert resp.status_code == 413
    assert "tối đa 1 MB" in resp.get_data(as_text=True)
