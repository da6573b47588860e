"""The payout list PDF (danh sách chi trả, bản in) as a stored file: rendered in a background job, never in a web
request; an approved list never changes, so its PDF is rendered once and served from ``StoredFile`` afterwards.

- ``request_pdf(actor, lst, file_id=None) -> (StoredFile | None, Job | None)``: the stored PDF when there is one
  (approved list: keyed by the approval time; a list still open: only the file ``file_id`` a job of this list made),
  else a job rendering it (an unfinished job of the same list that ``actor`` may watch is reused). The caller commits.
  A failed job is shown again (its Vietnamese error and a "Thử lại" button) instead of starting a new one on every
  reload; ``request_pdf(..., retry=True)`` (the button's POST) starts a new one.
- ``render_job(job, progress)``: the job function (``portal.jobs``): loads the list, builds the document
  (``documents.payout_context``), renders it with the list engine (``documents.list_pdf``) and stores it.

A list still open (draft, confirmed, returned) is printed fresh on each request (its lines may change) and only the
newest print of such a list is kept.
"""
from __future__ import annotations

import hashlib

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ... import jobs
from ...access import visible
from ...documents.payout_context import build_payout_list_doc
from ...documents.payout_list import render_payout_list
from ...errors import StateError
from ...extensions import db
from ...models import Job, PayoutList, StoredFile, User
from . import lists

KIND = "payout_list_pdf"
JOB_FUNC = "portal.services.payouts.pdf:render_job"


def file_name(lst: PayoutList) -> str:
    """The stored and served name, e.g. ``DS-chi-tra-2024-08-Phuong-Vinh-My-chuyen-khoan.pdf``
    (``payouts.download_name``)."""
    return lists.download_name(lst, "pdf")


def fingerprint(lst: PayoutList) -> str | None:
    """What an approved list's PDF depends on: its approval time (a list returned and approved again gets a new
    one). None for a list still open (its PDF is not reused)."""
    if not lst.status_enum.frozen or lst.approved_at is None:
        return None
    return "approved-" + lst.approved_at.isoformat()


def stored_pdf(lst: PayoutList, file_id: int | None = None) -> StoredFile | None:
    """The stored PDF of ``lst``: the approved one, or the one-off print ``file_id`` of this list; else None."""
    key = fingerprint(lst)
    stmt = select(StoredFile).where(StoredFile.kind == KIND, StoredFile.subject_id == lst.id)
    if key is not None:
        return db.session.execute(stmt.where(StoredFile.fingerprint == key)).scalar_one_or_none()
    if file_id is None:
        return None
    return db.session.execute(stmt.where(StoredFile.id == file_id, StoredFile.fingerprint.like("draft-%"))
                              ).scalar_one_or_none()


def _running_job(actor: User, lst: PayoutList) -> Job | None:
    """An unfinished PDF job of ``lst`` for the same fingerprint that ``actor`` may watch."""
    key = fingerprint(lst)
    candidates = db.session.execute(visible(Job, actor).where(
        Job.kind == KIND, Job.status.in_(("queued", "running"))).order_by(Job.id.desc())).scalars()
    for job in candidates:
        params = job.params or {}
        if params.get("list_id") == lst.id and params.get("fingerprint") == key and key is not None \
                and not jobs.is_stale(job):
            return job
    return None


def _last_job(actor: User, lst: PayoutList) -> Job | None:
    """The newest PDF job of ``lst`` (same fingerprint) that ``actor`` may watch, whatever its status."""
    key = fingerprint(lst)
    candidates = db.session.execute(visible(Job, actor).where(
        Job.kind == KIND, Job.params["list_id"].as_integer() == lst.id).order_by(Job.id.desc()).limit(20)).scalars()
    return next((job for job in candidates if (job.params or {}).get("fingerprint") == key), None)


def request_pdf(actor: User, lst: PayoutList, file_id: int | None = None,
                retry: bool = False) -> tuple[StoredFile | None, Job | None]:
    """The stored PDF of ``lst`` if there is one, else ``(None, job)`` with a job that renders it (a new one, or an
    unfinished one ``actor`` may watch). When the newest job of this list failed, that failed job is returned (the
    page shows its error and a "Thử lại" button) and nothing is started, unless ``retry`` (the button's POST).
    In sync mode (tests) the job has already run: the file is returned. The new Job row is committed by
    ``jobs.enqueue``."""
    found = stored_pdf(lst, file_id)
    if found is not None:
        return found, None
    if not retry:
        last = _last_job(actor, lst)
        if last is not None and last.status == "failed":
            return None, last
    job = _running_job(actor, lst)
    if job is None:
        job = jobs.enqueue(KIND, JOB_FUNC, params={
            "list_id": lst.id, "fingerprint": fingerprint(lst),
            "retry": {"endpoint": "documents.payout_list_pdf_retry", "values": {"list_id": lst.id}}},
            user=actor, owner_org_id=actor.organization_id)
    if job.status == "done" and (job.result or {}).get("file_id"):
        return db.session.get(StoredFile, job.result["file_id"]), job
    return None, job


def _store(lst: PayoutList, key: str, pdf: bytes, job_id: int) -> StoredFile:
    row = StoredFile(kind=KIND, subject_id=lst.id, fingerprint=key, filename=file_name(lst), content=pdf,
                     size=len(pdf), sha256=hashlib.sha256(pdf).hexdigest(), job_id=job_id)
    with db.session.begin_nested():
        db.session.add(row)
    return row


def render_job(job: Job, progress) -> dict:
    """Job function: render the list ``job.params["list_id"]`` and store the PDF; returns ``{"file_id",
    "endpoint", "values", "label"}`` (the download link). Raises ``StateError`` when the list no longer exists."""
    lst = db.session.get(PayoutList, job.params["list_id"])
    if lst is None:
        raise StateError("Danh sách chi trả không còn tồn tại.")
    key = fingerprint(lst)
    existing = stored_pdf(lst) if key else None
    if existing is None:
        progress(2, f"Đang đọc {lst.people_count} dòng của danh sách…")
        doc = build_payout_list_doc(lst)
        progress(10, "Đang dựng các trang…")
        pdf = render_payout_list(doc, progress=lambda pct, message: progress(10 + pct * 85 // 100, message))
        progress(96, "Đang lưu tệp PDF…")
        if key is None:  # a list still open: keep only this newest print
            db.session.execute(delete(StoredFile).where(StoredFile.kind == KIND, StoredFile.subject_id == lst.id))
            existing = _store(lst, f"draft-{job.id}", pdf, job.id)
        else:
            try:
                existing = _store(lst, key, pdf, job.id)
            except IntegrityError:  # another job stored the same approved list meanwhile: use that one
                existing = stored_pdf(lst)
    db.session.flush()
    values = {"list_id": lst.id} if key else {"list_id": lst.id, "tep": existing.id}
    return {"file_id": existing.id, "endpoint": "documents.payout_list_pdf", "values": values,
            "label": "Tải danh sách (PDF)"}
