"""Commune monthly changes (biến động tăng / giảm / điều chỉnh hằng tháng): the month's submission with its events,
recording an event for a beneficiary, receiving a person moving in, and sending the list to the district. Also the
context helper behind the small block on the beneficiary page (events, identity check, authorizations). Rules live
in ``services.registry.events`` and ``services.registry.submissions``."""
from datetime import date

from flask import flash, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError as FieldError

from ...areas import get_visible_or_404, visible
from ...clock import this_month_vn
from ...errors_web import flash_refusal, on_refusal
from ...extensions import db
from ...models import Beneficiary, Category, ChangeSubmission, DisabilityLevel, RegistryEvent
from ...query_args import month_arg
from ...rendering import render, render_form
from ...services.registry import events as events_service
from ...services.registry import identity_checks as checks_service
from ...services.registry import submissions as change_submissions
from ...services.registry.authorizations import of_beneficiary
from ...services.units import units_in_force
from ...spreadsheets.dates import parse_date
from ...spreadsheets.dates import parse_month as parse_month_text
from .blueprint import bp


def _opt(pairs, empty="— Không —") -> list[SelectChoice]:
    return [SelectChoice("", empty)] + [SelectChoice(value, label) for value, label in pairs]


class EventForm(FlaskForm):
    """Ghi biến động: kind, months, decision and the kind's details (only the relevant ones are read)."""

    kind = SelectField("Loại biến động", choices=_opt([(k.value, k.label) for k in events_service.COMMUNE_KINDS],
                                                     "— Chọn —"), validate_choice=False)
    effective_month = StringField("Áp dụng từ tháng (MM/YYYY)")
    event_date = StringField("Ngày chết (ngày/tháng/năm, chỉ khi chết)")
    decision_number = StringField("Số quyết định")
    decision_date = StringField("Ngày quyết định (ngày/tháng/năm)")
    category_code = SelectField("Diện mới (điều chỉnh)", validate_choice=False)
    disability_level = SelectField("Mức độ khuyết tật mới (điều chỉnh)", choices=_opt(DisabilityLevel.choices()),
                                   validate_choice=False)
    children_count = StringField("Số con mới (điều chỉnh, diện K4)")
    stop_reason = SelectField("Lý do thôi hưởng", choices=_opt(events_service.STOP_REASONS.items()),
                              validate_choice=False)
    to_commune = SelectField("Chuyển đến xã/phường", validate_choice=False)
    organiser_name = StringField("Người tổ chức mai táng (khi chết)")
    organiser_national_id = StringField("Số định danh người tổ chức mai táng")
    note = TextAreaField("Ghi chú")

    def __init__(self, month: date, *args, **kwargs):
        """``month``: the change list's month; "Chuyển đến" offers the communes in force then, with their names
        of that time (``services.units``)."""
        super().__init__(*args, **kwargs)
        self.month = month
        self.category_code.choices = _opt((c.code, f"{c.code} – {c.name}") for c in db.session.execute(
            select(Category).order_by(Category.code)).scalars())
        self.to_commune.choices = _opt((u.code, u.name) for u in units_in_force(month))

    def validate_to_commune(self, field):
        if field.data and field.data not in {c.value for c in field.choices}:
            raise FieldError(f"Xã/phường nơi chuyển đến không có hiệu lực trong tháng {self.month:%m/%Y}; "
                                  "chọn trong danh sách.")

    def values(self) -> dict:
        """Keyword arguments for ``services.registry.events.create_event`` (dates parsed; raises
        ``ValidationError``)."""
        d = self.data
        return {
            "effective_month": parse_month_text(d["effective_month"] or None, "Tháng áp dụng"),
            "event_date": parse_date(d["event_date"] or None, "Ngày chết"),
            "decision_number": d["decision_number"], "note": d["note"],
            "decision_date": parse_date(d["decision_date"] or None, "Ngày quyết định"),
            "details": {"category_code": d["category_code"], "disability_level": d["disability_level"],
                        "children_count": d["children_count"], "reason": d["stop_reason"],
                        "to_commune": d["to_commune"], "organiser_name": d["organiser_name"],
                        "organiser_national_id": d["organiser_national_id"]},
        }


