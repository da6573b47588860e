"""Large commune imports as background jobs (nhập tệp lớn chạy nền), and the error file of a preview.

A file with more data rows than ``IMPORT_JOB_ROWS`` (config, default 500: about 2 s of checking) is checked and
committed by a background job (``portal.jobs.enqueue``) with a progress bar, never in the web request. The batch goes
previewed → committed as for a small file, through two extra states: ``analysing`` (the preview job runs; the rows it
finds are stored in ``summary["stored_rows"]`` for the preview page) and ``committing`` (the commit job runs; it
re-reads the stored bytes and refuses everything if any row has an error — all-or-nothing, as ``imports.commit``).
A failed commit job puts the batch back to ``previewed``. A second "Xác nhận" while committing gets the same job.
A batch whose job's worker died (``recover``: the job is marked failed by ``portal.jobs.reap_if_dead``) goes back
from ``committing`` to ``previewed`` — the commit is one transaction, so nothing of it was kept — and can be
confirmed again or discarded.

``upload`` and ``confirm`` are what the commune pages call; they decide between doing the work at once and starting
a job. ``errors_workbook`` builds the .xlsx of a preview's errors and warnings with their Excel row numbers.
Services flush; ``portal.jobs.enqueue`` commits (the job must see the batch)."""
from dataclasses import asdict, dataclass

from flask import current_app
from sqlalchemy import select

from ...errors import PortalError, StateError
from ...extensions import db
from ...jobs import enqueue, reap_if_dead
from ...models import AdministrativeUnit, ImportBatch, Job
from ...spreadsheets.reading import find_table, iter_rows, open_workbook
from ...spreadsheets.writing import write_workbook
from . import beneficiaries as imports
from .columns import COLUMNS
from .plan import counts_of, ordered
from .rows import max_import_rows, max_upload_bytes, stored_form

PREVIEW_KIND, COMMIT_KIND = "import_preview", "import_commit"
DEFAULT_JOB_ROWS = 500


def job_threshold() -> int:
    """Data rows above which an import runs as a background job: config ``IMPORT_JOB_ROWS`` (default 500)."""
    return int(current_app.config.get("IMPORT_JOB_ROWS") or DEFAULT_JOB_ROWS)


def count_rows(content: bytes) -> int:
    """Number of data rows of an upload (header found by its labels, read up to the total row). Cheap: no rule is
    applied. Raises ``ValidationError`` for file-level problems (not a readable spreadsheet, too big, no header, too
    many rows)."""
    wb = open_workbook(content, max_bytes=max_upload_bytes(), fast=True)
    try:
        ws, header = find_table(wb, COLUMNS)
        return sum(1 for _ in iter_rows(ws, header, max_rows=max_import_rows()))
    finally:
        wb.close()


@dataclass
class Started:
    """What an upload or a confirmation did: ``batch_id``; ``job`` the background Job when one was started (None
    when the work was done at once); ``result`` the commit counts of a synchronous confirmation."""

    batch_id: int
    job: Job | None = None
    result: dict | None = None


def upload(actor, commune_code: str, filename: str, content: bytes) -> Started:
    """Store an upload for ``commune_code`` and preview it: at once for a small file (``imports.preview``), else in
    a background job (batch status ``analysing``; commits the session). Raises ``ValidationError`` for file-level
    problems found before storing (wrong type, size limit, no header, too many rows) — nothing is stored then."""
    rows = count_rows(content)
    if rows <= job_threshold():
        return Started(imports.preview(actor, commune_code, filename, content).batch_id)
    batch = imports.stage(actor, commune_code, filename, content, rows)
    job = _enqueue_job(PREVIEW_KIND, "portal.services.imports.jobs:preview_job", batch, actor, {})
    return Started(batch.id, job)


