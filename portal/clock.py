"""Time (thời gian): the one place that says what "now", "today" and "this month" are, in Vietnam time (giờ Việt
Nam, UTC+7), and turns stored UTC timestamps into local days. Timestamps are stored UTC; SQLite hands them back naive,
so naive means UTC. Every other module asks this one; tests move it with ``time_machine`` (which also moves
``datetime.now`` here), so a result never depends on the day the code runs."""
from datetime import UTC, date, datetime, timedelta, timezone

VN_TZ = timezone(timedelta(hours=7))


def utcnow() -> datetime:
    """Now as a timezone-aware UTC datetime: the value stored in every ``*_at`` column."""
    return datetime.now(UTC)


def now_vn() -> datetime:
    """Now in Vietnam time (aware, UTC+7)."""
    return datetime.now(VN_TZ)


def to_vn(value: datetime) -> datetime:
    """A stored timestamp (aware, or naive UTC from SQLite) in Vietnam time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(VN_TZ)


def vn_date(value: datetime | None) -> date | None:
    """The Vietnam-time day of a stored timestamp; None for None."""
    return None if value is None else to_vn(value).date()


def today_vn() -> date:
    """Today's date in Vietnam, the reference for "not in the future"."""
    return now_vn().date()


def this_month_vn() -> date:
    """The first day of the current month in Vietnam."""
    return today_vn().replace(day=1)
