"""Police (Công an xã) pages: the commune's beneficiaries to cross-check against the national population database
(đối sánh CSDL quốc gia về dân cư) — name, birth, gender, personal ID and hamlet, never the category. Read-only in
this issue. Gated on the ``id_verification`` duty; rows are loaded through ``portal.access``."""
from flask import Blueprint, request

from ..access import gate, visible
from ..models import Beneficiary, Duty
from ..rendering import render
from ..services.registry import search_beneficiaries

bp = Blueprint("police", __name__, url_prefix="/cong-an")
bp.before_request(gate(Duty.ID_VERIFICATION))

PAGE_SIZE = 25


@bp.route("/")
def index():
    """Danh sách đối chiếu nhân thân: paged, searchable by name or ID; htmx gets the ``results`` block."""
    q = request.args.get("q", "").strip()
    page = max(1, request.args.get("page", 1, type=int))
    rows, total = search_beneficiaries(visible(Beneficiary), q, page, PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    return render("police/index.html", block="results", rows=rows, total=total, q=q, page=page, pages=pages,
                  first=(page - 1) * PAGE_SIZE)
