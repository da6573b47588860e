"""Deaths and departures written in a commune's spreadsheet (đối tượng chết, chuyển đi, thôi hưởng): a row whose
note, status or any other column says the person died ("chết", "đã mất", "từ trần", "qua đời"), moved away
("chuyển đi") or stopped ("thôi hưởng"), with or without a month, accents or not, holds the import until the clerk
decides on that row: record the event with its month, or confirm the person is still paid (Decree 20/2021 Art. 8.2:
payment stops from the month after the death or the loss of eligibility).

``find_departure`` reads the words and the month; ``clean_decision`` checks the clerk's choice; ``record_events``
records the decided events after the rows are written (``registry.events.create_event``: a draft in the commune's
monthly changes, which the district accepts as any other). Pure except ``record_events`` (flushes, never commits).
"""
import functools
import re
from dataclasses import dataclass
from datetime import date

from openpyxl.utils import get_column_letter

from ..registry.identity import fold

#: (kind, stop reason, folded words) — a death, or a stop (thôi hưởng) with the reason of ``registry.events``
WORDS = (
    ("death", None, ("chet", "da mat", "tu tran", "qua doi", "ta the", "tu vong", "mat ngay", "mat thang")),
    ("stop", "moved_away", ("chuyen di", "chuyen khoi", "chuyen noi khac", "chuyen ve")),
    ("stop", "other", ("thoi huong", "cat huong", "ngung huong", "dung huong")),
)
KIND_LABELS = {"death": "Chết", "moved_away": "Chuyển đi", "other": "Thôi hưởng"}
#: columns never read for these words (a name such as "Từ Trần Minh" is not a death)
SKIPPED = ("name", "national_id", "birth", "phone", "account", "amount", "coefficient", "start_month")
_NOT_WORD = re.compile(r"[^a-z0-9/.-]+")
_ANY_WORD = re.compile(" (?:" + "|".join(re.escape(w) for _, _, words in WORDS for w in words) + ") ")
_FULL_DATE = re.compile(r"(?<!\d)(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})(?!\d)")
_WORDY_DATE = re.compile(r"ngay\s*(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*(\d{4})")
_MONTH = re.compile(r"(?<![\d/.\-])(\d{1,2})\s*[/.\-]\s*(\d{4})(?!\d)|thang\s*(\d{1,2})\s*(?:nam\s*)?[/.\-]?\s*(\d{4})")


@dataclass
class Departure:
    """What a row says: ``kind`` death | stop, ``reason`` (stop: ``moved_away`` / ``other``), ``month`` the
    first-of-month date of the death or departure when written (else None), ``event_date`` the day when written,
    ``cell`` (e.g. "P12") and the cell's ``text``."""

    kind: str
    reason: str | None
    month: date | None
    event_date: date | None
    cell: str
    text: str

    @property
    def label(self) -> str:
        """Vietnamese label: "Chết", "Chuyển đi", "Thôi hưởng"."""
        return KIND_LABELS[self.reason or self.kind]

    def as_dict(self) -> dict:
        """JSON-ready shape kept on the preview row."""
        return {"kind": self.kind, "reason": self.reason, "label": self.label, "cell": self.cell, "text": self.text,
                "month": f"{self.month:%m/%Y}" if self.month else "",
                "event_date": f"{self.event_date:%d/%m/%Y}" if self.event_date else ""}


def _when(folded: str) -> tuple[date | None, date | None]:
    """(month, day) written in ``folded`` text: "12/06/2024", "ngay 12 thang 6 nam 2024", "6/2024", "T6/2024",
    "thang 6 nam 2024", "thang 06/2024"; (None, None) when none or not a real date."""
    for pattern in (_FULL_DATE, _WORDY_DATE):
        m = pattern.search(folded)
        if m:
            try:
                day = date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            except ValueError:
                continue
            return day.replace(day=1), day
    for m in _MONTH.finditer(folded):
        month, year = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        if 1 <= int(month) <= 12 and 1900 < int(year) < 2200:
            return date(int(year), int(month), 1), None
    return None, None


def find_departure(cells: list[tuple[str, object]]) -> Departure | None:
    """The first death or departure written in ``cells`` [(cell reference, value)] of one row (text cells only,
    folded: accents or not, any case), with the month and day written in the same cell; None when none."""
    for ref, value in cells:
        if not isinstance(value, str) or not value.strip():
            continue
        found = _departure_words(value)
        if found is not None:
            return Departure(*found, ref, " ".join(value.split()))
    return None


def scan_plan(columns: dict[str, int], width: int) -> list[tuple[int, str, str | None]]:
    """The cells of a row read for a death or departure, as (0-based cell index, column letter, column key or None),
    worked out once per sheet from the header's ``columns`` (key → 1-based column) for rows of ``width`` cells: the
    note first, then every other cell, found column or not (a "Trạng thái" / "Tình trạng" column), except the name,
    ID, dates, numbers and account (``SKIPPED``)."""
    skipped = {columns[k] - 1 for k in SKIPPED if k in columns}
    keys = {col - 1: key for key, col in columns.items()}
    note = [columns["note"] - 1] if "note" in columns else []
    order = note + [i for i in range(width) if i not in note]
    return [(i, get_column_letter(i + 1), keys.get(i)) for i in order if i not in skipped]


