"""Error pages: a lost race (unique constraint) is a Vietnamese 409, never a bare 500; an oversized upload names
the limit; htmx requests get the message alone."""
from sqlalchemy.exc import IntegrityError

from portal.services.payouts import build as payout_build


def test_integrity_error_becomes_vietnamese_409(client, monkeypatch):
    def lost_race(*_a, **_k):
        raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed: payout_list.month"))
    monkeypatch.setattr(payout_build, "build_lists", lost_race)
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


# --- every 404 / 403 of a logged-in user is the Vietnamese page, downloads included -----------------------------------
NOT_FOUND = "Không tìm thấy trang hoặc dữ liệu (hoặc dữ liệu ngoài địa bàn của bạn)."


def _is_error_page(resp, status: int, message: str) -> str:
    html = resp.get_data(as_text=True)
    assert resp.status_code == status and resp.mimetype == "text/html"
    assert '<html lang="vi">' in html and f"<h1>Lỗi {status}</h1>" in html
    assert f'<p class="error">{message}</p>' in html
    assert resp.headers["Cache-Control"] == "no-store" and "HX-Request" in resp.headers["Vary"]
    assert "Content-Disposition" not in resp.headers
    return html


def test_another_communes_import_error_file_is_the_vietnamese_404_page(app, client):
    from portal.services.demo import user_by_username
    from portal.services.imports import jobs as import_jobs
    from tests.conftest import VINH_MY_FILE

    with open(VINH_MY_FILE, "rb") as fh:
        batch_id = import_jobs.upload(user_by_username("xa.vinhmy"), "30322", "ds.xlsx", fh.read()).batch_id
    client.login("xa.tanloi")
    html = _is_error_page(client.get(f"/xa/nhap/{batch_id}/loi.xlsx"), 404, NOT_FOUND)
    assert "Về trang chính" in html and "Chau Sóc Khol" in html  # the layout, with the user's name
    fragment = client.get(f"/xa/nhap/{batch_id}/loi.xlsx", htmx=True)
    assert fragment.status_code == 404 and fragment.get_data(as_text=True) == (
        f'<p class="error" role="alert">{NOT_FOUND}</p>')
    assert "HX-Request" in fragment.headers["Vary"]  # a cached fragment is never shown as the page


def test_download_answering_bare_text_becomes_the_page_with_that_text(client):
    """/huyen/chi-phi/<office>.xlsx answers ``return "Không có …", 404`` for an office without a statement."""
    client.login("pld.chaudoc")
    _is_error_page(client.get("/huyen/chi-phi/999999.xlsx?thang=2024-08"), 404,
                   "Không có bảng tính chi phí của bưu điện này trong tháng.")


def test_other_roles_files_are_the_vietnamese_403_and_404_pages(client):
    client.login("congan.tanloi")
    _is_error_page(client.get("/xa/doi-sanh/danh-sach.xlsx"), 403, "Bạn không có quyền truy cập trang này.")
    client.logout()
    client.login("agribank.chaudoc")
    _is_error_page(client.get("/ngan-hang/tai-len/999999"), 404, NOT_FOUND)
    _is_error_page(client.get("/cong-an/doi-sanh/danh-sach.xlsx"), 403, "Bạn không có quyền truy cập trang này.")


def test_any_other_http_error_and_english_bare_text_get_the_page(client):
    from flask import abort

    web = client.web_app
    web.add_url_rule("/_thu/410", "gone", lambda: abort(410))
    web.add_url_rule("/_thu/bare", "bare", lambda: ("Not here", 404))
    client.login("xa.vinhmy")
    _is_error_page(client.get("/_thu/410"), 410, "Đã có lỗi.")
    _is_error_page(client.get("/_thu/bare"), 404, NOT_FOUND)
