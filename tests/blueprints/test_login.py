"""Login hardening: throttling per account and per address (Flask-Limiter, limits on), failed logins audited without
the password, an unknown user name costs the same password check, the password policy in the CLI."""
import time
import uuid
from datetime import UTC, datetime

import pytest

import portal.services.sessions as sessions
from portal import create_app
from portal.models import AuditEvent, User
from tests.conftest import PASSWORD, WebClient, _config


@pytest.fixture
def limited(app):
    """A client whose app throttles logins (the test config turns limits off), with small limits and its own
    counters."""
    client = WebClient(app)
    client.web_app = create_app(type("Limited", (_config(app.config["SQLALCHEMY_DATABASE_URI"]),), {
        "RATELIMIT_ENABLED": True, "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex,
        "LOGIN_LIMIT_ACCOUNT": "5 per 15 minutes", "LOGIN_LIMIT_ADDRESS": "8 per 15 minutes"}))
    client.c = client.web_app.test_client()
    client.get("/login")
    return client


def _try(client, username, password):
    return client.post("/login", {"username": username, "password": password})


#: a burst of logins within one second, a fraction of a second after a whole one: the window's end rounded up to the
#: next whole second once read "16 phút" for a 15-minute window
BURST_AT = datetime(2026, 12, 6, 2, 0, 0, 200000, tzinfo=UTC)


@pytest.mark.time_machine(BURST_AT, tick=False)
def test_wrong_passwords_then_the_right_one_is_throttled_per_account(limited):
    for _ in range(5):
        assert _try(limited, "xa.vinhmy", "sai-mat-khau").status_code == 422
    resp = _try(limited, "xa.vinhmy", PASSWORD)
    assert resp.status_code == 429
    html = resp.get_data(as_text=True)
    assert "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút." in html
    assert 'value="xa.vinhmy"' in html
    assert _try(limited, "xa.tanloi", PASSWORD).status_code == 302  # another account from the same address


def test_successful_logins_do_not_count(limited):
    for _ in range(7):
        assert _try(limited, "xa.vinhmy", PASSWORD).status_code == 302
        limited.post("/logout")
    assert _try(limited, "xa.vinhmy", PASSWORD).status_code == 302


def test_many_accounts_from_one_address_are_throttled_per_address(limited):
    for n in range(8):
        assert _try(limited, f"khong-co-{n}", "sai-mat-khau").status_code == 422
    assert _try(limited, "xa.tanloi", PASSWORD).status_code == 429


def test_failed_logins_are_audited_without_the_password(app, client):
    client.get("/login")
    client.post("/login", {"username": "xa.vinhmy", "password": "bi-mat-khong-ghi"})
    client.post("/login", {"username": "ai-do", "password": "bi-mat-khong-ghi"})
    events = AuditEvent.query.filter_by(action="login_failed").order_by(AuditEvent.id).all()
    assert [e.summary.split(" từ ")[0] for e in events] == ["Đăng nhập sai: xa.vinhmy", "Đăng nhập sai: ai-do"]
    assert all("bi-mat" not in (e.summary + str(e.before) + str(e.after)) for e in events)


def test_unknown_user_costs_the_same_password_check(app, monkeypatch):
    checked = []
    real = sessions.check_password_hash
    monkeypatch.setattr(sessions, "check_password_hash", lambda h, p: checked.append(h) or real(h, p))
    assert sessions.authenticate("khong-co-ai", "x" * 12) is None
    assert checked and checked[0].startswith("scrypt:")

    def best_of_three(username):
        times = []
        for _ in range(3):
            start = time.perf_counter()
            sessions.authenticate(username, "sai-mat-khau")
            times.append(time.perf_counter() - start)
        return min(times)

    known, unknown = best_of_three("xa.vinhmy"), best_of_three("khong-co-ai")
    assert unknown > known / 3, (known, unknown)


def _run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


@pytest.mark.parametrize("password,message", [
    ("1", "Mật khẩu phải có ít nhất 10 ký tự."),
    ("qwertyuiop", "Mật khẩu này quá phổ biến"),
    ("moi.nguoi.dung.1", "Mật khẩu không được chứa tên đăng nhập."),
])
def test_create_user_applies_the_password_policy(app, password, message):
    org_id = User.query.filter_by(username="xa.vinhmy").one().organization_id
    result = _run(app, "create-user", "--org", str(org_id), "--password", password, "moi.nguoi.dung", "Người Mới")
    assert result.exit_code == 1
    assert message in result.output
    assert User.query.filter_by(username="moi.nguoi.dung").count() == 0


def test_reset_password_cli_sets_the_password_and_ends_sessions(app, client):
    client.login("xa.vinhmy")
    result = _run(app, "reset-password", "xa.vinhmy", "--password", "Song-Hau-chay-mai")
    assert result.exit_code == 0, result.output
    assert "1 phiên đăng nhập đã kết thúc" in result.output
    assert client.get("/xa/").status_code == 302
    WebClient(app).login("xa.vinhmy", "Song-Hau-chay-mai")
    assert _run(app, "reset-password", "xa.vinhmy", "--password", "1").exit_code == 1
    assert _run(app, "reset-password", "khong-co", "--password", "Song-Hau-chay-mai").exit_code == 1


def test_set_user_active_cli_locks_the_account(app, client):
    client.login("xa.vinhmy")
    assert _run(app, "set-user-active", "xa.vinhmy", "--off").exit_code == 0
    assert client.get("/xa/").status_code == 302
    client.get("/login")
    assert _try(client, "xa.vinhmy", PASSWORD).status_code == 422
