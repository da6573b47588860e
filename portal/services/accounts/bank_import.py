"""Bank spreadsheet import (nhập danh sách tài khoản đã mở từ ngân hàng): preview, then commit all-or-nothing.

A bank branch uploads its list of accounts opened (columns STT, HO TEN KHACH HANG, SO GTTT, SO TAI KHOAN, NGAY MO,
DIEM GIAO DICH — or the Vietnamese variants "Họ tên", "Số CCCD", "Số tài khoản", "Ngày mở"; header found by its
labels). Each row is matched on the ID number among the beneficiaries the bank may see (``areas.visible``), and
gets one status:

- ``new``: will be recorded on commit;
- ``unchanged``: the person already has this very account (a second import of the same file records 0);
- ``name_mismatch``: the bank's name differs from the register once both are in capitals without diacritics
  (reference §6 "Bank names") — held back for review, never recorded silently; does not block the commit;
- ``duplicate``: the account number is already recorded for another beneficiary — recorded on commit but flagged
  (``accounts.flags``: it does not pay until the district clears it); does not block the commit;
- ``error``: bad ID, account number or date, unknown ID, the same number twice in the file, another active
  account — any error blocks the whole commit (like the commune import), with the Excel row number in the message.

The bytes previewed are kept in an ``ImportBatch`` (kind "bank_accounts", scope = bank organisation id), and the
commit re-checks exactly those bytes against the database as it is then. Once committed, a batch is shown as what
the commit did (``batch_report``), never judged again. Reading the file itself: ``portal.services.bank_file``.
"""
import hashlib
import os
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ... import areas
from ...clock import utcnow
from ...errors import AccessDenied, StateError, ValidationError
from ...extensions import db
from ...models import AuditEvent, Beneficiary, ImportBatch, PaymentAccount, User
from .. import audit
from ..registry import identity
from .bank_file import STATUS_LABELS, BankRow, read_bank_rows
from .opening import DUPLICATE_NUMBER, bank_of, create_account, holder_mismatch, provider_label

KIND = "bank_accounts"


@dataclass
class BankPreview:
    """Preview of one uploaded bank file: the batch it is stored in and its rows."""

    batch_id: int
    filename: str
    batch_status: str
    rows: list[BankRow]

    @property
    def counts(self) -> dict[str, int]:
        """rows, and the number of rows per status (new, unchanged, name_mismatch, error)."""
        c = Counter(r.status for r in self.rows)
        return {"rows": len(self.rows), **{s: c.get(s, 0) for s in STATUS_LABELS}}

    @property
    def can_commit(self) -> bool:
        """True when the batch is still open and has no error rows."""
        return self.batch_status == "previewed" and not self.counts["error"]


def _error(row: BankRow, message: str) -> None:
    row.status, row.message = "error", message


def _judge(actor: User, provider_code: str, rows: list[BankRow]) -> None:
    """Match parsed rows against the register and existing accounts; sets each row's status."""
    ok = [r for r in rows if r.status != "error"]
    ids = {r.national_id for r in ok}
    people = {b.national_id: b for b in db.session.execute(
        areas.visible(Beneficiary, actor).where(Beneficiary.national_id.in_(ids))).scalars()} if ids else {}
    numbers = {r.account_number for r in ok}
    taken = {a.account_number: a for a in db.session.execute(select(PaymentAccount).where(
        PaymentAccount.provider_code == provider_code, PaymentAccount.account_number.in_(numbers))).scalars()}
    seen_ids: dict[str, int] = {}
    seen_numbers: dict[str, int] = {}
    for row in ok:
        person = people.get(row.national_id)
        row.beneficiary = person
        if person is None:
            _error(row, f"Không tìm thấy đối tượng có số định danh {row.national_id} trong địa bàn "
                        "(hoặc đối tượng chưa đăng ký nhận trợ cấp qua tài khoản).")
        elif row.national_id in seen_ids:
            _error(row, f"Số định danh {row.national_id} trùng với dòng {seen_ids[row.national_id]}.")
        elif row.account_number in seen_numbers:
            _error(row, f"Số tài khoản {row.account_number} trùng với dòng {seen_numbers[row.account_number]}.")
        else:
            _judge_person(row, person, provider_code, taken.get(row.account_number))
        seen_ids.setdefault(row.national_id, row.row_number)
        seen_numbers.setdefault(row.account_number, row.row_number)


def _judge_person(row: BankRow, person: Beneficiary, provider_code: str, holder: PaymentAccount | None) -> None:
    current = person.active_account
    if current is not None and (current.provider_code, current.account_number) == (provider_code, row.account_number):
        row.status, row.message = "unchanged", "Tài khoản này đã được ghi nhận trước đây."
    elif current is not None:
        _error(row, f"{person.full_name} đã có tài khoản khác đang dùng ({provider_label(current.provider_code)} "
                    f"{current.account_number}); liên hệ UBND xã trước khi ghi tài khoản mới.")
    elif holder is not None and holder.beneficiary_id == person.id:
        _error(row, f"Tài khoản {row.account_number} của đối tượng đã ngừng sử dụng; liên hệ UBND xã.")
    elif mismatch := holder_mismatch(person, "self", row.bank_name):
        row.status, row.message = "name_mismatch", mismatch
    elif holder is not None:
        row.status = "duplicate"
        row.message = (f"{DUPLICATE_NUMBER} ({row.account_number}: {holder.beneficiary.full_name}); sẽ ghi nhận kèm "
                       "cảnh báo, chưa chi trả đến khi cơ quan quản lý chi trả kiểm tra và gỡ cảnh báo.")
    else:
        row.status = "new"


