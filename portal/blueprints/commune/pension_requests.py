"""Commune pages for the social pension (trợ cấp hưu trí xã hội): register a written request (Mẫu 01), see the
chairman's deadline (10 working days; overdue shown), and record the chairman's decision. Rules live in
``services.entitlement.pension_requests``."""
from flask import flash, redirect, request, url_for
from flask_login import current_user

from ...access import decides_social_pension
from ...areas import get_visible_or_404
from ...clock import today_vn
from ...errors_web import on_refusal
from ...models import HouseholdPoverty, PaymentChannel, PensionRequest
from ...rendering import render
from ...services.entitlement import pension_requests as service
from .blueprint import bp

FORM_FIELDS = ("full_name", "national_id", "birth", "gender", "hamlet", "household_poverty", "receives_pension",
               "payment_channel", "received_on")
DECISION_FIELDS = ("decision", "decision_number", "decision_date", "start_month", "refusal_reason")


def _page(error=None, typed=None, decision_error=None, decision_id=None, decision_typed=None, status=200):
    code = current_user.organization.unit_code
    channels = [(c.value, c.label) for c in PaymentChannel if c != PaymentChannel.CASH_AT_HOME]
    return render("commune/pension_requests.html", requests=service.commune_requests(code), today=today_vn(),
                  overdue=service.is_overdue, error=error, typed=typed or {}, poverty=HouseholdPoverty.choices(),
                  channels=channels, may_decide=decides_social_pension(current_user, code),
                  decision_error=decision_error, decision_id=decision_id, decision_typed=decision_typed or {},
                  status=status)


@bp.route("/huu-tri-xa-hoi")
def pension_requests():
    """Tờ khai hưởng trợ cấp hưu trí xã hội: tiếp nhận, hạn quyết định, quyết định."""
    return _page()


@bp.route("/huu-tri-xa-hoi", methods=["POST"])
def pension_request_new():
    """Tiếp nhận một tờ khai (Mẫu 01); lỗi: trang hiện lại với những gì đã nhập (422)."""
    typed = {k: request.form.get(k, "") for k in FORM_FIELDS}
    on_refusal(lambda err: _page(str(err), typed, status=422))
    item = service.register_request(current_user, current_user.organization.unit_code, typed)
    flash(f"Đã tiếp nhận tờ khai của {item.full_name}; hạn quyết định {item.due_on:%d/%m/%Y}.", "ok")
    return redirect(url_for("commune.pension_requests"))


@bp.route("/huu-tri-xa-hoi/<int:request_id>/quyet-dinh", methods=["POST"])
def pension_request_decide(request_id: int):
    """Quyết định của Chủ tịch UBND xã: hưởng (số, ngày quyết định, hưởng từ tháng) hoặc từ chối (lý do)."""
    item = get_visible_or_404(PensionRequest, request_id)
    typed = {k: request.form.get(k, "") for k in DECISION_FIELDS}
    on_refusal(lambda err: _page(decision_error=str(err), decision_id=item.id, decision_typed=typed, status=422))
    service.decide(current_user, item, granted=typed["decision"] == "grant", decision_number=typed["decision_number"],
                   decision_date=typed["decision_date"], start_month=typed["start_month"],
                   refusal_reason=typed["refusal_reason"])
    flash(f"Đã ghi quyết định cho {item.full_name}: {item.status_enum.label}.", "ok")
    return redirect(url_for("commune.pension_requests"))
