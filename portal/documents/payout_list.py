"""Monthly payout list PDF (danh sách chi trả trợ cấp xã hội hằng tháng), domain reference §2.3.

The contract with the services layer is plain data: ``portal.services.payouts.pdf`` turns a list and its lines into a
:class:`PayoutListDoc` (made of :class:`PayoutLine` and ``official.Signer``), and :func:`render_payout_list` turns
that into PDF bytes with the list engine :mod:`portal.documents.list_pdf` (ReportLab; A4 landscape, Decree 30/2020
heading; 1.000 rows in ~0,3 s, 10.000 in ~2,8 s on one core — ``make bench``). Nothing here touches the database or
Flask, so it is unit-testable as is. The portal renders lists in a job and stores them (``services.payouts.pdf``).

Money is ``int`` đồng throughout, printed with ``formatting.money``. Totals and the amount in words ("Bằng chữ: …")
are derived from the lines in ``PayoutListDoc.__post_init__`` — callers never pass them, so the printed figures
always add up. Privacy: a line carries the category *code* (e.g. "K6") only; the category text (which may reveal
e.g. HIV status) is never part of this document.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from reportlab.lib.units import mm

from ..formatting import amount_in_words, money, month_vn
from . import list_pdf
from .list_grid import COMPACT, Column, TableStyle
from .official import Signer

#: Payment channel code -> label printed in the heading ("Hình thức chi trả: …").
CHANNEL_LABELS = {
    "bank_account": "Chuyển khoản",
    "cash_at_point": "Tiền mặt tại điểm chi trả",
    "cash_at_home": "Tiền mặt tại nhà",
}


def _check_money(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be int đồng, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must be ≥ 0, got {value}")


@dataclass(frozen=True)
class PayoutLine:
    """One beneficiary row of the list.

    index: STT printed (1-based). full_name: "Họ và tên" (NFC). birth: as printed, "dd/mm/yyyy" or "yyyy".
    gender: "Nam" / "Nữ". national_id: 12-digit số định danh cá nhân (string). hamlet: khóm/ấp.
    category_code: diện code only (e.g. "K6"); on a social-pension list what the pension pays on instead ("Hưu trí
    XH: 75+", "Hưu trí XH: 70–74, hộ nghèo/cận nghèo"); "" in a copy without categories.
    coefficient: hệ số as printed ("1,5"; Vietnamese decimal comma).
    amount: monthly allowance (mức trợ cấp), back_pay: truy lĩnh, other: khoản khác — local top-up (trợ cấp địa
    phương), care support (hỗ trợ chăm sóc) and funeral support (mai táng phí), named in ``note``;
    total: amount + back_pay + other — all int đồng ≥ 0 (recoveries, thu hồi, are named in the note, never netted).
    The list prints back_pay + other in one column ("Truy lĩnh, khác"; :attr:`extra`).
    account_number / bank_name: for bank transfers ("" for cash). note: ghi chú.
    Raises ``TypeError`` / ``ValueError`` on non-int or negative money, or when total ≠ amount + back_pay + other
    (each printed row must add up).
    """

    index: int
    full_name: str
    birth: str
    gender: str
    national_id: str
    hamlet: str
    category_code: str
    coefficient: str
    amount: int
    back_pay: int
    total: int
    account_number: str = ""
    bank_name: str = ""
    note: str = ""
    other: int = 0

    @property
    def extra(self) -> int:
        """The printed "Truy lĩnh, khác" cell: back_pay + other (int đồng)."""
        return self.back_pay + self.other

    def __post_init__(self) -> None:
        for name in ("amount", "back_pay", "other", "total"):
            _check_money(name, getattr(self, name))
        if self.total != self.amount + self.back_pay + self.other:
            raise ValueError(f"line {self.index}: total {self.total} ≠ amount {self.amount} + back_pay "
                             f"{self.back_pay} + other {self.other}")


def default_signers(preparer: str = "", accountant: str = "", head: str = "",
                    head_title: str = "Thủ trưởng đơn vị") -> list[Signer]:
    """The three usual columns: Người lập biểu · Kế toán · Thủ trưởng đơn vị (title may be e.g.
    "KT. TRƯỞNG PHÒNG\\nPHÓ TRƯỞNG PHÒNG"), the last one signed and stamped."""
    return [
        Signer("Người lập biểu", preparer),
        Signer("Kế toán", accountant),
        Signer(head_title, head, hint="(Ký, ghi rõ họ tên, đóng dấu)"),
    ]


@dataclass(frozen=True)
class PayoutTotals:
    """Footer totals: people (number of lines), amount, back_pay, total, other (khoản khác) (int đồng)."""

    people: int
    amount: int
    back_pay: int
    total: int
    other: int = 0


@dataclass
class PayoutListDoc:
    """Everything printed on one commune's monthly payout list for one channel.

    issuer_parent: e.g. "ỦY BAN NHÂN DÂN THÀNH PHỐ CHÂU ĐỐC" ("" if none); issuer: e.g. "PHÒNG LAO ĐỘNG - THƯƠNG
    BINH VÀ XÃ HỘI" (both printed upper-case). place: địa danh ("Châu Đốc"); issued_on: date of the document.
    month: first day of the paid month (printed "Tháng MM/YYYY"). commune_name: e.g. "Phường Châu Phú A".
    channel: "bank_account" | "cash_at_point" | "cash_at_home" (decides the last columns: account + bank, an
    empty "Ký nhận" column, or "Ký nhận" and "Người làm chứng" at home);
    channel_label: defaults to :data:`CHANNEL_LABELS`. lines: rows in print order.
    signers: signature columns (default :func:`default_signers`). status: e.g. "Bản nháp" ("" = not printed).
    document_number: optional "Số: …" under the issuer. author: the issuing organisation's display name (PDF
    Author; "" = the printed heading). programme_label: the programme named in the title ("" = "TRỢ CẤP XÃ HỘI";
    "Trợ cấp hưu trí xã hội" for a social-pension list).
    Derived (not passed): totals (:class:`PayoutTotals`), amount_in_words (of totals.total, "… đồng").
    Raises ``ValueError`` for an unknown channel, ``TypeError`` for non-date dates.
    """

    issuer_parent: str
    issuer: str
    place: str
    issued_on: _dt.date
    month: _dt.date
    commune_name: str
    channel: str
    lines: list[PayoutLine]
    channel_label: str = ""
    signers: list[Signer] = field(default_factory=default_signers)
    status: str = ""
    document_number: str = ""
    author: str = ""
    programme_label: str = ""
    totals: PayoutTotals = field(init=False)
    amount_in_words: str = field(init=False)

    def __post_init__(self) -> None:
        if self.channel not in CHANNEL_LABELS:
            raise ValueError(f"unknown channel {self.channel!r}; expected one of {sorted(CHANNEL_LABELS)}")
        if not self.channel_label:
            self.channel_label = CHANNEL_LABELS[self.channel]
        for name in ("issued_on", "month"):
            if not isinstance(getattr(self, name), _dt.date):
                raise TypeError(f"{name} must be a date")
        self.lines = list(self.lines)
        self.totals = PayoutTotals(
            people=len(self.lines),
            amount=sum(line.amount for line in self.lines),
            back_pay=sum(line.back_pay for line in self.lines),
            total=sum(line.total for line in self.lines),
            other=sum(line.other for line in self.lines),
        )
        self.amount_in_words = amount_in_words(self.totals.total)


#: Columns: (title, share, alignment, may wrap). The widths come from the rows (``list_grid.fit_shares``, as a
#: spreadsheet's optimal width): numbers, dates and IDs never wrap; names, hamlets, bank names and notes wrap only when
#: the page is too narrow for them; the shares weigh the spare room (the "Ký nhận" / "Người làm chứng" columns of the
#: cash lists get the most: a signature or thumbprint). Column 10 "Truy lĩnh, khác" holds back pay + ``other``
#: (top-up, care, funeral support), each kind named in "Ghi chú". Bank lists end with account + bank, cash lists
#: with "Ký nhận"; the cash-at-home list adds "Người làm chứng" (the witness of a payment at home: hamlet head or a
#: neighbour, domain reference §2.3).
_BANK_COLUMNS = [("STT", 2, "CENTER", False), ("Họ và tên", 10, "LEFT", True), ("Ngày sinh", 2, "CENTER", False),
                 ("Giới tính", 1, "CENTER", False), ("Số định danh cá nhân", 2, "CENTER", False),
                 ("Khóm/Ấp", 8, "LEFT", True), ("Diện", 1, "CENTER", True), ("Hệ số", 1, "CENTER", False),
                 ("Mức trợ cấp (đồng)", 2, "RIGHT", False), ("Truy lĩnh, khác (đồng)", 2, "RIGHT", False),
                 ("Tổng cộng (đồng)", 2, "RIGHT", False), ("Số tài khoản", 2, "LEFT", False),
                 ("Ngân hàng", 6, "LEFT", True), ("Ghi chú", 59, "LEFT", True)]
_CASH_COLUMNS = _BANK_COLUMNS[:11] + [("Ký nhận", 45, "LEFT", True), ("Ghi chú", 22, "LEFT", True)]
_HOME_COLUMNS = _BANK_COLUMNS[:11] + [("Ký nhận", 30, "LEFT", True), ("Người làm chứng", 30, "LEFT", True),
                                      ("Ghi chú", 15, "LEFT", True)]
#: Cash lists: room for a signature or thumbprint in "Ký nhận".
SIGN_ROW_HEIGHT_MM = 11


def _columns(channel: str) -> list[Column]:
    table = {"bank_account": _BANK_COLUMNS, "cash_at_home": _HOME_COLUMNS}.get(channel, _CASH_COLUMNS)
    total = sum(share for _, share, _, _ in table)
    return [Column(t, 100 * share / total, a, wrap) for t, share, a, wrap in table]


def list_spec(doc: PayoutListDoc) -> list_pdf.ListSpec:
    """The :class:`~portal.documents.list_pdf.ListSpec` of ``doc``: heading, title lines, columns (sized from the
    rows), totals row, amount in words and signers. Bank lists print in the compact table style (7,5 pt: 1.000 rows
    on about 21 landscape pages, no more than LibreOffice prints the same rows on); cash lists keep 10 pt and an
    11 mm row for the signature. The "Truy lĩnh, khác" total is left blank when no line has any."""
    is_bank = doc.channel == "bank_account"
    columns = _columns(doc.channel)
    totals = [""] * len(columns)
    totals[0] = f"Tổng cộng: {doc.totals.people} người"
    extra = doc.totals.back_pay + doc.totals.other
    totals[8], totals[9], totals[10] = (money(doc.totals.amount), money(extra) if extra else "",
                                        money(doc.totals.total))
    programme = (doc.programme_label or "Trợ cấp xã hội").upper()
    meta = f"{doc.commune_name} - Hình thức chi trả: {doc.channel_label}"
    if doc.programme_label:
        meta = f"{doc.commune_name} - Chương trình: {doc.programme_label} - Hình thức chi trả: {doc.channel_label}"
    title_lines = [(f"DANH SÁCH CHI TRẢ {programme} HẰNG THÁNG", "title"),
                   (f"Tháng {month_vn(doc.month)}", "subtitle"),
                   (meta, "meta")]
    if doc.status:
        title_lines.append((f"Tình trạng: {doc.status}", "status"))
    return list_pdf.ListSpec(
        issuer_parent=doc.issuer_parent, issuer=doc.issuer, place=doc.place, issued_on=doc.issued_on,
        document_number=doc.document_number, columns=columns, title_lines=title_lines, totals=totals,
        totals_spans=[(0, 7), (11, len(columns) - 1)], words=f"{doc.amount_in_words}.",
        signers=list(doc.signers), min_row_height=0 if is_bank else SIGN_ROW_HEIGHT_MM * mm, pdf_author=doc.author,
        pdf_title=f"Danh sách chi trả {(doc.programme_label or 'Trợ cấp xã hội').lower()} hằng tháng - Tháng "
                  f"{month_vn(doc.month)} - {doc.commune_name}",
        style=COMPACT if is_bank else TableStyle(), fit_columns=True)


def _row(line: PayoutLine, channel: str) -> list[str]:
    cells = [str(line.index), line.full_name, line.birth, line.gender, line.national_id, line.hamlet,
             line.category_code, line.coefficient, money(line.amount), money(line.extra) if line.extra else "",
             money(line.total)]
    tail = {"bank_account": [line.account_number, line.bank_name], "cash_at_home": ["", ""]}.get(channel, [""])
    return cells + tail + [line.note]


def render_payout_list(doc: PayoutListDoc, progress=None) -> bytes:
    """Render ``doc`` to PDF bytes (A4 landscape) with the list engine (:mod:`portal.documents.list_pdf`).

    ``progress(pct, message)`` is called while pages are drawn (for a job's progress bar). About 1 s per 1.000 rows
    on one core (see ``make bench``); still, call it from a job for lists of thousands of rows.
    Raises :class:`~portal.documents.renderer.DocumentRenderError` when Liberation Serif 2.x is missing."""
    return list_pdf.render_list(list_spec(doc), [_row(line, doc.channel) for line in doc.lines], progress=progress)

