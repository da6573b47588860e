"""Reading a commune's beneficiary spreadsheet (danh sách đối tượng hưởng trợ cấp) into typed rows, before any rule
of the register is applied (that is ``imports.beneficiaries``).

The header is found by its labels (several wordings per column), rows stream until the total row ("Tổng cộng") or
the signature block, and each cell is typed: IDs as text (a number that lost its leading zero is kept as a number for
``identity.parse_national_id`` to pad and flag), birth dates as date cells, dd/mm/yyyy text or a year, categories
through ``CategorySynonym`` (the clerks' wording), payment channels by their usual wording. A cell that cannot be read
becomes a row error with the Excel cell reference; it never stops the other rows. Text typed with a legacy font
(TCVN3 / VNI) is converted to Unicode and each converted cell listed before → after (``ParsedRow.legacy``); text that
does not convert cleanly is a row error. A formula cell whose result was never computed (a file written by a program,
not saved by Excel) is named in the row — an error in a column the import needs, a warning elsewhere — and never read
as 0. Source: pitfalls §Spreadsheets (items 1–7)."""
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from flask import current_app, has_app_context
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from sqlalchemy import select

from ...errors import ValidationError
from ...extensions import db
from ...models import CashAtHomeReason, CategorySynonym, PaymentChannel, PaymentProvider
from ...spreadsheets.formulas import SheetFacts, sheet_facts
from ...spreadsheets.legacy import fix_legacy
from ...spreadsheets.reading import (
    Column,
    cell_id_text,
    cell_text,
    find_table,
    iter_rows,
    open_workbook,
    parse_birth_date,
    parse_int_amount,
    parse_month,
    source_format,
)
from ..registry.identity import fold, nfc, parse_national_id
from .departures import SKIPPED, Departure, find_departure

COLUMNS = (
    Column("name", ("Họ và tên", "Họ tên", "Họ và tên đối tượng")),
    Column("birth", ("Ngày sinh", "Năm sinh", "Ngày tháng năm sinh", "Ngày, tháng, năm sinh")),
    Column("gender", ("Giới tính", "Nam/Nữ"), required=False),
    Column("national_id", ("Số CCCD", "Số định danh cá nhân", "CMND/CCCD", "Số CMND/CCCD", "Số CCCD/CMND",
                           "Số định danh", "CCCD")),
    Column("phone", ("Số điện thoại", "Điện thoại", "SĐT"), required=False),
    Column("hamlet", ("Khóm/Ấp", "Ấp/Khóm", "Địa chỉ", "Khóm", "Ấp"), required=False),
    Column("category", ("Diện đối tượng", "Đối tượng", "Diện hưởng")),
    Column("coefficient", ("Hệ số",), required=False),
    Column("amount", ("Mức trợ cấp", "Mức hưởng", "Số tiền"), required=False),
    Column("decision", ("Số QĐ hưởng", "Số quyết định", "Số QĐ"), required=False),
    Column("start_month", ("Hưởng từ tháng", "Tháng bắt đầu hưởng", "Thời điểm hưởng")),
    Column("channel", ("Hình thức nhận", "Hình thức chi trả", "Hình thức nhận trợ cấp"), required=False),
    Column("bank", ("Ngân hàng", "Tên ngân hàng"), required=False),
    Column("account", ("Số tài khoản", "Số TK"), required=False),
    Column("note", ("Ghi chú",), required=False),
)

#: ``registry.clean_beneficiary`` field → the column it is read from (to name the cell in a row error)
FIELD_COLUMNS = {"full_name": "name", "birth": "birth", "gender": "gender", "national_id": "national_id",
                 "phone": "phone", "hamlet": "hamlet", "category_code": "category", "disability_level": "category",
                 "children_count": "coefficient", "decision_number": "decision", "start_month": "start_month",
                 "payment_channel": "channel", "note": "note"}
