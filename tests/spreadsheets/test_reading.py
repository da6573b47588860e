"""Reading uploaded spreadsheets: the shared commune/bank samples and synthetic traps (pitfalls §Spreadsheets)."""

from __future__ import annotations

import io
import re
import time
import unicodedata
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Font

from portal.errors import ValidationError
from portal.spreadsheets.reading import (
    BirthDate,
    Column,
    cell_id_text,
    cell_text,
    find_header,
    formula_cells_without_value,
    iter_rows,
    open_workbook,
    parse_birth_date,
    parse_date,
    parse_int_amount,
    parse_month,
)

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
VINH_MY = SAMPLES / "2024-07_phuong-vinh-my_ds-doi-tuong.xlsx"
TAN_LOI = SAMPLES / "2024-07_xa-tan-loi_ds-doi-tuong.xlsx"
BANK = SAMPLES / "2024-08_agribank-chau-doc_tk-mo-moi.xlsx"

COMMUNE_COLUMNS = [
    Column("stt", ["STT"], required=False),
    Column("name", ["Họ và tên", "Họ tên"]),
    Column("birth", ["Ngày sinh", "Ngày tháng năm sinh"]),
    Column("gender", ["Giới tính"], required=False),
    Column("national_id", ["Số CCCD", "Số định danh cá nhân", "CCCD", "Số CCCD/CMND"]),
    Column("phone", ["Số điện thoại"], required=False),
    Column("hamlet", ["Khóm/Ấp", "Ấp", "Khóm"], required=False),
    Column("category", ["Diện đối tượng"], required=False),
    Column("coefficient", ["Hệ số"], required=False),
    Column("amount", ["Mức trợ cấp (đồng)", "Mức trợ cấp", "Số tiền"], required=False),
    Column("decision", ["Số QĐ hưởng"], required=False),
    Column("from_month", ["Hưởng từ tháng"], required=False),
    Column("method", ["Hình thức nhận"], required=False),
    Column("bank", ["Ngân hàng"], required=False),
    Column("account", ["Số tài khoản"], required=False),
    Column("note", ["Ghi chú"], required=False),
]

BANK_COLUMNS = [
    Column("name", ["Họ tên khách hàng", "Họ và tên"]),
    Column("national_id", ["Số GTTT", "Số CCCD"]),
    Column("account", ["Số tài khoản"]),
    Column("opened", ["Ngày mở", "Ngày mở tài khoản"], required=False),
]

SMALL_COLUMNS = [
    Column("name", ["Họ và tên"]),
    Column("birth", ["Ngày sinh"]),
    Column("national_id", ["Số CCCD"]),
    Column("amount", ["Mức trợ cấp"], required=False),
]


def _read(source, columns=COMMUNE_COLUMNS, **kwargs):
    wb = open_workbook(source)
    try:
        ws = wb.worksheets[0]
        header = find_header(ws, columns)
        return header, list(iter_rows(ws, header, **kwargs))
    finally:
        wb.close()


def _xlsx(rows, *, merges=(), setup=None) -> bytes:
    """A workbook (one sheet) whose rows are ``rows`` (row 1 first), as bytes written by openpyxl."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(list(row))
    for rng in merges:
        ws.merge_cells(rng)
    if setup:
        setup(ws)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _patch_sheet(data: bytes, edit) -> bytes:
    """Rewrite xl/worksheets/sheet1.xml through ``edit(xml_text) -> xml_text``."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            payload = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                payload = edit(payload.decode("utf-8")).encode("utf-8")
            dst.writestr(info.filename, payload)
    return out.getvalue()


def _people(n, start=1):
    return [
        [f"Người Thứ {i}", f"0{i % 28 + 1}/0{i % 9 + 1}/19{40 + i % 50}", f"0891{i:08d}", 500000]
        for i in range(start, start + n)
    ]


HEAD = ["Họ và tên", "Ngày sinh", "Số CCCD", "Mức trợ cấp"]


