"""Who serves an administrative unit (cơ quan phục vụ một đơn vị hành chính): the organisation holding a duty that
is seated at the unit itself or at its nearest ancestor — the post office paying a commune, the commune committee of
a commune (``serving_organization(code, Duty.INTAKE)``). Organisations are found by duty and seat, never by kind, so
the 2024 three-tier tree and the two-tier set-up since 7/2025 are both just data. Which kind of body holds a duty in a
period is data too (``CompetenceRule``, thẩm quyền): ``duties_for`` reads it, ``apply_competence`` (the reform) sets the
organisations' duties from it."""
from sqlalchemy import select

from ..extensions import db
from ..models import COMPETENCE_DUTIES, AdministrativeUnit, CompetenceRule, Organization


def serving_organizations(unit_codes, duty: str) -> dict:
    """For each of ``unit_codes``: the active organisation holding ``duty`` that serves it — one seated at the unit
    itself, else at its nearest ancestor (commune → district → province); the lowest id when several sit at the same
    unit; None when there is none. A few queries whatever the number of units (one per tree level, one for the
    organisations), so a province-wide build can look up every commune's post office at once."""
    codes = set(unit_codes)
    parents: dict[str, str | None] = {}
    frontier = set(codes)
    for _ in range(5):  # province → district → commune, with room to spare
        if not frontier:
            break
        rows = db.session.execute(select(AdministrativeUnit.code, AdministrativeUnit.parent_code)
                                  .where(AdministrativeUnit.code.in_(frontier))
                                  .execution_options(autoflush=False)).all()
        parents.update(rows)
        frontier = {parent for _, parent in rows if parent and parent not in parents}

    def chain(code):
        out = []
        while code and code not in out and len(out) < 6:
            out.append(code)
            code = parents.get(code)
        return out

    chains = {code: chain(code) for code in codes}
    seats = {u for c in chains.values() for u in c}
    holders: dict[str, Organization] = {}
    for org in db.session.execute(select(Organization).where(
            Organization.unit_code.in_(seats), Organization.active.is_(True)).order_by(Organization.id)
            .execution_options(autoflush=False)).scalars():
        if org.has_duty(duty):
            holders.setdefault(org.unit_code, org)
    return {code: next((holders[u] for u in c if u in holders), None) for code, c in chains.items()}


def serving_organization(unit_code: str, duty: str):
    """The active organisation holding ``duty`` that serves ``unit_code`` (see ``serving_organizations``), or None.
    E.g. the post office (``payment_service``) paying a commune: a commune post office in the two-tier set-up, the
    district's post office in the 2024 tree (Bưu điện Thành phố Châu Đốc for 30322)."""
    return serving_organizations([unit_code], duty)[unit_code]


def rules_on(day) -> list[CompetenceRule]:
    """Competence rules in force on ``day`` (a date), by duty then kind."""
    return list(db.session.execute(select(CompetenceRule).where(
        CompetenceRule.valid_from <= day, (CompetenceRule.valid_to.is_(None)) | (CompetenceRule.valid_to >= day))
        .order_by(CompetenceRule.duty, CompetenceRule.org_kind)).scalars())


def duties_for(kind: str, level: str, day) -> set[str]:
    """The competence duties (``COMPETENCE_DUTIES``) the rules in force on ``day`` give a body of ``kind`` seated at
    a unit of ``level`` — e.g. a commune committee on 1/8/2025: intake, payout_management, post_office_contract
    (Nghị định 147/2025/NĐ-CP)."""
    return {r.duty for r in rules_on(day) if r.org_kind == kind and r.unit_level == level}


def legal_basis_of(duty: str, kind: str, day) -> str | None:
    """Legal basis of the rule giving ``duty`` to ``kind`` on ``day`` ("Nghị định 147/2025/NĐ-CP"), or None."""
    return next((r.legal_basis for r in rules_on(day) if r.duty == duty and r.org_kind == kind), None)


def apply_competence(day) -> dict[int, tuple[set, set]]:
    """Set every organisation's competence duties to what the rules in force on ``day`` give its kind and level;
    an organisation whose unit no longer exists on ``day`` (a district office after 30/6/2025) loses them. Other
    duties (bank, post office, police) are left alone. Returns organisation id → (duties removed, duties added) for
    those that changed. Flushes; the caller audits."""
    rules = rules_on(day)
    changed = {}
    for org in db.session.execute(select(Organization).join(AdministrativeUnit)).scalars():
        current = org.duty_set
        given = set()
        if org.unit.valid_on(day):
            given = {r.duty for r in rules if r.org_kind == org.kind and r.unit_level == org.unit.level}
        wanted = (current - set(COMPETENCE_DUTIES)) | given
        if wanted != current:
            changed[org.id] = (current - wanted, wanted - current)
            org.duties = ",".join(sorted(wanted))
    db.session.flush()
    return changed
