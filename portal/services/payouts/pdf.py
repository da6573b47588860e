"""The payout list PDF (danh sách chi trả, bản in): what it prints, and the stored file. Rendered in a background
job, never in a web request; an approved list never changes, so its PDF is rendered once and served from
``StoredFile`` afterwards.

- ``reader_view(user) -> ReaderView``: what one reader's copy prints, from ``access``: categories only for a reader
  who may see every category, HIV included (commune, payout office; ``access.sees_every_category``), the full CCCD
  only for one who ``may_see("national_id")`` (others get ``********5153``). So the post office's and the
  province's copies carry no category at all, and the province's no full CCCD. Each view is a separate stored file
  (its ``key`` is part of the fingerprint) and a separate job.
- ``category_cell(line, programme) -> str``: the «Diện» cell of a line (list pages and PDF alike): the category code
  on a social-assistance list, what the pension pays on (``entitlement.pension.ground_label``) on a social-pension
  list.
- ``build_payout_list_doc(lst, view) -> PayoutListDoc``: the plain data the list engine prints
  (``documents.payout_list``), from the list, its lines and their notes.
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
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ... import jobs
from ...access import may_see, sees_every_category
from ...areas import visible
from ...clock import today_vn, vn_date
from ...documents.payout_list import PayoutLine as DocLine
from ...documents.payout_list import PayoutListDoc, default_signers, render_payout_list
from ...errors import StateError
from ...extensions import db
from ...formatting import coefficient, masked_id, money
from ...models import Gender, Job, ListChannel, PaymentProvider, PayoutList, StoredFile, User
from ..documents.headings import head_title, issuer_of
from ..entitlement.months import describe_months
from ..entitlement.pension import ground_label
from ..entitlement.rates import SOCIAL_PENSION
from ..registry.identity import names_match_bank
from . import lists
from .lines import AWAITING_ACCOUNT, NO_NOTE, LineNote, line_notes

KIND = "payout_list_pdf"
JOB_FUNC = "portal.services.payouts.pdf:render_job"
DOC_CHANNEL = {ListChannel.ACCOUNT: "bank_account", ListChannel.CASH_AT_POINT: "cash_at_point",
               ListChannel.CASH_AT_HOME: "cash_at_home"}
DRAFT_STATUS = {"draft": "Dự thảo, chưa phê duyệt", "confirmed": "Xã đã xác nhận, chưa phê duyệt"}


@dataclass(frozen=True)
class ReaderView:
    """What one reader's copy of a payout list prints: the category column, the full CCCD (else masked)."""

    categories: bool
    full_national_id: bool

    @property
    def key(self) -> str:
        """Short tag of the view, part of the stored file's fingerprint: ``"ci"`` (all), ``"ni"``, ``"nm"``…"""
        return ("c" if self.categories else "n") + ("i" if self.full_national_id else "m")

    @classmethod
    def from_key(cls, key: str | None) -> ReaderView:
        key = key or FULL_VIEW.key
        return cls(categories=key[0] == "c", full_national_id=key[1:2] == "i")


FULL_VIEW = ReaderView(categories=True, full_national_id=True)


def reader_view(user: User) -> ReaderView:
    """The view of ``user``'s organisation (module docstring)."""
    return ReaderView(categories=sees_every_category(user), full_national_id=may_see("national_id", user))


def category_cell(line, programme: str) -> str:
    """The «Diện» cell of ``line`` (a ``PayoutLine``) on a list of ``programme`` (``Programme`` value): its category
    code ("K6") on a social-assistance list; on a social-pension list what the pension pays on, from the line's
    reason ("Hưu trí XH: 75+", "Hưu trí XH: 70–74, hộ nghèo/cận nghèo"; ``pension.ground_label``) — never a
    social-assistance code, which the pension replaced (K5b/K5c) or does not pay on. Who may read the cell at all is
    the caller's business (``reader_view``: the post office's and the province's copies print none)."""
    return ground_label(line.programme_reason) if programme == SOCIAL_PENSION else line.category_code


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
    elif note.account_problem:
        parts.append(note.account_problem)
    elif note.awaiting_account:
        parts.append(AWAITING_ACCOUNT)
    return "; ".join(p for p in parts if p)


