"""Login, logout and the home redirect."""
from urllib.parse import urlsplit

from flask import Blueprint, redirect, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired

from ..access import home_endpoint
from ..extensions import db
from ..models import User
from ..rendering import render, render_form
from ..services.audit import record

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    """Đăng nhập."""

    username = StringField("Tên đăng nhập", validators=[DataRequired("Nhập tên đăng nhập.")])
    password = PasswordField("Mật khẩu", validators=[DataRequired("Nhập mật khẩu.")])
    remember = BooleanField("Ghi nhớ đăng nhập (7 ngày)")


def _safe_next(target: str | None) -> str | None:
    """Only same-origin relative paths are followed after login."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for(home_endpoint(current_user)))


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = db.session.execute(select(User).where(User.username == form.username.data.strip())).scalar_one_or_none()
        if user and user.is_active and user.check_password(form.password.data):
            login_user(user, remember=form.remember.data)
            record(user, "login", "user", user.id, f"Đăng nhập: {user.username}")
            return redirect(_safe_next(request.args.get("next")) or url_for(home_endpoint(user)))
        error = "Tên đăng nhập hoặc mật khẩu không đúng."
    return render_form("auth/login.html", form=form, error=error)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    return redirect(url_for("auth.login"))


@bp.route("/logout-all", methods=["POST"])
@login_required
def logout_all():
    current_user.session_version += 1
    record(current_user, "logout_all", "user", current_user.id, "Đăng xuất khỏi mọi thiết bị")
    logout_user()
    return redirect(url_for("auth.login"))


@bp.route("/no-duty")
@login_required
def no_duty():
    return render("auth/no_duty.html")
