"""Commune side of the post office's death reports (bưu điện báo đã chết): the list of people reported dead and not
verified yet, with the two resolutions (đã ghi biến động chết / xác minh còn sống). Rules live in
``services.registry.death_reports``."""
from flask import flash, redirect, request, url_for
from flask_login import current_user

from ...areas import get_visible_or_404
from ...errors_web import on_refusal
from ...models import PayoutLine
from ...rendering import render
from ...services.registry import death_reports as service
from .blueprint import bp


def _area():
    return [current_user.organization.unit_code]


@bp.app_template_global("death_report_count")
def death_report_count() -> int:
    """How many open death reports the current commune has (for the landing page's notice)."""
    return len(service.open_reports(_area()))


def _page(error=None, line_id=None, typed=None, status=200):
    return render("commune/death_reports.html", reports=service.open_reports(_area()), labels=service.RESOLUTIONS,
                  error=error, error_line=line_id, typed=typed or {}, status=status)


@bp.route("/bao-chet")
def death_reports():
    """Bưu điện báo đã chết: những người cần xã xác minh."""
    return _page()


@bp.route("/bao-chet/<int:line_id>/xu-ly", methods=["POST"])
def death_report_resolve(line_id: int):
    """Xử lý một báo cáo: đã ghi biến động chết, hoặc xác minh còn sống (kèm ghi chú). The form is checked by
    Flask-WTF's CSRFProtect; a refusal re-renders the page (422) with what was typed."""
    line = get_visible_or_404(PayoutLine, line_id)
    resolution, note = request.form.get("resolution", ""), request.form.get("note", "")
    on_refusal(lambda err: _page(str(err), line_id, {"resolution": resolution, "note": note}, status=422))
    service.resolve(current_user, line, resolution, note)
    flash(f"Đã xử lý báo cáo của bưu điện về {line.full_name}: {line.report_resolution}.", "ok")
    return redirect(url_for("commune.death_reports"))