# ------------------------------------------------------------------------------------------------ shared samples


def test_vinh_my_commune_list():
    header, rows = _read(VINH_MY)
    assert header.row == 7
    assert header.rows == 1
    assert header.first_data_row == 9  # row 8 is "(1)", "(2)", … and is skipped
    assert header.columns["name"] == 2 and header.columns["birth"] == 3 and header.columns["national_id"] == 5
    assert header.labels["amount"] == "Mức trợ cấp (đồng)"
    assert header.cell_ref("national_id", 11) == "E11"
    assert len(rows) == 340
    assert rows[0].row_number == 9
    assert rows[-1].row_number == 348
    assert [r.values["stt"] for r in rows] == list(range(1, 341))

    by_row = {r.row_number: r.values for r in rows}
    # an ID stored as a number lost its leading zero: text digits, never "…153.0"
    assert by_row[11]["national_id"] == 89077105153
    assert cell_id_text(by_row[11]["national_id"]) == "89077105153"
    assert cell_id_text(by_row[9]["national_id"]) == "089218589283"
    # birth dates in three shapes
    assert parse_birth_date(by_row[13]["birth"]) == BirthDate(None, 1931, True)
    assert parse_birth_date(by_row[9]["birth"]) == BirthDate(date(2018, 6, 11), 2018, False)
    assert parse_birth_date(by_row[10]["birth"]) == BirthDate(date(1930, 5, 1), 1930, False)
    # decomposed (NFD) name becomes NFC; outer spaces stripped, inner ones left to the identity rules
    assert (unicodedata.is_normalized("NFD", by_row[11]["name"])
            and not unicodedata.is_normalized("NFC", by_row[11]["name"]))
    assert cell_text(by_row[11]["name"]) == unicodedata.normalize("NFC", "Bùi Ngọc Vũ")
    assert cell_text(by_row[13]["name"]) == "Huỳnh  Thanh Tài"
    assert parse_month(by_row[9]["from_month"]) == date(2019, 4, 1)
    assert cell_id_text(by_row[11]["account"]) == "1164963643329"

    births = [parse_birth_date(r.values["birth"]) for r in rows]
    assert all(b is not None for b in births)
    assert sum(b.year_only for b in births) == 30
    ids = [cell_id_text(r.values["national_id"]) for r in rows]
    assert all(re.fullmatch(r"\d{11,12}", i) for i in ids)
    assert sum(len(i) == 11 for i in ids) == 113
    # the clerk's amounts add up to the "Tổng cộng" row (J349), which is not a data row
    assert sum(parse_int_amount(r.values["amount"]) for r in rows) == 240_000_000
    assert all(isinstance(parse_month(r.values["from_month"]), date) for r in rows)


def test_tan_loi_commune_list_with_dinh_danh_header():
    header, rows = _read(TAN_LOI)
    assert header.row == 7 and header.first_data_row == 9
    assert header.labels["national_id"] == "Số định danh cá nhân"
    assert len(rows) == 210
    assert (rows[0].row_number, rows[-1].row_number) == (9, 218)
    by_row = {r.row_number: r.values for r in rows}
    assert cell_id_text(by_row[11]["national_id"]) == "89028679597"
    assert cell_text(by_row[11]["name"]) == "Chau Sane Rết"
    assert parse_birth_date(by_row[13]["birth"]) == BirthDate(date(1965, 12, 12), 1965, False)
    assert sum(parse_int_amount(r.values["amount"]) for r in rows) == 143_000_000
    for r in rows:
        parse_birth_date(r.values["birth"])
        parse_month(r.values["from_month"])


