"""Commune pages for a beneficiary's further categories (diện hưởng khác, Decree 20/2021 Art. 6.2) and care support
(hỗ trợ chăm sóc, Art. 20): list, add (from a month, under a decision), end (from a month), delete (entered by
mistake), with what the next list pays. The same section sits on the beneficiary page (``extras_context`` below) and
on its own page; htmx posts swap just the section or one row (≤ 5 KB), plain posts redirect back to the beneficiary
page, and refused input answers 422 with what was typed. Rules live in ``services.entitlement`` (``extras``,
``categories``, ``care``); every row is reached through ``areas.get_visible_or_404(Beneficiary, …)``."""
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from jinja2_fragments.flask import render_block
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice

from ...areas import get_visible_or_404
from ...clock import this_month_vn
from ...errors_web import on_refusal
from ...models import Beneficiary, DisabilityLevel
from ...rendering import render, wants_fragment
from ...services.entitlement import care as entitlement_care
from ...services.entitlement import categories, next_list
from ...services.entitlement import extras as entitlement_extras
from ...services.entitlement.months import add_months
from .blueprint import bp

PAGE = "commune/extras_page.html"
SECTION = "commune/extras_section.html"
ROW = "commune/extras_care_row.html"
CAT_ROW = "commune/extras_cat_row.html"


def _opt(pairs, empty: str) -> list[SelectChoice]:
    return [SelectChoice("", empty)] + [SelectChoice(v, label) for v, label in pairs]


class _Form(FlaskForm):
    """Base: ``attach(errors)`` puts the service's messages on the fields (others as ``form_error``). The token is
    checked for every post by the app's ``CSRFProtect``; the templates send it as ``csrf_token``."""

    class Meta:
        csrf = False

    form_error = None

    def attach(self, errors: dict[str, str]) -> None:
        for key, message in errors.items():
            f = getattr(self, key, None)
            if f is not None and hasattr(f, "errors"):
                f.errors = list(f.errors or []) + [message]
            else:
                self.form_error = message

    def values(self) -> dict:
        d = dict(self.data)
        d.pop("csrf_token", None)
        return d


class CategoryForm(_Form):
    """Ghi diện hưởng khác: category, K6 level, K4 children, first month (default: the next list's), decision."""

    category_code = SelectField("Diện khác", validate_choice=False)
    disability_level = SelectField("Mức độ khuyết tật (diện K6)", validate_choice=False,
                                   choices=_opt(DisabilityLevel.choices(), "— Không —"))
    children_count = StringField("Số con đang nuôi (diện K4)")
    valid_from = StringField("Hưởng từ tháng (MM/YYYY)")
    decision_number = StringField("Số quyết định")

    def __init__(self, *args, exclude=(), month=None, **kwargs):
        if month is not None and kwargs.get("formdata", True) is None:
            kwargs.setdefault("data", {"valid_from": f"{month:%m/%Y}"})
        super().__init__(*args, prefix="cat", **kwargs)
        self.category_code.choices = _opt(((c.code, f"{c.code} – {c.name}")
                                           for c in entitlement_extras.categories().values()
                                           if c.code not in exclude and c.valid_to is None), "— Chọn —")


class CareForm(_Form):
    """Ghi hỗ trợ chăm sóc: kind, payee, months, decision."""

    kind = SelectField("Loại hỗ trợ", validate_choice=False)
    payee_name = StringField("Người nhận (người/hộ chăm sóc)")
    payee_national_id = StringField("Số định danh người nhận (12 chữ số)")
    payee_relationship = StringField("Quan hệ với đối tượng")
    valid_from = StringField("Hưởng từ tháng (MM/YYYY)")
    valid_to = StringField("Thôi hưởng từ tháng (để trống nếu chưa có)")
    decision_number = StringField("Số quyết định")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="care", **kwargs)
        self.kind.choices = _opt(entitlement_extras.care_kinds().items(), "— Chọn —")


