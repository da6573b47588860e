"""Province rates pages (quản lý mức chuẩn, hệ số, hỗ trợ thêm, chi phí chi trả) under /tinh/muc-chuan, gated on
``oversight``. Each form posts to one ``services.entitlement.administration`` function. The rows and the audited
history come from ``administration.rates_overview``.

The page is six sections, one template each (``rates/_levels.html``, ``_coefficients.html``, ``_top_ups.html``,
``_fees.html``, ``_supports.html``, ``_history.html``), included by ``rates/index.html`` and answered alone to htmx
(each answer ≤ 5 KB, tests/blueprints/test_page_weight.py):

- a form post answers its own section: on success with fresh fields and the message, plus the event
  ``rates-changed`` on which the change log (nhật ký thay đổi) reloads itself; a refused value answers 422 with the
  section, the Vietnamese error next to the field and what was typed (base.html lets htmx swap 422);
- an htmx GET of the page answers one section, ``?phan=`` one of ``SECTIONS`` (default ``he-so``); the change log is
  paged (``?trang=``, ``HISTORY_PAGE`` rows a page); a standard level's correction form opens with ``?sua=<id>``
  («Sửa» in its row), coefficient rows that ended before this month are one line each under the table.

Without JavaScript every form is a plain post: success redirects (302) to the page with the message flashed, a refused
value re-renders the whole page with 422."""
from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice

from ..access import gate
from ..clock import this_month_vn
from ..errors_web import on_refusal
from ..extensions import db
from ..form_checks import with_error
from ..formatting import money
from ..models import CoefficientRule, Duty, StandardLevel
from ..paging import paged_list
from ..rendering import render, wants_fragment
from ..services.entitlement import administration as admin

bp = Blueprint("rates", __name__, url_prefix="/tinh/muc-chuan")
bp.before_request(gate(Duty.OVERSIGHT))

#: ``?phan=`` value → section template (the section's element id is in the template).
SECTIONS = {"muc-chuan": "_levels", "he-so": "_coefficients", "ho-tro-them": "_top_ups", "chi-phi": "_fees",
            "mai-tang": "_supports", "nhat-ky": "_history", "huu-tri": "_pension"}
DEFAULT_SECTION = "he-so"
HISTORY_PAGE = 8  # change-log rows a page: 8 of the longest entries (200-character basis + retro note) are 4.6 KB
ENDED_SHOWN = 5  # coefficient rows that ended before this month: the latest few, one line each (older: change log)
RATES_CHANGED = "rates-changed"


class LevelForm(FlaskForm):
    """Thêm mức chuẩn (also the two fields of a row's correction: amount, legal_basis)."""

    valid_from = StringField("Áp dụng từ tháng (MM/YYYY)", id="level-valid_from")
    amount = StringField("Mức chuẩn (đồng)", id="level-amount")
    legal_basis = StringField("Căn cứ pháp lý", id="level-legal_basis")


class CoefficientForm(FlaskForm):
    """Hệ số mới cho một dòng hệ số (``rule_id``: a radio button in each row still in force)."""

    rule_id = StringField("Dòng hệ số")  # radio buttons in the table rows (rates/_coefficients.html)
    coefficient = StringField("Hệ số mới", id="coef-coefficient")
    valid_from = StringField("Áp dụng từ tháng (MM/YYYY)", id="coef-valid_from")
    legal_basis = StringField("Căn cứ pháp lý", id="coef-legal_basis")


class TopUpForm(FlaskForm):
    """Hỗ trợ thêm của tỉnh."""

    category_code = SelectField("Diện (để trống: mọi diện)", choices=[], validate_choice=False,
                                id="top_up-category_code")
    amount = StringField("Số tiền/tháng (đồng)", id="top_up-amount")
    valid_from = StringField("Từ tháng (MM/YYYY)", id="top_up-valid_from")
    valid_to = StringField("Đến trước tháng (MM/YYYY, có thể để trống)", id="top_up-valid_to")
    legal_basis = StringField("Căn cứ pháp lý", id="top_up-legal_basis")


