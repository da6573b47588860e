"""Re-importing the commune's list after some people stopped being paid (thôi hưởng, tạm dừng, chết): their rows are
matched as before (no change is made to their status) but each carries a warning saying since when and why, and
which registry event would restore the allowance — in the preview, on the preview page (by Excel row) and in the
error file."""
import io
from datetime import date

import openpyxl
import pytest

from portal.extensions import db
from portal.models import Beneficiary
from portal.services.demo import user_by_username
from portal.services.imports import beneficiaries as imports
from portal.services.imports import jobs as import_jobs
from portal.services.registry import events as ev
from portal.services.registry import submissions as subs
from tests.services.commune_sheets import build, first_data_row, national_id, person

VINH_MY = "30322"
ROW = first_data_row()  # Excel row of person 1
STOPPED = ("Đối tượng đang thôi hưởng từ tháng 05/2024 (lý do: Không còn đủ điều kiện): nhập lại không khôi phục "
           "trợ cấp — nếu hưởng lại, hãy ghi biến động «Tăng mới» ở trang đối tượng.")
SUSPENDED = ("Đối tượng đang tạm dừng hưởng từ tháng 06/2024 (lý do: Đi làm ăn xa, chưa về nhận): nhập lại không "
             "khôi phục trợ cấp — nếu hưởng lại, hãy ghi biến động «Chi trả lại» ở trang đối tượng.")
DIED = ("Đối tượng đã chết ngày 12/04/2024 (thôi hưởng từ tháng 05/2024): nhập lại không khôi phục trợ cấp — kiểm "
        "tra lại dòng này trong tệp.")


@pytest.fixture
def users(app):
    return {u: user_by_username(u) for u in ("xa.vinhmy", "pld.chaudoc")}


def by_id(nid) -> Beneficiary:
    return db.session.execute(db.select(Beneficiary).where(Beneficiary.national_id == nid)).scalar_one()


def _accepted(users, person_no: int, kind: str, month: date, **kw):
    """Record ``kind`` for person ``person_no`` in the commune's list of ``month`` and have the district accept it."""
    event = ev.create_event(users["xa.vinhmy"], by_id(national_id(person_no)), kind, report_month=month,
                            decision_number=None if kind == "death" else f"{person_no}/QĐ-UBND", **kw)
    subs.submit(users["xa.vinhmy"], event.submission)
    subs.accept(users["pld.chaudoc"], event.submission)
    db.session.commit()


@pytest.fixture
def content(users):
    """Four people imported from the list of 07/2024; then person 2 stopped (05/2024, no longer eligible), person 3
    suspended (06/2024) and person 4 died (12/04/2024), each accepted by the district."""
    data = build([person(1), person(2), person(3), person(4)])
    imports.commit(users["xa.vinhmy"], imports.preview(users["xa.vinhmy"], VINH_MY, "ds.xlsx", data).batch_id)
    db.session.commit()
    _accepted(users, 2, "stop", date(2024, 5, 1), effective_month=date(2024, 5, 1), details={"reason": "ineligible"})
    _accepted(users, 3, "suspend", date(2024, 6, 1), effective_month=date(2024, 6, 1),
              note="Đi làm ăn xa, chưa về nhận")
    _accepted(users, 4, "death", date(2024, 4, 1), effective_month=None, event_date=date(2024, 4, 12))
    assert [by_id(national_id(i)).status for i in (1, 2, 3, 4)] == ["active", "stopped", "suspended", "stopped"]
    return data


def test_reimport_warns_on_the_rows_of_people_not_paid(users, content):
    p = imports.preview(users["xa.vinhmy"], VINH_MY, "ds.xlsx", content)
    rows = {r.row_number: r for r in p.rows}
    assert (rows[ROW].status, rows[ROW].warnings) == ("unchanged", [])
    assert (rows[ROW + 1].action, rows[ROW + 1].status, rows[ROW + 1].warnings) == ("unchanged", "warning", [STOPPED])
    assert rows[ROW + 2].warnings == [SUSPENDED]
    assert rows[ROW + 3].warnings == [DIED]
    assert (p.counts["unchanged"], p.counts["warning"], p.counts["error"]) == (4, 3, 0)
    # confirming changes nothing: the status is the registry events' business
    result = imports.commit(users["xa.vinhmy"], p.batch_id)
    assert (result["unchanged"], result["warnings"]) == (4, 3)
    assert [by_id(national_id(i)).status for i in (1, 2, 3, 4)] == ["active", "stopped", "suspended", "stopped"]


def test_warning_on_the_preview_page_and_in_the_error_file(users, content, client):
    client.login("xa.vinhmy")
    resp = client.post("/xa/nhap", data={"file": (io.BytesIO(content), "ds.xlsx")},
                       content_type="multipart/form-data")
    batch_id = int(resp.headers["Location"].rstrip("/").split("/")[-1])
    html = client.get(f"/xa/nhap/{batch_id}").get_data(as_text=True)
    assert "Cảnh báo: 3" in html
    assert (f'<tr class="warning"><td class="num">{ROW + 1}</td><td>Nguyễn Văn Cúc</td><td>{national_id(2)}</td>'
            f'<td>Cảnh báo (không đổi)</td>') in html
    row = html.split(f'<td class="num">{ROW + 1}</td>')[1].split("</tr>")[0]
    assert f'<div class="warning">{STOPPED}</div>' in row
    xlsx = client.get(f"/xa/nhap/{batch_id}/loi.xlsx")
    lines = [list(r) for r in openpyxl.load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(values_only=True)]
    assert [ROW + 1, "Nguyễn Văn Cúc", national_id(2), "Cảnh báo", STOPPED] in lines


def test_large_file_checked_by_a_job_carries_the_warning(app, users, content):
    app.config["IMPORT_JOB_ROWS"] = 2
    started = import_jobs.upload(users["xa.vinhmy"], VINH_MY, "lon.xlsx", content)
    db.session.commit()
    assert started.job is not None and started.job.status == "done"
    p = imports.show_preview(users["xa.vinhmy"], started.batch_id)
    assert next(r for r in p.rows if r.row_number == ROW + 1).warnings == [STOPPED]


def test_person_stopped_without_a_recorded_event(users):
    """A status set before registry events existed (no event to name the month or reason)."""
    data = build([person(1)])
    imports.commit(users["xa.vinhmy"], imports.preview(users["xa.vinhmy"], VINH_MY, "ds.xlsx", data).batch_id)
    by_id(national_id(1)).status = "stopped"
    db.session.commit()
    r = imports.preview(users["xa.vinhmy"], VINH_MY, "ds.xlsx", data).rows[0]
    assert r.warnings == ["Đối tượng đang thôi hưởng: nhập lại không khôi phục trợ cấp — nếu hưởng lại, hãy ghi "
                          "biến động «Tăng mới» ở trang đối tượng."]
