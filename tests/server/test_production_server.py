"""The documented production process, end to end over HTTP: ``make serve`` (honcho → gunicorn with 2 workers from
``gunicorn.conf.py`` + the RQ worker) on PostgreSQL and Redis. A district builds the 08/2024 lists, the commune
confirms them, the approver approves, and the PDF of the account list is rendered by the RQ worker and downloaded.
Then the database is backed up and restored with ``scripts/backup.sh`` / ``scripts/restore.sh`` and the copy is
compared.

Runs only as ``make test-server`` (``SERVER_TEST=1``; CI runs it): it starts real processes and needs PostgreSQL
(``SERVER_TEST_DATABASE_URL`` server, default the machine's) and Redis (``SERVER_TEST_REDIS_URL``).
"""
import http.cookiejar
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg
import pytest

if os.environ.get("SERVER_TEST") != "1":
    pytest.skip("production-server run: `make test-server`", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
SERVER = os.environ.get("SERVER_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres").rsplit("/", 1)[0]
REDIS_URL = os.environ.get("SERVER_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")
DB_NAME, RESTORED_NAME = "asxh_server_test", "asxh_server_test_restored"
SAMPLE = ROOT / "samples" / "2024-07_phuong-vinh-my_ds-doi-tuong.xlsx"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


def _recreate(name: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _drop(name: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """A cookie-keeping HTTP client that sends the page's CSRF token with each POST, as a form would."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.token = None

    def get(self, path: str):
        with self.opener.open(self.base + path, timeout=60) as resp:
            body = resp.read()
            ctype = resp.headers.get("Content-Type", "")
            if ctype.startswith("text/html"):
                found = CSRF.search(body.decode())
                if found:
                    self.token = found.group(1) or found.group(2)
            return resp.status, ctype, body, resp.url

    def post(self, path: str, data: dict | None = None):
        fields = dict(data or {}, csrf_token=self.token)
        request = urllib.request.Request(self.base + path, data=urllib.parse.urlencode(fields).encode(),
                                         headers={"X-CSRFToken": self.token or ""})
        with self.opener.open(request, timeout=120) as resp:
            return resp.status, resp.read().decode(), resp.url

    def login(self, username: str) -> None:
        self.get("/login")
        _status, _body, url = self.post("/login", {"username": username, "password": "demo1234"})
        assert "/login" not in url, f"{username} could not log in"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("server")
    _recreate(DB_NAME)
    env = dict(os.environ, DATABASE_URL=f"{SERVER.replace('postgresql:', 'postgresql+psycopg:')}/{DB_NAME}",
               REDIS_URL=REDIS_URL, SECRET_KEY=secrets.token_urlsafe(48), SIGNING_CERT_DIR=str(tmp / "certs"),
               PORT=str(_free_port()), HOST="127.0.0.1", WEB_WORKERS="2", PATH=f"{VENV_BIN}:{os.environ['PATH']}",
               PUBLIC_BASE_URL="https://asxh.example.vn")
    env.pop("TEST_DATABASE_URL", None)
    subprocess.run([str(VENV_BIN / "python"), "-c", f"import redis; redis.Redis.from_url({REDIS_URL!r}).flushdb()"],
                   check=True)
    flask = [str(VENV_BIN / "flask"), "--app", "wsgi"]
    for args in (["db", "upgrade"], ["seed-demo"], ["dev-ca", "--out", str(tmp / "certs")],
                 ["import-beneficiaries", "--commune", "30322", str(SAMPLE)]):
        subprocess.run(flask + args, cwd=ROOT, env=env, check=True, capture_output=True)
    log = open(tmp / "server.log", "wb")
    proc = subprocess.Popen([str(VENV_BIN / "honcho"), "start", "-f", "Procfile"], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{env['PORT']}"
    try:
        _wait_healthy(base, proc, tmp / "server.log")
        yield {"base": base, "env": env, "log": tmp / "server.log", "tmp": tmp}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
        _drop(DB_NAME)
        _drop(RESTORED_NAME)


def _wait_healthy(base: str, proc, log_path: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError("server exited:\n" + log_path.read_text(errors="replace")[-3000:])
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5) as resp:
                if resp.status == 200:
                    return
        except OSError:  # refused while booting, or a slow first answer
            pass
        time.sleep(0.5)
    raise AssertionError("no healthy answer in 120 s:\n" + log_path.read_text(errors="replace")[-3000:])


def _lists_of_month(browser: Browser) -> list[int]:
    _status, _ctype, body, _url = browser.get("/huyen/?thang=2024-08")
    return sorted({int(i) for i in re.findall(r'href="/huyen/chi-tra/(\d+)"', body.decode())})


def test_cycle_over_http_on_gunicorn_with_rq_worker(server):
    base = server["base"]
    office = Browser(base)
    office.login("pld.chaudoc")
    office.get("/huyen/?thang=2024-08")
    status, _body, _url = office.post("/huyen/chi-tra/lap", {"month": "2024-08"})
    assert status == 200
    list_ids = _lists_of_month(office)
    assert list_ids, "no list built"

    commune = Browser(base)
    commune.login("xa.vinhmy")
    for list_id in list_ids:
        commune.get(f"/xa/chi-tra/{list_id}")
        assert commune.post(f"/xa/chi-tra/{list_id}/xac-nhan")[0] == 200

    approver = Browser(base)
    approver.login("pld.chaudoc.duyet")
    for list_id in list_ids:
        approver.get(f"/huyen/chi-tra/{list_id}")
        assert approver.post(f"/huyen/chi-tra/{list_id}/phe-duyet")[0] == 200
    page = approver.get(f"/huyen/chi-tra/{list_ids[0]}")[2].decode()
    assert "Đã phê duyệt" in page

    pdf = _download_pdf(approver, list_ids[0], server["log"])
    assert pdf.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    text = text.decode()
    assert "DANH SÁCH" in text
    assert "Phường Vĩnh Mỹ" in text or "PHƯỜNG VĨNH MỸ" in text
    log = server["log"].read_text(errors="replace")
    assert log.count("Booting worker with pid") == 2  # gunicorn as configured: 2 web workers
    assert "Successfully completed portal.worker.run_job_rq" in log  # the RQ worker, not the web process, rendered
    assert not re.search(r"\b\d{12}\b", log), "an ID number reached the server log"


def _download_pdf(browser: Browser, list_id: int, log_path: Path) -> bytes:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        status, ctype, body, _url = browser.get(f"/van-ban/danh-sach-chi-tra/{list_id}.pdf")
        assert status == 200
        if ctype.startswith("application/pdf"):
            return body
        assert "Không thành công" not in body.decode(), log_path.read_text(errors="replace")[-3000:]
        time.sleep(1)
    raise AssertionError("PDF not ready in 180 s:\n" + log_path.read_text(errors="replace")[-3000:])


def test_backup_restores_into_a_new_database_with_the_same_rows(server):
    dump = server["tmp"] / "asxh.dump"
    env = server["env"]
    subprocess.run(["bash", str(ROOT / "scripts" / "backup.sh"), str(dump)], env=env, check=True, cwd=ROOT)
    _drop(RESTORED_NAME)
    subprocess.run(["bash", str(ROOT / "scripts" / "restore.sh"), str(dump), f"{SERVER}/{RESTORED_NAME}"],
                   env=env, check=True, cwd=ROOT)
    counts = {}
    for name in (DB_NAME, RESTORED_NAME):
        with psycopg.connect(f"{SERVER}/{name}") as conn:
            counts[name] = tuple(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
                                 for table in ("beneficiary", "payout_line", "audit_event", "alembic_version"))
    assert counts[DB_NAME][0] == 340
    assert counts[RESTORED_NAME] == counts[DB_NAME]
    restored_env = dict(env, DATABASE_URL=f"{SERVER.replace('postgresql:', 'postgresql+psycopg:')}/{RESTORED_NAME}")
    current = subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", "db", "current"], env=restored_env, cwd=ROOT,
                             capture_output=True, text=True, check=True)
    assert "(head)" in current.stdout, current.stdout + current.stderr


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
