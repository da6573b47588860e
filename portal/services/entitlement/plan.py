"""What one person is owed for one payout month (số tiền được hưởng trong tháng): the month's allowance, back pay
(truy lĩnh) for earlier months, recoveries (thu hồi), care support (hỗ trợ chăm sóc) and funeral support (hỗ trợ
mai táng). A pure service: no query, no request — ``payouts.build_lists`` bulk-loads the rows and calls
``plan_person`` once per person.

Rules (Decree 20/2021/NĐ-CP; reference §1.3–§1.7):

* Start from the decision month (``start_month``), or from the disability-certificate month
  (``disability_certified_month``) / the effective month of an accepted ``new`` event where earlier; the gap is
  back-paid (Art. 8.1).
* Stop from the month after death or loss of eligibility: accepted ``death`` / ``stop`` / ``move_out`` events take
  effect from their ``effective_month`` (for a death, the month after the date of death, so the death month is
  paid; Art. 8.2); an age limit reached in a month (K1 at 16, K2 at 23…) still pays that month
  (``RateBook.amount_for``).
* An event applies only from its effective month, whatever the order of building lists and accepting events: a
  suspension accepted before an earlier month's list is built does not hold that month (the register's status
  counts only for a person with no accepted event at all).
* A ``move_in`` starts payment at the new commune from its effective month (Art. 8.3–8.4).
* Suspension (tạm dừng): from an accepted ``suspend`` event, or after 3 consecutive months whose lines were not
  paid (result ``failed``) until an accepted ``resume``; a resume back-pays the months held unless its details say
  ``{"back_pay": false}`` (Circular 02/2021 Art. 6.1.b).
* Back pay of the difference when a rate entered later is valid for months already paid (e.g. 540.000 đ from
  07/2026 entered in 10/2026, Decree 335/2026): for every month already listed, entitled − already paid, with the
  months named. A negative difference, or any month paid after the stop, is a recovery: shown as such, never netted.
* Months before the portal's first list of the commune are taken as paid outside the portal, unless the decision
  itself was made in the portal era (then the certificate gap and late months are back-paid).
* Social assistance or the social pension (Decree 176/2025): ``pension.allowance`` pays the higher of the two and
  says why; the allowance line goes on that programme's list. Back pay compares each month with the level of the
  programme that paid it (a social-pension level confirmed later back-pays the difference). Each earlier month is
  owed what that month's law gave — social assistance before 07/2025 (K5b/K5c at their Decree 20 coefficient),
  the pension from 07/2025, never the pension for a month before it existed — and is printed on a list of the
  programme that owed it: months of the other programme go on an ``arrears`` line (``_by_owing_programme``).
* ``adjust`` events change category / disability level / children from their effective month: their details hold
  the new values and ``{"before": {...}}`` the old ones (``registry.events.apply_event`` records them), so a month
  before the change built after its acceptance uses the old values.

Money is integer đồng; months are first-of-month dates; ``back_pay_months`` entries are
``{"month": "YYYY-MM", "kind": "gap"|"held"|"rate_change"|"recovery"|"unpaid", "amount": int}`` — ``unpaid``: the
total of that month's line the post office could not pay, carried into a later list (các khoản chưa nhận, Decree
20/2021 Art. 34.4; found by ``payouts.carry_over.unpaid_carry_over``, added by ``payouts.build_lists``).
"""
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

from ...errors import PortalError
from .months import ARREARS, LOOKBACK_MONTHS, History, LinePlan, PersonPlan, add_months, month_key
from .pension import allowance, programme_in
from .rates import SOCIAL_ASSISTANCE, SOCIAL_PENSION, RateBook

ATTRIBUTES = ("category_code", "disability_level", "children_count")


_ORDER = {"move_out": 0, "stop": 1, "suspend": 2, "death": 3, "adjust": 4, "new": 5, "move_in": 6, "resume": 7}


