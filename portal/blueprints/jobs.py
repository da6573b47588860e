"""Progress of a background job (tiến độ công việc chạy nền), for any logged-in user who started it or belongs to its
organisation: ``GET /cong-viec/<job_id>`` — the page, or for htmx polling only the progress-bar fragment."""
from flask import Blueprint
from flask_login import login_required

from ..areas import get_visible_or_404
from ..jobs import job_error_text, job_result_url, job_retry_url, reap_if_dead, register_cli
from ..models import Job
from ..rendering import render

bp = Blueprint("jobs", __name__, url_prefix="/cong-viec")
bp.add_app_template_global(job_result_url, "job_result_url")
bp.add_app_template_global(job_error_text, "job_error_text")
bp.add_app_template_global(job_retry_url, "job_retry_url")
bp.record_once(lambda state: register_cli(state.app))  # flask --app wsgi rq-worker


@bp.before_request
@login_required
def _logged_in():
    return None


@bp.route("/<int:job_id>")
def show(job_id):
    job = get_visible_or_404(Job, job_id)
    reap_if_dead(job)  # a worker killed mid-job: failed with a reason and a retry, not a bar stuck forever
    resp = render("jobs/show.html", block="progress", job=job)
    resp.headers["Cache-Control"] = "no-store"
    return resp
