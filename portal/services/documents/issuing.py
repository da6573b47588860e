"""Issuing official documents (ban hành văn bản): the yearly number register, the stored PDF with its hash, the
public verification, and corrections.

- ``allocate_number(org, year, series)`` takes the next number of the organisation's register for the year with one
  atomic ``UPDATE … RETURNING`` on the guarded ``DocumentCounter`` row (row lock on PostgreSQL, database write lock
  on SQLite); the unique constraint on ``IssuedDocument`` (org, year, series, number) is the second line of defence.
  Numbers run from 01 each 1 January (Decree 30/2020 Art. 15).
- ``issue(...)`` allocates the number, asks the caller's ``render(stamp)`` for the PDF bytes (a
  ``portal.documents.official.Stamp``, so that the number and the QR code of the verification page are printed),
  signs it with the organisation's certificate when one is configured (``portal.documents.signing``), stores the
  bytes and their SHA-256, and records the audit event. The counter row stays locked until the caller commits:
  issuing is serialised per organisation and series, by design.
- ``verify_upload(doc, data)``: does an uploaded file match the stored hash?
"""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import date

from flask import current_app, has_app_context, has_request_context, request
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ...access import is_commune_of
from ...clock import today_vn
from ...documents import qr, signing
from ...documents.official import Stamp
from ...errors import AccessDenied, StateError, ValidationError
from ...extensions import db
from ...models import DocumentCounter, DocumentKind, IssuedDocument, Organization, ServiceContract, User
from .. import audit
from .headings import org_symbol
from .printing import print_letter

VERIFY_PATH = "/xac-minh/"


def sha256_hex(data: bytes) -> str:
    """SHA-256 of ``data`` as 64 lowercase hex characters."""
    return hashlib.sha256(data).hexdigest()


def allocate_number(org: Organization, year: int, series: str) -> int:
    """Next number (1, 2, …) of ``org``'s register for ``year`` and ``series`` (e.g. "HĐ"). Flushes; the counter row
    stays locked until the transaction ends, so concurrent callers get distinct consecutive numbers."""
    bump = (update(DocumentCounter)
            .where(DocumentCounter.organization_id == org.id, DocumentCounter.year == year,
                   DocumentCounter.series == series)
            .values(last_number=DocumentCounter.last_number + 1)
            .returning(DocumentCounter.last_number)
            .execution_options(synchronize_session=False))
    number = db.session.execute(bump).scalar_one_or_none()
    if number is None:
        try:
            with db.session.begin_nested():
                db.session.add(DocumentCounter(organization_id=org.id, year=year, series=series, last_number=0))
        except IntegrityError:
            pass  # another transaction created the row first; the UPDATE below waits for it
        number = db.session.execute(bump).scalar_one()
    return number


def month_key(month: date) -> int:
    """A month as the ``IssuedDocument.subject_id`` of a monthly document (report, fee statement): 2024-08-01 →
    202408."""
    return month.year * 100 + month.month


def verify_url(token: str) -> str:
    """Absolute URL of the public verification page printed in the QR code: config ``PUBLIC_BASE_URL``; when unset,
    the address the current request came in on (the app warned at start-up), or http://localhost:5000 in debug
    and tests only. Raises ``StateError`` rather than print a local address in production (no configured address
    and no request, or a request to localhost)."""
    base = current_app.config.get("PUBLIC_BASE_URL") if has_app_context() else None
    if not base and has_request_context() and not _local(request.host_url):
        base = request.host_url
    if not base and (not has_app_context() or current_app.debug or current_app.testing):
        base = "http://localhost:5000"
    if not base:
        raise StateError("Chưa cấu hình địa chỉ công khai của cổng (PUBLIC_BASE_URL): không in được mã QR xác minh.")
    return base.rstrip("/") + VERIFY_PATH + token


def _local(url: str) -> bool:
    host = (url.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0]).strip("[]").lower()
    return host in ("localhost", "127.0.0.1", "::1") or host.endswith(".localhost")


