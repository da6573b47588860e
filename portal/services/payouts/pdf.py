"""The payout list PDF (danh sách chi trả, bản in): what it prints, and the stored file. Rendered in a background
job, never in a web request; an approved list never changes, so its PDF is rendered once and served from
``StoredFile`` afterwards.

- ``build_payout_list_doc(lst) -> PayoutListDoc``: the plain data the list engine prints (``documents.payout_list``),
  from the list, its lines and their notes.
- ``request_pdf(actor, lst, file_id=None) -> (StoredFile | None, Job | None)``: the stored PDF when there is one
  (approved list: keyed by the approval time; a list still open: only the file ``file_id`` a job of this list made),
  else a job rendering it (an unfinished job of the same list that ``actor`` may watch is reused). The caller commits.
  A failed job is shown again (its Vietnamese error and a "Thử lại" button) instead of starting a new one on every
  reload; ``request_pdf(..., retry=True)`` (the button's POST) starts a new one.
- ``render_job(job, progress)``: the job function (``portal.jobs``): loads the list, builds the document
  (``build_payout_list_doc``), renders it with the list engine (``documents.payout_list``) and stores it.

A list still open (draft, confirmed, returned) is printed fresh on each request (its lines may change) and only the
newest print of such a list is kept.
"""
from __future__ import annotations

import hashlib

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ... import jobs
from ...areas import visible
from ...clock import today_vn, vn_date
from ...documents.payout_list import PayoutLine as DocLine
from ...documents.payout_list import PayoutListDoc, default_signers, render_payout_list
from ...errors import StateError
from ...extensions import db
from ...formatting import coefficient, money
from ...models import Gender, Job, ListChannel, PaymentProvider, PayoutList, StoredFile, User
from ..documents.headings import short_name
from ..entitlement.months import describe_months
from ..registry.identity import names_match_bank
from . import lists
from .lines import AWAITING_ACCOUNT, NO_NOTE, LineNote, line_notes

KIND = "payout_list_pdf"
JOB_FUNC = "portal.services.payouts.pdf:render_job"
HEAD_TITLE = "KT. TRƯỞNG PHÒNG\nPHÓ TRƯỞNG PHÒNG"
DOC_CHANNEL = {ListChannel.ACCOUNT: "bank_account", ListChannel.CASH_AT_POINT: "cash_at_point",
               ListChannel.CASH_AT_HOME: "cash_at_home"}
DRAFT_STATUS = {"draft": "Dự thảo, chưa phê duyệt", "confirmed": "Xã đã xác nhận, chưa phê duyệt"}


def note_text(line, note: LineNote) -> str:
    """Ghi chú of a printed line: what the "Truy lĩnh, khác" cell holds besides back pay (mai táng phí / hỗ trợ chăm
    sóc with the payee, trợ cấp địa phương; with each amount when the cell mixes kinds), the back-pay and recovery
    months (``describe_months``; a recovery is named, never netted), then the account note (``note``, from
    ``lines.line_notes``)."""
    payee = f" — người nhận: {line.payee_name}" if line.payee_name else ""
    kinds = [(label, int(value or 0)) for label, value in (
        ("Mai táng phí", line.funeral_support), ("Hỗ trợ chăm sóc", line.care_support),
        ("Trợ cấp địa phương", line.top_up)) if value]
    mixed = len(kinds) + bool(line.back_pay) > 1  # one printed cell holds several kinds: give each its amount
    parts = [f"{label}{f' {money(value)} đ' if mixed else ''}{'' if label == 'Trợ cấp địa phương' else payee}"
             for label, value in kinds]
    if line.back_pay_months:
        parts.append(describe_months(line.back_pay_months))
    if line.holder_name and not names_match_bank(line.full_name, line.holder_name):
        parts.append(f"Chủ TK: {line.holder_name}")
    elif note.awaiting_account:
        parts.append(AWAITING_ACCOUNT)
    return "; ".join(p for p in parts if p)


