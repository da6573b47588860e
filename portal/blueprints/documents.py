"""Document downloads for any logged-in user, limited by ``portal.access`` to what they may see: the payout list
as an official PDF (danh sách chi trả), and its payment spreadsheet (bảng kê chi trả, .xlsx) for the district
office and the post office; issued documents exactly as stored; the authorization letter (giấy ủy quyền) of a
recorded authorization, and its issue by the commune (one page, rendered in the request)."""
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from ..access import (
    is_contract_office,
    is_contract_post_office,
    manages_payouts,
    may_see,
    provides_payment,
    signs_contracts,
)
from ..areas import get_visible_or_404, visible
from ..clock import today_vn
from ..downloads import XLSX, download
from ..errors_web import flash_refusal
from ..extensions import db
from ..models import Authorization, Duty, IssuedDocument, PayoutList, ServiceContract
from ..query_args import month_arg
from ..rendering import render
from ..services.audit import record_read
from ..services.documents.contracts import countersign
from ..services.documents.issuing import issue_authorization_letter as issue_letter
from ..services.documents.statements import issue_fee_statement, issued_statement, party_a_office
from ..services.organizations import serving_organization
from ..services.payouts.lists import download_name, file_slug
from ..services.payouts.pdf import request_pdf as request_list_pdf
from ..services.payouts.results import payment_sheet as build_payment_sheet

bp = Blueprint("documents", __name__, url_prefix="/van-ban")
PDF = "application/pdf"


@bp.before_request
@login_required
def _logged_in():
    return None


@bp.route("/danh-sach-chi-tra/<int:list_id>.pdf")
def payout_list_pdf(list_id):
    """The list's stored PDF; else a page following the job that renders it (never rendered in the request).
    ``?tep=<id>``: the one-off print of a list still open that a job made."""
    lst = get_visible_or_404(PayoutList, list_id)
    stored, job = request_list_pdf(current_user, lst, request.args.get("tep", type=int))
    if stored is not None:
        record_read(current_user, "download", "payout_list", lst.id, f"Tải danh sách chi trả (PDF): {stored.filename}")
        return download(stored.content, download_name(lst, "pdf"), mimetype=stored.mimetype)
    return render("jobs/show.html", block="progress", job=job)


@bp.route("/danh-sach-chi-tra/<int:list_id>/in-lai", methods=["POST"])
def payout_list_pdf_retry(list_id):
    """"Thử lại" after a failed print job: starts a new job (CSRF-checked POST), then shows its progress."""
    lst = get_visible_or_404(PayoutList, list_id)
    stored, job = request_list_pdf(current_user, lst, retry=True)
    if job is None:
        return redirect(url_for(".payout_list_pdf", list_id=lst.id))
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.route("/danh-sach-chi-tra/<int:list_id>.xlsx")
def payment_sheet(list_id):
    # by duty: a two-tier commune committee managing payouts needs the sheet too
    if not (manages_payouts(current_user) or provides_payment(current_user)):
        abort(403)
    lst = get_visible_or_404(PayoutList, list_id)
    record_read(current_user, "download", "payout_list", lst.id, "Tải bảng kê chi trả (Excel, có số CCCD)")
    return download(build_payment_sheet(lst), download_name(lst, "xlsx", "Bang-ke-chi-tra"), mimetype=XLSX)


@bp.route("/da-ban-hanh/<int:document_id>.pdf")
def issued_pdf(document_id):
    """An issued document exactly as stored (its bytes match the hash shown on the verification page)."""
    doc = get_visible_or_404(IssuedDocument, document_id)
    return download(doc.content, doc.filename, mimetype=PDF)


@bp.route("/giay-uy-quyen/<int:authorization_id>.pdf")
def authorization_letter(authorization_id):
    """The authorization letter of a recorded authorization: the issued copy when the commune issued one, else an
    unnumbered print to be signed and certified on paper."""
    from ..services.documents.printing import print_letter
    auth = get_visible_or_404(Authorization, authorization_id)
    if not may_see("national_id"):
        abort(403)  # the letter prints both ID numbers
    record_read(current_user, "download", "authorization", auth.id, "Tải giấy ủy quyền (có số CCCD)")
    issued = db.session.execute(select(IssuedDocument).where(
        IssuedDocument.subject_type == "authorization", IssuedDocument.subject_id == auth.id)
        .order_by(IssuedDocument.id.desc()).limit(1)).scalar_one_or_none()
    if issued is not None:
        return download(issued.content, issued.filename, inline=True, mimetype=PDF)
    commune = serving_organization(auth.beneficiary.commune_code, Duty.INTAKE)
    if commune is None:
        abort(404)
    return download(print_letter(auth, commune), f"giay-uy-quyen-{auth.id}.pdf", inline=True)