class EndForm(FlaskForm):
    """Kết thúc diện khác / hỗ trợ chăm sóc: the first month no longer paid (token checked by ``CSRFProtect``)."""

    class Meta:
        csrf = False

    valid_to = StringField("Thôi từ tháng")


def _with_errors(form: _Form, err) -> _Form:
    """``form`` with a refusal's messages: on their fields (``ExtrasInvalid.errors``), else as the form's error."""
    if isinstance(err, entitlement_extras.ExtrasInvalid):
        form.attach(err.errors)
    else:
        form.form_error = str(err)
    return form


def _end_error(kind: str, row_id: int, typed: str, message: str) -> dict:
    """The ``end`` context of a row whose end or delete was refused: what was typed and the message."""
    return {"kind": kind, "id": row_id, "value": typed, "error": message}


def _month_message(err) -> str:
    """The message about the month typed (``valid_to``) of a refused end, else the refusal's text."""
    fields = err.errors if isinstance(err, entitlement_extras.ExtrasInvalid) else {}
    return fields.get("valid_to", str(err))


def _next_month():
    return add_months(this_month_vn(), 1)


def _context(b: Beneficiary, cat_form=None, care_form=None, end=None, message=None, warnings=(), error=None,
             edit=None, edit_cat=None, collapse=()):
    """Everything the section shows: the preview for next month, the rows, the two add forms (blank unless given;
    ``collapse`` names those shown as a button instead: ``cat``, ``care``), the care row (``edit``) or further
    category row (``edit_cat``) whose end form is open, or the one whose end/delete failed (``end`` = {"kind": "care"
    | "cat", "id", "value", "error"}), a success ``message``, ``warnings``, an ``error``."""
    month = _next_month()
    extras, care = entitlement_extras.categories_of(b.id), entitlement_extras.care_of(b.id)
    ongoing = _ongoing(b, extras)
    return {"v": next_list.preview(b, month, extras=extras, care=care), "extras": extras, "care": care,
            "kinds": entitlement_extras.care_kinds(), "month": month,
            "cat_form": cat_form or CategoryForm(formdata=None, exclude=ongoing, month=month),
            "care_form": care_form or CareForm(formdata=None), "end": end or {}, "message": message,
            "warnings": list(warnings), "error": error, "edit": edit, "edit_cat": edit_cat,
            "collapse": tuple(collapse)}


def _ongoing(b: Beneficiary, extras=None) -> set[str]:
    """Category codes the add form does not offer: the main one and further ones still running."""
    extras = entitlement_extras.categories_of(b.id) if extras is None else extras
    return {b.category_code, *(r.category_code for r in extras if r.valid_to is None)}


@bp.context_processor
def extras_helpers():
    """``extras_context(b)`` for the section included on the beneficiary page."""
    return {"extras_context": _context}


def _fragment(body: str, status: int = 200, retarget: str | None = None):
    resp = make_response(body, status)
    resp.headers["Vary"] = "HX-Request"
    if retarget:  # e.g. a care row's form whose success redraws the whole list
        resp.headers["HX-Retarget"], resp.headers["HX-Reswap"] = retarget, "outerHTML"
    return resp


def _respond(b: Beneficiary, blocks=("list",), status: int = 200, retarget: str | None = None, **kw):
    """htmx: the named blocks of the section, the first swapped into the request's target (or ``retarget``) and the
    others out of band (each answer ≤ 5 KB); a plain request: the whole page (the no-JS fallback, also for 422)."""
    ctx = {"b": b, "c": _context(b, **kw)}
    if not wants_fragment():
        return render(PAGE, status=status, **ctx)
    return _fragment("".join(render_block(SECTION, name, oob=i > 0, **ctx) for i, name in enumerate(blocks)),
                     status, retarget)