class Timeline:
    """Month-by-month state of one person from their accepted events up to the month being built: ``paid`` (due),
    ``held`` (suspended), ``late`` (held but released by a resume with back pay), ``none`` (not due)."""

    def __init__(self, beneficiary, events, month: date):
        self.b = beneficiary
        ordered = sorted(events, key=lambda e: (e.effective_month, _ORDER.get(e.kind, 9), e.id or 0))
        self.events = [e for e in ordered if e.effective_month <= month]
        # adjustments of every month: one effective later gives back its ``before`` values for this month
        self.adjusts = [e for e in ordered if e.kind == "adjust" and e.details]
        self.any_events = bool(ordered)
        # move-outs after the month being built: a rebuild of an earlier month keeps the person on the old commune
        self.later_move_outs = [e for e in ordered if e.kind == "move_out" and e.effective_month > month]
        self.first = self._first_month(events)
        self.segments = [(self.first, "paid")]
        self.released: list[tuple[date, date]] = []
        self.death = None
        held_from = None
        for e in self.events:
            if self.death is not None:
                break
            k, eff = e.kind, e.effective_month
            if k in ("death", "stop", "move_out"):
                self.segments.append((eff, "none"))
                self.death = e if k == "death" else None
            elif k == "suspend":
                self.segments.append((eff, "held"))
                held_from = eff
            elif k == "resume":
                self.segments.append((eff, "paid"))
                if held_from is not None and (e.details or {}).get("back_pay", True) is not False:
                    self.released.append((held_from, eff))
                held_from = None
            elif k in ("move_in", "new") and eff > self.first:
                self.segments.append((eff, "paid"))
        self.segments.sort(key=lambda s: s[0])

    def _first_month(self, events) -> date:
        candidates = [self.b.start_month]
        cert = getattr(self.b, "disability_certified_month", None)
        if cert is not None:
            candidates.append(cert.replace(day=1))
        candidates += [e.effective_month for e in events if e.kind == "new"]
        return min(candidates)

    def state(self, month: date) -> str:
        """``paid`` / ``held`` / ``late`` / ``none`` for ``month``."""
        if month < self.first:
            return "none"
        state = "none"
        for start, s in self.segments:
            if start <= month:
                state = s
        if state == "held" and any(a <= month < b for a, b in self.released):
            return "late"
        return state

    @property
    def has_changes(self) -> bool:
        """True when any accepted event applies (the fast path that trusts earlier lines is then off)."""
        return bool(self.events)

    def attributes(self, month: date):
        """The person as they were in ``month``: the register row overlaid with ``adjust`` events (their new values
        from their effective month on, their ``before`` values for earlier months)."""
        adjusts = self.adjusts
        if not adjusts:
            return self.b
        values = {a: getattr(self.b, a) for a in ATTRIBUTES}
        for e in adjusts:
            if e.effective_month <= month:
                values.update({k: v for k, v in e.details.items() if k in ATTRIBUTES})
        for e in reversed(adjusts):
            if e.effective_month > month:
                values.update({k: v for k, v in (e.details.get("before") or {}).items() if k in ATTRIBUTES})
        return SimpleNamespace(birth_date=self.b.birth_date, birth_year=self.b.birth_year, **values)

    def commune(self, month: date) -> str:
        """Commune paying ``month``: the latest accepted move_in by then, else the commune of a later move_out
        (the person was still there), else the register's commune."""
        code = None
        for e in self.events:
            if e.kind == "move_in" and e.effective_month <= month:
                code = e.commune_code
        if code is None:
            later = [e for e in self.events + self.later_move_outs
                     if e.kind == "move_out" and e.effective_month > month]
            code = later[0].commune_code if later else self.b.commune_code
        return code


def _payee(details: dict | None, prefix: str = "organiser") -> dict | None:
    """The payee named in event details: ``{organiser_name, organiser_national_id, organiser_relationship}`` (as
    ``registry.events`` records a death), or ``{prefix: {name, national_id, relationship}}`` / ``{prefix}_name``."""
    details = details or {}
    nested = details.get(prefix) if isinstance(details.get(prefix), dict) else {}
    for p in (prefix, "organiser"):
        name = nested.get("name") or details.get(f"{p}_name")
        if name:
            return {"name": name, "national_id": nested.get("national_id") or details.get(f"{p}_national_id"),
                    "relationship": nested.get("relationship") or details.get(f"{p}_relationship")}
    return None


def _owed(months, timeline: Timeline, history: History, entitled, fast_ok: bool, book: RateBook) -> list[dict]:
    """Back-pay and recovery entries for ``months`` (ascending), comparing ``entitled(month, attrs)`` (đồng or None)
    with what ``history`` counts as paid."""
    entries = []
    for m in months:
        state = timeline.state(m)
        paid = history.paid.get(m, 0)
        listed = m in history.paid
        if state in ("paid", "late"):
            if fast_ok and listed and history.level.get(m) == _paid_level(book, history, m):
                continue
            due = entitled(m)
            if due is None:
                continue
            diff = due - paid
            if diff > 0:
                kind = "rate_change" if listed else ("held" if state == "late" else "gap")
                entries.append({"month": month_key(m), "kind": kind, "amount": diff})
            elif diff < 0:
                entries.append({"month": month_key(m), "kind": "recovery", "amount": -diff})
        elif state == "none" and paid > 0:
            entries.append({"month": month_key(m), "kind": "recovery", "amount": paid})
    return entries