#: folded wording of the "Hình thức nhận" column → channel
CHANNEL_WORDS = {
    "tai khoan": PaymentChannel.BANK_ACCOUNT, "tai khoan ngan hang": PaymentChannel.BANK_ACCOUNT,
    "chuyen khoan": PaymentChannel.BANK_ACCOUNT, "ngan hang": PaymentChannel.BANK_ACCOUNT,
    "vi dien tu": PaymentChannel.E_WALLET, "mobile money": PaymentChannel.MOBILE_MONEY,
    "tien mat": PaymentChannel.CASH_AT_POINT, "tien mat tai diem chi tra": PaymentChannel.CASH_AT_POINT,
    "diem chi tra": PaymentChannel.CASH_AT_POINT, "tai diem chi tra": PaymentChannel.CASH_AT_POINT,
    "tien mat tai nha": PaymentChannel.CASH_AT_HOME, "tai nha": PaymentChannel.CASH_AT_HOME,
    "chi tai nha": PaymentChannel.CASH_AT_HOME,
}
#: folded words in "Ghi chú" that name a cash-at-home reason
REASON_WORDS = {
    CashAtHomeReason.BEDRIDDEN: ("liet giuong", "nam liet"),
    CashAtHomeReason.VERY_OLD: ("tuoi cao", "gia yeu", "suc yeu"),
    CashAtHomeReason.SEVERE_DISABILITY: ("khuyet tat nang", "khong tu di lai", "khong di lai"),
    CashAtHomeReason.NO_PHONE: ("khong co dien thoai", "khong dien thoai"),
    CashAtHomeReason.NO_PROXY: ("khong co nguoi nhan thay", "khong nguoi nhan thay"),
}
#: columns read as text, where a legacy font encoding (TCVN3 / VNI) is looked for
TEXT_KEYS = ("name", "gender", "hamlet", "category", "channel", "bank", "decision", "note")
#: columns without which a row cannot be imported (a formula there without a value is an error, elsewhere a warning)
NEEDED_KEYS = ("name", "birth", "national_id", "category", "start_month")
FORMULA_HINT = "mở tệp bằng Excel rồi lưu lại (Excel tính và lưu kết quả công thức), sau đó tải lên lại"
_TITLE_MONTH = re.compile(r"\bthang\s*(\d{1,2})\s*(?:/|-|\.|nam)\s*(\d{4})\b")


@dataclass
class ParsedRow:
    """One data row as typed values. ``data`` holds raw input for ``registry.clean_beneficiary`` (only the keys the
    sheet gave a value for); ``national_id`` the parsed 12 digits (None on error); ``reason_from_note`` a
    ``CashAtHomeReason`` found in "Ghi chú"; ``clerk_amount`` the clerk's "Mức trợ cấp" (đồng); ``errors`` and
    ``warnings`` Vietnamese messages naming the cell (e.g. "E12"); ``notices`` routine remarks that are not
    warnings (an ID stored as a number, given back its leading zero); ``refs`` the cell of each ``data`` key, to
    name it in errors from the register's rules; ``legacy`` the cells converted from a legacy font encoding, as
    "Ô B12 (TCVN3): «NguyÔn» → «Nguyễn»"."""

    row_number: int
    data: dict = field(default_factory=dict)
    national_id: str | None = None
    id_padded: bool = False
    reason_from_note: str | None = None
    clerk_amount: int | None = None
    coefficient: Decimal | None = None
    bank_text: str | None = None
    provider_code: str | None = None
    account_number: str | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    refs: dict[str, str] = field(default_factory=dict)
    legacy: list[str] = field(default_factory=list)
    departure: Departure | None = None


