"""Deaths and departures written in a commune's spreadsheet hold the import until the clerk decides on each such row:
record the event with its month (a draft in the commune's changes, accepted by the district as any other) or confirm
the person is still paid. Spreadsheets are built in the test (``commune_sheets``)."""
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.errors import PortalError
from portal.extensions import db
from portal.models import AuditEvent, Beneficiary, PayoutLine, RegistryEvent
from portal.services.demo import user_by_username as user
from portal.services.imports import beneficiaries as imports
from portal.services.imports.departures import find_departure
from portal.services.payouts.build import build_lists
from portal.services.registry import submissions as subs
from tests.conftest import pinned_clock
from tests.services.commune_sheets import HEADER, build, first_data_row, national_id, person

pytestmark = pinned_clock
VINH_MY = "30322"
ROW = first_data_row()  # Excel row of the first person
WITH_STATUS = HEADER + ["Tình trạng"]


def count(model):
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def by_id(nid) -> Beneficiary:
    return db.session.execute(select(Beneficiary).where(Beneficiary.national_id == nid)).scalar_one()


@pytest.mark.parametrize("text, kind, reason, month, day", [
    ("Đã chết 6/2024", "death", None, date(2024, 6, 1), None),
    ("da mat thang 6 nam 2024", "death", None, date(2024, 6, 1), None),
    ("Từ trần ngày 12/06/2024", "death", None, date(2024, 6, 12).replace(day=1), date(2024, 6, 12)),
    ("TU TRAN", "death", None, None, None),
    ("chuyển đi T8/2024", "stop", "moved_away", date(2024, 8, 1), None),
    ("Thôi hưởng từ tháng 09/2024", "stop", "other", date(2024, 9, 1), None),
    ("thoi huong", "stop", "other", None, None),
])
def test_the_words_and_the_month_are_found_with_or_without_accents(text, kind, reason, month, day):
    found = find_departure([("P9", text)])
    assert (found.kind, found.reason, found.month, found.event_date, found.cell) == (kind, reason, month, day, "P9")


@pytest.mark.parametrize("text", ["Khóm Mỹ Thới 2", "Tiền mặt tại nhà (liệt giường)", "Chuyển khoản Agribank",
                                  "Mất sức lao động", None, 12])
def test_ordinary_notes_are_not_departures(text):
    assert find_departure([("P9", text)]) is None


def _sheet():
    rows = [person(1, **{"Ghi chú": "Đã chết 6/2024"}) + [None],
            person(2) + ["chuyen di T8/2024"],
            person(3, **{"Ghi chú": "thôi hưởng"}) + [None],
            person(4) + [None]]
    return build(rows, header=WITH_STATUS)


def test_a_row_saying_died_or_moved_holds_the_import_until_decided(app):
    clerk = user("xa.vinhmy")
    p = imports.preview(clerk, VINH_MY, "ds.xlsx", _sheet())
    assert p.counts["departure"] == 3 and p.counts["error"] == 0
    held = {r.row_number: r.departure for r in p.rows if r.departure}
    assert held[ROW]["label"] == "Chết" and held[ROW]["month"] == "06/2024" and held[ROW]["cell"] == f"P{ROW}"
    assert held[ROW + 1]["label"] == "Chuyển đi" and held[ROW + 1]["cell"] == f"Q{ROW + 1}"
    assert held[ROW + 2]["label"] == "Thôi hưởng" and held[ROW + 2]["month"] == ""
    warning = next(w for r in p.rows if r.row_number == ROW for w in r.warnings if "Đã chết" in w)
    assert warning.startswith(f"Ô P{ROW}: «Đã chết 6/2024» — đối tượng chết tháng 06/2024")
    with pytest.raises(PortalError) as refused:
        imports.commit(clerk, p.batch_id)
    message = str(refused.value)
    assert "3 dòng" in message and all(f"Dòng {n}" in message for n in (ROW, ROW + 1, ROW + 2))
    assert count(Beneficiary) == 0 and count(RegistryEvent) == 0
    # a decision without its month is refused too, naming the row; nothing is written
    with pytest.raises(PortalError, match=f"Dòng {ROW} .*ghi tháng xảy ra"):
        imports.commit(clerk, p.batch_id, decisions={ROW: {"action": "record", "month": ""},
                                                     ROW + 1: {"action": "active"}, ROW + 2: {"action": "active"}})
    with pytest.raises(PortalError, match=f"Dòng {ROW + 1} .*số quyết định"):
        imports.commit(clerk, p.batch_id, decisions={ROW: {"action": "record", "month": "06/2024"},
                                                     ROW + 1: {"action": "record", "month": "08/2024"},
                                                     ROW + 2: {"action": "active"}})
    assert count(Beneficiary) == 0


