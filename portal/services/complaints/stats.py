"""Complaint figures for the monthly report and the province's dashboard: by kind, received in the month, closed
(of those), still open, overdue today, and the average days to close. Read-only; one query."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from ...clock import today_vn
from ...extensions import db
from ...models import Complaint, ComplaintKind, ComplaintStatus


@dataclass
class KindRow:
    """One kind (``label`` Vietnamese; ``kind`` None on the total row): counts and ``days`` (sum of days to close of
    the ``closed`` ones)."""

    kind: str | None
    label: str
    received: int = 0
    closed: int = 0
    open: int = 0
    overdue: int = 0
    days: int = 0

    @property
    def average_days(self) -> str:
        """Average days to close, one decimal with a comma ("3,5"; "2" for 2,0), or "—" when none closed."""
        if not self.closed:
            return "—"
        text = f"{self.days / self.closed:.1f}".replace(".", ",")
        return text[:-2] if text.endswith(",0") else text


def complaint_counts(commune_codes, month: date, today: date | None = None) -> list[KindRow]:
    """Complaints received in ``month`` (first-of-month date) in the communes of ``commune_codes`` (a scalar select,
    or None for the whole province), one row per kind that has any, then the total row (``kind`` None). ``overdue``
    counts those not closed past their deadline on ``today`` (default: today in Vietnam)."""
    today = today or today_vn()
    month = month.replace(day=1)
    end = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    stmt = select(Complaint.kind, Complaint.status, Complaint.received_on, Complaint.closed_on, Complaint.due_on).where(
        Complaint.received_on >= month, Complaint.received_on < end)
    if commune_codes is not None:
        stmt = stmt.where(Complaint.commune_code.in_(commune_codes))
    rows = {k.value: KindRow(k.value, k.label) for k in ComplaintKind}
    total = KindRow(None, "Tổng cộng")
    for kind, status, received_on, closed_on, due_on in db.session.execute(stmt):
        for row in (rows.setdefault(kind, KindRow(kind, ComplaintKind.label_of(kind))), total):
            row.received += 1
            if status == ComplaintStatus.CLOSED.value:
                row.closed += 1
                row.days += (closed_on - received_on).days
            else:
                row.open += 1
                row.overdue += due_on < today
    return [r for r in rows.values() if r.received] + [total]


def overdue_count(commune_codes, today: date | None = None) -> int:
    """How many complaints in the communes of ``commune_codes`` (None: the whole province) are not closed past their
    deadline on ``today`` (default: today in Vietnam)."""
    stmt = select(func.count()).select_from(Complaint).where(
        Complaint.status != ComplaintStatus.CLOSED.value, Complaint.due_on < (today or today_vn()))
    if commune_codes is not None:
        stmt = stmt.where(Complaint.commune_code.in_(commune_codes))
    return db.session.execute(stmt).scalar_one()