@dataclass
class ParsedSheet:
    """The rows of the sheet holding the list (the first sheet with the header), ``title_month`` (first-of-month
    date named in the title, e.g. "Tháng 7/2024", or None), the labels of the optional columns that were found,
    ``title_lines`` (the text of the rows above the header, for ``imports.origin``), ``legacy_encoding`` ("TCVN3" /
    "VNI" when the file was typed with a legacy font, else None), ``formula_cells`` (references of formula cells
    without a computed value, e.g. "J9"), ``sheet_title`` the name of that sheet and ``hidden_rows`` the Excel
    numbers of the data rows hidden in the file (each also a warning on its row; .xlsx and .ods — an .xls does
    not tell)."""

    rows: list[ParsedRow]
    title_month: date | None
    found: set[str]
    title_lines: list[str] = field(default_factory=list)
    legacy_encoding: str | None = None
    formula_cells: list[str] = field(default_factory=list)
    sheet_title: str = ""
    hidden_rows: list[int] = field(default_factory=list)


def _title_lines(ws, header_row: int, encoding: str | None = None) -> list[str]:
    """Text cells of the title block (the rows above the header), NFC, in reading order; text typed with a legacy
    font is converted (``encoding``: the one found in the data rows, for cells the detector cannot decide)."""
    lines = []
    for raw in ws.iter_rows(min_row=1, max_row=max(1, header_row - 1), max_col=30, values_only=True):
        for value in raw:
            if isinstance(value, str) and value.strip():
                fixed = fix_legacy(value, encoding)
                lines.append(nfc(fixed.after if fixed else value))
    return lines


def _column_encodings(rows) -> dict[str, str]:
    """Column key → the legacy encoding ("TCVN3" / "VNI") most of its text cells are detected in, for the columns
    where at least two cells are detected as such (single cells are still converted on their own)."""
    found: dict[str, Counter] = {}
    for r in rows:
        for key in TEXT_KEYS:
            if isinstance(r.values.get(key), str) and (fix := fix_legacy(r.values[key])) is not None:
                found.setdefault(key, Counter())[fix.encoding] += 1
    out = {}
    for key, counter in found.items():
        encoding, count = counter.most_common(1)[0]
        if count >= 2:
            out[key] = encoding
    return out


def _file_encoding(columns: dict[str, str]) -> str | None:
    """The legacy encoding of the file: the one most columns are in, or None."""
    found = Counter(columns.values())
    return found.most_common(1)[0][0] if found else None


def _title_month(lines: list[str]) -> date | None:
    for line in lines:
        m = _TITLE_MONTH.search(fold(line))
        if m and 1 <= int(m.group(1)) <= 12:
            return date(int(m.group(2)), int(m.group(1)), 1)
    return None


#: the last sheet read, ``(key, ParsedSheet)``: the commit of a batch reads the bytes its preview just read
_last_read: tuple | None = None


def read_sheet(content: bytes) -> ParsedSheet:
    """Parse the sheet holding the list (the first sheet with the header, ``find_table``) of an .xlsx, .xls or .ods
    upload (``content`` bytes). Raises ``ValidationError`` (Vietnamese) for a file that is not a readable
    spreadsheet (password-protected, other format), a missing header or required column, or data after the total
    row; row-level problems go into each ``ParsedRow``.

    The result depends only on the bytes, the category synonyms, the payment providers and the size limits: the
    last one is kept (one sheet per process) and given back, not re-read, when all of these are the same — the
    commit re-reads the batch its preview read moments before. Callers must not change the rows returned."""
    global _last_read
    lookups = _Lookups.load()
    key = (hashlib.sha256(content).digest(), max_upload_bytes(), max_import_rows(),
           tuple(sorted(lookups.synonyms.items())), tuple(sorted(lookups.providers.items())))
    cached = _last_read
    if cached is not None and cached[0] == key:
        return cached[1]
    _last_read = None  # free the previous sheet before reading the next
    sheet = _read_sheet(content, lookups)
    _last_read = (key, sheet)
    return sheet


