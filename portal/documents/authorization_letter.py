"""Authorization letter (giấy ủy quyền nhận trợ cấp xã hội, reference §2.4) printed from a recorded
``Authorization`` (helper C's model), with the commune's certification block (chứng thực chữ ký, Decree 23/2015).

There is no national form: the content follows practice — the authoriser (name, birth, ID, residence, category
code and decision), the proxy (same fields plus the relationship), the scope (receive the monthly allowance, back
pay and funeral money; open an account), the term, the parties' undertakings and signatures, then the commune's
certification with its number and date. A citizen's letter: no issuing body in the heading (``personal``); when
issued through the portal the commune's register number ``NN/GUQ-UBND`` and the QR code are printed in the
certification block. One page, ~0.3 s: rendered in the request."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from ..clock import today_vn
from ..models import Authorization, Organization
from .official import OfficialDoc, Signer, place_of
from .renderer import pdf_for

TEMPLATE = "documents/authorization_letter.html"


@dataclass(frozen=True)
class LetterBody:
    """Printed fields; ``scopes``: Vietnamese scope sentences; dates as ``date`` (None = not set)."""

    principal_name: str
    principal_birth: str
    principal_id: str
    principal_address: str
    category_code: str
    decision: str
    proxy_name: str
    proxy_birth_year: str
    proxy_id: str
    proxy_relationship: str
    proxy_address: str
    scopes: list[str]
    valid_from: _dt.date
    valid_to: _dt.date | None
    commune_name: str
    certification_number: str
    certified_on: _dt.date | None


def letter(auth: Authorization, commune_org: Organization, stamp=None, issued_on: _dt.date | None = None):
    """``(OfficialDoc, LetterBody)`` for ``auth``; ``commune_org`` certifies it."""
    b = auth.beneficiary
    commune = b.commune.name if b.commune is not None else ""
    scopes = []
    if auth.scope_receive:
        scopes.append("Nhận trợ cấp xã hội hằng tháng, tiền truy lĩnh và hỗ trợ chi phí mai táng (nếu có)")
    if auth.scope_open_account:
        scopes.append("Làm thủ tục mở tài khoản nhận trợ cấp đứng tên người ủy quyền")
    birth = b.birth_date.strftime("%d/%m/%Y") if b.birth_date else str(b.birth_year)
    decision = " ".join(p for p in [f"số {b.decision_number}" if b.decision_number else "",
                                    f"ngày {b.decision_date:%d/%m/%Y}" if b.decision_date else ""] if p)
    doc = OfficialDoc(
        issuer_parent="", issuer="", place=place_of(commune_org), issued_on=issued_on or auth.certified_on
        or today_vn(), title="GIẤY ỦY QUYỀN", subtitle="Nhận trợ cấp xã hội hằng tháng",
        document_number=stamp.number_text if stamp else "", symbol="GUQ-UBND",
        signers=[Signer("NGƯỜI ĐƯỢC ỦY QUYỀN", auth.proxy_name, hint="(Ký, ghi rõ họ tên)"),
                 Signer("NGƯỜI ỦY QUYỀN", b.full_name, hint="(Ký hoặc điểm chỉ, ghi rõ họ tên)")],
        verify_url=stamp.verify_url if stamp else "", qr_svg=stamp.qr_svg if stamp else "", personal=True)
    body = LetterBody(
        principal_name=b.full_name, principal_birth=birth, principal_id=b.national_id,
        principal_address=", ".join(p for p in [b.hamlet or "", commune] if p), category_code=b.category_code,
        decision=decision, proxy_name=auth.proxy_name,
        proxy_birth_year=str(auth.proxy_birth_year or ""), proxy_id=auth.proxy_national_id,
        proxy_relationship=auth.proxy_relationship, proxy_address=auth.proxy_address or "", scopes=scopes,
        valid_from=auth.valid_from, valid_to=auth.valid_to, commune_name=commune,
        certification_number=auth.certification_number or "", certified_on=auth.certified_on)
    return doc, body


def render_letter(auth: Authorization, commune_org: Organization, stamp=None,
                  issued_on: _dt.date | None = None) -> bytes:
    """PDF bytes of the letter (A4 portrait, one page)."""
    doc, body = letter(auth, commune_org, stamp, issued_on)
    return pdf_for(TEMPLATE, {"doc": doc, "body": body})
