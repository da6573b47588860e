"""Importing a commune's beneficiary spreadsheet (nhập danh sách đối tượng từ Excel): preview, then commit
all-or-nothing from exactly the previewed bytes (stored in ``ImportBatch``).

Each row is validated by the register's own rules (``registry.clean_beneficiary``), matched on the personal ID
within the commune (new / update / unchanged), and its allowance is computed by the portal from the rate tables for
the month the list is for (Decree 20/2021 Art. 4, 6); a clerk's "Mức trợ cấp" that differs is a warning showing both
amounts, never copied. An ID registered in another commune, an unreadable cell or an unknown category is a row
error, and a file with any row error imports nothing. Importing the same file twice changes nothing. A field the
clerk edited on the portal since it was last imported is kept, with a warning, unless the clerk chooses to overwrite
it (``imports.changes``). A row of a person whose payment is stopped or suspended (an accepted "Thôi hưởng", "Tạm
dừng" or death) gets a warning: importing never changes that status — it takes a registry event."""
import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from ...areas import visible
from ...clock import today_vn, utcnow
from ...errors import AccessDenied, PortalError, StateError, ValidationError
from ...extensions import db
from ...models import AuditEvent, Beneficiary, Duty, EventKind, ImportBatch, PaymentAccount
from ..audit import record
from ..bulk import paused_gc
from ..organizations import serving_organization
from ..registry.events import STATUS_AFTER, STOP_REASONS, accepted_events_by_beneficiary
from . import departures
from . import plan as import_plan
from . import rows as import_rows
from .plan import Plan, RowResult, analyse_commune, counts_of, ordered
from .rows import stored_form
from .write import apply_plans

KIND = "beneficiaries"
STATUS_LABELS = {"new": "Mới", "update": "Cập nhật", "unchanged": "Không đổi", "error": "Lỗi", "warning": "Cảnh báo"}


@dataclass
class Preview:
    """What an upload would do: ``rows`` ordered errors first, then warnings, then by Excel row; ``counts`` with
    keys rows, new, update, unchanged, error, warning, kept, overwritten, padded (see ``imports.plan.counts_of``);
    ``month`` the first-of-month date amounts were computed for; ``overwrite_manual`` whether fields edited on the
    portal would be overwritten."""

    batch_id: int | None
    filename: str
    commune_code: str
    month: date
    rows: list[RowResult]
    counts: dict
    overwrite_manual: bool = False

    @property
    def has_errors(self) -> bool:
        """True when any row has an error (the commit would be refused)."""
        return self.counts["error"] > 0

    @property
    def padded(self) -> list[str]:
        """The routine notices of IDs given back their leading zero, "Dòng N: …", by Excel row (one summary line in
        the preview, so they do not bury the warnings that matter)."""
        return [f"Dòng {r.row_number}: {n}" for r in sorted(self.rows, key=lambda r: r.row_number)
                for n in r.notices]

    @property
    def legacy(self) -> list[str]:
        """The cells converted from a legacy font encoding, before → after, "Dòng N: Ô B12 (TCVN3): «…» → «…»", by
        Excel row (shown as one section the clerk checks before confirming)."""
        return [f"Dòng {r.row_number}: {line}" for r in sorted(self.rows, key=lambda r: r.row_number)
                for line in r.legacy]

    @property
    def legacy_encodings(self) -> list[str]:
        """The legacy encodings met in the file ("TCVN3", "VNI"), sorted."""
        return sorted({line.split("(", 1)[1].split(")", 1)[0] for r in self.rows for line in r.legacy})


@dataclass
class ImportReport:
    """Outcome for the CLI: ``rows_read``, ``imported`` (created + updated), ``created``, ``updated``,
    ``unchanged``, ``warnings`` (rows with a warning), ``errors`` (rows with an error), ``kept`` (rows keeping
    fields edited on the portal) and the messages, each starting "Dòng N:", except one summary line for the IDs
    given back their leading zero (each listed in ``notice_list``). ``committed`` is False for a dry run or when
    errors stopped the import."""

    rows_read: int = 0
    imported: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: int = 0
    errors: int = 0
    kept: int = 0
    error_list: list[str] = field(default_factory=list)
    warning_list: list[str] = field(default_factory=list)
    notice_list: list[str] = field(default_factory=list)
    committed: bool = False


