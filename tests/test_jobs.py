"""Background job runner (portal/jobs.py): sync mode in tests, progress on its own session, failures in Vietnamese,
the in-process thread runner, the progress page /cong-viec/<id> (owner only, htmx polling fragment), and job paths
stored before a function moved (``jobs.MOVED``)."""
import threading
import time

import pytest
from redis import Redis
from sqlalchemy import select, text

from portal import jobs
from portal.errors import StateError
from portal.extensions import db
from portal.models import AuditEvent, ImportBatch, Job, Organization, User
from portal.services.imports.beneficiaries import stage
from portal.services.imports.jobs import preview_job
from portal.worker import run_job_rq
from tests.conftest import VINH_MY_FILE


def _user(username):
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


# Job functions (func_path "tests.test_jobs:<name>") ------------------------------------------------------------------

def counting_job(job, progress):
    """Reports 40 %, reads the stored progress back on another connection, returns a result link."""
    progress(40, "Đang dựng trang 4/10")
    with db.engine.connect() as conn:
        seen = conn.execute(text("SELECT progress, message FROM job WHERE id = :i"), {"i": job.id}).one()
    return {"seen": list(seen), "n": job.params["n"] * 2, "url": "/van-ban/x.pdf", "label": "Tải tệp"}


def refusing_job(job, progress):
    progress(10, "Bắt đầu")
    db.session.add(AuditEvent(action="x", object_type="job", object_id=job.id, summary="không được lưu"))
    raise StateError("Danh sách đã bị trả lại, không thể in.")


def crashing_job(job, progress):
    raise ZeroDivisionError("boom")


def slow_job(job, progress):
    threading.Event().wait(0.2)  # not time.sleep: EINVAL under the moved-clock run
    return {"user_id": job.user_id}


# Tests ---------------------------------------------------------------------------------------------------------------

def test_sync_job_records_progress_and_result(app):
    user = _user("xa.vinhmy")
    job = jobs.enqueue("test", "tests.test_jobs:counting_job", params={"n": 21}, user=user,
                       owner_org_id=user.organization_id)
    assert job.status == "done" and job.progress == 100 and job.message == "Đã xong."
    assert job.result["seen"] == [40, "Đang dựng trang 4/10"]  # committed while the job was running
    assert job.result["n"] == 42
    assert job.params["n"] == 21 and job.user_id == user.id
    assert job.started_at is not None and job.finished_at is not None and job.error is None


def test_portal_error_is_stored_in_vietnamese_and_work_rolled_back(app):
    user = _user("xa.vinhmy")
    before = db.session.execute(select(db.func.count(AuditEvent.id))).scalar_one()
    job = jobs.enqueue("test", "tests.test_jobs:refusing_job", params={}, user=user, owner_org_id=None)
    assert job.status == "failed"
    assert job.error == "Danh sách đã bị trả lại, không thể in."
    assert job.progress == 10  # the last progress recorded stays visible
    assert db.session.execute(select(db.func.count(AuditEvent.id))).scalar_one() == before


def test_unexpected_error_gets_a_generic_vietnamese_message(app):
    job = jobs.enqueue("test", "tests.test_jobs:crashing_job", params={}, user=None, owner_org_id=None)
    assert job.status == "failed"
    assert job.error == jobs.GENERIC_ERROR and "ZeroDivisionError" not in job.error


def test_unknown_function_refused_before_anything_is_written(app):
    with pytest.raises(ValueError):
        jobs.enqueue("test", "tests.test_jobs:no_such_job", params={}, user=None, owner_org_id=None)
    assert db.session.execute(select(db.func.count(Job.id))).scalar_one() == 0


def test_in_process_thread_runner(app):
    app.config["JOBS_SYNC"] = False
    user = _user("pld.chaudoc")
    job = jobs.enqueue("test", "tests.test_jobs.slow_job", params={}, user=user, owner_org_id=None)
    job_id = job.id
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        if job.finished:
            break
        threading.Event().wait(0.05)  # not time.sleep: EINVAL under the moved-clock run
    assert job.status == "done" and job.result == {"user_id": user.id}


def test_queue_unreachable_marks_job_failed(app):
    app.config.update(JOBS_SYNC=False, REDIS_URL="redis://127.0.0.1:1/0")
    job = jobs.enqueue("test", "tests.test_jobs:slow_job", params={}, user=None, owner_org_id=None)
    assert job.status == "failed" and "Redis" in job.error


def _queued_job(owner="xa.vinhmy", progress=30):
    user = _user(owner)
    job = Job(kind="test", status="running", progress=progress, message="Đang dựng trang 3/10", params={},
              user_id=user.id, owner_org_id=user.organization_id)
    db.session.add(job)
    db.session.commit()
    return job


