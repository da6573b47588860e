"""Monthly progress report on cashless payment (báo cáo tiến độ chi trả không dùng tiền mặt), plan §V.7: due
before the 30th of each month, commune → district labour office, district → province department, province
aggregate → provincial People's Committee and the ministry. Contents (reference §2.5): beneficiaries by category and
by chosen channel, accounts opened by bank (``accounts.funnel.monthly_funnel``), people and money paid by channel,
share paid by account, failed payments and their reasons, and the reporter's free text (difficulties, proposals).

``build_report(actor, month)`` → ``MonthlyReport`` (plain data; money int đồng; shares as "82,5" strings);
``report_workbook(report)`` → .xlsx bytes; ``save_notes`` stores the free text; ``issue_report`` issues the PDF
(``NN/BC-UBND`` for a commune, ``NN/BC-LĐTBXH`` for a district, ``NN/BC-SLĐTBXH`` for the province; printed by
``documents.printing.print_report``).
Privacy: no person appears; the sensitive (HIV) categories are folded into one line in every report whose
recipient may not see them (``access.may_see``: only the commune and the payout office may) — the province's own
report, a district office's report to the department, a commune's report to Sở Y tế in the two-tier set-up
(``recipient_may_see_sensitive``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from io import BytesIO

from sqlalchemy import and_, case, func, or_, select

from ...access import SEE_RULES
from ...areas import area_commune_codes
from ...errors import AccessDenied, StateError, ValidationError
from ...extensions import db
from ...models import (
    AdministrativeUnit,
    Beneficiary,
    Category,
    DocumentKind,
    Duty,
    IssuedDocument,
    LineResult,
    ListChannel,
    MonthlyReportNote,
    Organization,
    OrgKind,
    PaymentChannel,
    PayoutLine,
    PayoutList,
    Programme,
    User,
)
from .. import audit
from ..accounts.funnel import monthly_funnel
from ..complaints.stats import complaint_counts
from ..documents import issuing
from ..documents.issuing import month_key
from ..documents.printing import print_report
from ..entitlement.pension import PENSION_ONLY_CATEGORY, replaced_since
from ..entitlement.rates import RateBook
from ..organizations import serving_organization
from ..payouts.reasons import classify_reason, failure_label
from ..registry.events import active_in_month

LEVELS = {OrgKind.COMMUNE: "commune", OrgKind.DISTRICT: "district", OrgKind.PROVINCE: "province"}
SENSITIVE_FOLDED = "Nhóm đối tượng được bảo mật thông tin"
ACCOUNT_LIST_CHANNELS = (ListChannel.ACCOUNT.value,)


@dataclass
class AreaRow:
    """One commune (district report; province report on the 2025 tree, where communes sit under the province) or
    district (province report on the 2024 tree): people, chose an account, accounts opened, paid by account
    (people, đồng), paid in cash (people, đồng), failed (people)."""

    code: str
    name: str
    registered: int = 0
    chose_account: int = 0
    account_opened: int = 0
    paid_account_people: int = 0
    paid_account_amount: int = 0
    paid_cash_people: int = 0
    paid_cash_amount: int = 0
    failed: int = 0


@dataclass
class MonthlyReport:
    """The report of ``organization`` for ``month``. ``level``: commune | district | province. Lists of tuples:
    ``by_category`` (code, name, people), ``by_channel`` (label, people), ``accounts_by_bank`` (bank, people),
    ``paid_by_channel`` (label, people, đồng), ``failures`` (reason label of ``payouts.reasons.FAILURE_REASONS``,
    people, đồng; most people first), ``by_programme`` (programme label, people listed, đồng listed, people paid,
    đồng paid; social assistance then the social pension, Decree 176/2025). ``rows``: AreaRow per commune or
    district (empty for a commune report).

    Counts of people, each labelled for what it counts: ``registered`` is what the by-category table adds up to —
    the people on the month's lists (distinct beneficiaries with an allowance line of the month, ``from_lists``)
    once a list of the month is built, else the register; ``back_pay_only``: of those on the lists, people whose
    line pays only months before (nothing for the month itself); ``in_register``: beneficiaries active in the month
    whose allowance started by then (what ``by_channel`` adds up to, the funnel's "Đang hưởng").
    ``folds_sensitive``: the HIV categories are folded into one line (``SENSITIVE_FOLDED``) because the recipient
    may not see them."""

    organization: object
    month: date
    level: str
    registered: int = 0
    from_lists: bool = False
    back_pay_only: int = 0
    in_register: int = 0
    folds_sensitive: bool = True
    by_category: list = field(default_factory=list)
    by_channel: list = field(default_factory=list)
    accounts_opened: int = 0
    accounts_by_bank: list = field(default_factory=list)
    paid_by_channel: list = field(default_factory=list)
    failures: list = field(default_factory=list)
    by_programme: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    difficulties: str = ""
    proposals: str = ""
    #: complaints received in the month by kind, then the total (``complaints.stats.KindRow``: received, closed,
    #: open, overdue, average days to close)
    complaints: list = field(default_factory=list)

    @property
    def paid_people(self) -> int:
        return sum(p for _, p, _ in self.paid_by_channel)

    @property
    def paid_amount(self) -> int:
        return sum(a for _, _, a in self.paid_by_channel)

    @property
    def paid_account_amount(self) -> int:
        return sum(a for label, _, a in self.paid_by_channel if label == ListChannel.ACCOUNT.label)

    @property
    def paid_account_people(self) -> int:
        return sum(p for label, p, _ in self.paid_by_channel if label == ListChannel.ACCOUNT.label)

    @property
    def share_amount_by_account(self) -> str:
        """Share of the money paid that went to accounts, percent with a decimal comma ("82,5"); "0" when nothing
        was paid."""
        return _pct(self.paid_account_amount, self.paid_amount)

    @property
    def share_people_by_account(self) -> str:
        """Share of the people paid who were paid to an account, percent ("82,5")."""
        return _pct(self.paid_account_people, self.paid_people)

    @property
    def failed_people(self) -> int:
        return sum(n for _, n, _ in self.failures)

    @property
    def due_date(self) -> date:
        """Deadline: the 30th of the month (28/29 in February is read as the last day), plan §V.7."""
        import calendar
        return self.month.replace(day=min(30, calendar.monthrange(self.month.year, self.month.month)[1]))


def _pct(part: int, whole: int) -> str:
    if not whole:
        return "0"
    tenths = (part * 1000 + whole // 2) // whole
    return f"{tenths // 10},{tenths % 10}" if tenths % 10 else str(tenths // 10)


def level_of(actor: User) -> str:
    """commune | district | province; raises ``AccessDenied`` for other organisations."""
    level = LEVELS.get(actor.organization.kind)
    if level is None:
        raise AccessDenied("Chỉ xã, phòng Lao động - Thương binh và Xã hội và Sở lập báo cáo này.")
    return level


def recipient_may_see_sensitive(org: Organization) -> bool:
    """True when the organisation ``org``'s monthly report is sent to may see the sensitive (HIV) categories
    (``access.SEE_RULES["sensitive_category"]``: a commune or a payout office). The recipient is, by data, the body
    holding ``report_receiving`` for the unit above ``org``'s (Sở Y tế for a 2025 commune), else, in the 2024 tree, the
    district office above a commune; a district office or the province reports to the department, the ministry and
    the provincial committee, which may not. Recipients named as text (``Organization.report_recipients``) are
    outside the portal: False."""
    if org.kind != OrgKind.COMMUNE or org.report_recipients or org.unit is None or not org.unit.parent_code:
        return False
    parent = org.unit.parent_code
    receiver = serving_organization(parent, Duty.REPORT_RECEIVING)
    if receiver is None:  # the 2024 three tiers: the labour office of the district
        receiver = db.session.execute(select(Organization).where(
            Organization.kind == OrgKind.DISTRICT, Organization.unit_code == parent).limit(1)).scalar_one_or_none()
    return receiver is not None and bool(receiver.duty_set & {d.value for d in SEE_RULES["sensitive_category"]})


def build_report(actor: User, month: date) -> MonthlyReport:
    """The report of the actor's organisation for ``month`` (first-of-month date), over its area
    (``areas.area_commune_codes``). Read-only; a dozen grouped queries whatever the area's size."""
    level = level_of(actor)
    month = month.replace(day=1)
    area = area_commune_codes(actor)
    rep = MonthlyReport(actor.organization, month, level)
    rep.folds_sensitive = not recipient_may_see_sensitive(actor.organization)
    people = select(Beneficiary.id).where(active_in_month(month), Beneficiary.start_month <= month)
    if area is not None:
        people = people.where(Beneficiary.commune_code.in_(area))
    listed, rep.back_pay_only = _listed_people(month, area)
    rep.from_lists = bool(listed)
    if listed:  # the month's lists are built: the people receiving payment are those on its lines
        rep.by_category = _fold(listed, fold_sensitive=rep.folds_sensitive)
    else:  # no list of the month yet (a month ahead): the register as it stands for that month
        rep.by_category = _by_category(people, month, fold_sensitive=rep.folds_sensitive)
    rep.registered = sum(n for *_, n in rep.by_category)
    chans = dict(db.session.execute(select(Beneficiary.payment_channel, func.count()).where(Beneficiary.id.in_(people))
                                    .group_by(Beneficiary.payment_channel)).all())
    rep.by_channel = [(c.label, int(chans.get(c.value, 0))) for c in PaymentChannel]
    rep.in_register = sum(n for _, n in rep.by_channel)
    funnel = monthly_funnel(month, area)
    rep.accounts_opened = funnel.total.account_opened
    rep.accounts_by_bank = [(b.name, b.account_opened) for b in funnel.total.banks]
    rep.paid_by_channel, rep.failures = _payments(month, area)
    rep.complaints = complaint_counts(area, month)
    rep.by_programme = _by_programme(month, area)
    if level != "commune":
        rep.rows = _area_rows(level, month, area, funnel, listed)
    note = db.session.execute(select(MonthlyReportNote).where(
        MonthlyReportNote.organization_id == actor.organization_id, MonthlyReportNote.month == month)
    ).scalar_one_or_none()
    if note is not None:
        rep.difficulties, rep.proposals = note.difficulties, note.proposals
    return rep


def _listed_people(month: date, area) -> tuple[dict[tuple[str, str], int], int]:
    """``(people, back_pay_only)``: people on the lists of ``month`` per (commune of the list, category) — distinct
    beneficiaries with an allowance line of that month (one per person and month, whichever programme pays it), in
    ``area`` (None = the province); the category is the one printed on the line, except on a ``social_pension``
    list, where every person counts under ``PENSION_ONLY_CATEGORY`` (HTXH, Decree 176/2025) whatever their old code
    (K5b/K5c). ``back_pay_only``: of them, people whose line pays nothing for the month itself (regular amount 0:
    only months before, e.g. a child past the age limit). One grouped query; empty when no list of the month is
    built there."""
    people = func.count(func.distinct(PayoutLine.beneficiary_id))
    back_pay_only = func.count(func.distinct(case((PayoutLine.regular_amount == 0, PayoutLine.beneficiary_id))))
    stmt = (select(PayoutList.commune_code, PayoutList.programme, PayoutLine.category_code, people, back_pay_only)
            .join(PayoutList, PayoutList.id == PayoutLine.payout_list_id)
            .where(PayoutLine.month == month, PayoutLine.programme == "tcxh")
            .group_by(PayoutList.commune_code, PayoutList.programme, PayoutLine.category_code))
    if area is not None:
        stmt = stmt.where(PayoutList.commune_code.in_(area))
    listed: dict[tuple[str, str], int] = {}
    back_pay = 0
    for code, programme, category, n, only_back_pay in db.session.execute(stmt):
        key = (code, PENSION_ONLY_CATEGORY if programme == Programme.SOCIAL_PENSION.value else category)
        listed[key] = listed.get(key, 0) + int(n)
        back_pay += int(only_back_pay)
    return listed, back_pay


def _fold(listed: dict, fold_sensitive: bool) -> list[tuple[str, str, int]]:
    """``listed`` ((commune, category) → people) as (code, name, people) per category (HTXH last); with
    ``fold_sensitive`` the sensitive (HIV) categories are folded into one line (``SENSITIVE_FOLDED``)."""
    per_category: dict[str, int] = {}
    for (_, cat), n in listed.items():
        per_category[cat] = per_category.get(cat, 0) + n
    cats = {c.code: c for c in db.session.execute(select(Category).where(Category.code.in_(per_category))).scalars()}
    rows, folded = [], 0
    for code in sorted(per_category, key=lambda c: (c == PENSION_ONLY_CATEGORY, c)):  # HTXH last
        cat = cats.get(code)
        if cat is not None and cat.sensitive and fold_sensitive:
            folded += per_category[code]
        else:
            rows.append((code, cat.name if cat else code, per_category[code]))
    return rows + ([("—", SENSITIVE_FOLDED, folded)] if folded else [])


def _by_category(people, month: date, fold_sensitive: bool) -> list[tuple[str, str, int]]:
    """(code, name, people) per category of the beneficiaries ``people`` (a select of ids) in ``month``; K5b/K5c
    count under ``PENSION_ONLY_CATEGORY`` (HTXH) from the month the social pension replaced them
    (``pension.replaced_since``); with ``fold_sensitive`` the sensitive (HIV) categories are folded into one
    line."""
    counts = db.session.execute(select(Beneficiary.category_code, func.count(Beneficiary.id))
                                .where(Beneficiary.id.in_(people)).group_by(Beneficiary.category_code)).all()
    book = RateBook.load()
    listed: dict[tuple[str, str], int] = {}
    for code, n in counts:
        key = ("", PENSION_ONLY_CATEGORY if replaced_since(book, code, month) else code)
        listed[key] = listed.get(key, 0) + int(n)
    return _fold(listed, fold_sensitive)


def _payments(month: date, area) -> tuple[list, list]:
    """``(paid_by_channel, failures)`` of the month's lines in ``area`` (None = the province): (label, people, đồng)
    per list channel, and (reason label, people, đồng) per failure reason, most people first. One grouped query."""
    lines = (select(PayoutList.channel, PayoutLine.result, PayoutLine.result_reason_code,
                    case((PayoutLine.result_reason_code.is_(None), PayoutLine.result_reason), else_=None),
                    func.count(PayoutLine.id), func.coalesce(func.sum(PayoutLine.total), 0))
             .join(PayoutList, PayoutList.id == PayoutLine.payout_list_id).where(PayoutLine.month == month))
    if area is not None:
        lines = lines.where(PayoutList.commune_code.in_(area))
    lines = lines.group_by(*lines.selected_columns[:4])
    paid: dict[str, list[int]] = {c.value: [0, 0] for c in ListChannel}
    failures: dict[str, list[int]] = {}
    for channel, result, code, old_text, n, amount in db.session.execute(lines):
        if result == LineResult.PAID.value:
            paid[channel][0] += int(n)
            paid[channel][1] += int(amount)
        elif result == LineResult.FAILED.value:
            # failures by reason: the label of the closed list (payouts.reasons.FAILURE_REASONS); a result recorded
            # before the list (code None) is put under the label its free text maps to
            key = failure_label(code or classify_reason(old_text)[0]) or "Không rõ lý do"
            failures.setdefault(key, [0, 0])
            failures[key][0] += int(n)
            failures[key][1] += int(amount)
    return ([(ListChannel(c).label, p, a) for c, (p, a) in paid.items()],
            sorted(((r, p, a) for r, (p, a) in failures.items()), key=lambda t: (-t[1], t[0])))


def _by_programme(month: date, area) -> list[tuple[str, int, int, int, int]]:
    """(programme label, people listed, đồng listed, people paid, đồng paid) of the month's lines in ``area`` (None =
    the province) per ``Programme``; people are distinct beneficiaries (a care line to the carer adds no one). One
    grouped query."""
    stmt = (select(PayoutList.programme, PayoutLine.result, func.count(func.distinct(PayoutLine.beneficiary_id)),
                   func.coalesce(func.sum(PayoutLine.total), 0))
            .join(PayoutList, PayoutList.id == PayoutLine.payout_list_id)
            .where(PayoutLine.month == month, PayoutLine.programme != "care")
            .group_by(PayoutList.programme, PayoutLine.result))
    if area is not None:
        stmt = stmt.where(PayoutList.commune_code.in_(area))
    sums = {p.value: [0, 0, 0, 0] for p in Programme}
    for programme, result, n, amount in db.session.execute(stmt):
        row = sums.setdefault(programme, [0, 0, 0, 0])
        row[0], row[1] = row[0] + int(n), row[1] + int(amount)
        if result == LineResult.PAID.value:
            row[2], row[3] = row[2] + int(n), row[3] + int(amount)
    return [(Programme.label_of(p), *values) for p, values in sums.items()]


def _area_rows(level, month, area, funnel, listed=None) -> list[AreaRow]:
    """Per commune (district report), per district (province report on the 2024 tree) or per commune (province
    report on the 2025 tree: a commune whose parent is the province is its own row); ``registered`` from the month's
    lines (``listed``, see ``_listed_people``) when the month's lists are built, else from the register."""
    units = {u.code: u for u in db.session.execute(select(AdministrativeUnit)).scalars()}

    def key(commune_code):
        unit = units.get(commune_code)
        if level == "district" or unit is None or not unit.parent_code:
            return commune_code
        parent = units.get(unit.parent_code)
        return unit.parent_code if parent is not None and parent.level == "district" else commune_code

    rows: dict[str, AreaRow] = {}

    def row(commune_code):
        k = key(commune_code)
        if k not in rows:
            rows[k] = AreaRow(k, units[k].name if k in units else k)
        return rows[k]

    for cf in funnel.communes:
        r = row(cf.code)
        r.registered += 0 if listed else cf.registered
        r.chose_account += cf.chose_account
        r.account_opened += cf.account_opened
    stmt = (select(PayoutList.commune_code, PayoutList.channel, PayoutLine.result, func.count(PayoutLine.id),
                   func.coalesce(func.sum(PayoutLine.total), 0))
            .join(PayoutList, PayoutList.id == PayoutLine.payout_list_id).where(PayoutLine.month == month)
            .group_by(PayoutList.commune_code, PayoutList.channel, PayoutLine.result))
    if area is not None:
        stmt = stmt.where(PayoutList.commune_code.in_(area))
    for (code, _), n in (listed or {}).items():
        row(code).registered += n
    for code, channel, result, n, amount in db.session.execute(stmt):
        r = row(code)
        if result == LineResult.PAID.value and channel in ACCOUNT_LIST_CHANNELS:
            r.paid_account_people += int(n)
            r.paid_account_amount += int(amount)
        elif result == LineResult.PAID.value:
            r.paid_cash_people += int(n)
            r.paid_cash_amount += int(amount)
        elif result == LineResult.FAILED.value:
            r.failed += int(n)
    return [rows[k] for k in sorted(rows)]


def save_notes(actor: User, month: date, difficulties: str, proposals: str) -> MonthlyReportNote:
    """Store the reporter's free text for ``month`` (each ≤ 4000 characters). Flushes; audit ``report_notes``."""
    level_of(actor)
    difficulties, proposals = (difficulties or "").strip(), (proposals or "").strip()
    if len(difficulties) > 4000 or len(proposals) > 4000:
        raise ValidationError("Mỗi phần tối đa 4.000 ký tự.")
    month = month.replace(day=1)
    note = db.session.execute(select(MonthlyReportNote).where(
        MonthlyReportNote.organization_id == actor.organization_id, MonthlyReportNote.month == month)
    ).scalar_one_or_none()
    if note is None:
        note = MonthlyReportNote(organization_id=actor.organization_id, month=month)
        db.session.add(note)
    note.difficulties, note.proposals, note.updated_by_id = difficulties, proposals, actor.id
    db.session.flush()
    audit.record(actor, "report_notes", "monthly_report_note", note.id,
                 f"Cập nhật khó khăn, đề xuất báo cáo tháng {month:%m/%Y}")
    return note


def issued_reports(org_id: int, month: date) -> list:
    """``IssuedDocument`` rows of the monthly report of organisation ``org_id`` for ``month``, newest first."""
    month = month.replace(day=1)
    return list(db.session.execute(select(IssuedDocument).where(
        IssuedDocument.organization_id == org_id, IssuedDocument.kind == DocumentKind.MONTHLY_REPORT.value,
        IssuedDocument.subject_type == "monthly_report", IssuedDocument.subject_id == month_key(month))
        .order_by(IssuedDocument.id.desc())).scalars())


def issue_report(actor: User, month: date, issued_on: date | None = None, *, replace: bool = False):
    """Issue the month's report as a numbered, stored, signed PDF; returns the ``IssuedDocument`` (``subject_id``:
    :func:`~portal.services.documents.issuing.month_key`). A month has one report: when one was already issued,
    raises ``StateError`` naming it unless ``replace`` — then the new report corrects it (``corrects_id``) and
    prints "Báo cáo này thay thế báo cáo số 01/BC-UBND ngày 05/08/2024"."""
    rep = build_report(actor, month)
    earlier = issued_reports(actor.organization_id, rep.month)
    previous = earlier[0] if earlier else None
    replaces = f"{previous.number_text} ngày {previous.issued_on:%d/%m/%Y}" if previous else ""
    if previous is not None and not replace:
        raise StateError(f"Báo cáo tháng {rep.month:%m/%Y} đã ban hành: số {replaces}. Ban hành lại sẽ thay thế "
                         "báo cáo đó — đánh dấu «Thay thế báo cáo đã ban hành» rồi bấm ban hành.")
    return issuing.issue(actor, actor.organization, DocumentKind.MONTHLY_REPORT,
                         f"Báo cáo tiến độ chi trả không dùng tiền mặt tháng {rep.month:%m/%Y}"
                         + (f" (thay thế báo cáo số {previous.number_text})" if previous else ""),
                         lambda stamp: print_report(rep, stamp, issued_on, replaces=replaces), issued_on=issued_on,
                         subject_type="monthly_report", subject_id=month_key(rep.month), corrects=previous,
                         filename=f"bao-cao-chi-tra-khong-tien-mat-{rep.month:%Y-%m}.pdf")


def received_reports(actor: User, month: date) -> list:
    """The monthly reports for ``month`` the actor's organisation received (báo cáo đã nhận): for the province, those
    of the district offices (and of the communes reporting to it directly in the two-tier set-up); for a district
    office, those of its communes — each ``IssuedDocument`` with its ``organization``, newest first, replaced ones
    included (their replacement names them). Raises ``AccessDenied`` for a commune (it receives none)."""
    level = level_of(actor)
    if level == "commune":
        raise AccessDenied("Xã, phường không nhận báo cáo tháng của đơn vị khác.")
    if level == "province":
        senders = or_(Organization.kind == OrgKind.DISTRICT, and_(
            Organization.kind == OrgKind.COMMUNE, Organization.duties.contains(Duty.PAYOUT_MANAGEMENT.value)))
    else:
        senders = Organization.kind == OrgKind.COMMUNE
    area = area_commune_codes(actor)
    query = (select(IssuedDocument).join(Organization, Organization.id == IssuedDocument.organization_id)
             .where(IssuedDocument.kind == DocumentKind.MONTHLY_REPORT.value,
                    IssuedDocument.subject_type == "monthly_report",
                    IssuedDocument.subject_id == month_key(month.replace(day=1)),
                    senders)
             .order_by(Organization.name, IssuedDocument.id.desc()))
    if level == "district" and area is not None:
        query = query.where(Organization.unit_code.in_(area))
    return list(db.session.execute(query).scalars())


def registered_label(rep: MonthlyReport) -> str:
    """What ``rep.registered`` counts, as printed: "Người trong danh sách chi trả tháng 12/2026" once the month's
    lists are built, else "Đối tượng đang hưởng (chưa lập danh sách tháng 12/2026)"."""
    if rep.from_lists:
        return f"Người trong danh sách chi trả tháng {rep.month:%m/%Y}"
    return f"Đối tượng đang hưởng (chưa lập danh sách tháng {rep.month:%m/%Y})"


def report_workbook(rep: MonthlyReport) -> bytes:
    """The report as .xlsx: one sheet per section (Tổng hợp, Theo diện, Tài khoản theo ngân hàng, Chi trả,
    Không chi được, Phản ánh, and Theo địa bàn for district/province). Money cells are integers (#,##0)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    bold = Font(bold=True)

    def sheet(title, headers, rows, first=False):
        ws = wb.active if first else wb.create_sheet()
        ws.title = title
        ws.append([f"{rep.organization.name} - Báo cáo tiến độ chi trả không dùng tiền mặt tháng {rep.month:%m/%Y}"])
        ws["A1"].font = bold
        ws.append([])
        ws.append(headers)
        for cell in ws[3]:
            cell.font = bold
        for r in rows:
            ws.append([str(v) if isinstance(v, str) else v for v in r])
        for row in ws.iter_rows(min_row=4):
            for cell in row:
                if isinstance(cell.value, int):
                    cell.number_format = "#,##0"
                elif isinstance(cell.value, str):
                    cell.data_type = "s"  # typed text is never a formula (pitfall 8)
        ws.column_dimensions["A"].width = 42
        return ws

    sheet("Tổng hợp", ["Chỉ tiêu", "Giá trị"], [
        (registered_label(rep), rep.registered),
        ("  trong đó chỉ nhận truy lĩnh các tháng trước", rep.back_pay_only),
        ("Đối tượng đang hưởng theo hồ sơ (theo hình thức đăng ký)", rep.in_register),
        ("Đã mở tài khoản", rep.accounts_opened),
        ("Số người đã chi trả", rep.paid_people), ("Số tiền đã chi trả (đồng)", rep.paid_amount),
        ("Tỷ lệ số tiền chi qua tài khoản (%)", rep.share_amount_by_account),
        ("Tỷ lệ số người nhận qua tài khoản (%)", rep.share_people_by_account),
        ("Không chi được (người)", rep.failed_people),
        ("Khó khăn, vướng mắc", rep.difficulties), ("Đề xuất, kiến nghị", rep.proposals)], first=True)
    sheet("Theo diện", ["Mã diện", "Diện đối tượng", "Số người"], rep.by_category)
    sheet("Hình thức", ["Hình thức đăng ký", "Số người"], rep.by_channel)
    sheet("Tài khoản theo ngân hàng", ["Ngân hàng", "Số người đã mở tài khoản"], rep.accounts_by_bank)
    sheet("Chi trả", ["Hình thức chi trả", "Số người đã chi", "Số tiền (đồng)"], rep.paid_by_channel)
    sheet("Không chi được", ["Lý do", "Số người", "Số tiền (đồng)"], rep.failures)
    sheet("Phản ánh", ["Loại phản ánh", "Tiếp nhận", "Đã đóng", "Đang xử lý", "Quá hạn", "Số ngày xử lý bình quân"],
          [(r.label, r.received, r.closed, r.open, r.overdue, r.average_days) for r in rep.complaints])
    sheet("Theo chương trình", ["Chương trình", "Số người trong danh sách", "Số tiền trong danh sách (đồng)",
                                "Số người đã chi", "Số tiền đã chi (đồng)"], rep.by_programme)
    if rep.rows:
        people = "Trong danh sách" if rep.from_lists else "Đang hưởng"
        sheet("Theo địa bàn", ["Địa bàn", people, "Chọn tài khoản", "Đã mở tài khoản", "Chi qua TK (người)",
                               "Chi qua TK (đồng)", "Tiền mặt (người)", "Tiền mặt (đồng)", "Không chi được"],
              [(r.name, r.registered, r.chose_account, r.account_opened, r.paid_account_people,
                r.paid_account_amount, r.paid_cash_people, r.paid_cash_amount, r.failed) for r in rep.rows])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
