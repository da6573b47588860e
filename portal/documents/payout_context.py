"""Context builder of the payout list PDF (danh sách chi trả): turns a ``PayoutList`` with its lines into the
plain ``PayoutListDoc`` of ``portal.documents.payout_list`` (unit-testable without WeasyPrint).

Issuer lines come from the payout office (its ``parent_name`` above its name in capitals), the place (địa danh) is
the short name of the office's district, signers are the preparer (Người lập biểu), the accountant (Kế toán, left
blank) and the approver signing for the head ("KT. TRƯỞNG PHÒNG"). Only the category code is printed, never its
text (HIV categories stay private; reference §2.3)."""

from sqlalchemy import select

from ..clock import today_vn, vn_date
from ..extensions import db
from ..formatting import coefficient, money
from ..models import ListChannel, PaymentProvider, PayoutList
from ..services.entitlement.months import describe_months
from ..services.payouts.lines import AWAITING_ACCOUNT, NO_NOTE, line_notes
from ..services.registry.identity import names_match_bank
from .official import short_name
from .payout_list import PayoutLine as DocLine
from .payout_list import PayoutListDoc, default_signers

HEAD_TITLE = "KT. TRƯỞNG PHÒNG\nPHÓ TRƯỞNG PHÒNG"
DOC_CHANNEL = {ListChannel.ACCOUNT: "bank_account", ListChannel.CASH_AT_POINT: "cash_at_point",
               ListChannel.CASH_AT_HOME: "cash_at_home"}
DRAFT_STATUS = {"draft": "Dự thảo, chưa phê duyệt", "confirmed": "Xã đã xác nhận, chưa phê duyệt"}





def _payee(line) -> str:
    return f" — người nhận: {line.payee_name}" if line.payee_name else ""


def _note(line, note) -> str:
    """Ghi chú: what the "Truy lĩnh, khác" cell holds besides back pay (mai táng phí / hỗ trợ chăm sóc with the
    payee, trợ cấp địa phương; with each amount when the cell mixes kinds), the back-pay and recovery months
    (``describe_months``; a recovery is named, never netted), then the account note."""
    kinds = [(label, int(value or 0)) for label, value in (
        ("Mai táng phí", line.funeral_support), ("Hỗ trợ chăm sóc", line.care_support),
        ("Trợ cấp địa phương", line.top_up)) if value]
    mixed = len(kinds) + bool(line.back_pay) > 1  # one printed cell holds several kinds: give each its amount
    parts = [f"{label}{f' {money(value)} đ' if mixed else ''}{'' if label == 'Trợ cấp địa phương' else _payee(line)}"
             for label, value in kinds]
    if line.back_pay_months:
        parts.append(describe_months(line.back_pay_months))
    if line.holder_name and not names_match_bank(line.full_name, line.holder_name):
        parts.append(f"Chủ TK: {line.holder_name}")
    elif note.awaiting_account:
        parts.append(AWAITING_ACCOUNT)
    return "; ".join(p for p in parts if p)


def build_payout_list_doc(lst: PayoutList) -> PayoutListDoc:
    """``PayoutListDoc`` for ``lst``: issued on the approval date (Vietnam time; the preparation date while a
    draft, which is also printed as "Tình trạng: Dự thảo…"), lines in list order with their snapshot figures
    (money in integer đồng; ``other`` = top-up + care + funeral support, printed with back pay), account number and bank
    name on account lists, a note (Ghi chú) when someone else holds the account, and "Chờ mở tài khoản" on a cash list
    for a person who chose an account not opened yet."""
    office = lst.payout_office
    providers = dict(db.session.execute(select(PaymentProvider.code, PaymentProvider.name)).all())
    notes = line_notes(lst)
    lines = [DocLine(index=line.position, full_name=line.full_name, birth=line.birth_display,
                     gender="Nam" if line.gender == "male" else "Nữ", national_id=line.national_id,
                     hamlet=line.hamlet or "",
                     category_code=line.category_code, coefficient=coefficient(line.coefficient),
                     amount=int(line.regular_amount), back_pay=int(line.back_pay or 0), total=int(line.total),
                     other=int(line.top_up or 0) + int(line.care_support or 0) + int(line.funeral_support or 0),
                     account_number=line.account_number or "",
                     bank_name=providers.get(line.provider_code, line.provider_code or ""),
                     note=_note(line, notes.get(line.id, NO_NOTE)))
             for line in lst.lines]
    approved = lst.approved_by is not None and lst.status_enum.frozen
    return PayoutListDoc(
        issuer_parent=(office.parent_name or "").upper(), issuer=office.name.upper(), place=short_name(office.unit),
        issued_on=vn_date(lst.approved_at if approved else lst.prepared_at) or today_vn(), month=lst.month,
        commune_name=lst.commune.name, channel=DOC_CHANNEL[lst.channel_enum], lines=lines,
        signers=default_signers(preparer=lst.prepared_by.full_name,
                                head=lst.approved_by.full_name if approved else "", head_title=HEAD_TITLE),
        status="" if lst.status_enum.frozen else DRAFT_STATUS.get(lst.status, ""))
