"""Last seen alive (lần cuối có bằng chứng còn sống): the latest date a signal proved a beneficiary alive, from what
the portal already records — no new step for the beneficiary:

* ``cash``: the allowance paid in cash to the person (at the payout point or at home), against a signature or
  thumbprint (Decree 20/2021 Art. 34.3); date = ``PayoutLine.paid_on``;
* ``account_check``: the bank answered "hoạt động" at the monthly account check (``AccountCheck``, Công văn
  5234/LĐTBXH-TT); date = the day recorded;
* ``police``: the commune police checked the person against the population database (``IdentityCheck`` matched or
  mismatched — not "đã chết", not "không tìm thấy"); date = ``checked_on``;
* ``visit``: a home visit the commune recorded (``HomeVisit``).

``unseen`` lists the active people of an area without any signal in the last ``months`` months (default
``LIFE_SIGNAL_MONTHS`` of the app config, 6): the commune visits them. Read-only but ``record_visit``.
"""
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import String, func, literal, select, union_all

from ... import access, areas
from ...clock import today_vn
from ...errors import AccessDenied, ValidationError
from ...extensions import db
from ...models import (
    AccountCheck,
    Beneficiary,
    HomeVisit,
    IdentityCheck,
    LineResult,
    ListChannel,
    PayoutLine,
    PayoutList,
    User,
)
from ..audit import record
from ..entitlement.months import add_months

KINDS = {"cash": "Nhận tiền mặt, ký/điểm chỉ", "account_check": "Kiểm tra tài khoản: hoạt động",
         "police": "Công an đối sánh dân cư", "visit": "Cán bộ xã đến thăm"}
DEFAULT_MONTHS = 6


@dataclass(frozen=True)
class Signal:
    """The latest signal of one person: ``on`` (date) and ``kind`` (key of ``KINDS``)."""

    on: date
    kind: str

    @property
    def label(self) -> str:
        """Vietnamese label of the kind."""
        return KINDS[self.kind]


def _signals():
    """``union_all`` of (beneficiary_id, day, kind) over the four sources."""
    cash = select(PayoutLine.beneficiary_id.label("bid"), PayoutLine.paid_on.label("day"),
                  literal("cash", String).label("kind")).join(PayoutList).where(
        PayoutLine.result == LineResult.PAID.value, PayoutLine.paid_on.is_not(None),
        PayoutLine.payee_name.is_(None), PayoutList.channel != ListChannel.ACCOUNT.value)
    check = select(AccountCheck.beneficiary_id, AccountCheck.answered_on,
                   literal("account_check", String)).where(AccountCheck.status == "active")
    police = select(IdentityCheck.beneficiary_id, IdentityCheck.checked_on, literal("police", String)).where(
        IdentityCheck.result.in_(("matched", "mismatched")), IdentityCheck.checked_on.is_not(None))
    visit = select(HomeVisit.beneficiary_id, HomeVisit.visited_on, literal("visit", String))
    return union_all(cash, check, police, visit).subquery()


def last_seen(beneficiary_ids, before: date | None = None) -> dict[int, Signal]:
    """beneficiary id → latest ``Signal`` (only signals before the day ``before`` when given), for
    ``beneficiary_ids`` (a list or a scalar select), in one query; people without any signal are absent."""
    s = _signals()
    latest = select(s.c.bid, func.max(s.c.day).label("day")).where(s.c.bid.in_(beneficiary_ids))
    if before is not None:
        latest = latest.where(s.c.day < before)
    latest = latest.group_by(s.c.bid).subquery()
    rows = db.session.execute(select(s.c.bid, s.c.day, s.c.kind).join(
        latest, (latest.c.bid == s.c.bid) & (latest.c.day == s.c.day)))
    order = list(KINDS)
    out: dict[int, Signal] = {}
    for bid, day, kind in rows:
        if bid not in out or order.index(kind) < order.index(out[bid].kind):
            out[bid] = Signal(day, kind)
    return out


def signal_months() -> int:
    """How many months without a signal put a person on the list: ``LIFE_SIGNAL_MONTHS`` (app config), default 6."""
    return int(current_app.config.get("LIFE_SIGNAL_MONTHS", DEFAULT_MONTHS))


@dataclass
class Unseen:
    """One person without a signal since ``since``: ``last`` their latest signal (None: never)."""

    beneficiary: Beneficiary
    last: Signal | None


def unseen(actor: User, month: date, months: int | None = None) -> list[Unseen]:
    """The active people of the actor's area (``areas.visible``), paid from before the window (``start_month``),
    without a signal from the first day of ``month`` minus ``months`` months (default ``signal_months()``) to the end
    of ``month``; longest unseen first. Raises ``AccessDenied`` for roles outside commune, payout office and
    province."""
    if not (access.checks_accounts(actor) or access.oversees(actor)) or access.opens_accounts(actor):
        raise AccessDenied("Chỉ xã, cơ quan quản lý chi trả và Sở xem danh sách này.")
    month = month.replace(day=1)
    since = add_months(month, -(months or signal_months()))
    people = areas.visible(Beneficiary, actor).where(
        Beneficiary.status == "active", Beneficiary.start_month < since)
    ids = people.with_only_columns(Beneficiary.id)
    s = _signals()
    end = add_months(month, 1)
    recent = select(s.c.bid).where(s.c.day >= since, s.c.day < end)
    rows = list(db.session.execute(people.where(~Beneficiary.id.in_(recent), Beneficiary.id.in_(ids)).order_by(
        Beneficiary.commune_code, Beneficiary.name_sort)).scalars())
    last = last_seen([b.id for b in rows], before=end) if rows else {}
    out = [Unseen(b, last.get(b.id)) for b in rows]
    return sorted(out, key=lambda u: u.last.on if u.last else date.min)


def record_visit(actor: User, beneficiary: Beneficiary, visited_on: date, note: str = "") -> HomeVisit:
    """Record a home visit (the commune saw the person). ``visited_on``: not in the future, not before the person's
    start; ``note`` up to 300 characters. Raises ``AccessDenied`` unless the actor is the person's commune
    (``access.is_commune_of``), ``ValidationError``. Flushes."""
    if not access.is_commune_of(actor, beneficiary.commune_code):
        raise AccessDenied("Chỉ UBND xã nơi đối tượng cư trú ghi lần đến thăm.")
    if visited_on is None or visited_on > today_vn():
        raise ValidationError("Ngày thăm không hợp lệ (trống hoặc ở tương lai).")
    note = " ".join((note or "").split())
    if len(note) > 300:
        raise ValidationError("Ghi chú quá dài (tối đa 300 ký tự).")
    visit = HomeVisit(beneficiary_id=beneficiary.id, commune_code=beneficiary.commune_code, visited_on=visited_on,
                      note=note or None, recorded_by_id=actor.id)
    db.session.add(visit)
    record(actor, "home_visit", "beneficiary", beneficiary.id,
           f"Ghi lần đến thăm {beneficiary.full_name} ngày {visited_on:%d/%m/%Y}.")
    db.session.flush()
    return visit
