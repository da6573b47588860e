"""``/healthz``: what the reverse proxy and the supervisor ask before sending traffic."""
import socket

from portal.extensions import db


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_health_is_public_and_says_ok_when_database_and_schema_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "schema": "current",
                                   "redis": "not configured"}
    assert response.headers["Cache-Control"] == "no-store"


def test_health_fails_when_redis_is_configured_but_down(client):
    client.web_app.config["REDIS_URL"] = f"redis://127.0.0.1:{_closed_port()}/0"
    response = client.get("/healthz")
    assert response.get_json()["redis"] == "error", response.get_json()
    assert response.status_code == 503
    assert response.get_json()["redis"] == "error"
    assert response.get_json()["status"] == "error"


def test_health_fails_when_a_table_is_missing(app, client):
    with app.app_context():
        db.session.execute(db.text("DROP TABLE audit_event"))
        db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["schema"] == "outdated"


def test_the_migration_heads_are_read_once_per_process(app, monkeypatch):
    """``/healthz`` compares the database's revision with the code's heads on every call; reading the scripts
    parses every migration (about 20 ms), so the heads are kept once read."""
    from portal import schema
    with app.app_context():
        first = schema._heads()
        reads = []
        original = schema.ScriptDirectory.from_config
        monkeypatch.setattr(schema.ScriptDirectory, "from_config",
                            staticmethod(lambda config: reads.append(config) or original(config)))
        assert [schema._heads() for _ in range(3)] == [first] * 3
    assert reads == []
    assert len(first) == 1 and next(iter(first)).isdigit()
