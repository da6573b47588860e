"""Payout office pages for the payment service contract with the post office (hợp đồng dịch vụ chi trả, plan §V.7):
list and draft, preview the PDF, issue (number + stored, signed PDF), upload the copy signed by both parties.
Gated on ``post_office_contract`` (the district labour office until 30/6/2025, the commune committee since 7/2025,
as the competence rules give it); rows
loaded through ``portal.access``; rules in ``portal.services.contracts``.
The contract is 3 pages: its PDF renders in the request (~0.3–0.8 s measured), no background job needed."""
from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, StringField
from wtforms.validators import DataRequired, NumberRange

from ..access import gate
from ..areas import get_visible_or_404, visible
from ..clock import today_vn
from ..downloads import download
from ..errors_web import on_refusal
from ..extensions import db
from ..models import Duty, ServiceContract
from ..query_args import month_arg
from ..rendering import render
from ..services.documents import contracts

bp = Blueprint("contracts", __name__, url_prefix="/huyen/hop-dong")
bp.before_request(gate(Duty.POST_OFFICE_CONTRACT))
REQ = "Bắt buộc."
PDF = "application/pdf"


class ContractForm(FlaskForm):
    """Dự thảo hợp đồng dịch vụ chi trả."""

    valid_from = DateField("Hiệu lực từ ngày", validators=[DataRequired(REQ)])
    valid_to = DateField("Đến ngày", validators=[DataRequired(REQ)])
    fee_per_person = IntegerField("Phí (đồng/đối tượng/tháng)", validators=[NumberRange(0, 1_000_000)])
    estimated_people = IntegerField("Số đối tượng dự kiến", validators=[NumberRange(0, 1_000_000)])
    estimated_months = IntegerField("Số tháng", validators=[NumberRange(1, 60)])
    party_a_signer = StringField("Đại diện bên A", validators=[DataRequired(REQ)])
    party_a_title = StringField("Chức vụ bên A", validators=[DataRequired(REQ)])
    party_b_signer = StringField("Đại diện bên B (bưu điện)", validators=[DataRequired(REQ)])
    party_b_title = StringField("Chức vụ bên B", validators=[DataRequired(REQ)])


class ScanForm(FlaskForm):
    """Bản hợp đồng có chữ ký của hai bên (PDF)."""

    scan = FileField("Bản quét (PDF)", validators=[FileRequired("Chọn tệp PDF.")])
    signed_on = DateField("Ngày ký", validators=[DataRequired(REQ)])


def _index(form=None, error=None, status=200):
    rows = db.session.execute(visible(ServiceContract).order_by(ServiceContract.id.desc())).scalars().all()
    if form is None:
        form = ContractForm(data=vars(contracts.defaults(current_user, today_vn())))
    return render("contracts/index.html", block="main", contracts=rows, form=form, error=error, status=status)


@bp.route("/")
def index():
    return _index()


@bp.route("/lap", methods=["POST"])
def create():
    form = ContractForm()
    if not form.validate_on_submit():
        return _index(form, status=422)
    fields = {k: v for k, v in form.data.items() if k in contracts.ContractInput.__dataclass_fields__}
    on_refusal(lambda err: _index(form, str(err), 422))
    contract = contracts.create_draft(current_user, contracts.ContractInput(**fields))
    flash("Đã lập dự thảo hợp đồng.", "ok")
    return redirect(url_for("contracts.detail", contract_id=contract.id))


def _detail(contract, form=None, error=None, status=200):
    return render("contracts/detail.html", block="main", c=contract, form=form or ScanForm(), issue_form=FlaskForm(),
                  error=error, status=status)


@bp.route("/<int:contract_id>")
def detail(contract_id):
    return _detail(get_visible_or_404(ServiceContract, contract_id))


@bp.route("/<int:contract_id>/hop-dong.pdf")
def pdf(contract_id):
    """The issued PDF as stored, or a draft preview ("DỰ THẢO", no number)."""
    from ..services.documents.printing import print_contract
    contract = get_visible_or_404(ServiceContract, contract_id)
    if contract.document is not None:
        return download(contract.document.content, contract.document.filename, inline=True, mimetype=PDF)
    return download(print_contract(contract, issued_on=today_vn()), f"du-thao-hop-dong-{contract.id}.pdf",
                    inline=True)


@bp.route("/<int:contract_id>/ban-hanh", methods=["POST"])
def issue(contract_id):
    contract = get_visible_or_404(ServiceContract, contract_id)
    if not FlaskForm().validate_on_submit():
        return _detail(contract, error="Phiên làm việc hết hạn, hãy thử lại.", status=422)
    on_refusal(lambda err: _detail(contract, error=str(err), status=422))
    doc = contracts.issue_contract(current_user, contract, today_vn())
    flash(f"Đã ban hành hợp đồng số {doc.number_text}.", "ok")
    return redirect(url_for("contracts.detail", contract_id=contract_id))


@bp.route("/<int:contract_id>/ban-ky", methods=["POST"])
def upload_scan(contract_id):
    contract = get_visible_or_404(ServiceContract, contract_id)
    form = ScanForm()
    if not form.validate_on_submit():
        return _detail(contract, form, status=422)
    on_refusal(lambda err: _detail(contract, form, str(err), 422))
    contracts.upload_scan(current_user, contract, form.scan.data.read(), form.scan.data.filename, form.signed_on.data)
    flash("Đã lưu bản hợp đồng có chữ ký của hai bên.", "ok")
    return redirect(url_for("contracts.detail", contract_id=contract_id))


@bp.route("/<int:contract_id>/ban-ky.pdf")
def scan(contract_id):
    contract = get_visible_or_404(ServiceContract, contract_id)
    if contract.scan_sha256 is None:
        return _detail(contract, error="Chưa có bản ký.", status=404)
    return download(contract.scan, contract.scan_filename or "ban-ky.pdf", inline=True, mimetype=PDF)


@bp.route("/bang-ke-phi.pdf")
def fee_statement_pdf():
    """The month's fee statement of the post office serving the office's area (``?thang=YYYY-MM``), as a draft PDF."""
    from ..services.documents.printing import print_fee_statement
    from ..services.payouts.fee_statements import fee_statement
    post = contracts.post_office_for(current_user.organization)
    if post is None:
        abort(404)
    month = month_arg()
    return download(print_fee_statement(fee_statement(post, month), None, today_vn(),
                                        party_a=current_user.organization),
                    f"bang-ke-phi-{month:%Y-%m}.pdf", inline=True)