def _evaluate(actor: User, content: bytes) -> list[BankRow]:
    """Read ``content`` (.xlsx bytes) and judge every row. Raises ``ValidationError`` for file-level problems."""
    bank = bank_of(actor)
    rows = read_bank_rows(content)
    _judge(actor, bank.provider_code, rows)
    return rows


def preview_bank_file(actor: User, filename: str, content: bytes) -> BankPreview:
    """Check an uploaded bank file and keep it as an ImportBatch (status "previewed") for ``commit_bank_batch``.

    ``filename``: the uploaded name (shown back); ``content``: the .xlsx bytes. Returns a ``BankPreview`` whose
    rows carry status and Excel row numbers. Nothing is recorded. Raises ``AccessDenied`` for a non-bank actor and
    ``ValidationError`` for a file that is not a readable .xlsx or lacks the columns."""
    rows = _evaluate(actor, content)
    batch = ImportBatch(kind=KIND, scope=str(actor.organization_id), organization_id=actor.organization_id,
                        user_id=actor.id, filename=os.path.basename(filename or "tep.xlsx")[:200],
                        sha256=hashlib.sha256(content).hexdigest(), content=content, status="previewed")
    preview = BankPreview(0, batch.filename, batch.status, rows)
    batch.summary = preview.counts
    db.session.add(batch)
    db.session.flush()
    preview.batch_id = batch.id
    return preview


def _load_batch(actor: User, batch_id: int, lock: bool = False) -> ImportBatch:
    stmt = areas.visible(ImportBatch, actor).where(ImportBatch.id == batch_id, ImportBatch.kind == KIND)
    batch = db.session.execute(stmt.with_for_update() if lock else stmt).scalar_one_or_none()
    if batch is None:
        raise AccessDenied("Không tìm thấy tệp đã tải lên của chi nhánh.")
    return batch


def review_bank_batch(actor: User, batch_id: int) -> BankPreview:
    """The preview of a stored batch, judged again against the database as it is now. Raises ``AccessDenied``
    when the batch is not the actor's bank's."""
    batch = _load_batch(actor, batch_id)
    return BankPreview(batch.id, batch.filename, batch.status, _evaluate(actor, batch.content))


def commit_bank_batch(actor: User, batch_id: int) -> dict:
    """Record every "new" row of a previewed batch in the caller's transaction (flush only; the caller commits).

    Returns the summary: ``rows``, ``recorded``, ``unchanged``, ``name_mismatch`` (held back for review, not
    recorded), ``held_rows`` (their Excel row numbers), ``errors`` (0), ``already`` (True when the batch had been
    committed before: nothing is done again). The batch keeps this summary plus each row's outcome
    (``recorded_rows``, ``held`` with the messages) for ``batch_report``. Raises ``ValidationError`` when any row
    has an error (nothing is recorded), ``StateError`` for a discarded batch, ``AccessDenied`` for another bank's
    batch."""
    batch = _load_batch(actor, batch_id, lock=True)
    if batch.status == "committed":
        return {**_counts(batch.summary), "recorded": 0, "already": True}
    if batch.status != "previewed":
        raise StateError("Tệp này đã bị huỷ; hãy tải lên lại.")
    preview = BankPreview(batch.id, batch.filename, batch.status, _evaluate(actor, batch.content))
    errors = [r for r in preview.rows if r.status == "error"]
    if errors:
        shown = ", ".join(str(r.row_number) for r in errors[:10]) + ("…" if len(errors) > 10 else "")
        raise ValidationError(f"Tệp còn {len(errors)} dòng lỗi (dòng {shown}): chưa ghi nhận tài khoản nào. "
                              "Sửa tệp rồi tải lên lại.")
    code = bank_of(actor).provider_code
    for row in (r for r in preview.rows if r.status in ("new", "duplicate")):
        create_account(actor, row.beneficiary, code, row.account_number, row.opened_on, "self",
                       identity.nfc(row.bank_name), source=f" (tệp {batch.filename}, dòng {row.row_number})")
    counts = preview.counts
    held = [r for r in preview.rows if r.status == "name_mismatch"]
    flagged = [r.row_number for r in preview.rows if r.status == "duplicate"]
    summary = {"rows": counts["rows"], "recorded": counts["new"] + counts["duplicate"],
               "unchanged": counts["unchanged"],
               "name_mismatch": counts["name_mismatch"], "errors": 0, "already": False,
               "held_rows": [r.row_number for r in held], "flagged": len(flagged), "flagged_rows": flagged}
    batch.status, batch.committed_at = "committed", utcnow()
    batch.summary = {**summary, "recorded_rows": [r.row_number for r in preview.rows if r.status == "new"],
                     "held": [{"row": r.row_number, "message": r.message} for r in held]}
    audit.record(actor, "bank_import", "import_batch", batch.id,
                 f"Nhập tệp ngân hàng {batch.filename}: {summary_text(summary)}", after=summary)
    db.session.flush()
    return summary


