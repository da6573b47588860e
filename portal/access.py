"""THE place for who may act (phân quyền theo nhiệm vụ và địa bàn).

- ``gate(duty)`` gives each role blueprint its single ``before_request`` check: logged in, and the user's
  organisation holds the duty. A new view in that blueprint is protected by construction.
- ``area_commune_codes(user)`` is the user's area; ``visible(Model)`` returns a ``select()`` already limited to it
  (one scoping function per model, ``SCOPES``); ``get_visible_or_404(Model, id)`` is the only way a view loads an
  area-bound row by id (out of area → 404).
- Named predicates decide who may act on one thing: ``in_area``, ``is_commune_of`` / ``is_list_commune``,
  ``is_assigned_post_office``, ``manages_payouts``, ``accepts_changes``, ``is_list_approver``, ``may_approve``,
  ``oversees``, ``opens_accounts``, ``checks_accounts``, ``is_bank``, ``covers``, ``signs_contracts``,
  ``is_contract_office``, ``is_contract_post_office``. Services call them and raise ``AccessDenied`` with their own
  Vietnamese message; templates get them as globals (``TEMPLATE_GLOBALS``).
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

from .areas import area_commune_codes, holds_any
from .extensions import db, htmx
from .models import (
    BankCoverage,
    Beneficiary,
    Complaint,
    Duty,
    ListStatus,
    Organization,
    OrgKind,
    PayoutList,
    ServiceContract,
    User,
)

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
        if not holds_any(current_user.organization, *duties):
            abort(403)
        return None

    return check


def home_endpoint(user: User) -> str:
    """The endpoint of the user's main page (first blueprint whose duty the organisation holds)."""
    for bp, duty in BLUEPRINT_DUTIES.items():
        if user.organization.has_duty(duty):
            return f"{bp}.index"
    return "auth.no_duty"


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
    return holds_any(user.organization, Duty.PAYOUT_MANAGEMENT)


def accepts_changes(user: User) -> bool:
    """True for who reviews (accepts or returns) the communes' monthly change lists (danh sách biến động): the payout
    office (``manages_payouts``). Where that office is the commune committee itself (duty ``intake`` too: the
    two-tier set-up since 7/2025, Nghị định 147/2025/NĐ-CP), whose officer sends the lists, only its chairman or
    vice-chairman (``User.is_approver``) reviews them — four eyes, as for payout lists."""
    return manages_payouts(user) and (bool(user.is_approver) or not holds_any(user.organization, Duty.INTAKE))


def oversees(user: User) -> bool:
    """True for the province department (duty ``oversight``): rates, bank coverage decisions, reports."""
    return holds_any(user.organization, Duty.OVERSIGHT)


def provides_payment(user: User) -> bool:
    """True for the payment provider (duty ``payment_service``: the post office): it accepts lists, pays, reports."""
    return holds_any(user.organization, Duty.PAYMENT_SERVICE)


def is_commune_of(user: User, commune_code: str) -> bool:
    """True for the commune committee of ``commune_code`` (duty ``intake``, seated at that commune): it confirms
    the commune's lists, disputes its people's accounts, resolves their death reports, certifies their letters."""
    org = user.organization
    return holds_any(org, Duty.INTAKE) and org.unit_code == commune_code


def decides_social_pension(user: User, commune_code: str) -> bool:
    """True for the chairman or vice-chairman (``User.is_approver``) of the commune committee of ``commune_code``:
    decides the commune's social-pension requests (Decree 176/2025 Art. 6)."""
    return is_commune_of(user, commune_code) and bool(user.is_approver)


def is_list_commune(user: User, payout_list: PayoutList) -> bool:
    """True for the commune committee of the list's commune (``is_commune_of``)."""
    return is_commune_of(user, payout_list.commune_code)


def is_assigned_post_office(user: User, payout_list: PayoutList) -> bool:
    """True for the post office (duty ``payment_service``) the list is assigned to (``post_office_id``): it accepts
    the list, records results, returns it before accepting."""
    org = user.organization
    return holds_any(org, Duty.PAYMENT_SERVICE) and org.id == payout_list.post_office_id


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


def checks_accounts(user: User) -> bool:
    """True for who runs the monthly account check before transfers (Công văn 5234/LĐTBXH-TT): the commune
    committee (``intake``), the payout office (``payout_management``) and a bank branch (``account_opening``)."""
    return holds_any(user.organization, Duty.INTAKE, Duty.PAYOUT_MANAGEMENT, Duty.ACCOUNT_OPENING)


def covers(org: Organization, commune_code: str) -> bool:
    """True when the bank ``org`` has approved coverage (địa bàn phụ trách) of ``commune_code``."""
    return db.session.execute(select(BankCoverage.bank_id).where(
        BankCoverage.bank_id == org.id, BankCoverage.commune_code == commune_code,
        BankCoverage.status == "approved")).first() is not None


def bank_ids():
    """Ids of the bank branches, as a scalar ``select`` (for ``IN``): e.g. accounts recorded by a bank."""
    return select(Organization.id).where(Organization.kind == OrgKind.BANK)


def signs_contracts(user: User) -> bool:
    """True when the user's organisation holds ``post_office_contract`` (ký hợp đồng dịch vụ chi trả với bưu điện),
    as the competence rules in force give it: the district labour office until 30/6/2025 (Nghị định 20/2021/NĐ-CP),
    the commune committee from 1/7/2025 (Nghị định 147/2025/NĐ-CP)."""
    return holds_any(user.organization, Duty.POST_OFFICE_CONTRACT)


def is_contract_office(user: User, contract: ServiceContract) -> bool:
    """True for the office that drafted the service contract (bên A) while it still holds ``post_office_contract``
    (``signs_contracts``): a district office stripped of the duty by the reform no longer acts on its contracts."""
    return contract.district_org_id == user.organization_id and signs_contracts(user)


def is_contract_post_office(user: User, contract: ServiceContract) -> bool:
    """True for the post office that is party to the service contract (bên B)."""
    return contract.post_office_id == user.organization_id


def handles_complaint(user: User, complaint: Complaint) -> bool:
    """True for who may act on a complaint (phản ánh): the organisation it is routed to, the commune committee of the
    person's commune, and the province department (``oversight``)."""
    return (user.organization_id == complaint.assigned_org_id or is_commune_of(user, complaint.commune_code)
            or oversees(user))


def may_reissue(user: User, complaint: Complaint) -> bool:
    """True for the payout office (``manages_payouts``) whose area holds the complaint's commune: it pays a failed
    line again on a supplementary list."""
    return manages_payouts(user) and in_area(user, complaint.commune_code)


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
    return holds_any(user.organization, *SEE_RULES[what])


def sees_every_category(user: User | None = None) -> bool:
    """True when ``user`` may see every category, HIV ones included (commune and payout office: ``SEE_RULES``
    ``sensitive_category``). A document listing many people prints categories only for such a reader: a blank left
    only on the HIV lines would tell them apart."""
    user = user or current_user
    return holds_any(user.organization, *SEE_RULES["sensitive_category"])


#: The predicates templates use, by name (the app adds them to the Jinja globals): ``{% if may_approve(current_user,
#: lst) %}``.
TEMPLATE_GLOBALS = {f.__name__: f for f in (
    may_see, sees_every_category, in_area, manages_payouts, accepts_changes, oversees, provides_payment, is_commune_of,
    is_list_commune, is_assigned_post_office, is_list_approver, may_approve, opens_accounts, signs_contracts,
    is_contract_office, is_contract_post_office, handles_complaint, may_reissue, checks_accounts)}
