"""Worklist of a new commune after the reform of administrative units (xếp đối tượng vào xã/phường mới): people of
an old commune that was split, waiting to be placed before the commune's first list; placed by hamlet (a khóm/ấp goes
whole into one new commune). Rules in ``services.reform``."""
from flask import flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ...extensions import db
from ...models import AdministrativeUnit, UnitTransfer
from ...rendering import render
from ...services.reform import place_hamlet, unplaced
from .blueprint import bp


@bp.route("/xep-xa-moi")
def placement():
    """Người chờ xếp vào xã/phường mới, theo xã cũ và khóm/ấp."""
    code = current_user.organization.unit_code
    transfers = db.session.execute(unplaced([code])).scalars().all()
    groups: dict = {}
    for t in transfers:
        groups.setdefault((t.old_commune_code, t.beneficiary.hamlet or "", t.effective_month), []).append(t)
    names = dict(db.session.execute(select(AdministrativeUnit.code, AdministrativeUnit.name).where(
        AdministrativeUnit.code.in_({k[0] for k in groups}))).all())
    return render("commune/placement.html", groups=groups, names=names, total=len(transfers))


@bp.route("/xep-xa-moi", methods=["POST"])
def place():
    """Xếp mọi người của một khóm/ấp (xã cũ bị chia tách) vào xã/phường của người dùng."""
    old, hamlet = request.form.get("old", ""), request.form.get("hamlet", "")
    month = db.session.execute(select(UnitTransfer.effective_month).where(
        UnitTransfer.old_commune_code == old).limit(1)).scalar()
    placed = place_hamlet(current_user, old, hamlet, current_user.organization.unit_code, month) if month else 0
    flash(f"Đã xếp {placed} người ({hamlet or 'chưa ghi khóm/ấp'}) vào xã/phường.", "ok")
    return redirect(url_for("commune.placement"))