def test_bank_file_from_a_stream():
    with BANK.open("rb") as fh:
        header, rows = _read(fh, BANK_COLUMNS)
    assert header.row == 3 and header.first_data_row == 4
    assert header.labels["national_id"] == "SO GTTT"
    assert len(rows) == 40
    assert rows[0].values == {
        "name": "HUYNH MINH KHAI",
        "national_id": "089218589283",
        "account": "11344579315344",
        "opened": "02/08/2024",
    }
    assert parse_date(rows[0].values["opened"]) == date(2024, 8, 2)
    assert rows[-1].row_number == 43
    assert all(len(cell_id_text(r.values["account"])) == 14 for r in rows)


def test_missing_required_columns_are_named():
    columns = [Column("name", ["Họ và tên"]), Column("id", ["Số CCCD"]), Column("birth", ["Ngày sinh"])]
    wb = open_workbook(_xlsx([["DANH SÁCH"], ["STT", "Họ và tên", "Giới tính"], [1, "Lê Văn Tám", "Nam"]]))
    try:
        with pytest.raises(ValidationError) as err:
            find_header(wb.active, columns)
    finally:
        wb.close()
    assert str(err.value) == "Không tìm thấy cột: Số CCCD, Ngày sinh."


# ------------------------------------------------------------------------------------------------ opening


def test_open_from_path_bytes_and_stream():
    data = VINH_MY.read_bytes()
    for source in (VINH_MY, str(VINH_MY), data, io.BytesIO(data)):
        wb = open_workbook(source)
        assert wb.sheetnames == ["DS BTXH"]
        wb.close()


@pytest.mark.parametrize(
    "payload",
    [
        b"STT;Ho va ten;So CCCD\n1;Nguyen Van A;089123456789\n",  # CSV renamed .xlsx
        b"<html><table><tr><td>1</td></tr></table></html>",  # "xls" exported as HTML
        b"%PDF-1.7\n",
    ],
)
def test_non_xlsx_is_refused(payload):
    with pytest.raises(ValidationError, match=r"Tệp không phải bảng tính Excel \(\.xlsx\)"):
        open_workbook(payload)


def test_unreadable_xls_gets_its_own_hint():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    with pytest.raises(ValidationError, match=r"Excel 97-2003 \(\.xls\) nhưng không đọc được"):
        open_workbook(ole)


