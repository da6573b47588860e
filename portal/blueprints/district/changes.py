"""District review of the communes' monthly change lists (xét duyệt danh sách biến động): list of submissions in the
district, one submission with its events, accept (events applied to the beneficiaries) or return with a reason.
Routes on the district blueprint (its ``payout_management`` gate applies); rows are loaded through
``portal.access``; rules live in ``services.registry.submissions``."""
from flask import flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField

from ...areas import get_visible_or_404, visible
from ...errors_web import on_refusal
from ...models import ChangeSubmission
from ...rendering import render
from ...services.registry import submissions as service
from ...services.registry.events import TEMPLATE_HELPERS
from .blueprint import bp


class ReturnForm(FlaskForm):
    """Trả lại danh sách biến động: the reason is required."""

    reason = StringField("Lý do trả lại")


@bp.context_processor
def change_helpers():
    """``unit_name`` and ``stop_reasons`` for the event details partial."""
    return TEMPLATE_HELPERS


@bp.route("/bien-dong")
def change_submissions():
    """Danh sách biến động các xã gửi (``?trang_thai=submitted`` to filter), newest month first."""
    status = request.args.get("trang_thai") or None
    rows = service.submissions(visible(ChangeSubmission), status if status in service.STATUS_LABELS else None)
    return render("district/changes.html", rows=rows, labels=service.STATUS_LABELS, status_filter=status,
                  counts=service.event_counts(r.id for r in rows))


def _page(sub, form=None, error=None, status=200):
    return render("district/change_submission.html", sub=sub, labels=service.STATUS_LABELS,
                  form=form or ReturnForm(), error=error, status=status)


@bp.route("/bien-dong/<int:submission_id>")
def change_submission(submission_id: int):
    """Một danh sách biến động: events with decisions and details; accept or return."""
    return _page(get_visible_or_404(ChangeSubmission, submission_id))


@bp.route("/bien-dong/<int:submission_id>/chap-nhan", methods=["POST"])
def change_submission_accept(submission_id: int):
    """Chấp nhận: the events take effect for payment and are applied to the beneficiaries."""
    sub = get_visible_or_404(ChangeSubmission, submission_id)
    on_refusal(lambda err: _page(sub, error=str(err), status=409))
    service.accept(current_user, sub)
    flash(f"Đã chấp nhận danh sách biến động tháng {sub.month:%m/%Y} của {sub.commune.name}.", "ok")
    return redirect(url_for("district.change_submission", submission_id=sub.id))


@bp.route("/bien-dong/<int:submission_id>/tra-lai", methods=["POST"])
def change_submission_return(submission_id: int):
    """Trả lại với lý do (bắt buộc); a missing reason re-renders with 422."""
    sub = get_visible_or_404(ChangeSubmission, submission_id)
    form = ReturnForm()
    on_refusal(lambda err: _page(sub, form, str(err), 422))
    service.return_submission(current_user, sub, form.reason.data)
    flash(f"Đã trả lại danh sách biến động tháng {sub.month:%m/%Y} của {sub.commune.name}.", "ok")
    return redirect(url_for("district.change_submission", submission_id=sub.id))
