"""Province (Sở) pages: the monthly overview per unit in force in the month (districts and their communes before
07/2025, the communes of the 2025 tree after) — beneficiaries, chosen payment channels,
accounts opened and the month's payout totals, and the complaints of the month by kind with the overdue ones. Gated
on the ``oversight`` duty (the province sees the whole province); figures come from
``portal.services.reporting.overview`` and ``portal.services.complaints.stats``. No personal data and no category is
shown here."""

from flask import request

from ...query_args import month_arg
from ...rendering import render
from ...services.complaints.stats import complaint_counts, overdue_count
from ...services.reporting.overview import province_overview
from .blueprint import bp


@bp.route("/")
def index():
    month = month_arg()
    show_all = request.args.get("tat_ca") == "1"
    return render("province/index.html", block="overview", overview=province_overview(month), month=month,
                  show_all=show_all, complaints=complaint_counts(None, month), complaints_overdue=overdue_count(None))


