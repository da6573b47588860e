"""Province reference data for imports (danh mục dùng khi nhập Excel): how clerks write each category
(cách ghi diện đối tượng) — list with search, add, delete; every change audited. Gated on the ``oversight`` duty
(Sở LĐTBXH); rules in ``services.imports.synonyms``.

htmx (each answer ≤ 5 KB, tests/blueprints/test_page_weight.py): the list is paged (``PAGE_SIZE`` rows, grouped by
category so the category name is printed once per group, one delete form for the whole page); search and paging
answer the ``results`` block; adding answers only the ``add`` block (fresh form and message, or the form with the
error and what was typed, 422) and fires ``synonyms-changed`` so the list reloads itself; deleting answers the
``results`` block of the same search and page. Without JavaScript every action is a plain form post and redirect."""
from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..access import gate
from ..errors_web import on_refusal
from ..models import DisabilityLevel, Duty
from ..paging import page_arg, paged_list
from ..rendering import render, wants_fragment
from ..services.imports import synonyms as import_synonyms

bp = Blueprint("reference_admin", __name__, url_prefix="/tinh/danh-muc")
bp.before_request(gate(Duty.OVERSIGHT))

PAGE_SIZE = 15  # rows per page: keeps the htmx list under 5 KB with realistic wordings (test_page_weight)
SYNONYMS_CHANGED = "synonyms-changed"


class SynonymForm(FlaskForm):
    """Thêm cách ghi: the wording, the category, and for K6 the disability level."""

    text = StringField("Cách ghi trong bảng tính", validators=[DataRequired("Chưa nhập cách ghi."),
                                                                Length(max=import_synonyms.MAX_TEXT)])
    category = SelectField("Diện đối tượng", validate_choice=False)
    level = SelectField("Mức độ khuyết tật (diện K6)",
                        choices=[SelectChoice("", "—")] + [SelectChoice(k, v) for k, v in DisabilityLevel.choices()],
                        validate_choice=False)


class DeleteForm(FlaskForm):
    """Xoá một cách ghi (by its folded key)."""

    key = HiddenField()


def _list_context(message: str | None = None, message_kind: str = "ok") -> dict:
    """The list part of the page: search ``q`` and ``page`` from the query string, rows of that page."""
    q = request.args.get("q", "").strip()
    page = paged_list(import_synonyms.list_synonyms(q), PAGE_SIZE)
    return {"rows": page.rows, "total": page.total, "q": q, "page": page.number, "pages": page.pages,
            "message": message, "message_kind": message_kind}


def _with_choices(form: SynonymForm) -> SynonymForm:
    form.category.choices = [SelectChoice("", "— chọn diện —")] + [
        SelectChoice(c.code, f"{c.code} – {c.name}") for c in import_synonyms.categories()]
    return form


def _page(form: SynonymForm, error: str | None = None, status: int = 200, block: str | None = None,
          added: str | None = None):
    """The page, or for htmx one ``block`` of it (``results`` for GET)."""
    if block is None and request.method == "GET":
        block = "results"
    return render("reference_admin/synonyms.html", block=block, form=_with_choices(form), error=error,
                  added=added, status=status, **_list_context())


def _back_to_list():
    """Redirect (303) to the list at the same search and page."""
    return redirect(url_for("reference_admin.index", q=request.args.get("q") or None,
                            page=page_arg(default=None)), 303)


@bp.route("/")
def index():
    """Cách ghi diện đối tượng: the list (htmx search ``q`` / ``page`` returns the ``results`` block) and the add
    form."""
    return _page(SynonymForm())


@bp.route("/them", methods=["POST"])
def add():
    """Thêm cách ghi; a refused one re-renders with 422 keeping what was typed (htmx: only the ``add`` block; on
    success the block with a fresh form and the event ``synonyms-changed`` for the list)."""
    form = SynonymForm()
    block = "add" if wants_fragment() else None
    if not form.validate_on_submit():
        return _page(form, None, 422, block)
    on_refusal(lambda err: _page(form, str(err), 422, block))
    s = import_synonyms.add_synonym(current_user, form.text.data, form.category.data, form.level.data)
    message = f"Đã thêm cách ghi «{s.text}» → {s.category_code}."
    if block:
        resp = _page(SynonymForm(formdata=None), block=block, added=message)
        resp.headers["HX-Trigger"] = SYNONYMS_CHANGED
        return resp
    flash(message, "ok")
    return redirect(url_for("reference_admin.index"), 303)


@bp.route("/xoa", methods=["POST"])
def delete():
    """Xoá cách ghi (``key``: the folded wording; ``q``/``page`` in the query string: where the list was). htmx gets
    the ``results`` block of that search and page with the message; otherwise a redirect back to it."""
    on_refusal(lambda err: _deleted(str(err), "error"))
    import_synonyms.delete_synonym(current_user, DeleteForm().key.data or "")
    return _deleted("Đã xoá cách ghi.", "ok")


def _deleted(message: str, kind: str):
    """After a delete (or its refusal): htmx gets the ``results`` block of the same search and page with
    ``message``; otherwise it is flashed and the list redirected to."""
    if wants_fragment():
        return render("reference_admin/synonyms.html", block="results", **_list_context(message, kind))
    flash(message, kind)
    return _back_to_list()
