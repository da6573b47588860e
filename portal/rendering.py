"""``render()``: one template file gives the full page and, for htmx requests, just a named block;
``render_form()``: a form's page, 200 when shown and 422 when a post comes back with its errors."""
from flask import make_response, render_template, request
from jinja2_fragments.flask import render_block

from .extensions import htmx


def wants_fragment() -> bool:
    """True for an htmx request that is neither boosted nor a history restore (those need the full page)."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(template: str, block: str | None = None, status: int = 200, **ctx):
    """Render ``template`` fully, or only ``block`` when ``wants_fragment()``. Always sets ``Vary: HX-Request``
    (pitfall 20). ``status`` 422 is used for forms that failed validation (htmx is configured to swap it)."""
    body = render_block(template, block, **ctx) if block and wants_fragment() else render_template(template, **ctx)
    resp = make_response(body, status)
    resp.headers["Vary"] = "HX-Request"
    return resp


def render_form(template: str, block: str | None = None, **ctx):
    """A form's page (or ``block`` for htmx): 200 when shown (GET), 422 when a post comes back with its errors and
    what was typed — a field the form refused or a rule a service refused (``errors_web.on_refusal``). Nothing the
    request flushed is kept at 422 (``portal.unit_of_work``)."""
    return render(template, block, status=422 if request.method == "POST" else 200, **ctx)
