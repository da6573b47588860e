"""The monthly cashless-payment progress report (báo cáo tiến độ chi trả không dùng tiền mặt, plan §V.7) on the
Decree 30 page: heading of the reporting organisation, "BÁO CÁO" + trích yếu, the sections as tables, the
reporter's free text, sign-off (TM. UBND / KT. TRƯỞNG PHÒNG / KT. GIÁM ĐỐC) with the recipients up the chain.
A4 portrait, 2–3 pages, ~0.5 s: rendered in the request. The figures come from
``portal.services.reporting.monthly_report.build_report``."""
from __future__ import annotations

import datetime as _dt

from ..formatting import month_vn
from .official import Issuer, OfficialDoc, Signer, Stamp, official_doc
from .renderer import pdf_for

TEMPLATE = "documents/monthly_report.html"
SERIES = "BC"
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


def report_frame(reporter: Issuer, level: str, month: _dt.date, issued_on: _dt.date, stamp: Stamp | None = None,
                 sign_title: str | None = None, recipients: list[str] | None = None) -> OfficialDoc:
    """The frame of the report of ``reporter`` at ``level`` (commune | district | province) for ``month``: number
    ``NN/BC-…`` when issued, the sign-off (``sign_title``, else that of the level) and recipients (``recipients``
    as given by the caller from the acting organisations, else those of the level in the 2024 plan)."""
    return official_doc(
        reporter, title="BÁO CÁO", series=SERIES, issued_on=issued_on, stamp=stamp,
        subtitle=f"Tiến độ, kết quả chi trả chính sách trợ giúp xã hội không dùng tiền mặt tháng {month_vn(month)}",
        signers=[Signer(sign_title or SIGN_TITLES[level], "", hint="")],
        recipients=recipients or RECIPIENTS[level])


def render_report(reporter: Issuer, rep, issued_on: _dt.date, stamp: Stamp | None = None,
                  sign_title: str | None = None, recipients: list[str] | None = None) -> bytes:
    """PDF bytes of ``rep`` (a ``MonthlyReport``: ``level``, ``month``, the sections' rows and totals, the free
    text) reported by ``reporter``; ``sign_title``/``recipients`` as in ``report_frame``."""
    doc = report_frame(reporter, rep.level, rep.month, issued_on, stamp, sign_title, recipients)
    return pdf_for(TEMPLATE, {"doc": doc, "rep": rep, "reporter": reporter.name})
