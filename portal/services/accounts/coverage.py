"""Bank coverage (địa bàn phụ trách, KH 2587 §V.6): a bank branch registers the communes it covers, the province
(duty ``oversight``) approves or withdraws; a commune may be covered by several banks. Only ``approved`` coverage
lets a bank see a commune's beneficiaries (``areas.area_commune_codes``). Writes audit, flushes only."""
from datetime import date

from sqlalchemy import select

from ...access import opens_accounts, oversees
from ...clock import utcnow
from ...errors import AccessDenied, StateError, ValidationError
from ...extensions import db
from ...models import AdministrativeUnit, BankCoverage, Organization, UnitSuccession, User
from .. import audit
from ..registry import identity
from ..units import units_in_force

COVERAGE_STATUS = {"requested": "Chờ Sở duyệt", "approved": "Đã duyệt", "withdrawn": "Đã rút"}


def _branch_communes(org: Organization):
    """Keys of the communes of the branch's district (its ``unit_code``) and of the communes that took them over in
    a reform of units (``UnitSuccession``: since 7/2025 the district is gone, its communes' successors remain), as a
    scalar ``select``."""
    seat = select(AdministrativeUnit.code).where(AdministrativeUnit.parent_code == org.unit_code,
                                                 AdministrativeUnit.level == "commune")
    return seat.union(select(UnitSuccession.new_key).where(UnitSuccession.old_key.in_(seat)))


def requestable_communes(actor: User, day: date) -> list[AdministrativeUnit]:
    """Communes in force on ``day`` (``units.units_in_force``) of the bank branch's district or succeeding one of
    its communes (``_branch_communes``) that it does not cover or has a withdrawn coverage of, by name."""
    org = actor.organization
    have = set(db.session.execute(select(BankCoverage.commune_code).where(
        BankCoverage.bank_id == org.id, BankCoverage.status != "withdrawn")).scalars())
    return [u for u in units_in_force(day, among=_branch_communes(org)) if u.code not in have]


def bank_coverage(actor: User) -> list[BankCoverage]:
    """The actor's bank's coverage rows (every status), by commune name."""
    return list(db.session.execute(select(BankCoverage).join(AdministrativeUnit).where(
        BankCoverage.bank_id == actor.organization_id).order_by(AdministrativeUnit.name)).scalars())


def request_coverage(actor: User, commune_code: str, note: str = "") -> BankCoverage:
    """A bank branch (duty ``account_opening``) registers a commune of its district, or one that took over a commune
    of it (``_branch_communes``), as covered (đăng ký địa bàn); status ``requested`` until the province decides. A
    withdrawn coverage may be requested again. Raises ``AccessDenied`` (not a bank), ``ValidationError`` (commune
    outside the branch's district), ``StateError`` (already requested or approved)."""
    org = actor.organization
    if not opens_accounts(actor):
        raise AccessDenied("Chỉ chi nhánh ngân hàng được đăng ký địa bàn phụ trách.")
    commune = db.session.get(AdministrativeUnit, commune_code or "")
    if commune is None or commune.level != "commune" or commune.code not in set(
            db.session.execute(_branch_communes(org)).scalars()):
        raise ValidationError("Chọn một xã/phường thuộc địa bàn huyện của chi nhánh.")
    row = db.session.get(BankCoverage, (org.id, commune.code))
    if row is not None and row.status != "withdrawn":
        raise StateError(f"{commune.name} đã được đăng ký ({COVERAGE_STATUS[row.status]}).")
    if row is None:
        row = BankCoverage(bank_id=org.id, commune_code=commune.code)
        db.session.add(row)
    row.status, row.requested_at, row.decided_at, row.decided_by_id = "requested", utcnow(), None, None
    row.note = " ".join(identity.nfc(note or "").split())[:300] or None
    db.session.flush()
    audit.record(actor, "coverage_requested", "organization", org.id,
                 f"{org.name} đăng ký địa bàn phụ trách {commune.name}", after={"commune": commune.code})
    return row


def pending_requests() -> list[BankCoverage]:
    """Coverage requests waiting for the province, oldest first."""
    return list(db.session.execute(select(BankCoverage).where(BankCoverage.status == "requested")
                                   .order_by(BankCoverage.requested_at, BankCoverage.bank_id)).scalars())


def decide_coverage(actor: User, bank_id: int, commune_code: str, decision: str, note: str = "") -> BankCoverage:
    """The province (duty ``oversight``) approves a requested coverage (``decision`` "approve") or withdraws a
    requested or approved one ("withdraw"; the bank no longer sees the commune). Raises ``AccessDenied`` (not the
    province), ``ValidationError`` (unknown decision or coverage), ``StateError`` (nothing to approve/withdraw)."""
    if not oversees(actor):
        raise AccessDenied("Chỉ Sở được duyệt địa bàn phụ trách của ngân hàng.")
    if decision not in ("approve", "withdraw"):
        raise ValidationError("Chọn duyệt hoặc rút địa bàn.")
    row = db.session.get(BankCoverage, (bank_id, commune_code or ""))
    if row is None:
        raise ValidationError("Không tìm thấy đăng ký địa bàn này.")
    want = "approved" if decision == "approve" else "withdrawn"
    if row.status == want or (decision == "approve" and row.status != "requested"):
        raise StateError(f"Địa bàn đang ở trạng thái «{COVERAGE_STATUS[row.status]}».")
    before = {"status": row.status}
    row.status, row.decided_at, row.decided_by_id = want, utcnow(), actor.id
    if note:
        row.note = " ".join(identity.nfc(note).split())[:300]
    bank = db.session.get(Organization, bank_id)
    audit.record(actor, f"coverage_{want}", "organization", bank_id,
                 f"{'Duyệt' if want == 'approved' else 'Rút'} địa bàn {row.commune.name} của {bank.name}",
                 before=before, after={"status": want, "commune": commune_code})
    db.session.flush()
    return row
