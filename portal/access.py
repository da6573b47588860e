"""THE place for who may act (phân quyền theo nhiệm vụ và địa bàn).

- ``gate(duty)`` gives each role blueprint its single ``before_request`` check: logged in, and the user's
  organisation holds the duty. A new view in that blueprint is protected by construction.
- ``area_commune_codes(user)`` is the user's area; ``visible(Model)`` returns a ``select()`` already limited to it
  (one scoping function per model, ``SCOPES``); ``get_visible_or_404(Model, id)`` is the only way a view loads an
  area-bound row by id (out of area → 404).
- Named predicates decide who may act on one thing: ``in_area``, ``is_commune_of`` / ``is_list_commune``,
  ``is_assigned_post_office``, ``manages_payouts``, ``is_list_approver``, ``may_approve``, ``oversees``,
  ``opens_accounts``, ``is_bank``, ``covers``, ``is_contract_office``, ``is_contract_post_office``. Services call
  them and raise ``AccessDenied`` with their own Vietnamese message; templates get them as globals
  (``TEMPLATE_GLOBALS``).
- ``may_see(what, user)`` decides which personal fields a role sees (a bank never sees the category; HIV categories
  stay with the commune and district; CCCD and phone only for roles that work with them).

Everything here decides by *duty* and by the organisation's *unit level*, so the seed's three tiers (province →
district → commune) and the two-tier set-up since 7/2025 (province → commune, the commune committee holding
``intake`` and ``payout_management``) are both just data. The organisation's kind is read here and nowhere else,
and only for banks: a bank branch's area is its approved coverage whatever its duties (``is_bank``), and only a
bank branch holding ``account_opening`` records accounts (``opens_accounts``).
"""
from flask import abort, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from .extensions import db, htmx
from .models import (
    AdministrativeUnit,
    AuditEvent,
    Authorization,
    BankCoverage,
    Beneficiary,
    ChangeSubmission,
    Duty,
    Hamlet,
    IdentityCheck,
    ImportBatch,
    IssuedDocument,
    Job,
    ListStatus,
    Organization,
    OrgKind,
    PaymentAccount,
    PayoutLine,
    PayoutList,
    PayoutPointSession,
    RegistryEvent,
    ServiceContract,
    User,
)
from .models.registry import ACCOUNT_CHANNELS

#: blueprint name → the duty its users must hold; the home page sends a user to the first one they hold.
BLUEPRINT_DUTIES = {
    "commune": Duty.INTAKE,
    "bank": Duty.ACCOUNT_OPENING,
    "district": Duty.PAYOUT_MANAGEMENT,
    "post_office": Duty.PAYMENT_SERVICE,
    "province": Duty.OVERSIGHT,
    "police": Duty.ID_VERIFICATION,
    "rates": Duty.OVERSIGHT,  # after "province" too: the province's home page stays its overview
    "reference_admin": Duty.OVERSIGHT,  # after "province": the province's home page stays its overview
}


def login_redirect():
    """Send an anonymous user to the login page; htmx requests get ``HX-Redirect`` (pitfall 19)."""
    target = url_for("auth.login", next=request.full_path if request.method == "GET" else None)
    if htmx:
        return "", 401, {"HX-Redirect": target}
    return redirect(target)


def gate(duty: str):
    """Return a ``before_request`` function for a blueprint serving ``duty``: 401/redirect when anonymous,
    403 when the organisation lacks the duty."""
    return gate_any(duty)


def gate_any(*duties: str):
    """Like ``gate`` for a blueprint serving several duties (e.g. monthly reports: commune, district, province):
    the organisation must hold at least one of ``duties``."""

    def check():
        if not current_user.is_authenticated:
            return login_redirect()
        if not _holds_any(current_user.organization, *duties):
            abort(403)
        return None

    return check


def home_endpoint(user: User) -> str:
    """The endpoint of the user's main page (first blueprint whose duty the organisation holds)."""
    for bp, duty in BLUEPRINT_DUTIES.items():
        if user.organization.has_duty(duty):
            return f"{bp}.index"
    return "auth.no_duty"


#: Duties whose holders work with the register and the payout lists of their whole area (commune committee, payout
#: office, province department); the other duties see only what their work needs (see ``visible``).
AREA_DUTIES = (Duty.INTAKE, Duty.PAYOUT_MANAGEMENT, Duty.OVERSIGHT)