def test_other_zip_documents_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:  # a .docx-like package
        z.writestr(
            "[Content_Types].xml",
            '<Types><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(ValidationError, match="không phải bảng tính Excel"):
        open_workbook(out.getvalue())
    with pytest.raises(ValidationError, match="không phải bảng tính Excel"):
        open_workbook(b"PK\x03\x04 truncated")


def test_damaged_workbook_is_a_validation_error():
    data = _xlsx([HEAD, *_people(50)])
    truncated = _patch_sheet(data, lambda xml: xml[: len(xml) // 2])
    wb = open_workbook(truncated)  # read-only mode parses the sheet lazily …
    try:
        with pytest.raises(ValidationError, match="bị hỏng"):  # … so the error comes while reading rows
            header = find_header(wb.active, SMALL_COLUMNS)
            list(iter_rows(wb.active, header))
    finally:
        wb.close()
    no_workbook_part = _patch_sheet(data, lambda xml: xml)
    no_workbook_part = _drop_member(no_workbook_part, "xl/workbook.xml")
    with pytest.raises(ValidationError, match="bị hỏng"):
        open_workbook(no_workbook_part)


def _drop_member(data: bytes, name: str) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename != name:
                dst.writestr(info.filename, src.read(info.filename))
    return out.getvalue()


def test_too_big_file_is_refused_with_the_limit():
    data = VINH_MY.read_bytes()
    with pytest.raises(ValidationError) as err:
        open_workbook(data, max_bytes=20 * 1024)
    assert "quá lớn" in str(err.value) and "giới hạn là 20 KB" in str(err.value)
    with pytest.raises(ValidationError, match="giới hạn là 20 KB"):
        open_workbook(io.BytesIO(data), max_bytes=20 * 1024)
    with pytest.raises(ValidationError, match=r"quá lớn \(40 KB\)"):
        open_workbook(VINH_MY, max_bytes=20 * 1024)
    with pytest.raises(ValidationError, match="10 MB"):
        open_workbook(b"\0" * (10 * 1024 * 1024 + 1))
    with pytest.raises(ValidationError, match="rỗng"):
        open_workbook(b"")


def test_zip_bomb_is_refused():
    data = _xlsx([HEAD] + [["x" * 2000, None, None, None]] * 200)  # compresses very well
    with pytest.raises(ValidationError, match="giải nén"):
        open_workbook(data, max_bytes=len(data) + 1)


# ------------------------------------------------------------------------------------------------ headers


def test_two_row_header_on_row_one_with_merged_group():
    rows = [
        ["STT", "Họ và tên", "Ngày sinh", "Số CCCD", "Thông tin tài khoản", None],
        [None, None, None, None, "Ngân hàng", "Số tài khoản"],
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"],
        [1, "Lê Văn Tám", "05/03/1950", "089050000001", "Agribank", "1164963643329"],
        [2, "Trần Thị Hai", 1948, 89148000002, None, None],
    ]
    data = _xlsx(rows, merges=["A1:A2", "B1:B2", "C1:C2", "D1:D2", "E1:F1"])
    columns = SMALL_COLUMNS[:3] + [Column("bank", ["Ngân hàng"]), Column("account", ["Số tài khoản"])]
    header, got = _read(data, columns)
    assert (header.row, header.rows, header.first_data_row) == (1, 2, 4)
    assert header.columns == {"name": 2, "birth": 3, "national_id": 4, "bank": 5, "account": 6}
    assert header.labels["account"] == "Thông tin tài khoản Số tài khoản"
    assert [r.row_number for r in got] == [4, 5]
    assert got[0].values["account"] == "1164963643329"
    assert cell_id_text(got[1].values["national_id"]) == "89148000002"


def test_composed_label_from_two_rows():
    rows = [
        ["Họ và tên", "Ngày", "Số CCCD"],
        [None, "sinh", None],
        ["Nguyễn Văn A", "01/01/1950", "089050000001"],
    ]
    header, got = _read(_xlsx(rows), SMALL_COLUMNS[:3])
    assert header.rows == 2 and header.columns["birth"] == 2 and header.first_data_row == 3
    assert len(got) == 1


def test_unmapped_sub_header_row_is_not_data():
    rows = [
        ["Họ và tên", "Ngày sinh", "Số CCCD", "Thông tin tài khoản", None],
        [None, None, None, "Ngân hàng", "Số tài khoản"],
        ["Nguyễn Văn A", "01/01/1950", "089050000001", "BIDV", "123"],
    ]
    header, got = _read(_xlsx(rows), SMALL_COLUMNS[:3])
    assert header.rows == 2 and header.first_data_row == 3
    assert [r.row_number for r in got] == [3]


def test_title_right_above_header_and_integer_column_numbers():
    rows = [
        ["DANH SÁCH CHI TRẢ"],
        ["Xã Tân Lợi - Tháng 7/2024"],
        ["HỌ VÀ TÊN:", "ngày sinh", "Số CCCD (12 số)", "MỨC TRỢ CẤP"],
        [1, 2, 3, 4],
        ["Nguyễn Văn A", "01/01/1950", "089050000001", 500000],
    ]
    header, got = _read(_xlsx(rows, merges=["A1:D1", "A2:D2"]), SMALL_COLUMNS)
    assert (header.row, header.rows, header.first_data_row) == (3, 1, 5)
    assert [r.values["amount"] for r in got] == [500000]


def test_header_labels_in_nfd_and_without_diacritics():
    nfd = [unicodedata.normalize("NFD", h) for h in HEAD]
    header, _ = _read(_xlsx([nfd]), SMALL_COLUMNS)
    assert header.columns == {"name": 1, "birth": 2, "national_id": 3, "amount": 4}
    header, _ = _read(_xlsx([["HO VA TEN", "NGAY SINH", "SO CCCD"]]), SMALL_COLUMNS)
    assert header.columns == {"name": 1, "birth": 2, "national_id": 3}


def test_no_header_found():
    data = _xlsx([["Báo cáo"], ["Không có bảng"], [1, 2, 3]])
    wb = open_workbook(data)
    try:
        with pytest.raises(ValidationError, match="Không tìm thấy dòng tiêu đề"):
            find_header(wb.active, SMALL_COLUMNS)
    finally:
        wb.close()


def test_header_beyond_scan_window_is_not_found():
    data = _xlsx([[None]] * 40 + [HEAD] + _people(2))
    wb = open_workbook(data)
    try:
        with pytest.raises(ValidationError, match="30 dòng đầu"):
            find_header(wb.active, SMALL_COLUMNS)
        assert find_header(wb.active, SMALL_COLUMNS, scan_rows=50).row == 41
    finally:
        wb.close()


# ------------------------------------------------------------------------------------------------ rows


def test_total_row_and_signature_block_end_the_table():
    rows = [HEAD, *_people(3), [None] * 4, *_people(2, start=4)]
    rows += [["Cộng: 5 người", None, None, 2500000], [None],
             ["Người lập biểu", None, "Tân Lợi, ngày 25 tháng 7 năm 2024"]]
    rows += [[None, None, "TM. ỦY BAN NHÂN DÂN"], [None, None, "CHỦ TỊCH"], [None],
             ["Nguyễn Văn Lập", None, "Trần Văn Ký"]]
    header, got = _read(_xlsx(rows), SMALL_COLUMNS)
    assert [r.row_number for r in got] == [2, 3, 4, 6, 7]  # the blank row 5 in the middle is skipped


@pytest.mark.parametrize("label", ["Tổng cộng", "TỔNG CỘNG", "Tổng số: 3 đối tượng", "Tổng", "Cộng", "TONG CONG",
                                   "Tong cong:"])
def test_total_labels(label):
    rows = [HEAD, *_people(3), [label, None, None, 1500000]]
    _, got = _read(_xlsx(rows), SMALL_COLUMNS)
    assert len(got) == 3


@pytest.mark.parametrize("name", ["Tống Công Minh", "TONG CONG MINH", "Công Văn Cộng", "Tổng Hợp"])
def test_names_that_look_like_totals_are_data(name):
    rows = [HEAD, *_people(2), [name, "01/01/1950", "089050000009", 500000]]
    _, got = _read(_xlsx(rows), SMALL_COLUMNS)
    assert [r.values["name"] for r in got][-1] == name


def test_signature_block_without_total_row():
    rows = [HEAD, *_people(3), [None], ["Người lập biểu", None, "Xã Tân Lợi, ngày 25 tháng 7 năm 2024"],
            [None, "KT. CHỦ TỊCH"]]
    _, got = _read(_xlsx(rows), SMALL_COLUMNS)
    assert len(got) == 3


def test_data_after_a_subtotal_is_an_error_not_silently_dropped():
    rows = [HEAD, *_people(2), ["Cộng khóm Mỹ Thới 1:", None, None, 1000000], *_people(2, start=3)]
    wb = open_workbook(_xlsx(rows))
    try:
        ws = wb.active
        header = find_header(ws, SMALL_COLUMNS)
        it = iter_rows(ws, header)
        assert [next(it).row_number, next(it).row_number] == [2, 3]
        with pytest.raises(ValidationError, match=r"dòng 5, sau dòng “Cộng khóm Mỹ Thới 1:” \(dòng 4\)"):
            next(it)
    finally:
        wb.close()


def test_repeated_header_and_column_number_rows_are_skipped():
    rows = [HEAD, ["(1)", "(2)", "(3)", "(4)"], *_people(2), HEAD, ["(1)", "(2)", "(3)", "(4)"], *_people(2, start=3)]
    _, got = _read(_xlsx(rows), SMALL_COLUMNS)
    assert [r.row_number for r in got] == [3, 4, 7, 8]


def test_sparse_data_row_is_not_taken_for_column_numbers():
    rows = [HEAD, *_people(2), [None, 1950, None, 500000], [None, "(2)", "(3)", None]]
    _, got = _read(_xlsx(rows), SMALL_COLUMNS)
    assert [r.row_number for r in got] == [2, 3, 4, 5]  # both reach the caller, who reports what is missing


def test_stop_after_a_run_of_blank_rows():
    rows = [HEAD, *_people(2)] + [[None]] * 3 + _people(1, start=3) + [[None]] * 25 + _people(1, start=4)
    _, got = _read(_xlsx(rows), SMALL_COLUMNS)
    assert [r.row_number for r in got] == [2, 3, 7]
    _, got = _read(_xlsx(rows), SMALL_COLUMNS, stop_after_blank=30)
    assert len(got) == 4


def test_row_cap_names_the_limit():
    data = _xlsx([HEAD, *_people(6)])
    wb = open_workbook(data)
    try:
        header = find_header(wb.active, SMALL_COLUMNS)
        assert len(list(iter_rows(wb.active, header, max_rows=6))) == 6
        with pytest.raises(ValidationError, match=r"tối đa 5 dòng"):
            list(iter_rows(wb.active, header, max_rows=5))
    finally:
        wb.close()
    with pytest.raises(ValidationError, match=r"tối đa 20\.000 dòng"):
        list(iter_rows(_FakeSheet(), find_header(_FakeSheet(), SMALL_COLUMNS)))


class _FakeSheet:
    """A sheet with 25 000 data rows, served lazily (no workbook file)."""

    def iter_rows(self, min_row=1, max_row=None, max_col=None, values_only=True):
        row = 0
        while True:
            row += 1
            if row < min_row:
                continue
            if max_row is not None and row > max_row:
                return
            yield tuple(HEAD) if row == 1 else (f"Người {row}", "1950", f"0890{row:08d}", 500000)
            if row > 25_001:
                return


def test_bogus_million_row_dimension_finishes_fast():
    def setup(ws):
        ws.cell(1_048_576, 1).font = Font(bold=True)  # an empty styled cell on the last row

    data = _xlsx([HEAD, *_people(50)], setup=setup)
    data = _patch_sheet(data, lambda xml: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD1048576"', xml))
    assert b"A1:XFD1048576" in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    started = time.monotonic()
    header, got = _read(data, SMALL_COLUMNS)
    assert time.monotonic() - started < 5
    assert len(got) == 50 and got[-1].row_number == 51


def test_too_small_dimension_still_reads_every_row():
    data = _xlsx([HEAD, *_people(30)])
    data = _patch_sheet(data, lambda xml: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1"', xml))
    wb = open_workbook(data)
    assert wb.active.max_row == 1  # what a naive reader would trust
    wb.close()
    _, got = _read(data, SMALL_COLUMNS)
    assert len(got) == 30


def test_formula_without_cached_value_reads_as_none_not_zero():
    rows = [HEAD, ["Nguyễn Văn A", "1950", "089050000001", "=500000*1.5"], ["Lê Thị B", "1951", "089151000002", 500000]]
    data = _xlsx(rows)
    _, got = _read(data, SMALL_COLUMNS)
    assert got[0].values["amount"] is None
    assert parse_int_amount(got[0].values["amount"]) is None
    assert got[1].values["amount"] == 500000
    assert formula_cells_without_value(data) == ["D2"]
    assert formula_cells_without_value(io.BytesIO(data), "Sheet") == ["D2"]
    assert formula_cells_without_value(VINH_MY) == []
    with pytest.raises(ValidationError, match="Không tìm thấy trang tính"):
        formula_cells_without_value(data, "Không có")


def test_bare_year_in_a_date_cell_from_a_real_file():
    def setup(ws):
        ws["B2"].number_format = "DD/MM/YYYY"

    data = _xlsx([HEAD, ["Nguyễn Văn A", datetime(1905, 5, 3), "089050000001", 500000]], setup=setup)
    _, got = _read(data, SMALL_COLUMNS)
    assert got[0].values["birth"] == datetime(1905, 5, 3)
    assert parse_birth_date(got[0].values["birth"]) == BirthDate(None, 1950, True, year_from_serial=True)


# ------------------------------------------------------------------------------------------------ cell helpers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(1950, 3, 5), BirthDate(date(1950, 3, 5), 1950, False)),
        (date(1950, 3, 5), BirthDate(date(1950, 3, 5), 1950, False)),
        (datetime(1905, 5, 3), BirthDate(None, 1950, True, True)),  # serial 1950
        (datetime(1905, 3, 14), BirthDate(None, 1900, True, True)),  # serial 1900
        (datetime(1905, 9, 30), BirthDate(None, 2100, True, True)),  # serial 2100
        (datetime(1905, 10, 1), BirthDate(date(1905, 10, 1), 1905, False)),  # serial 2101: a (strange) real date
        (1950, BirthDate(None, 1950, True)),
        (1950.0, BirthDate(None, 1950, True)),
        ("1950", BirthDate(None, 1950, True)),
        (" 05/03/1950 ", BirthDate(date(1950, 3, 5), 1950, False)),
        ("5/3/1950", BirthDate(date(1950, 3, 5), 1950, False)),
        ("05-03-1950", BirthDate(date(1950, 3, 5), 1950, False)),
        ("05.03.1950", BirthDate(date(1950, 3, 5), 1950, False)),
        ("25/10/1981", BirthDate(date(1981, 10, 25), 1981, False)),
        ("05/03/1950 00:00:00", BirthDate(date(1950, 3, 5), 1950, False)),
        ("1950-03-05", BirthDate(date(1950, 3, 5), 1950, False)),
        ("00/00/1950", BirthDate(None, 1950, True)),
        ("03/1950", BirthDate(None, 1950, True)),
        ("", None),
        (None, None),
    ],
)
def test_parse_birth_date(value, expected):
    assert parse_birth_date(value) == expected


def test_parse_birth_date_1904_system():
    bare_1950 = datetime(1904, 1, 1) + timedelta(days=1950)  # how openpyxl reads 1950 in a Mac 1904 workbook
    assert parse_birth_date(bare_1950, epoch_1904=True) == BirthDate(None, 1950, True, True)
    assert parse_birth_date(bare_1950) == BirthDate(bare_1950.date(), 1909, False)


@pytest.mark.parametrize(
    "value",
    [
        "03/25/1950",  # English Excel month/day: month 25 does not exist → rejected, not guessed
        "13/13/1950",
        "31/02/1950",
        "05/03/50",  # two-digit year
        "05/03/1850",
        "1899",
        "khoảng 1950",
        "#VALUE!",
        18000,  # a date serial in a General cell: never read as a date
        45,
        12,
        1950.5,
        True,
        datetime(1900, 1, 12),  # the number 12 in a date-formatted cell
    ],
)
def test_parse_birth_date_rejects(value):
    with pytest.raises(ValidationError, match="^Ngày sinh không hợp lệ: "):
        parse_birth_date(value)


def test_birth_date_display():
    assert parse_birth_date("05/03/1950").display == "05/03/1950"
    assert parse_birth_date(1931).display == "1931"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("07/2024", date(2024, 7, 1)),
        ("7/2024", date(2024, 7, 1)),
        (" 07-2024", date(2024, 7, 1)),
        ("2024-07", date(2024, 7, 1)),
        ("T7/2024", date(2024, 7, 1)),
        ("Tháng 7/2024", date(2024, 7, 1)),
        ("tháng 07 năm 2024", date(2024, 7, 1)),
        ("15/07/2024", date(2024, 7, 1)),
        (datetime(2024, 7, 1), date(2024, 7, 1)),
        (date(2019, 4, 15), date(2019, 4, 1)),
        (None, None),
        ("  ", None),
    ],
)
def test_parse_month(value, expected):
    assert parse_month(value) == expected


@pytest.mark.parametrize("value", ["13/2024", "0/2024", "7/24", "tháng bảy", 202407, 45474, datetime(1905, 7, 16),
                                   "07/1850"])
def test_parse_month_rejects(value):
    with pytest.raises(ValidationError, match="^Tháng không hợp lệ: "):
        parse_month(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("02/08/2024", date(2024, 8, 2)),
        ("2/8/2024", date(2024, 8, 2)),
        ("2024-08-02", date(2024, 8, 2)),
        (datetime(2024, 8, 2, 9, 30), date(2024, 8, 2)),
        (date(2024, 8, 2), date(2024, 8, 2)),
        (None, None),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["08/20/2024", "30/02/2024", "02/08/24", 45506, datetime(1905, 7, 16), "hôm qua"])
def test_parse_date_rejects(value):
    with pytest.raises(ValidationError, match="^Ngày không hợp lệ: "):
        parse_date(value)
    with pytest.raises(ValidationError, match="^Ngày mở tài khoản không hợp lệ: "):
        parse_date(value, label="Ngày mở tài khoản")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1250000, 1250000),
        (750000.0, 750000),
        (1.1 * 500000, 550000),  # float noise from a formula result
        ("1250000", 1250000),
        ("1.250.000", 1250000),
        ("1,250,000", 1250000),
        ("1 250 000", 1250000),
        ("1.250.000 đ", 1250000),
        ("1.250.000 đồng", 1250000),
        ("1250000 VND", 1250000),
        ("1.250.000,00", 1250000),
        ("1250000.00", 1250000),
        ("1.000", 1000),
        (0, 0),
        (None, None),
        (" ", None),
    ],
)
def test_parse_int_amount(value, expected):
    assert parse_int_amount(value) == expected