#: statuses (``Beneficiary.status``) under which the person is not paid
NOT_PAID = ("stopped", "suspended")


#: the last analysis kept for the commit that follows its preview: ``(key, (month, plans))``
_last_analysis: tuple | None = None


def forget_kept() -> None:
    """Drop what this process keeps for the commit that follows a preview (the last analysis, and the last sheet
    read by ``rows.read_sheet``): the state a new process — a background job's worker — starts from."""
    global _last_analysis
    _last_analysis = None
    import_rows.forget_last_read()


def register_state() -> tuple:
    """What a plan depends on in the database, as a tuple to compare: the last audit entry (every change of the
    register, its rates and its accounts is audited), the last change and number of beneficiaries, the last account
    and the number of accounts. Equal tuples: the register is as it was."""
    return (db.session.execute(select(func.max(AuditEvent.id))).scalar(),
            *db.session.execute(select(func.max(Beneficiary.updated_at), func.count(Beneficiary.id))).one(),
            *db.session.execute(select(func.max(PaymentAccount.id), func.count(PaymentAccount.id))).one())


@paused_gc  # tens of thousands of small objects per file: the cyclic collector's scans cost a fifth of the time
def analyse(content: bytes, commune_code: str, today: date | None = None, overwrite_manual: bool = False,
            progress=None, reuse: bool = False, stored: str | None = None) -> tuple[date, list[Plan]]:
    """``imports.plan.analyse`` (same arguments, same result: the list month and one ``Plan`` per row), plus a
    warning on each row of a person not paid now (``stopped_warning``). Every preview, commit and CLI import, and the
    background preview job, go through here. Raises ``ValidationError`` for file-level problems.

    The last analysis is kept (one per process); with ``reuse`` (the commit) it is given back — once — instead of
    analysing again when the bytes, commune, month, overwrite choice and ``register_state`` are all
    the same, i.e. nothing was written since the preview (the rows it will write are merged into the
    current session). Otherwise every row is checked again — from ``stored``, the sheet as the preview read it
    (``rows.stored_form``, kept in the batch's ``summary["parsed"]``), when it is still valid, so that a commit in
    another process (a background job) does not read the file's cells again."""
    global _last_analysis
    key = (hashlib.sha256(content).digest(), commune_code, (today or today_vn()).replace(day=1), overwrite_manual,
           register_state())
    kept, _last_analysis = _last_analysis, None  # single use: a commit that fails re-analyses
    if reuse and kept is not None and kept[0] == key:
        month, plans = kept[1]
        for p in plans:  # the rows the commit writes, in this session (a later request or a job has its own)
            if p.existing is not None and (p.result.action == "update" or p.result.departure):
                p.existing = db.session.merge(p.existing, load=False)
        if progress is not None:
            progress(len(plans), len(plans))
        return month, plans
    found = _analyse(content, commune_code, today, overwrite_manual, progress, stored)
    _last_analysis = (key, found)
    return found


def _analyse(content: bytes, commune_code: str, today: date | None, overwrite_manual: bool,
             progress, stored: str | None = None) -> tuple[date, list[Plan]]:
    month, plans = import_plan.analyse(content, commune_code, today=today, overwrite_manual=overwrite_manual,
                                       progress=progress, stored=stored)
    for p in plans:  # a death or stop the portal already holds needs no new decision (the warning below says so)
        if p.result.departure and p.existing is not None and p.existing.status == "stopped":
            p.result.departure = None
            p.result.warnings = [w for w in p.result.warnings if not w.startswith(f"Ô {p.result.row_number}")
                                 and "trước khi nhập" not in w]
    stopped = [p for p in plans if p.existing is not None and p.existing.status in NOT_PAID and not p.result.errors]
    events = accepted_events_by_beneficiary(p.existing.id for p in stopped)
    for p in stopped:
        p.result.warnings.append(stopped_warning(p.existing, events.get(p.existing.id, [])))
    return month, plans


