"""Context builder and renderer of the payment service contract (hợp đồng dịch vụ chi trả) between the payout office
(bên A: the district labour office, or the commune committee in the two-tier set-up since 7/2025) and the post office
(bên B): plan §II.3 and §V.7, Decree 20/2021 Art. 34.2–34.3 (mandatory
clauses: scope, payment methods, transfer, deadlines, fee, settlement, duties, other terms).

``contract_doc(contract, stamp=None)`` → ``(OfficialDoc, ContractBody)`` plain data; ``render_contract(...)`` → PDF.
Money is int đồng; the estimated value is people × months × fee, printed in figures and words. Both parties are
printed from the organisations' own data (name, parent body, unit), never from a fixed name."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..models import AdministrativeUnit, ServiceContract
from .amount_words import amount_in_words
from .official import OfficialDoc, Signer, issuer_lines, place_of
from .renderer import pdf_for

TEMPLATE = "documents/service_contract.html"

#: Legal bases printed as "Căn cứ …;" (reference §2.1–2.2; the plan's text is in docs/seed).
LEGAL_BASES = [
    "Bộ luật Dân sự số 91/2015/QH13 ngày 24 tháng 11 năm 2015",
    "Nghị định số 20/2021/NĐ-CP ngày 15 tháng 3 năm 2021 của Chính phủ quy định chính sách trợ giúp xã hội đối với "
    "đối tượng bảo trợ xã hội (Điều 34)",
    "Thông tư số 76/2021/TT-BTC ngày 15 tháng 9 năm 2021 của Bộ Tài chính hướng dẫn khoản 1 và khoản 2 Điều 31 "
    "Nghị định số 20/2021/NĐ-CP (khoản 7 Điều 3)",
    "Kế hoạch số 2587/KH-SLĐTBXH ngày 26 tháng 7 năm 2024 của Sở Lao động - Thương binh và Xã hội tỉnh An Giang về "
    "triển khai thực hiện chi trả an sinh xã hội không dùng tiền mặt đối với đối tượng bảo trợ xã hội sống tại cộng "
    "đồng năm 2024",
]


def party_name(org) -> str:
    """How a party is named in the contract text: its ``display_name``, followed by its unit's name when the name
    alone does not say where it is ("Phòng Lao động - Thương binh và Xã hội – Thành phố Châu Đốc", "Ủy ban nhân dân
    Phường Vĩnh Mỹ", "Bưu điện Thành phố Châu Đốc")."""
    name = org.display_name
    if org.unit is not None and org.unit.name.casefold() not in name.casefold():
        name = f"{name} – {org.unit.name}"
    return name


@dataclass(frozen=True)
class ContractBody:
    """What the contract's articles print. ``communes``: names of the communes covered; money int đồng."""

    year: int
    legal_bases: list[str]
    party_a: str
    party_a_signer: str
    party_a_title: str
    party_b: str
    party_b_signer: str
    party_b_title: str
    communes: list[str]
    fee_per_person: int
    fee_per_person_words: str
    estimated_people: int
    estimated_months: int
    estimated_value: int
    estimated_value_words: str
    valid_from: _dt.date
    valid_to: _dt.date
    settlement_day: int


def contract_doc(contract: ServiceContract, stamp=None, issued_on: _dt.date | None = None):
    """``(OfficialDoc, ContractBody)`` for ``contract``; ``stamp`` (``services.documents.Stamp``) prints the number
    and the QR code of an issued contract, without it the contract is a draft ("DỰ THẢO", dotted number: the
    symbol of bên A's register, e.g. "…/HĐ-UBND" for a commune committee)."""
    from ..services.documents.issuing import org_symbol

    a, b = contract.district_org, contract.post_office
    parent, issuer = issuer_lines(a)
    names = dict(db.session.execute(select(AdministrativeUnit.code, AdministrativeUnit.name)
                                    .where(AdministrativeUnit.code.in_(contract.commune_codes or []))).all())
    doc = OfficialDoc(
        issuer_parent=parent, issuer=issuer, place=place_of(a),
        issued_on=issued_on or contract.valid_from, title="HỢP ĐỒNG DỊCH VỤ CHI TRẢ",
        subtitle=(f"Chi trả chính sách trợ giúp xã hội không dùng tiền mặt đối với đối tượng bảo trợ xã hội "
                  f"sống tại cộng đồng năm {contract.valid_from.year}"),
        document_number=stamp.number_text if stamp else "", symbol=f"HĐ-{org_symbol(a)}",
        signers=[Signer(f"ĐẠI DIỆN BÊN A\n{contract.party_a_title}", contract.party_a_signer, hint="(Ký, đóng dấu)"),
                 Signer(f"ĐẠI DIỆN BÊN B\n{contract.party_b_title}", contract.party_b_signer, hint="(Ký, đóng dấu)")],
        verify_url=stamp.verify_url if stamp else "", qr_svg=stamp.qr_svg if stamp else "", draft=stamp is None)
    body = ContractBody(
        year=contract.valid_from.year, legal_bases=LEGAL_BASES, party_a=party_name(a),
        party_a_signer=contract.party_a_signer, party_a_title=contract.party_a_title, party_b=party_name(b),
        party_b_signer=contract.party_b_signer, party_b_title=contract.party_b_title,
        communes=[names.get(c, c) for c in contract.commune_codes or []],
        fee_per_person=contract.fee_per_person, fee_per_person_words=amount_in_words(contract.fee_per_person),
        estimated_people=contract.estimated_people, estimated_months=contract.estimated_months,
        estimated_value=int(contract.estimated_value),
        estimated_value_words=amount_in_words(int(contract.estimated_value)),
        valid_from=contract.valid_from, valid_to=contract.valid_to, settlement_day=contract.settlement_day)
    return doc, body


def render_contract(contract: ServiceContract, stamp=None, issued_on: _dt.date | None = None) -> bytes:
    """PDF bytes of the contract (A4 portrait, 3–4 pages; ~0.3 s: rendered in the request)."""
    doc, body = contract_doc(contract, stamp, issued_on)
    return pdf_for(TEMPLATE, {"doc": doc, "body": body})
