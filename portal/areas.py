"""Areas (địa bàn): which communes an organisation covers and the queries limited to them.

- ``area_commune_codes(user)`` is the user's area: by the organisation's seat (a commune, a district's communes, a
  province) or, for a bank branch, its approved coverage (``is_bank``).
- ``visible(Model)`` returns a ``select()`` already limited to the user's area, one scoping function per model
  (``SCOPES``); ``get_visible_or_404(Model, id)`` is the only way a view loads an area-bound row by id (out of area →
  404). Who may *act* on a row once loaded is decided by the predicates of ``portal.access``.

Everything here decides by duty and by the organisation's unit level, so the seed's three tiers and the two-tier
set-up since 7/2025 are both just data; the organisation's kind is read only to recognise a bank branch.
"""
from flask import abort
from flask_login import current_user
from sqlalchemy import and_, or_, select

from .extensions import db
from .models import (
    AdministrativeUnit,
    AuditEvent,
    Authorization,
    BankCoverage,
    Beneficiary,
    ChangeSubmission,
    Complaint,
    Duty,
    Hamlet,
    IdentityCheck,
    ImportBatch,
    IssuedDocument,
    Job,
    ListStatus,
    Notice,
    Organization,
    OrgKind,
    PaymentAccount,
    PayoutLine,
    PayoutList,
    PayoutPointSession,
    PensionRequest,
    RegistryEvent,
    ServiceContract,
    User,
)
from .models.registry import ACCOUNT_CHANNELS

#: Duties whose holders work with the register and the payout lists of their whole area (commune committee, payout
#: office, province department); the other duties see only what their work needs (see ``visible``).
AREA_DUTIES = (Duty.INTAKE, Duty.PAYOUT_MANAGEMENT, Duty.OVERSIGHT)


def holds_any(org, *duties: str) -> bool:
    """True when organisation ``org`` (None: nobody) holds at least one of ``duties``."""
    return org is not None and any(org.has_duty(d) for d in duties)


def is_bank(org: Organization) -> bool:
    """True for a bank branch: its area is its approved coverage and it sees only account-channel beneficiaries.
    Kind or duty (``account_opening``): either one narrows."""
    return org.kind == OrgKind.BANK or org.has_duty(Duty.ACCOUNT_OPENING)


def communes_under(unit_code: str):
    """Codes of the communes at or under ``unit_code`` as a scalar ``select``: the commune itself, the communes of
    a district, or every commune of a province (directly under it in the two-tier tree since 7/2025, or through
    its districts in the 2024 tree)."""
    code, parent = AdministrativeUnit.code, AdministrativeUnit.parent_code
    below = select(AdministrativeUnit.code).where(AdministrativeUnit.parent_code == unit_code)
    return select(code).where(AdministrativeUnit.level == "commune",
                              (code == unit_code) | (parent == unit_code) | parent.in_(below))


def org_commune_codes(org):
    """The area of organisation ``org`` (see ``area_commune_codes``)."""
    if is_bank(org):
        return select(BankCoverage.commune_code).where(BankCoverage.bank_id == org.id,
                                                       BankCoverage.status == "approved")
    level = org.unit.level if org.unit is not None else None
    if level == "commune":
        return select(AdministrativeUnit.code).where(AdministrativeUnit.code == org.unit_code)
    if level == "district":
        return select(AdministrativeUnit.code).where(AdministrativeUnit.parent_code == org.unit_code,
                                                     AdministrativeUnit.level == "commune")
    if level == "province":
        return None if org.has_duty(Duty.OVERSIGHT) else communes_under(org.unit_code)
    return select(AdministrativeUnit.code).where(False)


def area_commune_codes(user: User):
    """Commune codes in the user's area as a scalar ``select`` (for ``IN``), or None for the whole province.

    By the organisation's seat (unit level), not its kind: seated at a commune → that commune (commune committee,
    its police, a commune post office, a two-tier commune committee managing payouts); at a district → the
    district's communes (district office, district post office); at a province → every commune of the province,
    given as None (no filter) for the province department (``oversight``) as callers expect. A bank branch
    (``account_opening``): the communes of its approved coverage (BankCoverage)."""
    return org_commune_codes(user.organization)


def _no_rows(model):
    return select(model).where(False)


def _in(stmt, column, area):
    """``stmt`` limited to rows whose ``column`` is in ``area`` (None: the whole province, no filter)."""
    return stmt if area is None else stmt.where(column.in_(area))


def _beneficiaries(model, user):
    """Area; a bank only those who chose an account channel."""
    stmt = _in(select(Beneficiary), Beneficiary.commune_code, area_commune_codes(user))
    return stmt.where(Beneficiary.payment_channel.in_(ACCOUNT_CHANNELS)) if is_bank(user.organization) else stmt


def _via_beneficiary(model, user):
    """PaymentAccount: the accounts of the visible beneficiaries."""
    return select(model).where(model.beneficiary_id.in_(visible(Beneficiary, user).with_only_columns(Beneficiary.id)))


def _payout_lists(model, user):
    """PayoutList / PayoutLine: area for ``intake``, ``payout_management`` and ``oversight``; the post office
    (``payment_service``) only the lists assigned to it from approval on; nobody else (bank, police)."""
    org = user.organization
    lists = _in(select(PayoutList.id), PayoutList.commune_code, area_commune_codes(user))
    if holds_any(org, *AREA_DUTIES):
        pass
    elif org.has_duty(Duty.PAYMENT_SERVICE):
        frozen = [s.value for s in ListStatus if s.frozen]
        lists = lists.where(PayoutList.post_office_id == org.id, PayoutList.status.in_(frozen))
    else:
        lists = lists.where(False)
    if model is PayoutList:
        return select(PayoutList).where(PayoutList.id.in_(lists))
    return select(PayoutLine).where(PayoutLine.payout_list_id.in_(lists))


