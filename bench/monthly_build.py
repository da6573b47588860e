"""Benchmark: the monthly build of payout lists (lập danh sách chi trả) at province scale.

Generates a synthetic An Giang of ``--people`` beneficiaries (default 150.000; ``--district-people`` of them, default
10.000, in Thành phố Châu Đốc; ~45 % with an open bank account, some waiting for one, some paid at home) straight into
a scratch database with bulk core inserts (nothing is committed to the repository), then times
``payouts.build_lists``:

1. the district (pld.chaudoc, 10.000 people) of 08/2024 — goal ≤ 3 s;
2. the whole province of 08/2024 in one call (an organisation of the province with ``payout_management``, as in the
   two-tier set-up) — goal ≤ 30 s;
3. the district again (rebuild of its draft lists);
4. 06/2025, the last month before the reform: the province with one programme and ten months of lines behind it
   (the same work as 5. with one programme: the reference for what the second programme costs) — goal ≤ 30 s;
5. after the reform of units (07/2025), the province with both programmes (social assistance and the social
   pension, Decree 176/2025): 07/2025, the first month of the social pension, and 08/2025 — goal SQLite 10 s,
   PostgreSQL 12 s each.

What it models between the builds — a province whose monthly cycle ran, so the engine finds what a real province
leaves behind: every list of a month is settled and every line paid before the next month is built; the months
09/2024–05/2025 (not timed) are the 08/2024 lists and lines re-dated month by month, settled and paid (set-based
``INSERT … SELECT``: the synthetic register does not change between months and the standard level is 500.000 đ
throughout, so the real builds would print the same lines, except for the few people crossing an age band, whom the
copies keep at their 08/2024 band — the engine trusts a line printed at the level in force, real or copied). So
07/2025 and 08/2025 find a line for each of the 11 or 12 months before and owe no back pay: the common month. The
reform itself (``apply_reform``) is not timed here (``bench/reform.py``); the communes of a split commune, whose
people wait to be placed, are left out of the 2025 builds. On PostgreSQL the tables are analysed after each bulk
write, as autovacuum does on a production server (the test server runs without it).

Databases: SQLite (a temporary file) always; PostgreSQL too when ``BENCH_DATABASE_URL`` or ``TEST_DATABASE_URL``
is a ``postgresql://`` URL (a scratch database is created and dropped on that server). ``--db sqlite|postgresql``
picks one. Prints wall-clock figures, the CPU seconds of this process (the Python side: on SQLite nearly all of
the work) and the load average, since the machine is shared; exit status 0 even when a goal is missed (goals are
reported, ``make bench`` is not a pass/fail suite). Run:
``.venv/bin/python bench/monthly_build.py [--people N] [--profile]``.
"""
import argparse
import cProfile
import os
import pstats
import random
import sys
import tempfile
import time
import uuid
from datetime import date

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from sqlalchemy import Date, String, and_, create_engine, func, insert, literal, select, text, update  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from portal import create_app  # noqa: E402
from portal.config import Config  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.models import TREE_2025_START  # noqa: E402
from portal.services.entitlement.months import add_months  # noqa: E402

MONTH = date(2024, 8, 1)
AFTER_REFORM = date(2025, 8, 1)
DISTRICT = "884"  # Thành phố Châu Đốc
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Trương", "Bùi", "Đặng", "Đỗ", "Ngô", "Dương",
          "Lý", "Chau", "Néang", "Thạch", "Lâm"]
MIDDLE = ["Văn", "Thị", "Ngọc", "Minh", "Hữu", "Thanh", "Kim", "Hoàng", "Sóc", "Thị Thu"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Đức", "Hà", "Hạnh", "Hoa", "Hùng", "Khải", "Lan", "Lợi", "Mai", "Nam",
         "Nga", "Phúc", "Quang", "Sơn", "Tâm", "Thảo", "Thoa", "Trang", "Tuấn", "Út", "Vũ", "Xuân", "Yến", "Ánh"]
#: (weight, category, disability level, birth-year range) — combinations the seeded coefficient rules pay in 08/2024
PROFILES = [(55, "K5c", None, (1925, 1943)), (15, "K6", "especially_severe", (1960, 1995)),
            (10, "K6", "severe", (1940, 1960)), (10, "K1", None, (2010, 2020)), (10, "K8", None, (1975, 1990))]
PROVIDERS = ["VBA", "ICB", "VCB", "BIDV", "LPB"]


def _config(uri):
    return type("BenchConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": uri, "JOBS_SYNC": True, "REDIS_URL": None})


