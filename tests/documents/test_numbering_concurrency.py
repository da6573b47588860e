"""The yearly register under concurrent issue (PostgreSQL, threads): every number is used once, none is skipped.
Run with ``TEST_DATABASE_URL=postgresql://…``; skipped on SQLite (which serialises writers anyway)."""
import threading
from datetime import date

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import IssuedDocument
from portal.services.demo import user_by_username
from portal.services.documents import issuing
from tests.conftest import ON_POSTGRES

pytestmark = [pytest.mark.postgres, pytest.mark.skipif(not ON_POSTGRES, reason="needs TEST_DATABASE_URL (PostgreSQL)")]
THREADS, EACH = 8, 5


def test_concurrent_issue_never_reuses_a_number(app):
    officer_id = user_by_username("pld.chaudoc").id
    db.session.commit()
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def worker():
        try:
            with app.app_context():
                start.wait()
                for _ in range(EACH):
                    officer = db.session.get(type(user_by_username("pld.chaudoc")), officer_id)
                    issuing.issue(officer, officer.organization, "service_contract", "Thử đồng thời",
                                  lambda stamp: f"%PDF-1.4 {stamp.number_text}".encode(),
                                  issued_on=date(2024, 8, 5), sign=False)
                    db.session.commit()
                db.session.remove()
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    db.session.expire_all()
    numbers = sorted(db.session.execute(select(IssuedDocument.number).where(
        IssuedDocument.series == "HĐ", IssuedDocument.year == 2024)).scalars())
    assert numbers == list(range(1, THREADS * EACH + 1))
    contents = db.session.execute(select(IssuedDocument.content)).scalars().all()
    assert len(set(contents)) == THREADS * EACH  # each PDF printed its own number