_SUMMARY_KEYS = ("rows", "recorded", "unchanged", "name_mismatch", "errors", "already", "held_rows", "flagged",
                 "flagged_rows")


def _counts(stored: dict | None) -> dict:
    """The commit summary without the per-row outcomes."""
    return {k: v for k, v in (stored or {}).items() if k in _SUMMARY_KEYS}


@dataclass
class BankBatchReport:
    """What became of a committed or discarded bank file (kết quả ghi nhận): ``summary`` as returned by
    ``commit_bank_batch`` (empty for a discarded batch), ``committed_at`` (aware datetime) and ``committed_by`` (the
    user's full name), and the file's rows with their outcome at commit (``OUTCOME_LABELS``; empty when the batch
    was discarded)."""

    batch_id: int
    filename: str
    batch_status: str
    summary: dict
    committed_at: datetime | None
    committed_by: str | None
    rows: list[BankRow]


def batch_report(actor: User, batch_id: int) -> BankPreview | BankBatchReport:
    """The batch page: a previewed batch judged again now (``review_bank_batch``); a committed one as the commit
    left it (recorded, already there, held back — not judged again, so rows just recorded do not turn into "already
    there"); a discarded one with no rows. Raises ``AccessDenied`` when the batch is not the actor's bank's."""
    batch = _load_batch(actor, batch_id)
    if batch.status == "previewed":
        return BankPreview(batch.id, batch.filename, batch.status, _evaluate(actor, batch.content))
    stored = batch.summary or {}
    rows = []
    if batch.status == "committed" and "recorded_rows" in stored:
        recorded, held = set(stored["recorded_rows"]), {h["row"]: h["message"] for h in stored.get("held", [])}
        flagged = set(stored.get("flagged_rows", []))
        for row in read_bank_rows(batch.content):
            row.committed, row.notes = True, []
            row.status = ("recorded" if row.row_number in recorded else "duplicate" if row.row_number in flagged
                          else "name_mismatch" if row.row_number in held else "unchanged")
            row.message = held.get(row.row_number, "")
            rows.append(row)
    event = db.session.execute(select(AuditEvent).where(
        AuditEvent.object_type == "import_batch", AuditEvent.object_id == batch.id,
        AuditEvent.action == "bank_import").order_by(AuditEvent.id)).scalars().first()
    return BankBatchReport(batch.id, batch.filename, batch.status,
                           _counts(stored) if batch.status == "committed" else {}, batch.committed_at,
                           event.user.full_name if event and event.user else None, rows)


def summary_text(summary: dict) -> str:
    """Vietnamese one-line summary of a commit, e.g. "Đã ghi nhận 39 tài khoản mới; 1 dòng tên không khớp được
    giữ lại để kiểm tra (dòng 7)."."""
    if summary.get("already"):
        return "Tệp này đã được ghi nhận trước đó; không ghi thêm tài khoản nào."
    text = f"Đã ghi nhận {summary['recorded']} tài khoản mới"
    if summary.get("flagged"):
        rows = ", ".join(str(n) for n in summary.get("flagged_rows", []))
        text += f" ({summary['flagged']} tài khoản trùng số được gắn cảnh báo, dòng {rows})"
    if summary.get("unchanged"):
        text += f"; {summary['unchanged']} dòng đã có từ trước"
    if summary.get("name_mismatch"):
        rows = ", ".join(str(n) for n in summary.get("held_rows", []))
        text += f"; {summary['name_mismatch']} dòng tên không khớp được giữ lại để kiểm tra (dòng {rows})"
    return text + "."


def import_bank_file(actor: User, path: str) -> dict:
    """Preview and, when no row has an error, commit a bank file from disk (for ``flask import-bank-accounts``).

    Returns ``rows``, ``recorded``, ``unchanged``, ``name_mismatch`` (held back), ``errors`` and ``messages``
    ("Dòng 7: …" for errors and held-back rows). With errors nothing is recorded (the batch is discarded) and the
    caller should exit non-zero. Flushes only. Raises ``ValidationError`` for an unreadable file."""
    with open(path, "rb") as fh:
        content = fh.read()
    preview = preview_bank_file(actor, os.path.basename(path), content)
    counts = preview.counts
    messages = [r.describe() for r in preview.rows if r.status in ("error", "name_mismatch")]
    result = {"rows": counts["rows"], "recorded": 0, "unchanged": counts["unchanged"],
              "name_mismatch": counts["name_mismatch"], "errors": counts["error"], "messages": messages}
    if counts["error"]:
        db.session.get(ImportBatch, preview.batch_id).status = "discarded"
        db.session.flush()
        return result
    result["recorded"] = commit_bank_batch(actor, preview.batch_id)["recorded"]
    return result