def build_payout_list_doc(lst: PayoutList, view: ReaderView = FULL_VIEW) -> PayoutListDoc:
    """The ``PayoutListDoc`` of ``lst``: the payout office's heading (``headings.issuer_of``: its parent name above
    its name, in capitals — "ỦY BAN NHÂN DÂN" over "PHƯỜNG CHÂU ĐỐC" for a commune committee; the place is its unit's
    short name; the PDF Author its display name), issued on the approval date (Vietnam time;
    the preparation date while a draft, which is also printed as "Tình trạng: Dự thảo…"), lines in list order with
    their snapshot figures (money in integer đồng; ``other`` = top-up + care + funeral support, printed with back
    pay), account number and bank name on account lists, a note (Ghi chú, :func:`note_text`), and the signers: the
    preparer (Người lập biểu), the accountant (Kế toán, left blank) and the approver signing for the head
    (``headings.head_title``: "KT. TRƯỞNG PHÒNG", "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH"). Only the category code is
    printed, never its text (HIV categories stay private; reference §2.3) — on a social-pension list the pension's
    ground instead (``category_cell``) — and only in a ``view`` with categories;
    the CCCD is masked in a view without the full one. Queries: the bank names, the lines, their notes — none per
    line."""
    office = lst.payout_office
    providers = dict(db.session.execute(select(PaymentProvider.code, PaymentProvider.name)).all())
    notes = line_notes(lst)
    lines = [DocLine(index=line.position, full_name=line.full_name, birth=line.birth_display,
                     gender=Gender.label_of(line.gender),
                     national_id=line.national_id if view.full_national_id else masked_id(line.national_id),
                     hamlet=line.hamlet or "",
                     category_code=category_cell(line, lst.programme) if view.categories else "",
                     coefficient=coefficient(line.coefficient), amount=int(line.regular_amount),
                     back_pay=int(line.back_pay or 0), total=int(line.total),
                     other=int(line.top_up or 0) + int(line.care_support or 0) + int(line.funeral_support or 0),
                     account_number=line.account_number or "",
                     bank_name=providers.get(line.provider_code, line.provider_code or ""),
                     note=note_text(line, notes.get(line.id, NO_NOTE)))
             for line in lst.lines]
    approved = lst.approved_by is not None and lst.status_enum.frozen
    heading = issuer_of(office)
    return PayoutListDoc(
        issuer_parent=heading.heading_parent, issuer=heading.heading, place=heading.place,
        issued_on=vn_date(lst.approved_at if approved else lst.prepared_at) or today_vn(), month=lst.month,
        commune_name=lst.commune.name, channel=DOC_CHANNEL[lst.channel_enum], lines=lines,
        signers=default_signers(preparer=lst.prepared_by.full_name,
                                head=lst.approved_by.full_name if approved else "", head_title=head_title(office)),
        status="" if lst.status_enum.frozen else DRAFT_STATUS.get(lst.status, ""), author=office.display_name,
        programme_label=lst.programme_enum.label if lst.programme == "social_pension" else "")


def file_name(lst: PayoutList) -> str:
    """The stored and served name, e.g. ``DS-chi-tra-2024-08-Phuong-Vinh-My-TCXH-chuyen-khoan.pdf``
    (``payouts.download_name``)."""
    return lists.download_name(lst, "pdf")


def fingerprint(lst: PayoutList, view: ReaderView = FULL_VIEW) -> str | None:
    """What an approved list's PDF depends on: its approval time (a list returned and approved again gets a new
    one) and the reader's view (``"approved-<time>"`` for the full view, ``"approved-<time>-v:nm"`` for another).
    None for a list still open (its PDF is not reused)."""
    if not lst.status_enum.frozen or lst.approved_at is None:
        return None
    return "approved-" + lst.approved_at.isoformat() + ("" if view == FULL_VIEW else f"-v:{view.key}")


def _draft_key(job_id: int, view: ReaderView) -> str:
    return f"draft-{job_id}" + ("" if view == FULL_VIEW else f"-v:{view.key}")