@pytest.mark.parametrize("value", [750000.5, "1,5", "1.5", "1.250.000,50", "năm trăm nghìn", "#REF!", True,
                                   date(2024, 1, 1)])
def test_parse_int_amount_rejects(value):
    with pytest.raises(ValidationError, match="^Số tiền không hợp lệ: "):
        parse_int_amount(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (89077105153, "89077105153"),
        (89077105153.0, "89077105153"),
        (89123456789.0, "89123456789"),
        ("089123456789", "089123456789"),
        (" 089123456789 ", "089123456789"),
        ("'089123456789", "089123456789"),
        ("89077105153.0", "89077105153"),
        ("089 123 456 789", "089 123 456 789"),  # left for the identity rules to judge
        ("", None),
        (None, None),
    ],
)
def test_cell_id_text(value, expected):
    assert cell_id_text(value) == expected


@pytest.mark.parametrize("value", [89077105153.5, 1.2345678901234567e18, datetime(2024, 1, 1), True, "#N/A"])
def test_cell_id_text_rejects(value):
    with pytest.raises(ValidationError, match="^Số tài khoản không hợp lệ: "):
        cell_id_text(value, label="Số tài khoản")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("  ", None),
        ("\u00a0Nguyễn Văn A\u200b ", "Nguyễn Văn A"),
        (unicodedata.normalize("NFD", "Thúy"), "Thúy"),
        (89077105153, "89077105153"),
        (89077105153.0, "89077105153"),
        (1.5, "1.5"),
        (datetime(1950, 3, 5), "05/03/1950"),
        (date(1950, 3, 5), "05/03/1950"),
        (True, "TRUE"),
    ],
)
def test_cell_text(value, expected):
    assert cell_text(value) == expected


def test_column_accepts_a_single_label_string():
    col = Column("name", "Họ và tên")
    assert col.labels == ("Họ và tên",) and col.name == "Họ và tên"