def stopped_warning(beneficiary, events: list) -> str:
    """The warning of an import row matching ``beneficiary`` whose status is stopped or suspended (thôi hưởng / tạm
    dừng): since when and why — from the accepted event that set that status, the last of ``events`` (its accepted
    registry events, ``registry.events.accepted_events_by_beneficiary``) — that importing does not restore the
    allowance, and which registry event does (Decree 20/2021 Art. 9: "Chi trả lại" after a suspension, a new
    decision "Tăng mới" after a stop), as one Vietnamese sentence, e.g. «Đối tượng đang thôi hưởng từ tháng 05/2024
    (lý do: Không còn đủ điều kiện): nhập lại không khôi phục trợ cấp — nếu hưởng lại, hãy ghi biến động «Tăng mới»
    ở trang đối tượng.»"""
    status = beneficiary.status
    cause = next((e for e in reversed(events) if STATUS_AFTER.get(e.kind) == status), None)
    since = f" từ tháng {cause.effective_month:%m/%Y}" if cause is not None else ""
    if cause is not None and cause.kind == EventKind.DEATH:
        died = f" ngày {cause.event_date:%d/%m/%Y}" if cause.event_date else ""
        return (f"Đối tượng đã chết{died} (thôi hưởng{since}): nhập lại không khôi phục trợ cấp — kiểm tra lại "
                "dòng này trong tệp.")
    reason = None
    if cause is not None:
        reason = STOP_REASONS.get((cause.details or {}).get("reason")) if cause.kind == EventKind.STOP else None
        reason = "; ".join(x for x in (reason, cause.note) if x) or None
    why = f" (lý do: {reason})" if reason else ""
    state, restore = (("tạm dừng hưởng", EventKind.RESUME) if status == "suspended"
                      else ("thôi hưởng", EventKind.NEW))
    return (f"Đối tượng đang {state}{since}{why}: nhập lại không khôi phục trợ cấp — nếu hưởng lại, hãy ghi biến "
            f"động «{restore.label}» ở trang đối tượng.")


def _org_for(actor, commune_code: str) -> int:
    """The organisation a batch belongs to: the actor's, or for the command line the commune committee (the
    organisation holding ``intake`` at the commune). Raises ValidationError when there is none."""
    if actor is not None:
        return actor.organization_id
    org = serving_organization(commune_code, Duty.INTAKE)
    if org is None:
        raise ValidationError(f"Chưa có Ủy ban nhân dân cho xã/phường mã {commune_code}. Chạy `flask --app wsgi "
                              "seed-demo` (dữ liệu mẫu) hoặc tạo tổ chức Ủy ban nhân dân của xã/phường này "
                              f"(kind=commune_committee, duties=intake, unit_code={commune_code}) rồi chạy lại lệnh "
                              "nhập.")
    return org.id


def _store(actor, commune_code: str, filename: str, content: bytes, counts: dict, month: date) -> ImportBatch:
    batch = ImportBatch(kind=KIND, scope=commune_code, organization_id=_org_for(actor, commune_code),
                        user_id=getattr(actor, "id", None), filename=(filename or "tep.xlsx")[:200],
                        sha256=hashlib.sha256(content).hexdigest(), content=content, status="previewed",
                        summary={"preview": counts, "month": month.isoformat(), "parsed": stored_form(content)})
    db.session.add(batch)
    db.session.flush()
    return batch


def preview(actor, commune_code: str, filename: str, content: bytes) -> Preview:
    """Read an upload for ``commune_code`` and store it as an ``ImportBatch`` (kind "beneficiaries", status
    previewed) to be committed later. Returns a ``Preview`` (per-row status, reasons, Excel row numbers, counts).
    Raises ``ValidationError`` (Vietnamese) for a wrong file type, a missing header or required column — then
    nothing is stored. Flushes, never commits."""
    month, plans = analyse(content, commune_code)
    counts = counts_of(plans)
    batch = _store(actor, commune_code, filename, content, counts, month)
    return Preview(batch.id, batch.filename, commune_code, month, ordered(plans), counts)


