"""Jobs survive a killed worker: a running job writes a heartbeat; one silent for ``DEAD_AFTER`` is marked failed with
a Vietnamese reason (and its retry) when a page asks; an import batch left ``committing`` by a dead commit job can be
confirmed again or discarded; nothing half-done is kept."""
import threading
from datetime import timedelta

from sqlalchemy import select, text

from portal import jobs
from portal.clock import utcnow
from portal.extensions import db
from portal.models import Beneficiary, ImportBatch, Job, User
from portal.services.imports import beneficiaries as imports
from tests.conftest import VINH_MY_FILE


def _user(username):
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def _dead_job(kind: str, owner: User, params: dict, silent_for=timedelta(minutes=2)) -> Job:
    """A job its worker left ``running`` (the process was killed) ``silent_for`` ago, at 7 %."""
    then = utcnow() - silent_for
    job = Job(kind=kind, status="running", progress=7, message="Đang kiểm tra 7/100 dòng", params=params,
              user_id=owner.id, owner_org_id=owner.organization_id, created_at=then, started_at=then,
              heartbeat_at=then)
    db.session.add(job)
    db.session.commit()
    return job


def test_a_job_whose_worker_died_fails_with_a_reason_and_a_retry(app, client):
    officer = _user("pld.chaudoc")
    job = _dead_job("payout_list_pdf", officer, {"list_id": 1, "retry": {
        "endpoint": "documents.payout_list_pdf_retry", "values": {"list_id": 1}}})
    client.login("pld.chaudoc")
    html = client.get(f"/cong-viec/{job.id}", htmx=True).get_data(as_text=True)
    db.session.refresh(job)
    assert job.status == "failed" and job.error == jobs.WORKER_DIED and job.finished_at is not None
    assert "Công việc bị gián đoạn" in html and "/van-ban/danh-sach-chi-tra/1/in-lai" in html


def test_a_job_with_a_fresh_heartbeat_keeps_running(app, client):
    job = _dead_job("payout_list_pdf", _user("pld.chaudoc"), {"list_id": 1}, silent_for=timedelta(seconds=20))
    client.login("pld.chaudoc")
    client.get(f"/cong-viec/{job.id}", htmx=True)
    db.session.refresh(job)
    assert job.status == "running" and job.error is None


def beating_job(job, progress):
    """Sleeps past a few heartbeats (no progress call) and reads the heartbeat back on another connection."""
    threading.Event().wait(0.5)  # not time.sleep: under faketime (moved-clock CI run) it fails with EINVAL
    with db.engine.connect() as conn:
        started, beat = conn.execute(text("SELECT started_at, heartbeat_at FROM job WHERE id = :i"),
                                     {"i": job.id}).one()
    return {"beat_after_start": str(beat) > str(started)}


def test_a_running_job_writes_its_heartbeat(app, monkeypatch):
    monkeypatch.setattr(jobs, "HEARTBEAT_EVERY", timedelta(seconds=0.1))
    job = jobs.enqueue("test", "tests.test_job_crashes:beating_job", params={})
    assert job.status == "done" and job.result == {"beat_after_start": True}


def _committing_batch_with_dead_job() -> ImportBatch:
    clerk = _user("xa.vinhmy")
    with open(VINH_MY_FILE, "rb") as fh:
        batch_id = imports.preview(clerk, "30322", "ds.xlsx", fh.read()).batch_id
    batch = db.session.get(ImportBatch, batch_id)
    job = _dead_job("import_commit", clerk, {"batch_id": batch.id})
    batch.status, batch.job_id = "committing", job.id
    db.session.commit()
    return batch


def _beneficiaries() -> int:
    return db.session.execute(select(db.func.count(Beneficiary.id))).scalar_one()


def test_a_batch_left_committing_by_a_dead_job_can_be_confirmed_again(app, client):
    batch = _committing_batch_with_dead_job()
    client.login("xa.vinhmy")
    html = client.get(f"/xa/nhap/{batch.id}").get_data(as_text=True)
    assert "Lần nhập trước bị gián đoạn" in html
    db.session.refresh(batch)
    assert batch.status == "previewed" and _beneficiaries() == 0
    resp = client.post(f"/xa/nhap/{batch.id}/xac-nhan")
    assert resp.status_code == 302
    db.session.refresh(batch)
    assert batch.status == "committed" and _beneficiaries() == 340


def test_a_batch_left_committing_by_a_dead_job_can_be_discarded(app, client):
    batch = _committing_batch_with_dead_job()
    client.login("xa.vinhmy")
    assert client.post(f"/xa/nhap/{batch.id}/huy").status_code == 302
    db.session.refresh(batch)
    assert batch.status == "discarded" and _beneficiaries() == 0
    assert db.session.get(Job, batch.job_id).status == "failed"
