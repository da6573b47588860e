"""Writing many rows at once (ghi hàng loạt), for the work that writes tens of thousands of rows in one go (the
monthly build of a province writes ~150.000 payout lines, bench/monthly_build.py): Core ``INSERT`` executemany, or
PostgreSQL ``COPY`` (``insert_rows``), and a pause of the cyclic garbage collector (``paused_gc``). Rows go through
the session's connection, in its transaction; nothing is added to the session (no ORM bookkeeping, no
``before_flush`` listeners)."""
import functools
import gc
import json

from sqlalchemy import insert

from ..extensions import db


def insert_rows(table, rows: list[dict]) -> None:
    """Write ``rows`` (dicts with the same keys) into ``table``: ``COPY`` on PostgreSQL (``copy_rows``; executemany
    there sends one statement per row), one Core ``INSERT`` executemany elsewhere."""
    if not rows:
        return
    if db.session.get_bind().dialect.name == "postgresql":
        copy_rows(table, rows)
    else:
        db.session.execute(insert(table), rows)


def copy_rows(table, rows: list[dict]) -> None:
    """PostgreSQL: ``COPY <table> FROM STDIN`` of ``rows`` (dicts with the same keys) on the session's connection
    (same transaction) — executemany sends one statement per row. Columns missing from the rows get their scalar
    default; JSON values are dumped; ``id`` and server defaults are left to the database."""
    keys = set(rows[0])
    defaults, columns = {}, []
    for col in table.columns:
        if col.key in keys:
            columns.append(col)
        elif col.default is not None and col.default.is_scalar:
            columns.append(col)
            defaults[col.key] = col.default.arg
        elif col.default is not None and col.default.is_callable:
            columns.append(col)
            defaults[col.key] = col.default.arg(None)  # e.g. utcnow, once for the batch
    json_keys = {c.key for c in columns if isinstance(c.type, db.JSON)}
    names = ", ".join(f'"{c.name}"' for c in columns)
    raw = db.session.connection().connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
        for row in rows:
            values = []
            for c in columns:
                v = row[c.key] if c.key in row else defaults[c.key]
                if v is not None and c.key in json_keys:
                    v = json.dumps(v, ensure_ascii=False)
                values.append(v)
            copy.write_row(values)


def paused_gc(fn):
    """Decorator for bulk work that allocates hundreds of thousands of objects (the monthly build): Python's cyclic
    garbage collector is paused while ``fn`` runs (re-enabled after, if it was on) — its repeated full scans cost a
    quarter of a province build (bench/monthly_build.py). Reference counting still frees memory as usual."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()
    return wrapper