def _read_sheet(content: bytes, lookups: "_Lookups") -> ParsedSheet:
    wb = open_workbook(content, max_bytes=max_upload_bytes(), fast=True)
    try:
        ws, header = find_table(wb, COLUMNS)
        raw_rows = list(iter_rows(ws, header, max_rows=max_import_rows()))
        columns = _column_encodings(raw_rows)
        encoding = _file_encoding(columns)
        title = _title_lines(ws, header.row, encoding) if header.row > 1 else []
        if source_format(wb) == "xlsx":
            facts = sheet_facts(content, ws.title, max_bytes=max_upload_bytes(), limit=1_000_000)
        else:
            facts = SheetFacts(hidden_rows=getattr(ws, "hidden_rows", frozenset()))
        epoch_1904 = wb.epoch == CALENDAR_MAC_1904
        context = _RowContext(header, lookups, epoch_1904, columns, set(facts.formula_cells), facts.legacy_fonts,
                              facts.hidden_rows)
        rows = [_parse_row(r.row_number, r.values, context, r.cells) for r in raw_rows]
    finally:
        wb.close()
    if not rows:
        raise ValidationError("Không có dòng dữ liệu nào dưới dòng tiêu đề.")
    hidden = sorted(r.row_number for r in rows if r.row_number in facts.hidden_rows)
    return ParsedSheet(rows, _title_month(title), set(header.columns), title, encoding, facts.formula_cells,
                       ws.title, hidden)


