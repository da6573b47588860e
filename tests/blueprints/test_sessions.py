"""Server-side sessions: a cookie forged with a known key opens nothing; logout, a password change and deactivation
end sessions on the server (the old session and remember cookies stop working); an idle session ends after
``SESSION_IDLE_MINUTES``; cookie flags."""
from contextlib import contextmanager
from datetime import UTC, timedelta

import time_machine
from flask_login.utils import encode_cookie
from sqlalchemy import event
from sqlalchemy.engine import Engine

from portal.extensions import db
from portal.models import User, UserSession
from portal.services.sessions import open_session, resume_session, set_active
from tests.conftest import PASSWORD, PINNED_NOW, WebClient


def _user(username):
    return User.query.filter_by(username=username).one()


def _forged_session(client, data: dict) -> str:
    """A session cookie signed with the app's own key (the attacker knows it: the old default was public)."""
    return client.web_app.session_interface.get_signing_serializer(client.web_app).dumps(data)


def test_cookie_forged_with_the_key_opens_nothing(app, client):
    province, commune = _user("so.angiang"), _user("xa.vinhmy")
    for user, url in ((province, "/tinh/"), (commune, "/xa/")):
        for user_id in (f"{user.id}:{user.session_version}", str(user.id)):
            client.c.set_cookie("session", _forged_session(client, {"_user_id": user_id, "_fresh": True}))
            resp = client.get(url)
            assert resp.status_code == 302 and "/login" in resp.headers["Location"], (url, user_id)
            client.c.delete_cookie("session")
            with client.web_app.test_request_context():
                client.c.set_cookie("remember_token", encode_cookie(user_id))
            resp = client.get(url)
            assert resp.status_code == 302 and "/login" in resp.headers["Location"], (url, user_id, "remember")
            client.c.delete_cookie("remember_token")


def _login_remembered(client, username="xa.vinhmy"):
    client.get("/login")
    resp = client.post("/login", {"username": username, "password": PASSWORD, "remember": "y"})
    assert resp.status_code == 302
    return resp


