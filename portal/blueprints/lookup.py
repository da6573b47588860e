"""Public status lookup (tra cứu tình trạng chi trả, no login): CCCD + date of birth (the year alone for a person
recorded by year of birth only) by POST (never in the address bar), rate limited per address and per ID
(Flask-Limiter), an arithmetic question after repeated failures, every attempt audited with the ID and the address
as keyed digests (``services.lookup.status``). A small page without JavaScript, readable on a 390-px phone."""
from flask import Blueprint, current_app, request
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired

from ..extensions import limiter
from ..form_checks import service_check
from ..rendering import render
from ..services.lookup import status
from ..services.registry.identity import parse_national_id

bp = Blueprint("lookup", __name__, url_prefix="/tra-cuu")
#: per address, and per ID (its digest), on POST only
PER_ADDRESS = "10 per minute;30 per hour"
PER_ID = "5 per hour"
THROTTLED = "Bạn đã tra cứu quá nhiều lần. Vui lòng thử lại sau một giờ, hoặc liên hệ UBND xã/phường nơi cư trú."


class LookupForm(FlaskForm):
    """Số định danh + ngày sinh (or the year alone, for a person recorded by year only: ``status.parse_birth``);
    ``answer`` only when a question is asked."""

    national_id = StringField("Số định danh cá nhân (CCCD, 12 chữ số)",
                              validators=[DataRequired("Nhập số định danh cá nhân.")],
                              render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 14})
    birth_date = StringField("Ngày sinh (dd/mm/yyyy; nếu giấy tờ chỉ ghi năm sinh: chỉ nhập năm)",
                             validators=[DataRequired("Nhập ngày sinh.")],
                             render_kw={"placeholder": "vd. 27/03/1950 hoặc 1933", "maxlength": 10,
                                        "autocomplete": "off"})
    answer = StringField("Trả lời câu hỏi kiểm tra", render_kw={"inputmode": "numeric", "autocomplete": "off"})
    token = StringField(render_kw={"type": "hidden"})

    def validate_national_id(self, field):
        self.id_value = service_check(lambda v: parse_national_id(v).value, field)

    def validate_birth_date(self, field):
        self.birth = service_check(status.parse_birth, field)


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def _address_hash() -> str:
    return status.digest(_secret(), "addr:" + (request.remote_addr or ""))


def _id_hash() -> str | None:
    digits = "".join(ch for ch in request.form.get("national_id", "") if ch.isdigit())
    return status.digest(_secret(), "id:" + digits) if len(digits) == 12 else None


def _id_key() -> str:
    """Rate-limit key of a POST: the ID's digest (the address when no valid ID was typed)."""
    return "lookup-id:" + (_id_hash() or _address_hash())


def _throttled(_limit) -> None:
    """``on_breach``: audit the refused attempt (the 429 page itself says why, ``THROTTLED``)."""
    status.record_attempt(_address_hash(), _id_hash(), "throttled")


def _page(form, answer=None, not_found=False, challenge=None, status_code=200):
    if challenge is not None:
        form.token.data, form.answer.data = challenge.token, ""
    return render("lookup/page.html", form=form, answer=answer, not_found=not_found, challenge=challenge,
                  warning=status.WARNING, not_found_text=status.NOT_FOUND, status=status_code)


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(PER_ADDRESS, methods=["POST"], on_breach=_throttled, error_message=THROTTLED)
@limiter.limit(PER_ID, methods=["POST"], key_func=_id_key, on_breach=_throttled, error_message=THROTTLED)
def page():
    """GET: the form. POST: the answer (200), or the form again with the reason (422): a malformed ID or date, a
    question to answer first. An unknown ID and a wrong date of birth get the same answer."""
    form = LookupForm()
    if request.method == "GET":
        return _page(form)
    if not form.validate_on_submit():
        challenge = status.new_challenge(_secret()) if status.needs_challenge(_address_hash(), _id_hash()) else None
        return _page(form, challenge=challenge, status_code=422)
    address, id_hash = _address_hash(), _id_hash()
    nonce = None
    if status.needs_challenge(address, id_hash):
        nonce = status.verify_challenge(_secret(), form.token.data, form.answer.data)
        if nonce is None:
            status.record_attempt(address, id_hash, "challenge_failed")
            if form.token.data or form.answer.data:
                form.answer.errors = [status.WRONG_ANSWER]
            return _page(form, challenge=status.new_challenge(_secret()), status_code=422)
    answer = status.lookup(form.id_value, form.birth)
    status.record_attempt(address, id_hash, "found" if answer else "not_found", nonce)
    return _page(form, answer=answer, not_found=answer is None)
