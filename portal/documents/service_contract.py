"""The payment service contract (hợp đồng dịch vụ chi trả) between the payout office (bên A: the district labour
office, or the commune committee in the two-tier set-up since 7/2025) and the post office (bên B): plan §II.3 and
§V.7, Decree 20/2021 Art. 34.2–34.3 (mandatory clauses: scope, payment methods, transfer, deadlines, fee,
settlement, duties, other terms).

``render_contract(issuer, body, issued_on, stamp=None)`` → PDF bytes (A4 portrait, 3–4 pages; ~0.3 s: rendered in
the request); :func:`contract_frame` gives its heading and sign-off. The data come from the services layer
(``portal.services.documents.printing``): both parties as named in the organisations' own data, never a fixed name.
Money is int đồng; the estimated value is people × months × fee, printed in figures and words."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from .official import Issuer, OfficialDoc, Signer, Stamp, official_doc
from .renderer import pdf_for

TEMPLATE = "documents/service_contract.html"
SERIES = "HĐ"

#: Legal bases printed as "Căn cứ …;" (reference §2.1–2.2, §1.9; the plan's text is in docs/seed).
CIVIL_CODE = "Bộ luật Dân sự số 91/2015/QH13 ngày 24 tháng 11 năm 2015"
DECREE_20 = ("Nghị định số 20/2021/NĐ-CP ngày 15 tháng 3 năm 2021 của Chính phủ quy định chính sách trợ giúp xã hội "
             "đối với đối tượng bảo trợ xã hội (Điều 34)")
DECREE_176 = ("Nghị định số 176/2025/NĐ-CP ngày 30 tháng 6 năm 2025 của Chính phủ quy định chi tiết một số điều của "
              "Luật Bảo hiểm xã hội về trợ cấp hưu trí xã hội")
CIRCULAR_76 = ("Thông tư số 76/2021/TT-BTC ngày 15 tháng 9 năm 2021 của Bộ Tài chính hướng dẫn khoản 1 và khoản 2 "
               "Điều 31 Nghị định số 20/2021/NĐ-CP (khoản 7 Điều 3)")
PLAN_2587 = ("Kế hoạch số 2587/KH-SLĐTBXH ngày 26 tháng 7 năm 2024 của Sở Lao động - Thương binh và Xã hội tỉnh An "
             "Giang về triển khai thực hiện chi trả an sinh xã hội không dùng tiền mặt đối với đối tượng bảo trợ xã "
             "hội sống tại cộng đồng năm 2024")
LEGAL_BASES = (CIVIL_CODE, DECREE_20, CIRCULAR_76, PLAN_2587)


def legal_bases(plan: bool = True, social_pension: bool = False) -> tuple[str, ...]:
    """The "Căn cứ" lines: the Civil Code, Decree 20/2021, Decree 176/2025 when the contract pays the social
    pension too, Circular 76/2021, and the province's plan 2587 when it governs the contract's term (``plan``: the
    caller knows the months it governed)."""
    return (CIVIL_CODE, DECREE_20, *((DECREE_176,) if social_pension else ()), CIRCULAR_76,
            *((PLAN_2587,) if plan else ()))


@dataclass(frozen=True)
class ContractBody:
    """What the contract's articles print. ``party_a`` / ``party_b``: the parties as named in the text (e.g. "Phòng
    Lao động - Thương binh và Xã hội – Thành phố Châu Đốc"), each with its signer's name and title; ``communes``:
    names of the communes covered; ``fee_per_person`` (đồng/person/month), ``estimated_people``,
    ``estimated_months`` and ``estimated_value`` (đồng); the term ``valid_from``–``valid_to``; ``settlement_day``
    of the month; ``party_a_honorific`` / ``party_b_honorific``: "Ông" or "Bà" before a signer's name ("Ông/Bà" when
    the gender is not recorded); ``social_pension``: bên B also pays the social-pension lists (Điều 1 and the
    title name both programmes)."""

    year: int
    party_a: str
    party_a_signer: str
    party_a_title: str
    party_b: str
    party_b_signer: str
    party_b_title: str
    communes: list[str]
    fee_per_person: int
    estimated_people: int
    estimated_months: int
    estimated_value: int
    valid_from: _dt.date
    valid_to: _dt.date
    settlement_day: int
    legal_bases: tuple[str, ...] = LEGAL_BASES
    party_a_honorific: str = "Ông/Bà"
    party_b_honorific: str = "Ông/Bà"
    social_pension: bool = False


def contract_frame(issuer: Issuer, body: ContractBody, issued_on: _dt.date, stamp: Stamp | None = None
                   ) -> OfficialDoc:
    """Heading, title and the two parties' signature columns; ``issuer`` is bên A. With a ``stamp`` the number and
    the QR code of the issued contract, without it a draft ("DỰ THẢO", dotted number "…/HĐ-UBND")."""
    return official_doc(
        issuer, title="HỢP ĐỒNG DỊCH VỤ CHI TRẢ", series=SERIES, issued_on=issued_on, stamp=stamp,
        subtitle=(f"Chi trả trợ cấp xã hội và trợ cấp hưu trí xã hội hằng tháng không dùng tiền mặt năm {body.year}"
                  if body.social_pension else
                  f"Chi trả chính sách trợ giúp xã hội không dùng tiền mặt đối với đối tượng bảo trợ xã hội "
                  f"sống tại cộng đồng năm {body.year}"),
        signers=[Signer(f"ĐẠI DIỆN BÊN A\n{body.party_a_title}", body.party_a_signer, hint="(Ký, đóng dấu)"),
                 Signer(f"ĐẠI DIỆN BÊN B\n{body.party_b_title}", body.party_b_signer, hint="(Ký, đóng dấu)")])


def render_contract(issuer: Issuer, body: ContractBody, issued_on: _dt.date, stamp: Stamp | None = None) -> bytes:
    """PDF bytes of the contract."""
    return pdf_for(TEMPLATE, {"doc": contract_frame(issuer, body, issued_on, stamp), "body": body})