def test_the_decided_events_are_recorded_and_the_dead_are_not_paid(app):
    clerk = user("xa.vinhmy")
    p = imports.preview(clerk, VINH_MY, "ds.xlsx", _sheet())
    result = imports.commit(clerk, p.batch_id, decisions={
        ROW: {"action": "record", "month": "06/2024", "event_date": ""},
        str(ROW + 1): {"action": "record", "month": "08/2024", "decision_number": "77/QĐ-UBND"},
        ROW + 2: {"action": "active"}})
    assert (result["created"], result["events"]) == (4, 2)
    dead, moved, kept = by_id(national_id(1)), by_id(national_id(2)), by_id(national_id(3))
    (death,) = db.session.execute(select(RegistryEvent).where(RegistryEvent.beneficiary_id == dead.id)).scalars()
    assert (death.kind, death.status, death.effective_month, death.event_date) == (
        "death", "draft", date(2024, 7, 1), date(2024, 6, 1))
    assert "dòng" in death.note and "chưa rõ ngày chết" in death.note
    (stop,) = db.session.execute(select(RegistryEvent).where(RegistryEvent.beneficiary_id == moved.id)).scalars()
    assert (stop.kind, stop.effective_month, stop.details, stop.decision_number) == (
        "stop", date(2024, 9, 1), {"reason": "moved_away"}, "77/QĐ-UBND")
    assert db.session.execute(select(RegistryEvent).where(RegistryEvent.beneficiary_id == kept.id)).first() is None
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "import_confirm_active",
                                                       AuditEvent.object_id == kept.id)).scalar_one()
    # the district accepts the commune's changes: the dead man is on no list from 07/2024, the one who moved
    # away is paid through 08/2024
    subs.submit(clerk, death.submission)
    subs.accept(user("pld.chaudoc"), death.submission)
    db.session.commit()
    for month in (date(2024, 7, 1), date(2024, 8, 1), date(2024, 9, 1)):
        build_lists(user("pld.chaudoc"), month, [VINH_MY])
    paid = db.session.execute(select(PayoutLine.beneficiary_id, PayoutLine.month, PayoutLine.total).where(
        PayoutLine.programme == "tcxh")).all()
    assert not [x for x in paid if x[0] == dead.id]
    assert sorted((m.month, t) for b, m, t in paid if b == moved.id) == [(7, 500_000), (8, 500_000)]
    assert sorted((m.month, t) for b, m, t in paid if b == kept.id) == [(7, 500_000), (8, 500_000), (9, 500_000)]


def test_a_death_the_portal_already_holds_needs_no_decision(app):
    clerk = user("xa.vinhmy")
    p = imports.preview(clerk, VINH_MY, "ds.xlsx", build([person(1)]))
    imports.commit(clerk, p.batch_id)
    b = by_id(national_id(1))
    b.status = "stopped"
    db.session.flush()
    p = imports.preview(clerk, VINH_MY, "ds.xlsx", build([person(1, **{"Ghi chú": "Đã chết 6/2024"})]))
    assert p.counts["departure"] == 0 and not p.rows[0].departure
    imports.commit(clerk, p.batch_id)  # nothing to decide


def test_the_command_line_import_refuses_a_file_naming_a_death(app, tmp_path):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(build([person(1, **{"Ghi chú": "từ trần 03/2024"}), person(2)]))
    report = imports.import_file(user("xa.vinhmy"), VINH_MY, path)
    assert not report.committed and report.errors == 1 and count(Beneficiary) == 0
    assert report.error_list == [f"Dòng {ROW}: ô P{ROW} ghi «từ trần 03/2024» (chết): cần xã quyết định dòng này "
                                 "khi tải tệp lên cổng (Nhập từ Excel)."]


def test_a_large_file_is_decided_before_its_commit_job_starts(app):
    from portal.models import ImportBatch
    from portal.services.imports import jobs as import_jobs
    app.config["IMPORT_JOB_ROWS"] = 2  # three rows: background jobs
    clerk = user("xa.vinhmy")
    sheet = build([person(1, **{"Ghi chú": "chết 6/2024"}), person(2), person(3)])
    started = import_jobs.upload(clerk, VINH_MY, "lon.xlsx", sheet)
    db.session.commit()
    batch = db.session.get(ImportBatch, started.batch_id)
    assert batch.status == "previewed" and batch.summary["preview"]["departure"] == 1
    with pytest.raises(imports.DeparturesUndecided, match=f"Dòng {ROW}"):
        import_jobs.confirm(clerk, batch.id)
    assert batch.status == "previewed"  # no job started
    done = import_jobs.confirm(clerk, batch.id, decisions={ROW: {"action": "record", "month": "06/2024"}})
    db.session.commit()
    assert done.job.status == "done" and batch.status == "committed"
    assert batch.summary["result"]["events"] == 1
    (event,) = db.session.execute(select(RegistryEvent)).scalars()
    assert (event.kind, event.effective_month) == ("death", date(2024, 7, 1))
