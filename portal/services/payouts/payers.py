"""Which commune pays a person in a given month (xã chi trả theo tháng): from the accepted moves (chuyển đi / chuyển
đến; Decree 20/2021 Art. 8.3–8.4: the old place pays up to the month in its stop decision, the new place from the
month after), so completeness, supplements and carry-over expect a mover on exactly one commune's list each month.
Read-only."""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import false, select, true

from ...extensions import db
from ...models import Beneficiary, EventKind, EventStatus, RegistryEvent, UnitTransfer
from ..registry.events import paying_commune


@dataclass
class MonthPayers:
    """Who pays whom for ``month`` (first of month) where it is not the register commune: ``moved`` beneficiary id
    → code of the commune paying that month, for the people whose accepted move (chuyển đi) makes it differ from
    ``Beneficiary.commune_code`` (a move effective after the month: the old commune still pays it; a move not
    received yet by its destination); ``waiting`` beneficiary id → that accepted ``move_out`` in force in the month
    whose destination has not received the person yet; ``transferred`` beneficiary id → the old commune that pays
    a month before the reform of administrative units moved the person (``UnitTransfer``; only filled for months
    before a reform). Everyone else is paid by the commune of their register row."""

    month: date
    moved: dict = field(default_factory=dict)
    waiting: dict = field(default_factory=dict)
    transferred: dict = field(default_factory=dict)

    def of(self, b: Beneficiary) -> str:
        """Code of the commune paying ``b`` for the month."""
        return self.moved.get(b.id) or self.transferred.get(b.id, b.commune_code)

    def condition(self, codes):
        """SQL condition on ``Beneficiary``: paid for the month by one of ``codes`` (a set of commune codes; None =
        anywhere)."""
        if codes is None:
            return true()
        codes = set(codes)
        if not codes:
            return false()
        here = [i for i, c in self.moved.items() if c in codes]
        away = [i for i, c in self.moved.items() if c not in codes]
        stays = Beneficiary.commune_code.in_(codes)
        if away:
            stays = stays & Beneficiary.id.not_in(away)
        if self.transferred:  # before the reform: the old commune pays (subqueries, not 150.000 ids)
            later = UnitTransfer.effective_month > self.month
            stays = stays & Beneficiary.id.not_in(select(UnitTransfer.beneficiary_id).where(later))
            old_here = Beneficiary.id.in_(select(UnitTransfer.beneficiary_id).where(
                later, UnitTransfer.old_commune_code.in_(codes)))
            stays = stays | ((old_here & Beneficiary.id.not_in(away)) if away else old_here)
        return (stays | Beneficiary.id.in_(here)) if here else stays


def _payer(b: Beneficiary, month: date, events: list) -> str:
    """``registry.events.paying_commune``; a move-out without its destination in ``details`` (rows written by
    hand) falls back to its accepted move-in."""
    try:
        return paying_commune(b, month, events)
    except (KeyError, TypeError):
        ins = [e for e in events if e.kind == EventKind.MOVE_IN and e.effective_month <= month]
        later = [e for e in events if e.kind == EventKind.MOVE_OUT and e.effective_month > month]
        return ins[-1].commune_code if ins else (later[0].commune_code if later else b.commune_code)


def movers(month: date | None = None):
    """Scalar select of the ids of beneficiaries with an accepted move-out; with ``month``, only those whose
    paying commune of ``month`` may differ from their register commune: a move-out effective after ``month``, or
    one whose move-in the destination has not accepted yet."""
    out = (RegistryEvent.kind == EventKind.MOVE_OUT.value) & (RegistryEvent.status == EventStatus.ACCEPTED.value)
    if month is not None:
        received = select(RegistryEvent.id).where(RegistryEvent.kind == EventKind.MOVE_IN.value,
                                                  RegistryEvent.status == EventStatus.ACCEPTED.value)
        out = out & ((RegistryEvent.effective_month > month) | RegistryEvent.linked_event_id.is_(None)
                     | RegistryEvent.linked_event_id.not_in(received))
    return select(RegistryEvent.beneficiary_id).where(out)


def month_payers(month: date, ids=None) -> MonthPayers:
    """The paying commune of ``month`` (first of month) of the people whose accepted moves make it differ from
    their register commune (or only of those among ``ids``, an iterable of beneficiary ids), and, for a month before
    a reform of administrative units, of the people it moved (their old commune). Two queries, over the few people
    whose move straddles the month (the register's 150.000 people are loaded only for a month before the reform,
    which is rebuilt rarely). Read-only."""
    month = month.replace(day=1)
    who = movers(month)
    if ids is not None:
        who = who.where(RegistryEvent.beneficiary_id.in_(list(ids)))
    events: dict[int, list] = {}
    people: dict[int, Beneficiary] = {}
    for ev, b in db.session.execute(
            select(RegistryEvent, Beneficiary).join(Beneficiary, Beneficiary.id == RegistryEvent.beneficiary_id)
            .where(RegistryEvent.beneficiary_id.in_(who), RegistryEvent.status == EventStatus.ACCEPTED.value,
                   RegistryEvent.kind.in_([EventKind.MOVE_OUT.value, EventKind.MOVE_IN.value]))
            .order_by(RegistryEvent.effective_month, RegistryEvent.id)):
        events.setdefault(b.id, []).append(ev)
        people[b.id] = b
    out = MonthPayers(month)
    for bid, evs in events.items():
        payer = _payer(people[bid], month, evs)
        if payer != people[bid].commune_code:
            out.moved[bid] = payer
        received = {e.linked_event_id for e in evs if e.kind == EventKind.MOVE_IN}
        current = [e for e in evs if e.kind == EventKind.MOVE_OUT and e.effective_month <= month]
        if current and current[-1].id not in received:
            out.waiting[bid] = current[-1]
    transfers = select(UnitTransfer.beneficiary_id, UnitTransfer.old_commune_code).where(
        UnitTransfer.effective_month > month)
    if ids is not None:
        transfers = transfers.where(UnitTransfer.beneficiary_id.in_(list(ids)))
    out.transferred = dict(db.session.execute(transfers).all())
    return out
