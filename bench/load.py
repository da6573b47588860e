"""Benchmark: the documented production server under load (tải đồng thời), loopback only.

Starts gunicorn exactly as ``make serve`` does (``gunicorn.conf.py``: ``WEB_WORKERS`` × ``WEB_THREADS``, default 2 × 4,
gthread) on a scratch database holding the demo and the 08/2024 cycle of Phường Vĩnh Mỹ (``flask demo-cycle``), logs
in as the commune (``xa.vinhmy``) and the district (``pld.chaudoc``), and drives 50 concurrent keep-alive clients
with ``wrk`` for ``--seconds`` (default 20): half the requests are the commune register's search fragment
(``GET /xa/?q=nguyen`` with ``HX-Request``), half the district's payout-list page (``GET /huyen/chi-tra/<id>``),
each with its own session cookie and ``Accept-Encoding: gzip`` as a browser sends.

Prints the configuration, requests/s, p50/p95/p99 latency and errors (non-2xx, timeouts, socket errors) for SQLite
and, when ``BENCH_DATABASE_URL`` is a ``postgresql://`` URL, PostgreSQL. Goal: p95 ≤ 100 ms with 0 errors. Debian's
``wrk`` is installed with apt when missing (root only). ``--db sqlite|postgresql`` picks one. The load generator runs
on the same 2-core machine, so the figures are a floor, not a capacity. Run:
``.venv/bin/python bench/load.py [--seconds 20] [--connections 50]``.
"""
import argparse
import http.cookiejar
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
SAMPLES = [ROOT / "samples" / "2024-07_phuong-vinh-my_ds-doi-tuong.xlsx",
           ROOT / "samples" / "2024-08_agribank-chau-doc_tk-mo-moi.xlsx"]
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
GOAL_P95_MS = 100

