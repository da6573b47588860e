"""One data row of a commune's beneficiary spreadsheet as typed values (đọc một dòng danh sách), before any rule of
the register is applied (that is ``imports.plan``).

IDs as text (a number that lost its leading zero is kept as a number for ``identity.parse_national_id`` to pad and
flag), birth dates as date cells, dd/mm/yyyy text or a year, categories through ``CategorySynonym`` (the clerks'
wording), payment channels, pension and poor / near-poor household marks by their usual wording (``imports.columns``).
A cell that cannot be read becomes a row error with the Excel cell reference; it never stops the other rows. A
formula cell whose result was never computed is named — an error in a column the import needs, a warning
elsewhere — and never read as 0. What is the same for every row of a file (column letters, which cells to scan for
a death or departure, the look-ups) is worked out once, in ``SheetContext``. Source: pitfalls §Spreadsheets
(items 1–7)."""
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from openpyxl.utils import get_column_letter

from ...errors import ValidationError
from ...models import PaymentChannel
from ...spreadsheets.reading import cell_id_text, cell_text, parse_birth_date, parse_int_amount, parse_month
from ..registry.identity import fold, nfc, parse_national_id
from .columns import (
    CHANNEL_WORDS,
    FIELD_COLUMNS,
    NEEDED_KEYS,
    NO_WORDS,
    POVERTY_WORDS,
    REASON_WORDS,
    YES_WORDS,
)
from .departures import Departure, departure_in_row, scan_plan
from .legacy_cells import convert_row

FORMULA_HINT = "mở tệp bằng Excel rồi lưu lại (Excel tính và lưu kết quả công thức), sau đó tải lên lại"
HIDDEN_WARNING = ("Dòng {row} đang bị ẩn trong bảng tính: kiểm tra lại người này có đúng cần nhập không (bỏ ẩn dòng "
                  "trong Excel để xem).")
_ACCOUNT_SEPARATORS = re.compile(r"[\s.\-]")


class CellRefs(Mapping):
    """Column key → the cell's reference in one row ("E12"), made when asked for from the column ``letters`` (key →
    letter): most rows never name a cell."""

    __slots__ = ("_letters", "_suffix")

    def __init__(self, letters: dict[str, str], row_number: int):
        self._letters, self._suffix = letters, str(row_number)

    def __getitem__(self, key: str) -> str:
        return self._letters[key] + self._suffix

    def __contains__(self, key) -> bool:
        return key in self._letters

    def __iter__(self):
        return iter(self._letters)

    def __len__(self) -> int:
        return len(self._letters)


@dataclass
class ParsedRow:
    """One data row as typed values. ``data`` holds raw input for ``registry.clean_beneficiary`` (only the keys the
    sheet gave a value for; also ``receives_pension`` (bool) and ``household_poverty`` ("poor" / "near_poor" /
    None) when the sheet has such a column); ``national_id`` the parsed 12 digits (None on error);
    ``reason_from_note`` a ``CashAtHomeReason`` found in "Ghi chú"; ``clerk_amount`` the clerk's "Mức trợ cấp"
    (đồng); ``errors`` and ``warnings`` Vietnamese messages naming the cell (e.g. "E12"); ``notices`` routine
    remarks that are not warnings (an ID stored as a number, given back its leading zero); ``refs`` the cell of
    each ``data`` key, to name it in errors from the register's rules; ``legacy`` the cells converted from a legacy
    font encoding, as "Ô B12 (TCVN3): «NguyÔn» → «Nguyễn»"."""

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
    refs: Mapping[str, str] = field(default_factory=dict)
    legacy: list[str] = field(default_factory=list)
    departure: Departure | None = None


@dataclass
class SheetContext:
    """What every row of one sheet is read against: the ``header`` (``spreadsheets.Header``), ``synonyms`` (folded
    category wording → (code, disability level)), ``providers`` (folded bank name or code → provider code), the
    workbook's date system (``epoch_1904``), the legacy encoding of each column (``encodings``), the formula cells
    without a value (``formulas``), the cells in a legacy font (``fonts``: reference → encoding) and the hidden
    rows (``hidden_rows``, Excel numbers). Derived once: each column's letter and the cells scanned for a death or
    departure."""

    header: object
    synonyms: dict
    providers: dict
    epoch_1904: bool = False
    encodings: dict = field(default_factory=dict)
    formulas: set = field(default_factory=set)
    fonts: dict = field(default_factory=dict)
    hidden_rows: frozenset = frozenset()

    def __post_init__(self):
        self.letters = {key: get_column_letter(col) for key, col in self.header.columns.items()}
        self.field_letters = {name: self.letters[column] for name, column in FIELD_COLUMNS.items()
                              if column in self.letters}
        columns = self.header.columns
        self.departure_plan = scan_plan(columns, max(self.header.width, max(columns.values())))