def _names():
    from portal.services.registry.identity import fold, name_sort_key
    out = []
    for f in FAMILY:
        for m in MIDDLE:
            for g in GIVEN:
                full = f"{f} {m} {g}"
                out.append((full, fold(full), name_sort_key(full)))
    return out


def generate(people: int, district_people: int, seed: int = 20240801) -> dict:
    """Insert ``people`` beneficiaries (and their accounts) with core ``insert`` executemany in batches; returns
    counts. ``district_people`` of them live in the communes of ``DISTRICT``."""
    from portal.models import AdministrativeUnit, Beneficiary, PaymentAccount
    rnd = random.Random(seed)
    communes = db.session.execute(select(AdministrativeUnit.code, AdministrativeUnit.parent_code).where(
        AdministrativeUnit.level == "commune", AdministrativeUnit.valid_from <= MONTH)).all()  # the 2024 tree
    district = [c for c, p in communes if p == DISTRICT]
    others = [c for c, p in communes if p != DISTRICT]
    names = _names()
    weights = [p[0] for p in PROFILES]
    start = db.session.execute(select(func.coalesce(func.max(Beneficiary.id), 0))).scalar() + 1
    b_rows, a_rows, accounts = [], [], 0
    for i in range(people):
        bid = start + i
        commune = rnd.choice(district) if i < district_people else rnd.choice(others)
        _, cat, level, (y0, y1) = rnd.choices(PROFILES, weights)[0]
        full, folded, sort = rnd.choice(names)
        year = rnd.randint(y0, y1)
        r = rnd.random()
        channel = "bank_account" if r < 0.55 else ("cash_at_home" if r < 0.65 else "cash_at_point")
        b_rows.append(dict(
            id=bid, commune_code=commune, full_name=full, name_fold=folded, name_sort=sort,
            birth_date=date(year, rnd.randint(1, 12), rnd.randint(1, 28)), birth_year=year,
            gender=rnd.choice(("male", "female")), national_id=f"089{bid:09d}", hamlet=f"Ấp {rnd.randint(1, 9)}",
            category_code=cat, disability_level=level, children_count=1, start_month=date(2024, 1, 1),
            status="active", payment_channel=channel,
            cash_at_home_reason="bedridden" if channel == "cash_at_home" else None))
        if channel == "bank_account" and r < 0.45:  # the rest chose an account not opened yet
            accounts += 1
            a_rows.append(dict(beneficiary_id=bid, kind="bank_account", provider_code=rnd.choice(PROVIDERS),
                               account_number=f"{7_000_000_000_000 + bid}", holder_kind="self", holder_name=full,
                               opened_on=date(2024, 7, 20)))
        if len(b_rows) >= 10_000:
            _flush_rows(Beneficiary, b_rows, PaymentAccount, a_rows)
    _flush_rows(Beneficiary, b_rows, PaymentAccount, a_rows)
    db.session.commit()
    _analyze()
    return {"people": people, "accounts": accounts, "communes": len(communes)}


def _bulk(model, rows):
    """Core executemany on SQLite; COPY on PostgreSQL (executemany there sends one statement per row)."""
    from portal.services.bulk import insert_rows
    insert_rows(model.__table__, rows)


def _flush_rows(b_model, b_rows, a_model, a_rows):
    if b_rows:
        _bulk(b_model, b_rows)
        b_rows.clear()
    if a_rows:
        _bulk(a_model, a_rows)
        a_rows.clear()


def _province_builder(unit_code: str = "89", username: str = "bench.province"):
    """A user of a province-level organisation holding ``payout_management`` (two-tier set-up): area = everything
    (the 2024 province 89, or the 2025 province 91 after the reform)."""
    from portal.models import Duty, Organization, OrgKind, User
    org = Organization(kind=OrgKind.PROVINCE, unit_code=unit_code, name="Bench: Sở (lập danh sách toàn tỉnh)",
                       duties=",".join([Duty.PAYOUT_MANAGEMENT]))
    db.session.add(org)
    db.session.flush()
    user = User(username=username, full_name="Bench Tỉnh", organization_id=org.id, password_hash="x")
    db.session.add(user)
    db.session.commit()
    return user


def _settle(month: date) -> None:
    """The month's cycle run to its end: every list of ``month`` settled, every line paid on the 10th (two UPDATEs;
    what the post office's results and the settlement leave)."""
    from portal.models import LineResult, ListStatus, PayoutLine, PayoutList
    db.session.execute(update(PayoutList).where(PayoutList.month == month).values(status=ListStatus.SETTLED.value))
    db.session.execute(update(PayoutLine).where(PayoutLine.month == month).values(
        result=LineResult.PAID.value, paid_on=month.replace(day=10)))
    db.session.commit()
    _analyze()


