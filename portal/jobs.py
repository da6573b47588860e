"""Background jobs (công việc chạy nền): long work (PDF lists, large imports, reports) never runs in a web request.

API
---
``enqueue(kind, func_path, *, params, user, owner_org_id) -> Job``
    Creates a :class:`~portal.models.Job` row (status ``queued``), **commits the current session** (the worker must
    see the row; commit your own changes first or let this commit carry them) and starts the work:

    * config ``JOBS_SYNC`` true (tests): runs it at once, in this thread, before returning (the returned Job is
      already ``done``/``failed``; call ``db.session.refresh(job)`` if you loaded it before);
    * config ``REDIS_URL`` set: RQ queue ``asxh`` on that Redis; a worker runs it
      (``flask --app wsgi rq-worker`` — or ``rq worker -u $REDIS_URL --job-class portal.jobs.RQJob asxh``, which
      builds the app from the environment);
    * otherwise: an in-process thread pool in the web process (``JOBS_THREADS``, default 2 = the machine's cores).

    ``kind``: short label (≤ 40 chars, e.g. ``"payout_list_pdf"``). ``func_path``: ``"package.module:function"``
    (or ``"package.module.function"``), stored in the job row and resolved when the job runs (``resolve``; a path
    from before a function moved goes through ``MOVED``). ``params``: JSON-serialisable dict. ``user``: the User who
    asked (or None for the system). ``owner_org_id``: organisation whose users may watch the job.

The job function
    ``def func(job: Job, progress) -> dict | None`` runs inside an application context with its own ``db.session``;
    ``job.params``, ``job.user`` / ``job.user_id``, ``job.owner_org_id`` are available. ``progress(pct, message)``
    (pct int 0–100, Vietnamese message) writes and commits the progress on a *separate* session, so it never commits
    the function's work (on SQLite do not hold uncommitted writes while calling it: the update is then skipped).
    The return value is stored in ``Job.result`` (JSON). Give it ``{"url": "/…"}`` or
    ``{"endpoint": "documents.x", "values": {"list_id": 3}}`` plus an optional ``"label"`` (Vietnamese link text) and
    the progress fragment shows the link when the job is done. After the function returns, the runner commits the
    function's session together with ``status="done"``, ``progress=100``. A raised :class:`~portal.errors.PortalError`
    is stored as its Vietnamese message in ``Job.error`` (status ``failed``); any other exception is logged (server
    log only) and stored as a generic Vietnamese message without the exception name; the function's uncommitted work is
    rolled back.

Watching a job
    Route ``jobs.show`` = ``GET /cong-viec/<job_id>``: a page with a progress bar; for htmx requests only the bar
    fragment (re-polled with ``hx-trigger="every 1s"`` until done/failed, then it shows the result link or the error).
    Only the job's user or a user of ``owner_org_id`` may see it (``areas.visible(Job)``), others get 404.
    In your own page: ``{% from "_macros/job.html" import job_progress %}{{ job_progress(job) }}``.

Helpers: ``run_job(job_id)`` runs a queued job in the current app context (used by every runner);
``job_result_url(job)`` the result link or None; ``is_stale(job)`` True for a job unfinished after
``STALE_AFTER`` (e.g. lost with a restarted web process: do not reuse it, enqueue anew); ``reap_if_dead(job)``
marks failed a running job whose worker died (no heartbeat for ``DEAD_AFTER``; a thread beside the job function
writes ``Job.heartbeat_at`` every ``HEARTBEAT_EVERY``) — every page showing a job calls it first;
``register_cli(app)`` adds the ``rq-worker`` command.
"""
from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, timedelta
from typing import Any

import click
from flask import current_app, url_for
from flask.cli import with_appcontext
from redis import Redis
from rq import Queue, Worker
from rq.job import Job as RQBaseJob
from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from .clock import utcnow
from .errors import PortalError
from .extensions import db
from .models import Job
from .schema import needs_schema

log = logging.getLogger(__name__)

