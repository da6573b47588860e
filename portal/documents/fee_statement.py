"""Renderer of the monthly fee statement (bảng kê chi phí dịch vụ chi trả) owed to the post office under the service
contract: data from ``services/fee_statements.fee_statement`` (helper E: people × fee per list, from the contract or
the FeeRule). Issued by the post office (bên B), confirmed by the district office (bên A). One page; in the request."""
from __future__ import annotations

import datetime as _dt

from ..clock import today_vn
from .amount_words import amount_in_words
from .official import OfficialDoc, Signer, issuer_lines, place_of
from .renderer import pdf_for

TEMPLATE = "documents/fee_statement.html"


def render_fee_statement(statement, stamp=None, issued_on: _dt.date | None = None) -> bytes:
    """PDF bytes of ``statement`` (a ``FeeStatement``); "Bằng chữ" of the total fee when no row is pending."""
    org = statement.post_office
    parent, issuer = issuer_lines(org)
    doc = OfficialDoc(
        issuer_parent=parent, issuer=issuer, place=place_of(org), issued_on=issued_on or today_vn(),
        title="BẢNG KÊ CHI PHÍ DỊCH VỤ CHI TRẢ", subtitle=f"Tháng {statement.month:%m/%Y}",
        document_number=stamp.number_text if stamp else "", symbol="BK-BĐ",
        signers=[Signer("XÁC NHẬN CỦA BÊN A\nPHÒNG LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "", hint="(Ký, đóng dấu)"),
                 Signer("ĐẠI DIỆN BÊN B\nGIÁM ĐỐC", "", hint="(Ký, đóng dấu)")],
        verify_url=stamp.verify_url if stamp else "", qr_svg=stamp.qr_svg if stamp else "", draft=stamp is None)
    total = statement.fee_total
    return pdf_for(TEMPLATE, {"doc": doc, "st": statement, "fee_total": total,
                              "fee_words": amount_in_words(total) if total is not None else ""})
