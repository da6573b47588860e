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


#: The provincial plan the report answers, printed as "Thực hiện …" only for the months it governed (the caller
#: decides: ``services.documents.printing.print_report``).
PLAN_2587 = "Kế hoạch số 2587/KH-SLĐTBXH ngày 26/7/2024 của Sở Lao động - Thương binh và Xã hội"


#: The head's position at each level, for "KT. …" when a deputy signs (Decree 30 Phụ lục I ô 7).
HEAD_TITLES = {"commune": "Chủ tịch", "district": "Trưởng phòng", "province": "Giám đốc"}


def sign_title(level: str, position: str) -> str:
    """Signature title (ô 7) of the report signed by someone holding ``position`` ("Phó Chủ tịch", "Trưởng
    phòng", …; "" = unknown: the deputy's usual block of :data:`SIGN_TITLES`): a deputy signs "KT." for the head,
    a commune signs "TM. ỦY BAN NHÂN DÂN" (collective body). Lines separated by "\n", upper-case."""
    position = " ".join((position or "").split())
    if not position:
        return SIGN_TITLES[level]
    lines = [f"KT. {HEAD_TITLES[level]}", position] if position.lower().startswith("phó ") else [position]
    if level == "commune":
        lines.insert(0, "TM. ỦY BAN NHÂN DÂN")
    return "\n".join(line.upper() for line in lines)


def report_frame(reporter: Issuer, level: str, month: _dt.date, issued_on: _dt.date, stamp: Stamp | None = None,
                 signer_name: str = "", signer_position: str = "", recipients: list[str] | None = None
                 ) -> OfficialDoc:
    """The frame of the report of ``reporter`` at ``level`` (commune | district | province) for ``month``: number
    ``NN/BC-…`` when issued, the sign-off (``signer_name`` printed under the signing space, title from
    ``signer_position`` — :func:`sign_title`) and ``recipients`` (ô 9 lines; default the generic ones of the
    level, :data:`RECIPIENTS`)."""
    return official_doc(
        reporter, title="BÁO CÁO", series=SERIES, issued_on=issued_on, stamp=stamp,
        subtitle=f"Tiến độ, kết quả chi trả chính sách trợ giúp xã hội không dùng tiền mặt tháng {month_vn(month)}",
        signers=[Signer(sign_title(level, signer_position), signer_name, hint="")],
        recipients=recipients or RECIPIENTS[level])


def render_report(reporter: Issuer, rep, issued_on: _dt.date, stamp: Stamp | None = None, *, signer_name: str = "",
                  signer_position: str = "", recipients: list[str] | None = None, replaces: str = "",
                  plan: str = "") -> bytes:
    """PDF bytes of ``rep`` (a ``MonthlyReport``: ``level``, ``month``, the sections' rows and totals, the free
    text) reported by ``reporter``, signed by ``signer_name`` (``signer_position``) and sent to ``recipients``.
    ``replaces``: "01/BC-UBND ngày 05/08/2024" when this report replaces one issued earlier for the same month
    (printed under the title: "Báo cáo này thay thế báo cáo số …"). ``plan``: the plan the report answers
    (:data:`PLAN_2587`), opening the text with "Thực hiện …,"; "" opens with the reporter's name."""
    doc = report_frame(reporter, rep.level, rep.month, issued_on, stamp, signer_name, signer_position, recipients)
    return pdf_for(TEMPLATE, {"doc": doc, "rep": rep, "reporter": reporter.name, "replaces": replaces,
                                "plan": plan})
