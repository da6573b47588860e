"""Authorization letter (giấy ủy quyền nhận trợ cấp xã hội, reference §2.4) of a recorded authorization, with the
commune's certification block (chứng thực chữ ký, Decree 23/2015).

There is no national form: the content follows practice — the authoriser (name, birth, ID, residence, category
code and decision), the proxy (same fields plus the relationship), the scope (receive the monthly allowance, back
pay and funeral money; open an account), the term, the parties' undertakings and signatures, then the commune's
certification with its number and date. A citizen's letter between two people that the commune certifies: no
issuing body in the heading (``personal``), dated the day of the certification, and no office document number —
the commune's register keeps one internally (series ``GUQ``, for the verification QR code), never printed. One
page, ~0.3 s: rendered in the request. The data come from the services layer
(``portal.services.documents.printing``)."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from .official import Issuer, OfficialDoc, Signer, Stamp, official_doc
from .renderer import pdf_for

TEMPLATE = "documents/authorization_letter.html"
SERIES = "GUQ"


@dataclass(frozen=True)
class LetterBody:
    """Printed fields, as text: the authoriser's ``principal_birth`` "dd/mm/yyyy" or "yyyy", ``decision`` "số … ngày
    dd/mm/yyyy" ("" = none); ``scopes``: Vietnamese scope sentences; dates as ``date`` (None = not set)."""

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


def letter_frame(commune: Issuer, body: LetterBody, issued_on: _dt.date, stamp: Stamp | None = None) -> OfficialDoc:
    """The letter's frame: no heading (a citizen's letter), the certifying ``commune``'s place, both signatures;
    with a ``stamp`` its verification QR code but not its number (a letter between citizens has none)."""
    if stamp is not None:
        stamp = Stamp(number=0, symbol="", verify_url=stamp.verify_url, qr_svg=stamp.qr_svg)
    doc = official_doc(
        commune, title="GIẤY ỦY QUYỀN", subtitle="Nhận trợ cấp xã hội hằng tháng", series=SERIES,
        issued_on=issued_on, stamp=stamp, personal=True,
        signers=[Signer("NGƯỜI ĐƯỢC ỦY QUYỀN", body.proxy_name, hint="(Ký, ghi rõ họ tên)"),
                 Signer("NGƯỜI ỦY QUYỀN", body.principal_name, hint="(Ký hoặc điểm chỉ, ghi rõ họ tên)")])
    doc.document_number = ""
    return doc


def render_letter(commune: Issuer, body: LetterBody, issued_on: _dt.date, stamp: Stamp | None = None) -> bytes:
    """PDF bytes of the letter (A4 portrait, one page)."""
    return pdf_for(TEMPLATE, {"doc": letter_frame(commune, body, issued_on, stamp), "body": body})
