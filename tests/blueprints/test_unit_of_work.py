"""One unit of work per request (portal.unit_of_work) and refused rules answered application-wide
(portal.errors_web): every view below writes one audit row the way a service does (flush, no commit), then answers
or raises."""
import pytest
from flask import flash, redirect
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from portal.errors import AccessDenied, PortalError, StateError, ValidationError
from portal.errors_web import flash_refusal, on_refusal
from portal.extensions import db
from portal.models import AuditEvent
from portal.services.audit import record

MARK = "kiểm tra đơn vị công việc"
MESSAGE = "Danh sách đã phê duyệt, không sửa được nữa."


def _write():
    record(None, "test", "test", None, MARK)


def _written() -> int:
    return db.session.execute(select(func.count()).select_from(AuditEvent).where(AuditEvent.summary == MARK)).scalar()


def _raise(cls):
    def view():
        _write()
        raise cls(MESSAGE)
    return view


def _saved():
    _write()
    flash("Đã lưu.", "ok")
    return redirect("/login")


def _answered_422():
    _write()
    return "<p>Biểu mẫu chưa hợp lệ.</p>", 422


def _answered_by_view(cls):
    def view():
        on_refusal(lambda err: (f"<p>Trả lời của trang: {err}</p>", 422))
        _write()
        raise cls(MESSAGE)
    return view


def _flashed_back():
    flash_refusal("/login")
    _write()
    raise ValidationError(MESSAGE)


def _saved_then_refused():
    _write()
    flash("Đã lưu.", "ok")
    raise StateError(MESSAGE)


def _crashed():
    _write()
    raise RuntimeError("boom")


ROUTES = {"/_uow/saved": _saved, "/_uow/answered-422": _answered_422, "/_uow/flashed-back": _flashed_back,
          "/_uow/saved-then-refused": _saved_then_refused, "/_uow/crashed": _crashed,
          **{f"/_uow/raise/{cls.__name__}": _raise(cls) for cls in (AccessDenied, StateError, ValidationError,
                                                                     PortalError)},
          **{f"/_uow/answer/{cls.__name__}": _answered_by_view(cls) for cls in (AccessDenied, StateError)}}


@pytest.fixture
def web(client):
    """``client`` whose app also serves ``ROUTES`` (GET and POST, no login)."""
    for rule, view in ROUTES.items():
        client.web_app.add_url_rule(rule, rule, view, methods=["GET", "POST"])
    return client


@pytest.fixture
def commits(app):
    """Commits made by the server's sessions (not the test's own), counted while the test runs."""
    mine = db.session()
    seen = []

    def count(session):
        if session is not mine:
            seen.append(session)

    event.listen(Session, "after_commit", count)
    yield seen
    event.remove(Session, "after_commit", count)


@pytest.mark.parametrize(("cls", "status"), [(AccessDenied, 403), (StateError, 409), (ValidationError, 422),
                                             (PortalError, 422)])
def test_each_refusal_is_its_status_with_the_vietnamese_message_and_nothing_is_kept(web, cls, status):
    page = web.post(f"/_uow/raise/{cls.__name__}")
    html = page.get_data(as_text=True)
    assert page.status_code == status and '<html lang="vi">' in html
    assert f"<h1>Lỗi {status}</h1>" in html and f'<p class="error">{MESSAGE}</p>' in html
    assert page.headers["Cache-Control"] == "no-store" and "HX-Request" in page.headers["Vary"]
    fragment = web.post(f"/_uow/raise/{cls.__name__}", htmx=True)
    assert fragment.status_code == status
    assert fragment.get_data(as_text=True) == f'<p class="error" role="alert">{MESSAGE}</p>'
    assert _written() == 0


def test_a_success_commits_once_and_keeps_what_it_wrote(web, commits):
    resp = web.post("/_uow/saved")
    assert resp.status_code == 302 and len(commits) == 1
    assert _written() == 1
    assert "Đã lưu." in web.get("/login").get_data(as_text=True)


def test_a_view_answering_an_error_status_keeps_nothing(web, commits):
    resp = web.post("/_uow/answered-422")
    assert resp.status_code == 422 and "Biểu mẫu chưa hợp lệ." in resp.get_data(as_text=True)
    assert commits == [] and _written() == 0


def test_any_other_exception_keeps_nothing(web, commits):
    web.web_app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the 500 page, not the traceback
    resp = web.post("/_uow/crashed")
    assert resp.status_code == 500 and "Lỗi hệ thống" in resp.get_data(as_text=True)
    assert commits == [] and _written() == 0


def test_a_refused_request_drops_the_messages_it_flashed(web):
    resp = web.post("/_uow/saved-then-refused")
    assert resp.status_code == 409
    assert "Đã lưu." not in resp.get_data(as_text=True)
    assert "Đã lưu." not in web.get("/login").get_data(as_text=True)
    assert _written() == 0


def test_a_view_may_answer_a_refusal_its_own_way_but_access_denied_stays_403(web):
    resp = web.post("/_uow/answer/StateError")
    assert resp.status_code == 422 and resp.get_data(as_text=True) == f"<p>Trả lời của trang: {MESSAGE}</p>"
    denied = web.post("/_uow/answer/AccessDenied")
    assert denied.status_code == 403 and f'<p class="error">{MESSAGE}</p>' in denied.get_data(as_text=True)
    assert _written() == 0


def test_a_refusal_flashed_back_redirects_and_keeps_nothing(web):
    resp = web.post("/_uow/flashed-back")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/login")
    assert MESSAGE in web.get("/login").get_data(as_text=True)
    assert _written() == 0


def test_a_real_form_refused_keeps_nothing_and_accepted_is_kept(client):
    """The commune's hamlet list: a repeated name is refused (422, the typed name kept), a new one added."""
    from portal.models import Hamlet

    def hamlets():
        return db.session.execute(select(func.count(Hamlet.id)).where(Hamlet.commune_code == "30322")).scalar()

    before = hamlets()
    client.login("xa.vinhmy")
    assert client.post("/xa/khom-ap", {"name": "Khóm Thử Nghiệm"}).status_code == 302
    again = client.post("/xa/khom-ap", {"name": "Khóm Thử Nghiệm"})
    assert again.status_code == 422 and 'value="Khóm Thử Nghiệm"' in again.get_data(as_text=True)
    assert hamlets() == before + 1