def stage(actor, commune_code: str, filename: str, content: bytes, rows: int) -> ImportBatch:
    """Store an upload of ``rows`` data rows for a background check (``imports.jobs``): status "analysing", counts
    known only as ``{"rows": rows}``. Raises ``ValidationError`` for an unknown commune. Flushes."""
    analyse_commune(commune_code)
    batch = ImportBatch(kind=KIND, scope=commune_code, organization_id=_org_for(actor, commune_code),
                        user_id=getattr(actor, "id", None), filename=(filename or "tep.xlsx")[:200],
                        sha256=hashlib.sha256(content).hexdigest(), content=content, status="analysing",
                        summary={"preview": {"rows": rows}})
    db.session.add(batch)
    db.session.flush()
    return batch


def load_batch(actor, batch_id: int) -> ImportBatch:
    """The actor's organisation's beneficiary import batch ``batch_id``. Raises ``AccessDenied`` when it belongs to
    another organisation or is not a beneficiary import."""
    batch = db.session.execute(visible(ImportBatch, actor).where(
        ImportBatch.id == batch_id, ImportBatch.kind == KIND)).scalar_one_or_none()
    if batch is None:
        raise AccessDenied("Không tìm thấy tệp nhập liệu.")
    return batch


def show_preview(actor, batch_id: int, overwrite_manual: bool = False) -> Preview:
    """Re-read a stored batch and return its ``Preview`` as it would be committed now (with ``overwrite_manual``
    as for ``commit``). A large batch analysed by a background job (``imports.jobs``) shows the rows the job stored
    (``summary["stored_rows"]``) instead of re-reading the file in the request; the commit re-reads it anyway."""
    batch = load_batch(actor, batch_id)
    stored = (batch.summary or {}).get("stored_rows")
    if stored is not None and not overwrite_manual:
        return Preview(batch.id, batch.filename, batch.scope, date.fromisoformat(batch.summary["month"]),
                       [RowResult(**r) for r in stored], batch.summary["preview"])
    month, plans = analyse(batch.content, batch.scope, today=batch.created_at.date(),
                           overwrite_manual=overwrite_manual, stored=(batch.summary or {}).get("parsed"))
    return Preview(batch.id, batch.filename, batch.scope, month, ordered(plans), counts_of(plans), overwrite_manual)


def _refuse_errors(plans: list[Plan]) -> None:
    bad = [p.result for p in plans if p.result.errors]
    if bad:
        first = "; ".join(f"Dòng {r.row_number}: {r.errors[0]}" for r in bad[:3])
        raise PortalError(f"Tệp còn {len(bad)} dòng lỗi, chưa nhập dòng nào. Sửa tệp rồi tải lên lại. {first}")


def commit(actor, batch_id: int, overwrite_manual: bool = False, progress=None, decisions: dict | None = None) -> dict:
    """Import a previewed batch all-or-nothing: re-read the stored bytes, refuse (``PortalError``) if any row has an
    error, then create/update beneficiaries and record accounts already in the sheet, with one audit event per
    changed beneficiary and one for the batch. Fields edited on the portal since they were last imported keep the
    portal's value unless ``overwrite_manual`` (the clerk ticked "Ghi đè cả các thông tin đã sửa trên cổng").
    Idempotent: committing a committed batch returns its summary. Returns counts: rows, created, updated,
    unchanged, accounts, warnings, kept (rows keeping portal edits), overwritten. Raises ``AccessDenied`` (another
    organisation's batch), ``StateError`` (discarded batch). ``progress(done, total)`` is passed to ``analyse``
    (background jobs). Flushes, never commits.

    A row saying the person died, moved away or stopped (``imports.departures``) holds the whole import until
    ``decisions`` (Excel row number → ``{"action": "record" | "active", "month": "MM/YYYY", "event_date":
    "dd/mm/yyyy", "decision_number": …}``) decides it: refused (``PortalError`` naming every undecided row)
    otherwise; the decided events are recorded after the rows (``departures.record_events``), counted in
    ``events``."""
    batch = load_batch(actor, batch_id)
    if batch.status == "committed":
        return batch.summary["result"]
    if batch.status not in ("previewed", "committing"):  # committing: a background job (import_jobs)
        raise StateError("Tệp này đã bị hủy; hãy tải lên lại.")
    _month, plans = analyse(batch.content, batch.scope, today=batch.created_at.date(),
                            overwrite_manual=overwrite_manual, progress=progress, reuse=True,
                            stored=(batch.summary or {}).get("parsed"))
    _refuse_errors(plans)
    decided = decide_departures(plans, decisions)
    return _write(actor, batch, plans, decided)