def issue(actor: User | None, org: Organization, kind: DocumentKind, title: str, render: Callable[[Stamp], bytes],
          *, issued_on: date | None = None, subject_type: str | None = None, subject_id: int | None = None,
          filename: str | None = None, corrects: IssuedDocument | None = None, sign: bool = True) -> IssuedDocument:
    """Issue a document of ``kind`` for ``org``: allocate its number, render it with ``render(stamp)`` (PDF bytes),
    sign it when the organisation has a certificate (``sign=True``), store it with its SHA-256. ``issued_on``
    defaults to today in Vietnam; the register year is its year. ``corrects``: the earlier document this one
    corrects (same organisation). Flushes; records audit ``issue_document``. Raises ``ValidationError`` when
    ``corrects`` belongs to another organisation."""
    if corrects is not None and corrects.organization_id != org.id:
        raise ValidationError("Văn bản đính chính phải do cùng cơ quan ban hành.")
    issued_on = issued_on or today_vn()
    series = DocumentKind(kind).series
    number = allocate_number(org, issued_on.year, series)
    token = secrets.token_urlsafe(32)
    url = verify_url(token)
    stamp = Stamp(number=number, symbol=f"{series}-{org_symbol(org)}", verify_url=url, qr_svg=qr.svg(url))
    pdf = render(stamp)
    signed = False
    if sign:
        signer = signing.signer_for(org)
        if signer is not None:
            pdf = signing.sign_pdf(pdf, signer, reason=f"Ban hành văn bản số {stamp.number_text}",
                                   location=org.unit.name if org.unit else None)
            signed = True
    doc = IssuedDocument(
        organization_id=org.id, kind=DocumentKind(kind).value, year=issued_on.year, series=series, number=number,
        symbol=stamp.symbol, title=title[:300], issued_on=issued_on, issued_by_id=getattr(actor, "id", None),
        subject_type=subject_type, subject_id=subject_id, corrects_id=corrects.id if corrects else None,
        filename=filename or f"{DocumentKind(kind).value}-{issued_on.year}-{number:02d}.pdf", content=pdf,
        sha256=sha256_hex(pdf), signed=signed, verify_token=token)
    db.session.add(doc)
    db.session.flush()
    audit.record(actor, "issue_document", "issued_document", doc.id,
                 f"Ban hành {DocumentKind(kind).label.lower()} số {doc.number_text}"
                 + (f" (đính chính văn bản số {corrects.number_text})" if corrects else ""),
                 after={"number": doc.number_text, "sha256": doc.sha256, "signed": signed})
    return doc


def by_token(token: str) -> IssuedDocument | None:
    """The document behind a verification token, or None."""
    if not token or len(token) > 60:
        return None
    return db.session.execute(select(IssuedDocument).where(IssuedDocument.verify_token == token)).scalar_one_or_none()


def verify_upload(doc: IssuedDocument, data: bytes) -> bool:
    """True when ``data`` is byte for byte the stored document (same SHA-256). Raises ``ValidationError`` for an
    empty upload."""
    if not data:
        raise ValidationError("Chưa chọn tệp để đối chiếu.")
    return secrets.compare_digest(sha256_hex(data), doc.sha256)


def signed_copy_matches(doc: IssuedDocument, data: bytes) -> bool:
    """True when ``data`` is the copy of a service contract signed by both parties (stored hash of the contract
    issued as ``doc``)."""
    digest = sha256_hex(data)
    return db.session.execute(select(ServiceContract.id).where(
        ServiceContract.document_id == doc.id, ServiceContract.scan_sha256 == digest)).first() is not None


def corrections_of(doc: IssuedDocument) -> list[IssuedDocument]:
    """Documents that correct ``doc``, oldest first."""
    return list(db.session.execute(select(IssuedDocument).where(IssuedDocument.corrects_id == doc.id)
                                   .order_by(IssuedDocument.id)).scalars())


def ensure_issued(doc: IssuedDocument | None) -> IssuedDocument:
    """``doc`` or ``StateError`` when there is none yet."""
    if doc is None:
        raise StateError("Văn bản chưa được ban hành.")
    return doc


def issue_authorization_letter(actor: User, auth, issued_on: date | None = None) -> IssuedDocument:
    """Store the printed authorization letter of a certified ``Authorization`` under the actor's commune committee,
    with its verification QR code. The letter is dated — and recorded as issued on — the day the commune certified
    it (``auth.certified_on``; ``issued_on`` is only the fallback); its register entry (series ``GUQ``) is internal,
    never printed: a letter between two citizens carries the certification number, not an office number. Raises
    ``StateError`` when the letter is not certified yet, ``AccessDenied`` when the actor is not the beneficiary's
    commune committee."""
    org = actor.organization
    if not is_commune_of(actor, auth.beneficiary.commune_code):
        raise AccessDenied("Chỉ UBND xã nơi đối tượng cư trú chứng thực giấy ủy quyền.")
    if auth.certified_on is None:
        raise StateError("Giấy ủy quyền chưa được chứng thực.")
    dated = auth.certified_on or issued_on
    return issue(actor, org, DocumentKind.AUTHORIZATION_LETTER, "Giấy ủy quyền nhận trợ cấp xã hội",
                 lambda stamp: print_letter(auth, org, stamp, dated), issued_on=dated,
                 subject_type="authorization", subject_id=auth.id, filename=f"giay-uy-quyen-{auth.id}.pdf")
