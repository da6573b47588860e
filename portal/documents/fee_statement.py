"""The monthly fee statement (bảng kê chi phí dịch vụ chi trả) owed to the post office under the service contract:
people paid × fee per list, from the contract or the fee rule. Issued by the post office (bên B), confirmed by the
payout office of the lists (bên A: the district office until 6/2025, the commune committee since). One page;
rendered in the request."""
from __future__ import annotations

import datetime as _dt

from ..formatting import month_vn
from .official import Issuer, OfficialDoc, Signer, Stamp, official_doc
from .renderer import pdf_for

TEMPLATE = "documents/fee_statement.html"
SERIES = "BK"
SIGNERS = (Signer("XÁC NHẬN CỦA BÊN A", "", hint="(Ký, đóng dấu)"),
           Signer("ĐẠI DIỆN BÊN B\nGIÁM ĐỐC", "", hint="(Ký, đóng dấu)"))


def statement_signers(party_a: str = "", party_a_signer: str = "", party_a_title: str = "", party_b_signer: str = "",
                      party_b_title: str = "") -> list[Signer]:
    """Both parties' columns: bên A's confirmation (its name, e.g. "Phòng Lao động - Thương binh và Xã hội", and
    its signer's position and name) and bên B's representative (position, name); "" leaves a part as in
    :data:`SIGNERS` (a name to write by hand; bên A's column then names no body)."""
    a_title = "XÁC NHẬN CỦA BÊN A" + (f"\n{party_a.upper()}" if party_a else "")
    if party_a_title:
        a_title += f"\n{party_a_title.upper()}"
    b_title = f"ĐẠI DIỆN BÊN B\n{(party_b_title or 'Giám đốc').upper()}"
    return [Signer(a_title, party_a_signer, hint="(Ký, đóng dấu)"), Signer(b_title, party_b_signer,
                                                                           hint="(Ký, đóng dấu)")]


def statement_frame(post_office: Issuer, month: _dt.date, issued_on: _dt.date, stamp: Stamp | None = None,
                    signers: list[Signer] | None = None) -> OfficialDoc:
    """Heading of the ``post_office``, title "BẢNG KÊ …" for ``month`` (first-of-month date), both parties' columns
    (``signers``, default :data:`SIGNERS`); with a ``stamp`` its number "NN/BK-BĐ" and QR code, else a draft."""
    return official_doc(post_office, title="BẢNG KÊ CHI PHÍ DỊCH VỤ CHI TRẢ", subtitle=f"Tháng {month_vn(month)}",
                        series=SERIES, issued_on=issued_on, stamp=stamp, signers=signers or SIGNERS)


def render_fee_statement(post_office: Issuer, statement, issued_on: _dt.date, stamp: Stamp | None = None,
                         signers: list[Signer] | None = None) -> bytes:
    """PDF bytes of ``statement`` — the month's figures as built by ``services.payouts.fee_statements.fee_statement``
    (``month``, ``rows`` with people, paid, failed, pending, amounts and fees, their totals, ``fee_total`` in đồng
    or None while a row's fee is pending, ``provisional``, ``rule``, ``basis``); "Bằng chữ" of the total fee when no
    row is pending."""
    doc = statement_frame(post_office, statement.month, issued_on, stamp, signers)
    return pdf_for(TEMPLATE, {"doc": doc, "st": statement})
