"""Error pages in Vietnamese; a CSRF failure is shown (pitfall 18), a database lock becomes "thử lại" (pitfall 22),
and a write that lost a race with another user (unique constraint) becomes "tải lại" instead of a 500. Every handler
rolls the session back first, so the error page itself can query the database.

A rule a service refuses (``PortalError``) is answered application-wide, with its Vietnamese message:
``AccessDenied`` 403, ``StateError`` 409, ``ValidationError`` and any other ``PortalError`` 422 (``REFUSAL_STATUS``).
A view that shows a refusal its own way says so before calling the service — ``on_refusal(answer)`` (e.g. the form
again with the message under its field, 422) or ``flash_refusal(url)`` (the message flashed, back to ``url``) — and
never catches the error itself; the answer runs after the rollback (``portal.unit_of_work``), so it shows the data as
they were before the request. ``AccessDenied`` is always the 403 page (a row out of the user's area is a 404 before
that, through ``areas.get_visible_or_404``).

Every HTTP error (``abort(…)``, an unknown URL, a file download refused by ``portal.access``) is the normal page —
``errors/error.html`` in the layout, or only the message (``errors/_message.html``) for an htmx request — never
Werkzeug's English text. A view that answers an error status with a bare text body (``return "…", 404``) gets that
text inside the same page (``bare_text_as_page``). Error pages are never cached and vary on ``HX-Request``, so a
message fragment is never shown later as a whole page (pitfall 20)."""
from collections.abc import Callable

from flask import current_app, flash, g, redirect, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from .errors import AccessDenied, PortalError, StateError, ValidationError
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


#: the largest id SQLite can store (signed 64-bit INTEGER)
MAX_ID = 2**63 - 1


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` for every route: a number larger than SQLite's INTEGER (``/xa/doi-tuong/99999999999999999999``)
    does not match, so the URL is a 404 instead of an ``OverflowError`` (500). Registered as "int" by
    ``register_converters`` before any blueprint."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def register_converters(app):
    """Replace Flask's "int" URL converter with :class:`BoundedIntConverter` (call before registering routes)."""
    app.url_map.converters["int"] = BoundedIntConverter


#: error statuses whose bare text body a view may have returned (``bare_text_as_page``)
WRAPPED = (400, 403, 404, 405, 409, 410)


def _page(status: int, message: str | None = None):
    db.session.rollback()
    message = message or MESSAGES.get(status, "Đã có lỗi.")
    template = "errors/_message.html" if htmx else "errors/error.html"
    return render_template(template, status=status, message=message), status, {
        "Vary": "HX-Request", "Cache-Control": "no-store"}


def _http_error(e: HTTPException):
    """The page for any HTTP error; a Vietnamese ``abort(404, description="…")`` text is shown as the message
    (Werkzeug's English default descriptions are not)."""
    text = e.description or ""
    return _page(e.code or 500, text if any(ord(ch) > 127 for ch in text) else None)


def bare_text_as_page(response):
    """``after_request``: an error response (``WRAPPED``) whose body is plain text, not markup — e.g. a download
    view's ``return "Không có …", 404`` — becomes the Vietnamese error page with that text as the message (an
    English or empty text gets the standard message). Files, streams and pages are left alone."""
    if (response.status_code not in WRAPPED or response.direct_passthrough or response.is_streamed
            or response.mimetype not in ("text/html", "text/plain")
            or "attachment" in response.headers.get("Content-Disposition", "")):
        return response
    text = response.get_data(as_text=True).strip()
    if "<" in text or len(text) > 500:  # markup (a page or a fragment) or not a short message
        return response
    vietnamese = any(ord(ch) > 127 for ch in text)  # an English text (Werkzeug's own) gets the standard message
    return current_app.make_response(_page(response.status_code, text if vietnamese else None))


#: refused rule → status, the most specific class first (``refusal_status``)
REFUSAL_STATUS = ((AccessDenied, 403), (StateError, 409), (ValidationError, 422), (PortalError, 422))


def refusal_status(err: PortalError) -> int:
    """The HTTP status of a refused rule (``REFUSAL_STATUS``)."""
    return next(status for cls, status in REFUSAL_STATUS if isinstance(err, cls))


def on_refusal(answer: Callable[[PortalError], object]) -> None:
    """Answer a ``PortalError`` raised by the rest of this view with ``answer(err)`` (any view return value, e.g.
    the form re-rendered with the message, status 422) instead of the error page. ``answer`` is called after the
    rollback; ``AccessDenied`` never reaches it (always 403)."""
    g.refusal_answer = answer


def flash_refusal(url: str) -> None:
    """``on_refusal`` of a post-and-redirect view: the refusal's message is flashed (category ``error``) and the
    browser sent to ``url`` (302)."""

    def answer(err: PortalError):
        flash(str(err), "error")
        return redirect(url)

    on_refusal(answer)


def _refused(err: PortalError):
    """A ``PortalError`` out of a view: the view's answer (``on_refusal``) or the page with its status; for htmx only
    the message (``_page``)."""
    answer = g.pop("refusal_answer", None)
    db.session.rollback()
    if answer is not None and not isinstance(err, AccessDenied):
        return answer(err)
    return _page(refusal_status(err), str(err) or None)


def _too_large(_e):
    limit_mb = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
    return _page(413, f"Tệp tải lên quá lớn (tối đa {limit_mb} MB). Hãy chia nhỏ tệp hoặc bỏ các trang tính thừa.")


def register_error_handlers(app):
    """Attach handlers for HTTP errors, refused rules, CSRF failures, lost races and locked databases."""
    for code in (400, 403, 404, 405, 500):
        app.register_error_handler(code, _http_error)
    app.register_error_handler(HTTPException, _http_error)  # any other status (401, 410, 429, …)
    app.register_error_handler(413, _too_large)
    app.register_error_handler(PortalError, _refused)
    app.after_request(bare_text_as_page)

    @app.errorhandler(CSRFError)
    def csrf_error(_e):
        return _page(400, "Phiên làm việc đã hết hạn hoặc thiếu mã bảo vệ (CSRF). Vui lòng tải lại trang và thử lại.")

    @app.errorhandler(OverflowError)
    def too_large_number(_e):  # a number from the URL or query string too big for SQLite: nothing to find
        return _page(404)

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
