"""Messages to beneficiaries (tin nhắn thông báo) on the commune committee's pages: what was sent (kind, month, masked
phone, text, status), recording or withdrawing a person's consent (Law 91/2025/QH15), and queuing + sending the
month's messages through the configured sender. Rules in ``services.notices``."""
from flask import current_app, flash, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import StringField
from wtforms.validators import DataRequired

from ...areas import visible
from ...errors_web import flash_refusal
from ...extensions import db
from ...form_checks import service_check
from ...models import Notice
from ...paging import paged
from ...query_args import month_arg
from ...rendering import render
from ...services.complaints.records import find_person
from ...services.entitlement.rates import parse_month
from ...services.notices import consent, outbox
from ...services.notices.senders import sender_from_config
from ...spreadsheets.dates import parse_date
from .blueprint import bp

PAGE_SIZE = 50


class ConsentForm(FlaskForm):
    """Đồng ý / rút lại: the person by CCCD, the date of the consent."""

    national_id = StringField("Số định danh (CCCD)", validators=[DataRequired("Nhập số định danh.")],
                              render_kw={"inputmode": "numeric", "autocomplete": "off"})
    given_on = StringField("Ngày đồng ý", render_kw={"type": "date"})

    def validate_national_id(self, field):
        self.person = service_check(lambda v: find_person(current_user, v), field)

    def validate_given_on(self, field):
        self.given_date = service_check(lambda v: parse_date(v, "Ngày đồng ý") if v else None, field)


class SendForm(FlaskForm):
    """Tháng cần gửi tin nhắn."""

    month = StringField("Tháng (MM/YYYY)", validators=[DataRequired("Nhập tháng.")])

    def validate_month(self, field):
        self.month_date = service_check(parse_month, field)


@bp.route("/tin-nhan")
def notices():
    """Messages of the commune, newest first, with their count."""
    stmt = visible(Notice).order_by(Notice.id.desc())
    total = db.session.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
    page = paged(lambda n: (db.session.execute(stmt.limit(PAGE_SIZE).offset((n - 1) * PAGE_SIZE)).scalars().all(),
                            total), PAGE_SIZE, "trang")
    return render("commune/notices.html", page=page, consent_form=ConsentForm(), send_form=SendForm(
        data={"month": f"{month_arg():%m/%Y}"}))


def _back():
    return url_for("commune.notices")


@bp.route("/tin-nhan/dong-y", methods=["POST"])
def notices_give():
    form = ConsentForm()
    flash_refusal(_back())
    if not form.validate_on_submit():
        flash(" ".join(e for errs in form.errors.values() for e in errs), "error")
        return redirect(_back())
    consent.give(current_user, form.person, form.given_date)
    flash("Đã ghi nhận sự đồng ý nhận tin nhắn.", "ok")
    return redirect(_back())


@bp.route("/tin-nhan/rut-dong-y", methods=["POST"])
def notices_withdraw():
    form = ConsentForm()
    flash_refusal(_back())
    if not form.validate_on_submit():
        flash(" ".join(e for errs in form.errors.values() for e in errs), "error")
        return redirect(_back())
    consent.withdraw(current_user, form.person)
    flash("Đã rút lại sự đồng ý: không gửi tin nhắn cho người này nữa.", "ok")
    return redirect(_back())


@bp.route("/tin-nhan/gui", methods=["POST"])
def notices_send():
    form = SendForm()
    flash_refusal(_back())
    if not form.validate_on_submit():
        flash(" ".join(e for errs in form.errors.values() for e in errs), "error")
        return redirect(_back())
    queued = outbox.queue_month(current_user, current_user.organization.unit_code, form.month_date)
    sent, failed = outbox.deliver(queued, sender_from_config(current_app.config))
    flash(f"Tháng {form.month_date:%m/%Y}: {len(queued)} tin nhắn mới, đã gửi {sent}, lỗi {failed}.", "ok")
    return redirect(_back())
