"""Commune register pages (sổ đối tượng của xã): list with htmx search and paging, detail with accounts and audit
trail, create/edit forms, and the spreadsheet import (upload → preview → confirm). Rows are loaded through
``portal.access``; rules live in ``services.registry`` and ``services.imports``."""
import json

from flask import current_app, flash, make_response, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField

from ...areas import get_visible_or_404, visible
from ...clock import this_month_vn
from ...errors_web import flash_refusal, on_refusal
from ...models import AccountCheckStatus, Beneficiary, CashAtHomeReason, ImportBatch, Programme
from ...paging import paged
from ...rendering import render, render_form
from ...services.audit import events_for, record_read
from ...services.entitlement.pension import replaced_since
from ...services.entitlement.rates import RateBook
from ...services.imports import beneficiaries as import_service
from ...services.imports import changes
from ...services.imports import jobs as import_jobs
from ...services.registry import life_signals
from ...services.registry.beneficiaries import (
    create_beneficiary,
    form_data,
    month_allowance,
    search_beneficiaries,
    update_beneficiary,
)
from ...services.registry.fields import BeneficiaryInvalid
from .blueprint import bp
from .registry_forms import BeneficiaryForm, ImportForm
from .registry_intake import form_messages

PAGE_SIZE = 15


class ImportCommitForm(FlaskForm):
    """Xác nhận nhập: the one choice is to overwrite the fields edited on the portal (off unless ticked)."""

    overwrite_manual = BooleanField(changes.OVERWRITE_LABEL, default=False)


@bp.context_processor
def commune_helpers():
    """``payout_lists_url()`` for the commune nav (the payout pages may not be registered yet) and
    ``reason_label(value)`` for cash-at-home reasons."""
    exists = "commune.payout_lists" in current_app.view_functions
    return {"payout_lists_url": (lambda: url_for("commune.payout_lists")) if exists else (lambda: "/xa/chi-tra"),
            "reason_label": lambda value: CashAtHomeReason(value).label}


def _commune_code() -> str:
    return current_user.organization.unit_code


@bp.route("/")
def index():
    """Danh sách đối tượng; htmx search (``q``) and paging return only the ``results`` block."""
    q = request.args.get("q", "").strip()
    page = paged(lambda n: search_beneficiaries(visible(Beneficiary), q, n, PAGE_SIZE), PAGE_SIZE)
    return render("commune/index.html", block="results", rows=page.rows, total=page.total, q=q, page=page.number,
                  pages=page.pages)


@bp.route("/doi-tuong/<int:beneficiary_id>")
def beneficiary_detail(beneficiary_id: int):
    """Hồ sơ đối tượng: identity, category (with the month the social pension replaced it, if it did), channel,
    accounts, the programme that pays this month and how much, audit trail."""
    b = get_visible_or_404(Beneficiary, beneficiary_id)
    record_read(current_user, "view", "beneficiary", b.id, f"Xem hồ sơ đối tượng: {b.full_name}")
    month, book = this_month_vn(), RateBook.load()
    amount, no_amount = month_allowance(b, month, book)
    return render("commune/detail.html", b=b, month=month, amount=amount, no_amount=no_amount,
                  replaced=replaced_since(book, b.category_code, month), Programme=Programme,
                  events=events_for("beneficiary", b.id), last_seen=life_signals.last_seen([b.id]).get(b.id),
                  check_label=AccountCheckStatus.label_of)


def _saved(b: Beneficiary, warnings: list[str], message: str):
    """After a save: the person's page. A boosted (htmx) form gets ``HX-Location`` — htmx loads the page and puts
    its address in the address bar (a followed 302 would leave ``…/sua`` there); without JavaScript, a 302."""
    flash(message, "ok")
    for w in warnings:
        flash(f"Cảnh báo: {w}", "warning")
    url = url_for("commune.beneficiary_detail", beneficiary_id=b.id)
    if request.headers.get("HX-Request"):
        resp = make_response("", 200)
        resp.headers["HX-Location"] = json.dumps({"path": url, "target": "body"})
        return resp
    return redirect(url)


@bp.route("/doi-tuong/them", methods=["GET", "POST"])
def beneficiary_new():
    """Thêm đối tượng (form); a failed validation re-renders with 422, the typed values, and the warnings and
    links of the checks (the same as the inline htmx checks of ``registry_intake``)."""
    form = BeneficiaryForm(commune_code=_commune_code())
    if not form.validate_on_submit():
        return _form_page(form, None)
    on_refusal(lambda err: _form_page(form, None, err))
    b, warnings = create_beneficiary(current_user, _commune_code(), form.values())
    return _saved(b, warnings, f"Đã thêm đối tượng {b.full_name}.")


@bp.route("/doi-tuong/<int:beneficiary_id>/sua", methods=["GET", "POST"])
def beneficiary_edit(beneficiary_id: int):
    """Sửa hồ sơ đối tượng; changes are recorded in the audit trail."""
    b = get_visible_or_404(Beneficiary, beneficiary_id)
    form = BeneficiaryForm(data=form_data(b) if request.method == "GET" else None, commune_code=b.commune_code,
                           keep_hamlet_id=b.hamlet_id)
    if not form.validate_on_submit():
        return _form_page(form, b)
    on_refusal(lambda err: _form_page(form, b, err))
    b, warnings = update_beneficiary(current_user, b, form.values())
    return _saved(b, warnings, "Đã lưu thay đổi.")


