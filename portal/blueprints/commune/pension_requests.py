"""Commune pages for the social pension (trợ cấp hưu trí xã hội): register a written request (Mẫu 01), see the
chairman's deadline (10 working days; overdue shown), and record the chairman's decision. Rules live in
``services.entitlement.pension_requests``."""
import json

from flask import flash, make_response, redirect, request, url_for
from flask_login import current_user

from ...access import decides_social_pension
from ...areas import get_visible_or_404
from ...clock import today_vn
from ...errors import StateError
from ...errors_web import on_refusal
from ...models import CashAtHomeReason, HouseholdPoverty, PaymentChannel, PensionRequest
from ...rendering import render
from ...services.entitlement import pension_requests as service
from ...services.registry.hamlets import hamlets_for
from .blueprint import bp

FORM_FIELDS = ("full_name", "national_id", "birth", "gender", "hamlet_id", "hamlet", "household_poverty",
               "receives_pension", "payment_channel", "cash_at_home_reason", "cash_at_home_note", "received_on")
DECISION_FIELDS = ("decision", "decision_number", "decision_date", "start_month", "refusal_reason")


def _page(error=None, typed=None, decision_error=None, decision_id=None, decision_typed=None, status=200,
          error_field=None):
    code = current_user.organization.unit_code
    channels = [(c.value, c.label) for c in PaymentChannel]  # as the beneficiary form; cash at home needs a reason
    return render("commune/pension_requests.html", requests=service.commune_requests(code), today=today_vn(),
                  overdue=service.is_overdue, error=error, error_field=error_field, typed=typed or {},
                  poverty=HouseholdPoverty.choices(), channels=channels,
                  home_reasons=[(r.value, r.label) for r in CashAtHomeReason], hamlets=hamlets_for(code),
                  may_decide=decides_social_pension(current_user, code), decision_error=decision_error,
                  decision_id=decision_id, decision_typed=decision_typed or {}, status=status)


def _back_to_list(message: str, category: str = "ok"):
    """After a post: ``message`` flashed and the list of requests loaded again, so the address bar never keeps the
    post's address (a reload does not post again): ``HX-Location`` for a boosted (htmx) form, else 303."""
    flash(message, category)
    url = url_for("commune.pension_requests")
    if request.headers.get("HX-Request"):
        resp = make_response("", 200)
        resp.headers["HX-Location"] = json.dumps({"path": url, "target": "body"})
        return resp
    return redirect(url, 303)


def _decision_refused(err, item, typed):
    """A decision the rules refuse: a request already decided goes back to the list with the message (nothing to
    correct on the form); any other refusal shows the form again with what was typed (422)."""
    if isinstance(err, StateError):
        return _back_to_list(str(err), "error")
    return _page(decision_error=str(err), decision_id=item.id, decision_typed=typed, status=422)


@bp.route("/huu-tri-xa-hoi")
def pension_requests():
    """Tờ khai hưởng trợ cấp hưu trí xã hội: tiếp nhận, hạn quyết định, quyết định."""
    return _page()


@bp.route("/huu-tri-xa-hoi", methods=["POST"])
def pension_request_new():
    """Tiếp nhận một tờ khai (Mẫu 01); lỗi: trang hiện lại với những gì đã nhập (422)."""
    typed = {k: request.form.get(k, "") for k in FORM_FIELDS}
    on_refusal(lambda err: _page(str(err), typed, status=422, error_field=getattr(err, "field", None)))
    item = service.register_request(current_user, current_user.organization.unit_code, typed)
    return _back_to_list(f"Đã tiếp nhận tờ khai của {item.full_name}; hạn quyết định {item.due_on:%d/%m/%Y}.")


@bp.route("/huu-tri-xa-hoi/<int:request_id>/quyet-dinh", methods=["POST"])
def pension_request_decide(request_id: int):
    """Quyết định của Chủ tịch UBND xã: hưởng (số, ngày quyết định, hưởng từ tháng) hoặc từ chối (lý do); then
    back to the list (``_back_to_list``) whatever the outcome, a request already decided included."""
    item = get_visible_or_404(PensionRequest, request_id)
    typed = {k: request.form.get(k, "") for k in DECISION_FIELDS}
    on_refusal(lambda err: _decision_refused(err, item, typed))
    service.decide(current_user, item, granted=typed["decision"] == "grant", decision_number=typed["decision_number"],
                   decision_date=typed["decision_date"], start_month=typed["start_month"],
                   refusal_reason=typed["refusal_reason"])
    return _back_to_list(f"Đã ghi quyết định cho {item.full_name}: {item.status_enum.label}.")