def plan_person(book: RateBook, beneficiary, month: date, *, events=(), extra_categories=(), care=(),
                tcxh: History | None = None, care_history: History | None = None, funeral_paid: bool = False,
                history_start: date | None = None) -> PersonPlan:
    """Plan the lines due to ``beneficiary`` for ``month`` (first-of-month date).

    ``events`` are the person's ACCEPTED RegistryEvents; ``extra_categories`` AdditionalCategory rows; ``care``
    CareArrangement rows; ``tcxh`` / ``care_history`` what earlier lines (months before ``month``) paid;
    ``funeral_paid`` True when a funeral line exists already; ``history_start`` the month of the commune's first
    list in the portal (default ``month``). Never raises: problems become Vietnamese ``reasons``."""
    tcxh, care_history = tcxh or History(), care_history or History()
    history_start = min(history_start or month, month)
    if not (events or extra_categories or care) and beneficiary.status == "active" and not tcxh.failed:
        simple = _simple_plan(book, beneficiary, month, tcxh, history_start)
        if simple is not None:
            return simple
    tl = Timeline(beneficiary, events, month)
    plan = PersonPlan(commune_code=tl.commune(month))
    state = _state(plan, beneficiary, month, tl, tcxh)
    review = _Review.of(book, beneficiary, month, tl, tcxh, history_start, extra_categories, care)
    line = _allowance_line(book, plan, month, state, tl, tcxh, review, extra_categories)
    for part in _by_owing_programme(line, review, tcxh):
        if not part.empty:
            plan.lines.append(part)
    if care:
        cline = _care_line(book, month, state, tl, care, care_history, review)
        if not cline.empty:
            plan.lines.append(cline)
    if tl.death is not None and not funeral_paid:
        _add_funeral_line(book, plan, tl, extra_categories)
    return plan


def _state(plan: PersonPlan, beneficiary, month: date, tl: Timeline, tcxh: History) -> str:
    """The person's state in ``month`` (``Timeline.state``), held when the register says suspended without an event
    or after three unpaid months (``plan.suspended``); the reason is added to ``plan``."""
    state = tl.state(month)
    if state == "paid" and beneficiary.status == "suspended" and not tl.any_events:
        # the register's status counts only for a person with no accepted event at all: a suspension accepted
        # before an earlier month's list is built must not hold that month (it applies from its own month)
        state = "held"
    if state == "paid" and _three_unpaid(tcxh, month, tl):
        state, plan.suspended = "held", True
        plan.reasons.append("Tạm dừng chi trả: 3 tháng liên tiếp không nhận tiền (cần quyết định tiếp tục hưởng).")
    elif state == "held":
        plan.reasons.append("Đang tạm dừng hưởng trợ cấp.")
    return state


class _Review:
    """The earlier months to look at for back pay and recoveries (``months``; empty when every month since the
    look-back start is listed at today's level), whether the quick comparison applies (``fast_ok``: no event
    changes, no extra category), and the allowance the person was due in an earlier month (``allowance``)."""

    def __init__(self, months: list[date], fast_ok: bool, allowance, programmes: dict | None = None):
        self.months, self.fast_ok, self.allowance = months, fast_ok, allowance
        #: month → the programme that owed the amount ``allowance`` gave for it (filled as it is called)
        self.programmes = programmes if programmes is not None else {}

    def owed_by(self, m: date, history: History) -> str:
        """The programme that owed month ``m``: the one whose amount the engine computed for it, else (a month only
        recovered) the programme of the list that paid it."""
        return self.programmes.get(m) or (SOCIAL_PENSION if m in history.pension else SOCIAL_ASSISTANCE)

    @classmethod
    def of(cls, book: RateBook, beneficiary, month: date, tl: Timeline, tcxh: History, history_start: date,
           extra_categories, care) -> "_Review":
        # which earlier months to look at: the portal era, or from the start when the decision itself is in that era
        lo = tl.first if beneficiary.start_month >= history_start else (min(tcxh.paid) if tcxh.paid else month)
        lo = max(lo, add_months(month, -LOOKBACK_MONTHS))
        fast_ok = not tl.has_changes and not extra_categories
        span = (month.year * 12 + month.month) - (lo.year * 12 + lo.month)
        if fast_ok and not care and len(tcxh.paid) == span and _current(book, tcxh, month):
            months = []  # every month since ``lo`` is listed at today's level: nothing to back-pay (the common case)
        else:
            months = [add_months(lo, i) for i in range(max(span, 0))]
        last_adjust = max((e.effective_month for e in tl.events if e.kind == "adjust"), default=None)
        programmes: dict = {}

        def due_in(m):
            coef = tcxh.coefficient.get(m)
            if coef is not None and last_adjust is not None and m < last_adjust:
                # a month already listed before an adjustment: the person as printed then (the register row holds
                # the new values only), at today's level for that month — only a rate change can add to it
                level = _paid_level(book, tcxh, m)
                if level is None:
                    return None
                top_up = (book.top_up(None, m, SOCIAL_PENSION) if m in tcxh.pension
                          else book.top_up(beneficiary.category_code, m))
                programmes[m] = SOCIAL_PENSION if m in tcxh.pension else SOCIAL_ASSISTANCE
                return int((level * coef).quantize(Decimal(1), rounding=ROUND_HALF_UP)) + top_up
            try:
                a = allowance(book, beneficiary, m, extra_categories, tl.attributes(m))
            except PortalError:
                return None
            programmes[m] = a.programme
            return a.amount + a.top_up

        return cls(months, fast_ok, due_in, programmes)


