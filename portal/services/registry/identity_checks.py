"""Identity cross-check with the national population database (đối sánh với CSDL quốc gia về dân cư, plan §V.3;
ND 104/2022 replaced the household book by this check; CV 49/UBND-NC 12/01/2024).

Flow: the commune sends its people for checking (``request_checks`` → pending ``IdentityCheck`` rows, and an .xlsx
with IDs as text for the police); the commune police (duty ``id_verification``) records each result on the page
(``record_result``) or uploads the sheet back with a result per row (``import_results``: all-or-nothing, errors
with row numbers); a result other than "matched" waits in the commune's queue until it corrects the record or
confirms it with a note (``resolve``). The police side only ever sees name, birth date, gender and ID.
Services flush, never commit; every write is audited."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from ...clock import utcnow
from ...errors import StateError, ValidationError
from ...extensions import db
from ...models import AccountCheckStatus, Beneficiary, CheckResult, IdentityCheck
from ...models.identity_checks import MISMATCH_FIELDS
from ...spreadsheets.workbook import open_workbook
from ...spreadsheets.writing import write_workbook
from ..audit import record
from .identity import fold

HEADERS = ["STT", "Mã đối sánh", "Họ và tên", "Ngày sinh", "Giới tính", "Số định danh cá nhân",
           "Kết quả (Khớp / Sai lệch / Không tìm thấy / Đã chết)", "Trường sai lệch (Họ tên, Ngày sinh, Giới tính)",
           "Ghi chú", "Tình trạng tài khoản (nếu có)"]
#: the closed list of account-check answers (``AccountCheckStatus``, Công văn 5234/LĐTBXH-TT) the police may add
_ACCOUNT_STATUS_BY_TEXT = {fold(s.label): s for s in AccountCheckStatus}
RESOLUTIONS = {"corrected": "Đã sửa hồ sơ (gửi đối sánh lại)", "confirmed": "Giữ nguyên, đã xác minh"}
_RESULT_BY_TEXT = {fold(r.label): r.value for r in CheckResult if r != CheckResult.PENDING}
_FIELD_BY_TEXT = {fold(label): key for key, label in MISMATCH_FIELDS.items()} | {"ho va ten": "full_name",
                                                                                  "ten": "full_name"}
MAX_ROWS = 20000


class CheckImportInvalid(ValidationError):
    """An uploaded result sheet with row errors; ``errors`` is a list of ``(row_number, message)``; nothing saved."""

    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__(f"Tệp kết quả có {len(errors)} dòng lỗi; chưa ghi nhận dòng nào.")
        self.errors = errors


def request_checks(actor, commune_code: str) -> list[IdentityCheck]:
    """Send every active or suspended beneficiary of the commune without a pending check for checking; returns all
    pending checks of the commune (new and earlier), ordered by name. Audited once per new round."""
    pending = select(IdentityCheck.beneficiary_id).where(IdentityCheck.result == CheckResult.PENDING.value)
    people = db.session.execute(select(Beneficiary).where(
        Beneficiary.commune_code == commune_code, Beneficiary.status.in_(["active", "suspended"]),
        Beneficiary.id.not_in(pending))).scalars().all()
    for b in people:
        db.session.add(IdentityCheck(beneficiary_id=b.id, commune_code=commune_code, requested_by_id=actor.id))
    db.session.flush()
    if people:
        record(actor, "request", "identity_check", None,
               f"Gửi công an cấp xã đối sánh {len(people)} người với CSDL quốc gia về dân cư")
    return pending_checks([commune_code])


def pending_checks(commune_codes) -> list[IdentityCheck]:
    """Pending checks of the commune(s) (a list or scalar select), ordered by the Vietnamese name sort key."""
    return list(db.session.execute(select(IdentityCheck).join(IdentityCheck.beneficiary).where(
        IdentityCheck.commune_code.in_(commune_codes), IdentityCheck.result == CheckResult.PENDING.value)
        .order_by(Beneficiary.name_sort, IdentityCheck.id)).scalars())


def export_xlsx(checks: list[IdentityCheck], commune_name: str) -> bytes:
    """The .xlsx sent to the police: identity fields only (never category or phone), IDs and check numbers as
    text cells, empty result columns to fill in."""
    rows = [[i, str(c.id), c.beneficiary.full_name, c.beneficiary.birth_display, c.beneficiary.gender_label,
             c.beneficiary.national_id, None, None, None, None] for i, c in enumerate(checks, 1)]
    return write_workbook([f"DANH SÁCH ĐỐI SÁNH VỚI CSDL QUỐC GIA VỀ DÂN CƯ — {commune_name.upper()}"],
                          HEADERS, rows, text_columns={1, 3, 5}, sheet_title="Đối sánh")


def _clean_result(result: str, fields) -> tuple[str, str | None]:
    if result not in _RESULT_BY_TEXT.values():
        raise ValidationError("Chọn kết quả đối sánh.")
    keys = [f for f in (fields or []) if f in MISMATCH_FIELDS]
    if result == CheckResult.MISMATCHED and not keys:
        raise ValidationError("Kết quả «Sai lệch»: chọn trường sai lệch (họ tên, ngày sinh, giới tính).")
    if result != CheckResult.MISMATCHED:
        keys = []
    return result, ",".join(k for k in MISMATCH_FIELDS if k in keys) or None


def record_result(actor, check: IdentityCheck, result: str, fields=None, note: str | None = None,
                  checked_on: date | None = None) -> IdentityCheck:
    """Police records one result: ``result`` a ``CheckResult`` value other than pending, ``fields`` the
    mismatched keys of ``MISMATCH_FIELDS`` (required for ``mismatched``). Raises ``ValidationError`` /
    ``StateError`` (already recorded)."""
    if check.result != CheckResult.PENDING:
        raise StateError(f"Đã ghi kết quả đối sánh của {check.beneficiary.full_name}.")
    result, keys = _clean_result(result, fields)
    check.result, check.mismatch_fields = result, keys
    check.police_note = (note or "").strip()[:300] or None
    check.checked_on = checked_on
    check.checked_by_id = actor.id
    db.session.flush()
    summary = f"Kết quả đối sánh của {check.beneficiary.full_name}: {check.result_enum.label}"
    if keys:
        summary += " (" + ", ".join(check.mismatch_labels) + ")"
    record(actor, "check", "identity_check", check.id, summary, after={"result": result, "fields": keys})
    record(actor, "check", "beneficiary", check.beneficiary_id, summary)
    return check


@dataclass
class _Row:
    number: int
    check_id: str
    national_id: str
    result: str
    fields: str
    note: str
    account_status: str = ""


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def _read_rows(content: bytes) -> list[_Row]:
    wb = open_workbook(content)
    try:
        ws = wb.worksheets[0]
        rows, header, blanks = [], None, 0
        for n, values in enumerate(ws.iter_rows(values_only=True), 1):
            cells = [_text(v) for v in values]
            if header is None:
                folded = [fold(c) for c in cells]
                if "ma doi sanh" in folded:
                    header = {name: folded.index(name) for name in folded if name}
                elif n > 30:
                    break
                continue
            if not any(cells):
                blanks += 1
                if blanks >= 20:
                    break
                continue
            blanks = 0
            if len(rows) >= MAX_ROWS:
                raise ValidationError(f"Tệp có quá {MAX_ROWS} dòng.")

            def col(prefix, cells=cells, header=header):
                idx = next((i for name, i in header.items() if name.startswith(prefix)), None)
                return cells[idx] if idx is not None and idx < len(cells) else ""
            rows.append(_Row(n, col("ma doi sanh"), col("so dinh danh"), col("ket qua"), col("truong sai lech"),
                             col("ghi chu"), col("tinh trang tai khoan")))
    finally:
        wb.close()
    if header is None:
        raise ValidationError("Không tìm thấy dòng tiêu đề có cột «Mã đối sánh»; dùng tệp do xã xuất ra.")
    return rows


def import_results(actor, commune_codes: list[str], content: bytes, checked_on: date | None = None,
                   account_statuses: list | None = None) -> int:
    """Upload of the filled-in sheet by the police. Rows with an empty result are skipped (still pending). Each
    other row must name a pending check of ``commune_codes`` (the police's area) whose ID matches the row's ID, a
    known result and, for "Sai lệch", the fields. All-or-nothing: any row error raises ``CheckImportInvalid`` with
    ``(row_number, message)`` pairs and nothing is recorded. Returns the number of results recorded. File-level
    problems raise ``ValidationError``.

    The optional column "Tình trạng tài khoản" carries the account-check statuses (``AccountCheckStatus`` labels,
    e.g. "Chủ tài khoản đã chết"); an unknown one is a row error. The (beneficiary, status) pairs read are appended
    to ``account_statuses`` when given, for the caller to record as account checks
    (``payouts.account_checks.record_police_statuses``)."""
    rows = _read_rows(content)
    area = set(commune_codes)
    errors, todo, seen = [], [], set()
    for r in rows:
        if not r.result:
            continue
        check = db.session.get(IdentityCheck, int(r.check_id)) if r.check_id.isdigit() else None
        if check is None or check.commune_code not in area:
            errors.append((r.number, f"Mã đối sánh «{r.check_id}» không có trong danh sách của xã."))
            continue
        if check.id in seen:
            errors.append((r.number, f"Mã đối sánh «{r.check_id}» lặp lại."))
            continue
        seen.add(check.id)
        if r.national_id != check.beneficiary.national_id:
            errors.append((r.number, f"Số định danh «{r.national_id}» không khớp với mã đối sánh {check.id}."))
            continue
        if check.result != CheckResult.PENDING:
            errors.append((r.number, f"Đã ghi kết quả cho mã đối sánh {check.id}."))
            continue
        result = _RESULT_BY_TEXT.get(fold(r.result))
        if result is None:
            errors.append((r.number, f"Kết quả «{r.result}» không hợp lệ (Khớp, Sai lệch, Không tìm thấy, Đã chết)."))
            continue
        fields = [_FIELD_BY_TEXT.get(fold(x)) for x in r.fields.replace(";", ",").split(",") if x.strip()]
        if None in fields:
            errors.append((r.number, f"Trường sai lệch «{r.fields}» không hợp lệ (Họ tên, Ngày sinh, Giới tính)."))
            continue
        try:
            _clean_result(result, fields)
        except ValidationError as err:
            errors.append((r.number, str(err)))
            continue
        status = _ACCOUNT_STATUS_BY_TEXT.get(fold(r.account_status)) if r.account_status else None
        if r.account_status and status is None:
            errors.append((r.number, f"Tình trạng tài khoản «{r.account_status}» không có trong danh mục ("
                                     + "; ".join(s.label for s in AccountCheckStatus) + ")."))
            continue
        todo.append((check, result, fields, r.note, status))
    if errors:
        raise CheckImportInvalid(errors)
    for check, result, fields, note, status in todo:
        record_result(actor, check, result, fields, note, checked_on)
        if status is not None and account_statuses is not None:
            account_statuses.append((check.beneficiary, status))
    return len(todo)


def resolve(actor, check: IdentityCheck, resolution: str, note: str | None = None) -> IdentityCheck:
    """The commune closes a mismatch: ``corrected`` (the record was fixed — edit it in the register first; the
    person is sent for checking again: a new pending check) or ``confirmed`` (kept as is; ``note`` required).
    Raises ``ValidationError`` / ``StateError`` (nothing to resolve)."""
    if not check.open:
        raise StateError("Kết quả đối sánh này không cần xử lý.")
    if resolution not in RESOLUTIONS:
        raise ValidationError("Chọn cách xử lý.")
    note = (note or "").strip()
    if resolution == "confirmed" and not note:
        raise ValidationError("Nhập ghi chú xác minh khi giữ nguyên hồ sơ.")
    check.resolution, check.resolution_note = resolution, note[:300] or None
    check.resolved_by_id, check.resolved_at = actor.id, utcnow()
    db.session.flush()
    summary = f"Xử lý sai lệch đối sánh của {check.beneficiary.full_name}: {RESOLUTIONS[resolution]}"
    record(actor, "resolve", "identity_check", check.id, summary + (f" — {note}" if note else ""),
           after={"resolution": resolution, "note": note or None})
    record(actor, "resolve", "beneficiary", check.beneficiary_id, summary)
    if resolution == "corrected" and check.result != CheckResult.DECEASED:
        again = IdentityCheck(beneficiary_id=check.beneficiary_id, commune_code=check.commune_code,
                              requested_by_id=actor.id)
        db.session.add(again)
        db.session.flush()
        record(actor, "request", "identity_check", again.id,
               f"Gửi lại công an đối sánh {check.beneficiary.full_name} sau khi sửa hồ sơ")
    return check


def open_queue(commune_codes) -> list[IdentityCheck]:
    """Checks the commune still has to resolve (sai lệch, không tìm thấy, đã chết), oldest first."""
    return list(db.session.execute(select(IdentityCheck).where(
        IdentityCheck.commune_code.in_(commune_codes),
        IdentityCheck.result.in_([r.value for r in CheckResult if r.needs_resolution]),
        IdentityCheck.resolution.is_(None)).order_by(IdentityCheck.checked_on, IdentityCheck.id)).scalars())


def latest_for(beneficiary_id: int) -> IdentityCheck | None:
    """The newest check of one beneficiary (for the beneficiary page)."""
    return db.session.execute(select(IdentityCheck).where(IdentityCheck.beneficiary_id == beneficiary_id)
                              .order_by(IdentityCheck.id.desc()).limit(1)).scalar_one_or_none()


def counts(commune_codes) -> dict[str, int]:
    """Number of checks by result in the commune(s), plus ``open`` (waiting for the commune)."""
    out = {r.value: 0 for r in CheckResult}
    out.update(dict(db.session.execute(select(IdentityCheck.result, func.count()).where(
        IdentityCheck.commune_code.in_(commune_codes)).group_by(IdentityCheck.result)).all()))
    out["open"] = len(open_queue(commune_codes))
    return out


def police_page(stmt, page: int, page_size: int, recent: int = 25):
    """The police's page of ``stmt`` (a ``visible(IdentityCheck)`` select): ``(pending rows of page ``page``
    (1-based) ordered by name, number pending, the ``recent`` latest results)``."""
    pending = stmt.where(IdentityCheck.result == CheckResult.PENDING.value)
    total = db.session.execute(pending.with_only_columns(func.count())).scalar()
    rows = db.session.execute(pending.join(IdentityCheck.beneficiary).order_by(Beneficiary.name_sort, IdentityCheck.id)
                              .limit(page_size).offset((page - 1) * page_size)).scalars().all()
    done = db.session.execute(stmt.where(IdentityCheck.result != CheckResult.PENDING.value)
                              .order_by(IdentityCheck.id.desc()).limit(recent)).scalars().all()
    return rows, total, done
