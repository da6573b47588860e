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
    """A database sorted with the old keys (upgraded from 0002) gets today's fold/sort keys from migration 0003.
    The rows are written with the 0002 columns only, so later columns of the models do not matter here."""
    from sqlalchemy import text

    from portal.services.registry.identity import name_sort_key
    with scratch_database(tmp_path) as uri:
        app = create_app(_config(uri))
        with app.app_context():
            upgrade(directory=MIGRATIONS, revision="0002")
            db.session.execute(text("INSERT INTO administrative_unit (code, name, level, valid_from) "
                                    "VALUES ('30322', 'Phường Vĩnh Mỹ', 'commune', '2008-01-01')"))
            db.session.execute(text("INSERT INTO category (code, name, legal_ref, sensitive) "
                                    "VALUES ('K5c', 'Người từ đủ 80 tuổi', 'NĐ 20/2021', false)"))
            ids = {}
            for n, (name, born) in enumerate((("Lê Thị Ánh", "1940-03-01"), ("Trần Văn Bé", "1941-05-02")), 1):
                ids[name] = db.session.execute(text(
                    "INSERT INTO beneficiary (commune_code, full_name, name_fold, name_sort, birth_date, birth_year,"
                    " gender, national_id, category_code, children_count, start_month, status, payment_channel,"
                    " created_at, updated_at) VALUES ('30322', :name, 'stale', '99', :born, :year, 'female', :nid,"
                    " 'K5c', 1, '2024-01-01', 'active', 'cash_at_point', '2024-01-01 00:00:00',"
                    " '2024-01-01 00:00:00') RETURNING id"),
                    {"name": name, "born": born, "year": int(born[:4]), "nid": f"08900000000{n}"}).scalar_one()
            db.session.commit()
            upgrade(directory=MIGRATIONS)
            rows = dict(db.session.execute(text("SELECT id, name_sort || '|' || name_fold FROM beneficiary")).all())
            assert rows[ids["Lê Thị Ánh"]] == name_sort_key("Lê Thị Ánh") + "|le thi anh"
            assert rows[ids["Trần Văn Bé"]] == name_sort_key("Trần Văn Bé") + "|tran van be"
            db.session.remove()
            db.engine.dispose()



def test_0010_gives_district_offices_the_contract_duty_and_the_department_its_recipients(tmp_path):
    """Data of a database at 0009: the district office managing payouts gains ``post_office_contract``; Sở Y tế
    (symbol SYT) gets "Bộ Y tế; UBND tỉnh An Giang; Lưu: VT"."""
    from sqlalchemy import text
    with scratch_database(tmp_path) as uri:
        app = create_app(_config(uri))
        with app.app_context():
            upgrade(directory=MIGRATIONS, revision="0009")
            with db.engine.begin() as conn:
                conn.execute(text("INSERT INTO administrative_unit (code, gso_code, name, level, valid_from) VALUES "
                                  "('884', '884', 'Thành phố Châu Đốc', 'district', '2008-01-01'), "
                                  "('91', '91', 'Tỉnh An Giang', 'province', '2025-07-01')"))
                conn.execute(text("INSERT INTO organization (kind, name, unit_code, duties, symbol, active) VALUES "
                                  "('district_office', 'Phòng LĐTBXH', '884', 'payout_management', NULL, true), "
                                  "('province_department', 'Sở Y tế', '91', 'oversight,report_receiving', 'SYT', true)"
                                  ))
            upgrade(directory=MIGRATIONS)
            with db.engine.connect() as conn:
                rows = conn.execute(text("SELECT kind, duties, report_recipients FROM organization ORDER BY kind"))
                assert rows.all() == [
                    ("district_office", "payout_management,post_office_contract", None),
                    ("province_department", "oversight,report_receiving", "Bộ Y tế; UBND tỉnh An Giang; Lưu: VT")]
            db.engine.dispose()