def max_upload_bytes() -> int:
    """The upload size limit in bytes: the app's ``MAX_CONTENT_LENGTH`` (env ``MAX_UPLOAD_MB``), default 10 MiB."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH") if has_app_context() else None
    return int(limit or 10 * 1024 * 1024)


def max_import_rows() -> int:
    """The cap on data rows per file: config ``IMPORT_MAX_ROWS``, default 20 000 (the clerk is told to split)."""
    limit = current_app.config.get("IMPORT_MAX_ROWS") if has_app_context() else None
    return int(limit or 20_000)


@dataclass
class _RowContext:
    header: object
    lookups: "_Lookups"
    epoch_1904: bool
    encodings: dict  # column key → legacy encoding of that column
    formulas: set
    fonts: dict = field(default_factory=dict)  # cell reference → encoding of its legacy font
    hidden_rows: frozenset = frozenset()


@dataclass
class _Lookups:
    synonyms: dict
    providers: dict

    @classmethod
    def load(cls) -> "_Lookups":
        synonyms = {s.text_fold: (s.category_code, s.disability_level)
                    for s in db.session.execute(select(CategorySynonym)).scalars()}
        providers = {}
        for p in db.session.execute(select(PaymentProvider)).scalars():
            providers[fold(p.name)] = providers[fold(p.code)] = p.code
        return cls(synonyms, providers)


def _formula_gaps(row: ParsedRow, values: dict, context: _RowContext) -> set[str]:
    """Keys whose cell is a formula without a computed value: an error in a needed column, else a warning."""
    header, gaps = context.header, set()
    for key in values:
        ref = header.cell_ref(key, row.row_number)
        if values[key] is None and ref in context.formulas:
            gaps.add(key)
            message = f"Ô {ref}: công thức chưa có giá trị (tệp do chương trình tạo, chưa lưu bằng Excel)"
            if key in NEEDED_KEYS:
                row.errors.append(f"{message} — {FORMULA_HINT}.")
            elif key == "amount":
                row.warnings.append(f"{message}: không đối chiếu được mức trợ cấp trong tệp (cổng tự tính).")
            else:
                row.warnings.append(f"{message}: coi như ô trống — muốn lấy giá trị này thì {FORMULA_HINT}.")
    return gaps


def _convert_legacy(row: ParsedRow, values: dict, context: _RowContext) -> dict:
    """``values`` with the text typed in a legacy font converted to Unicode; each conversion listed in
    ``row.legacy``, a text that does not convert cleanly is a row error.

    Only a cell whose font or content is legacy is converted: its text alone is detected as TCVN3 / VNI, or its
    font is a legacy one (.VnTime → TCVN3, VNI-Times → VNI). When the file carries no legacy font at all (text
    pasted into cells of a Unicode font), an undecidable pure Latin-1 cell takes the encoding of its own column
    (``context.encodings``) — never that of the other columns of its row, so a Unicode "Khóm Hòa Bình" beside
    TCVN3 names stays as it is."""
    values = dict(values)
    for key in TEXT_KEYS:
        if not isinstance(values.get(key), str):
            continue
        ref = context.header.cell_ref(key, row.row_number)
        font = context.fonts.get(ref)
        assume = None if context.fonts else context.encodings.get(key)
        fix = fix_legacy(values[key], assume, font=font)
        if fix is None:
            continue
        if fix.doubtful:
            row.errors.append(f"Ô {ref}: chữ gõ bằng bảng mã cũ {fix.encoding} không chuyển được sang Unicode "
                              f"«{nfc(fix.before)}» → «{fix.after}». Hãy chuyển tệp sang Unicode (Unikey: Công cụ "
                              "chuyển mã) rồi tải lên lại.")
        else:
            row.legacy.append(f"Ô {ref} ({fix.encoding}): «{nfc(fix.before)}» → «{nfc(fix.after)}»")
            values[key] = fix.after
    return values


def _departure(row_number: int, values: dict, cells: list, header) -> Departure | None:
    """A death or departure written in the row (``imports.departures``): the note and every other text cell, found
    column or not (a "Trạng thái" / "Tình trạng" column), except the name, ID, dates, numbers and account."""
    skipped = {header.columns[k] - 1 for k in SKIPPED if k in header.columns}
    found = {header.columns[k] - 1: v for k, v in values.items() if k in header.columns}  # legacy text converted
    note = [header.columns["note"] - 1] if "note" in header.columns else []
    order = note + [i for i in range(len(cells)) if i not in note]
    return find_departure([(f"{get_column_letter(i + 1)}{row_number}", found.get(i, cells[i])) for i in order
                           if i not in skipped and i < len(cells)])


def _parse_row(row_number: int, values: dict, context: _RowContext, cells=()) -> ParsedRow:
    header, lookups, epoch_1904 = context.header, context.lookups, context.epoch_1904
    row = ParsedRow(row_number)
    row.refs = {key: header.cell_ref(column, row_number) for key, column in FIELD_COLUMNS.items()
                if column in header.columns}
    gaps = _formula_gaps(row, values, context)
    values = _convert_legacy(row, values, context)
    row.departure = _departure(row_number, values, list(cells), header)
    if row_number in context.hidden_rows:
        row.warnings.append(f"Dòng {row_number} đang bị ẩn trong bảng tính: kiểm tra lại người này có đúng cần "
                            "nhập không (bỏ ẩn dòng trong Excel để xem).")

    def cell(key, fn):
        if key not in values or values[key] is None:
            return None
        try:
            return fn(values[key])
        except ValidationError as err:
            row.errors.append(f"Ô {header.cell_ref(key, row_number)}: {err}")
            return None

    name = cell("name", cell_text)
    if name:
        row.data["full_name"] = nfc(name)
    birth = cell("birth", lambda v: parse_birth_date(v, epoch_1904=epoch_1904))
    if birth is not None:
        row.data["birth"] = birth
        if birth.year_from_serial:
            row.warnings.append(f"Ô {header.cell_ref('birth', row_number)}: năm sinh gõ vào ô dạng ngày, "
                                f"đọc là năm {birth.year}.")
    gender = cell("gender", cell_text)
    if gender:
        row.data["gender"] = gender
    if "national_id" not in gaps:
        _parse_id(row, values, header, cell)
    for key, target in (("phone", "phone"), ("hamlet", "hamlet"), ("decision", "decision_number"),
                        ("note", "note")):
        text = cell(key, cell_id_text if key == "phone" else cell_text)
        if text:
            row.data[target] = nfc(text)
    start = cell("start_month", lambda v: parse_month(v, "Hưởng từ tháng"))
    if start:
        row.data["start_month"] = start
    row.clerk_amount = cell("amount", lambda v: parse_int_amount(v, "Mức trợ cấp"))
    row.coefficient = cell("coefficient", _parse_coefficient)
    if "category" not in gaps:
        _parse_category(row, cell("category", cell_text), lookups, header)
    _parse_channel(row, cell("channel", cell_text), header)
    _parse_account(row, cell("bank", cell_text), cell("account", lambda v: cell_id_text(v, "Số tài khoản")),
                   lookups, header)
    return row


def _parse_id(row: ParsedRow, values: dict, header, cell) -> None:
    raw = values.get("national_id")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        row.errors.append(f"Ô {header.cell_ref('national_id', row.row_number)}: chưa có số định danh cá nhân.")
        return
    result = cell("national_id", lambda v: parse_national_id(v if isinstance(v, (int, float)) else
                                                             cell_id_text(v, "Số định danh cá nhân")))
    if result is not None:
        row.national_id, row.id_padded = result.value, result.padded
        row.data["national_id"] = result.value
        if result.padded:
            row.notices.append(f"Ô {header.cell_ref('national_id', row.row_number)}: số định danh lưu dạng số, "
                                f"đã bổ sung số 0 đầu → {result.value}.")


def _parse_coefficient(v) -> Decimal | None:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return Decimal(str(v))
    text = (cell_text(v) or "").replace(",", ".")
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        raise ValidationError(f"Hệ số không hợp lệ: «{cell_text(v)}».") from None


def _parse_category(row: ParsedRow, text: str | None, lookups: _Lookups, header) -> None:
    ref = header.cell_ref("category", row.row_number)
    if not text:
        row.errors.append(f"Ô {ref}: chưa ghi diện đối tượng.")
        return
    found = lookups.synonyms.get(fold(text))
    if found is None:
        row.errors.append(f"Ô {ref}: không nhận ra diện đối tượng «{text}» (cần thêm cách ghi này vào danh mục "
                          "hoặc sửa lại theo tên diện trong Nghị định 20/2021).")
        return
    row.data["category_code"], row.data["disability_level"] = found
    if found[0] == "K4" and row.coefficient is not None and row.coefficient == int(row.coefficient) \
            and row.coefficient >= 1:
        row.data["children_count"] = int(row.coefficient)  # K4: hệ số 1,0 per child raised


def _parse_channel(row: ParsedRow, text: str | None, header) -> None:
    if not text:
        return
    channel = CHANNEL_WORDS.get(fold(text).replace(":", "").strip())
    if channel is None:
        row.errors.append(f"Ô {header.cell_ref('channel', row.row_number)}: không nhận ra hình thức nhận «{text}» "
                          "(Tài khoản / Tiền mặt tại điểm chi trả / Tiền mặt tại nhà).")
        return
    row.data["payment_channel"] = channel.value
    note = fold(row.data.get("note"))
    if channel is PaymentChannel.CASH_AT_HOME and note:
        for reason, words in REASON_WORDS.items():
            if any(w in note for w in words) or fold(reason.label) in note:
                row.reason_from_note = reason.value
                break


def _parse_account(row: ParsedRow, bank: str | None, account: str | None, lookups: _Lookups, header) -> None:
    row.bank_text = bank
    if bank:
        row.provider_code = lookups.providers.get(fold(bank))
        if row.provider_code is None:
            row.warnings.append(f"Ô {header.cell_ref('bank', row.row_number)}: không nhận ra ngân hàng «{bank}».")
    if not account:
        return
    digits = re.sub(r"[\s.\-]", "", account)
    if not digits.isdigit() or not 6 <= len(digits) <= 19:
        row.errors.append(f"Ô {header.cell_ref('account', row.row_number)}: số tài khoản «{account}» phải gồm "
                          "6–19 chữ số.")
        return
    if row.provider_code is None:
        row.warnings.append(f"Dòng {row.row_number}: có số tài khoản nhưng không rõ ngân hàng — chưa ghi tài khoản.")
        return
    row.account_number = digits
