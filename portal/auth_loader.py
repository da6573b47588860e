"""Flask-Login wiring: load a user from the token of a server-side session (``services.sessions``) and answer
anonymous access."""
from datetime import timedelta

from flask import current_app

from .access import login_redirect
from .extensions import login_manager
from .services.sessions import resume_session

login_manager.login_view = "auth.login"
login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."


@login_manager.user_loader
def load_user(session_id: str):
    """The user of the live session named by the cookie's token, else None (ended, idle too long, unknown)."""
    idle = timedelta(minutes=current_app.config.get("SESSION_IDLE_MINUTES", 30))
    return resume_session(session_id, idle)


@login_manager.unauthorized_handler
def unauthorized():
    """Anonymous user (or an ended or idle session) on a protected page: login redirect (``HX-Redirect`` for htmx)."""
    return login_redirect()
