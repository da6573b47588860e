"""District labour office (Phòng LĐTBXH) pages: building the month's payout lists (one per commune × channel),
checking them and approving them. Gated on the ``payout_management`` duty; rows are loaded through
``portal.access``; the rules (who may approve, frozen lists) live in ``portal.services.payouts``."""
from collections import Counter

from flask import abort, flash, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import selectinload
from wtforms import StringField
from wtforms.validators import DataRequired

from ...access import may_approve
from ...areas import get_visible_or_404, visible
from ...downloads import download
from ...errors_web import on_refusal
from ...extensions import db
from ...form_checks import service_check
from ...models import PayoutList
from ...query_args import month_arg
from ...rendering import render, wants_fragment
from ...services.audit import events_for
from ...services.entitlement.rates import parse_month
from ...services.payouts import build as payouts_build
from ...services.payouts import cycle, fee_statements, workflow
from ...services.payouts import lists as payouts_lists
from ...services.payouts.lines import line_notes
from ...services.payouts.results import totals
from ...services.payouts.staleness import staleness_by_list
from ..payout_pages import ReturnForm, lines_page
from .blueprint import bp


class BuildForm(FlaskForm):
    """Lập danh sách chi trả của một tháng."""

    month = StringField("Tháng chi trả", validators=[DataRequired("Chọn tháng.")], render_kw={"type": "month"})

    def validate_month(self, field):
        self.month_date = service_check(parse_month, field)


def _month_lists(month):
    return list(db.session.execute(visible(PayoutList).where(PayoutList.month == month)
                                   .options(selectinload(PayoutList.commune))
                                   .order_by(PayoutList.commune_code, PayoutList.channel)).scalars())


def build_summary(result: payouts_build.BuildResult, month, check: cycle.Completeness | None) -> str:
    """One Vietnamese sentence about a build: lists built, approved lists kept, and — counted by the same
    ``payout_cycle.completeness`` the page shows under «Kiểm tra đủ người», never by ``result.exclusions`` (which
    also names people not entitled that month, e.g. suspended or stopped, and people listed for back pay only) —
    the people entitled that month left off with a reason, and any still missing."""
    text = f"Đã lập {len(result.lists)} danh sách tháng {month:%m/%Y}"
    if result.skipped:
        text += f"; {len(result.skipped)} danh sách đã phê duyệt được giữ nguyên"
    if check is not None and check.excluded:
        text += f"; {len(check.excluded)} người không đưa vào danh sách có lý do (xem lý do bên dưới)"
    if check is not None and check.missing:
        text += f"; thiếu {len(check.missing)} người chưa có trong danh sách"
    return text + "."


def _month_page(month, form=None, result=None, status=200):
    """The month's page (or its ``month`` block for htmx): heading, forms, lists and who is left off (always the
    completeness check's ``left_off``, so the summary, the check and the list agree)."""
    lists = _month_lists(month)
    check = cycle.completeness(current_user, month) if lists else None
    exclusions = check.left_off if check else []
    waiting = Counter(reason for _, reason in exclusions)
    supplements = [(lst, waiting[payouts_lists.supplement_reason(lst)]) for lst in lists
                   if lst.sequence == 0 and lst.status_enum.frozen and waiting[payouts_lists.supplement_reason(lst)]]
    return render("district/index.html", block="month", month=month, lists=lists, exclusions=exclusions,
                  supplements=supplements,
                  stale=staleness_by_list(lists),
                  form=form or BuildForm(data={"month": f"{month:%Y-%m}"}), check=check,
                  deadlines=cycle.deadlines(month),
                  summary=build_summary(result, month, check) if result else None, status=status)


@bp.route("/")
def index():
    return _month_page(month_arg())


@bp.route("/chi-tra/lap", methods=["POST"])
def build():
    """Build the month's lists; htmx gets the month block (and the month's URL pushed), a plain form a redirect
    to the month's page with the summary flashed."""
    form = BuildForm()
    if not form.validate_on_submit():
        return _month_page(month_arg(), form, status=422)
    month = form.month_date
    result = payouts_build.build_lists(current_user, month)
    url = url_for("district.index", thang=f"{month:%Y-%m}")
    if wants_fragment():
        resp = _month_page(month, form, result)
        resp.headers["HX-Push-Url"] = url
        return resp
    flash(build_summary(result, month, cycle.completeness(current_user, month)), "ok")
    return redirect(url)