class FeeForm(FlaskForm):
    """Chi phí chi trả."""

    valid_from = StringField("Áp dụng từ tháng (MM/YYYY)", id="fee-valid_from")
    per_beneficiary = StringField("Đồng/đối tượng/tháng", id="fee-per_beneficiary")
    basis_points = StringField("Tỷ lệ trên số tiền chi trả (phần vạn, 50 = 0,5 %)", id="fee-basis_points")
    legal_basis = StringField("Căn cứ pháp lý", id="fee-legal_basis")


FORMS = {"level": LevelForm, "coef": CoefficientForm, "top_up": TopUpForm, "fee": FeeForm}


def _context(forms: dict, **extra) -> dict:
    """What every section template needs: the overview ``o``, the four ``forms`` (the ones not given are empty — never
    bound to another form's post) and their choices; the coefficient ``rules`` in force or starting later (valid to
    after this month) with their row ``spans``, and those ``ended`` before this month (latest ``ENDED_SHOWN``,
    ``ended_more`` left out); the change-log page (``?trang=``)."""
    forms = {name: forms.get(name) or cls(formdata=None) for name, cls in FORMS.items()}
    o = admin.rates_overview()
    forms["top_up"].category_code.choices = [SelectChoice("", "Mọi diện")] + [
        SelectChoice(code, code) for code in sorted({r.category_code for r in o.rules})] + [
        SelectChoice("HTXH", "HTXH – trợ cấp hưu trí xã hội")]
    log = paged_list(o.history, HISTORY_PAGE, "trang")
    month = this_month_vn()
    rules = [r for r in o.rules if r.valid_to is None or r.valid_to > month]
    ended = sorted((r for r in o.rules if r.valid_to is not None and r.valid_to <= month),
                   key=lambda r: (r.valid_to, r.id), reverse=True)
    return {"o": o, "forms": forms, "rules": rules,
            "ended": ended[:ENDED_SHOWN], "ended_more": len(ended[ENDED_SHOWN:]),
            "spans": {"code": _runs([r.category_code for r in rules]),
                      "valid": _runs([(r.valid_from, r.valid_to) for r in rules]),
                      "basis": _runs([r.legal_basis for r in rules])}, "history": log.rows,
            "log_page": log.number, "log_pages": log.pages, **extra}


def _runs(values: list) -> list[int]:
    """Row spans for a column that prints a value once per run of equal neighbours: ["a", "a", "b"] → [2, 0, 1]
    (0: covered by the row above)."""
    spans = [0] * len(values)
    start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            spans[start], start = i - start, i
    return spans


def _render(section: str, status: int = 200, forms: dict | None = None, **extra):
    """The whole page, or for htmx (not boosted) only ``section`` (a ``SECTIONS`` key)."""
    ctx = _context(forms or {}, **extra)
    if wants_fragment():
        return render(f"rates/{SECTIONS[section]}.html", status=status, **ctx)
    return render("rates/index.html", status=status, **ctx)


def _save(section: str, name: str, form, call, **extra):
    """Run ``call(form)`` when the form validates. Success: htmx gets ``section`` with fresh fields, the message and
    the ``rates-changed`` event; otherwise the message is flashed and the page redirected to. A refused value (the
    error's ``field``, or else the legal basis, gets the message): 422 with what was typed."""
    if not form.validate_on_submit():
        return _render(section, 422, {name: form}, **extra)
    on_refusal(lambda err: _render(section, 422, {name: _with_error(form, err)}, **extra))
    message = call(form)
    if wants_fragment():
        resp = _render(section, note=message)
        resp.headers["HX-Trigger"] = RATES_CHANGED
        return resp
    flash(message, "success")
    return redirect(url_for("rates.index"))