def test_after_logout_the_old_session_and_remember_cookies_get_the_login_page(app, client):
    _login_remembered(client)
    assert client.get("/xa/").status_code == 200
    session_cookie = client.c.get_cookie("session").value
    remember_cookie = client.c.get_cookie("remember_token").value
    assert client.logout().status_code == 302
    client.c.set_cookie("session", session_cookie)
    resp = client.get("/xa/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    client.c.delete_cookie("session")
    client.c.set_cookie("remember_token", remember_cookie)
    resp = client.get("/xa/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    ended = UserSession.query.filter_by(user_id=_user("xa.vinhmy").id).one()
    assert ended.end_reason == "logout" and ended.ended_at is not None


def test_logout_ends_only_that_session(app, client):
    client.login("xa.vinhmy")
    other = WebClient(app).login("xa.vinhmy")
    client.logout()
    assert other.get("/xa/").status_code == 200


def test_password_change_ends_every_other_session_and_keeps_this_one(app, client):
    client.login("xa.vinhmy")
    other = WebClient(app).login("xa.vinhmy")
    client.get("/mat-khau")
    resp = client.post("/mat-khau", {"current": PASSWORD, "new": "Ca-dao-tuc-ngu-89", "confirm": "Ca-dao-tuc-ngu-89"})
    assert resp.status_code == 302
    assert client.get("/xa/").status_code == 200
    resp = other.get("/xa/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert _user("xa.vinhmy").check_password("Ca-dao-tuc-ngu-89")
    fresh = WebClient(app)
    fresh.login("xa.vinhmy", "Ca-dao-tuc-ngu-89")


def test_password_change_refuses_weak_passwords_and_keeps_the_form(app, client):
    client.login("xa.vinhmy")
    client.get("/mat-khau")
    cases = {
        "ngan": "Mật khẩu phải có ít nhất 10 ký tự.",
        "password123": "Mật khẩu này quá phổ biến",
        "xa.vinhmy": "Mật khẩu phải có ít nhất 10 ký tự.",
        "xa.vinhmy2024": "Mật khẩu không được chứa tên đăng nhập.",
    }
    for new, message in cases.items():
        resp = client.post("/mat-khau", {"current": PASSWORD, "new": new, "confirm": new})
        assert resp.status_code == 422, new
        assert message in resp.get_data(as_text=True), new
    resp = client.post("/mat-khau", {"current": "sai-mat-khau", "new": "Ca-dao-tuc-ngu-89",
                                     "confirm": "Ca-dao-tuc-ngu-89"})
    assert resp.status_code == 422 and "Mật khẩu hiện tại không đúng." in resp.get_data(as_text=True)
    assert _user("xa.vinhmy").check_password(PASSWORD)
    assert client.get("/xa/").status_code == 200


def test_deactivation_ends_every_session(app, client):
    client.login("xa.vinhmy")
    set_active(_user("xa.vinhmy"), False)
    resp = client.get("/xa/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    set_active(_user("xa.vinhmy"), True)
    assert client.get("/xa/").status_code == 302  # the ended session stays ended


def test_idle_session_ends_htmx_gets_hx_redirect(app, client):
    start = PINNED_NOW
    with time_machine.travel(start, tick=False) as clock:
        client.login("xa.vinhmy")
        clock.move_to(start + timedelta(minutes=20))
        assert client.get("/xa/").status_code == 200  # activity: the idle clock starts again
        clock.move_to(start + timedelta(minutes=45))
        assert client.get("/xa/").status_code == 200
        clock.move_to(start + timedelta(minutes=76))
        resp = client.get("/xa/", htmx=True)
        assert resp.status_code == 401 and resp.headers["HX-Redirect"].startswith("/login")
        resp = client.get("/xa/")
        assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_idle_timeout_is_configurable(app, client):
    client.web_app.config["SESSION_IDLE_MINUTES"] = 5
    with time_machine.travel(PINNED_NOW, tick=False) as clock:
        client.login("xa.vinhmy")
        clock.move_to(PINNED_NOW + timedelta(minutes=6))
        assert client.get("/xa/").status_code == 302


def _set_cookies(resp) -> dict:
    return {h.split("=", 1)[0]: h for h in resp.headers.getlist("Set-Cookie")}


def test_cookie_flags(app, client):
    cookies = _set_cookies(_login_remembered(client))
    assert {"session", "remember_token"} <= set(cookies)
    for header in cookies.values():
        assert "HttpOnly" in header and "SameSite=Lax" in header
        assert "Secure" not in header
    secure = WebClient(app)
    secure.web_app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    cookies = _set_cookies(_login_remembered(secure))
    assert all("Secure" in cookies[name] for name in ("session", "remember_token"))


def test_old_sessions_are_deleted_at_the_next_login(app, client):
    with time_machine.travel(PINNED_NOW, tick=False) as clock:
        client.login("xa.vinhmy")
        client.logout()
        clock.move_to(PINNED_NOW + timedelta(days=31))
        client.login("xa.vinhmy")
    rows = UserSession.query.filter_by(user_id=_user("xa.vinhmy").id).all()
    assert len(rows) == 1 and rows[0].ended_at is None


@contextmanager
def _statements():
    """The SQL statements run inside the block (any app's engine)."""
    seen = []

    def _seen(conn, cursor, statement, params, context, executemany):
        seen.append(" ".join(statement.split()))

    event.listen(Engine, "before_cursor_execute", _seen)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", _seen)


def _utc(value):
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def test_last_seen_is_written_at_most_once_a_minute_and_the_idle_timeout_still_ends_the_session(app, client):
    with time_machine.travel(PINNED_NOW, tick=False) as clock:
        client.login("xa.vinhmy")
        row = UserSession.query.filter_by(user_id=_user("xa.vinhmy").id, ended_at=None).one()
        assert _utc(row.last_seen_at) == PINNED_NOW
        clock.move_to(PINNED_NOW + timedelta(seconds=59))
        with _statements() as seen:
            assert client.get("/xa/").status_code == 200
        assert not [s for s in seen if s.startswith("UPDATE user_session")]  # a read writes nothing
        db.session.refresh(row)
        assert _utc(row.last_seen_at) == PINNED_NOW
        clock.move_to(PINNED_NOW + timedelta(seconds=60))
        with _statements() as seen:
            assert client.get("/xa/").status_code == 200
        assert len([s for s in seen if s.startswith("UPDATE user_session SET last_seen_at")]) == 1
        db.session.refresh(row)
        assert _utc(row.last_seen_at) == PINNED_NOW + timedelta(seconds=60)
        last = PINNED_NOW + timedelta(seconds=60) + timedelta(minutes=29, seconds=59)
        clock.move_to(last)
        assert client.get("/xa/").status_code == 200  # idle 29 min 59 s: still open, last seen written
        clock.move_to(last + timedelta(minutes=30, seconds=1))
        resp = client.get("/xa/")
        assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_a_request_reads_its_session_user_organisation_and_unit_in_one_statement(app):
    token = open_session(_user("xa.vinhmy"))
    db.session.commit()
    db.session.expunge_all()
    with _statements() as seen:
        user = resume_session(token, timedelta(minutes=30))
        assert user.username == "xa.vinhmy" and user.is_active
        assert (user.organization.unit.level, user.organization.unit_code) == ("commune", user.organization.unit.code)
    assert len(seen) == 1 and seen[0].startswith("SELECT user_session.id")