def build_payout_list_doc(lst: PayoutList) -> PayoutListDoc:
    """The ``PayoutListDoc`` of ``lst``: the payout office's heading (its parent name above its name, in capitals;
    the place is its unit's short name; the PDF Author its display name), issued on the approval date (Vietnam time;
    the preparation date while a draft, which is also printed as "Tình trạng: Dự thảo…"), lines in list order with
    their snapshot figures (money in integer đồng; ``other`` = top-up + care + funeral support, printed with back
    pay), account number and bank name on account lists, a note (Ghi chú, :func:`note_text`), and the signers: the
    preparer (Người lập biểu), the accountant (Kế toán, left blank) and the approver signing for the head
    ("KT. TRƯỞNG PHÒNG"). Only the category code is printed, never its text (HIV categories stay private;
    reference §2.3). Queries: the bank names, the lines, their notes — none per line."""
    office = lst.payout_office
    providers = dict(db.session.execute(select(PaymentProvider.code, PaymentProvider.name)).all())
    notes = line_notes(lst)
    lines = [DocLine(index=line.position, full_name=line.full_name, birth=line.birth_display,
                     gender=Gender.label_of(line.gender), national_id=line.national_id,
                     hamlet=line.hamlet or "", category_code=line.category_code,
                     coefficient=coefficient(line.coefficient), amount=int(line.regular_amount),
                     back_pay=int(line.back_pay or 0), total=int(line.total),
                     other=int(line.top_up or 0) + int(line.care_support or 0) + int(line.funeral_support or 0),
                     account_number=line.account_number or "",
                     bank_name=providers.get(line.provider_code, line.provider_code or ""),
                     note=note_text(line, notes.get(line.id, NO_NOTE)))
             for line in lst.lines]
    approved = lst.approved_by is not None and lst.status_enum.frozen
    return PayoutListDoc(
        issuer_parent=(office.parent_name or "").upper(), issuer=office.name.upper(), place=short_name(office.unit),
        issued_on=vn_date(lst.approved_at if approved else lst.prepared_at) or today_vn(), month=lst.month,
        commune_name=lst.commune.name, channel=DOC_CHANNEL[lst.channel_enum], lines=lines,
        signers=default_signers(preparer=lst.prepared_by.full_name,
                                head=lst.approved_by.full_name if approved else "", head_title=HEAD_TITLE),
        status="" if lst.status_enum.frozen else DRAFT_STATUS.get(lst.status, ""), author=office.display_name,
        programme_label=lst.programme_enum.label if lst.programme == "social_pension" else "")


def file_name(lst: PayoutList) -> str:
    """The stored and served name, e.g. ``DS-chi-tra-2024-08-Phuong-Vinh-My-chuyen-khoan.pdf``
    (``payouts.download_name``)."""
    return lists.download_name(lst, "pdf")


def fingerprint(lst: PayoutList) -> str | None:
    """What an approved list's PDF depends on: its approval time (a list returned and approved again gets a new
    one). None for a list still open (its PDF is not reused)."""
    if not lst.status_enum.frozen or lst.approved_at is None:
        return None
    return "approved-" + lst.approved_at.isoformat()


def stored_pdf(lst: PayoutList, file_id: int | None = None) -> StoredFile | None:
    """The stored PDF of ``lst``: the approved one, or the one-off print ``file_id`` of this list; else None."""
    key = fingerprint(lst)
    stmt = select(StoredFile).where(StoredFile.kind == KIND, StoredFile.subject_id == lst.id)
    if key is not None:
        return db.session.execute(stmt.where(StoredFile.fingerprint == key)).scalar_one_or_none()
    if file_id is None:
        return None
    return db.session.execute(stmt.where(StoredFile.id == file_id, StoredFile.fingerprint.like("draft-%"))
                              ).scalar_one_or_none()


def _running_job(actor: User, lst: PayoutList) -> Job | None:
    """An unfinished PDF job of ``lst`` for the same fingerprint that ``actor`` may watch."""
    key = fingerprint(lst)
    candidates = db.session.execute(visible(Job, actor).where(
        Job.kind == KIND, Job.status.in_(("queued", "running"))).order_by(Job.id.desc())).scalars()
    for job in candidates:
        params = job.params or {}
        if params.get("list_id") == lst.id and params.get("fingerprint") == key and key is not None \
                and not jobs.is_stale(job):
            return job
    return None