class ReceiveForm(FlaskForm):
    """Tiếp nhận chuyển đến: the new commune's decision."""

    decision_number = StringField("Số quyết định tiếp nhận")
    decision_date = StringField("Ngày quyết định")


def _report_month():
    """The month whose change list the page shows (``?thang=YYYY-MM``, default this month)."""
    return month_arg(default=this_month_vn())


@bp.context_processor
def change_helpers():
    """``beneficiary_extras(b)`` for the block on the beneficiary page: events, latest identity check,
    authorizations."""
    def beneficiary_extras(b):
        return {"events": events_service.events_of(b.id), "check": checks_service.latest_for(b.id),
                "authorizations": of_beneficiary(b.id)}
    return {"beneficiary_extras": beneficiary_extras, **events_service.TEMPLATE_HELPERS}


@bp.route("/bien-dong")
def changes():
    """Danh sách biến động tháng (``?thang=YYYY-MM``, default this month) and the moves waiting to be received."""
    month = _report_month()
    subs = db.session.execute(visible(ChangeSubmission).where(ChangeSubmission.month == month)
                              .order_by(ChangeSubmission.id)).scalars().all()
    return render("commune/changes.html", month=month, subs=subs, labels=change_submissions.STATUS_LABELS,
                  incoming=events_service.incoming_moves([current_user.organization.unit_code]),
                  history=change_submissions.submissions(visible(ChangeSubmission)), form=ReceiveForm())


@bp.route("/doi-tuong/<int:beneficiary_id>/bien-dong", methods=["GET", "POST"])
def event_new(beneficiary_id: int):
    """Ghi biến động cho một đối tượng; invalid input re-renders with 422 and the typed values."""
    b = get_visible_or_404(Beneficiary, beneficiary_id)
    month = _report_month()
    form = EventForm(month)
    if not form.validate_on_submit():
        return render_form("commune/event_form.html", b=b, form=form, month=month)
    on_refusal(lambda err: render_form("commune/event_form.html", b=b, form=form, error=str(err), month=month))
    ev = events_service.create_event(current_user, b, form.kind.data, report_month=month, **form.values())
    flash(f"Đã ghi biến động «{ev.kind_enum.label}» vào danh sách tháng {month:%m/%Y}.", "ok")
    return redirect(url_for("commune.changes", thang=f"{month:%Y-%m}"))


@bp.route("/bien-dong/<int:event_id>/xoa", methods=["POST"])
def event_delete(event_id: int):
    """Xóa một biến động chưa gửi (hoặc bị trả lại)."""
    ev = get_visible_or_404(RegistryEvent, event_id)
    month = ev.submission.month if ev.submission else this_month_vn()
    page = url_for("commune.changes", thang=f"{month:%Y-%m}")
    flash_refusal(page)
    events_service.delete_draft(current_user, ev)
    flash("Đã xóa biến động.", "ok")
    return redirect(page)


@bp.route("/bien-dong/<int:event_id>/tiep-nhan", methods=["POST"])
def event_receive(event_id: int):
    """Tiếp nhận người chuyển đến vào danh sách biến động của tháng đang xem."""
    ev = get_visible_or_404(RegistryEvent, event_id)
    form, month = ReceiveForm(), _report_month()
    page = url_for("commune.changes", thang=f"{month:%Y-%m}")
    flash_refusal(page)
    events_service.receive_move(current_user, ev, report_month=month, decision_number=form.decision_number.data,
                                decision_date=parse_date(form.decision_date.data or None, "Ngày quyết định"))
    flash(f"Đã tiếp nhận {ev.beneficiary.full_name} chuyển đến.", "ok")
    return redirect(page)


@bp.route("/bien-dong/danh-sach/<int:submission_id>/gui", methods=["POST"])
def submission_submit(submission_id: int):
    """Gửi duyệt danh sách biến động của tháng."""
    sub = get_visible_or_404(ChangeSubmission, submission_id)
    page = url_for("commune.changes", thang=f"{sub.month:%Y-%m}")
    flash_refusal(page)
    change_submissions.submit(current_user, sub)
    flash(f"Đã gửi duyệt danh sách biến động tháng {sub.month:%m/%Y}.", "ok")
    return redirect(page)