def confirm(actor, batch_id: int, overwrite_manual: bool = False, decisions: dict | None = None) -> Started:
    """Commit a previewed batch: at once for a small one (``imports.commit``; ``result`` = its counts), else in a
    background job (status ``committing``; commits the session). A batch already committing returns its job.
    Raises ``AccessDenied``, ``StateError`` (discarded, or still being checked), ``PortalError`` (row errors of a
    small batch; a large batch's job fails with the same message). ``decisions``: the clerk's choice per row
    holding a death or departure (``imports.commit``), passed to the job for a large batch."""
    batch = imports.load_batch(actor, batch_id)
    recover(batch)
    if batch.status == "committing":
        return Started(batch.id, job_of(batch))
    if batch.status == "analysing":
        raise StateError("Tệp đang được kiểm tra, chưa xác nhận nhập được.")
    if batch.status != "previewed" or (batch.summary or {}).get("preview", {}).get("rows", 0) <= job_threshold():
        return Started(batch.id, result=imports.commit(actor, batch.id, overwrite_manual=overwrite_manual,
                                                       decisions=decisions))
    stored = (batch.summary or {}).get("stored_rows") or []
    # rows naming a death or departure are decided before the job starts: a refusal keeps the clerk's choices
    imports.decide_rows([imports.RowResult(**r) for r in stored], decisions)
    batch.status = "committing"
    db.session.flush()
    job = _enqueue_job(COMMIT_KIND, "portal.services.imports.jobs:commit_job", batch, actor,
                      {"overwrite_manual": bool(overwrite_manual),
                       "decisions": {str(k): v for k, v in (decisions or {}).items()}})
    return Started(batch.id, job)


def _enqueue_job(kind: str, func: str, batch: ImportBatch, actor, params: dict) -> Job:
    """Start job ``func`` ("module:function") for ``batch`` as ``actor``, owned by the batch's organisation; the job
    gets ``{"batch_id": …, **params}``. The batch keeps the id of its latest job (``ImportBatch.job_id``; set after
    ``portal.jobs.enqueue`` committed the Job row, flushed — the caller commits). Returns the Job row."""
    job = enqueue(kind, func, params={"batch_id": batch.id, **params}, user=actor,
                  owner_org_id=batch.organization_id)
    batch.job_id = job.id  # only this column is written: the job's own changes to the batch are kept
    db.session.flush()
    return job


def job_of(batch: ImportBatch) -> Job | None:
    """The latest preview or commit job of ``batch`` (None if it never had one): ``batch.job_id``. A batch without
    it (stored before migration 0003, or whose job was started but not yet linked) falls back to looking for the
    batch id in the parameters of the organisation's last 50 import jobs."""
    if batch.job_id is not None:
        job = db.session.get(Job, batch.job_id)
        if job is not None:
            return job
    kind = COMMIT_KIND if batch.status in ("committing", "committed") else PREVIEW_KIND
    jobs = db.session.execute(select(Job).where(Job.kind.in_((kind, PREVIEW_KIND)),
                                                Job.owner_org_id == batch.organization_id)
                              .order_by(Job.id.desc()).limit(50)).scalars()
    found = [j for j in jobs if (j.params or {}).get("batch_id") == batch.id]
    return next((j for j in found if j.kind == kind), found[0] if found else None)


def recover(batch: ImportBatch) -> bool:
    """A batch ``committing`` whose commit job failed or lost its worker (``reap_if_dead``) goes back to
    ``previewed`` (flushed); returns True when it did. Called by every page and action on a batch."""
    if batch.status != "committing":
        return False
    job = job_of(batch)
    if job is not None and not job.finished:
        reap_if_dead(job)
    if job is None or job.status != "failed":
        return False
    batch.status = "previewed"
    db.session.flush()
    return True