WRK_SCRIPT = r"""
local paths = {}
local cookies = {}
init = function(args)
  paths = {args[1], args[3]}
  cookies = {args[2], args[4]}
end
local n = 0
request = function()
  n = n + 1
  local i = (n % 2) + 1
  local headers = {["Cookie"] = cookies[i], ["Accept-Encoding"] = "gzip"}
  if i == 1 then headers["HX-Request"] = "true" end
  return wrk.format("GET", paths[i], headers)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d max_us=%d " ..
    "connect=%d read=%d write=%d status=%d timeout=%d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def wrk_binary() -> str | None:
    """Path of ``wrk``; installs Debian's ``wrk`` with apt when missing (root only)."""
    found = shutil.which("wrk")
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    print("wrk missing: installing it with apt (once)…", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env, check=False, stdout=subprocess.DEVNULL)
    return shutil.which("wrk")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def login(base: str, username: str) -> str:
    """Log in like the form does; returns the ``Cookie`` header value of the session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login", timeout=30).read().decode()
    token = CSRF.search(page).group(1)
    data = urllib.parse.urlencode({"username": username, "password": "demo1234", "csrf_token": token}).encode()
    opener.open(base + "/login", data=data, timeout=30).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def prepare(env: dict) -> None:
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(flask + ["demo-cycle", "--month", "2024-08", "--out", out, *map(str, SAMPLES)], cwd=ROOT,
                       env=env, check=True, stdout=subprocess.DEVNULL)


def first_list_id(base: str, cookie: str) -> int:
    request = urllib.request.Request(base + "/huyen/?thang=2024-08", headers={"Cookie": cookie})
    page = urllib.request.urlopen(request, timeout=30).read().decode()
    return int(re.search(r'href="/huyen/chi-tra/(\d+)"', page).group(1))


def workers_cpu_seconds(master_pid: int) -> float:
    """CPU seconds (user + system) used so far by the worker processes of the gunicorn ``master_pid``: the live ones
    and those recycled (``max_requests``) and reaped by the master. Linux ``/proc``; 0.0 elsewhere."""
    if not Path(f"/proc/{master_pid}/stat").exists():
        return 0.0
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # from the state on: ppid is [1], utime [11]
        except OSError:
            continue
        if stat.parent.name == str(master_pid):
            total += int(fields[13]) + int(fields[14])  # cutime + cstime: workers already reaped
        elif int(fields[1]) == master_pid:
            total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / os.sysconf("SC_CLK_TCK")


def wait_healthy(base: str, proc) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("gunicorn exited")
        try:
            if urllib.request.urlopen(base + "/healthz", timeout=5).status == 200:
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("gunicorn not healthy in 120 s")


def run(label: str, database_url: str, seconds: int, connections: int, wrk: str) -> None:
    port = free_port()
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY=secrets.token_urlsafe(48), PORT=str(port),
               HOST="127.0.0.1", PATH=f"{BIN}:{os.environ['PATH']}")
    env.setdefault("WEB_WORKERS", "2")
    env.setdefault("WEB_THREADS", "4")
    for key in ("REDIS_URL", "TEST_DATABASE_URL"):
        env.pop(key, None)
    prepare(env)
    server = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null",
                               "wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, server)
        commune, district = login(base, "xa.vinhmy"), login(base, "pld.chaudoc")
        list_path = f"/huyen/chi-tra/{first_list_id(base, district)}"
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_SCRIPT)
        threads = min(2, connections)
        subprocess.run([wrk, "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
                        "-s", script.name, base, "--", "/xa/?q=nguyen", commune, list_path, district],
                       check=True, capture_output=True, text=True)  # warm-up run, discarded
        load_before = os.getloadavg()[0]
        cpu_before = workers_cpu_seconds(server.pid)
        result = subprocess.run([wrk, "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout",
                                 "10s", "-s", script.name, base, "--", "/xa/?q=nguyen", commune, list_path,
                                 district], check=True, capture_output=True, text=True).stdout
        cpu = workers_cpu_seconds(server.pid) - cpu_before
        os.unlink(script.name)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    figures = dict(pair.split("=") for pair in re.search(r"RESULT (.*)", result).group(1).split())
    figures = {k: int(v) for k, v in figures.items()}
    rps = figures["requests"] / (figures["duration_us"] / 1e6)
    errors = sum(figures[k] for k in ("connect", "read", "write", "status", "timeout"))
    p95 = figures["p95_us"] / 1000
    print(f"{label}: gunicorn {env['WEB_WORKERS']} workers × {env['WEB_THREADS']} threads (gthread), wrk "
          f"{threads} threads × {connections} connections, {seconds} s, GET /xa/?q=nguyen (htmx) + GET {list_path}")
    print(f"  {rps:.0f} requests/s, p50 {figures['p50_us'] / 1000:.0f} ms, p95 {p95:.0f} ms, "
          f"p99 {figures['p99_us'] / 1000:.0f} ms, max {figures['max_us'] / 1000:.0f} ms, errors {errors} "
          f"(non-2xx {figures['status']}, timeouts {figures['timeout']}); load before {load_before:.1f} — goal p95 ≤ "
          f"{GOAL_P95_MS} ms, 0 errors: {'met' if p95 <= GOAL_P95_MS and errors == 0 else 'MISSED'}", flush=True)
    per_request = cpu / figures["requests"] * 1000 if figures["requests"] else 0.0
    cores = os.cpu_count() or 1
    if per_request:
        # Little's law: with clients that never pause, the mean latency is connections / throughput, so a p95 of
        # GOAL_P95_MS needs at least connections / GOAL_P95_MS requests a second, whatever the server does.
        print(f"  workers' CPU {per_request:.1f} ms a request: {cores} cores serve at most "
              f"{cores * 1000 / per_request:.0f} requests/s (load generator not counted); a mean latency of "
              f"{GOAL_P95_MS} ms with {connections} clients needs {connections * 1000 / GOAL_P95_MS:.0f} requests/s, "
              f"that is at most {cores * GOAL_P95_MS / connections:.1f} ms of CPU a request", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--db", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    wrk = wrk_binary()
    if wrk is None:
        print("wrk not available (apt-get install wrk): load run skipped")
        return 0
    pg_url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or ""
    with tempfile.TemporaryDirectory() as tmp:
        if args.db in (None, "sqlite"):
            run("SQLite", f"sqlite:///{tmp}/load.db", args.seconds, args.connections, wrk)
    if args.db in (None, "postgresql") and pg_url.startswith("postgresql"):
        server = pg_url.replace("postgresql+psycopg:", "postgresql:").rsplit("/", 1)[0]
        name = f"asxh_bench_load_{secrets.token_hex(4)}"  # two runs on one server do not meet
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            run("PostgreSQL", f"{server.replace('postgresql:', 'postgresql+psycopg:')}/{name}", args.seconds,
                args.connections, wrk)
        finally:
            with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    sys.exit(main())
