"""Commune authorization pages (giấy ủy quyền): the letters expiring within 30 days, recording a certified letter
for a beneficiary, revoking one. Rules live in ``services.registry.authorizations``."""
from flask import flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField

from ...areas import get_visible_or_404, visible
from ...clock import today_vn
from ...errors_web import flash_refusal, on_refusal
from ...models import Authorization, Beneficiary
from ...rendering import render, render_form
from ...services.registry import authorizations as service
from ...services.registry.beneficiaries import search_beneficiaries
from ...spreadsheets.dates import parse_date
from .blueprint import bp


class AuthorizationForm(FlaskForm):
    """Giấy ủy quyền: proxy identity and relationship, scope, validity, certification by the commune."""

    proxy_name = StringField("Họ tên người được ủy quyền")
    proxy_national_id = StringField("Số định danh người được ủy quyền (12 chữ số)")
    proxy_birth_year = StringField("Năm sinh người được ủy quyền")
    proxy_relationship = StringField("Quan hệ với đối tượng")
    proxy_phone = StringField("Số điện thoại người được ủy quyền")
    proxy_address = StringField("Nơi cư trú người được ủy quyền")
    scope_receive = BooleanField("Nhận trợ cấp (kể cả truy lĩnh, mai táng phí)", default=True)
    scope_open_account = BooleanField("Mở tài khoản nhận trợ cấp")
    valid_from = StringField("Hiệu lực từ ngày (ngày/tháng/năm)")
    valid_to = StringField("Đến ngày (ngày/tháng/năm)")
    certification_number = StringField("Số chứng thực")
    certified_on = StringField("Ngày chứng thực (ngày/tháng/năm)")
    note = TextAreaField("Ghi chú")

    def values(self) -> dict:
        """Values for ``services.registry.authorizations.create_authorization`` (dates parsed; raises
        ``ValidationError``)."""
        d = dict(self.data)
        d.pop("csrf_token", None)
        for key, label in (("valid_from", "Ngày bắt đầu hiệu lực"), ("valid_to", "Ngày hết hiệu lực"),
                           ("certified_on", "Ngày chứng thực")):
            d[key] = parse_date(d[key] or None, label)
        year = (d["proxy_birth_year"] or "").strip()
        d["proxy_birth_year"] = int(year) if year.isdigit() else None
        return d


class RevokeForm(FlaskForm):
    """Thu hồi giấy ủy quyền."""

    reason = StringField("Lý do thu hồi")


@bp.route("/uy-quyen")
def authorizations():
    """Giấy ủy quyền: those ending within 30 days, every letter of the commune with where it stands, and «Thêm giấy
    ủy quyền»: ``?q=`` finds the person (name or ID) whose letter is to be recorded."""
    today = today_vn()
    q = request.args.get("q", "").strip()[:60]
    found = search_beneficiaries(visible(Beneficiary), q, 1, 20)[0] if q else []
    return render("commune/authorizations.html", today=today, days=service.EXPIRY_WARNING_DAYS,
                  rows=service.expiring(visible(Beneficiary), today), letters=service.in_area(visible(Beneficiary)),
                  state_label=service.state_label, q=q, found=found)


@bp.route("/doi-tuong/<int:beneficiary_id>/uy-quyen", methods=["GET", "POST"])
def authorization_new(beneficiary_id: int):
    """Ghi giấy ủy quyền đã chứng thực; invalid input re-renders with 422 and the typed values."""
    b = get_visible_or_404(Beneficiary, beneficiary_id)
    form = AuthorizationForm()
    if not form.validate_on_submit():
        return render_form("commune/authorization_form.html", b=b, form=form)
    on_refusal(lambda err: render_form("commune/authorization_form.html", b=b, form=form, error=str(err)))
    auth, warnings = service.create_authorization(current_user, b, form.values(), today=today_vn())
    flash(f"Đã ghi giấy ủy quyền cho {auth.proxy_name}.", "ok")
    for w in warnings:
        flash(f"Cảnh báo: {w}", "warning")
    return redirect(url_for("commune.beneficiary_detail", beneficiary_id=b.id))


@bp.route("/uy-quyen/<int:authorization_id>/thu-hoi", methods=["POST"])
def authorization_revoke(authorization_id: int):
    """Thu hồi giấy ủy quyền từ hôm nay."""
    auth = get_visible_or_404(Authorization, authorization_id)
    page = url_for("commune.beneficiary_detail", beneficiary_id=auth.beneficiary_id)
    flash_refusal(page)
    service.revoke(current_user, auth, today_vn(), RevokeForm().reason.data)
    flash(f"Đã thu hồi giấy ủy quyền cho {auth.proxy_name}.", "ok")
    return redirect(page)
