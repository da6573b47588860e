"""Benchmark: ``apply-reform`` (the 1/7/2025 reform of administrative units as one operation) at province scale.

Generates the synthetic An Giang of ``bench/monthly_build.py`` (default 150.000 beneficiaries) in a scratch database,
then times ``services.reform.apply_reform`` for 07/2025 — goal ≤ 60 s — and its second run (nothing to move).
SQLite always; PostgreSQL too when ``BENCH_DATABASE_URL`` or ``TEST_DATABASE_URL`` is a ``postgresql://`` URL.
Exit status 0 even when a goal is missed (goals are reported). Run:
``.venv/bin/python bench/reform.py [--people N] [--db sqlite|postgresql|both]``.
"""
import argparse
import os
import sys
import tempfile
import time
from datetime import date

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from monthly_build import _config, _pg_scratch, generate  # noqa: E402
from sqlalchemy import text  # noqa: E402

from portal import create_app  # noqa: E402
from portal.extensions import db  # noqa: E402

REFORM = date(2025, 7, 1)


def run(uri: str, engine_name: str, people: int) -> list[tuple]:
    """Seed, generate, time the reform twice on ``uri``; rows (engine, step, people, wall seconds, this process's CPU
    seconds — the database server's not included — goal)."""
    from portal.services.demo import seed_demo
    from portal.services.reform import apply_reform
    app = create_app(_config(uri))
    rows = []
    with app.app_context():
        db.create_all()
        seed_demo()
        db.session.commit()
        counts = generate(people, min(10_000, people))
        print(f"[{engine_name}] generated {counts['people']:,} people", flush=True)
        t0, c0 = time.perf_counter(), time.process_time()
        plan = apply_reform(None, REFORM)
        db.session.commit()
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        moved = sum(plan.moved_per_new.values()) + sum(plan.waiting_per_old.values())
        print(f"[{engine_name}] reform: {moved:,} people from {len(plan.rows)} old communes to "
              f"{len(plan.moved_per_new)} new ones ({sum(plan.waiting_per_old.values()):,} waiting), balanced: "
              f"{plan.balanced}", flush=True)
        rows.append((engine_name, "apply-reform 07/2025", moved, seconds, cpu, 60.0))
        t0, c0 = time.perf_counter(), time.process_time()
        again = apply_reform(None, REFORM)
        db.session.commit()
        rows.append((engine_name, "apply-reform again (no-op)", again.people, time.perf_counter() - t0,
                     time.process_time() - c0, 60.0))
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=150_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args(argv)
    pg_url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or ""
    rows = []
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            rows += run(f"sqlite:///{tmp}/bench.db", "SQLite", args.people)
    if args.db in ("postgresql", "both") and pg_url.startswith("postgresql"):
        admin, name, uri = _pg_scratch(pg_url)
        try:
            rows += run(uri, "PostgreSQL", args.people)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    print(f"\n{'database':<11} {'step':<28} {'people':>9} {'seconds':>8} {'cpu s':>6} {'goal':>6}")
    for engine_name, step, n, seconds, cpu, goal in rows:
        print(f"{engine_name:<11} {step:<28} {n:>9,} {seconds:>8.2f} {cpu:>6.2f} {goal:>5.0f}s  "
              f"{'ok' if seconds <= goal else 'OVER GOAL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