def _allowance_line(book: RateBook, plan: PersonPlan, month: date, state: str, tl: Timeline, tcxh: History,
                    review: _Review, extra_categories) -> LinePlan:
    """The monthly allowance line (programme ``tcxh``): the month's amount while paid, back pay and recoveries of
    earlier months (only recoveries while held), paid to the funeral payee after a death."""
    line = LinePlan("tcxh")
    if state == "paid":
        try:
            line.amount = allowance(book, tl.b, month, extra_categories, tl.attributes(month))
        except PortalError as err:
            plan.reasons.append(str(err))
    if state in ("paid", "none") or tl.released:
        line.entries = _owed(review.months, tl, tcxh, review.allowance, review.fast_ok, book)
        if state == "held":
            line.entries = [e for e in line.entries if e["kind"] == "recovery"]
    if tl.death is not None:
        line.payee = _payee(tl.death.details, "funeral_payee")
    if line.amount is not None:
        line.list_programme, line.programme_reason = line.amount.programme, line.amount.reason
    elif line.entries:  # back pay or recoveries only: the programme that paid the latest month named
        last = max(e["month"] for e in line.entries)
        line.list_programme = review.owed_by(date(int(last[:4]), int(last[5:7]), 1), tcxh)
    return line


def _by_owing_programme(line: LinePlan, review: _Review, tcxh: History) -> list[LinePlan]:
    """``line`` alone, or ``line`` and an ``ARREARS`` line when some of its back-pay / recovery entries are months
    owed by the other programme.

    Rule: each earlier month is printed on a list of the programme that owed it (``_Review.owed_by``). A person now
    on the social pension (from 07/2025, Decree 176/2025) who is owed months before it — when Decree 20/2021 social
    assistance owed them (K5b/K5c until 06/2025) — gets those months on a social-assistance list, and the reverse;
    the two programmes are budgeted and accounted apart, and a pension list never carries a month before the
    pension existed. The allowance line (one per person, kind and month, enforced by the database) keeps the
    month's own amount and the months of its own programme; the arrears line (kind ``arrears``, same payee) carries
    the other programme's months, goes on that programme's cash-at-point list, like care and funeral lines, and is
    paid to the person (or to the heirs after a death)."""
    own, other = [], []
    for e in line.entries:
        m = date(int(e["month"][:4]), int(e["month"][5:7]), 1)
        (own if review.owed_by(m, tcxh) == line.list_programme else other).append(e)
    if not other:
        return [line]
    line.entries = own
    programme = SOCIAL_ASSISTANCE if line.list_programme == SOCIAL_PENSION else SOCIAL_PENSION
    return [line, LinePlan(ARREARS, entries=other, payee=line.payee, list_programme=programme)]


