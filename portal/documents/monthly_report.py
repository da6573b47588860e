"""Renderer of the monthly cashless-payment progress report (``services/monthly_report.MonthlyReport``) on the
Decree 30 page: heading of the reporting organisation, "BÁO CÁO" + trích yếu, the sections as tables, the
reporter's free text, sign-off (TM. UBND / KT. TRƯỞNG PHÒNG / KT. GIÁM ĐỐC) with the recipients up the chain.
A4 portrait, 2–3 pages, ~0.5 s: rendered in the request."""
from __future__ import annotations

import datetime as _dt

from ..clock import today_vn
from .official import OfficialDoc, Signer, issuer_lines, place_of
from .renderer import pdf_for

TEMPLATE = "documents/monthly_report.html"
SIGN_TITLES = {
    "commune": "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
    "district": "KT. TRƯỞNG PHÒNG\nPHÓ TRƯỞNG PHÒNG",
    "province": "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC",
}
RECIPIENTS = {
    "commune": ["Phòng Lao động - Thương binh và Xã hội", "Lưu: VT, VHXH"],
    "district": ["Sở Lao động - Thương binh và Xã hội", "UBND huyện, thị xã, thành phố", "Lưu: VT, LĐTBXH"],
    "province": ["Bộ Lao động - Thương binh và Xã hội (nay là Bộ Y tế)", "UBND tỉnh", "Lưu: VT, P.BTXH"],
}


def report_doc(rep, actor, stamp=None, issued_on: _dt.date | None = None) -> OfficialDoc:
    """The frame of the report: issuer lines of the reporting organisation, number ``NN/BC-…`` when issued."""
    org = rep.organization
    parent, issuer = issuer_lines(org)
    from ..services.documents.issuing import org_symbol
    return OfficialDoc(
        issuer_parent=parent, issuer=issuer, place=place_of(org), issued_on=issued_on or today_vn(),
        title="BÁO CÁO", subtitle=(f"Tiến độ, kết quả chi trả chính sách trợ giúp xã hội không dùng tiền mặt "
                                   f"tháng {rep.month:%m/%Y}"),
        document_number=stamp.number_text if stamp else "", symbol=f"BC-{org_symbol(org)}",
        signers=[Signer(SIGN_TITLES[rep.level], "", hint="")],
        recipients=list(RECIPIENTS[rep.level]), verify_url=stamp.verify_url if stamp else "",
        qr_svg=stamp.qr_svg if stamp else "", draft=stamp is None)


def render_report(rep, actor, stamp=None, issued_on: _dt.date | None = None) -> bytes:
    """PDF bytes of the report."""
    return pdf_for(TEMPLATE, {"doc": report_doc(rep, actor, stamp, issued_on), "rep": rep})
