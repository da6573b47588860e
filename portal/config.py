"""Configuration (cấu hình): read from the environment, with safe defaults for the embedded SQLite set-up.

Environment: ``SECRET_KEY`` (required outside tests: at least 32 random characters, else read from
``<instance>/secret_key``, which ``make run`` creates once; see ``portal.security``), ``COOKIE_SECURE`` (``1`` behind
HTTPS: Secure cookies and HSTS), ``SESSION_IDLE_MINUTES`` (default 30),
``DATABASE_URL`` (default ``sqlite:///<instance>/portal.db``), ``REDIS_URL`` (optional; long jobs run in-process
without it), ``MAX_UPLOAD_MB`` (default 10), ``PUBLIC_BASE_URL`` (the public address printed in the verification QR
codes, e.g. ``https://asxh.angiang.gov.vn``; warned about at start-up when unset), ``TRUSTED_PROXIES`` (reverse
proxies whose ``X-Forwarded-*`` headers are trusted, default 0), ``NOTICE_SENDER`` ("log" or "sms") with
``SMS_GATEWAY_URL`` / ``SMS_GATEWAY_TOKEN`` for messages to beneficiaries.
"""
import os
from datetime import timedelta


class Config:
    """Production-ish defaults; every value can be overridden by the environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY")  # None → <instance>/secret_key; weak or missing → refuse to start
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")  # None → SQLite in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"hide_parameters": True}  # no CCCD from a statement's parameters in errors
    REDIS_URL = os.environ.get("REDIS_URL")
    JOBS_SYNC = False  # True: background jobs run at once in the caller's thread (tests)
    JOBS_THREADS = int(os.environ.get("JOBS_THREADS", "2"))  # in-process runner threads when REDIS_URL is unset
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_UPLOAD_MB", "10")) * 1024 * 1024
    IMPORT_JOB_ROWS = int(os.environ.get("IMPORT_JOB_ROWS", "500"))  # larger commune imports run as a background job
    IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "20000"))  # data rows per file; the clerk splits bigger
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    #: messages to beneficiaries: "log" (default, the application log) or "sms" (an HTTP SMS gateway)
    NOTICE_SENDER = os.environ.get("NOTICE_SENDER", "log")
    SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL")
    SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("COOKIE_SECURE", "0") == "1"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_DURATION = timedelta(days=7)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=10)
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))  # a session unused this long is over
    SESSION_PROTECTION = "basic"
    PAGE_SIZE = 25
    #: months without a sign of life (cash paid against a signature, account check "hoạt động", police check, home
    #: visit) that put a beneficiary on the commune's list to visit (``services.registry.life_signals``)
    LIFE_SIGNAL_MONTHS = int(os.environ.get("LIFE_SIGNAL_MONTHS", "6"))
    # Login throttling (Flask-Limiter; storage in extensions.limiter): failed logins per account and per address.
    LOGIN_LIMIT_ACCOUNT = os.environ.get("LOGIN_LIMIT_ACCOUNT", "10 per 15 minutes")
    LOGIN_LIMIT_ADDRESS = os.environ.get("LOGIN_LIMIT_ADDRESS", "30 per 15 minutes")
    RATELIMIT_SWALLOW_ERRORS = True  # Redis down: log in without throttling rather than refuse everyone
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Issued documents: certificates for PAdES signing (one org-<id>.p12 per organisation; default
    # <instance>/certs, created for the demo by `flask dev-ca`) and the public base URL printed in QR codes.
    SIGNING_CERT_DIR = os.environ.get("SIGNING_CERT_DIR")
    SIGNING_P12_PASSWORD = os.environ.get("SIGNING_P12_PASSWORD", "asxh-dev")
    # No default: a QR code must never send a citizen to "localhost". Unset, the app warns at start-up and issued
    # documents take the address the request came in on (portal.services.documents.issuing.verify_url).
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL")
    # Reverse proxies in front of gunicorn (nginx: 1) whose X-Forwarded-For/-Proto/-Host are trusted; 0 = none.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))


class TestConfig(Config):
    """Tests: an in-memory-like temporary SQLite unless ``TEST_DATABASE_URL`` is set (e.g. PostgreSQL)."""

    TESTING = True
    SECRET_KEY = "test"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    WTF_CSRF_ENABLED = True
    JOBS_SYNC = True
    REDIS_URL = None
    PUBLIC_BASE_URL = "http://localhost:5000"
    # Limits stay on (Flask-Limiter keeps "enabled" on its one object, so an app made with them off would turn
    # them off for every app of the process); tests log in hundreds of times from one address, so the login limits
    # are high here and tests/blueprints/test_login.py sets small ones.
    LOGIN_LIMIT_ACCOUNT = "10000 per minute"
    LOGIN_LIMIT_ADDRESS = "10000 per minute"
