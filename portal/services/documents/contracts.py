"""Payment service contracts (hợp đồng dịch vụ chi trả) between the contracting office (bên A: the organisation
holding ``post_office_contract`` by the competence rules in force — the district labour office until 30/6/2025, the
commune committee from 1/7/2025, Nghị định 147/2025/NĐ-CP) and the post office serving its area (bên B,
``payment_service``) (plan §V.7, Decree 20/2021 Art. 34.3): draft → issued (number from the office's register, PDF
stored with its hash, signed with the office's certificate when configured) → signed by both (the paper copy signed
by both parties uploaded as a PDF scan). Money in integer đồng. Who may act is decided by duty, the communes covered
by the office's area (``portal.access``).

Every function takes the acting ``User``, flushes and records an audit event; raises ``AccessDenied`` when the
actor's organisation is not the contract's office or no longer holds ``post_office_contract``, ``StateError`` on a
wrong state, ``ValidationError`` on bad input (Vietnamese messages). (The column ``ServiceContract.district_org_id``
holds the contracting office, whatever its level.)"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from ...access import is_contract_office, signs_contracts
from ...areas import communes_under, org_commune_codes
from ...documents import signing
from ...errors import AccessDenied, StateError, ValidationError
from ...extensions import db
from ...models import (
    AdministrativeUnit,
    Beneficiary,
    ContractStatus,
    DocumentKind,
    Duty,
    FeeRule,
    Organization,
    ServiceContract,
    User,
)
from .. import audit
from ..organizations import serving_organization
from . import issuing
from .headings import signer_title
from .printing import print_contract

DEFAULT_FEE = 5_000
"""Fallback fee (đồng/beneficiary/month, plan §II.3b) used only when no ``FeeRule`` row is valid."""
PDF_MAGIC = b"%PDF-"
MAX_SCAN_BYTES = 10 * 1024 * 1024


@dataclass
class ContractInput:
    """What the payout office's clerk types: term, fee (đ/person/month), estimated people and months, both signers."""

    valid_from: date
    valid_to: date
    fee_per_person: int
    estimated_people: int
    estimated_months: int
    party_a_signer: str
    party_a_title: str
    party_b_signer: str
    party_b_title: str


def fee_on(day: date) -> int:
    """Fee per beneficiary per month (đồng) valid on ``day`` from the province's ``FeeRule`` table, else
    ``DEFAULT_FEE``."""
    rule = db.session.execute(select(FeeRule).where(FeeRule.valid_from <= day)
                              .order_by(FeeRule.valid_from.desc()).limit(1)).scalar_one_or_none()
    return int(rule.per_beneficiary) if rule is not None and rule.per_beneficiary else DEFAULT_FEE


def area_communes(office: Organization) -> list[str]:
    """Codes of the communes in the payout office's area (``areas.org_commune_codes``: a district office's
    communes, a commune committee's own commune, every commune of the province for a province-level office), in
    code order."""
    area = org_commune_codes(office)
    if area is None:  # the whole province
        area = communes_under(office.unit_code)
    return list(db.session.execute(select(AdministrativeUnit.code).where(
        AdministrativeUnit.code.in_(area), AdministrativeUnit.level == "commune")
        .order_by(AdministrativeUnit.code)).scalars())


def active_people(commune_codes: list[str]) -> int:
    """Active beneficiaries in those communes (the default estimate of people per month)."""
    return db.session.execute(select(func.count(Beneficiary.id)).where(
        Beneficiary.commune_code.in_(commune_codes), Beneficiary.status == "active")).scalar_one()


def post_office_for(office: Organization) -> Organization | None:
    """The post office (bên B, duty ``payment_service``) serving the payout office's area: seated at the office's
    own unit, else at its nearest ancestor (``access.serving_organization``) — Bưu điện Thành phố Châu Đốc for the
    Châu Đốc labour office, a commune post office (or the province's) for a two-tier commune committee. None when
    there is none."""
    return serving_organization(office.unit_code, Duty.PAYMENT_SERVICE)



def term_months(valid_from: date, valid_to: date) -> int:
    """Calendar months the term touches: 05/08/2024–31/12/2024 → 5; 0 when it ends before it starts."""
    return max(0, (valid_to.year - valid_from.year) * 12 + valid_to.month - valid_from.month + 1)