def _detail(lst, error=None, status=200, return_form=None):
    lines, page, pages = lines_page(lst)
    return render("district/list.html", block="lines", lst=lst, lines=lines, page=page, pages=pages,
                  notes=line_notes(lst, lines), totals=totals(lst), can_approve=may_approve(current_user, lst),
                  form=FlaskForm(),
                  error=error, events=events_for("payout_list", lst.id), status=status,
                  control=cycle.control_totals(lst), deadlines=cycle.deadlines(lst.month),
                  return_form=return_form or ReturnForm(), stale=staleness_by_list([lst]).get(lst.id))


@bp.route("/chi-tra/<int:list_id>")
def payout_list(list_id):
    return _detail(get_visible_or_404(PayoutList, list_id))


@bp.route("/chi-tra/<int:list_id>/phe-duyet", methods=["POST"])
def approve(list_id):
    return _act(list_id, workflow.approve_list, "Đã phê duyệt danh sách {lst}.")


def _act(list_id, action, done: str):
    """Run one state action (``action(current_user, lst)``) on a visible list; redirect with ``done`` flashed, or
    re-render the list page with the Vietnamese error (422; not allowed: the 403 page)."""
    lst = get_visible_or_404(PayoutList, list_id)
    on_refusal(lambda err: _detail(lst, str(err), 422))
    result = action(current_user, lst)
    flash(done.format(lst=payouts_lists.describe(lst)), "ok")
    return redirect(url_for("district.payout_list", list_id=getattr(result, "id", lst.id)))


@bp.route("/chi-tra/<int:list_id>/tra-lai", methods=["POST"])
def return_list(list_id):
    """The approver sends a confirmed list back for revision, with a reason."""
    form = ReturnForm()
    if not form.validate_on_submit():
        return _detail(get_visible_or_404(PayoutList, list_id), status=422, return_form=form)
    return _act(list_id, lambda u, lst: workflow.return_list(u, lst, form.reason.data),
                "Đã trả lại danh sách {lst} để sửa.")


@bp.route("/chi-tra/<int:list_id>/lap-lai", methods=["POST"])
def rebuild(list_id):
    """Rebuild one open list (and the other open lists of its commune and month) from the register: the action
    offered when the list is out of date (``payout_staleness``). A list left empty is deleted: back to the
    month's page then."""
    lst = get_visible_or_404(PayoutList, list_id)
    month = lst.month
    on_refusal(lambda err: _detail(lst, str(err), 422))
    result = payouts_build.rebuild_list(current_user, lst)
    flash(build_summary(result, month, cycle.completeness(current_user, month)), "ok")
    if db.session.get(PayoutList, list_id) is None:
        return redirect(url_for("district.index", thang=f"{month:%Y-%m}"))
    return redirect(url_for("district.payout_list", list_id=list_id))


@bp.route("/chi-tra/<int:list_id>/quyet-toan", methods=["POST"])
def settle(list_id):
    return _act(list_id, workflow.settle_list, "Đã quyết toán danh sách {lst}.")


@bp.route("/chi-tra/<int:list_id>/bo-sung", methods=["POST"])
def supplement(list_id):
    return _act(list_id, cycle.build_supplement, "Đã lập danh sách bổ sung cho danh sách {lst}.")


def _statements(month):
    offices = {lst.post_office for lst in _month_lists(month) if lst.post_office is not None}
    return [fee_statements.fee_statement(o, month) for o in sorted(offices, key=lambda o: o.id)]


@bp.route("/chi-phi")
def fees():
    """Fee statements (bảng tính chi phí chi trả) of the month for the post offices paying the district's lists."""
    month = month_arg()
    return render("district/fees.html", month=month, statements=_statements(month))


@bp.route("/chi-phi/<int:office_id>.xlsx")
def fees_xlsx(office_id):
    month = month_arg()
    statement = next((s for s in _statements(month) if s.post_office.id == office_id), None)
    if statement is None:
        abort(404, description="Không có bảng tính chi phí của bưu điện này trong tháng.")
    office = payouts_lists.file_slug(statement.post_office.name) or office_id
    return download(fee_statements.fee_statement_xlsx(statement), f"Chi-phi-chi-tra-{month:%Y-%m}-{office}.xlsx")

