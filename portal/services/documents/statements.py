"""Issuing the post office's monthly fee statement (ban hành bảng kê chi phí dịch vụ chi trả): once every line of
the month has a result, the post office (bên B) issues the statement — number ``NN/BK-BĐ`` from its register, date,
both parties' signature columns with their representatives' names — stored, hashed and signed like every issued
document (``issuing.issue``). The draft (``DỰ THẢO``, "Số: …/BK-BĐ") stays available to read before."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ...access import provides_payment
from ...errors import AccessDenied, StateError
from ...extensions import db
from ...models import DocumentKind, IssuedDocument, Organization, PayoutList, ServiceContract, User
from ..payouts.fee_statements import FeeStatement, fee_statement
from . import issuing
from .issuing import month_key
from .printing import print_fee_statement

SUBJECT = "fee_statement"


def issued_statement(post_office: Organization, month: date) -> IssuedDocument | None:
    """The latest statement ``post_office`` issued for ``month``, or None."""
    return db.session.execute(select(IssuedDocument).where(
        IssuedDocument.organization_id == post_office.id, IssuedDocument.kind == DocumentKind.FEE_STATEMENT.value,
        IssuedDocument.subject_type == SUBJECT, IssuedDocument.subject_id == month_key(month.replace(day=1)))
        .order_by(IssuedDocument.id.desc()).limit(1)).scalar_one_or_none()


def party_a_office(statement: FeeStatement) -> Organization | None:
    """Bên A of the statement: the payout office of the one service contract in force that the month's lists name
    (``FeeRow.basis`` cites it); without such a contract, the one payout office of the statement's lists (the
    district office until 6/2025, the commune committee since); None when there are several or none (the column
    then names no body and is signed by hand)."""
    offices = {c.district_org_id for c in db.session.execute(select(ServiceContract).where(
        ServiceContract.post_office_id == statement.post_office.id,
        ServiceContract.valid_from <= statement.month, ServiceContract.valid_to >= statement.month,
        ServiceContract.status.in_(("issued", "signed")))).scalars()}
    if not offices and statement.rows:
        offices = set(db.session.execute(select(PayoutList.payout_office_id).where(
            PayoutList.id.in_([r.list_id for r in statement.rows]))).scalars())
    return db.session.get(Organization, offices.pop()) if len(offices) == 1 else None


def issue_fee_statement(actor: User, month: date, issued_on: date | None = None, *, replace: bool = False
                        ) -> IssuedDocument:
    """Issue the actor's post office's statement for ``month``; returns the ``IssuedDocument`` (``subject_id``:
    :func:`month_key`). Raises ``AccessDenied`` unless the actor's organisation pays out (``payment_service``),
    ``StateError`` while a line has no result (the figures are provisional) or no fee applies yet, and when the
    month's statement was already issued (unless ``replace``: the new one corrects it). Flushes."""
    if not provides_payment(actor):
        raise AccessDenied("Chỉ đơn vị chi trả (bưu điện) ban hành bảng kê chi phí dịch vụ chi trả.")
    org = actor.organization
    statement = fee_statement(org, month.replace(day=1))
    if not statement.rows:
        raise StateError(f"Tháng {statement.month:%m/%Y} chưa có danh sách chi trả nào giao cho đơn vị.")
    if statement.provisional:
        raise StateError(f"Còn {statement.pending_people} người chưa có kết quả chi trả: bảng kê mới là tạm tính, "
                         "chưa ban hành được.")
    if statement.fee_total is None:
        raise StateError("Chưa có mức chi phí chi trả (hợp đồng hoặc quy định của tỉnh): chưa ban hành được.")
    previous = issued_statement(org, statement.month)
    if previous is not None and not replace:
        raise StateError(f"Bảng kê tháng {statement.month:%m/%Y} đã ban hành: số {previous.number_text} ngày "
                         f"{previous.issued_on:%d/%m/%Y}. Ban hành lại sẽ thay thế bảng kê đó.")
    office = party_a_office(statement)
    return issuing.issue(
        actor, org, DocumentKind.FEE_STATEMENT, f"Bảng kê chi phí dịch vụ chi trả tháng {statement.month:%m/%Y}",
        lambda stamp: print_fee_statement(statement, stamp, issued_on, party_a=office), issued_on=issued_on,
        subject_type=SUBJECT, subject_id=month_key(statement.month), corrects=previous,
        filename=f"bang-ke-phi-chi-tra-{statement.month:%Y-%m}.pdf")