def _progress(progress, start: int, end: int, verb: str):
    def report(done: int, total: int) -> None:
        progress(start + (end - start) * done // max(total, 1), f"{verb} {done}/{total} dòng")
    return report


def preview_job(job: Job, progress) -> dict:
    """Background job: check every row of the batch ``job.params["batch_id"]`` and store the preview rows and counts
    (status ``analysing`` → ``previewed``). Raises ``ValidationError`` for file-level problems (stored as the job's
    error; the clerk discards the batch)."""
    batch = db.session.get(ImportBatch, job.params["batch_id"])
    progress(2, "Đang đọc tệp…")
    month, plans = imports.analyse(batch.content, batch.scope, today=batch.created_at.date(),
                                   progress=_progress(progress, 5, 95, "Đã kiểm tra"))
    counts = counts_of(plans)
    db.session.refresh(batch)
    if batch.status != "analysing":  # discarded by the clerk meanwhile: leave it so
        return {"endpoint": "commune.import_upload", "values": {}, "label": "Tải tệp khác"}
    batch.summary = dict(batch.summary or {}) | {"preview": counts, "month": month.isoformat(),
                                                 "stored_rows": [asdict(r) for r in ordered(plans)],
                                                 "parsed": stored_form(batch.content)}
    batch.status = "previewed"
    db.session.flush()
    return {"endpoint": "commune.import_preview", "values": {"batch_id": batch.id}, "label": "Xem kết quả kiểm tra"}


def commit_job(job: Job, progress) -> dict:
    """Background job: ``imports.commit`` of the batch ``job.params["batch_id"]`` as ``job.user`` (all-or-nothing).
    On a refusal the batch goes back to ``previewed`` and the job fails with the Vietnamese reason."""
    batch = db.session.get(ImportBatch, job.params["batch_id"])
    progress(2, "Đang đọc tệp…")
    try:
        result = imports.commit(job.user, batch.id, overwrite_manual=job.params.get("overwrite_manual", False),
                                progress=_progress(progress, 5, 60, "Đã kiểm tra"),
                                decisions=job.params.get("decisions"))
    except PortalError:
        db.session.rollback()
        batch = db.session.get(ImportBatch, job.params["batch_id"])
        if batch.status == "committing":
            batch.status = "previewed"
            db.session.commit()
        raise
    return {"endpoint": "commune.index", "values": {}, "label": "Xem danh sách đối tượng",
            "summary": result}


def errors_workbook(actor, batch_id: int) -> tuple[str, bytes]:
    """The errors, warnings and legacy-encoding conversions of a batch's preview as an .xlsx, one message per line
    with the Excel row number, name and ID (as text) — for the clerk to fix the file. Returns (download name,
    bytes). Raises ``AccessDenied`` (another organisation's batch) and ``StateError`` (not previewable)."""
    batch = imports.load_batch(actor, batch_id)
    if batch.status != "previewed":
        raise StateError("Tệp này không còn ở bước xem trước.")
    preview = imports.show_preview(actor, batch.id)
    lines = []
    for r in sorted(preview.rows, key=lambda r: r.row_number):
        for kind, messages in (("Lỗi", r.errors), ("Cảnh báo", r.warnings), ("Chuyển bảng mã", r.legacy)):
            lines += [[r.row_number, r.full_name, r.national_id, kind, m] for m in messages]
    unit = db.session.get(AdministrativeUnit, batch.scope)
    c = preview.counts
    title = [f"Kết quả kiểm tra tệp {batch.filename} — {unit.name if unit else batch.scope}",
             f"{c['rows']} dòng: {c['error']} dòng lỗi, {c['warning']} dòng cảnh báo. Sửa các dòng lỗi trong tệp gốc "
             "(theo số dòng) rồi tải lên lại."]
    data = write_workbook(title, ["Dòng trong tệp", "Họ và tên", "Số định danh", "Loại", "Nội dung"], lines,
                          text_columns={2}, sheet_title="Lỗi và cảnh báo")
    stem = batch.filename.rsplit(".", 1)[0] or "tep"
    return f"loi-{stem}.xlsx", data
