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
    there sends one statement per row), one driver-level executemany elsewhere (``executemany_rows``)."""
    if not rows:
        return
    if db.session.get_bind().dialect.name == "postgresql":
        copy_rows(table, rows)
    else:
        executemany_rows(table, rows)


def _columns(table, keys) -> tuple[list, dict]:
    """The columns to write for rows holding ``keys``, and the values of those missing from the rows: their scalar
    default, or their callable default called once for the batch (e.g. utcnow); ``id`` and server defaults are left
    to the database."""
    defaults, columns = {}, []
    for col in table.columns:
        if col.key in keys:
            columns.append(col)
        elif col.default is not None and col.default.is_scalar:
            columns.append(col)
            defaults[col.key] = col.default.arg
        elif col.default is not None and col.default.is_callable:
            columns.append(col)
            defaults[col.key] = col.default.arg(None)
    return columns, defaults


def executemany_rows(table, rows: list[dict]) -> None:
    """``INSERT`` of ``rows`` (dicts with the same keys) as one executemany of the driver on the session's
    connection (same transaction), each value converted by its column type's own bind conversion (dates, JSON,
    Decimal) — what a Core ``insert`` executemany writes, without its per-row parameter handling, which costs more
    than SQLite's insert for the ~150.000 lines of a province build. Columns missing from the rows get their
    default (``_columns``)."""
    columns, defaults = _columns(table, rows[0])
    conn = db.session.connection()
    dialect = conn.dialect
    convert = [(c.key, c.type.dialect_impl(dialect).bind_processor(dialect)) for c in columns]
    names = ", ".join(dialect.identifier_preparer.quote(c.name) for c in columns)
    marks = ", ".join("?" for _ in columns) if dialect.paramstyle == "qmark" else None
    if marks is None:  # another driver: let SQLAlchemy format the parameters
        db.session.execute(insert(table), rows)
        return
    values = [tuple((proc(row[key] if key in row else defaults[key]) if proc else
                     (row[key] if key in row else defaults[key])) for key, proc in convert) for row in rows]
    conn.exec_driver_sql(f"INSERT INTO {dialect.identifier_preparer.format_table(table)} ({names}) "
                         f"VALUES ({marks})", values)


def copy_rows(table, rows: list[dict]) -> None:
    """PostgreSQL: ``COPY <table> FROM STDIN`` of ``rows`` (dicts with the same keys) on the session's connection
    (same transaction) — executemany sends one statement per row. Columns missing from the rows get their scalar
    default; JSON values are dumped; ``id`` and server defaults are left to the database."""
    columns, defaults = _columns(table, rows[0])
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