QUEUE_NAME = "asxh"
#: RQ: a job running longer than this is killed by the worker (seconds).
RQ_JOB_TIMEOUT = 3600
#: Shown for any non-PortalError failure; the exception itself (class, message, traceback) goes to the server log
#: only, never to the page (users read Vietnamese, and technical detail may leak data).
GENERIC_ERROR = "Lỗi hệ thống khi chạy công việc. Vui lòng thử lại hoặc báo quản trị viên."
QUEUE_ERROR = "Không gửi được công việc vào hàng đợi (Redis). Vui lòng thử lại sau hoặc báo quản trị viên."

Progress = Callable[[int, str], None]
#: An unfinished job older than this is presumed lost (web process restarted, worker killed).
STALE_AFTER = timedelta(minutes=30)
#: A running job writes ``Job.heartbeat_at`` this often (a thread beside the job function, its own session) …
HEARTBEAT_EVERY = timedelta(seconds=10)
#: … so one silent this long lost its worker (process killed, machine restarted): ``reap_if_dead`` fails it.
DEAD_AFTER = timedelta(seconds=60)
WORKER_DIED = ("Công việc bị gián đoạn: tiến trình xử lý đã dừng giữa chừng (máy chủ khởi động lại hoặc bị tắt). "
               "Không có thay đổi dở dang nào được lưu. Vui lòng thử lại.")
NEVER_STARTED = "Công việc không được xử lý (hàng đợi đã mất). Vui lòng thử lại."

#: Job functions that moved, old path → new path: a job stored (queued, or failed and retried) before the move still
#: names the old one. Paths are in ``"module:function"`` form; a dotted ``"module.function"`` is matched too.
MOVED = {
    "portal.services.payout_list_pdf:render_job": "portal.services.payouts.pdf:render_job",
    "portal.services.import_jobs:preview_job": "portal.services.imports.jobs:preview_job",
    "portal.services.import_jobs:commit_job": "portal.services.imports.jobs:commit_job",
    "portal.jobs:run_job_rq": "portal.worker:run_job_rq",
}

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


# --------------------------------------------------------------------------------------------------------------------
# Enqueue
# --------------------------------------------------------------------------------------------------------------------


def enqueue(kind: str, func_path: str, *, params: dict, user=None, owner_org_id: int | None = None) -> Job:
    """Create a Job for ``func_path(job, progress)`` and start it (see module docstring). Commits the session.

    Returns the Job (status ``queued``/``running`` when asynchronous; ``done``/``failed`` in sync mode).
    Raises ``ValueError`` when ``func_path`` does not name a callable (checked before anything is written)."""
    resolve(func_path)  # fail early, in the caller, on a typo
    job = Job(kind=kind, status="queued", progress=0, message="Đang chờ xử lý…",
              params={**(params or {}), "_func": func_path},
              user_id=getattr(user, "id", None), owner_org_id=owner_org_id)
    db.session.add(job)
    db.session.commit()
    job_id = job.id
    app = current_app._get_current_object()
    if app.config.get("JOBS_SYNC"):
        with app.app_context():
            run_job(job_id)
        db.session.refresh(job)
    elif app.config.get("REDIS_URL"):
        try:
            _rq_queue(app.config["REDIS_URL"]).enqueue(
                "portal.worker.run_job_rq", job_id, job_timeout=RQ_JOB_TIMEOUT, result_ttl=0)
        except Exception:  # Redis down: the job can never start; say so instead of spinning forever
            log.exception("could not enqueue job %s", job_id)
            job.status, job.error, job.finished_at = "failed", QUEUE_ERROR, utcnow()
            db.session.commit()
    else:
        _pool(app).submit(_run_in_thread, app, job_id)
    return job


def resolve(func_path: str) -> Callable[..., Any]:
    """The function ``func_path`` names (``"module:function"`` or ``"module.function"``), through ``MOVED`` when it
    names a function from before a move. Raises ValueError when it names nothing callable."""
    module_name, sep, name = func_path.partition(":")
    if not sep:
        module_name, _, name = func_path.rpartition(".")
    module_name, _, name = MOVED.get(f"{module_name}:{name}", f"{module_name}:{name}").partition(":")
    try:
        func = getattr(importlib.import_module(module_name), name)
    except (ImportError, AttributeError, ValueError) as exc:
        raise ValueError(f"unknown job function {func_path!r}") from exc
    if not callable(func):
        raise ValueError(f"job function {func_path!r} is not callable")
    return func


# --------------------------------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------------------------------