def _analyze() -> None:
    """PostgreSQL: ``ANALYZE``, the statistics autovacuum keeps on a production server within a minute of a bulk
    write (the test server runs with autovacuum off; without statistics the planner takes 1,6 million lines for a few
    hundred and joins them row by row). SQLite: nothing (the portal keeps no ``sqlite_stat1``)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def _repeat_month(source: date, month: date) -> int:
    """The lists and lines of ``source`` written again for ``month`` (two ``INSERT … SELECT``), settled and paid:
    the register and the level do not change between these months. Returns the number of lines."""
    from portal.models import LineResult, ListStatus, PayoutLine, PayoutList
    lists, lines = PayoutList.__table__, PayoutLine.__table__
    given = {"month": literal(month, Date), "status": literal(ListStatus.SETTLED.value, String)}
    cols = [c for c in lists.columns if c.key != "id"]
    db.session.execute(insert(lists).from_select(
        [c.key for c in cols], select(*[given.get(c.key, c) for c in cols]).where(lists.c.month == source)))
    new = lists.alias("new")
    old = lists.alias("old")
    given = {"month": literal(month, Date), "payout_list_id": new.c.id,
             "result": literal(LineResult.PAID.value, String), "paid_on": literal(month.replace(day=10), Date)}
    cols = [c for c in lines.columns if c.key != "id"]
    db.session.execute(insert(lines).from_select(
        [c.key for c in cols], select(*[given.get(c.key, c) for c in cols])
        .join(old, old.c.id == lines.c.payout_list_id)
        .join(new, and_(new.c.month == month, new.c.commune_code == old.c.commune_code,
                        new.c.channel == old.c.channel, new.c.programme == old.c.programme,
                        new.c.sequence == old.c.sequence))
        .where(lines.c.month == source)))
    db.session.commit()
    return db.session.execute(select(func.count()).select_from(lines).where(lines.c.month == month)).scalar()


def _report(rows, row):
    rows.append(row)
    engine_name, step, n, seconds, goal = row
    print(f"[{engine_name}] {step}: {n:,} lines in {seconds:.2f} s (goal {goal:.0f} s)", flush=True)


def _timed(label, fn, profile=False):
    prof = cProfile.Profile() if profile else None
    t0, c0 = time.perf_counter(), time.process_time()
    if prof:
        prof.enable()
    result = fn()
    db.session.commit()
    if prof:
        prof.disable()
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    if prof:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    print(f"  {label}: {seconds:.2f} s wall, {cpu:.2f} s CPU of this process (the load average shows how shared "
          f"the machine was: {os.getloadavg()[0]:.1f})", flush=True)
    return seconds, result


def run(uri: str, engine_name: str, people: int, district_people: int, profile: bool) -> list[tuple]:
    """Seed, generate, time the three builds on ``uri``; returns rows (engine, step, people, seconds, goal)."""
    from portal.models import PayoutLine
    from portal.services.demo import seed_demo, user_by_username
    from portal.services.payouts.build import build_lists
    app = create_app(_config(uri))
    rows = []
    with app.app_context():
        db.create_all()
        seed_demo()
        db.session.commit()
        t0 = time.perf_counter()
        counts = generate(people, district_people)
        print(f"[{engine_name}] generated {counts['people']:,} people, {counts['accounts']:,} accounts in "
              f"{counts['communes']} communes in {time.perf_counter() - t0:.1f} s", flush=True)
        district_user = user_by_username("pld.chaudoc")
        province_user = _province_builder()

        def lines():
            return db.session.execute(select(func.count()).select_from(PayoutLine)).scalar()

        s, r = _timed("district", lambda: build_lists(district_user, MONTH), profile)
        _report(rows, (engine_name, "district build (Châu Đốc)", lines(), s, 3.0))
        s, r = _timed("province", lambda: build_lists(province_user, MONTH), profile)
        _report(rows, (engine_name, "province build (one call)", lines(), s, 30.0))
        print(f"[{engine_name}] province: {len(r.lists)} lists, {len(r.exclusions)} people left off", flush=True)
        s, r = _timed("district again", lambda: build_lists(district_user, MONTH), profile)
        _report(rows, (engine_name, "district rebuild (drafts)", sum(lst.people_count for lst in r.lists), s, 3.0))
        _settle(MONTH)
        t0, m = time.perf_counter(), add_months(MONTH, 1)
        last_2024_tree = add_months(TREE_2025_START, -1)
        while m < last_2024_tree:
            n = _repeat_month(MONTH, m)
            m = add_months(m, 1)
        _analyze()
        print(f"[{engine_name}] months {add_months(MONTH, 1):%m/%Y}–{add_months(m, -1):%m/%Y} seeded settled and "
              f"paid ({n:,} lines a month) in {time.perf_counter() - t0:.1f} s", flush=True)
        # the reference for the two-programme builds: the same province, one programme, ten months of lines behind it
        s, r = _timed(f"province {last_2024_tree:%m/%Y}", lambda: build_lists(province_user, last_2024_tree), profile)
        n = db.session.execute(select(func.count()).select_from(PayoutLine).where(
            PayoutLine.month == last_2024_tree)).scalar()
        _report(rows, (engine_name, f"province {last_2024_tree:%m/%Y}, 1 programme", n, s, 30.0))
        _settle(last_2024_tree)
        _after_reform(rows, engine_name, profile)
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
    return rows


def _after_reform(rows, engine_name: str, profile: bool) -> None:
    """The province builds of 07/2025 and 08/2025 with both programmes: the reform applied (``apply_reform``, not
    timed here: ``bench/reform.py``), then one call a month for every 2025 commune nobody waits to be placed in; the
    K5c profile (born 1925–1943, no pension) is paid by the social pension at 500.000 đ. 07/2025 is settled and
    paid before 08/2025 is built. Goal: SQLite 10 s, PostgreSQL 12 s."""
    from portal.models import AdministrativeUnit, PayoutLine, PayoutList
    from portal.services.payouts.build import build_lists
    from portal.services.reform import apply_reform, unplaced_count
    apply_reform(None, TREE_2025_START)
    db.session.commit()
    _analyze()
    builder = _province_builder("91", "bench.province.2025")
    communes = [c for c in db.session.execute(select(AdministrativeUnit.code).where(
        AdministrativeUnit.level == "commune", AdministrativeUnit.valid_from >= TREE_2025_START)).scalars()
        if not unplaced_count([c], AFTER_REFORM)]
    goal = 10.0 if engine_name == "SQLite" else 12.0
    for month in (TREE_2025_START, AFTER_REFORM):
        s, r = _timed(f"province {month:%m/%Y}", lambda m=month: build_lists(builder, m, communes), profile)
        per_programme = dict(db.session.execute(select(PayoutList.programme, func.count()).join(PayoutLine).where(
            PayoutList.month == month).group_by(PayoutList.programme)).all())
        back_pay = db.session.execute(select(func.count()).select_from(PayoutLine).where(
            PayoutLine.month == month, PayoutLine.back_pay > 0)).scalar()
        _report(rows, (engine_name, f"province {month:%m/%Y}, 2 programmes", sum(per_programme.values()), s, goal))
        print(f"[{engine_name}] {month:%m/%Y}: {len(communes)} communes, lines per programme {per_programme}, "
              f"{back_pay} with back pay, {len(r.exclusions)} people left off", flush=True)
        _settle(month)


def _pg_scratch(url: str):
    base = make_url(url).set(drivername="postgresql+psycopg")
    name = f"asxh_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return admin, name, base.set(database=name).render_as_string(hide_password=False)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=150_000)
    parser.add_argument("--district-people", type=int, default=10_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of each build")
    args = parser.parse_args(argv)
    pg_url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or ""
    rows = []
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            rows += run(f"sqlite:///{tmp}/bench.db", "SQLite", args.people, args.district_people, args.profile)
    if args.db in ("postgresql", "both"):
        if not pg_url.startswith("postgresql"):
            print("PostgreSQL skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL=postgresql://…")
        else:
            admin, name, uri = _pg_scratch(pg_url)
            try:
                rows += run(uri, "PostgreSQL", args.people, args.district_people, args.profile)
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
    print(f"\nMonthly build, {args.people:,} beneficiaries ({args.district_people:,} in the district), "
          f"month {MONTH:%m/%Y}")
    print(f"{'database':<11} {'step':<28} {'lines':>9} {'seconds':>8} {'goal':>6}  ")
    for engine_name, step, n, seconds, goal in rows:
        print(f"{engine_name:<11} {step:<28} {n:>9,} {seconds:>8.2f} {goal:>5.0f}s  "
              f"{'ok' if seconds <= goal else 'OVER GOAL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
