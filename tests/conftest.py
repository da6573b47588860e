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
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url

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


#: test databases are thrown away, so their commits need not reach the disk: PostgreSQL without waiting for the WAL
#: flush, SQLite without fsync (production keeps the durable defaults)
_NO_FSYNC_POSTGRES = {"connect_args": {"options": "-c synchronous_commit=off"}}


def _config(uri: str):
    options = {**TestConfig.SQLALCHEMY_ENGINE_OPTIONS, **(_NO_FSYNC_POSTGRES if uri.startswith("postgresql") else {})}
    return type("PerTestConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": uri, "SQLALCHEMY_ENGINE_OPTIONS": options})


@event.listens_for(Engine, "connect")
def _sqlite_without_fsync(dbapi_conn, _record):
    if type(dbapi_conn).__module__.startswith("sqlite3"):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA synchronous=OFF")
        cur.close()


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
        _close_pg_pool()  # copies made ahead of this template go first
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("tpl") / "template.db"
        _build(f"sqlite:///{path}")
        yield str(path)


class _PgDatabases:
    """Per-test PostgreSQL databases made ahead and dropped behind, off the test's path.

    ``CREATE DATABASE … TEMPLATE`` takes a few tenths of a second and ``DROP DATABASE`` waits for a checkpoint (about a
    second or two on a busy disk), so doing both inside each test costs more than most tests themselves. Here the next
    copy of a template is created in a background thread while a test runs, and finished databases are dropped by a
    small pool of threads whose drops share checkpoints; ``close`` waits for every drop."""

    def __init__(self, admin_url: str):
        from concurrent.futures import ThreadPoolExecutor
        self.admin = _pg_admin(admin_url)
        self.makers = ThreadPoolExecutor(max_workers=1)
        self.droppers = ThreadPoolExecutor(max_workers=4)
        self.ahead: dict[str | None, object] = {}  # template → future of the next database's name
        self.drops = []

    def _create(self, template: str | None) -> str:
        name = f"asxh_t_{uuid.uuid4().hex[:10]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
        return name

    def _drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def take(self, template: str | None) -> str:
        """A new database (a copy of ``template``, or empty); the next one is started at once."""
        future = self.ahead.pop(template, None)
        name = future.result() if future is not None else self._create(template)
        if template is not None:
            self.ahead[template] = self.makers.submit(self._create, template)
        return name

    def give_back(self, name: str) -> None:
        """Drop ``name`` in the background."""
        self.drops.append(self.droppers.submit(self._drop, name))

    def close(self) -> None:
        """Drop what was made ahead and wait for every drop."""
        for future in self.ahead.values():
            self.give_back(future.result())
        self.ahead.clear()
        self.makers.shutdown(wait=True)
        for future in self.drops:
            future.result()
        self.droppers.shutdown(wait=True)
        self.admin.dispose()


_pg_databases: _PgDatabases | None = None


def _pg_pool() -> _PgDatabases:
    global _pg_databases
    if _pg_databases is None:
        _pg_databases = _PgDatabases(TEST_DATABASE_URL)
    return _pg_databases


def _close_pg_pool() -> None:
    global _pg_databases
    if _pg_databases is not None:
        _pg_databases.close()
        _pg_databases = None


def pytest_sessionfinish(session, exitstatus):
    """Wait for the per-test PostgreSQL databases still being dropped."""
    _close_pg_pool()


@contextmanager
def scratch_database(tmp_path, template: str | None = None):
    """URI of a new database for one test, removed afterwards: a copy of ``template`` (the seeded template from
    ``template_db``) or, without one, an empty database."""
    if ON_POSTGRES:
        pool = _pg_pool()
        name = pool.take(template)
        try:
            yield make_url(TEST_DATABASE_URL).set(drivername="postgresql+psycopg", database=name).render_as_string(
                hide_password=False)
        finally:
            pool.give_back(name)
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
