"""What the officers of a new commune are told while the reform of administrative units that feeds it is not carried
out (sắp xếp đơn vị hành chính, Law 72/2025/QH15; the official mapping ``UnitSuccession``): people still registered
at the old communes that went into it (the province has not run ``apply-reform``), and people of a split old
commune waiting to be placed into it (``reform.unplaced``). Reads only; never writes."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from ..extensions import db
from ..models import AdministrativeUnit, Beneficiary, Duty, UnitSuccession, UnitTransfer
from .organizations import serving_organization
from .reform import unplaced_count


@dataclass
class ReformNotice:
    """For one new commune: the reform day (``effective``, first of month), the department that carries the reform
    out (``department``: the name of the organisation holding ``oversight`` at the commune's province, "Sở" when
    none), the old communes whose people are still registered there (``not_moved``: name → people) and how many
    people wait to be placed into this commune (``unplaced``)."""

    effective: date
    department: str
    not_moved: dict[str, int] = field(default_factory=dict)
    unplaced: int = 0

    @property
    def people_not_moved(self) -> int:
        """People of the old communes not moved yet."""
        return sum(self.not_moved.values())

    @property
    def any(self) -> bool:
        """True when there is something to tell."""
        return bool(self.not_moved) or self.unplaced > 0


def reform_notice(commune_code: str) -> ReformNotice | None:
    """The notice for the commune ``commune_code`` (unit key), or None when no old commune went into it or nothing
    is left to move or place. People of an old commune count as not moved while they are registered there with no
    move (``UnitTransfer``) of the mapping's month; people moved but waiting for placement count as ``unplaced``.
    One query for a commune no old commune went into (every commune of the 2024 tree), two once the reform is
    done."""
    transfer = select(UnitTransfer.id).where(UnitTransfer.beneficiary_id == Beneficiary.id,
                                             UnitTransfer.effective_month == UnitSuccession.valid_from).exists()
    rows = db.session.execute(
        select(UnitSuccession.valid_from, AdministrativeUnit.name, func.count(Beneficiary.id))
        .join(AdministrativeUnit, AdministrativeUnit.code == UnitSuccession.old_key)
        .outerjoin(Beneficiary, (Beneficiary.commune_code == UnitSuccession.old_key) & ~transfer)
        .where(UnitSuccession.new_key == commune_code)
        .group_by(UnitSuccession.valid_from, AdministrativeUnit.name)
        .order_by(AdministrativeUnit.name)).all()
    if not rows:
        return None
    not_moved = {name: n for _, name, n in rows if n}
    waiting = unplaced_count([commune_code])
    if not not_moved and not waiting:
        return None
    return ReformNotice(max(r[0] for r in rows), _department(commune_code), not_moved, waiting)


def _department(commune_code: str) -> str:
    """Name of the organisation holding ``oversight`` that serves the commune (the one that applies the reform)."""
    org = serving_organization(commune_code, Duty.OVERSIGHT)
    return org.name if org is not None else "Sở"
