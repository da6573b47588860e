"""Login, logout, home redirect and session versioning."""


def test_login_redirects_to_role_home(client):
    client.get("/login")
    resp = client.post("/login", {"username": "xa.vinhmy", "password": "demo1234"})
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith("/xa/")


def test_wrong_password_is_422_and_keeps_username(client):
    client.get("/login")
    resp = client.post("/login", {"username": "xa.vinhmy", "password": "sai"})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in html
    assert 'value="xa.vinhmy"' in html


def test_login_without_csrf_is_rejected(client):
    resp = client.post("/login", {"username": "xa.vinhmy", "password": "demo1234"}, csrf=False)
    assert resp.status_code == 400
    assert "CSRF" in resp.get_data(as_text=True)


def test_open_redirect_is_refused(client):
    client.get("/login")
    resp = client.post("/login?next=https://evil.example/x", {"username": "xa.vinhmy", "password": "demo1234"})
    assert resp.headers["Location"].endswith("/xa/")


def test_htmx_request_without_session_gets_hx_redirect(client):
    resp = client.get("/xa/", htmx=True)
    assert resp.status_code == 401
    assert resp.headers["HX-Redirect"].startswith("/login")


def test_logout_all_ends_other_sessions(app, client):
    client.login("xa.vinhmy")
    other = type(client)(app).login("xa.vinhmy")
    client.post("/logout-all")
    assert other.get("/xa/").status_code == 302