def office_signer(office: Organization) -> str:
    """Who signs for bên A by default: the office's recorded representative (``Organization.representative_name``),
    else its approver (``User.is_approver``: a commune committee's chairman or vice-chairman, a district office's
    head), never the officer who prepares the lists; "" (typed on the form) when it has neither."""
    if office.representative_name:
        return office.representative_name
    approver = db.session.execute(select(User.full_name).where(
        User.organization_id == office.id, User.is_approver.is_(True), User.active.is_(True))
        .order_by(User.id).limit(1)).scalar_one_or_none()
    return approver or ""


def defaults(actor: User, today: date) -> ContractInput:
    """A sensible starting draft: from the first day of the signing month (``today``'s) to the end of that year, as
    many estimated months as the term has, the current fee, today's active people; bên A signed by the office's
    representative (:func:`office_signer`: its representative, else its chairman / head who approves the lists,
    with the head's title), bên B by the post office's."""
    office = actor.organization
    communes = area_communes(office)
    start, end = today.replace(day=1), date(today.year, 12, 31)
    post = post_office_for(office)
    return ContractInput(valid_from=start, valid_to=end, fee_per_person=fee_on(today),
                         estimated_people=active_people(communes), estimated_months=term_months(start, end),
                         party_a_signer=office_signer(office),
                         party_a_title=office.representative_title or signer_title(office),
                         party_b_signer=(post.representative_name if post is not None else None) or "",
                         party_b_title=(post.representative_title if post is not None else None) or "Giám đốc")