def _care_line(book: RateBook, month: date, state: str, tl: Timeline, care, care_history: History,
               review: _Review) -> LinePlan:
    """Care support (Art. 20): its own line to the carer (the arrangement in force, else the latest one), while
    the person is paid, with back pay of earlier months."""
    def care_due(m):
        return book.care_amount(care, m)[0] or None

    cline = LinePlan("care")
    if state == "paid":
        amount, arr = book.care_amount(care, month)
        cline.care_support = amount
        if arr is not None:
            cline.payee = {"name": arr.payee_name, "national_id": arr.payee_national_id,
                           "relationship": arr.payee_relationship}
            cline.label = arr.kind
    if state in ("paid", "none"):
        cline.entries = _owed(review.months, tl, care_history, care_due, review.fast_ok, book)
        cline.entries = [dict(e, programme="care") for e in cline.entries]
    if cline.payee is None:
        latest = max(care, key=lambda a: a.valid_from)
        cline.payee = {"name": latest.payee_name, "national_id": latest.payee_national_id,
                       "relationship": latest.payee_relationship}
    return cline


def _add_funeral_line(book: RateBook, plan: PersonPlan, tl: Timeline, extra_categories) -> None:
    """Funeral support: once, on the first list after an accepted death, to the funeral organiser — under the
    programme that paid the person in the month of death (Decree 20/2021 Art. 11; a social pensioner's under
    Decree 176/2025 Art. 7, on the social-pension list); a reason instead when the organiser is not recorded or no
    rate applies."""
    death = tl.death
    death_month = death.event_date.replace(day=1) if death.event_date else add_months(death.effective_month, -1)
    payee = _payee(death.details, "funeral_payee")
    if payee is None:
        plan.reasons.append("Chưa ghi người tổ chức mai táng: chưa lập được dòng hỗ trợ mai táng.")
        return
    programme = programme_in(book, tl.b, death_month, extra_categories, tl.attributes(death_month))
    try:
        amount = (book.pension_funeral_amount(death_month) if programme == SOCIAL_PENSION
                  else book.funeral_amount(death_month))
        plan.lines.append(LinePlan("funeral", funeral_support=amount, payee=payee,
                                   label=f"Mai táng phí (mất tháng {death_month:%m/%Y})", list_programme=programme))
    except PortalError as err:
        plan.reasons.append(str(err))


def _simple_plan(book: RateBook, b, month: date, tcxh: History, history_start: date) -> PersonPlan | None:
    """The common case without events, extra categories, care or unpaid lines, every earlier month listed at
    today's level: only the month's allowance. None when the general path is needed (back pay to look at)."""
    cert = getattr(b, "disability_certified_month", None)
    first = min(b.start_month, cert.replace(day=1)) if cert is not None else b.start_month
    plan = PersonPlan(commune_code=b.commune_code)
    if month < first:
        return plan
    lo = first if b.start_month >= history_start else (min(tcxh.paid) if tcxh.paid else month)
    lo = max(lo, add_months(month, -LOOKBACK_MONTHS))
    span = (month.year * 12 + month.month) - (lo.year * 12 + lo.month)
    if span > 0 and not (len(tcxh.paid) == span and _current(book, tcxh, month)):
        return None
    try:
        amount = allowance(book, b, month)
        plan.lines.append(LinePlan("tcxh", amount=amount, list_programme=amount.programme,
                                   programme_reason=amount.reason))
    except PortalError as err:
        plan.reasons.append(str(err))
    return plan


def _levels(book: RateBook, month: date) -> dict:
    """month → standard level for the look-back window before ``month`` (cached on ``book``)."""
    cache = book.__dict__.setdefault("_window_levels", {})
    if month not in cache:
        cache[month] = {m: book.level_or_none(m) for m in (add_months(month, -i)
                                                            for i in range(1, LOOKBACK_MONTHS + 1))}
    return cache[month]


def _paid_level(book: RateBook, history: History, m: date) -> int | None:
    """The level in force now for month ``m`` of the programme whose list paid it: the social-pension level for a
    month paid on a social-pension list, else the standard level."""
    return book.pension_level_or_none(m) if m in history.pension else book.level_or_none(m)


def _current(book: RateBook, history: History, month: date) -> bool:
    """True when every month of ``history`` was printed at the level in force now for its programme."""
    if not history.pension:
        return history.level.items() <= _levels(book, month).items()
    levels = _levels(book, month)
    return all(level == (book.pension_level_or_none(m) if m in history.pension else levels.get(m))
               for m, level in history.level.items())


def _three_unpaid(history: History, month: date, tl: Timeline) -> bool:
    """True when the three months before ``month`` were all listed and not paid, with no resume since."""
    last3 = [add_months(month, -i) for i in (1, 2, 3)]
    if not all(m in history.failed for m in last3):
        return False
    return not any(e.kind == "resume" and e.effective_month > last3[0] for e in tl.events)
