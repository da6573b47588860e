"""Vietnam time (giờ Việt Nam, UTC+7): the one place that turns stored UTC timestamps into local days and says what
"today" and "this month" are. Timestamps are stored UTC; SQLite hands them back naive, so naive means UTC."""
from datetime import date, datetime, timedelta, timezone

VN_TZ = timezone(timedelta(hours=7))


def to_vn(value: datetime) -> datetime:
    """A stored timestamp (aware, or naive UTC from SQLite) in Vietnam time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(VN_TZ)


def vn_date(value: datetime | None) -> date | None:
    """The Vietnam-time day of a stored timestamp; None for None."""
    return None if value is None else to_vn(value).date()


def today_vn() -> date:
    """Today's date in Vietnam, the reference for "not in the future"."""
    return datetime.now(VN_TZ).date()


def this_month_vn() -> date:
    """The first day of the current month in Vietnam."""
    return today_vn().replace(day=1)