def _holds_any(org, *duties: str) -> bool:
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
    if _holds_any(org, *AREA_DUTIES):
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
    """IdentityCheck: commune, its police, payout office, province; RegistryEvent / ChangeSubmission: the same
    without the police."""
    org = user.organization
    if not (_holds_any(org, *AREA_DUTIES) or (model is IdentityCheck and org.has_duty(Duty.ID_VERIFICATION))):
        return _no_rows(model)
    return _in(select(model), model.commune_code, area_commune_codes(user))


def _hamlets(model, user):
    """Khóm/ấp lists: by area, like the register."""
    return _in(select(Hamlet), Hamlet.commune_code, area_commune_codes(user))


def _authorizations(model, user):
    """Letters carry the proxy's ID: via the beneficiary for the duties that work with the person (``intake``,
    ``payout_management``, ``account_opening``, ``payment_service``); not the police, not the province."""
    if not _holds_any(user.organization, Duty.INTAKE, Duty.PAYOUT_MANAGEMENT, Duty.ACCOUNT_OPENING,
                      Duty.PAYMENT_SERVICE):
        return _no_rows(Authorization)
    return _via_beneficiary(Authorization, user)


def _payout_point_sessions(model, user):
    """By area; a bank only its own sessions (in its approved coverage)."""
    stmt = _in(select(PayoutPointSession), PayoutPointSession.commune_code, area_commune_codes(user))
    return stmt.where(PayoutPointSession.bank_id == user.organization_id) if is_bank(user.organization) else stmt


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
    """AuditEvent / IssuedDocument: the organisation's own; ``oversight`` (the province department) the raw table
    (the public sees issued documents only through /xac-minh)."""
    if user.organization.has_duty(Duty.OVERSIGHT):
        return select(model)
    return select(model).where(model.organization_id == user.organization_id)


