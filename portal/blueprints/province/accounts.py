"""Province (Sở) pages: the account funnel (phễu mở tài khoản: SVG chart, table, Excel export) with
the fee waivers each bank granted, and bank coverage requests to approve or withdraw (duyệt địa bàn phụ trách).
Routes on the ``province`` blueprint; figures from ``services.accounts.funnel``, rules in
``services.accounts.coverage``."""
from flask import flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ...downloads import download
from ...errors_web import flash_refusal
from ...extensions import db
from ...models import AdministrativeUnit, BankCoverage, Programme
from ...models.accounts import FEE_WAIVERS
from ...models.registry import CashAtHomeReason
from ...query_args import month_arg
from ...rendering import render
from ...services.accounts import coverage, funnel
from ...services.units import units_in_force
from .blueprint import bp


def _district_arg():
    """``?huyen=CODE`` → (code, select of its communes) or (None, None) for the whole province."""
    code = request.args.get("huyen") or None
    if code is None or db.session.get(AdministrativeUnit, code) is None:
        return None, None
    return code, select(AdministrativeUnit.code).where(AdministrativeUnit.parent_code == code)


@bp.route("/pheu")
def funnel_page():
    month = month_arg()
    district, communes = _district_arg()
    districts = units_in_force(month, level="district")  # none since 7/2025: the filter is left out
    return render("province/funnel.html", block="funnel", data=funnel.monthly_funnel(month, communes), month=month,
                  district=district, districts=districts, stages=funnel.STAGES,
                  reasons=list(CashAtHomeReason), waivers=funnel.waiver_summary(communes), waiver_labels=FEE_WAIVERS,
                  programmes=list(Programme))


@bp.route("/pheu.xlsx")
def funnel_export():
    month = month_arg()
    _, communes = _district_arg()
    body = funnel.funnel_workbook(funnel.monthly_funnel(month, communes))
    return download(body, f"pheu-tai-khoan-{month:%Y-%m}.xlsx")


def _decide_coverage():
    """Duyệt / thu hồi một địa bàn phụ trách of a bank; back to the list with the decision (or the refusal)."""
    page = url_for("province.coverage_requests")
    flash_refusal(page)
    row = coverage.decide_coverage(current_user, request.form.get("bank_id", type=int) or 0,
                                   request.form.get("commune", ""), request.form.get("decision", ""),
                                   request.form.get("note", ""))
    flash(f"{row.bank.name} – {row.commune.name}: {coverage.COVERAGE_STATUS[row.status]}.", "ok")
    return redirect(page)


@bp.route("/dia-ban", methods=["GET", "POST"])
def coverage_requests():
    """Bank coverage requests and decisions, pending first; a post decides one."""
    if request.method == "POST":
        return _decide_coverage()
    rows = db.session.execute(select(BankCoverage).join(AdministrativeUnit).order_by(
        BankCoverage.status.desc(), BankCoverage.bank_id, AdministrativeUnit.name)).scalars()
    return render("province/coverage.html", rows=list(rows), labels=coverage.COVERAGE_STATUS)
