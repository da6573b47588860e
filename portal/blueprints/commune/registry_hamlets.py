"""Danh mục khóm/ấp of the commune: list with the number of people in each, add, rename, stop/restart using one.
Rules in ``services.registry.hamlets``; rows through ``portal.access``."""
from flask import flash, redirect, request, url_for
from flask_login import current_user

from ...areas import get_visible_or_404
from ...errors_web import on_refusal
from ...models import Hamlet
from ...rendering import render
from ...services.registry import hamlets as hamlet_service
from .blueprint import bp


def _page(error: str | None = None, typed: str = "", status: int = 200):
    code = current_user.organization.unit_code
    return render("commune/hamlets.html", hamlets=hamlet_service.hamlets_for(code, include_inactive=True),
                  counts=hamlet_service.people_per_hamlet(code), error=error, typed=typed, status=status)


@bp.route("/khom-ap")
def hamlets():
    """Danh mục khóm/ấp của xã."""
    return _page()


@bp.route("/khom-ap", methods=["POST"])
def hamlet_add():
    """Thêm khóm/ấp; an invalid or repeated name re-renders with 422 and the typed name."""
    name = request.form.get("name", "")
    on_refusal(lambda err: _page(str(err), name, 422))
    h = hamlet_service.add_hamlet(current_user, current_user.organization.unit_code, name)
    flash(f"Đã thêm {h.name}.", "ok")
    return redirect(url_for("commune.hamlets"))


@bp.route("/khom-ap/<int:hamlet_id>/doi-ten", methods=["POST"])
def hamlet_rename(hamlet_id: int):
    """Đổi tên khóm/ấp (also on every person linked to it)."""
    h = get_visible_or_404(Hamlet, hamlet_id)
    name = request.form.get("name", "")
    on_refusal(lambda err: _page(str(err), name, 422))
    moved = hamlet_service.rename_hamlet(current_user, h, name)
    flash(f"Đã đổi tên thành {h.name} ({moved} đối tượng).", "ok")
    return redirect(url_for("commune.hamlets"))


@bp.route("/khom-ap/<int:hamlet_id>/trang-thai", methods=["POST"])
def hamlet_toggle(hamlet_id: int):
    """Ngừng dùng / dùng lại một khóm/ấp (people already there keep it)."""
    h = get_visible_or_404(Hamlet, hamlet_id)
    hamlet_service.set_hamlet_active(current_user, h, request.form.get("active") == "1")
    flash(f"{'Đã dùng lại' if h.active else 'Đã ngừng dùng'} {h.name}.", "ok")
    return redirect(url_for("commune.hamlets"))
