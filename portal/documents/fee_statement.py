"""The monthly fee statement (bảng kê chi phí dịch vụ chi trả) owed to the post office under the service contract:
people paid × fee per list, from the contract or the fee rule. Issued by the post office (bên B), confirmed by the
district office (bên A). One page; rendered in the request."""
from __future__ import annotations

import datetime as _dt

from ..formatting import month_vn
from .official import Issuer, OfficialDoc, Signer, Stamp, official_doc
from .renderer import pdf_for

TEMPLATE = "documents/fee_statement.html"
SERIES = "BK"
SIGNERS = (Signer("XÁC NHẬN CỦA BÊN A\nPHÒNG LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "", hint="(Ký, đóng dấu)"),
           Signer("ĐẠI DIỆN BÊN B\nGIÁM ĐỐC", "", hint="(Ký, đóng dấu)"))


def statement_frame(post_office: Issuer, month: _dt.date, issued_on: _dt.date, stamp: Stamp | None = None
                    ) -> OfficialDoc:
    """Heading of the ``post_office``, title "BẢNG KÊ …" for ``month`` (first-of-month date), both parties' columns."""
    return official_doc(post_office, title="BẢNG KÊ CHI PHÍ DỊCH VỤ CHI TRẢ", subtitle=f"Tháng {month_vn(month)}",
                        series=SERIES, issued_on=issued_on, stamp=stamp, signers=SIGNERS)


def render_fee_statement(post_office: Issuer, statement, issued_on: _dt.date, stamp: Stamp | None = None) -> bytes:
    """PDF bytes of ``statement`` — the month's figures as built by ``services.payouts.fee_statements.fee_statement``
    (``month``, ``rows`` with people, paid, failed, pending, amounts and fees, their totals, ``fee_total`` in đồng
    or None while a row's fee is pending, ``provisional``, ``rule``, ``basis``); "Bằng chữ" of the total fee when no
    row is pending."""
    doc = statement_frame(post_office, statement.month, issued_on, stamp)
    return pdf_for(TEMPLATE, {"doc": doc, "st": statement})
