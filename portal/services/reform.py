"""The reform of administrative units as one operation (sắp xếp đơn vị hành chính, Law 72/2025/QH15, Resolution
202/2025/QH15; in force 1/7/2025): every beneficiary of an old commune is moved to its new commune by the official
mapping (``UnitSuccession``) — accounts, authorizations and unpaid carry-over follow the person; open changes
(with their change submission), identity checks pending at the police, payout-point sessions from the reform month,
hamlets and bank coverage follow the commune; the competence rules in force on the reform day give the new bodies
their duties (``organizations.apply_competence``). Where an old commune was split, its people wait on the new
communes' worklist (``unplaced``) and are placed (``place``) before their first list (``build_lists`` refuses
while some wait).

A move is a ``UnitTransfer`` row: months before the reform stay with the old commune (``payouts.payers``), payout
lines already written keep their list's commune. Set-based: one INSERT … SELECT of the moves, one UPDATE of the
register and one of the open changes for all communes (goal ≤ 60 s for 150.000 people). Idempotent: a second run
finds nothing left to move and changes nothing.
Services rules: flush, never commit."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, insert, literal, select, update

from ..access import is_commune_of
from ..clock import utcnow
from ..errors import AccessDenied, StateError, ValidationError
from ..extensions import db
from ..models import (
    AdministrativeUnit,
    BankCoverage,
    Beneficiary,
    ChangeSubmission,
    CheckResult,
    EventStatus,
    Hamlet,
    IdentityCheck,
    PayoutPointSession,
    RegistryEvent,
    UnitSuccession,
    UnitTransfer,
    User,
)
from .audit import record
from .organizations import apply_competence
from .registry.events import OPEN_SUBMISSION, open_submission_of
from .registry.identity import fold


@dataclass
class ReformRow:
    """One old commune in the plan: its key, printed code and name, the new communes (key, printed code, name) it
    went into, the people still registered there (``waiting``: of them, already waiting for placement)."""

    old_key: str
    old_code: str
    old_name: str
    targets: list[tuple[str, str, str]]
    people: int
    waiting: int = 0

    @property
    def split(self) -> bool:
        """True when the old commune went into more than one new commune (people wait for placement)."""
        return len(self.targets) > 1


@dataclass
class ReformPlan:
    """What ``apply_reform`` does (or did) for ``month``: rows by old commune, and the counts per new commune."""

    month: date
    rows: list[ReformRow] = field(default_factory=list)
    moved_per_new: Counter = field(default_factory=Counter)   # new key → people moved there by this run
    waiting_per_old: Counter = field(default_factory=Counter)  # old key → people left waiting for placement
    new_names: dict = field(default_factory=dict)             # new key → (printed code, name)

    @property
    def people(self) -> int:
        """People to move (still at an old commune, not yet waiting)."""
        return sum(r.people - r.waiting for r in self.rows)

    @property
    def balanced(self) -> bool:
        """Counts per old commune equal counts per new commune (plus those waiting for placement)."""
        return sum(self.moved_per_new.values()) + sum(self.waiting_per_old.values()) == self.people


def _month(month: date) -> date:
    return month.replace(day=1)


def plan_reform(month: date) -> ReformPlan:
    """The reform of ``month`` (first of month; the mapping rows valid from that day) as a plan, without writing:
    per old commune the people still registered there and where they go. Raises ``ValidationError`` (nothing
    changed) when a mapping row names a unit that does not exist, or an old unit that is still valid on the reform
    day, or a new one that is not yet valid; ``StateError`` when there is no mapping for ``month``."""
    month = _month(month)
    rows = db.session.execute(select(UnitSuccession).where(UnitSuccession.valid_from == month)
                              .order_by(UnitSuccession.old_key, UnitSuccession.new_key)).scalars().all()
    if not rows:
        raise StateError(f"Không có bảng chuyển đổi đơn vị hành chính từ {month:%m/%Y}.")
    keys = {r.old_key for r in rows} | {r.new_key for r in rows}
    units = {u.code: u for u in db.session.execute(select(AdministrativeUnit).where(
        AdministrativeUnit.code.in_(keys))).scalars()}
    eve = month - timedelta(days=1)
    for r in rows:
        for key, must_be_valid_on, what in ((r.old_key, eve, "cũ"), (r.new_key, month, "mới")):
            unit = units.get(key)
            if unit is None:
                raise ValidationError(f"Bảng chuyển đổi nêu đơn vị {what} {key} không có trong danh mục; "
                                      "không chuyển ai.")
            if not unit.valid_on(must_be_valid_on) or (what == "cũ" and unit.valid_on(month)):
                raise ValidationError(f"Bảng chuyển đổi: đơn vị {what} {unit.gso_code} {unit.name} không hiệu lực "
                                      f"{'đến' if what == 'cũ' else 'từ'} {month:%d/%m/%Y}; không chuyển ai.")
    targets: dict[str, list[str]] = {}
    for r in rows:
        if units[r.old_key].level == "commune":
            targets.setdefault(r.old_key, []).append(r.new_key)
    people = dict(db.session.execute(select(Beneficiary.commune_code, func.count()).where(
        Beneficiary.commune_code.in_(targets)).group_by(Beneficiary.commune_code)).all())
    waiting = dict(db.session.execute(select(UnitTransfer.old_commune_code, func.count()).where(
        UnitTransfer.effective_month == month, UnitTransfer.new_commune_code.is_(None))
        .group_by(UnitTransfer.old_commune_code)).all())
    plan = ReformPlan(month)
    plan.new_names = {k: (u.gso_code, u.name) for k, u in units.items() if u.valid_on(month)}
    for old, news in sorted(targets.items(), key=lambda kv: units[kv[0]].gso_code):
        u = units[old]
        plan.rows.append(ReformRow(old, u.gso_code, u.name, [(k, *plan.new_names[k]) for k in news],
                                   people.get(old, 0), waiting.get(old, 0)))
    return plan


def apply_reform(actor: User | None, month: date) -> ReformPlan:
    """Carry out the reform of ``month`` (see the module docstring) and return its plan with the counts moved per
    new commune and left waiting per old (split) commune. Audited as one ``apply_reform`` entry when something
    moved. Raises like ``plan_reform`` before writing anything; ``StateError`` if the counts do not balance (the
    caller rolls back). Flushes."""
    plan = plan_reform(month)
    month, now = plan.month, utcnow()
    t = UnitTransfer.__table__
    already = select(UnitTransfer.id).where(UnitTransfer.beneficiary_id == Beneficiary.id,
                                            UnitTransfer.effective_month == month).exists()  # an anti-join
    stamp = literal(now, type_=db.DateTime(timezone=True))
    for row in plan.rows:  # split communes: their people wait for placement (a few communes)
        if row.split and row.people - row.waiting:
            here = select(Beneficiary.id).where(Beneficiary.commune_code == row.old_key, ~already)
            db.session.execute(insert(t).from_select(
                ["beneficiary_id", "effective_month", "old_commune_code", "candidates", "created_at"],
                here.add_columns(literal(month), literal(row.old_key),
                                 literal([k for k, _, _ in row.targets], type_=db.JSON), stamp)))
            plan.waiting_per_old[row.old_key] += row.people - row.waiting
    singles = [r.old_key for r in plan.rows if not r.split and r.people]
    if singles:  # every other commune in three set-based statements, whatever the number of people
        successor = (select(UnitSuccession.new_key).where(UnitSuccession.old_key == Beneficiary.commune_code,
                                                          UnitSuccession.valid_from == month).scalar_subquery())
        db.session.execute(insert(t).from_select(
            ["beneficiary_id", "effective_month", "old_commune_code", "new_commune_code", "created_at"],
            select(Beneficiary.id, literal(month), Beneficiary.commune_code, successor, stamp)
            .where(Beneficiary.commune_code.in_(singles), ~already)))
        db.session.execute(update(Beneficiary).where(Beneficiary.commune_code.in_(singles))
                           .values(commune_code=successor, updated_at=now)
                           .execution_options(synchronize_session=False))
        event_successor = (select(UnitSuccession.new_key).where(
            UnitSuccession.old_key == RegistryEvent.commune_code, UnitSuccession.valid_from == month)
            .scalar_subquery())
        # open changes go with the commune, and accepted ones from the reform month (the new commune pays those
        # months); accepted changes of earlier months stay with the old commune
        db.session.execute(update(RegistryEvent).where(
            RegistryEvent.commune_code.in_(singles),
            (RegistryEvent.status != EventStatus.ACCEPTED.value) | (RegistryEvent.effective_month >= month))
            .values(commune_code=event_successor).execution_options(synchronize_session=False))
        plan.moved_per_new.update(dict(db.session.execute(
            select(UnitTransfer.new_commune_code, func.count()).where(
                UnitTransfer.effective_month == month, UnitTransfer.created_at == now,
                UnitTransfer.new_commune_code.is_not(None)).group_by(UnitTransfer.new_commune_code)).all()))
    open_items = _move_open_items({r.old_key: r.targets[0][0] for r in plan.rows if not r.split}, month)
    for row in plan.rows:
        if not row.split:
            _move_hamlets(row.old_key, row.targets[0][0], row.old_name)
        _carry_coverage(row.old_key, [k for k, _, _ in row.targets], now)
    duties = apply_competence(month)
    if not plan.balanced:
        raise StateError("Số người chuyển đi và chuyển đến không khớp; không ghi gì.")
    if plan.people or duties or any(open_items.values()):
        record(actor, "apply_reform", "administrative_unit", None,
               f"Sắp xếp đơn vị hành chính từ {month:%m/%Y}: chuyển {sum(plan.moved_per_new.values())} người "
               f"sang {len(plan.moved_per_new)} xã/phường mới, {sum(plan.waiting_per_old.values())} người chờ xếp "
               f"(xã cũ bị chia tách); {len(duties)} cơ quan đổi thẩm quyền.",
               after={"moved": {plan.new_names[k][0]: n for k, n in sorted(plan.moved_per_new.items())},
                      "waiting": {_code(k): n for k, n in sorted(plan.waiting_per_old.items())},
                      "per_old": {r.old_code: r.people - r.waiting for r in plan.rows if r.people - r.waiting},
                      "open_items": open_items})
    db.session.expire_all()
    db.session.flush()
    return plan


def _move_open_items(successor_of: dict[str, str], month: date) -> dict[str, int]:
    """Move what is still open at each old commune that went whole into one new commune (``successor_of``: old key →
    new key): change submissions not yet accepted (danh sách biến động: a draft or returned one becomes the new
    commune's, or — when the new commune already has an open one for that month — its events join that one, never
    one already sent or accepted; a submitted one moves as it is), identity checks still pending at the police
    (đối chiếu CSDL dân cư), and payout-point sessions from ``month`` on (buổi mở tài khoản tại điểm chi trả).
    Returns the counts moved per kind: ``submissions``, ``identity_checks``, ``payout_point_sessions``. Only
    rows at an old key are touched, so a second run moves nothing."""
    counts = {"submissions": 0, "identity_checks": 0, "payout_point_sessions": 0}
    if not successor_of:
        return counts
    olds = list(successor_of)
    for sub in db.session.execute(select(ChangeSubmission).where(
            ChangeSubmission.commune_code.in_(olds), ChangeSubmission.status != EventStatus.ACCEPTED.value)
            .order_by(ChangeSubmission.id)).scalars().all():
        new = successor_of[sub.commune_code]
        # a sent one moves as it is, beside whatever the new commune has
        there = open_submission_of(new, sub.month) if sub.status in OPEN_SUBMISSION else None
        if there is None:
            sub.commune_code = new
        else:  # two old communes merged: one open list of changes per commune and month
            db.session.execute(update(RegistryEvent).where(RegistryEvent.submission_id == sub.id)
                               .values(submission_id=there.id).execution_options(synchronize_session=False))
            db.session.delete(sub)
        counts["submissions"] += 1
        db.session.flush()
    for model, where, key in (
            (IdentityCheck, IdentityCheck.result == CheckResult.PENDING.value, "identity_checks"),
            (PayoutPointSession, PayoutPointSession.session_date >= month, "payout_point_sessions")):
        successor = (select(UnitSuccession.new_key).where(UnitSuccession.old_key == model.commune_code,
                                                          UnitSuccession.valid_from == month).scalar_subquery())
        counts[key] = db.session.execute(update(model).where(model.commune_code.in_(olds), where)
                                         .values(commune_code=successor)
                                         .execution_options(synchronize_session=False)).rowcount
    return counts


def _code(key: str) -> str:
    return key.split("@", 1)[0]


def _move_hamlets(old: str, new: str, old_name: str, only: str | None = None) -> None:
    """The old commune's khóm/ấp (or only the one named ``only``) become the new commune's; a name the new commune
    already has gets the old commune's name added ("Khóm 1 (Vĩnh Mỹ)") so the two stay apart. People keep their
    hamlet (same row)."""
    stmt = select(Hamlet).where(Hamlet.commune_code == old).order_by(Hamlet.id)
    if only is not None:
        stmt = stmt.where(Hamlet.name_fold == fold(only))
    hamlets = db.session.execute(stmt).scalars().all()
    if not hamlets:
        return
    taken = set(db.session.execute(select(Hamlet.name_fold).where(Hamlet.commune_code == new)).scalars())
    short = old_name.split(" ", 1)[-1] if " " in old_name else old_name
    for h in hamlets:
        if h.name_fold in taken:
            h.name = f"{h.name} ({short})"
            h.name_fold = fold(h.name)
        h.commune_code = new
        taken.add(h.name_fold)
    db.session.flush()


def _carry_coverage(old: str, news: list[str], now) -> None:
    """A bank branch covering (approved) the old commune covers its new communes."""
    banks = db.session.execute(select(BankCoverage.bank_id).where(
        BankCoverage.commune_code == old, BankCoverage.status == "approved")).scalars().all()
    if not banks:
        return
    have = set(db.session.execute(select(BankCoverage.bank_id, BankCoverage.commune_code).where(
        BankCoverage.bank_id.in_(banks), BankCoverage.commune_code.in_(news))).all())
    for bank in banks:
        for new in news:
            if (bank, new) not in have:
                db.session.add(BankCoverage(bank_id=bank, commune_code=new, status="approved", decided_at=now,
                                            note="Theo sắp xếp đơn vị hành chính"))
                have.add((bank, new))
    db.session.flush()


def unplaced(new_codes, month: date | None = None):
    """Select of the ``UnitTransfer`` rows waiting for placement whose old commune went (partly) into one of
    ``new_codes`` (unit keys), with the beneficiary, by old commune then hamlet then name: the new communes'
    worklist."""
    goes_into = select(UnitSuccession.new_key).where(  # EXISTS, not a join: one row per person (PostgreSQL refuses
        UnitSuccession.old_key == UnitTransfer.old_commune_code,  # DISTINCT with ORDER BY on joined columns)
        UnitSuccession.valid_from == UnitTransfer.effective_month,
        UnitSuccession.new_key.in_(list(new_codes))).exists()
    stmt = (select(UnitTransfer).join(Beneficiary, Beneficiary.id == UnitTransfer.beneficiary_id)
            .where(UnitTransfer.new_commune_code.is_(None), goes_into)
            .order_by(UnitTransfer.old_commune_code, Beneficiary.hamlet, Beneficiary.name_sort, Beneficiary.id))
    if month is not None:
        stmt = stmt.where(UnitTransfer.effective_month <= _month(month))
    return stmt


def unplaced_count(new_codes, month: date | None = None) -> int:
    """How many people wait for placement into one of ``new_codes`` (see ``unplaced``)."""
    return db.session.execute(select(func.count()).select_from(
        unplaced(new_codes, month).order_by(None).subquery())).scalar_one()


def place(actor: User, transfers: list[UnitTransfer], new_code: str) -> int:
    """Place people waiting after a split into the new commune ``new_code`` (one of each transfer's candidates):
    their register row and open changes follow (each change into the new commune's submission of its month,
    ``receiving_submission``), and so do their changes accepted at the old commune effective from the reform month
    on (the new commune pays those months; their accepted submission stays with the old commune, as in
    ``apply_reform``); changes accepted for earlier months stay with the old commune. Audited per person. Returns how
    many were placed. Raises ``AccessDenied`` unless ``actor`` is the committee of ``new_code``
    (``access.is_commune_of``); ``ValidationError`` when ``new_code`` is not a candidate of a transfer, or one is
    placed already."""
    if not is_commune_of(actor, new_code):
        raise AccessDenied("Chỉ UBND xã/phường nhận người mới được xếp người vào xã/phường đó.")
    now = utcnow()
    for tr in transfers:
        if tr.new_commune_code is not None:
            raise ValidationError("Người này đã được xếp vào xã/phường mới.")
        if new_code not in (tr.candidates or []):
            raise ValidationError(f"Xã/phường {_code(new_code)} không nhận phần nào của xã cũ "
                                  f"{_code(tr.old_commune_code)}.")
    for tr in transfers:
        tr.new_commune_code, tr.placed_by_id, tr.placed_at = new_code, actor.id, now
        b = tr.beneficiary
        b.commune_code = new_code
        record(actor, "place", "beneficiary", b.id,
               f"Xếp {b.full_name} (từ {_code(tr.old_commune_code)}) vào xã/phường {_code(new_code)} sau sắp xếp "
               "đơn vị hành chính", before={"commune_code": _code(tr.old_commune_code)},
               after={"commune_code": _code(new_code)})
    db.session.flush()
    _move_open_changes(actor, [tr.beneficiary_id for tr in transfers], {tr.old_commune_code for tr in transfers},
                       new_code)
    for month in {tr.effective_month for tr in transfers}:  # accepted ones from the reform month: the new commune's
        db.session.execute(update(RegistryEvent).where(
            RegistryEvent.beneficiary_id.in_([tr.beneficiary_id for tr in transfers
                                              if tr.effective_month == month]),
            RegistryEvent.commune_code.in_({tr.old_commune_code for tr in transfers}),
            RegistryEvent.status == EventStatus.ACCEPTED.value, RegistryEvent.effective_month >= month)
            .values(commune_code=new_code).execution_options(synchronize_session=False))
    db.session.execute(update(IdentityCheck).where(  # checks still at the police follow the person
        IdentityCheck.beneficiary_id.in_([tr.beneficiary_id for tr in transfers]),
        IdentityCheck.commune_code.in_({tr.old_commune_code for tr in transfers}),
        IdentityCheck.result == CheckResult.PENDING.value).values(commune_code=new_code)
        .execution_options(synchronize_session=False))
    return len(transfers)


def _move_open_changes(actor: User, beneficiary_ids: list[int], olds: set[str], new_code: str) -> None:
    """The placed people's changes not yet accepted at their old (split) commune go to ``new_code``, each into the
    new commune's submission for the same month (``receiving_submission``); an old submission left empty is
    removed."""
    events = db.session.execute(select(RegistryEvent).where(
        RegistryEvent.beneficiary_id.in_(beneficiary_ids), RegistryEvent.commune_code.in_(olds),
        RegistryEvent.status != EventStatus.ACCEPTED.value).order_by(RegistryEvent.id)).scalars().all()
    emptied: dict[int, ChangeSubmission] = {}
    targets: dict[int, ChangeSubmission] = {}  # old submission id → the one taking its changes
    for ev in events:
        sub = ev.submission
        if sub is not None and sub.commune_code in olds:
            if sub.id not in targets:
                targets[sub.id] = receiving_submission(actor, new_code, sub)
            ev.submission_id = targets[sub.id].id
            emptied[sub.id] = sub
        ev.commune_code = new_code
    db.session.flush()
    for sub in emptied.values():
        db.session.refresh(sub)
        if not sub.events:
            db.session.delete(sub)
    db.session.flush()


def receiving_submission(actor: User | None, commune_code: str, like: ChangeSubmission) -> ChangeSubmission:
    """The submission of ``commune_code`` for ``like.month`` that takes changes moved from ``like`` (a submission of
    an old commune, not accepted): for a draft or returned one, the new commune's open submission of that month
    (draft or returned), created as a draft when it has none — never one it has already submitted or that was
    accepted; for a submitted one, a submission of the new commune sent by the same user at the same moment
    (an earlier placement's copy of it), created when missing, so what was sent stays sent and never joins the new
    commune's own sent list. Flushes; a created submission is audited."""
    if like.status in OPEN_SUBMISSION:
        there = open_submission_of(commune_code, like.month)
    elif like.submitted_at is not None:
        there = db.session.execute(select(ChangeSubmission).where(
            ChangeSubmission.commune_code == commune_code, ChangeSubmission.month == like.month,
            ChangeSubmission.status == like.status, ChangeSubmission.submitted_at == like.submitted_at,
            ChangeSubmission.submitted_by_id.is_(None) if like.submitted_by_id is None
            else ChangeSubmission.submitted_by_id == like.submitted_by_id)
            .order_by(ChangeSubmission.id).limit(1)).scalar_one_or_none()
    else:
        there = None  # nothing tells its copy apart: a new one
    if there is not None:
        return there
    there = ChangeSubmission(commune_code=commune_code, month=like.month,
                             status=EventStatus.DRAFT.value if like.status in OPEN_SUBMISSION else like.status,
                             submitted_by_id=None if like.status in OPEN_SUBMISSION else like.submitted_by_id,
                             submitted_at=None if like.status in OPEN_SUBMISSION else like.submitted_at)
    db.session.add(there)
    db.session.flush()
    record(actor, "create", "change_submission", there.id,
           f"Lập danh sách biến động tháng {like.month:%m/%Y} cho những biến động chuyển từ xã/phường cũ "
           f"{_code(like.commune_code)} sau sắp xếp đơn vị hành chính")
    return there


def place_hamlet(actor: User, old_code: str, hamlet: str, new_code: str, month: date) -> int:
    """Place every person of the split old commune ``old_code`` (unit key) living in ``hamlet`` (as written on
    their register row) into ``new_code`` — a hamlet goes whole into one new commune. Returns how many."""
    transfers = db.session.execute(select(UnitTransfer).join(Beneficiary, Beneficiary.id == UnitTransfer.beneficiary_id)
                                   .where(UnitTransfer.old_commune_code == old_code,
                                          UnitTransfer.effective_month == _month(month),
                                          UnitTransfer.new_commune_code.is_(None),
                                          Beneficiary.hamlet == hamlet)).scalars().all()
    if not transfers:
        return 0
    placed = place(actor, transfers, new_code)
    _move_hamlets(old_code, new_code, db.session.get(AdministrativeUnit, old_code).name, only=hamlet)
    return placed


def check_placed(commune_codes, month: date) -> None:
    """Refuse to build ``month``'s lists for ``commune_codes`` while people of a split old commune that went into
    one of them wait for placement: StateError naming how many (they would be on no list)."""
    waiting = unplaced_count(commune_codes, month)
    if waiting:
        raise StateError(f"Còn {waiting} người từ xã/phường cũ bị chia tách chưa được xếp vào xã/phường mới; "
                         "hãy xếp họ (theo khóm/ấp) trước khi lập danh sách.")