def parse_row(row_number: int, values: dict, context: SheetContext, cells=()) -> ParsedRow:
    """Type one data row: ``values`` (column key → raw cell value) and ``cells`` (every cell of the row from column
    A, for the death / departure scan) of Excel row ``row_number``. Never raises for bad input: every problem is a
    message of the returned ``ParsedRow``."""
    row = ParsedRow(row_number)
    refs = CellRefs(context.letters, row_number)
    row.refs = CellRefs(context.field_letters, row_number)
    gaps = _formula_gaps(row, values, refs, context.formulas) if context.formulas else ()
    values = convert_row(values, refs, context.encodings, context.fonts, row.errors, row.legacy)
    row.departure = departure_in_row(row_number, values, cells, context.departure_plan)
    if row_number in context.hidden_rows:
        row.warnings.append(HIDDEN_WARNING.format(row=row_number))
    errors = row.errors

    def cell(key, fn):
        value = values.get(key)
        if value is None:
            return None
        try:
            return fn(value)
        except ValidationError as err:
            errors.append(f"Ô {refs[key]}: {err}")
            return None

    name = cell("name", cell_text)
    if name:
        row.data["full_name"] = nfc(name)
    epoch_1904 = context.epoch_1904
    birth = cell("birth", lambda v: parse_birth_date(v, epoch_1904=epoch_1904))
    if birth is not None:
        row.data["birth"] = birth
        if birth.year_from_serial:
            row.warnings.append(f"Ô {refs['birth']}: năm sinh gõ vào ô dạng ngày, đọc là năm {birth.year}.")
    gender = cell("gender", cell_text)
    if gender:
        row.data["gender"] = gender
    if "national_id" not in gaps:
        _parse_id(row, values, refs, cell)
    for key, target in (("phone", "phone"), ("hamlet", "hamlet"), ("decision", "decision_number"),
                        ("note", "note")):
        text = cell(key, cell_id_text if key == "phone" else cell_text)
        if text:
            row.data[target] = nfc(text)
    start = cell("start_month", _start_month)
    if start:
        row.data["start_month"] = start
    row.clerk_amount = cell("amount", lambda v: parse_int_amount(v, "Mức trợ cấp"))
    row.coefficient = cell("coefficient", _parse_coefficient)
    if "category" not in gaps:
        _parse_category(row, cell("category", cell_text), context.synonyms, refs)
    _parse_channel(row, cell("channel", cell_text), refs)
    _parse_account(row, cell("bank", cell_text), cell("account", lambda v: cell_id_text(v, "Số tài khoản")),
                   context.providers, refs)
    _parse_pension(row, values, refs, gaps)
    return row


@lru_cache(maxsize=1024)  # a list repeats a few start months on thousands of rows
def _start_month(value):
    return parse_month(value, "Hưởng từ tháng")


def _formula_gaps(row: ParsedRow, values: dict, refs: dict, formulas: set) -> set[str]:
    """Keys whose cell is a formula without a computed value: an error in a needed column, else a warning."""
    gaps = set()
    for key in values:
        ref = refs[key]
        if values[key] is None and ref in formulas:
            gaps.add(key)
            message = f"Ô {ref}: công thức chưa có giá trị (tệp do chương trình tạo, chưa lưu bằng Excel)"
            if key in NEEDED_KEYS:
                row.errors.append(f"{message} — {FORMULA_HINT}.")
            elif key == "amount":
                row.warnings.append(f"{message}: không đối chiếu được mức trợ cấp trong tệp (cổng tự tính).")
            else:
                row.warnings.append(f"{message}: coi như ô trống — muốn lấy giá trị này thì {FORMULA_HINT}.")
    return gaps


def _parse_id(row: ParsedRow, values: dict, refs: dict, cell) -> None:
    raw = values.get("national_id")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        row.errors.append(f"Ô {refs['national_id']}: chưa có số định danh cá nhân.")
        return
    result = cell("national_id", lambda v: parse_national_id(v if isinstance(v, (int, float)) else
                                                             cell_id_text(v, "Số định danh cá nhân")))
    if result is not None:
        row.national_id, row.id_padded = result.value, result.padded
        row.data["national_id"] = result.value
        if result.padded:
            row.notices.append(f"Ô {refs['national_id']}: số định danh lưu dạng số, đã bổ sung số 0 đầu → "
                               f"{result.value}.")


def _parse_coefficient(v) -> Decimal | None:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return Decimal(str(v))
    text = (cell_text(v) or "").replace(",", ".")
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        raise ValidationError(f"Hệ số không hợp lệ: «{cell_text(v)}».") from None


def _parse_category(row: ParsedRow, text: str | None, synonyms: dict, refs: dict) -> None:
    ref = refs["category"]
    if not text:
        row.errors.append(f"Ô {ref}: chưa ghi diện đối tượng.")
        return
    found = synonyms.get(fold(text))
    if found is None:
        row.errors.append(f"Ô {ref}: không nhận ra diện đối tượng «{text}» (cần thêm cách ghi này vào danh mục "
                          "hoặc sửa lại theo tên diện trong Nghị định 20/2021).")
        return
    row.data["category_code"], row.data["disability_level"] = found
    if found[0] == "K4" and row.coefficient is not None and row.coefficient == int(row.coefficient) \
            and row.coefficient >= 1:
        row.data["children_count"] = int(row.coefficient)  # K4: hệ số 1,0 per child raised


