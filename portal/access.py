"""THE place for duties and area scoping (phân quyền theo nhiệm vụ và địa bàn).

- ``gate(duty)`` gives each role blueprint its single ``before_request`` check: logged in, and the user's
  organisation holds the duty. A new view in that blueprint is protected by construction.
- ``area_commune_codes(user)`` is the user's area; ``visible(Model)`` returns a ``select()`` already limited to it;
  ``get_visible_or_404(Model, id)`` is the only way a view loads an area-bound row by id (out of area → 404).
- ``may_see(user, what)`` decides which personal fields a role sees (a bank never sees the category; HIV categories
  stay with the commune and district; CCCD and phone only for roles that work with them).
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


def area_commune_codes(user: User):
    """Commune codes in the user's area as a scalar ``select`` (for ``IN``), or None for the whole province.

    Commune committee and police: their commune. District office and post office: the communes of their district.
    Bank branch: the communes it covers (BankCoverage). Province: everything."""
    org = user.organization
    if org.kind in (OrgKind.COMMUNE, OrgKind.POLICE):
        return select(AdministrativeUnit.code).where(AdministrativeUnit.code == org.unit_code)
    if org.kind in (OrgKind.DISTRICT, OrgKind.POST_OFFICE):
        return select(AdministrativeUnit.code).where(AdministrativeUnit.parent_code == org.unit_code)
    if org.kind == OrgKind.BANK:
        return select(BankCoverage.commune_code).where(BankCoverage.bank_id == org.id,
                                                       BankCoverage.status == "approved")
    if org.kind == OrgKind.PROVINCE:
        return None
    return select(AdministrativeUnit.code).where(False)


def visible(model, user: User | None = None):
    """A ``select(model)`` limited to what ``user`` (default: the current user) may see.

    Beneficiary: area; for a bank only those who chose an account channel. PaymentAccount: via its beneficiary.
    PayoutList / PayoutLine: area; a post office sees only lists assigned to it from approval on.
    ImportBatch: only the organisation that uploaded it.
    AuditEvent: events on rows the user can see are fetched through those rows, so only the province sees the
    raw table."""
    user = user or current_user
    area = area_commune_codes(user)
    org = user.organization
    if model is Beneficiary:
        stmt = select(Beneficiary)
        if area is not None:
            stmt = stmt.where(Beneficiary.commune_code.in_(area))
        if org.kind == OrgKind.BANK:
            stmt = stmt.where(Beneficiary.payment_channel.in_(ACCOUNT_CHANNELS))
        return stmt
    if model is PaymentAccount:
        return select(PaymentAccount).where(PaymentAccount.beneficiary_id.in_(
            visible(Beneficiary, user).with_only_columns(Beneficiary.id)))
    if model in (PayoutList, PayoutLine):
        lists = select(PayoutList.id)
        if area is not None:
            lists = lists.where(PayoutList.commune_code.in_(area))
        if org.kind == OrgKind.POST_OFFICE:
            frozen = [s.value for s in ListStatus if s.frozen]
            lists = lists.where(PayoutList.post_office_id == org.id, PayoutList.status.in_(frozen))
        if org.kind in (OrgKind.BANK, OrgKind.POLICE):
            lists = lists.where(False)
        if model is PayoutList:
            return select(PayoutList).where(PayoutList.id.in_(lists))
        return select(PayoutLine).where(PayoutLine.payout_list_id.in_(lists))
    if model is ImportBatch:
        return select(ImportBatch).where(ImportBatch.organization_id == org.id)
    if model is Hamlet:  # khóm/ấp lists: by area, like the register (issue #3)
        return select(Hamlet) if area is None else select(Hamlet).where(Hamlet.commune_code.in_(area))
    if model in (IdentityCheck, RegistryEvent, ChangeSubmission):
        # identity checks: commune, its police, district, province; events and submissions: not the police
        stmt = select(model)
        if org.kind in (OrgKind.BANK, OrgKind.POST_OFFICE) or (org.kind == OrgKind.POLICE and model is not IdentityCheck):
            return stmt.where(False)
        return stmt if area is None else stmt.where(model.commune_code.in_(area))
    if model is Authorization:  # letters carry the proxy's ID: not for the police or the province
        if org.kind in (OrgKind.POLICE, OrgKind.PROVINCE):
            return select(Authorization).where(False)
        return select(Authorization).where(Authorization.beneficiary_id.in_(
            visible(Beneficiary, user).with_only_columns(Beneficiary.id)))
    if model is PayoutPointSession:  # a bank sees its own sessions in approved coverage; others by area
        stmt = select(PayoutPointSession)
        if area is not None:
            stmt = stmt.where(PayoutPointSession.commune_code.in_(area))
        if org.kind == OrgKind.BANK:
            stmt = stmt.where(PayoutPointSession.bank_id == org.id)
        return stmt
    if model is Job:  # background jobs: the user who started it and their organisation
        return select(Job).where((Job.user_id == user.id) | (Job.owner_org_id == org.id))
    if model is ServiceContract:  # the district office that drafts it, its post office once issued, the province
        stmt = select(ServiceContract)
        if org.kind == OrgKind.PROVINCE:
            return stmt
        if org.kind == OrgKind.POST_OFFICE:
            return stmt.where(ServiceContract.post_office_id == org.id, ServiceContract.status != "draft")
        return stmt.where(ServiceContract.district_org_id == org.id)
    if model is IssuedDocument:  # the issuing organisation and the province (the public sees only /xac-minh)
        stmt = select(IssuedDocument)
        return stmt if org.kind == OrgKind.PROVINCE else stmt.where(IssuedDocument.organization_id == org.id)
    if model is AuditEvent:
        stmt = select(AuditEvent)
        return stmt if org.kind == OrgKind.PROVINCE else stmt.where(AuditEvent.organization_id == org.id)
    raise LookupError(f"visible() does not know {model.__name__}")


def get_visible_or_404(model, ident: int, user: User | None = None):
    """Load one row by primary key through ``visible``; anything outside the area answers 404."""
    row = db.session.execute(visible(model, user).where(model.id == ident)).scalar_one_or_none()
    if row is None:
        abort(404)
    return row


def may_see(what: str, user: User | None = None, beneficiary: Beneficiary | None = None) -> bool:
    """Personal-data rule. ``what`` is one of ``national_id``, ``phone``, ``category``, ``guardian``, ``account``.

    - category: commune, district, province; a sensitive (HIV) category only commune and district.
    - national_id, phone, guardian: commune, district, bank, police (they work with the person); post office sees
      the ID on lists it pays (``national_id``) but not the phone; province sees neither.
    - account: commune, district, bank, post office.
    - guardian_name: the name (and relationship) of who receives the money for the person — as ``guardian``, plus
      the post office, which pays that person on cash lists (reference §2.3: cash lists show Người nhận thay)."""
    user = user or current_user
    kind = user.organization.kind
    if what == "category":
        if beneficiary is not None and beneficiary.category and beneficiary.category.sensitive:
            return kind in (OrgKind.COMMUNE, OrgKind.DISTRICT)
        return kind in (OrgKind.COMMUNE, OrgKind.DISTRICT, OrgKind.PROVINCE)
    if what == "guardian_name":
        return kind in (OrgKind.COMMUNE, OrgKind.DISTRICT, OrgKind.BANK, OrgKind.POLICE, OrgKind.POST_OFFICE)
    if what in ("phone", "guardian"):
        return kind in (OrgKind.COMMUNE, OrgKind.DISTRICT, OrgKind.BANK, OrgKind.POLICE)
    if what == "national_id":
        return kind in (OrgKind.COMMUNE, OrgKind.DISTRICT, OrgKind.BANK, OrgKind.POLICE, OrgKind.POST_OFFICE)
    if what == "account":
        return kind in (OrgKind.COMMUNE, OrgKind.DISTRICT, OrgKind.BANK, OrgKind.POST_OFFICE)
    raise LookupError(what)
