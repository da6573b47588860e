"""Document downloads for any logged-in user, limited by ``portal.access`` to what they may see: the payout list
as an official PDF (danh sách chi trả), and its payment spreadsheet (bảng kê chi trả, .xlsx) for the district
office and the post office."""
from flask import Blueprint, abort, make_response
from flask_login import current_user, login_required

from ..access import get_visible_or_404
from ..documents.payout_context import build_payout_list_doc
from ..documents.payout_list import render_payout_list
from ..models import OrgKind, PayoutList
from ..services.payout_results import payment_sheet as build_payment_sheet

bp = Blueprint("documents", __name__, url_prefix="/van-ban")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.before_request
@login_required
def _logged_in():
    return None


def _file(body: bytes, mimetype: str, filename: str, disposition: str = "attachment"):
    resp = make_response(body)
    resp.headers["Content-Type"] = mimetype
    resp.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


def _name(lst: PayoutList, ext: str) -> str:
    return f"danh-sach-chi-tra-{lst.commune_code}-{lst.month:%Y-%m}-{lst.channel}.{ext}"


@bp.route("/danh-sach-chi-tra/<int:list_id>.pdf")
def payout_list_pdf(list_id):
    lst = get_visible_or_404(PayoutList, list_id)
    return _file(render_payout_list(build_payout_list_doc(lst)), "application/pdf", _name(lst, "pdf"))


@bp.route("/danh-sach-chi-tra/<int:list_id>.xlsx")
def payment_sheet(list_id):
    if current_user.organization.kind not in (OrgKind.DISTRICT, OrgKind.POST_OFFICE):
        abort(403)
    lst = get_visible_or_404(PayoutList, list_id)
    return _file(build_payment_sheet(lst), XLSX, _name(lst, "xlsx"))