def _progress_writer(job_id: int) -> Progress:
    """``progress(pct, message)`` committing on its own short session (never the job function's session)."""

    def progress(pct: int, message: str = "") -> None:
        pct = max(0, min(100, int(pct)))
        try:
            with Session(db.engine) as s:
                s.execute(update(Job).where(Job.id == job_id).values(progress=pct, message=(message or "")[:300],
                                                                     heartbeat_at=utcnow()))
                s.commit()
        except SQLAlchemyError:  # e.g. SQLite locked by the function's own pending writes: progress is best effort
            log.warning("progress of job %s not recorded", job_id, exc_info=True)

    return progress


def run_job(job_id: int) -> None:
    """Run the queued Job ``job_id`` in the current application context and record the outcome. Never raises for
    errors of the job function (they are stored in ``Job.error``); a job not in ``queued`` state is left alone."""
    job = db.session.get(Job, job_id)
    if job is None or job.status != "queued":
        return
    job.status, job.started_at, job.heartbeat_at, job.message = "running", utcnow(), utcnow(), "Đang xử lý…"
    db.session.commit()
    params = dict(job.params or {})
    beating = _start_heartbeat(job_id)
    try:
        func = resolve(params.pop("_func"))
        result = func(job, _progress_writer(job_id))
        db.session.refresh(job)  # progress() wrote on another session
        job.status, job.progress, job.result = "done", 100, result
        job.message = "Đã xong."
        job.finished_at = utcnow()
        db.session.commit()
    except Exception as exc:  # noqa: BLE001 — every failure is recorded for the user
        db.session.rollback()
        if isinstance(exc, PortalError):
            error = str(exc)
        else:
            log.exception("job %s (%s) failed", job_id, job.kind)
            error = GENERIC_ERROR
        job = db.session.get(Job, job_id)
        job.status, job.error, job.finished_at = "failed", error[:500], utcnow()
        job.message = "Không hoàn thành."
        db.session.commit()
    finally:
        beating.set()


def _start_heartbeat(job_id: int) -> threading.Event:
    """Write ``Job.heartbeat_at`` every ``HEARTBEAT_EVERY`` on a thread of its own until the returned event is set
    (best effort: a failed write is logged and retried at the next beat)."""
    stop = threading.Event()
    app = current_app._get_current_object()

    def beat():
        with app.app_context():
            while not stop.wait(HEARTBEAT_EVERY.total_seconds()):
                try:
                    with Session(db.engine) as s:
                        s.execute(update(Job).where(Job.id == job_id, Job.status == "running")
                                  .values(heartbeat_at=utcnow()))
                        s.commit()
                except SQLAlchemyError:
                    log.warning("heartbeat of job %s not recorded", job_id, exc_info=True)

    threading.Thread(target=beat, name=f"asxh-heartbeat-{job_id}", daemon=True).start()
    return stop


