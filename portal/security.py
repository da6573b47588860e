"""Security wiring (bảo mật) of the app: the secret key, the headers every response carries. Wiring only: who may
act or see stays in ``portal/access.py``; sessions in ``portal/sessions.py``.

- ``load_secret_key(app)``: ``SECRET_KEY`` from the environment, else ``<instance>/secret_key`` (``make run`` writes
  48 random characters there once). Outside tests a missing, short (< 32 characters) or known key stops the app
  with ``InsecureConfig``: a cookie signed with a known key would let anyone forge a login.
- ``install_headers(app)``: Flask-Talisman sets a strict Content-Security-Policy (``default-src 'self'``, no inline
  script or style, no eval; ``frame-ancestors 'none'``), ``X-Frame-Options: DENY``, ``X-Content-Type-Options:
  nosniff``, ``Referrer-Policy: same-origin`` and, when ``SESSION_COOKIE_SECURE`` (``COOKIE_SECURE=1``) is on and the
  request came over HTTPS (directly or ``X-Forwarded-Proto``), HSTS. Talisman's HTTPS redirect stays off: TLS ends at
  the reverse proxy. Every response except static files gets ``Cache-Control: no-store`` (pages show personal data;
  the login form carries a CSRF token).
- ``install_log_masking()``: every log record of the process (access log lines with a search's query string, a
  database error's text with its parameters or a PostgreSQL unique-violation detail, a traceback) has each run of
  9 to 12 digits — a CCCD, an old CMND, a phone number — masked to its last 4 digits before any handler sees it.
"""
import logging
import os
import re

from flask import Flask, request

from .extensions import talisman

MIN_SECRET_LENGTH = 32
#: keys published somewhere (old defaults, examples): never accepted outside tests
KNOWN_KEYS = frozenset({"dev-only-change-me", "test", "secret", "changeme", "change-me", "browser-test"})
SECRET_KEY_FILE = "secret_key"

#: the Content-Security-Policy: everything from the portal itself, nothing inline (htmx is told not to inject its
#: indicator style: ``includeIndicatorStyles`` false in base.html; the rule is in static/css/app.css)
CSP = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


class InsecureConfig(RuntimeError):
    """The app must not start with this configuration (message in Vietnamese, with the fix)."""


def load_secret_key(app: Flask) -> None:
    """Set ``app.config["SECRET_KEY"]`` (environment, else the instance file) and refuse a weak one outside tests.

    Raises ``InsecureConfig`` when the key is missing, shorter than ``MIN_SECRET_LENGTH`` or in ``KNOWN_KEYS``."""
    key = app.config.get("SECRET_KEY")
    path = os.path.join(app.instance_path, SECRET_KEY_FILE)
    if not key and os.path.exists(path):
        with open(path, encoding="utf-8") as fh:
            key = fh.read().strip()
        app.config["SECRET_KEY"] = key
    if app.config.get("TESTING"):
        return
    if not key or len(key) < MIN_SECRET_LENGTH or key in KNOWN_KEYS:
        raise InsecureConfig(
            "SECRET_KEY chưa được đặt hoặc quá yếu: cần ít nhất 32 ký tự ngẫu nhiên, không dùng khóa mẫu. "
            "Đặt biến môi trường SECRET_KEY, hoặc ghi khóa vào " + path + " (make run tự tạo), ví dụ: "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'")


def install_headers(app: Flask) -> None:
    """Security headers on every response (module docstring)."""
    secure = bool(app.config.get("SESSION_COOKIE_SECURE"))
    talisman.init_app(
        app,
        force_https=False,
        frame_options="DENY",
        strict_transport_security=secure,
        content_security_policy=CSP,
        referrer_policy="same-origin",
        session_cookie_secure=secure,
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
        x_content_type_options=True,
    )

    @app.after_request
    def _no_store(resp):
        if request.endpoint not in PUBLIC_ASSET_ENDPOINTS:
            resp.headers["Cache-Control"] = "no-store"
        return resp


#: endpoints of public files (stylesheet, scripts) that keep their own caching: Flask's ``static`` and the versioned,
#: immutable names of ``blueprints/assets.py``
PUBLIC_ASSET_ENDPOINTS = frozenset({"static", "assets.versioned"})

#: a CCCD (12 digits), an old CMND (9), a phone number (10–11): a run of 9–12 digits not inside a longer number
DIGIT_RUN = re.compile(r"(?<!\d)\d{5,8}(\d{4})(?!\d)")


def mask_digits(text: str) -> str:
    """``text`` with each run of 9–12 digits masked but its last 4: "q=089077105153" → "q=********5153"."""
    return DIGIT_RUN.sub(lambda m: "*" * (len(m.group(0)) - 4) + m.group(1), text)


class _MaskedRecord(logging.LogRecord):
    """A log record whose message and traceback are masked (``mask_digits``) once, when it is made."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        try:
            message = super().getMessage()
        except Exception:  # noqa: BLE001 — a malformed record stays as it was; logging must not fail
            return
        masked = mask_digits(message)
        if masked != message:
            self.msg, self.args = masked, ()
        if self.exc_info and self.exc_info[0] is not None:
            self.exc_text = mask_digits(logging.Formatter().formatException(self.exc_info))


def install_log_masking() -> None:
    """Make every log record of the process a masked one (idempotent)."""
    if logging.getLogRecordFactory() is not _MaskedRecord:
        logging.setLogRecordFactory(_MaskedRecord)
