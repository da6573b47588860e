"""Health endpoint for the reverse proxy, the process supervisor and monitoring (kiểm tra tình trạng hệ thống).

``GET /healthz`` (no login) answers JSON ``{"status": "ok"|"error", "database": …, "schema": …, "redis": …}`` (see
``portal.health.report``): 200 when healthy, 503 otherwise. It names no table, user or personal data and is never
cached.
"""
from flask import Blueprint, jsonify

from ..health import report

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def check():
    """Liveness and readiness in one answer."""
    body, healthy = report()
    response = jsonify(body)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
