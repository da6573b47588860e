"""One unit of work per request (một yêu cầu, một giao dịch), the idiom of Indico's ``RH.process``.

Services flush and never commit; views return and never commit or roll back. ``PortalFlask.dispatch_request`` runs
the view, then:

- the view returned a success or a redirect (status < 400): one commit;
- the view returned an error status (≥ 400: a form re-rendered with its errors at 422, a 404, …): rollback — nothing
  the view flushed persists when it answers an error;
- the view (or the commit) raised: rollback, the messages the view flashed are dropped with its work (a failed save
  never says "Đã lưu"), and the exception goes on to the app's error handlers (``errors_web``): a ``PortalError``
  becomes its status page or the view's own answer (``errors_web.on_refusal``), a lost race 409, a locked database
  503.

A request answered before its view runs (a blueprint's ``gate`` redirecting or refusing) writes nothing. Background
jobs keep their own sessions (``portal.jobs``); ``jobs.enqueue`` commits the request's session when it starts a job
(the worker must see the row) — the one commit inside a request that is not this one.
"""
from flask import Flask, g, request, session

from .extensions import db

#: where Flask keeps flashed messages in the session (``flask.flash``)
FLASHES = "_flashes"


class PortalFlask(Flask):
    """The app class: Flask with the request's unit of work around every view (``create_app`` builds one)."""

    def dispatch_request(self):
        g.pop("refusal_answer", None)  # an answer registered by an earlier request on a reused context
        flashed_before = _flashes()
        try:
            response = self.make_response(super().dispatch_request())
            _finish(commit=response.status_code < 400)
        except BaseException:
            _finish(commit=False)
            _restore_flashes(flashed_before)
            raise
        return response


def _finish(commit: bool) -> None:
    """Commit or roll back the request's session (nothing to do when the view never opened one)."""
    if not db.session.registry.has():
        return
    if commit:
        db.session.commit()
    else:
        db.session.rollback()


def _flashes() -> list | None:
    """For a write: the messages already waiting before the view runs, put back if it fails. None for a read
    (GET/HEAD): the messages waiting then were left by the previous request for this page, whatever happens."""
    if request.method in ("GET", "HEAD"):
        return None
    return list(session.get(FLASHES, ()))


def _restore_flashes(before: list | None) -> None:
    if before is None:
        return
    if before:
        session[FLASHES] = before
    else:
        session.pop(FLASHES, None)
