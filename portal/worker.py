"""RQ entry point (``portal.worker.run_job_rq``): builds the app once per worker process and runs one job.
Kept out of ``portal.jobs`` so that no module imported by the app imports ``create_app``."""
from flask import current_app, has_app_context

from . import create_app
from .extensions import db
from .jobs import run_job

_worker_app = None


def run_job_rq(job_id: int) -> None:
    """Entry point executed by an RQ worker: builds the app once per process if no app context is active."""
    global _worker_app
    if has_app_context():
        app = current_app._get_current_object()
    else:
        if _worker_app is None:
            _worker_app = create_app()
        app = _worker_app
    with app.app_context():
        for engine in db.engines.values():  # connections inherited through the work-horse fork are not ours
            engine.dispose(close=False)
        try:
            run_job(job_id)
        finally:
            db.session.remove()
