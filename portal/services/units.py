"""Administrative units in force in a month (đơn vị hành chính có hiệu lực): the one query behind every list where
a commune is chosen. The 2024 tree (with districts) ends 30/6/2025 and the 2025 tree (province → commune) starts
1/7/2025 (Law 72/2025/QH15, Resolution 1654/NQ-UBTVQH15 for An Giang); both are stored, each unit with its own
``valid_from``/``valid_to`` and the name it had then, so a month before 07/2025 gets the 2024 units and their
names, a later month the 2025 ones. Reads only; never writes."""
from datetime import date

from sqlalchemy import and_, or_, select

from ..extensions import db
from ..models import AdministrativeUnit


def in_force(month: date):
    """SQL condition on ``AdministrativeUnit``: the unit is in force on the first day of ``month`` (any day of it
    is taken as its month; bounds inclusive). A reform of units takes effect on a month's first day."""
    day = month.replace(day=1)
    return and_(AdministrativeUnit.valid_from <= day,
                or_(AdministrativeUnit.valid_to.is_(None), AdministrativeUnit.valid_to >= day))


def units_in_force(month: date, level: str = "commune", among=None) -> list[AdministrativeUnit]:
    """The units of ``level`` (``commune`` | ``district`` | ``province``) in force in ``month`` (see ``in_force``),
    by name then code: the choices of a select list. ``among`` limits them to some unit keys (a scalar ``select``
    such as an area or a bank's coverage, or an iterable of keys; None: every unit of the level)."""
    stmt = select(AdministrativeUnit).where(AdministrativeUnit.level == level, in_force(month))
    if among is not None:
        stmt = stmt.where(AdministrativeUnit.code.in_(among))
    return list(db.session.execute(stmt.order_by(AdministrativeUnit.name, AdministrativeUnit.code)).scalars())
