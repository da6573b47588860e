"""Configuration (cấu hình): read from the environment, with safe defaults for the embedded SQLite set-up.

Environment: ``SECRET_KEY``, ``DATABASE_URL`` (default ``sqlite:///<instance>/portal.db``), ``REDIS_URL`` (optional;
long jobs run in-process without it), ``MAX_UPLOAD_MB`` (default 10).
"""
import os
from datetime import timedelta


class Config:
    """Production-ish defaults; every value can be overridden by the environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-change-me")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")  # None → SQLite in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    REDIS_URL = os.environ.get("REDIS_URL")
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_UPLOAD_MB", "10")) * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("COOKIE_SECURE", "0") == "1"
    REMEMBER_COOKIE_DURATION = timedelta(days=7)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=10)
    PAGE_SIZE = 25


class TestConfig(Config):
    """Tests: an in-memory-like temporary SQLite unless ``TEST_DATABASE_URL`` is set (e.g. PostgreSQL)."""

    TESTING = True
    SECRET_KEY = "test"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    WTF_CSRF_ENABLED = True
