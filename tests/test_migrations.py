"""Migrations: one head, and ``upgrade`` from an empty database gives exactly the models' schema (on SQLite, and on
PostgreSQL when TEST_DATABASE_URL points there)."""
import os

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import upgrade

from portal import create_app
from portal.extensions import db
from tests.conftest import _config, scratch_database

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
    with scratch_database(tmp_path) as uri:
        app = create_app(_config(uri))
        with app.app_context():
            upgrade(directory=MIGRATIONS)
            with db.engine.connect() as conn:
                diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
            assert diffs == [], diffs
            assert {"beneficiary", "payout_line", "payout_list", "audit_event", "import_batch"} <= set(
                db.metadata.tables)
            db.engine.dispose()


def test_upgrade_to_0003_refreshes_stale_name_keys(tmp_path):
    """A database sorted with the old keys (upgraded from 0002) gets today's fold/sort keys from migration 0003."""
    from datetime import date

    from sqlalchemy import text

    from portal.services.reference_data import load_reference
    from portal.services.registry.identity import name_sort_key
    from tests.factories import make_beneficiary
    with scratch_database(tmp_path) as uri:
        app = create_app(_config(uri))
        with app.app_context():
            upgrade(directory=MIGRATIONS, revision="0002")
            later = _add_later_columns()  # today's models write columns of later revisions
            for code, name, level, parent in (("89", "Tỉnh An Giang", "province", None),  # the 0002 unit columns
                                              ("884", "Thành phố Châu Đốc", "district", "89"),
                                              ("30322", "Phường Vĩnh Mỹ", "commune", "884")):
                db.session.execute(text("INSERT INTO administrative_unit (code, name, level, parent_code, valid_from)"
                                        " VALUES (:c, :n, :l, :p, '2004-01-01')"),
                                   {"c": code, "n": name, "l": level, "p": parent})
            load_reference()
            person = make_beneficiary("Lê Thị Ánh", birth_date=date(1940, 3, 1))
            fresh = make_beneficiary("Trần Văn Bé", birth_date=date(1941, 5, 2))
            db.session.execute(text("UPDATE beneficiary SET name_sort = '99', name_fold = 'stale' WHERE id = :id"),
                               {"id": person.id})
            db.session.commit()
            for table, column in later:  # back to revision 0002's tables before upgrading
                db.session.execute(text(f'ALTER TABLE "{table}" DROP COLUMN "{column}"'))
            db.session.commit()
            upgrade(directory=MIGRATIONS)
            rows = dict(db.session.execute(text("SELECT id, name_sort || '|' || name_fold FROM beneficiary")).all())
            assert rows[person.id] == name_sort_key("Lê Thị Ánh") + "|le thi anh"
            assert rows[fresh.id] == name_sort_key("Trần Văn Bé") + "|tran van be"
            db.session.remove()
            db.engine.dispose()


def _add_later_columns() -> list[tuple[str, str]]:
    """Add, as plain nullable columns, the model columns a database at an older revision lacks (added by later
    revisions, e.g. ``organization.representative_name``), so that today's models can seed it; returns them as
    ``(table, column)`` for the caller to drop again. Only columns of tables the database already has."""
    from sqlalchemy import inspect, text
    inspector = inspect(db.engine)
    tables = set(inspector.get_table_names())
    added = []
    for table in db.metadata.sorted_tables:
        if table.name not in tables:
            continue
        have = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in have:
                kind = column.type.compile(dialect=db.engine.dialect)
                db.session.execute(text(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}'))
                added.append((table.name, column.name))
    db.session.commit()
    return added
