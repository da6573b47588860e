"""System health (tình trạng hệ thống) for ``/healthz``: does the database answer, is its schema current, does Redis
answer when it is configured. No request objects; the details of a failure go to the server log only."""
import logging

from flask import current_app
from redis import Redis
from sqlalchemy import text

from .extensions import db
from .schema import status as schema_status

log = logging.getLogger(__name__)


def _database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any driver error means "not healthy"
        log.warning("health: database unreachable", exc_info=True)
        return "error"
    return "ok"


def _redis() -> str:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return "not configured"
    try:
        Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except Exception:  # connection refused, timeout, auth: all mean jobs cannot be queued
        log.warning("health: redis unreachable", exc_info=True)
        return "error"
    return "ok"


def report() -> tuple[dict, bool]:
    """``({"status", "database", "schema", "redis"}, healthy)``: healthy when the database answers, the schema is
    ``"current"`` (else ``"outdated"``/``"empty"``; ``"unknown"`` without a database) and Redis is not in error."""
    database = _database()
    schema = schema_status() if database == "ok" else "unknown"
    redis = _redis()
    healthy = database == "ok" and schema == "current" and redis != "error"
    return {"status": "ok" if healthy else "error", "database": database, "schema": schema, "redis": redis}, healthy
