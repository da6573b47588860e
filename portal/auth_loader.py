"""Flask-Login wiring: load a user from ``"<id>:<session_version>"`` and answer anonymous access."""
from .access import login_redirect
from .extensions import db, login_manager
from .models import User

login_manager.login_view = "auth.login"
login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."


@login_manager.user_loader
def load_user(session_id: str):
    """Return the active user whose id and session version match, else None (the session is over)."""
    try:
        user_id, version = (int(x) for x in session_id.split(":"))
    except ValueError:
        return None
    user = db.session.get(User, user_id)
    if user is None or user.session_version != version or not user.is_active:
        return None
    return user


@login_manager.unauthorized_handler
def unauthorized():
    """Anonymous user on a protected page: login redirect (``HX-Redirect`` for htmx)."""
    return login_redirect()