def _last_job(actor: User, lst: PayoutList) -> Job | None:
    """The newest PDF job of ``lst`` (same fingerprint) that ``actor`` may watch, whatever its status."""
    key = fingerprint(lst)
    candidates = db.session.execute(visible(Job, actor).where(
        Job.kind == KIND, Job.params["list_id"].as_integer() == lst.id).order_by(Job.id.desc()).limit(20)).scalars()
    return next((job for job in candidates if (job.params or {}).get("fingerprint") == key), None)


def request_pdf(actor: User, lst: PayoutList, file_id: int | None = None,
                retry: bool = False) -> tuple[StoredFile | None, Job | None]:
    """The stored PDF of ``lst`` if there is one, else ``(None, job)`` with a job that renders it (a new one, or an
    unfinished one ``actor`` may watch). When the newest job of this list failed, that failed job is returned (the
    page shows its error and a "Thử lại" button) and nothing is started, unless ``retry`` (the button's POST).
    In sync mode (tests) the job has already run: the file is returned. The new Job row is committed by
    ``jobs.enqueue``."""
    found = stored_pdf(lst, file_id)
    if found is not None:
        return found, None
    if not retry:
        last = _last_job(actor, lst)
        if last is not None and last.status == "failed":
            return None, last
    job = _running_job(actor, lst)
    if job is None:
        job = jobs.enqueue(KIND, JOB_FUNC, params={
            "list_id": lst.id, "fingerprint": fingerprint(lst),
            "retry": {"endpoint": "documents.payout_list_pdf_retry", "values": {"list_id": lst.id}}},
            user=actor, owner_org_id=actor.organization_id)
    if job.status == "done" and (job.result or {}).get("file_id"):
        return db.session.get(StoredFile, job.result["file_id"]), job
    return None, job


def _store(lst: PayoutList, key: str, pdf: bytes, job_id: int) -> StoredFile:
    row = StoredFile(kind=KIND, subject_id=lst.id, fingerprint=key, filename=file_name(lst), content=pdf,
                     size=len(pdf), sha256=hashlib.sha256(pdf).hexdigest(), job_id=job_id)
    with db.session.begin_nested():
        db.session.add(row)
    return row


def render_job(job: Job, progress) -> dict:
    """Job function: render the list ``job.params["list_id"]`` and store the PDF; returns ``{"file_id",
    "endpoint", "values", "label"}`` (the download link). Raises ``StateError`` when the list no longer exists."""
    lst = db.session.get(PayoutList, job.params["list_id"])
    if lst is None:
        raise StateError("Danh sách chi trả không còn tồn tại.")
    key = fingerprint(lst)
    existing = stored_pdf(lst) if key else None
    if existing is None:
        progress(2, f"Đang đọc {lst.people_count} dòng của danh sách…")
        doc = build_payout_list_doc(lst)
        progress(10, "Đang dựng các trang…")
        pdf = render_payout_list(doc, progress=lambda pct, message: progress(10 + pct * 85 // 100, message))
        progress(96, "Đang lưu tệp PDF…")
        if key is None:  # a list still open: keep only this newest print
            db.session.execute(delete(StoredFile).where(StoredFile.kind == KIND, StoredFile.subject_id == lst.id))
            existing = _store(lst, f"draft-{job.id}", pdf, job.id)
        else:
            try:
                existing = _store(lst, key, pdf, job.id)
            except IntegrityError:  # another job stored the same approved list meanwhile: use that one
                existing = stored_pdf(lst)
    db.session.flush()
    values = {"list_id": lst.id} if key else {"list_id": lst.id, "tep": existing.id}
    return {"file_id": existing.id, "endpoint": "documents.payout_list_pdf", "values": values,
            "label": "Tải danh sách (PDF)"}