def _with_error(form, err):
    """``form`` with each refusal under the field it names (``err.errors`` of ``admin.RatesInvalid``: all of them at
    once; else ``err.field``), a field the form does not have under the legal basis."""
    errors = getattr(err, "errors", None) or {getattr(err, "field", None) or "legal_basis": str(err)}
    for name, message in errors.items():
        with_error(form, getattr(form, name, None) or form.legal_basis, message)
    return form


@bp.route("/")
def index():
    """The page; htmx gets the section ``?phan=`` (default the coefficients), the change log at page ``?trang=``.
    ``?sua=<level id>``: that standard level's row shows its correction form (the other rows a «Sửa» link)."""
    section = request.args.get("phan")
    return _render(section if section in SECTIONS else DEFAULT_SECTION, edit_id=request.args.get("sua", type=int))


@bp.route("/muc-chuan", methods=["POST"])
def add_level():
    def call(f):
        row = admin.add_standard_level(current_user, f.valid_from.data, f.amount.data, f.legal_basis.data)
        return f"Đã thêm mức chuẩn {money(row.amount)} đồng từ tháng {row.valid_from:%m/%Y}."
    return _save("muc-chuan", "level", LevelForm(), call)


@bp.route("/muc-chuan/<int:level_id>", methods=["POST"])
def edit_level(level_id: int):
    """Correct one level's amount or legal basis (the form of the row opened with «Sửa», ``?sua=``); a refused value
    is shown in that row, still open (the add form stays empty)."""
    row = db.get_or_404(StandardLevel, level_id)

    def call(f):
        admin.update_standard_level(current_user, row, f.amount.data, f.legal_basis.data)
        return f"Đã sửa mức chuẩn từ tháng {row.valid_from:%m/%Y}: {money(row.amount)} đồng."
    form = LevelForm()
    return _save("muc-chuan", "edit", form, call, edit_id=level_id, edit=form)


@bp.route("/huu-tri-xa-hoi/xac-nhan", methods=["POST"])
def confirm_pension_level():
    """Xác nhận mức trợ cấp hưu trí xã hội tạm tính bằng văn bản chính thức (plain post; refused: 422 with what
    was typed)."""
    valid_from, text = request.form.get("valid_from", ""), request.form.get("official_text", "")
    on_refusal(lambda err: _render("huu-tri", 422, pension_error=str(err), pension_typed=text))
    row, people, amount = admin.confirm_social_pension_level(current_user, valid_from, text)
    flash(f"Đã xác nhận mức trợ cấp hưu trí xã hội {money(row.amount)} đồng từ tháng {row.valid_from:%m/%Y}. "
          f"Danh sách kế tiếp truy lĩnh chênh lệch cho {people} người, {money(amount)} đồng.", "ok")
    return redirect(url_for("rates.index") + "#pension-levels")


@bp.route("/he-so", methods=["POST"])
def set_coefficient():
    form = CoefficientForm()
    rule = db.session.get(CoefficientRule, int(request.form.get("rule_id") or 0)) if (
        request.form.get("rule_id") or "").isdigit() else None
    if rule is None and form.is_submitted():
        form.rule_id.errors = ["Chọn dòng hệ số cần sửa."]
        return _render("he-so", 422, {"coef": form})
    return _save("he-so", "coef", form, lambda f: admin.set_coefficient(
        current_user, rule, f.coefficient.data, f.valid_from.data, f.legal_basis.data) and "Đã lưu hệ số mới.")


@bp.route("/ho-tro-them", methods=["POST"])
def add_top_up():
    return _save("ho-tro-them", "top_up", TopUpForm(), lambda f: admin.add_top_up(
        current_user, f.category_code.data, f.amount.data, f.valid_from.data, f.valid_to.data,
        f.legal_basis.data) and "Đã thêm khoản hỗ trợ thêm của tỉnh.")


@bp.route("/chi-phi", methods=["POST"])
def add_fee():
    return _save("chi-phi", "fee", FeeForm(), lambda f: admin.add_fee_rule(
        current_user, f.valid_from.data, f.per_beneficiary.data, f.basis_points.data, f.legal_basis.data)
        and "Đã thêm quy định chi phí chi trả.")
