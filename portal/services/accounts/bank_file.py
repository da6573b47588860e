"""Reading a bank's spreadsheet of accounts opened (danh sách tài khoản đã mở) into typed rows, before any
matching against the register (that is ``accounts.bank_import``).

Columns STT, HO TEN KHACH HANG, SO GTTT, SO TAI KHOAN, NGAY MO, DIEM GIAO DICH — or the Vietnamese variants "Họ tên",
"Số CCCD", "Số tài khoản", "Ngày mở"; the header row is found by its labels (reference §6 "Account numbers").
"""
from dataclasses import dataclass, field
from datetime import date

from ...errors import PortalError, ValidationError
from ...models import Beneficiary
from ...spreadsheets.reading import Column, cell_id_text, cell_text, find_table, iter_rows, open_workbook, parse_date
from ..registry import identity
from .opening import check_opened_on, clean_account_number

#: row status while previewing (judged against the database as it is now)
STATUS_LABELS = {"new": "Mới", "unchanged": "Đã có", "name_mismatch": "Tên không khớp",
                 "duplicate": "Trùng số TK – ghi kèm cảnh báo", "error": "Lỗi"}
#: row outcome once the file is committed (what the commit did with it)
OUTCOME_LABELS = {"recorded": "Đã ghi nhận", "unchanged": "Đã có từ trước",
                  "name_mismatch": "Giữ lại – tên không khớp", "duplicate": "Đã ghi nhận – có cảnh báo trùng số TK",
                  "error": "Lỗi"}

COLUMNS = [
    Column("name", ("Họ tên khách hàng", "Họ tên", "Họ và tên", "Tên khách hàng", "Họ tên chủ tài khoản",
                    "Tên chủ tài khoản", "Tên tài khoản")),
    Column("national_id", ("Số GTTT", "Số CCCD", "Số định danh", "Số định danh cá nhân", "Số CMND/CCCD", "CCCD",
                           "Số giấy tờ tùy thân", "Số giấy tờ tuỳ thân")),
    Column("account_number", ("Số tài khoản", "Số TK", "STK")),
    Column("opened_on", ("Ngày mở", "Ngày mở tài khoản", "Ngày mở TK")),
    Column("branch", ("Điểm giao dịch", "Phòng giao dịch", "Nơi mở"), required=False),
]


@dataclass
class BankRow:
    """One data row of the bank file. ``row_number`` is the Excel row; ``status`` one of ``STATUS_LABELS`` (a
    preview) or ``OUTCOME_LABELS`` (a committed file, with ``committed`` True); ``message`` Vietnamese (errors, name
    mismatch); ``notes`` non-blocking remarks."""

    row_number: int
    bank_name: str | None = None
    national_id: str | None = None
    account_number: str | None = None
    opened_on: date | None = None
    status: str = "new"
    message: str = ""
    beneficiary: Beneficiary | None = None
    notes: list[str] = field(default_factory=list)
    committed: bool = False

    @property
    def status_label(self) -> str:
        """Vietnamese status (or outcome, for a committed file)."""
        return (OUTCOME_LABELS if self.committed else STATUS_LABELS)[self.status]

    def describe(self) -> str:
        """"Dòng 7: message" for flash messages and the CLI."""
        return f"Dòng {self.row_number}: {self.message}"


def read_bank_rows(content: bytes) -> list[BankRow]:
    """The data rows of ``content`` (.xlsx, .xls or .ods bytes; the first sheet with the header) with typed values;
    a row with a bad or missing value gets status "error" and the Vietnamese problems in ``message``. Raises
    ``ValidationError`` for a file that is not a readable spreadsheet, lacks the columns, or has no data row."""
    wb = open_workbook(content)
    try:
        ws, header = find_table(wb, COLUMNS)
        rows = [_parse(r) for r in iter_rows(ws, header)]
    finally:
        wb.close()
    if not rows:
        raise ValidationError("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề.")
    return rows


def _parse(raw_row) -> BankRow:
    """Typed values of one sheet row; problems collected into ``message`` (status error)."""
    v = raw_row.values
    row = BankRow(raw_row.row_number, bank_name=cell_text(v.get("name")))
    problems = []
    if not row.bank_name:
        problems.append("Thiếu họ tên khách hàng.")
    checks = (
        ("national_id", lambda x: identity.parse_national_id(x).value if x is not None
         else _missing("số định danh (Số GTTT)")),
        ("account_number", lambda x: clean_account_number(cell_id_text(x, "Số tài khoản") or _missing("số tài khoản"))),
        ("opened_on", lambda x: check_opened_on(parse_date(x, "Ngày mở") or _missing("ngày mở tài khoản"))),
    )
    for key, parse in checks:
        try:
            setattr(row, key, parse(v.get(key)))
        except PortalError as err:
            problems.append(str(err))
    if isinstance(v.get("account_number"), (int, float)) and row.account_number:
        row.notes.append("Số tài khoản lưu dạng số trong Excel: kiểm tra các chữ số 0 ở đầu.")
    if problems:
        row.status, row.message = "error", " ".join(problems)
    return row


def _missing(what: str):
    raise ValidationError(f"Thiếu {what}.")