def _area_work(model, user):
    """IdentityCheck: commune, its police, payout office, province; RegistryEvent / ChangeSubmission /
    PensionRequest: the same without the police."""
    org = user.organization
    if not (holds_any(org, *AREA_DUTIES) or (model is IdentityCheck and org.has_duty(Duty.ID_VERIFICATION))):
        return _no_rows(model)
    return _in(select(model), model.commune_code, area_commune_codes(user))


def _hamlets(model, user):
    """Khóm/ấp lists: by area, like the register."""
    return _in(select(Hamlet), Hamlet.commune_code, area_commune_codes(user))


def _authorizations(model, user):
    """Letters carry the proxy's ID: via the beneficiary for the duties that work with the person (``intake``,
    ``payout_management``, ``account_opening``, ``payment_service``); not the police, not the province."""
    if not holds_any(user.organization, Duty.INTAKE, Duty.PAYOUT_MANAGEMENT, Duty.ACCOUNT_OPENING,
                      Duty.PAYMENT_SERVICE):
        return _no_rows(Authorization)
    return _via_beneficiary(Authorization, user)


def _payout_point_sessions(model, user):
    """By area; a bank only its own sessions (in its approved coverage)."""
    stmt = _in(select(PayoutPointSession), PayoutPointSession.commune_code, area_commune_codes(user))
    return stmt.where(PayoutPointSession.bank_id == user.organization_id) if is_bank(user.organization) else stmt


def _complaints(model, user):
    """Complaints: by area for ``intake``, ``payout_management`` and ``oversight`` (overdue ones included); a bank
    or post office only those it received or that are routed to it."""
    org = user.organization
    if holds_any(org, *AREA_DUTIES) and not is_bank(org):
        return _in(select(Complaint), Complaint.commune_code, area_commune_codes(user))
    return select(Complaint).where((Complaint.assigned_org_id == org.id) | (Complaint.received_org_id == org.id))


def _notices(model, user):
    """Messages to beneficiaries: by area for ``intake``, ``payout_management`` and ``oversight``; nobody else."""
    if not holds_any(user.organization, *AREA_DUTIES) or is_bank(user.organization):
        return _no_rows(model)
    return _in(select(Notice), Notice.commune_code, area_commune_codes(user))


def _jobs(model, user):
    """Background jobs: the user who started it and their organisation."""
    return select(Job).where((Job.user_id == user.id) | (Job.owner_org_id == user.organization_id))


def _service_contracts(model, user):
    """The payout office that drafts it (``district_org_id``), its post office once issued, ``oversight`` all."""
    org = user.organization
    if org.has_duty(Duty.OVERSIGHT):
        return select(ServiceContract)
    mine = ServiceContract.district_org_id == org.id
    if org.has_duty(Duty.PAYMENT_SERVICE):
        mine = mine | ((ServiceContract.post_office_id == org.id) & (ServiceContract.status != "draft"))
    return select(ServiceContract).where(mine)


def _own_organization(model, user):
    """ImportBatch: only the organisation that uploaded it."""
    return select(model).where(model.organization_id == user.organization_id)


def _own_or_oversight(model, user):
    """AuditEvent: the organisation's own; ``oversight`` (the province department) the raw table
    (the public sees issued documents only through /xac-minh)."""
    if user.organization.has_duty(Duty.OVERSIGHT):
        return select(model)
    return select(model).where(model.organization_id == user.organization_id)


def _issued_documents(model, user):
    """IssuedDocument: the organisation's own; ``oversight`` (the province department) the raw table; an office
    managing payouts (a district labour office) also the monthly reports its area's communes sent it (báo cáo đã
    nhận). The public sees issued documents only through /xac-minh."""
    if user.organization.has_duty(Duty.OVERSIGHT):
        return select(model)
    mine = model.organization_id == user.organization_id
    area = area_commune_codes(user)
    if user.organization.has_duty(Duty.PAYOUT_MANAGEMENT) and area is not None:
        senders = select(Organization.id).where(Organization.kind == OrgKind.COMMUNE, Organization.unit_code.in_(area))
        mine = or_(mine, and_(model.kind == "monthly_report", model.organization_id.in_(senders)))
    return select(model).where(mine)


#: model → its scoping function ``(model, user) -> select(model)`` (see each function for the rule)
SCOPES = {
    Beneficiary: _beneficiaries, PaymentAccount: _via_beneficiary, PayoutList: _payout_lists,
    PayoutLine: _payout_lists, ImportBatch: _own_organization, Hamlet: _hamlets, IdentityCheck: _area_work,
    RegistryEvent: _area_work, ChangeSubmission: _area_work, PensionRequest: _area_work, Authorization: _authorizations,
    PayoutPointSession: _payout_point_sessions, Job: _jobs, ServiceContract: _service_contracts,
    IssuedDocument: _issued_documents, AuditEvent: _own_or_oversight, Complaint: _complaints,
    Notice: _notices,
}


def visible(model, user: User | None = None):
    """A ``select(model)`` limited to what ``user`` (default: the current user) may see, by the organisation's
    duties and area (``area_commune_codes``); the rule of each model is its function in ``SCOPES``. Raises
    LookupError for a model without one."""
    scope = SCOPES.get(model)
    if scope is None:
        raise LookupError(f"visible() does not know {model.__name__}")
    return scope(model, user or current_user)


def get_visible_or_404(model, ident: int, user: User | None = None):
    """Load one row by primary key through ``visible``; anything outside the area answers 404."""
    row = db.session.execute(visible(model, user).where(model.id == ident)).scalar_one_or_none()
    if row is None:
        abort(404)
    return row