class DeparturesUndecided(PortalError):
    """Rows saying a person died, moved away or stopped are not (well) decided yet: the import waits."""


def decide_departures(plans: list[Plan], decisions: dict | None) -> dict:
    """The clerk's decision for every row holding a death or departure: {row number: ``departures.Decision``}.
    Raises ``DeparturesUndecided`` (a ``PortalError``) naming each row left undecided or decided with a bad
    month / date / decision number."""
    return decide_rows([p.result for p in plans], decisions)


def decide_rows(rows: list[RowResult], decisions: dict | None) -> dict:
    """``decide_departures`` over preview rows (``RowResult``; a large batch's stored rows, checked before its commit
    job starts)."""
    decisions = {int(k): v for k, v in (decisions or {}).items()}
    decided, problems = {}, []
    for r in rows:
        if r.departure:
            decision, problem = departures.clean_decision(r.row_number, r.departure, decisions.get(r.row_number))
            if problem:
                problems.append(problem)
            else:
                decided[r.row_number] = decision
    if problems:
        raise DeparturesUndecided(f"Tệp có {len(problems)} dòng ghi đối tượng chết / chuyển đi / thôi hưởng chưa được "
                          "quyết định, chưa nhập dòng nào. " + " ".join(problems))
    return decided


@paused_gc
def _write(actor, batch: ImportBatch, plans: list[Plan], decided: dict | None = None) -> dict:
    """Apply the plans, record the decided deaths and departures, mark the batch committed and audit it; returns
    the result counts."""
    r = apply_plans(actor, plans, batch.scope)
    r["events"] = departures.record_events(actor, plans, decided or {}, batch.filename)
    batch.status, batch.committed_at = "committed", utcnow()
    batch.summary = {k: v for k, v in (batch.summary or {}).items() if k not in ("stored_rows", "parsed")} | {
        "result": r}
    record(actor, "import", "import_batch", batch.id,
           f"Nhập danh sách đối tượng từ tệp {batch.filename}: {r['rows']} dòng, {r['created']} mới, "
           f"{r['updated']} cập nhật, {r['unchanged']} không đổi, {r['accounts']} tài khoản"
           f"{kept_summary(r)}{events_summary(r)}.")
    db.session.flush()
    return r


def discard(actor, batch_id: int) -> None:
    """Mark a previewed batch discarded (Hủy), with an audit event. A committed batch cannot be discarded
    (``StateError``). Flushes."""
    batch = load_batch(actor, batch_id)
    if batch.status == "committed":
        raise StateError("Tệp này đã được nhập, không hủy được.")
    if batch.status == "committing":
        raise StateError("Tệp này đang được nhập (chạy nền), không hủy được.")
    if batch.status in ("previewed", "analysing"):
        batch.status = "discarded"
        batch.summary = {k: v for k, v in (batch.summary or {}).items() if k != "parsed"}  # no commit will read it
        record(actor, "import_discard", "import_batch", batch.id, f"Hủy nhập tệp {batch.filename}")
        db.session.flush()


