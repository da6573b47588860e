"""THE place for duties and area scoping (phân quyền theo nhiệm vụ và địa bàn).

- ``gate(duty)`` gives each role blueprint its single ``before_request`` check: logged in, and the user's
  organisation holds the duty. A new view in that blueprint is protected by construction.
- ``area_commune_codes(user)`` is the user's area; ``visible(Model)`` returns a ``select()`` already limited to it;
  ``get_visible_or_404(Model, id)`` is the only way a view loads an area-bound row by id (out of area → 404).
- ``may_see(user, what)`` decides which personal fields a role sees (a bank never sees the category; HIV categories
  stay with the commune and district; CCCD and phone only for roles that work with them).
- ``serving_organization(unit_code, duty)`` (``serving_organizations`` for many) finds who serves a unit (e.g. the
  post office paying a commune): the organisation holding the duty seated at the unit itself or at its nearest
  ancestor.

Everything here decides by *duty* and by the organisation's *unit level*, never by its kind, so the seed's three
tiers (province → district → commune) and the two-tier set-up since 7/2025 (province → commune, the commune
committee holding ``intake`` and ``payout_management``) are both just data. The only kind still read is
``OrgKind.BANK``, and only to narrow: a bank branch's area is its approved coverage, whatever its duties.
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
    PaymentChannel,
    PayoutLine,
    PayoutList,
    PayoutPointSession,
    RegistryEvent,
    ServiceContract,
    User,
)

ACCOUNT_CHANNELS = [c.value for c in PaymentChannel if c.is_account]

#: blueprint name → the duty its users must hold; the home page sends a user to the first one they hold.
BLUEPRINT_DUTIES = {
    "commune": Duty.INTAKE,
    "bank": Duty.ACCOUNT_OPENING,
    "district": Duty.PAYOUT_MANAGEMENT,
    "post_office": Duty.PAYMENT_SERVICE,
    "province": Duty.OVERSIGHT,
    "police": Duty.ID_VERIFICATION,
    "rates": Duty.OVERSIGHT,  # after "province" too (rates as data, issue #4)
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

    def check():
        if not current_user.is_authenticated:
            return login_redirect()
        if not current_user.organization.has_duty(duty):
            abort(403)
        return None

    return check


def gate_any(*duties: str):
    """Like ``gate`` for a blueprint serving several duties (e.g. monthly reports: commune, district, province):
    the organisation must hold at least one of ``duties``."""

    def check():
        if not current_user.is_authenticated:
            return login_redirect()
        if not any(current_user.organization.has_duty(d) for d in duties):
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
    return any(org.has_duty(d) for d in duties)


def _is_bank(org) -> bool:
    """A bank branch (account opening): its area is its coverage and it sees only account-channel beneficiaries.
    Kind or duty: either one narrows."""
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
    if _is_bank(org):
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


def visible(model, user: User | None = None):
    """A ``select(model)`` limited to what ``user`` (default: the current user) may see, by the organisation's
    duties and area (``area_commune_codes``).

    Beneficiary: area; for a bank only those who chose an account channel. PaymentAccount: via its beneficiary.
    PayoutList / PayoutLine: area for ``intake``, ``payout_management`` and ``oversight``; ``payment_service`` (post
    office) only the lists assigned to it from approval on; nobody else.
    IdentityCheck: area for those duties and ``id_verification`` (police); RegistryEvent / ChangeSubmission: area
    for those duties only. Authorization: via the beneficiary for the duties that work with the person
    (``intake``, ``payout_management``, ``account_opening``, ``payment_service``). ServiceContract: the payout office
    that drafts it (``district_org_id``), its post office once issued, ``oversight`` all.
    ImportBatch: only the organisation that uploaded it.
    AuditEvent / IssuedDocument: the organisation's own; ``oversight`` (the province department) the raw table."""
    user = user or current_user
    area = area_commune_codes(user)
    org = user.organization
    if model is Beneficiary:
        stmt = select(Beneficiary)
        if area is not None:
            stmt = stmt.where(Beneficiary.commune_code.in_(area))
        if _is_bank(org):
            stmt = stmt.where(Beneficiary.payment_channel.in_(ACCOUNT_CHANNELS))
        return stmt
    if model is PaymentAccount:
        return select(PaymentAccount).where(PaymentAccount.beneficiary_id.in_(
            visible(Beneficiary, user).with_only_columns(Beneficiary.id)))
    if model in (PayoutList, PayoutLine):
        lists = select(PayoutList.id)
        if area is not None:
            lists = lists.where(PayoutList.commune_code.in_(area))
        if _holds_any(org, *AREA_DUTIES):
            pass
        elif org.has_duty(Duty.PAYMENT_SERVICE):
            frozen = [s.value for s in ListStatus if s.frozen]
            lists = lists.where(PayoutList.post_office_id == org.id, PayoutList.status.in_(frozen))
        else:  # bank, police
            lists = lists.where(False)
        if model is PayoutList:
            return select(PayoutList).where(PayoutList.id.in_(lists))
        return select(PayoutLine).where(PayoutLine.payout_list_id.in_(lists))
    if model is ImportBatch:
        return select(ImportBatch).where(ImportBatch.organization_id == org.id)
    if model is Hamlet:  # khóm/ấp lists: by area, like the register (issue #3)
        return select(Hamlet) if area is None else select(Hamlet).where(Hamlet.commune_code.in_(area))
    if model in (IdentityCheck, RegistryEvent, ChangeSubmission):
        # identity checks: commune, its police, payout office, province; events and submissions: not the police
        stmt = select(model)
        if not (_holds_any(org, *AREA_DUTIES)
                or (model is IdentityCheck and org.has_duty(Duty.ID_VERIFICATION))):
            return stmt.where(False)
        return stmt if area is None else stmt.where(model.commune_code.in_(area))
    if model is Authorization:  # letters carry the proxy's ID: not for the police or the province
        if not _holds_any(org, Duty.INTAKE, Duty.PAYOUT_MANAGEMENT, Duty.ACCOUNT_OPENING, Duty.PAYMENT_SERVICE):
            return select(Authorization).where(False)
        return select(Authorization).where(Authorization.beneficiary_id.in_(
            visible(Beneficiary, user).with_only_columns(Beneficiary.id)))
    if model is PayoutPointSession:  # a bank sees its own sessions in approved coverage; others by area
        stmt = select(PayoutPointSession)
        if area is not None:
            stmt = stmt.where(PayoutPointSession.commune_code.in_(area))
        if _is_bank(org):
            stmt = stmt.where(PayoutPointSession.bank_id == org.id)
        return stmt
    if model is Job:  # background jobs: the user who started it and their organisation
        return select(Job).where((Job.user_id == user.id) | (Job.owner_org_id == org.id))
    if model is ServiceContract:  # the payout office that drafts it, its post office once issued, the province
        stmt = select(ServiceContract)
        if org.has_duty(Duty.OVERSIGHT):
            return stmt
        mine = ServiceContract.district_org_id == org.id
        if org.has_duty(Duty.PAYMENT_SERVICE):
            mine = mine | ((ServiceContract.post_office_id == org.id) & (ServiceContract.status != "draft"))
        return stmt.where(mine)
    if model is IssuedDocument:  # the issuing organisation and the province (the public sees only /xac-minh)
        stmt = select(IssuedDocument)
        return stmt if org.has_duty(Duty.OVERSIGHT) else stmt.where(IssuedDocument.organization_id == org.id)
    if model is AuditEvent:
        stmt = select(AuditEvent)
        return stmt if org.has_duty(Duty.OVERSIGHT) else stmt.where(AuditEvent.organization_id == org.id)
    raise LookupError(f"visible() does not know {model.__name__}")


def get_visible_or_404(model, ident: int, user: User | None = None):
    """Load one row by primary key through ``visible``; anything outside the area answers 404."""
    row = db.session.execute(visible(model, user).where(model.id == ident)).scalar_one_or_none()
    if row is None:
        abort(404)
    return row


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
