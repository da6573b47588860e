"""A large import's batch keeps the id of its latest background job (``ImportBatch.job_id``, migration 0003): the
preview job, then the commit job. Two batches in flight each show their own job, however many other import jobs the
commune started since; a batch stored before the migration (no ``job_id``) is still found by its job's parameters."""
import pytest

from portal.extensions import db
from portal.models import ImportBatch, Job
from portal.services.demo import user_by_username
from portal.services.imports import beneficiaries as imports
from portal.services.imports import jobs as import_jobs
from tests.services.commune_sheets import build, person

VINH_MY = "30322"


@pytest.fixture
def clerk(app):
    app.config["IMPORT_JOB_ROWS"] = 2  # three rows: a background job
    return user_by_username("xa.vinhmy")


def _other_jobs(org_id: int, n: int) -> None:
    """``n`` later import jobs of the same commune for other batches (the old lookup only scanned the last 50)."""
    db.session.add_all(Job(kind="import_preview", status="done", progress=100, params={"batch_id": 10_000 + i},
                           owner_org_id=org_id) for i in range(n))
    db.session.commit()


def test_two_batches_in_flight_each_find_their_own_job(app, client, clerk):
    a = import_jobs.upload(clerk, VINH_MY, "a.xlsx", build([person(1), person(2), person(3)]))
    b = import_jobs.upload(clerk, VINH_MY, "b.xlsx", build([person(4), person(5), person(6)]))
    db.session.commit()
    batch_a, batch_b = db.session.get(ImportBatch, a.batch_id), db.session.get(ImportBatch, b.batch_id)
    assert a.job.id != b.job.id
    assert (batch_a.job_id, batch_b.job_id) == (a.job.id, b.job.id)
    assert (batch_a.status, batch_b.status) == ("previewed", "previewed")
    _other_jobs(clerk.organization_id, 60)
    assert import_jobs.job_of(batch_a).id == a.job.id and import_jobs.job_of(batch_b).id == b.job.id
    # both batches being checked at once: each preview page follows its own progress bar
    for batch, job, pct in ((batch_a, a.job, 30), (batch_b, b.job, 70)):
        batch.status = "analysing"
        job.status, job.progress, job.message = "running", pct, f"Đã kiểm tra {pct}/100 dòng"
    db.session.commit()
    client.login("xa.vinhmy")
    html_a = client.get(f"/xa/nhap/{a.batch_id}").get_data(as_text=True)
    html_b = client.get(f"/xa/nhap/{b.batch_id}").get_data(as_text=True)
    assert f'hx-get="/cong-viec/{a.job.id}"' in html_a and "30% · Đã kiểm tra 30/100 dòng" in html_a
    assert f'hx-get="/cong-viec/{b.job.id}"' in html_b and "70% · Đã kiểm tra 70/100 dòng" in html_b
    assert f"/cong-viec/{b.job.id}" not in html_a and f"/cong-viec/{a.job.id}" not in html_b


def test_commit_job_replaces_the_preview_job_on_the_batch(app, clerk):
    a = import_jobs.upload(clerk, VINH_MY, "a.xlsx", build([person(1), person(2), person(3)]))
    b = import_jobs.upload(clerk, VINH_MY, "b.xlsx", build([person(4), person(5), person(6)]))
    db.session.commit()
    started = import_jobs.confirm(clerk, a.batch_id)
    db.session.commit()
    batch_a, batch_b = db.session.get(ImportBatch, a.batch_id), db.session.get(ImportBatch, b.batch_id)
    assert started.job.kind == "import_commit" and started.job.status == "done"
    assert batch_a.status == "committed" and batch_a.summary["result"]["created"] == 3
    assert batch_a.job_id == started.job.id and import_jobs.job_of(batch_a).id == started.job.id
    assert import_jobs.job_of(batch_b).id == b.job.id and import_jobs.job_of(batch_b).kind == "import_preview"
    # a second "Xác nhận" while the commit job runs gets that job, not a new one
    batch_a.status = "committing"
    db.session.commit()
    jobs_before = db.session.execute(db.select(db.func.count(Job.id))).scalar_one()
    assert import_jobs.confirm(clerk, a.batch_id).job.id == started.job.id
    assert db.session.execute(db.select(db.func.count(Job.id))).scalar_one() == jobs_before


def test_batch_from_before_the_migration_is_found_by_its_job_parameters(app, clerk):
    batch = imports.stage(clerk, VINH_MY, "cu.xlsx", build([person(1)]), 1)
    job = Job(kind="import_preview", status="running", progress=10, params={"batch_id": batch.id},
              owner_org_id=batch.organization_id)
    db.session.add(job)
    db.session.commit()
    assert batch.job_id is None
    assert import_jobs.job_of(batch).id == job.id
    fresh = imports.stage(clerk, VINH_MY, "moi.xlsx", build([person(2)]), 1)
    db.session.commit()
    assert import_jobs.job_of(fresh) is None
