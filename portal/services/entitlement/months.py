"""Month arithmetic and the plain records of what a person is owed (tháng chi trả): ``add_months`` and ``month_key``
on first-of-month dates, ``describe_months`` ("08/2024, 09/2024"), and the value types the engine returns
(``History``, ``LinePlan``, ``PersonPlan``). Money is integer đồng. Pure: no query."""
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ...formatting import money
from .rates import Amount

LOOKBACK_MONTHS = 60
#: line kind of back pay (truy lĩnh) owed by the other programme than the one paying the person's month: printed on
#: a list of the programme that owed those months (``plan._by_owing_programme``)
ARREARS = "arrears"


KIND_LABELS = {"gap": "Truy lĩnh", "held": "Truy lĩnh tháng tạm dừng", "rate_change": "Truy lĩnh chênh lệch mức",
               "recovery": "Thu hồi", "unpaid": "Chưa nhận được"}


def add_months(month: date, n: int) -> date:
    """``month`` (first of month) moved by ``n`` months."""
    k = month.year * 12 + month.month - 1 + n
    return date(k // 12, k % 12 + 1, 1)


def month_key(month: date) -> str:
    """2026-07 for 1/7/2026."""
    return f"{month:%Y-%m}"


def describe_months(entries) -> str:
    """Vietnamese summary of back-pay entries by kind: "Truy lĩnh chênh lệch mức 07/2026–10/2026 (160.000 đ)"."""
    parts = []
    for kind in ("gap", "held", "rate_change", "unpaid", "recovery"):
        chosen = [e for e in entries or () if e["kind"] == kind]
        if chosen:
            months = sorted(e["month"] for e in chosen)
            span = [f"{m[5:]}/{m[:4]}" for m in (months[0], months[-1])]
            text = span[0] if len(months) == 1 else f"{span[0]}–{span[1]} ({len(months)} tháng)"
            parts.append(f"{KIND_LABELS[kind]} {text}: {money(sum(e['amount'] for e in chosen))} đ")
    return "; ".join(parts)


@dataclass
class History:
    """What the portal already put on lists for one person and programme, before the month being built:
    ``paid`` month → đồng counted as paid for that month (line amount + later back pay − recoveries), ``level``
    month → standard level printed on that month's own line, ``failed`` months whose line was not paid,
    ``pension`` months whose own line was on a social-pension list (its level is the social-pension level)."""

    paid: dict = field(default_factory=dict)
    level: dict = field(default_factory=dict)
    coefficient: dict = field(default_factory=dict)
    failed: set = field(default_factory=set)
    any_line: bool = False
    pension: set = field(default_factory=set)

    def add_line(self, month: date, amount: int, level: int | None, entries, result: str,
                 coefficient=None, programme: str | None = None) -> None:
        """Count one earlier line (its own month's ``amount`` and its back-pay / recovery ``entries``); ``level``
        and ``coefficient`` are the line's printed standard level and total coefficient; ``programme`` the
        programme of its list (``social_pension`` marks the month in ``pension``)."""
        self.any_line = True
        if programme == "social_pension":
            self.pension.add(month)
        self.paid[month] = self.paid.get(month, 0) + amount
        if level is not None:
            self.level[month] = level
        if coefficient:
            self.coefficient[month] = coefficient if type(coefficient) is Decimal else Decimal(coefficient)
        if result == "failed":
            self.failed.add(month)
        if entries:
            self.add_entries(entries)

    def add_arrears(self, entries, result: str) -> None:
        """Count an ``ARREARS`` line's ``entries`` for the months they name, unless the line was not paid (result
        ``failed``): those months are then owed again and the next build back-pays them (such a line is not
        carried over as unpaid)."""
        self.any_line = True
        if result != "failed":
            self.add_entries(entries)

    def add_entries(self, entries) -> None:
        """Count back-pay and recovery ``entries`` of a line for the months they name (not its own month)."""
        for e in entries or ():
            if e["kind"] == "unpaid":
                continue  # pays again an earlier line's amount, already counted for its month
            m = date(int(e["month"][:4]), int(e["month"][5:7]), 1)
            self.paid[m] = self.paid.get(m, 0) + (-e["amount"] if e["kind"] == "recovery" else e["amount"])


@dataclass
class LinePlan:
    """One line to print: the month's ``amount`` (None when nothing is due for the month itself), back-pay and
    recovery ``entries``; ``programme`` the line kind (``tcxh`` allowance, ``care``, ``funeral``, ``arrears``: back
    pay of months owed by the other programme, ``plan._by_owing_programme``); ``payee`` for care / funeral lines and
    for a deceased person's heirs; ``list_programme``
    the programme whose list carries the line (``social_assistance`` | ``social_pension``) and
    ``programme_reason`` why (higher-of)."""

    programme: str
    amount: Amount | None = None
    care_support: int = 0
    funeral_support: int = 0
    entries: list = field(default_factory=list)
    payee: dict | None = None
    label: str = ""
    list_programme: str = "social_assistance"
    programme_reason: str = ""

    @property
    def back_pay(self) -> int:
        """Sum of the back-pay entries (đồng)."""
        return sum(e["amount"] for e in self.entries if e["kind"] != "recovery")

    @property
    def recovery(self) -> int:
        """Sum of the recovery entries (đồng) — shown, not subtracted from the total."""
        return sum(e["amount"] for e in self.entries if e["kind"] == "recovery")

    @property
    def total(self) -> int:
        """What is paid on the line: regular + top-up + back pay + care + funeral (recoveries are not netted)."""
        own = (self.amount.amount + self.amount.top_up) if self.amount else 0
        return own + self.back_pay + self.care_support + self.funeral_support

    @property
    def empty(self) -> bool:
        """True when the line would carry no money and no recovery."""
        return self.total == 0 and self.recovery == 0


@dataclass
class PersonPlan:
    """Everything due to one person in the month: ``lines`` (programmes ``tcxh``, ``care``, ``funeral``), the
    ``commune_code`` paying them, Vietnamese ``reasons`` for what was left out, ``suspended`` when 3 unpaid months
    held the payment."""

    commune_code: str
    lines: list = field(default_factory=list)
    reasons: list = field(default_factory=list)
    suspended: bool = False