def stored_pdf(lst: PayoutList, file_id: int | None = None, view: ReaderView = FULL_VIEW) -> StoredFile | None:
    """The stored PDF of ``lst`` in ``view``: the approved one, or the one-off print ``file_id`` of this list made
    for the same view; else None."""
    key = fingerprint(lst, view)
    stmt = select(StoredFile).where(StoredFile.kind == KIND, StoredFile.subject_id == lst.id)
    if key is not None:
        return db.session.execute(stmt.where(StoredFile.fingerprint == key)).scalar_one_or_none()
    if file_id is None:
        return None
    found = db.session.execute(stmt.where(StoredFile.id == file_id, StoredFile.fingerprint.like("draft-%"))
                               ).scalar_one_or_none()
    if found is None or found.fingerprint != _draft_key(found.job_id or 0, view):
        return None  # another reader's copy (e.g. the commune's, with categories): never served to this one
    return found


def _same_print(job: Job, lst: PayoutList, view: ReaderView) -> bool:
    params = job.params or {}
    return (params.get("list_id") == lst.id and params.get("fingerprint") == fingerprint(lst, view)
            and params.get("view", FULL_VIEW.key) == view.key)


def _running_job(actor: User, lst: PayoutList, view: ReaderView) -> Job | None:
    """An unfinished PDF job of ``lst`` for the same fingerprint and view that ``actor`` may watch (a list still
    open included: a second request joins the running print instead of starting another)."""
    candidates = db.session.execute(visible(Job, actor).where(
        Job.kind == KIND, Job.status.in_(("queued", "running"))).order_by(Job.id.desc())).scalars()
    return next((job for job in candidates if _same_print(job, lst, view) and not jobs.reap_if_dead(job)
                 and not jobs.is_stale(job)), None)


def _last_job(actor: User, lst: PayoutList, view: ReaderView) -> Job | None:
    """The newest PDF job of ``lst`` (same fingerprint and view) that ``actor`` may watch, whatever its status."""
    candidates = db.session.execute(visible(Job, actor).where(
        Job.kind == KIND, Job.params["list_id"].as_integer() == lst.id).order_by(Job.id.desc()).limit(20)).scalars()
    return next((job for job in candidates if _same_print(job, lst, view)), None)


def request_pdf(actor: User, lst: PayoutList, file_id: int | None = None,
                retry: bool = False) -> tuple[StoredFile | None, Job | None]:
    """The stored PDF of ``lst`` if there is one, else ``(None, job)`` with a job that renders it (a new one, or an
    unfinished one ``actor`` may watch). When the newest job of this list failed, that failed job is returned (the
    page shows its error and a "Thử lại" button) and nothing is started, unless ``retry`` (the button's POST).
    In sync mode (tests) the job has already run: the file is returned. The new Job row is committed by
    ``jobs.enqueue``."""
    view = reader_view(actor)
    found = stored_pdf(lst, file_id, view)
    if found is not None:
        return found, None
    if not retry:
        last = _last_job(actor, lst, view)
        if last is not None:
            jobs.reap_if_dead(last)
        if last is not None and last.status == "failed":
            return None, last
    job = _running_job(actor, lst, view)
    if job is None:
        job = jobs.enqueue(KIND, JOB_FUNC, params={
            "list_id": lst.id, "fingerprint": fingerprint(lst, view), "view": view.key,
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
    view = ReaderView.from_key(job.params.get("view"))
    key = fingerprint(lst, view)
    existing = stored_pdf(lst, view=view) if key else None
    if existing is None:
        progress(2, f"Đang đọc {lst.people_count} dòng của danh sách…")
        doc = build_payout_list_doc(lst, view)
        progress(10, "Đang dựng các trang…")
        pdf = render_payout_list(doc, progress=lambda pct, message: progress(10 + pct * 85 // 100, message))
        progress(96, "Đang lưu tệp PDF…")
        if key is None:  # a list still open: keep only this newest print of this view
            same_view = (StoredFile.fingerprint.not_like("%-v:%") if view == FULL_VIEW
                         else StoredFile.fingerprint.like(f"%-v:{view.key}"))
            db.session.execute(delete(StoredFile).where(StoredFile.kind == KIND, StoredFile.subject_id == lst.id,
                                                        same_view))
            existing = _store(lst, _draft_key(job.id, view), pdf, job.id)
        else:
            try:
                existing = _store(lst, key, pdf, job.id)
            except IntegrityError:  # another job stored the same approved list meanwhile: use that one
                existing = stored_pdf(lst, view=view)
    db.session.flush()
    values = {"list_id": lst.id} if key else {"list_id": lst.id, "tep": existing.id}
    return {"file_id": existing.id, "endpoint": "documents.payout_list_pdf", "values": values,
            "label": "Tải danh sách (PDF)"}