def test_progress_page_polls_until_done(app, client):
    job = _queued_job()
    client.login("xa.vinhmy")
    page = client.get(f"/cong-viec/{job.id}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert '<h1 id="job-title">Đang xử lý…</h1>' in body and 'value="30"' in body
    assert '<a href="/">← Về trang chính</a>' in body  # a way back from the page
    frag = client.get(f"/cong-viec/{job.id}", htmx=True)
    html = frag.get_data(as_text=True)
    assert '<h1 id="job-title" hx-swap-oob="true">Đang xử lý…</h1>' in html and len(frag.data) < 5000
    assert 'hx-trigger="every 1s"' in html and f'hx-get="/cong-viec/{job.id}"' in html
    assert f'href="/cong-viec/{job.id}"' in html and "30% · Đang dựng trang 3/10" in html
    assert frag.headers["Cache-Control"] == "no-store"

    job.status, job.progress, job.message, job.result = "done", 100, "Đã xong.", {"url": "/van-ban/a.pdf"}
    db.session.commit()
    frag = client.get(f"/cong-viec/{job.id}", htmx=True)
    html = frag.get_data(as_text=True)
    assert "every 1s" not in html and '<a href="/van-ban/a.pdf">Tải kết quả</a>' in html
    assert '<h1 id="job-title" hx-swap-oob="true">Đã xong</h1>' in html  # the heading follows the job
    assert "HX-Redirect" not in frag.headers  # a page, not a file: the clerk reads the message

    job.result = {"url": "/van-ban/a.pdf", "file_id": 7}
    db.session.commit()
    frag = client.get(f"/cong-viec/{job.id}", htmx=True)
    assert frag.headers["HX-Redirect"] == "/van-ban/a.pdf"  # the file comes without a second click
    page = client.get(f"/cong-viec/{job.id}")
    assert "HX-Redirect" not in page.headers and '<a href="/van-ban/a.pdf">' in page.get_data(as_text=True)

    job.status, job.error = "failed", "Không đọc được tệp."
    db.session.commit()
    html = client.get(f"/cong-viec/{job.id}", htmx=True).get_data(as_text=True)
    assert "every 1s" not in html and "Không đọc được tệp." in html


def test_progress_page_only_for_the_user_and_organisation(app, client):
    job = _queued_job("xa.vinhmy")
    client.login("xa.tanloi")
    assert client.get(f"/cong-viec/{job.id}").status_code == 404
    client.logout()
    client.login("pld.chaudoc")
    assert client.get(f"/cong-viec/{job.id}").status_code == 404
    client.logout()
    # a user of the owner organisation who did not start it may watch it
    org = db.session.get(Organization, job.owner_org_id)
    other = User(username="xa.vinhmy.2", full_name="Cán bộ khác", organization_id=org.id)
    other.set_password("demo1234")
    db.session.add(other)
    db.session.commit()
    client.login("xa.vinhmy.2")
    assert client.get(f"/cong-viec/{job.id}").status_code == 200
    client.logout()
    assert client.get(f"/cong-viec/{job.id}").status_code == 302


def test_stale_job_is_recognised(app):
    from datetime import timedelta

    from portal.clock import utcnow
    job = _queued_job()
    assert not jobs.is_stale(job)
    job.created_at = utcnow() - timedelta(minutes=31)
    db.session.commit()
    db.session.expire_all()
    assert jobs.is_stale(db.session.get(Job, job.id))
    job = db.session.get(Job, job.id)
    job.status = "done"
    assert not jobs.is_stale(job)


# Job functions that moved (jobs.MOVED) ------------------------------------------------------------------------------

def test_every_moved_path_names_a_function_of_today():
    for old, new in jobs.MOVED.items():
        assert jobs.resolve(old) is jobs.resolve(new)
        assert jobs.resolve(old.replace(":", ".")) is jobs.resolve(new)  # the dotted form of the old path too
    assert jobs.resolve("portal.services.import_jobs:preview_job") is preview_job
    assert jobs.resolve("portal.jobs.run_job_rq") is run_job_rq


def test_a_job_stored_under_an_old_path_still_runs(app):
    """An import preview queued before the import jobs moved (``portal.services.import_jobs:preview_job``) runs
    when a runner picks it up, e.g. after a restart."""
    user = _user("xa.vinhmy")
    with open(VINH_MY_FILE, "rb") as f:
        batch = stage(user, "30322", "vinh-my.xlsx", f.read(), 340)
    job = Job(kind="import_preview", status="queued", progress=0, message="Đang chờ xử lý…",
              params={"batch_id": batch.id, "_func": "portal.services.import_jobs:preview_job"},
              user_id=user.id, owner_org_id=user.organization_id)
    db.session.add(job)
    db.session.commit()
    jobs.run_job(job.id)
    db.session.expire_all()
    assert (job.status, job.error) == ("done", None)
    assert db.session.get(ImportBatch, batch.id).status == "previewed"


def test_an_rq_message_naming_the_old_entry_point_runs_the_new_one():
    message = jobs.RQJob.create("portal.jobs.run_job_rq", args=(7,), connection=Redis(host="127.0.0.1", port=1))
    assert message.func is run_job_rq