def _row(b: Beneficiary, arr, status: int = 200, **kw):
    """One care row (htmx) or the page with that row's form open (plain)."""
    ctx = {"b": b, "a": arr, "c": _context(b, edit=arr.id, **kw)}
    if not wants_fragment():
        return render(PAGE, status=status, **ctx)
    return _fragment(render_template(ROW, **ctx), status)


def _cat_row(b: Beneficiary, row, status: int = 200, **kw):
    """One further-category row with its end/delete form open (htmx) or the page with that form open (plain)."""
    c = _context(b, edit_cat=row.id, **kw)
    ctx = {"b": b, "c": c, "x": next(x for x in c["v"].candidates if x.row_id == row.id)}
    if not wants_fragment():
        return render(PAGE, status=status, **ctx)
    return _fragment(render_template(CAT_ROW, **ctx), status)


def _done(b: Beneficiary, message: str, warnings=(), form: str | None = None):
    """After a write: htmx gets the list with the message (after an add, the posted form becomes a button again, the
    list coming out of band); a plain post goes back to the beneficiary page with flash messages."""
    if wants_fragment():
        if form:
            return _respond(b, (f"{form}_form", "list"), message=message, warnings=warnings, collapse=(form,))
        return _respond(b, message=message, warnings=warnings, retarget="#extras-list")
    flash(message, "ok")
    for w in warnings:
        flash(f"Cảnh báo: {w}", "warning")
    return redirect(url_for("commune.beneficiary_detail", beneficiary_id=b.id) + "#extras")


@bp.route("/doi-tuong/<int:beneficiary_id>/huong-them")
def extras(beneficiary_id: int):
    """Diện hưởng khác và hỗ trợ chăm sóc của một đối tượng. Plain: the page (``?sua=<id>`` opens a care row's end
    form, ``?sua_dien=<id>`` a further category's). htmx: the list, or ``?mau=dien`` / ``?mau=cham-soc`` the blank
    add form."""
    b = get_visible_or_404(Beneficiary, beneficiary_id)
    block = {"dien": "cat_form", "cham-soc": "care_form"}.get(request.args.get("mau", ""), "list")
    return _respond(b, (block,), edit=request.args.get("sua", type=int),
                    edit_cat=request.args.get("sua_dien", type=int))


@bp.route("/doi-tuong/<int:beneficiary_id>/huong-them/dien/<int:row_id>")
def extras_category_row(beneficiary_id: int, row_id: int):
    """A further category's row with its end/delete form open."""
    b = get_visible_or_404(Beneficiary, beneficiary_id)
    return _cat_row(b, entitlement_extras.category_row(b, row_id) or abort(404))


@bp.route("/doi-tuong/<int:beneficiary_id>/huong-them/cham-soc/<int:row_id>")
def extras_care_row(beneficiary_id: int, row_id: int):
    """A care row with its end/delete form open."""
    b = get_visible_or_404(Beneficiary, beneficiary_id)
    return _row(b, entitlement_extras.care_row(b, row_id) or abort(404))


@bp.route("/doi-tuong/<int:beneficiary_id>/huong-them/dien", methods=["POST"])
def extras_category_add(beneficiary_id: int):
    """Ghi thêm một diện hưởng khác từ một tháng, theo quyết định; refused input answers 422 with the typed values.
    A start before the next list's month is allowed (backdated decision): the section then shows the back pay."""
    b = get_visible_or_404(Beneficiary, beneficiary_id)
    form = CategoryForm(exclude=_ongoing(b))
    on_refusal(lambda err: _respond(b, ("cat_form",), status=422, cat_form=_with_errors(form, err)))
    row = categories.add_category(current_user, b, form.values(), month=_next_month())
    return _done(b, f"Đã ghi diện hưởng khác {row.category_code} từ tháng {row.valid_from:%m/%Y}.", form="cat")