def kept_summary(result: dict) -> str:
    """The part of a commit summary about fields edited on the portal: "; 2 dòng giữ thông tin đã sửa trên cổng"
    (or "; 2 dòng ghi đè thông tin đã sửa trên cổng"), "" when none; ``result`` as returned by ``commit``."""
    if result.get("kept"):
        return f"; {result['kept']} dòng giữ thông tin đã sửa trên cổng (không lấy theo tệp)"
    if result.get("overwritten"):
        return f"; {result['overwritten']} dòng ghi đè thông tin đã sửa trên cổng"
    return ""


def events_summary(result: dict) -> str:
    """"; 2 biến động chết / thôi hưởng ghi theo tệp (chờ chấp nhận)", "" when none."""
    if result.get("events"):
        return f"; {result['events']} biến động chết / thôi hưởng ghi theo tệp (chờ chấp nhận)"
    return ""


def padded_summary(count: int) -> str:
    """"113 số định danh lưu dạng số đã được bổ sung số 0 đầu" — the one line standing for the routine notices."""
    return f"{count} số định danh lưu dạng số đã được bổ sung số 0 đầu"


def import_file(actor, commune_code: str, path: str | Path, dry_run: bool = False,
                overwrite_manual: bool = False) -> ImportReport:
    """CLI import (flask import-beneficiaries): read the file at ``path`` for ``commune_code`` as ``actor`` (a User,
    or None for the system — the batch is then filed under the commune's committee). With errors, or with
    ``dry_run``, nothing is written. Fields edited on the portal are kept unless ``overwrite_manual``. Returns an
    ``ImportReport``. Raises ``ValidationError`` for file-level
    problems (wrong type, no header, another commune's title) and — in a dry run too — when the system imports
    for a commune without a committee organisation (Organization kind commune). A row naming a death or departure
    (``imports.departures``) counts as an error here: it is decided on the preview page. Flushes, never commits."""
    content = Path(path).read_bytes()
    month, plans = analyse(content, commune_code, overwrite_manual=overwrite_manual)
    _org_for(actor, commune_code)  # the real import needs it: check it in a dry run too
    counts = counts_of(plans)
    report = ImportReport(rows_read=counts["rows"], warnings=counts["warning"], errors=counts["error"],
                          created=counts["new"], updated=counts["update"], unchanged=counts["unchanged"],
                          kept=counts["kept"])
    report.error_list = [f"Dòng {r.row_number}: {e}" for r in ordered(plans) for e in r.errors]
    report.warning_list = [f"Dòng {r.row_number}: {w}" for r in ordered(plans) for w in r.warnings]
    report.notice_list = [f"Dòng {r.row_number}: {n}" for r in ordered(plans) for n in r.notices]
    report.warning_list += [f"Dòng {r.row_number}: chuyển bảng mã cũ sang Unicode, {line}"
                            for r in ordered(plans) for line in r.legacy]
    if report.notice_list:
        report.warning_list.append(padded_summary(counts["padded"]) + ".")
    held = [r for r in ordered(plans) if r.departure and not r.errors]
    if held:  # a death or departure is decided row by row on the preview page, never by the command line
        report.errors += len(held)
        report.error_list += [f"Dòng {r.row_number}: ô {r.departure['cell']} ghi «{r.departure['text']}» "
                              f"({r.departure['label'].lower()}): cần xã quyết định dòng này khi tải tệp lên cổng "
                              "(Nhập từ Excel)." for r in held]
    if report.errors or dry_run:
        return report
    batch = _store(actor, commune_code, Path(path).name, content, counts, month)
    result = _write(actor, batch, plans)
    report.imported, report.committed = result["created"] + result["updated"], True
    return report


__all__ = [
    "analyse",
    "STATUS_LABELS",
    "ImportReport",
    "Preview",
    "RowResult",
    "commit",
    "decide_departures",
    "decide_rows",
    "DeparturesUndecided",
    "discard",
    "events_summary",
    "import_file",
    "kept_summary",
    "load_batch",
    "padded_summary",
    "preview",
    "stopped_warning",
    "show_preview",
]
