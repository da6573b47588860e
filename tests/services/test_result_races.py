"""Recording a payout line's result is a guarded update: of several "Đã chi" at once on one line, one changes it
and writes the one audit entry; a different result recorded meanwhile is refused, not overwritten."""
import threading
from datetime import date

import pytest
from sqlalchemy import func, select, text

from portal.errors import StateError
from portal.extensions import db
from portal.models import AuditEvent, PayoutLine
from portal.services.demo import user_by_username as user
from portal.services.payouts.results import record_result
from tests.conftest import ON_POSTGRES, pinned_clock
from tests.factories import chau_doc_people, run_to_accepted

pytestmark = pinned_clock
PAID_ON = date(2024, 8, 5)


@pytest.fixture
def line(app):
    chau_doc_people()
    return run_to_accepted()["cash_at_point"].lines[0]


def _entries(line_id: int) -> int:
    return db.session.execute(select(func.count(AuditEvent.id)).where(
        AuditEvent.object_type == "payout_line", AuditEvent.object_id == line_id,
        AuditEvent.action == "record_result")).scalar_one()


def _paid_from_another_connection(line_id: int, **values):
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE payout_line SET result=:r, paid_on=:d WHERE id=:i AND result='pending'"),
                     {"r": values.get("result", "paid"), "d": values.get("paid_on", PAID_ON), "i": line_id})


def test_the_same_result_recorded_meanwhile_writes_no_second_entry(line):
    post = user("buudien.chaudoc")
    db.session.commit()
    _paid_from_another_connection(line.id)
    assert line.result == "pending"  # stale in this session, as in a request that read it first
    record_result(post, line, "paid", paid_on=PAID_ON)
    db.session.commit()
    assert _entries(line.id) == 0 and line.result == "paid"
    record_result(post, line, "paid", paid_on=PAID_ON)  # a double click
    assert _entries(line.id) == 0


def test_a_different_result_recorded_meanwhile_is_refused(line):
    post = user("buudien.chaudoc")
    db.session.commit()
    _paid_from_another_connection(line.id)
    with pytest.raises(StateError, match="vừa được người khác ghi khác đi"):
        record_result(post, line, "failed", reason_code="absent")
    db.session.rollback()
    assert db.session.get(PayoutLine, line.id).result == "paid"


def test_a_real_change_writes_one_entry(line):
    post = user("buudien.chaudoc")
    record_result(post, line, "paid", paid_on=PAID_ON)
    db.session.commit()
    assert _entries(line.id) == 1
    assert db.session.get(PayoutLine, line.id).paid_on == PAID_ON


@pytest.mark.skipif(not ON_POSTGRES, reason="real concurrent writers need PostgreSQL")
def test_ten_concurrent_mark_paid_write_one_entry(app, line):
    line_id = line.id
    db.session.commit()
    barrier = threading.Barrier(10)
    errors = []

    def mark():
        with app.app_context():
            try:
                post = user("buudien.chaudoc")
                stale = db.session.get(PayoutLine, line_id)
                barrier.wait()
                record_result(post, stale, "paid", paid_on=PAID_ON)
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 — collected for the assertion
                errors.append(repr(exc))
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=mark) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _entries(line_id) == 1
