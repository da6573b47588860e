"""Login, logout, password change and the home redirect. Sessions live on the server (``services.sessions``);
failed logins are throttled per account and per address (Flask-Limiter) and audited."""
import math
import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_limiter import RateLimitExceeded
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo

from ..access import home_endpoint
from ..clock import today_vn
from ..extensions import limiter
from ..rendering import render, render_form
from ..services.audit import record, record_apart
from ..services.sessions import (
    MIN_PASSWORD_LENGTH,
    authenticate,
    change_password,
    end_all_sessions,
    end_session,
    open_session,
    password_problem,
)

bp = Blueprint("auth", __name__)
WRONG_LOGIN = "Tên đăng nhập hoặc mật khẩu không đúng."


class LoginForm(FlaskForm):
    """Đăng nhập."""

    username = StringField("Tên đăng nhập", validators=[DataRequired("Nhập tên đăng nhập.")])
    password = PasswordField("Mật khẩu", validators=[DataRequired("Nhập mật khẩu.")])
    remember = BooleanField("Ghi nhớ đăng nhập (7 ngày)")


class PasswordForm(FlaskForm):
    """Đổi mật khẩu."""

    current = PasswordField("Mật khẩu hiện tại", validators=[DataRequired("Nhập mật khẩu hiện tại.")])
    new = PasswordField(f"Mật khẩu mới (ít nhất {MIN_PASSWORD_LENGTH} ký tự)",
                        validators=[DataRequired("Nhập mật khẩu mới.")])
    confirm = PasswordField("Nhập lại mật khẩu mới",
                            validators=[DataRequired("Nhập lại mật khẩu mới."),
                                        EqualTo("new", "Hai lần nhập mật khẩu mới không giống nhau.")])


def _safe_next(target: str | None) -> str | None:
    """Only same-origin relative paths are followed after login."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _login_account() -> str:
    """Throttling key of the account a login names (lower-cased, trimmed)."""
    return "login-account:" + (request.form.get("username") or "").strip().lower()[:60]


def _failed(resp) -> bool:
    """Only refused logins count against the limits."""
    return request.method == "POST" and resp.status_code != 302


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for(home_endpoint(current_user)))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_ACCOUNT"], key_func=_login_account, methods=["POST"],
               deduct_when=_failed, scope="login-account")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_ADDRESS"], methods=["POST"], deduct_when=_failed,
               scope="login-address")
def login():
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        username = form.username.data.strip()
        user = authenticate(username, form.password.data)
        if user is not None:
            open_session(user)
            login_user(user, remember=form.remember.data)
            record(user, "login", "user", user.id, f"Đăng nhập: {user.username}")
            return redirect(_safe_next(request.args.get("next")) or url_for(home_endpoint(user)))
        record_apart(None, "login_failed", "user", None,
                     f"Đăng nhập sai: {username[:60]} từ {request.remote_addr or '?'}")
        error = WRONG_LOGIN
    return render_form("auth/login.html", form=form, error=error)


def _minutes_to_wait(limit) -> int:
    """Whole minutes until the breached limit's window ends (at least 1). Read from the window's exact end: the
    rounded ``reset_at`` adds a second, which made a fresh 15-minute window read "16 phút"."""
    reset_time = limit.window.reset_time if limit is not None else time.time() + 60
    return max(1, math.ceil((reset_time - time.time()) / 60))


@bp.app_errorhandler(RateLimitExceeded)
def too_many_logins(exc):
    """Throttled login: the login page with how long to wait (429)."""
    minutes = _minutes_to_wait(limiter.current_limit)
    record_apart(None, "login_throttled", "user", None,
                 f"Đăng nhập bị tạm khóa: {(request.form.get('username') or '').strip()[:60]} "
                 f"từ {request.remote_addr or '?'}")
    error = f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút."
    return render("auth/login.html", form=LoginForm(), error=error, status=429)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    end_session(current_user)
    logout_user()
    return redirect(url_for("auth.login"))


@bp.route("/logout-all", methods=["POST"])
@login_required
def logout_all():
    end_all_sessions(current_user, "logout_all")
    record(current_user, "logout_all", "user", current_user.id, "Đăng xuất khỏi mọi thiết bị")
    logout_user()
    return redirect(url_for("auth.login"))


@bp.route("/mat-khau", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password; every session ends, this browser gets a new one."""
    form = PasswordForm()
    error = None
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not user.check_password(form.current.data):
            error = "Mật khẩu hiện tại không đúng."
        else:
            error = password_problem(form.new.data, user.username)
        if error is None:
            change_password(user, form.new.data, actor=user)
            open_session(user)
            login_user(user)
            flash("Đã đổi mật khẩu. Các phiên đăng nhập khác đã kết thúc.", "success")
            return redirect(url_for(home_endpoint(user)))
    return render_form("auth/password.html", form=form, error=error)


@bp.route("/no-duty")
@login_required
def no_duty():
    """The page of a user whose organisation holds no duty today: when its administrative unit has ended (a district
    office or the 2024 province department after the reform of 1/7/2025), it says so and where the work went."""
    unit = current_user.organization.unit
    ended = unit if unit is not None and unit.valid_to is not None and unit.valid_to < today_vn() else None
    return render("auth/no_duty.html", ended=ended)