def reap_if_dead(job: Job) -> bool:
    """When a page asks about ``job``: a ``running`` job whose heartbeat (else start) is older than ``DEAD_AFTER``,
    or a ``queued`` one older than ``STALE_AFTER``, lost its worker — mark it ``failed`` with a Vietnamese reason
    (``WORKER_DIED`` / ``NEVER_STARTED``), so the page offers "Thử lại" instead of a bar stuck at 7 %. A guarded
    update (only if the row is still in that state), flushed; the request commits. Returns True when it did."""
    if job is None or job.finished:
        return False
    now = utcnow()
    if job.status == "running":
        last = job.heartbeat_at or job.started_at or job.created_at
        if last is None or now - (last if last.tzinfo else last.replace(tzinfo=UTC)) <= DEAD_AFTER:
            return False
        error = WORKER_DIED
    elif is_stale(job):
        error = NEVER_STARTED
    else:
        return False
    done = db.session.execute(update(Job).where(Job.id == job.id, Job.status == job.status).values(
        status="failed", error=error, message="Không hoàn thành.", finished_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if done:
        db.session.refresh(job)
        log.warning("job %s (%s) marked failed: worker lost", job.id, job.kind)
    return bool(done)


def _run_in_thread(app, job_id: int) -> None:
    with app.app_context():
        try:
            run_job(job_id)
        finally:
            db.session.remove()


def _pool(app) -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=int(app.config.get("JOBS_THREADS", 2)),
                                           thread_name_prefix="asxh-job")
        return _executor


# --------------------------------------------------------------------------------------------------------------------
# RQ (Redis)
# --------------------------------------------------------------------------------------------------------------------


class RQJob(RQBaseJob):
    """An RQ job whose function path goes through ``MOVED`` (``resolve``), so a message queued before the entry
    point moved (``portal.jobs.run_job_rq``) still runs. ``flask rq-worker`` uses it; a bare ``rq worker`` needs
    ``--job-class portal.jobs.RQJob``."""

    @property
    def func(self):
        if self.func_name is None or self.instance is not None:
            return super().func
        return resolve(self.func_name)


def _rq_queue(redis_url: str) -> Queue:
    return Queue(QUEUE_NAME, connection=Redis.from_url(redis_url), job_class=RQJob)


@click.command("rq-worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
@needs_schema
def rq_worker_cmd(burst):
    """Run background jobs from Redis (REDIS_URL) — queue asxh."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException("Chưa đặt REDIS_URL: công việc nền đang chạy trong tiến trình web.")
    conn = Redis.from_url(url)
    Worker([Queue(QUEUE_NAME, connection=conn, job_class=RQJob)], connection=conn, job_class=RQJob).work(burst=burst)


def register_cli(app) -> None:
    """Add ``flask --app wsgi rq-worker [--burst]``: an RQ worker on ``REDIS_URL``, queue ``asxh``."""
    app.cli.add_command(rq_worker_cmd)


# --------------------------------------------------------------------------------------------------------------------
# Presentation helpers
# --------------------------------------------------------------------------------------------------------------------


def is_stale(job: Job) -> bool:
    """True when ``job`` is still queued/running ``STALE_AFTER`` after it was created."""
    if job.finished or job.created_at is None:
        return False
    created = job.created_at if job.created_at.tzinfo else job.created_at.replace(tzinfo=UTC)
    return utcnow() - created > STALE_AFTER


def job_error_text(job: Job) -> str:
    """The Vietnamese error shown for a failed ``job``: ``Job.error``, except the generic message for rows recorded
    before the exception name was kept out of it ("Lỗi hệ thống … (ValueError)")."""
    error = job.error or "Công việc không hoàn thành."
    return GENERIC_ERROR if error.startswith("Lỗi hệ thống khi chạy công việc (") else error


def job_retry_url(job: Job) -> str | None:
    """Where a "Thử lại" form of a failed ``job`` POSTs: ``params["retry"] = {"endpoint", "values"}`` set by the
    caller of ``enqueue``; None when the job offers no retry."""
    retry = (job.params or {}).get("retry") if job.status == "failed" else None
    if not isinstance(retry, dict) or not retry.get("endpoint"):
        return None
    return url_for(retry["endpoint"], **(retry.get("values") or {}))


JOB_TITLES = {
    "payout_list_pdf": ("Đang chuẩn bị danh sách chi trả (PDF)…", "Danh sách chi trả (PDF) đã sẵn sàng"),
    "import_preview": ("Đang kiểm tra tệp danh sách…", "Đã kiểm tra xong tệp danh sách"),
    "import_commit": ("Đang nhập danh sách…", "Đã nhập xong danh sách"),
}
"""Job kind → (heading while it runs, heading once done) of its progress page."""


def job_heading(job: Job) -> str:
    """The heading of a job's progress page: what it is doing, what it did once done, or that it failed."""
    running, done = JOB_TITLES.get(job.kind, ("Đang xử lý…", "Đã xong"))
    if job.status == "done":
        return done
    return "Không hoàn thành được" if job.status == "failed" else running


def job_download_url(job: Job) -> str | None:
    """The file a finished job made (its result names a stored file), to be fetched without a second click."""
    result = job.result if isinstance(job.result, dict) else {}
    return job_result_url(job) if job.status == "done" and result.get("file_id") else None


def job_result_url(job: Job) -> str | None:
    """The link to the job's result (``result["url"]`` or ``url_for(result["endpoint"], **result["values"])``)."""
    result = job.result if isinstance(job.result, dict) else {}
    if result.get("url"):
        return result["url"]
    if result.get("endpoint"):
        return url_for(result["endpoint"], **(result.get("values") or {}))
    return None