#: model → its scoping function ``(model, user) -> select(model)`` (see each function for the rule)
SCOPES = {
    Beneficiary: _beneficiaries, PaymentAccount: _via_beneficiary, PayoutList: _payout_lists,
    PayoutLine: _payout_lists, ImportBatch: _own_organization, Hamlet: _hamlets, IdentityCheck: _area_work,
    RegistryEvent: _area_work, ChangeSubmission: _area_work, Authorization: _authorizations,
    PayoutPointSession: _payout_point_sessions, Job: _jobs, ServiceContract: _service_contracts,
    IssuedDocument: _own_or_oversight, AuditEvent: _own_or_oversight,
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


# --------------------------------------------------------------------------------------------------------------------
# Who may act on one thing. Services call these and raise ``AccessDenied`` with their own message; templates get
# them as globals (``TEMPLATE_GLOBALS``). ``user`` is a ``User``; its organisation decides.
# --------------------------------------------------------------------------------------------------------------------


def in_area(user: User, commune_code: str) -> bool:
    """True when ``commune_code`` is in the user's area (``area_commune_codes``; the province department: all)."""
    area = area_commune_codes(user)
    return area is None or commune_code in set(db.session.execute(area).scalars())


def manages_payouts(user: User) -> bool:
    """True for the payout office (duty ``payout_management``: the district labour office, or the commune committee
    in the two-tier set-up): builds, approves and settles payout lists, clears account flags."""
    return _holds_any(user.organization, Duty.PAYOUT_MANAGEMENT)


def oversees(user: User) -> bool:
    """True for the province department (duty ``oversight``): rates, bank coverage decisions, reports."""
    return _holds_any(user.organization, Duty.OVERSIGHT)


def is_commune_of(user: User, commune_code: str) -> bool:
    """True for the commune committee of ``commune_code`` (duty ``intake``, seated at that commune): it confirms
    the commune's lists, disputes its people's accounts, resolves their death reports, certifies their letters."""
    org = user.organization
    return _holds_any(org, Duty.INTAKE) and org.unit_code == commune_code


def is_list_commune(user: User, payout_list: PayoutList) -> bool:
    """True for the commune committee of the list's commune (``is_commune_of``)."""
    return is_commune_of(user, payout_list.commune_code)


def is_assigned_post_office(user: User, payout_list: PayoutList) -> bool:
    """True for the post office (duty ``payment_service``) the list is assigned to (``post_office_id``): it accepts
    the list, records results, returns it before accepting."""
    org = user.organization
    return _holds_any(org, Duty.PAYMENT_SERVICE) and org.id == payout_list.post_office_id


def is_list_approver(user: User, payout_list: PayoutList) -> bool:
    """True for an approver (``User.is_approver``) of a payout office whose area holds the list's commune."""
    return manages_payouts(user) and user.is_approver and in_area(user, payout_list.commune_code)


def may_approve(user: User, payout_list: PayoutList) -> bool:
    """True when ``user`` could approve the list now: a list approver (``is_list_approver``) who did not prepare
    it, and the commune confirmed it (the page shows the button only then; ``payouts.workflow.approve_list``
    enforces the same rules with a message for each)."""
    return (payout_list.status == ListStatus.CONFIRMED and user.id != payout_list.prepared_by_id
            and is_list_approver(user, payout_list))


def opens_accounts(user: User) -> bool:
    """True for a bank branch holding ``account_opening``: it records accounts and registers its coverage."""
    org = user.organization
    return org.kind == OrgKind.BANK and org.has_duty(Duty.ACCOUNT_OPENING)


def covers(org: Organization, commune_code: str) -> bool:
    """True when the bank ``org`` has approved coverage (địa bàn phụ trách) of ``commune_code``."""
    return db.session.execute(select(BankCoverage.bank_id).where(
        BankCoverage.bank_id == org.id, BankCoverage.commune_code == commune_code,
        BankCoverage.status == "approved")).first() is not None


def bank_ids():
    """Ids of the bank branches, as a scalar ``select`` (for ``IN``): e.g. accounts recorded by a bank."""
    return select(Organization.id).where(Organization.kind == OrgKind.BANK)


def is_contract_office(user: User, contract: ServiceContract) -> bool:
    """True for the payout office that drafted the service contract (bên A)."""
    return contract.district_org_id == user.organization_id


def is_contract_post_office(user: User, contract: ServiceContract) -> bool:
    """True for the post office that is party to the service contract (bên B)."""
    return contract.post_office_id == user.organization_id


#: Who sees which personal field (``may_see``), by duty. Commune committee = ``intake``, payout office (district
#: labour office, or the commune committee in the two-tier set-up) = ``payout_management``, province department =
#: ``oversight``, bank = ``account_opening``, post office = ``payment_service``, police = ``id_verification``.
SEE_RULES = {
    "category": (Duty.INTAKE, Duty.PAYOUT_MANAGEMENT, Duty.OVERSIGHT),
    "sensitive_category": (Duty.INTAKE, Duty.PAYOUT_MANAGEMENT),
    "guardian_name": (Duty.INTAKE, Duty.PAYOUT_MANAGEMENT, Duty.ACCOUNT_OPENING, Duty.ID_VERIFICATION,
                      Duty.PAYMENT_SERVICE),
    "phone": (Duty.INTAKE, Duty.PAYOUT_MANAGEMENT, Duty.ACCOUNT_OPENING, Duty.ID_VERIFICATION),
    "guardian": (Duty.INTAKE, Duty.PAYOUT_MANAGEMENT, Duty.ACCOUNT_OPENING, Duty.ID_VERIFICATION),
    "national_id": (Duty.INTAKE, Duty.PAYOUT_MANAGEMENT, Duty.ACCOUNT_OPENING, Duty.ID_VERIFICATION,
                    Duty.PAYMENT_SERVICE),
    "account": (Duty.INTAKE, Duty.PAYOUT_MANAGEMENT, Duty.ACCOUNT_OPENING, Duty.PAYMENT_SERVICE),
}


def may_see(what: str, user: User | None = None, beneficiary: Beneficiary | None = None) -> bool:
    """Personal-data rule, by the duties of the user's organisation (``SEE_RULES``). ``what`` is one of
    ``national_id``, ``phone``, ``category``, ``guardian``, ``guardian_name``, ``account``; raises LookupError
    otherwise.

    - category: commune, payout office, province; a sensitive (HIV) category only commune and payout office.
    - national_id, phone, guardian: commune, payout office, bank, police (they work with the person); post office
      sees the ID on lists it pays (``national_id``) but not the phone; province sees neither.
    - account: commune, payout office, bank, post office.
    - guardian_name: the name (and relationship) of who receives the money for the person — as ``guardian``, plus
      the post office, which pays that person on cash lists (reference §2.3: cash lists show Người nhận thay)."""
    user = user or current_user
    if what not in SEE_RULES or what == "sensitive_category":
        raise LookupError(what)
    if what == "category" and beneficiary is not None and beneficiary.category and beneficiary.category.sensitive:
        what = "sensitive_category"
    return _holds_any(user.organization, *SEE_RULES[what])


#: The predicates templates use, by name (the app adds them to the Jinja globals): ``{% if may_approve(current_user,
#: lst) %}``.
TEMPLATE_GLOBALS = {f.__name__: f for f in (
    may_see, in_area, manages_payouts, oversees, is_commune_of, is_list_commune, is_assigned_post_office,
    is_list_approver, may_approve, opens_accounts, is_contract_office, is_contract_post_office)}
