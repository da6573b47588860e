"""Progress of a background job (tiến độ công việc chạy nền), for any logged-in user who started it or belongs to its
organisation: ``GET /cong-viec/<job_id>`` — the page, or for htmx polling only the progress-bar fragment with the
heading out of band (it changes once the job is done); the poll that finds a finished file fetches it at once
(``HX-Redirect``), the page keeps the plain link for browsers without JavaScript."""
from flask import Blueprint
from flask_login import login_required

from ..areas import get_visible_or_404
from ..jobs import (
    job_download_url,
    job_error_text,
    job_heading,
    job_result_url,
    job_retry_url,
    reap_if_dead,
    register_cli,
)
from ..models import Job
from ..rendering import render, wants_fragment

bp = Blueprint("jobs", __name__, url_prefix="/cong-viec")
bp.add_app_template_global(job_result_url, "job_result_url")
bp.add_app_template_global(job_error_text, "job_error_text")
bp.add_app_template_global(job_retry_url, "job_retry_url")
bp.add_app_template_global(job_heading, "job_heading")
bp.record_once(lambda state: register_cli(state.app))  # flask --app wsgi rq-worker


@bp.before_request
@login_required
def _logged_in():
    return None


@bp.route("/<int:job_id>")
def show(job_id):
    job = get_visible_or_404(Job, job_id)
    reap_if_dead(job)  # a worker killed mid-job: failed with a reason and a retry, not a bar stuck forever
    resp = render("jobs/show.html", block="progress", job=job, fragment=wants_fragment())
    resp.headers["Cache-Control"] = "no-store"
    download = job_download_url(job) if wants_fragment() else None
    if download:  # the poll that sees the file ready fetches it: no second click (the page keeps the link)
        resp.headers["HX-Redirect"] = download
    return resp
