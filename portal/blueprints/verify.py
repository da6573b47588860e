"""Public verification of issued documents (xác minh văn bản), no login: the page behind each document's QR code
shows its number, date, issuer, title and whether it is signed, and checks an uploaded file against the stored
SHA-256. It never shows the document itself or any personal data (only organisation-level facts)."""
from flask import Blueprint, abort
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from ..errors_web import on_refusal
from ..form_checks import with_error
from ..rendering import render
from ..services.documents import issuing

bp = Blueprint("verify", __name__, url_prefix="/xac-minh")


class CheckForm(FlaskForm):
    """Đối chiếu một tệp với văn bản đã ban hành."""

    file = FileField("Tệp PDF cần đối chiếu", validators=[FileRequired("Chọn tệp cần đối chiếu.")])


def _page(doc, form=None, match=None, status=200):
    resp = render("verify/page.html", block="result", doc=doc, form=form or CheckForm(), match=match,
                  corrections=issuing.corrections_of(doc), status=status)
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["X-Robots-Tag"] = "noindex"
    return resp


def _doc_or_404(token):
    doc = issuing.by_token(token)
    if doc is None:
        abort(404)
    return doc


@bp.route("/<token>")
def page(token):
    return _page(_doc_or_404(token))


@bp.route("/<token>", methods=["POST"])
def check(token):
    doc = _doc_or_404(token)
    form = CheckForm()
    if not form.validate_on_submit():
        return _page(doc, form, status=422)
    data = form.file.data.read()
    on_refusal(lambda err: _page(doc, with_error(form, form.file, err), status=422))  # e.g. not a PDF
    match = issuing.verify_upload(doc, data) or ("signed_copy" if issuing.signed_copy_matches(doc, data) else False)
    return _page(doc, form, match)
