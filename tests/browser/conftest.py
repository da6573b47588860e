"""Browser fixtures: a real server process on a fresh SQLite file (migrated with ``flask db upgrade`` and seeded with
``seed-demo``, exactly as ``make run`` does) and Playwright driving Debian's Chromium (``/usr/bin/chromium``)."""
import fcntl
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHROMIUM = "/usr/bin/chromium"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _flask(flask: list[str], args: list[str], env: dict) -> None:
    """Run one ``flask --app wsgi`` set-up command; on failure show its output (the CalledProcessError hides it)."""
    done = subprocess.run(flask + args, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        pytest.fail(f"`flask {' '.join(args)}` failed ({done.returncode}):\n{done.stdout[-3000:]}\n"
                    f"{done.stderr[-6000:]}", pytrace=False)


def _copy_database(source: str, target) -> None:
    """Copy an SQLite file with its write-ahead log, if one was left."""
    shutil.copy(source, target)
    if os.path.exists(source + "-wal"):
        shutil.copy(source + "-wal", str(target) + "-wal")


def _shared_dir(tmp_path_factory):
    """A folder every test process of the session sees (xdist workers share their base folder's parent)."""
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "live-templates"
    shared.mkdir(exist_ok=True)
    return shared


def _set_up_database(setup: tuple, tmp_path_factory, env: dict, flask: list[str]) -> str:
    """Path of a database file migrated with ``flask db upgrade``, seeded with ``seed-demo`` and then given ``setup``'s
    commands, made once per test session for each distinct ``setup`` (the browser modules copy it): the first process
    to need it makes it under a lock, the others wait and use it. A set-up extends the database of its commands but
    the last (``[import]`` is shared by ``[import, apply-reform]``)."""
    name = hashlib.sha256(repr(setup).encode()).hexdigest()[:16]
    folder = _shared_dir(tmp_path_factory)
    path, done = folder / f"{name}.db", folder / f"{name}.done"
    with open(folder / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            if setup:
                _copy_database(_set_up_database(setup[:-1], tmp_path_factory, env, flask), path)
            run_env = dict(env, DATABASE_URL=f"sqlite:///{path}")
            for args in ([setup[-1]] if setup else [("db", "upgrade"), ("seed-demo",)]):
                _flask(flask, list(args), run_env)
            done.touch()
    return str(path)


@pytest.fixture(scope="module")
def live_server(request, tmp_path_factory):
    """Base URL of a portal server process on its own seeded database.

    The database is made as ``make run`` makes it (``flask db upgrade``, ``seed-demo``); a test module may set
    ``LIVE_SERVER_SETUP``: a list of further ``flask --app wsgi`` commands (argument lists) run after ``seed-demo``,
    e.g. ``[["import-beneficiaries", "--commune", "30322", VINH_MY_FILE]]``. Each distinct set-up is made once per test
    session and copied for each module. ``REDIS_URL`` is removed from the server's environment: background jobs run
    in the web process's thread pool, as in production without Redis (``JOBS_SYNC`` stays off)."""
    live_dir = tmp_path_factory.mktemp("live")
    db_file = live_dir / "portal.db"
    env = dict(os.environ, SECRET_KEY="browser-test-" + "k" * 40)
    for name in ("TEST_DATABASE_URL", "REDIS_URL", "FLASK_DEBUG"):
        env.pop(name, None)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    setup = tuple(tuple(args) for args in getattr(request.module, "LIVE_SERVER_SETUP", ()))
    _copy_database(_set_up_database(setup, tmp_path_factory, env, flask), db_file)
    env["DATABASE_URL"] = f"sqlite:///{db_file}"
    port = _free_port()
    log = open(live_dir / "server.log", "wb")  # the server's own log, for a failing test's post-mortem
    request.module._live_server_log = live_dir / "server.log"  # shown by pytest_runtest_makereport on failure
    request.module._live_server_db = db_file  # for a module that sets up rows through the services
    proc = subprocess.Popen(flask + ["run", "--port", str(port), "--no-reload"], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(900):  # up to ~90 s on a busy machine
        try:
            urllib.request.urlopen(url + "/login", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        log.close()
        raise RuntimeError("the portal server did not start:\n" + (live_dir / "server.log").read_text()[-4000:])
    yield url
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing browser test shows the last lines of the portal server's log (requests, statuses, tracebacks)."""
    outcome = yield
    report = outcome.get_result()
    log_path = getattr(item.module, "_live_server_log", None)
    if report.failed and log_path is not None and os.path.exists(log_path):
        with open(log_path, "rb") as fh:
            tail = fh.read()[-8000:].decode("utf-8", "replace")
        report.sections.append(("portal server log (tail)", tail))


@pytest.fixture(scope="session")
def browser():
    """A headless Debian Chromium driven by Playwright, one per test process (each test opens its own context)."""
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian chromium is missing: run `make install`")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        yield b
        b.close()
