"""Commune side of the identity cross-check (đối sánh với CSDL quốc gia về dân cư): send the register for checking,
download the sheet for the police, and resolve the mismatches the police found (correct the record, or confirm it
with a note). Rules live in ``services.registry.identity_checks``."""
from flask import flash, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice

from ...areas import get_visible_or_404
from ...downloads import download
from ...errors_web import flash_refusal
from ...models import IdentityCheck
from ...rendering import render
from ...services.audit import record_read
from ...services.registry import identity_checks as service
from .blueprint import bp


class ResolveForm(FlaskForm):
    """Xử lý một kết quả sai lệch."""

    resolution = SelectField("Cách xử lý", choices=[SelectChoice("", "— Chọn —")] + [
        SelectChoice(k, v) for k, v in service.RESOLUTIONS.items()],
                             validate_choice=False)
    note = StringField("Ghi chú xác minh")


def _area():
    return [current_user.organization.unit_code]


@bp.route("/doi-sanh")
def identity_checks():
    """Đối sánh dân cư: counts by result, the queue to resolve, how many still wait for the police."""
    return render("commune/identity_checks.html", counts=service.counts(_area()), queue=service.open_queue(_area()),
                  form=ResolveForm(), labels=service.RESOLUTIONS)


@bp.route("/doi-sanh/gui", methods=["POST"])
def identity_checks_request():
    """Gửi công an cấp xã danh sách đối sánh (everyone active or suspended without a pending check)."""
    pending = service.request_checks(current_user, current_user.organization.unit_code)
    flash(f"Đã gửi công an cấp xã {len(pending)} người chờ đối sánh.", "ok")
    return redirect(url_for("commune.identity_checks"))


@bp.route("/doi-sanh/danh-sach.xlsx")
def identity_checks_export():
    """Tải danh sách chờ đối sánh (.xlsx, số định danh dạng văn bản)."""
    org = current_user.organization
    record_read(current_user, "download", "identity_check", None, f"Tải danh sách đối sánh, có CCCD ({org.unit_code})")
    return download(service.export_xlsx(service.pending_checks(_area()), org.unit.name),
                    f"doi-sanh-{org.unit_code}.xlsx")


@bp.route("/doi-sanh/<int:check_id>/xu-ly", methods=["POST"])
def identity_check_resolve(check_id: int):
    """Xử lý sai lệch: đã sửa hồ sơ, hoặc giữ nguyên kèm ghi chú."""
    check = get_visible_or_404(IdentityCheck, check_id)
    form, page = ResolveForm(), url_for("commune.identity_checks")
    flash_refusal(page)
    service.resolve(current_user, check, form.resolution.data, form.note.data)
    flash(f"Đã xử lý kết quả đối sánh của {check.beneficiary.full_name}.", "ok")
    return redirect(page)
