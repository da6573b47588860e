"""Login sessions kept on the server (phiên đăng nhập) and passwords (mật khẩu).

A login opens a ``UserSession``: a random token (``secrets.token_urlsafe(32)``, 43 characters) goes into Flask-Login's
session and remember cookies through ``User.get_id``; the table keeps only its SHA-256. A request's cookie opens
nothing unless its token names a session that was not ended and was used within the idle timeout, of an active user
of an active organisation. So a cookie signed with a leaked key but naming a user id ("1:1") opens nothing, and after
logout the old session and remember cookies open nothing either.

Passwords (``check_password_policy``): at least ``MIN_PASSWORD_LENGTH`` (10) characters, not one of the common
passwords shipped in ``portal/data/common-passwords.txt`` (compared case-insensitively), not containing the user
name. A change ends every session of the user. Flushes, never commits.
"""
import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from ..clock import utcnow
from ..errors import ValidationError
from ..extensions import db
from ..models import Organization, User, UserSession
from .audit import record

#: ``last_seen_at`` is written at most this often (a write per request would load the database for nothing)
TOUCH_EVERY = timedelta(seconds=60)
MIN_PASSWORD_LENGTH = 10
#: ended or idle sessions of a user older than this are deleted when the user logs in again
KEEP_OLD_SESSIONS = timedelta(days=30)
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"
#: a hash of a random password, checked when the user name is unknown so both answers take the same time
_DUMMY_HASH = generate_password_hash(secrets.token_urlsafe(16))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _aware(value: datetime) -> datetime:
    """A stored timestamp as aware UTC (SQLite hands them back naive)."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def open_session(user: User) -> str:
    """Start a session for ``user`` (who has just proved their password); returns the token the cookies carry and
    sets ``user.session_token`` / ``user.current_session`` so ``login_user(user)`` stores it. The user's sessions
    unused for ``KEEP_OLD_SESSIONS`` are deleted."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id,
                                                 UserSession.last_seen_at < now - KEEP_OLD_SESSIONS)
                       .execution_options(synchronize_session=False))
    row = UserSession(user_id=user.id, token_hash=_digest(token), created_at=now, last_seen_at=now)
    db.session.add(row)
    db.session.flush()
    user.session_token, user.current_session = token, row
    return token


#: the session with its user, the user's organisation and that organisation's unit in one statement: every request
#: reads all four (``User.is_active``, ``areas.area_commune_codes``), one lazy load each otherwise
_RESUME = select(UserSession).options(
    joinedload(UserSession.user).joinedload(User.organization).joinedload(Organization.unit))


def resume_session(token: str, idle: timedelta) -> User | None:
    """The user of the live session named by ``token`` (its ``last_seen_at`` refreshed), or None when the token is
    unknown, the session was ended, it was idle longer than ``idle``, or the user or organisation is inactive."""
    if not token or len(token) > 100:
        return None
    row = db.session.execute(_RESUME.where(UserSession.token_hash == _digest(token))).scalar_one_or_none()
    if row is None or row.ended_at is not None:
        return None
    now = utcnow()
    if now - _aware(row.last_seen_at) > idle:
        return None
    user = row.user
    if not user.is_active:
        return None
    if now - _aware(row.last_seen_at) >= TOUCH_EVERY:
        row.last_seen_at = now
    user.session_token, user.current_session = token, row
    return user


def end_session(user: User, reason: str = "logout") -> None:
    """End the session ``user`` is using in this request (logout)."""
    row = user.current_session
    if row is not None and row.ended_at is None:
        row.ended_at, row.end_reason = utcnow(), reason
        record(user, "logout", "user", user.id, f"Đăng xuất: {user.username}")


def end_all_sessions(user: User, reason: str) -> int:
    """End every live session of ``user`` (logout everywhere, password change, deactivation); returns how many."""
    result = db.session.execute(update(UserSession)
                                .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
                                .values(ended_at=utcnow(), end_reason=reason)
                                .execution_options(synchronize_session="fetch"))
    user.session_version = (user.session_version or 0) + 1
    return result.rowcount or 0


def set_active(user: User, active: bool, actor: User | None = None) -> None:
    """Activate or deactivate ``user``; deactivation ends every session at once."""
    user.active = active
    if not active:
        end_all_sessions(user, "deactivated")
    record(actor, "user_active" if active else "user_inactive", "user", user.id,
           f"{'Mở lại' if active else 'Khóa'} tài khoản {user.username}")


# --- login and passwords -------------------------------------------------------------------------------------------


def authenticate(username: str, password: str) -> User | None:
    """The active user named ``username`` whose password is ``password``, else None. An unknown name costs the same
    password-hash check as a known one, so the answer time does not tell which names exist."""
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower-cased."""
    with open(COMMON_PASSWORDS_FILE, encoding="utf-8") as fh:
        return frozenset(line.strip().lower() for line in fh if line.strip() and not line.startswith("#"))


def password_problem(password: str, username: str) -> str | None:
    """Why ``password`` may not be used by ``username`` (Vietnamese), or None when it may."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự."
    if password.strip().lower() in common_passwords():
        return "Mật khẩu này quá phổ biến, dễ bị đoán. Hãy chọn mật khẩu khác."
    folded = password.strip().lower()
    if username and username.strip().lower() in folded:
        return "Mật khẩu không được chứa tên đăng nhập."
    return None


def check_password_policy(password: str, username: str) -> None:
    """Raise ``ValidationError`` (Vietnamese) when ``password`` breaks the policy (module docstring)."""
    problem = password_problem(password, username)
    if problem:
        raise ValidationError(problem)


def change_password(user: User, new_password: str, actor: User | None = None) -> int:
    """Set ``user``'s password after the policy check and end every session of the user (the caller logs the user
    in again if they changed their own). Returns the number of sessions ended. Raises ``ValidationError``."""
    check_password_policy(new_password, user.username)
    user.set_password(new_password)
    ended = end_all_sessions(user, "password")
    who = "tự đổi" if actor is not None and actor.id == user.id else "đặt lại"
    record(actor, "password_change", "user", user.id, f"Mật khẩu của {user.username} được {who}")
    return ended
