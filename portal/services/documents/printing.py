"""What the prose documents (văn bản) print, gathered from the database: the service contract (hợp đồng dịch vụ chi
trả), the authorization letter (giấy ủy quyền), the post office's fee statement (bảng kê chi phí dịch vụ chi trả) and
the monthly report (báo cáo tiến độ chi trả). Each ``print_…`` function builds the document's plain data
(``portal.documents.official.Issuer`` and the document's body) and returns the PDF bytes rendered by
``portal.documents`` (WeasyPrint, A4 portrait, one to four pages: fast enough for the request).

``stamp`` (``portal.documents.official.Stamp``, from ``issuing.issue``) prints the number and the QR code of an
issued document; without it the document is a draft. ``issued_on`` defaults to today in Vietnam (the contract: the
first day of its term; the letter: its certification day)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from ...clock import today_vn
from ...documents.authorization_letter import LetterBody, render_letter
from ...documents.fee_statement import render_fee_statement, statement_signers
from ...documents.monthly_report import PLAN_2587, render_report
from ...documents.official import OfficialDoc, Stamp
from ...documents.service_contract import ContractBody, contract_frame, legal_bases, render_contract
from ...extensions import db
from ...formatting import date_vn
from ...models import (
    TREE_2025_START,
    AdministrativeUnit,
    Authorization,
    Beneficiary,
    Duty,
    Organization,
    OrgKind,
    PayoutList,
    Programme,
    ServiceContract,
)
from ..entitlement.pension import programme_in
from ..entitlement.rates import RateBook
from ..organizations import serving_organization
from .headings import issuer_of, org_symbol, recipient_name


def party_name(org: Organization) -> str:
    """How a party is named in the contract text: its ``display_name``, followed by its unit's name when the name
    alone does not say where it is ("Phòng Lao động - Thương binh và Xã hội – Thành phố Châu Đốc", "Ủy ban nhân dân
    Phường Vĩnh Mỹ", "Bưu điện Thành phố Châu Đốc")."""
    name = org.display_name
    if org.unit is not None and org.unit.name.casefold() not in name.casefold():
        name = f"{name} – {org.unit.name}"
    return name


def honorific(org: Organization, signer: str) -> str:
    """"Ông" / "Bà" before ``signer`` when they are ``org``'s recorded representative with a gender, else "Ông/Bà"."""
    same = " ".join((signer or "").split()).casefold() == " ".join((org.representative_name or "").split()).casefold()
    return (org.representative_honorific if same else "") or "Ông/Bà"


def plan_governs(month: date) -> bool:
    """True for a month the province's plan 2587/KH-SLĐTBXH (26/7/2024) governed: before 07/2025, when the Sở
    LĐTBXH that issued it and the district offices it charged gave way to the 2025 bodies (``TREE_2025_START``).
    Documents of later months do not cite it."""
    return month < TREE_2025_START


def pays_social_pension(commune_codes: list[str], month: date) -> bool:
    """True when the social pension is paid in those communes around ``month`` (first of month): a social-pension
    list of theirs in the latest month up to ``month`` that has lists; without any list yet, an active person of
    theirs whom the social pension pays in ``month`` (``entitlement.pension.programme_in``, the higher-of rule)."""
    if not commune_codes:
        return False
    latest = db.session.execute(select(func.max(PayoutList.month)).where(
        PayoutList.commune_code.in_(commune_codes), PayoutList.month <= month)).scalar()
    if latest is not None:
        return db.session.execute(select(PayoutList.id).where(
            PayoutList.commune_code.in_(commune_codes), PayoutList.month == latest,
            PayoutList.programme == Programme.SOCIAL_PENSION.value).limit(1)).first() is not None
    book = RateBook.load()
    if book.pension_level_or_none(month) is None:
        return False
    people = db.session.execute(select(Beneficiary).where(
        Beneficiary.commune_code.in_(commune_codes), Beneficiary.status == "active")).scalars()
    return any(programme_in(book, b, month) == Programme.SOCIAL_PENSION.value for b in people)


def contract_body(contract: ServiceContract) -> ContractBody:
    """The articles' data of ``contract``; the communes' names in one query. Both programmes are named when bên B
    pays the social pension there too (:func:`pays_social_pension` at the term's last month); the plan 2587 is cited
    only for a term it governed (:func:`plan_governs`)."""
    codes = contract.commune_codes or []
    names = dict(db.session.execute(select(AdministrativeUnit.code, AdministrativeUnit.name)
                                    .where(AdministrativeUnit.code.in_(codes))).all())
    pension = pays_social_pension(codes, contract.valid_to.replace(day=1))
    return ContractBody(
        year=contract.valid_from.year, party_a=party_name(contract.district_org),
        party_a_signer=contract.party_a_signer, party_a_title=contract.party_a_title,
        party_b=party_name(contract.post_office), party_b_signer=contract.party_b_signer,
        party_b_title=contract.party_b_title, communes=[names.get(c, c) for c in codes],
        fee_per_person=int(contract.fee_per_person), estimated_people=contract.estimated_people,
        estimated_months=contract.estimated_months, estimated_value=int(contract.estimated_value),
        valid_from=contract.valid_from, valid_to=contract.valid_to, settlement_day=contract.settlement_day,
        party_a_honorific=honorific(contract.district_org, contract.party_a_signer),
        party_b_honorific=honorific(contract.post_office, contract.party_b_signer), social_pension=pension,
        legal_bases=legal_bases(plan=plan_governs(contract.valid_from), social_pension=pension))


def contract_doc(contract: ServiceContract, stamp: Stamp | None = None, issued_on: date | None = None
                 ) -> tuple[OfficialDoc, ContractBody]:
    """``(frame, body)`` of ``contract`` as printed: bên A (the payout office, ``district_org``) issues it."""
    body = contract_body(contract)
    return contract_frame(issuer_of(contract.district_org), body, issued_on or contract.valid_from, stamp), body


def print_contract(contract: ServiceContract, stamp: Stamp | None = None, issued_on: date | None = None) -> bytes:
    """PDF bytes of ``contract`` (3–4 pages): a draft without ``stamp``."""
    return render_contract(issuer_of(contract.district_org), contract_body(contract),
                           issued_on or contract.valid_from, stamp)


def letter_body(auth: Authorization) -> LetterBody:
    """The letter's fields from the authorization and its beneficiary."""
    b = auth.beneficiary
    commune = b.commune.name if b.commune is not None else ""
    scopes = []
    if auth.scope_receive:
        scopes.append("Nhận trợ cấp xã hội hằng tháng, tiền truy lĩnh và hỗ trợ chi phí mai táng (nếu có)")
    if auth.scope_open_account:
        scopes.append("Làm thủ tục mở tài khoản nhận trợ cấp đứng tên người ủy quyền")
    decision = " ".join(p for p in [f"số {b.decision_number}" if b.decision_number else "",
                                    f"ngày {date_vn(b.decision_date)}" if b.decision_date else ""] if p)
    return LetterBody(
        principal_name=b.full_name, principal_birth=b.birth_display, principal_id=b.national_id,
        principal_address=", ".join(p for p in [b.hamlet or "", commune] if p), category_code=b.category_code,
        decision=decision, proxy_name=auth.proxy_name, proxy_birth_year=str(auth.proxy_birth_year or ""),
        proxy_id=auth.proxy_national_id, proxy_relationship=auth.proxy_relationship,
        proxy_address=auth.proxy_address or "", scopes=scopes, valid_from=auth.valid_from, valid_to=auth.valid_to,
        commune_name=commune, certification_number=auth.certification_number or "", certified_on=auth.certified_on)


def print_letter(auth: Authorization, commune_org: Organization, stamp: Stamp | None = None,
                 issued_on: date | None = None) -> bytes:
    """PDF bytes of the authorization letter of ``auth``, certified by ``commune_org`` (one page), dated the day
    of the certification (``issued_on``, then today, only while it is not certified)."""
    return render_letter(issuer_of(commune_org), letter_body(auth),
                         auth.certified_on or issued_on or today_vn(), stamp)


def print_fee_statement(statement, stamp: Stamp | None = None, issued_on: date | None = None,
                        party_a: Organization | None = None) -> bytes:
    """PDF bytes of ``statement`` (a ``FeeStatement`` of ``services.payouts.fee_statements``), issued by its post
    office (one page): bên B's column with the post office's representative, bên A's with ``party_a``'s (the payout
    office of the contract) when known."""
    post = statement.post_office
    signers = statement_signers(
        party_a=party_a.name if party_a is not None else "",
        party_a_signer=(party_a.representative_name or "") if party_a is not None else "",
        party_a_title=(party_a.representative_title or "") if party_a is not None else "",
        party_b_signer=post.representative_name or "", party_b_title=post.representative_title or "")
    return render_fee_statement(issuer_of(post), statement, issued_on or today_vn(), stamp, signers)


#: The archive line (ô 9, last) of a report by the reporting organisation's kind.
_ARCHIVE = {OrgKind.COMMUNE: "Lưu: VT, VHXH", OrgKind.DISTRICT: "Lưu: VT, LĐTBXH", OrgKind.PROVINCE: "Lưu: VT, P.BTXH"}


def report_recipients(org: Organization) -> list[str]:
    """Nơi nhận (ô 9) of ``org``'s monthly report, by data: a commune reports to the labour office of its district
    (the ``district`` organisation seated at the commune's parent unit, e.g. "Phòng Lao động - Thương binh và Xã hội
    – Thành phố Châu Đốc"), a district office to the province's department ("Sở Lao động - Thương binh và Xã hội –
    Tỉnh An Giang"), the province to the ministry and the provincial People's Committee; then "Lưu: VT, …". An
    organisation missing from the register falls back to its generic name. Where a body holds ``report_receiving``
    for ``org``'s unit (from 07/2025), that body (:func:`_receiving_body`). An organisation reporting outside the
    portal names its recipients itself (``Organization.report_recipients``: Sở Y tế tỉnh An Giang → "Bộ Y tế",
    "UBND tỉnh An Giang", "Lưu: VT")."""
    if org.report_recipients:
        return [part.strip() for part in org.report_recipients.split(";") if part.strip()]
    by_duty = _receiving_body(org)
    if by_duty is not None:
        return by_duty
    if org.kind == OrgKind.PROVINCE:
        province = org.unit.name if org.unit is not None else ""
        return ["Bộ Lao động - Thương binh và Xã hội (nay là Bộ Y tế)", f"Ủy ban nhân dân {province}".strip(),
                _ARCHIVE[OrgKind.PROVINCE]]
    up_kind = OrgKind.DISTRICT if org.kind == OrgKind.COMMUNE else OrgKind.PROVINCE
    unit = org.unit
    up = None
    while unit is not None and up is None:
        unit = db.session.get(AdministrativeUnit, unit.parent_code) if unit.parent_code else None
        if unit is not None:
            up = db.session.execute(select(Organization).where(Organization.kind == up_kind,
                                                               Organization.unit_code == unit.code)
                                    .limit(1)).scalar_one_or_none()
    generic = "Phòng Lao động - Thương binh và Xã hội" if up_kind == OrgKind.DISTRICT else \
        "Sở Lao động - Thương binh và Xã hội"
    return [up.display_name if up is not None else generic, _ARCHIVE.get(org.kind, "Lưu: VT")]


def print_report(rep, stamp: Stamp | None = None, issued_on: date | None = None, replaces: str = "") -> bytes:
    """PDF bytes of ``rep`` (a ``MonthlyReport`` of ``services.reporting.monthly_report``), issued by its
    organisation (2–3 pages), signed by its representative (``Organization.representative_*``; a blank name to
    write by hand when none is recorded), sent to :func:`report_recipients`. ``replaces``: the number and date of
    the report of the same month this one replaces ("01/BC-UBND ngày 05/08/2024"). The text opens "Thực hiện Kế
    hoạch số 2587/KH-SLĐTBXH …" only for a month that plan governed (:func:`plan_governs`)."""
    org = rep.organization
    return render_report(issuer_of(org), rep, issued_on or today_vn(), stamp,
                         signer_name=org.representative_name or "", signer_position=org.representative_title or "",
                         recipients=report_recipients(org), replaces=replaces,
                         plan=PLAN_2587 if plan_governs(rep.month) else "")


def _receiving_body(org: Organization) -> list[str] | None:
    """"Nơi nhận" from the acting organisations (data): the body holding ``report_receiving`` that serves ``org``'s
    unit (its own unit excluded: Sở Y tế tỉnh An Giang for a 2025 commune, Nghị định 147/2025/NĐ-CP), then
    "Lưu: VT". None when no body holds that duty for it (the 2024 three tiers)."""
    parent = org.unit.parent_code if org.unit is not None else None
    receiver = serving_organization(parent, Duty.REPORT_RECEIVING) if parent else None
    if receiver is None:
        return None
    return [recipient_name(receiver), f"Lưu: VT, {org_symbol(org)}"]