def _parse_channel(row: ParsedRow, text: str | None, refs: dict) -> None:
    if not text:
        return
    channel = CHANNEL_WORDS.get(fold(text).replace(":", "").strip())
    if channel is None:
        row.errors.append(f"Ô {refs['channel']}: không nhận ra hình thức nhận «{text}» "
                          "(Tài khoản / Tiền mặt tại điểm chi trả / Tiền mặt tại nhà).")
        return
    row.data["payment_channel"] = channel.value
    note = fold(row.data.get("note"))
    if channel is PaymentChannel.CASH_AT_HOME and note:
        for reason, words in REASON_WORDS.items():
            if any(w in note for w in words) or fold(reason.label) in note:
                row.reason_from_note = reason.value
                break


def _parse_account(row: ParsedRow, bank: str | None, account: str | None, providers: dict, refs: dict) -> None:
    row.bank_text = bank
    if bank:
        row.provider_code = providers.get(fold(bank))
        if row.provider_code is None:
            row.warnings.append(f"Ô {refs['bank']}: không nhận ra ngân hàng «{bank}».")
    if not account:
        return
    digits = _ACCOUNT_SEPARATORS.sub("", account)
    if not digits.isdigit() or not 6 <= len(digits) <= 19:
        row.errors.append(f"Ô {refs['account']}: số tài khoản «{account}» phải gồm 6–19 chữ số.")
        return
    if row.provider_code is None:
        row.warnings.append(f"Dòng {row.row_number}: có số tài khoản nhưng không rõ ngân hàng — chưa ghi tài khoản.")
        return
    row.account_number = digits


def _mark(value) -> bool | None:
    """A yes / no cell: True ("x", "có", 1, TRUE), False ("không", 0, "-", FALSE, empty); raises ``ValueError``
    for any other text."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, (int, float)) and value in (0, 1):
        return value == 1
    folded = " ".join(fold(cell_text(value) or "").replace(".", " ").split())
    if not folded or folded in NO_WORDS:
        return False
    if folded in YES_WORDS:
        return True
    raise ValueError(folded)


def _parse_pension(row: ParsedRow, values: dict, refs: dict, gaps) -> None:
    """The social pension's conditions (Luật BHXH 2024 Art. 21; Decree 176/2025 Art. 3) when the sheet has their
    columns: "Hưởng lương hưu/BHXH hằng tháng" (a mark or "có" / "không"; empty = no) → ``receives_pension``;
    "Hộ nghèo/cận nghèo" ("nghèo", "cận nghèo", "không"; empty = neither) or the mark columns "Hộ nghèo" /
    "Hộ cận nghèo" → ``household_poverty``. A value that cannot be read is a row error naming the cell."""
    if "receives_pension" in values and "receives_pension" not in gaps:
        try:
            row.data["receives_pension"] = _mark(values["receives_pension"])
        except ValueError:
            row.errors.append(f"Ô {refs['receives_pension']}: không đọc được «{cell_text(values['receives_pension'])}» "
                              "ở cột lương hưu/BHXH — ghi «x» hoặc «có» nếu đang hưởng lương hưu hay trợ cấp BHXH "
                              "hằng tháng, để trống hoặc ghi «không» nếu không.")
    found, read = None, False
    if "household_poverty" in values and "household_poverty" not in gaps:
        read = True
        value = values["household_poverty"]
        folded = " ".join(fold(cell_text(value) or "").replace(".", " ").split()) if value is not None else ""
        if folded and folded not in POVERTY_WORDS:
            row.errors.append(f"Ô {refs['household_poverty']}: không đọc được «{cell_text(value)}» ở cột hộ nghèo/"
                              "cận nghèo — ghi «nghèo» hoặc «cận nghèo», để trống hoặc ghi «không» nếu không thuộc "
                              "hộ nghèo, cận nghèo.")
            return
        found = POVERTY_WORDS.get(folded)
    for key, household in (("poor", "poor"), ("near_poor", "near_poor")):
        if key not in values or key in gaps:
            continue
        read = True
        try:
            marked = _mark(values[key])
        except ValueError:
            row.errors.append(f"Ô {refs[key]}: không đọc được «{cell_text(values[key])}» ở cột "
                              f"«{'Hộ nghèo' if key == 'poor' else 'Hộ cận nghèo'}» — ghi «x» nếu thuộc, để trống "
                              "nếu không.")
            return
        if marked and found not in (None, household):
            row.errors.append(f"Dòng {row.row_number}: ghi cả hộ nghèo và hộ cận nghèo — chỉ chọn một.")
            return
        if marked:
            found = household
    if read:
        row.data["household_poverty"] = found
