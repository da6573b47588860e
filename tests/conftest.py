"""Test fixtures. Each test gets its own freshly seeded database (the demo set-up), so its requests may commit:

- SQLite (default): the schema and demo seed are built once per session into a template file, copied per test.
- PostgreSQL (``TEST_DATABASE_URL=postgresql://…``): a template database is built once, and each test gets
  ``CREATE DATABASE … TEMPLATE …`` (dropped afterwards).
"""
import os
import re
import shutil
import uuid
from contextlib import contextmanager
from datetime import datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from portal import create_app
from portal.clock import VN_TZ
from portal.config import TestConfig
from portal.extensions import db

#: the sample spreadsheets shipped with the repository (real formats, invented people; see samples/README.md)
SAMPLES = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "samples"))
VINH_MY_FILE = os.path.join(SAMPLES, "2024-07_phuong-vinh-my_ds-doi-tuong.xlsx")
TAN_LOI_FILE = os.path.join(SAMPLES, "2024-07_xa-tan-loi_ds-doi-tuong.xlsx")
AGRIBANK_FILE = os.path.join(SAMPLES, "2024-08_agribank-chau-doc_tk-mo-moi.xlsx")
PASSWORD = "demo1234"
#: the moment date-dependent tests run at (Vietnam time): ``pytestmark = pinned_clock`` in their module moves the
#: clock there with time-machine (it keeps ticking), so "next month", "too far ahead" and ages are the same whatever
#: day the suite runs; CI also runs the suite under ``faketime`` years ahead to catch a test that forgot.
PINNED_NOW = datetime(2026, 12, 6, 9, 0, tzinfo=VN_TZ)
pinned_clock = pytest.mark.time_machine(PINNED_NOW, tick=True)
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")


def _config(uri: str):
    return type("PerTestConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": uri})


def _build(uri: str) -> None:
    app = create_app(_config(uri))
    with app.app_context():
        db.create_all()
        from portal.services.demo import seed_demo
        seed_demo()
        db.session.commit()
        db.engine.dispose()


def _pg_admin(url):
    return create_engine(make_url(url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def template_db(tmp_path_factory):
    """Location of the seeded template database (a file path for SQLite, a database name for PostgreSQL)."""
    if ON_POSTGRES:
        name = f"asxh_tpl_{os.getpid()}"
        admin = _pg_admin(TEST_DATABASE_URL)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        _build(make_url(TEST_DATABASE_URL).set(drivername="postgresql+psycopg", database=name)
               .render_as_string(hide_password=False))
        yield name
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("tpl") / "template.db"
        _build(f"sqlite:///{path}")
        yield str(path)


@contextmanager
def scratch_database(tmp_path, template: str | None = None):
    """URI of a new database for one test, removed afterwards: a copy of ``template`` (the seeded template from
    ``template_db``) or, without one, an empty database."""
    if ON_POSTGRES:
        name = f"asxh_t_{uuid.uuid4().hex[:10]}"
        admin = _pg_admin(TEST_DATABASE_URL)
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
        try:
            yield make_url(TEST_DATABASE_URL).set(drivername="postgresql+psycopg", database=name).render_as_string(
                hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    else:
        path = tmp_path / f"{uuid.uuid4().hex[:8]}.db"
        if template:
            shutil.copy(template, path)
        yield f"sqlite:///{path}"


@pytest.fixture
def database_uri(template_db, tmp_path):
    """A fresh copy of the template database for one test; its URI."""
    with scratch_database(tmp_path, template_db) as uri:
        yield uri


@pytest.fixture
def app(database_uri):
    """The app on a fresh seeded database, with an application context pushed."""
    app = create_app(_config(database_uri))
    with app.app_context():
        yield app
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture
def client(app):
    """A test client with helpers ``login(username)`` and ``csrf`` (see ``WebClient``)."""
    return WebClient(app)


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


class WebClient:
    """Thin wrapper over Flask's test client that logs in and sends the CSRF token on writes, like the browser.

    Requests are served by a twin app on the same database, so each request gets its own application context
    (``g``, ``db.session``) as in production, instead of reusing the test's pushed context. Before each request the
    test's session is committed (so rows a test created are visible to the server) and afterwards expired (so the test
    reads what the server wrote)."""

    def __init__(self, app):
        self.app = app
        self.web_app = create_app(_config(app.config["SQLALCHEMY_DATABASE_URI"]))
        self.c = self.web_app.test_client()
        self.token = None

    def _around(self, call):
        db.session.commit()
        resp = call()
        db.session.expire_all()
        return resp

    def _remember_token(self, resp):
        plain = resp.mimetype == "text/html" and not resp.headers.get("Content-Encoding")
        m = CSRF_RE.search(resp.get_data(as_text=True)) if plain else None
        if m:
            self.token = m.group(1) or m.group(2)
        return resp

    def get(self, url, htmx=False, **kw):
        """GET; ``htmx=True`` adds the ``HX-Request`` header."""
        headers = kw.pop("headers", {})
        if htmx:
            headers["HX-Request"] = "true"
        return self._remember_token(self._around(lambda: self.c.get(url, headers=headers, **kw)))

    def post(self, url, data=None, htmx=False, csrf=True, **kw):
        """POST with the CSRF token (unless ``csrf=False``)."""
        headers = kw.pop("headers", {})
        if htmx:
            headers["HX-Request"] = "true"
        data = dict(data or {})
        if csrf:
            if self.token is None:
                self.get("/login")
            data.setdefault("csrf_token", self.token)
        return self._remember_token(self._around(lambda: self.c.post(url, data=data, headers=headers, **kw)))

    def login(self, username, password=PASSWORD):
        """Log in as a demo user; asserts success."""
        self.get("/login")
        resp = self.post("/login", {"username": username, "password": password})
        assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
        self.get(resp.headers["Location"])
        return self

    def logout(self):
        """Log out."""
        return self.post("/logout")


def pytest_collection_modifyitems(config, items):
    """Every test that starts Chromium carries the ``browser`` mark, so ``-m "not browser"`` (PostgreSQL and
    moved-clock runs) leaves them all out: a test in ``tests/browser/`` without it, or a test elsewhere using the
    ``browser`` fixture, is an error at collection."""
    for item in items:
        in_browser_dir = "browser" in item.path.parts[-2:-1]
        uses_browser = "browser" in getattr(item, "fixturenames", ())
        if (in_browser_dir or uses_browser) and item.get_closest_marker("browser") is None:
            raise pytest.UsageError(f"{item.nodeid} starts Chromium but has no @pytest.mark.browser")
