"""Secret key and response headers: the app refuses a weak key outside tests; every page carries a strict CSP and
the other security headers; authenticated pages and downloads are never cached; no template holds inline code."""
import re
from pathlib import Path

import pytest

from portal import create_app
from portal.config import Config
from portal.security import InsecureConfig
from tests.blueprints.test_access_matrix import _routes, _url, foreign_ids  # noqa: F401  (fixture)

TEMPLATES = Path(__file__).resolve().parents[2] / "portal" / "templates"
INLINE = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=|hx-on|javascript:", re.I)


def _production(instance, **values):
    """``create_app`` with the production ``Config`` and ``instance`` as the instance folder."""
    from portal.unit_of_work import PortalFlask
    cfg = type("Production", (Config,), {"SQLALCHEMY_DATABASE_URI": "sqlite://", **values})
    original = PortalFlask.__init__

    def init(self, *args, **kw):
        original(self, *args, **kw, instance_path=str(instance))

    PortalFlask.__init__ = init
    try:
        return create_app(cfg)
    finally:
        PortalFlask.__init__ = original


@pytest.mark.parametrize("key", [None, "", "dev-only-change-me", "short-key-31-characters-long-xx"])
def test_production_refuses_missing_or_weak_secret_key(tmp_path, key):
    with pytest.raises(InsecureConfig, match="SECRET_KEY chưa được đặt hoặc quá yếu"):
        _production(tmp_path, SECRET_KEY=key)


def test_production_accepts_a_strong_key_and_reads_the_instance_file(tmp_path):
    assert _production(tmp_path, SECRET_KEY="k" * 32).config["SECRET_KEY"] == "k" * 32
    (tmp_path / "secret_key").write_text("f" * 64 + "\n")
    assert _production(tmp_path, SECRET_KEY=None).config["SECRET_KEY"] == "f" * 64


def _assert_secure_headers(resp, label):
    csp = resp.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, label
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, label
    assert resp.headers.get("X-Content-Type-Options") == "nosniff", label
    assert resp.headers.get("Referrer-Policy") == "same-origin", label
    assert resp.headers.get("X-Frame-Options") == "DENY", label


@pytest.mark.parametrize("role", ["xa.vinhmy", "pld.chaudoc", "so.angiang"])
def test_every_get_route_has_security_headers_and_no_store(app, client, foreign_ids, role):  # noqa: F811
    client.login(role)
    seen = 0
    for rule, method in _routes(app):
        if method != "GET":
            continue
        url = _url(rule, foreign_ids)
        resp = client.get(url)
        label = f"{role} GET {url} → {resp.status_code}"
        _assert_secure_headers(resp, label)
        assert resp.headers.get("Cache-Control") == "no-store", label
        seen += 1
    assert seen > 60


def test_login_and_public_pages_have_headers_and_static_files_stay_cacheable(client):
    for url in ("/login", "/xac-minh/khong-co"):
        resp = client.get(url)
        _assert_secure_headers(resp, url)
        assert resp.headers["Cache-Control"] == "no-store"
    css = client.get("/static/css/app.css")
    assert css.status_code == 200 and "no-store" not in css.headers.get("Cache-Control", "")
    assert ".htmx-request .htmx-indicator" in css.get_data(as_text=True)


def test_hsts_only_when_cookies_are_secure(app, client):
    assert "Strict-Transport-Security" not in client.get("/login", headers={"X-Forwarded-Proto": "https"}).headers
    secure = create_app(_secure_config(app))
    resp = secure.test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert resp.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Secure" in resp.headers.get("Set-Cookie", "")


def _secure_config(app):
    from portal.config import TestConfig
    return type("SecureTest", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                              "SESSION_COOKIE_SECURE": True, "REMEMBER_COOKIE_SECURE": True})


def _print_templates() -> set[Path]:
    """WeasyPrint page templates (rendered to PDF, never served): CSP does not apply."""
    found = {TEMPLATES / "documents" / "_page.html", TEMPLATES / "documents" / "_signoff.html"}
    found |= {p for p in TEMPLATES.rglob("*.html") if '{% extends "documents/_page.html" %}' in p.read_text("utf-8")}
    return found


def test_no_inline_script_or_style_in_page_templates():
    offenders = [f"{p.relative_to(TEMPLATES)}:{n}: {line.strip()[:80]}"
                 for p in sorted(set(TEMPLATES.rglob("*.html")) - _print_templates())
                 for n, line in enumerate(p.read_text("utf-8").splitlines(), 1) if INLINE.search(line)]
    assert offenders == []
    base = (TEMPLATES / "base.html").read_text("utf-8")
    assert '"includeIndicatorStyles":false' in base
