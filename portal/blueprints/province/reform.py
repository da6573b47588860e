"""Province page previewing the reform of administrative units (xem trước sắp xếp đơn vị hành chính): per old
commune the people registered there and the new commune(s) they go to, with control totals; what was already moved.
Read-only: the operation itself is ``flask --app wsgi apply-reform YYYY-MM`` (``services.reform``)."""
from sqlalchemy import func, select

from ...errors_web import on_refusal
from ...extensions import db
from ...models import TREE_2025_START, UnitTransfer
from ...query_args import month_arg
from ...rendering import render
from ...services.reform import plan_reform
from .blueprint import bp


@bp.route("/sap-xep-don-vi")
def reform_preview():
    month = month_arg(default=TREE_2025_START)
    on_refusal(lambda err: render("province/reform.html", month=month, plan=None, error=str(err), moved={},
                                  arriving={}, status=409))
    plan = plan_reform(month)
    moved = dict(db.session.execute(select(UnitTransfer.new_commune_code, func.count()).where(
        UnitTransfer.effective_month == month).group_by(UnitTransfer.new_commune_code)).all())
    arriving: dict = {}
    for row in plan.rows:
        if not row.split and row.people:
            key = row.targets[0][0]
            arriving[key] = arriving.get(key, 0) + row.people
    return render("province/reform.html", month=month, plan=plan, error=None, moved=moved, arriving=arriving)
