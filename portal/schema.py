"""The database schema (lược đồ cơ sở dữ liệu) as the command line meets it: is it there, is it current, and bring it
up to date. Commands that set a database up (``seed-demo``, ``seed-reference``, ``demo-cycle``) call
``ensure_current``; every other command that reads tables calls ``require_current``, so a database that was never
migrated gives one Vietnamese line naming the command to run, never a traceback for a missing table."""
import functools
import sys

import click
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import upgrade
from sqlalchemy import inspect

from .errors import PortalError
from .extensions import db

UPGRADE_COMMAND = "flask --app wsgi db upgrade"


class SchemaMissing(PortalError):
    """The database has no schema, or an older one than this code needs; the message names the command to run."""


_HEADS: dict[str, frozenset[str]] = {}


def _heads() -> frozenset[str]:
    """The head revisions of the code's migration scripts, read once per process and migrations folder (reading
    them parses every script, about 20 ms: ``/healthz`` asks on every call, and the scripts do not change while the
    process runs — new code means a restart)."""
    config = current_app.extensions["migrate"].migrate.get_config()
    location = config.get_main_option("script_location")
    if location not in _HEADS:
        _HEADS[location] = frozenset(ScriptDirectory.from_config(config).get_heads())
    return _HEADS[location]


def status() -> str:
    """"current" (every table of the models is there and, where Alembic keeps a version, it is the head),
    "empty" (none of the models' tables) or "outdated" (some tables, or an older revision)."""
    with db.engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        revisions = set(MigrationContext.configure(conn).get_current_heads()) if "alembic_version" in tables else None
    wanted = set(db.metadata.tables)
    if not tables & wanted:
        return "empty"
    if not wanted <= tables:
        return "outdated"
    if revisions is not None and revisions != _heads():
        return "outdated"
    return "current"


def ensure_current() -> bool:
    """Migrate the database to the newest schema when it is empty or behind (``flask db upgrade``). Returns True
    when it migrated. A database whose tables were made without Alembic (tests) is left alone when complete."""
    if status() == "current":
        return False
    upgrade()
    db.session.remove()
    return True


def require_current() -> None:
    """Raise ``SchemaMissing`` (Vietnamese, naming the command) unless the schema is current."""
    state = status()
    if state == "empty":
        raise SchemaMissing(f"Cơ sở dữ liệu chưa được tạo. Hãy chạy: {UPGRADE_COMMAND} (rồi flask --app wsgi "
                            f"seed-reference hoặc seed-demo).")
    if state == "outdated":
        raise SchemaMissing(f"Cơ sở dữ liệu dùng lược đồ cũ hơn mã nguồn. Hãy chạy: {UPGRADE_COMMAND}")


def _exit_with(err: PortalError):
    click.echo(f"Lỗi: {err}", err=True)
    sys.exit(1)


def needs_schema(command):
    """Decorate a CLI command that reads tables: it stops with one Vietnamese line (exit 1) on a database that was
    never migrated or is behind."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            require_current()
        except SchemaMissing as err:
            _exit_with(err)
        return command(*args, **kwargs)
    return wrapper


def migrates_schema(command):
    """Decorate a CLI command that sets a database up: it first migrates an empty or older database (and says so)."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        if ensure_current():
            click.echo("Đã tạo/cập nhật lược đồ cơ sở dữ liệu (flask db upgrade).")
        return command(*args, **kwargs)
    return wrapper
