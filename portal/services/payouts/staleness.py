"""Draft payout lists that are out of date (danh sách dự thảo đã cũ): a DRAFT or RETURNED list is a snapshot of the
register at ``PayoutList.prepared_at``; when, after that, a bank account of someone in the commune is recorded,
invalidated, disputed or cleared of its flags, or a person of the commune is added, changed, stopped or moved (the
beneficiary row changed, or a registry change submission with their event was accepted), the list no longer
matches the register and should be rebuilt before the commune confirms it (Decree 20/2021 Art. 34: the commune
confirms the list it is sent).

Confirmed lists (the commune confirmed what it saw) and approved or later lists (frozen) are never flagged;
supplementary lists (``sequence`` > 0) neither — rebuilding the month rebuilds only the main lists. Computed from
timestamps already stored (``PaymentAccount.created_at`` / ``status_changed_at`` / ``flags_cleared_at``,
``Beneficiary.updated_at``, ``ChangeSubmission.reviewed_at`` of accepted submissions, and ``AuditEvent.at`` of the
audit events ``entitlement.categories`` / ``entitlement.care`` write on a beneficiary when a further category or care
arrangement is added, ended or deleted — those rows have no timestamp of their own); read-only, four queries whatever
the number of lists.
"""
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import or_, select

from ...extensions import db
from ...models import (
    AuditEvent,
    Beneficiary,
    ChangeSubmission,
    EventStatus,
    ListStatus,
    PaymentAccount,
    PayoutList,
    RegistryEvent,
)
from ..entitlement.extras import AUDIT_PREFIXES

#: the states in which a list may be flagged (and rebuilt by the district)
OPEN_STATES = (ListStatus.DRAFT.value, ListStatus.RETURNED.value)


@dataclass(frozen=True)
class Staleness:
    """What changed in a list's commune after it was built (``built_at``, UTC): ``accounts`` people whose bank
    account changed, ``registry`` other people whose register entry changed; ``count`` people in all (a person
    counts once)."""

    built_at: datetime
    accounts: int
    registry: int

    @property
    def count(self) -> int:
        """People with a change after the build."""
        return self.accounts + self.registry

    @property
    def kinds(self) -> str:
        """"tài khoản", "biến động" or both, for the warning text."""
        return ", ".join(k for k, n in (("tài khoản", self.accounts), ("biến động", self.registry)) if n)


def _aware(value: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back: they are UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def may_be_stale(lst: PayoutList) -> bool:
    """True for the lists this module looks at: main (sequence 0) DRAFT or RETURNED lists."""
    return lst.status in OPEN_STATES and not lst.sequence


def staleness_by_list(lists) -> dict[int, Staleness]:
    """For each list of ``lists`` that ``may_be_stale`` and has changes after its ``prepared_at``: list id →
    ``Staleness``. Lists without changes (and confirmed / frozen / supplementary lists) are absent."""
    lists = [lst for lst in lists if may_be_stale(lst) and lst.prepared_at is not None]
    if not lists:
        return {}
    communes = {lst.commune_code for lst in lists}
    since = min(_aware(lst.prepared_at) for lst in lists)
    account_changes: list[tuple[str, int, datetime]] = []
    for commune, bid, *stamps in db.session.execute(
            select(Beneficiary.commune_code, PaymentAccount.beneficiary_id, PaymentAccount.created_at,
                   PaymentAccount.status_changed_at, PaymentAccount.flags_cleared_at)
            .join(Beneficiary, Beneficiary.id == PaymentAccount.beneficiary_id)
            .where(Beneficiary.commune_code.in_(communes),
                   or_(PaymentAccount.created_at > since, PaymentAccount.status_changed_at > since,
                       PaymentAccount.flags_cleared_at > since))):
        account_changes.append((commune, bid, max(_aware(s) for s in stamps if s is not None)))
    registry_changes: list[tuple[str, int, datetime]] = [
        (commune, bid, _aware(at)) for commune, bid, at in db.session.execute(
            select(Beneficiary.commune_code, Beneficiary.id, Beneficiary.updated_at)
            .where(Beneficiary.commune_code.in_(communes), Beneficiary.updated_at > since))]
    registry_changes += [(commune, bid, _aware(at)) for commune, bid, at in db.session.execute(
        select(RegistryEvent.commune_code, RegistryEvent.beneficiary_id, ChangeSubmission.reviewed_at)
        .join(ChangeSubmission, ChangeSubmission.id == RegistryEvent.submission_id)
        .where(RegistryEvent.commune_code.in_(communes), RegistryEvent.status == EventStatus.ACCEPTED.value,
               ChangeSubmission.reviewed_at > since))]
    registry_changes += [(commune, bid, _aware(at)) for commune, bid, at in db.session.execute(
        select(Beneficiary.commune_code, Beneficiary.id, AuditEvent.at)
        .join(Beneficiary, Beneficiary.id == AuditEvent.object_id)
        .where(AuditEvent.object_type == "beneficiary", Beneficiary.commune_code.in_(communes),
               AuditEvent.action.in_(("create", "update", "delete")), AuditEvent.at > since,
               or_(*(AuditEvent.summary.startswith(p, autoescape=True) for p in AUDIT_PREFIXES))))]
    out: dict[int, Staleness] = {}
    for lst in lists:
        built = _aware(lst.prepared_at)
        accounts = {bid for c, bid, at in account_changes if c == lst.commune_code and at > built}
        registry = {bid for c, bid, at in registry_changes if c == lst.commune_code and at > built} - accounts
        if accounts or registry:
            out[lst.id] = Staleness(built, len(accounts), len(registry))
    return out


def changes_since_build(lst: PayoutList) -> int:
    """How many people of ``lst``'s commune had a change (account or register) after ``lst`` was built; 0 for a
    list that is confirmed, approved or later, or supplementary (never flagged)."""
    found = staleness_by_list([lst]).get(lst.id)
    return found.count if found else 0
