"""Health endpoint for the reverse proxy, the process supervisor and monitoring (kiểm tra tình trạng hệ thống).

``GET /healthz`` (no login) answers JSON ``{"status": "ok"|"error", "database": …, "redis": …, "schema": …}``:
200 when the database answers and the schema is at the latest migration (and Redis answers when ``REDIS_URL`` is
set), 503 otherwise. It names no table, user or personal data and is never cached.
"""
from flask import Blueprint, current_app, jsonify
from redis import Redis
from sqlalchemy import text

from ..extensions import db
from ..schema import status as schema_status

bp = Blueprint("health", __name__)


def _database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any driver error means "not healthy"; the detail stays in the server log
        current_app.logger.warning("health: database unreachable", exc_info=True)
        return "error"
    return "ok"


def _redis() -> str:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return "not configured"
    try:
        Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except Exception:  # connection refused, timeout, auth: all mean jobs cannot be queued
        current_app.logger.warning("health: redis unreachable", exc_info=True)
        return "error"
    return "ok"


@bp.route("/healthz")
def check():
    """Liveness and readiness in one answer (see module docstring)."""
    database = _database()
    schema = schema_status() if database == "ok" else "unknown"  # "current", "outdated" or "empty"
    redis = _redis()
    healthy = database == "ok" and schema == "current" and redis != "error"
    response = jsonify(status="ok" if healthy else "error", database=database, schema=schema, redis=redis)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
