"""Error pages in Vietnamese; a CSRF failure is shown (pitfall 18), a database lock becomes "thử lại" (pitfall 22)."""
from flask import render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError

from .extensions import db, htmx

MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    403: "Bạn không có quyền truy cập trang này.",
    404: "Không tìm thấy trang hoặc dữ liệu (hoặc dữ liệu ngoài địa bàn của bạn).",
    405: "Thao tác không được phép.",
    413: "Tệp tải lên quá lớn.",
    422: "Dữ liệu chưa hợp lệ.",
    500: "Lỗi hệ thống. Vui lòng thử lại hoặc báo quản trị viên.",
    503: "Hệ thống đang bận. Vui lòng thử lại sau ít phút.",
}


def _page(status: int, message: str | None = None):
    message = message or MESSAGES.get(status, "Đã có lỗi.")
    if htmx:
        return render_template("errors/_message.html", status=status, message=message), status
    return render_template("errors/error.html", status=status, message=message), status


def register_error_handlers(app):
    """Attach handlers for HTTP errors, CSRF failures and locked databases."""
    for code in (400, 403, 404, 405, 413, 500):
        app.register_error_handler(code, lambda e, code=code: _page(code))

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return _page(400, "Phiên làm việc đã hết hạn hoặc thiếu mã bảo vệ (CSRF). Vui lòng tải lại trang và thử lại.")

    @app.errorhandler(OperationalError)
    def locked(e):
        db.session.rollback()
        if "locked" in str(e).lower():
            return _page(503, "Cơ sở dữ liệu đang bận, vui lòng thử lại.")
        raise e