def departure_in_row(row_number: int, values: dict, cells, plan: list[tuple[int, str, str | None]]) \
        -> Departure | None:
    """``find_departure`` over one row: the text of the cells in ``plan`` (``scan_plan``), a found column's value
    taken from ``values`` (its legacy-font text converted), any other from ``cells`` (the raw row from column A)."""
    width = len(cells)
    suffix = str(row_number)
    for i, letter, key in plan:
        if i >= width:
            continue
        value = values.get(key, cells[i]) if key is not None else cells[i]
        if isinstance(value, str) and value.strip():
            found = _departure_words(value)
            if found is not None:
                return Departure(*found, letter + suffix, " ".join(value.split()))
    return None


@functools.lru_cache(maxsize=4096)
def _departure_words(value: str) -> tuple | None:
    """(kind, reason, month, day) of the death or departure written in one text, or None; kept per text — a sheet
    repeats the same hamlet, category and channel on every row."""
    folded = " ".join(fold(value).split())
    padded = f" {_NOT_WORD.sub(' ', folded)} "
    if not _ANY_WORD.search(padded):  # one pass over the text for every word of every kind, the usual answer
        return None
    for kind, reason, words in WORDS:
        if any(f" {w} " in padded for w in words):
            return (kind, reason, *_when(folded))
    return None


@dataclass
class Decision:
    """The clerk's choice on one row: ``action`` record | active; for ``record``: the ``kind`` (death | stop), stop
    ``reason``, the ``month`` it happened (first-of-month), the day of death (``event_date``, may be None) and the
    stop decision number (``decision_number``)."""

    action: str
    kind: str | None = None
    reason: str | None = None
    month: date | None = None
    event_date: date | None = None
    decision_number: str | None = None


def _parse_month(text: str) -> date | None:
    month, day = _when(" ".join(fold(text or "").split()))
    return month


def clean_decision(row_number: int, departure: dict, data: dict | None) -> tuple[Decision | None, str | None]:
    """Check the clerk's choice for a row holding ``departure`` (``Departure.as_dict``). ``data``: ``action``
    ("record" or "active"), ``month`` (MM/YYYY: the month of the death or departure), ``event_date`` (dd/mm/yyyy,
    death, optional), ``decision_number`` (stop: the chairman's decision). Returns (Decision, None) or (None, the
    Vietnamese error naming the row)."""
    data = data or {}
    action = (data.get("action") or "").strip()
    where = f"Dòng {row_number} ({departure['label'].lower()}: «{departure['text']}»)"
    if action == "active":
        return Decision("active"), None
    if action != "record":
        return None, f"{where}: chọn «Ghi biến động» hoặc «Vẫn đang hưởng» trước khi nhập."
    month = _parse_month(data.get("month") or "")
    if month is None:
        return None, f"{where}: ghi tháng xảy ra (MM/YYYY, ví dụ 06/2024)."
    day = None
    if (data.get("event_date") or "").strip():
        found_month, day = _when(" ".join(fold(data["event_date"]).split()))
        if day is None or found_month != month:
            return None, f"{where}: ngày chết «{data['event_date']}» không hợp lệ hoặc không thuộc tháng {month:%m/%Y}."
    number = (data.get("decision_number") or "").strip() or None
    if departure["kind"] == "stop" and not number:
        return None, f"{where}: ghi số quyết định thôi hưởng."
    return Decision("record", departure["kind"], departure.get("reason"), month, day, number), None


def record_events(actor, plans, decided: dict, filename: str) -> int:
    """Record the events decided ``record`` (``decided``: Excel row number → ``Decision``) for the beneficiaries the
    import just wrote (``plans``' ``existing``): a death (event day, else the first of the month named, the month
    itself still paid) or a stop from the month after the one named (Art. 8.2), each a draft in the commune's
    changes of this month (``registry.events.create_event``; the district accepts it as any other), noting the file
    and the row. Returns how many were recorded. Raises ``StateError`` / ``ValidationError`` from
    ``create_event`` (e.g. this month's changes already sent to the district). Flushes."""
    from ..audit import record
    from ..registry.events import create_event, next_month
    from ..registry.submissions import current_month
    count = 0
    for p in plans:
        decision = decided.get(p.result.row_number)
        if decision is None or p.existing is None:
            continue
        d = p.result.departure
        note = f"Ghi theo tệp {filename}, dòng {p.result.row_number}: «{d['text']}»"
        if decision.action == "active":
            record(actor, "import_confirm_active", "beneficiary", p.existing.id,
                   f"Xác nhận vẫn đang hưởng khi nhập tệp {filename} (dòng {p.result.row_number} ghi «{d['text']}»)")
            continue
        if decision.kind == "death":
            day = decision.event_date or decision.month
            create_event(actor, p.existing, "death", effective_month=None, report_month=current_month(),
                         event_date=day, note=note if decision.event_date else f"{note} (chưa rõ ngày chết)")
        else:
            create_event(actor, p.existing, "stop", effective_month=next_month(decision.month),
                         report_month=current_month(), decision_number=decision.decision_number,
                         details={"reason": decision.reason or "other"}, note=note)
        count += 1
    return count
