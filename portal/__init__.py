"""ASXH Portal — Cổng chi trả trợ cấp xã hội hằng tháng không dùng tiền mặt (An Giang).

``create_app(config=None)``: config → extensions → blueprints → errors → CLI → filters. Wiring only; the app class
(``unit_of_work.PortalFlask``) commits once per request.
"""
import os

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import Config
from .extensions import compress, csrf, db, htmx, limiter, login_manager, migrate
from .unit_of_work import PortalFlask


def create_app(config: type | None = None) -> Flask:
    """Build the Flask app. ``config`` is a Config class (default ``Config``)."""
    app = PortalFlask(__name__, instance_relative_config=True)
    app.config.from_object(config or Config)
    from .security import install_headers, install_log_masking, load_secret_key
    install_log_masking()  # no CCCD or phone number in any log line
    load_secret_key(app)  # refuses to start with a missing or weak key (outside tests)
    from .errors_web import register_converters
    register_converters(app)  # "<int:…>" bounded to SQLite's INTEGER: a huge id is a 404, not a 500
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        os.makedirs(app.instance_path, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "portal.db")

    if app.config.get("TRUSTED_PROXIES"):  # behind nginx: the client's address and scheme come from X-Forwarded-*
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"], x_proto=1, x_host=1)

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    compress.init_app(app)
    install_headers(app)
    limiter.init_app(app)

    from . import auth_loader  # noqa: F401  (user loader, unauthorized handler)
    from .forms_i18n import install as install_form_messages
    install_form_messages()  # WTForms messages in Vietnamese for every form
    from .blueprints import register_blueprints
    from .cli import register_cli
    from .errors_web import register_error_handlers
    from .formatting import FILTERS

    register_blueprints(app)
    register_error_handlers(app)
    register_cli(app)
    app.jinja_env.filters.update(FILTERS)
    from . import access
    from .models import DisabilityLevel, Gender
    app.jinja_env.globals.update(access.TEMPLATE_GLOBALS)  # who may act: {% if may_approve(current_user, lst) %}
    app.jinja_env.globals.update(DisabilityLevel=DisabilityLevel, Gender=Gender)  # labels: Gender.label_of(b.gender)
    from .services.payouts.reasons import reason_text
    app.jinja_env.globals["failure_reason"] = reason_text  # "label – note" of a line not paid
    from .services.payouts.pdf import category_cell
    app.jinja_env.globals["category_cell"] = category_cell  # «Diện» of a line: code, or the social pension's ground
    if not app.config.get("PUBLIC_BASE_URL"):
        app.logger.warning("PUBLIC_BASE_URL chưa được đặt: mã QR xác minh trên văn bản ban hành sẽ lấy địa chỉ của "
                           "yêu cầu; hãy đặt địa chỉ công khai của cổng (ví dụ https://asxh.angiang.gov.vn).")
    return app


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_conn, _record):
    """SQLite: WAL, a long busy timeout and enforced foreign keys (pitfall 22)."""
    if type(dbapi_conn).__module__.startswith("sqlite3"):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=15000")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.close()