def _check(data: ContractInput) -> None:
    if data.valid_to < data.valid_from:
        raise ValidationError("Ngày kết thúc phải sau ngày bắt đầu hợp đồng.")
    for name, label in (("fee_per_person", "Mức phí"), ("estimated_people", "Số đối tượng dự kiến"),
                        ("estimated_months", "Số tháng")):
        value = getattr(data, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValidationError(f"{label} phải là số nguyên không âm.")
    if not 1 <= data.estimated_months <= 60:
        raise ValidationError("Số tháng phải từ 1 đến 60.")
    months = term_months(data.valid_from, data.valid_to)
    if data.estimated_months != months:
        raise ValidationError(
            f"Số tháng tạm tính ({data.estimated_months}) phải bằng số tháng của thời hạn hợp đồng "
            f"({data.valid_from:%d/%m/%Y}–{data.valid_to:%d/%m/%Y}: {months} tháng): giá trị hợp đồng tạm tính = "
            "số người × số tháng × mức phí.")
    if not data.party_a_signer.strip() or not data.party_b_signer.strip():
        raise ValidationError("Ghi rõ họ tên người đại diện của hai bên.")


def _own(actor: User, contract: ServiceContract) -> None:
    if not is_contract_office(actor, contract):
        raise AccessDenied("Hợp đồng không thuộc cơ quan của bạn.")


def create_draft(actor: User, data: ContractInput) -> ServiceContract:
    """New draft contract of the actor's office (duty ``post_office_contract``, ``access.signs_contracts``) with
    the post office serving it (``post_office_for``), covering every commune of its area (``area_communes``);
    ``estimated_value`` = people × months × fee. Raises ``AccessDenied`` when the organisation lacks
    ``post_office_contract``, ``StateError`` when no post office serves the area or the area has no commune."""
    office = actor.organization
    if not signs_contracts(actor):
        raise AccessDenied("Chỉ cơ quan có thẩm quyền ký hợp đồng dịch vụ chi trả với bưu điện (theo quy định đang có "
                           "hiệu lực) mới lập hợp đồng này.")
    _check(data)
    post = post_office_for(office)
    if post is None:
        raise StateError("Địa bàn chưa có bưu điện để ký hợp đồng.")
    communes = area_communes(office)
    if not communes:
        raise StateError("Địa bàn quản lý chưa có xã, phường nào để ký hợp đồng.")
    contract = ServiceContract(
        district_org_id=office.id, post_office_id=post.id, commune_codes=communes,
        fee_per_person=data.fee_per_person, estimated_people=data.estimated_people,
        estimated_months=data.estimated_months,
        estimated_value=data.estimated_people * data.estimated_months * data.fee_per_person,
        valid_from=data.valid_from, valid_to=data.valid_to, party_a_signer=data.party_a_signer.strip(),
        party_a_title=data.party_a_title.strip(), party_b_signer=data.party_b_signer.strip(),
        party_b_title=data.party_b_title.strip(), created_by_id=actor.id)
    db.session.add(contract)
    db.session.flush()
    audit.record(actor, "create_contract", "service_contract", contract.id,
                 f"Lập dự thảo hợp đồng dịch vụ chi trả với {post.name}",
                 after={"fee_per_person": contract.fee_per_person, "estimated_value": contract.estimated_value})
    return contract


def issue_contract(actor: User, contract: ServiceContract, issued_on: date | None = None):
    """Issue the draft: number ``NN/HĐ-<issuer>`` from the office's register (``headings.org_symbol``:
    ``HĐ-LĐTBXH`` for a district labour office, ``HĐ-UBND`` for a commune committee), PDF stored and signed.
    Returns the ``IssuedDocument``. Raises ``StateError`` unless the contract is a draft."""
    _own(actor, contract)
    if contract.status != ContractStatus.DRAFT:
        raise StateError("Hợp đồng đã được ban hành.")
    doc = issuing.issue(actor, contract.district_org, DocumentKind.SERVICE_CONTRACT,
                        f"Hợp đồng dịch vụ chi trả với {contract.post_office.name}",
                        lambda stamp: print_contract(contract, stamp, issued_on), issued_on=issued_on,
                        subject_type="service_contract", subject_id=contract.id,
                        filename=f"hop-dong-dich-vu-chi-tra-{contract.id}.pdf")
    contract.document_id = doc.id
    contract.status = ContractStatus.ISSUED.value
    db.session.flush()
    audit.record(actor, "issue_contract", "service_contract", contract.id,
                 f"Ban hành hợp đồng dịch vụ chi trả số {doc.number_text}", after={"status": contract.status})
    return doc


def upload_scan(actor: User, contract: ServiceContract, data: bytes, filename: str, signed_on: date) -> None:
    """Store the copy signed by both parties (PDF, ≤ 10 MB) with its SHA-256; the contract becomes ``signed``.
    Raises ``StateError`` unless issued, ``ValidationError`` for a non-PDF or empty file."""
    _own(actor, contract)
    if contract.status != ContractStatus.ISSUED:
        raise StateError("Chỉ tải bản đã ký cho hợp đồng đã ban hành và chưa ký.")
    if not data or not data.startswith(PDF_MAGIC):
        raise ValidationError("Bản quét phải là tệp PDF.")
    if len(data) > MAX_SCAN_BYTES:
        raise ValidationError("Bản quét lớn hơn 10 MB.")
    contract.scan = data
    contract.scan_sha256 = issuing.sha256_hex(data)
    contract.scan_filename = (filename or "ban-ky.pdf")[-200:]
    contract.signed_on = signed_on
    contract.status = ContractStatus.SIGNED.value
    db.session.flush()
    audit.record(actor, "sign_contract", "service_contract", contract.id,
                 "Tải bản hợp đồng có chữ ký của hai bên", after={"scan_sha256": contract.scan_sha256,
                                                                   "signed_on": signed_on})


def countersign(actor: User, contract: ServiceContract, signed_on: date) -> None:
    """The post office (bên B) signs the issued contract digitally: its PAdES signature is added to the office's
    signed PDF as an incremental update, and that copy, signed by both, is stored as the signed copy (with its
    hash); the contract becomes ``signed``. Raises ``AccessDenied`` unless the actor is the contract's post office,
    ``StateError`` unless issued or when the post office has no certificate."""
    if actor.organization_id != contract.post_office_id:
        raise AccessDenied("Chỉ bưu điện là bên B của hợp đồng được ký số.")
    if contract.status != ContractStatus.ISSUED or contract.document is None:
        raise StateError("Chỉ ký số hợp đồng đã ban hành và chưa ký.")
    signer = signing.signer_for(actor.organization)
    if signer is None:
        raise StateError("Bưu điện chưa có chứng thư số để ký.")
    data = signing.sign_pdf(contract.document.content, signer, reason="Bên B ký hợp đồng",
                            location=actor.organization.name, field_name="ChuKyBenB")
    contract.scan = data
    contract.scan_sha256 = issuing.sha256_hex(data)
    contract.scan_filename = f"hop-dong-{contract.document.number:02d}-{contract.document.year}-hai-ben-ky-so.pdf"
    contract.signed_on = signed_on
    contract.status = ContractStatus.SIGNED.value
    db.session.flush()
    audit.record(actor, "countersign_contract", "service_contract", contract.id,
                 f"Bưu điện ký số hợp đồng số {contract.document.number_text}",
                 after={"scan_sha256": contract.scan_sha256, "signed_on": signed_on})
