"""Migrations: one head, and ``upgrade`` from an empty database gives exactly the models' schema (on SQLite, and on
PostgreSQL when TEST_DATABASE_URL points there)."""
import os
import uuid

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from portal import create_app
from portal.extensions import db
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL, _config, _pg_admin

MIGRATIONS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations")


def test_single_head():
    heads = ScriptDirectory.from_config(_alembic_config()).get_heads()
    assert len(heads) == 1, heads


def _alembic_config():
    from alembic.config import Config
    cfg = Config(os.path.join(MIGRATIONS, "alembic.ini"))
    cfg.set_main_option("script_location", MIGRATIONS)
    return cfg


def test_upgrade_from_empty_matches_models(tmp_path):
    if ON_POSTGRES:
        name = f"asxh_mig_{uuid.uuid4().hex[:8]}"
        admin = _pg_admin(TEST_DATABASE_URL)
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        uri = make_url(TEST_DATABASE_URL).set(drivername="postgresql+psycopg", database=name).render_as_string(
            hide_password=False)
    else:
        uri = f"sqlite:///{tmp_path / 'migrated.db'}"
    app = create_app(_config(uri))
    try:
        with app.app_context():
            upgrade(directory=MIGRATIONS)
            with db.engine.connect() as conn:
                diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
                tables = set(db.metadata.tables)
            assert diffs == [], diffs
            assert {"beneficiary", "payout_line", "payout_list", "audit_event", "import_batch"} <= tables
            db.engine.dispose()
    finally:
        if ON_POSTGRES:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
