"""Error pages in Vietnamese; a CSRF failure is shown (pitfall 18), a database lock becomes "thử lại" (pitfall 22),
and a write that lost a race with another user (unique constraint) becomes "tải lại" instead of a 500. Every handler
rolls the session back first, so the error page itself can query the database."""
from flask import current_app, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError

from .extensions import db, htmx

MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    403: "Bạn không có quyền truy cập trang này.",
    404: "Không tìm thấy trang hoặc dữ liệu (hoặc dữ liệu ngoài địa bàn của bạn).",
    405: "Thao tác không được phép.",
    409: "Dữ liệu vừa được người khác thay đổi. Vui lòng tải lại trang rồi thử lại.",
    422: "Dữ liệu chưa hợp lệ.",
    500: "Lỗi hệ thống. Vui lòng thử lại hoặc báo quản trị viên.",
    503: "Cơ sở dữ liệu đang bận, vui lòng thử lại sau ít phút.",
}


def _page(status: int, message: str | None = None):
    db.session.rollback()
    message = message or MESSAGES.get(status, "Đã có lỗi.")
    template = "errors/_message.html" if htmx else "errors/error.html"
    return render_template(template, status=status, message=message), status


def _too_large(_e):
    limit_mb = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
    return _page(413, f"Tệp tải lên quá lớn (tối đa {limit_mb} MB). Hãy chia nhỏ tệp hoặc bỏ các trang tính thừa.")


def register_error_handlers(app):
    """Attach handlers for HTTP errors, CSRF failures, lost races and locked databases."""
    for code in (400, 403, 404, 405, 500):
        app.register_error_handler(code, lambda e, code=code: _page(code))
    app.register_error_handler(413, _too_large)

    @app.errorhandler(CSRFError)
    def csrf_error(_e):
        return _page(400, "Phiên làm việc đã hết hạn hoặc thiếu mã bảo vệ (CSRF). Vui lòng tải lại trang và thử lại.")

    @app.errorhandler(IntegrityError)
    def conflict(e):
        app.logger.warning("integrity conflict: %s", e.orig)
        return _page(409)

    @app.errorhandler(OperationalError)
    def operational(e):
        if "locked" in str(e).lower():
            return _page(503)
        app.logger.exception("database error")
        return _page(500)