@bp.route("/doi-tuong/<int:beneficiary_id>/huong-them/dien/<int:row_id>/ket-thuc", methods=["POST"])
def extras_category_end(beneficiary_id: int, row_id: int):
    """Thôi hưởng một diện khác từ một tháng; refused input answers 422 with the typed month on that row."""
    b = get_visible_or_404(Beneficiary, beneficiary_id)
    row = entitlement_extras.category_row(b, row_id) or abort(404)
    typed = EndForm().valid_to.data or ""
    on_refusal(lambda err: _cat_row(b, row, 422, end=_end_error("cat", row.id, typed, _month_message(err))))
    warnings = categories.end_category(current_user, b, row, typed, month=_next_month())
    return _done(b, f"Đã ghi thôi hưởng diện khác {row.category_code} từ tháng {row.valid_to:%m/%Y}.", warnings)


@bp.route("/doi-tuong/<int:beneficiary_id>/huong-them/dien/<int:row_id>/xoa", methods=["POST"])
def extras_category_remove(beneficiary_id: int, row_id: int):
    """Xóa một diện khác ghi nhầm (chỉ khi chưa được tính trên danh sách chi trả nào; nếu đã tính thì thôi hưởng)."""
    b = get_visible_or_404(Beneficiary, beneficiary_id)
    row = entitlement_extras.category_row(b, row_id) or abort(404)
    code = row.category_code
    on_refusal(lambda err: _cat_row(b, row, 422, end=_end_error("cat", row.id, "", str(err))))
    categories.remove_category(current_user, b, row)
    return _done(b, f"Đã xóa diện hưởng khác {code} (ghi nhầm).")


@bp.route("/doi-tuong/<int:beneficiary_id>/huong-them/cham-soc", methods=["POST"])
def extras_care_add(beneficiary_id: int):
    """Ghi hỗ trợ chăm sóc (người/hộ nhận, loại, thời gian, quyết định); refused input answers 422 with the typed
    values."""
    b = get_visible_or_404(Beneficiary, beneficiary_id)
    form = CareForm()
    on_refusal(lambda err: _respond(b, ("care_form",), status=422, care_form=_with_errors(form, err)))
    arr = entitlement_care.add_care(current_user, b, form.values(), month=_next_month())
    return _done(b, f"Đã ghi hỗ trợ chăm sóc trả cho {arr.payee_name} từ tháng {arr.valid_from:%m/%Y}.",
                 form="care")


@bp.route("/doi-tuong/<int:beneficiary_id>/huong-them/cham-soc/<int:row_id>/ket-thuc", methods=["POST"])
def extras_care_end(beneficiary_id: int, row_id: int):
    """Kết thúc hỗ trợ chăm sóc từ một tháng; refused input answers 422 with the typed month on that row."""
    b = get_visible_or_404(Beneficiary, beneficiary_id)
    arr = entitlement_extras.care_row(b, row_id) or abort(404)
    typed = EndForm().valid_to.data or ""
    on_refusal(lambda err: _row(b, arr, 422, end=_end_error("care", arr.id, typed, _month_message(err))))
    warnings = entitlement_care.end_care(current_user, b, arr, typed)
    return _done(b, f"Đã kết thúc hỗ trợ chăm sóc trả cho {arr.payee_name}: thôi từ tháng {arr.valid_to:%m/%Y}.",
                 warnings)


@bp.route("/doi-tuong/<int:beneficiary_id>/huong-them/cham-soc/<int:row_id>/xoa", methods=["POST"])
def extras_care_remove(beneficiary_id: int, row_id: int):
    """Xóa hỗ trợ chăm sóc ghi nhầm (chỉ khi chưa lên danh sách chi trả)."""
    b = get_visible_or_404(Beneficiary, beneficiary_id)
    arr = entitlement_extras.care_row(b, row_id) or abort(404)
    name = arr.payee_name
    on_refusal(lambda err: _row(b, arr, 422, end=_end_error("care", arr.id, "", str(err))))
    entitlement_care.remove_care(current_user, b, arr)
    return _done(b, f"Đã xóa hỗ trợ chăm sóc ghi nhầm (người nhận {name}).")