@bp.route("/giay-uy-quyen/<int:authorization_id>/ban-hanh", methods=["POST"])
def issue_authorization_letter(authorization_id):
    """Issue (number, store, sign) the letter under the commune committee; commune only."""
    auth = get_visible_or_404(Authorization, authorization_id)
    letter = url_for("documents.authorization_letter", authorization_id=authorization_id)
    flash_refusal(letter)
    doc = issue_letter(current_user, auth, today_vn())
    flash(f"Đã lưu giấy ủy quyền đã chứng thực ngày {doc.issued_on:%d/%m/%Y} (có mã QR xác minh).", "ok")
    return redirect(letter)


@bp.route("/hop-dong/<int:contract_id>")
def contract_for_post_office(contract_id):
    """The post office's view of an issued service contract: download it and sign it digitally (bên B); the
    contracting office (bên A) is sent to its own page of the contract."""
    contract = get_visible_or_404(ServiceContract, contract_id)
    if is_contract_office(current_user, contract):
        return redirect(url_for("contracts.detail", contract_id=contract.id))
    if not is_contract_post_office(current_user, contract):
        abort(403)
    return render("documents/contract_post_office.html", c=contract, form=FlaskForm())


@bp.route("/hop-dong/<int:contract_id>/hop-dong.pdf")
def contract_pdf(contract_id):
    """The issued contract (or the copy signed by both, once there is one) for the district, post office, province."""
    contract = get_visible_or_404(ServiceContract, contract_id)
    if contract.scan_sha256:
        return download(contract.scan, contract.scan_filename or "hop-dong.pdf", inline=True, mimetype=PDF)
    if contract.document is None:
        abort(404)
    return download(contract.document.content, contract.document.filename, inline=True, mimetype=PDF)


@bp.route("/hop-dong/<int:contract_id>/ky-so", methods=["POST"])
def countersign_contract(contract_id):
    """Bên B (the post office) signs the issued contract with its certificate."""
    contract = get_visible_or_404(ServiceContract, contract_id)
    page = url_for("documents.contract_for_post_office", contract_id=contract_id)
    flash_refusal(page)
    countersign(current_user, contract, today_vn())
    flash("Bưu điện đã ký số hợp đồng.", "ok")
    return redirect(page)


@bp.route("/hop-dong/")
def post_office_contracts():
    """The post office's issued and signed service contracts (bên B); the office signing them (bên A, duty
    ``post_office_contract``: the commune committee since 7/2025) is sent to its contracts page."""
    if signs_contracts(current_user) and not provides_payment(current_user):
        return redirect(url_for("contracts.index"))
    if not provides_payment(current_user):
        abort(403)
    rows = db.session.execute(visible(ServiceContract).order_by(ServiceContract.id.desc())).scalars().all()
    month = month_arg()
    return render("documents/contracts_post_office.html", contracts=rows, month=month, form=FlaskForm(),
                  statement=issued_statement(current_user.organization, month))


@bp.route("/bang-ke-phi.pdf")
def fee_statement_pdf():
    """The post office's monthly fee statement (``?thang=YYYY-MM``) as a PDF (one page, rendered in the request)."""
    from ..services.documents.printing import print_fee_statement
    from ..services.payouts.fee_statements import fee_statement
    if not provides_payment(current_user):
        abort(403)
    month = month_arg()
    issued = issued_statement(current_user.organization, month)
    if issued is not None:  # the issued copy, exactly as stored
        return download(issued.content, issued.filename, mimetype=PDF)
    statement = fee_statement(current_user.organization, month)
    return download(print_fee_statement(statement, None, today_vn(), party_a=party_a_office(statement)),
                    f"Bang-ke-phi-chi-tra-{month:%Y-%m}-{file_slug(current_user.organization.name)}.pdf", inline=True)


@bp.route("/bang-ke-phi/ban-hanh", methods=["POST"])
def issue_fee_statement_view():
    """Issue the month's fee statement (``?thang=YYYY-MM``; ``thay_the=1`` replaces an issued one); post office
    only."""
    if not provides_payment(current_user):
        abort(403)
    month = month_arg()
    back = url_for("documents.post_office_contracts", thang=f"{month:%Y-%m}")
    if not FlaskForm().validate_on_submit():
        flash("Phiên làm việc hết hạn, hãy thử lại.", "error")
        return redirect(back)
    flash_refusal(back)
    doc = issue_fee_statement(current_user, month, today_vn(), replace=request.form.get("thay_the") == "1")
    flash(f"Đã ban hành bảng kê chi phí dịch vụ chi trả số {doc.number_text}.", "ok")
    return redirect(back)