def _form_page(form: BeneficiaryForm, b: Beneficiary | None, refused=None):
    """The register form (new when ``b`` is None), with what was typed; after a refused save its messages under the
    fields, with the warnings and links of the checks (``BeneficiaryInvalid``), 422."""
    if refused is not None:
        form.attach(refused.errors if isinstance(refused, BeneficiaryInvalid) else {"full_name": str(refused)})
    return render_form("commune/form.html", form=form, b=b, msgs=form_messages(form, refused))


@bp.route("/nhap", methods=["GET", "POST"])
def import_upload():
    """Tải lên danh sách đối tượng (.xlsx) → stored batch → preview page."""
    form = ImportForm()
    if not form.validate_on_submit():
        return render_form("commune/import_upload.html", form=form)
    on_refusal(lambda err: render_form("commune/import_upload.html", form=form, error=str(err)))
    upload = form.file.data
    result = import_jobs.upload(current_user, _commune_code(), upload.filename, upload.read())
    return redirect(url_for("commune.import_preview", batch_id=result.batch_id))


def _batch_or_404(batch_id: int) -> ImportBatch:
    """An upload of this commune (another organisation's: 404)."""
    return get_visible_or_404(ImportBatch, batch_id)


@bp.route("/nhap/<int:batch_id>")
def import_preview(batch_id: int):
    """Xem trước: counts and rows (errors first, then every update with its changes); confirm or cancel.
    ``?ghi_de=1`` previews overwriting the fields edited on the portal."""
    batch = _batch_or_404(batch_id)
    if import_jobs.recover(batch):
        flash("Lần nhập trước bị gián đoạn (tiến trình xử lý đã dừng), chưa có thay đổi nào được lưu. "
              "Bạn có thể xác nhận nhập lại hoặc hủy tệp.", "warning")
    if batch.status != "previewed":
        return _preview_page(batch)
    # a batch stored before a file-level rule existed (e.g. another commune's list): the page with the message
    on_refusal(lambda err: _preview_page(batch, error=str(err)))
    return _preview_page(batch, import_service.show_preview(current_user, batch.id,
                                                            overwrite_manual=request.args.get("ghi_de") == "1"))


def _preview_page(batch: ImportBatch, preview=None, error: str | None = None, commit_error: str | None = None,
                  decisions: dict | None = None):
    job = import_jobs.job_of(batch) if batch.status in ("analysing", "committing") else None
    return render_form("commune/import_preview.html", batch=batch, preview=preview, error=error, job=job,
                       labels=import_service.STATUS_LABELS, commit_error=commit_error, decisions=decisions or {},
                       form=ImportCommitForm(overwrite_manual=bool(preview and preview.overwrite_manual)))


def _decisions() -> dict:
    """The clerk's choice on each row holding a death or departure, from the fields ``d-<row>-<name>`` (``action``,
    ``month``, ``event_date``, ``decision_number``): {Excel row: {name: text}}."""
    out: dict[int, dict] = {}
    for key, value in request.form.items():
        parts = key.split("-", 2)
        if len(parts) == 3 and parts[0] == "d" and parts[1].isdigit():
            out.setdefault(int(parts[1]), {})[parts[2]] = value.strip()
    return out


@bp.route("/nhap/<int:batch_id>/xac-nhan", methods=["POST"])
def import_commit(batch_id: int):
    """Xác nhận nhập: all-or-nothing; fields edited on the portal are kept unless "Ghi đè…" is ticked; a double
    submit gets the same result (idempotent)."""
    batch = _batch_or_404(batch_id)
    form = ImportCommitForm()
    decisions = _decisions()
    back = url_for("commune.import_preview", batch_id=batch.id)

    def refused(err):
        if not isinstance(err, import_service.DeparturesUndecided):
            flash(str(err), "error")
            return redirect(back)
        # rows still to decide, a bad month…: the preview again, with the message and what was chosen (422)
        preview = import_service.show_preview(current_user, batch.id, overwrite_manual=bool(form.overwrite_manual.data))
        return _preview_page(batch, preview, commit_error=str(err), decisions=decisions)

    on_refusal(refused)
    started = import_jobs.confirm(current_user, batch.id, overwrite_manual=form.overwrite_manual.data,
                                  decisions=decisions)
    if started.job is not None:  # a large file: the preview page shows the job's progress
        return redirect(url_for("commune.import_preview", batch_id=batch.id))
    r = started.result
    flash(f"Đã nhập {r['rows']} dòng: {r['created']} đối tượng mới, {r['updated']} cập nhật, "
          f"{r['unchanged']} không đổi, {r['accounts']} tài khoản{import_service.kept_summary(r)}"
          f"{import_service.events_summary(r)}.", "ok")
    return redirect(url_for("commune.index"))


@bp.route("/nhap/<int:batch_id>/huy", methods=["POST"])
def import_discard(batch_id: int):
    """Hủy một tệp đã tải lên (chưa nhập)."""
    batch = _batch_or_404(batch_id)
    flash_refusal(url_for("commune.import_upload"))
    import_jobs.recover(batch)  # a commit whose worker died can be cancelled
    import_service.discard(current_user, batch.id)
    flash("Đã hủy tệp tải lên; không có thay đổi nào.", "ok")
    return redirect(url_for("commune.import_upload"))
