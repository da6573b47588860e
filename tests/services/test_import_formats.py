"""The spreadsheets communes really keep: Excel 97-2003 (.xls) and LibreOffice (.ods) files read behind the same
header detection, typed cells, row checks and preview as .xlsx; a list on another sheet than the first; rows hidden
in the file, .xlsx, .xls or .ods (imported, with a warning naming the row); password-protected files told apart from
unreadable ones; legacy-font conversion limited to the cells whose font or content is legacy."""
import io
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Font
from sqlalchemy import select

from portal.errors import ValidationError
from portal.extensions import db
from portal.models import Beneficiary
from portal.services.demo import user_by_username
from portal.services.imports import beneficiaries as imports
from portal.services.imports import jobs as import_jobs
from portal.spreadsheets.calamine_book import _xls_hidden_rows
from portal.spreadsheets.legacy import encode_tcvn3, encode_vni
from portal.spreadsheets.workbook import ENCRYPTED, open_workbook
from tests.services.commune_sheets import build, build_ods, first_data_row, national_id, person, sheet_rows

VINH_MY = "30322"
ROW = first_data_row()
XLS = Path(__file__).resolve().parent.parent / "fixtures" / "commune_list.xls"


@pytest.fixture
def clerk(app):
    return user_by_username("xa.vinhmy")


def row_of(p, row_number):
    return next(r for r in p.rows if r.row_number == row_number)


def by_id(nid) -> Beneficiary:
    return db.session.execute(select(Beneficiary).where(Beneficiary.national_id == nid)).scalar_one()


def xlsx(sheets: dict[str, list[list]], hidden: set[int] = frozenset()) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    for n in hidden:
        wb.worksheets[-1].row_dimensions[n].hidden = True
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- .xls: the fixture written by Excel 97-2003's format (tests/fixtures/make_commune_xls.py) ---------------------
def test_xls_list_on_the_second_sheet_is_read_typed_and_committed(clerk):
    content = XLS.read_bytes()
    assert import_jobs.count_rows(content) == 4
    p = imports.preview(clerk, VINH_MY, "ds.xls", content)
    assert (p.counts["rows"], p.counts["new"], p.counts["error"]) == (4, 4, 0)
    assert p.month == date(2024, 7, 1)  # "Tháng 7/2024" in the title block of the second sheet
    assert [r.row_number for r in sorted(p.rows, key=lambda r: r.row_number)] == [8, 9, 10, 11]
    first = row_of(p, 8)
    assert first.national_id == "089040700001" and first.amount == 500000  # ID stored as a number: zero given back
    imports.commit(clerk, p.batch_id)
    assert by_id("089040700001").birth_date == date(1940, 2, 2)  # a date cell
    assert by_id("089140700002").birth_date == date(1940, 3, 3)  # dd/mm/yyyy text
    assert by_id("089140700002").hamlet == "Khóm Hòa Bình"
    assert (by_id("089040700003").birth_date, by_id("089040700003").birth_year) == (None, 1940)  # a year


def test_xls_hidden_row_is_imported_with_a_warning_naming_the_row(clerk):
    p = imports.preview(clerk, VINH_MY, "ds.xls", XLS.read_bytes())  # the fourth person, Excel row 11, is hidden
    assert (p.counts["warning"], p.counts["error"]) == (1, 0)
    assert row_of(p, 11).warnings == ["Dòng 11 đang bị ẩn trong bảng tính: kiểm tra lại người này có đúng cần nhập "
                                      "không (bỏ ẩn dòng trong Excel để xem)."]
    assert [row_of(p, n).warnings for n in (8, 9, 10)] == [[], [], []]


def test_xls_whose_formatting_cannot_be_read_has_no_hidden_rows():
    wb = open_workbook(XLS.read_bytes())
    try:
        sheet = next(ws for ws in wb.worksheets if ws.title == "Danh sách")
        assert sheet.hidden_rows == frozenset({11})
    finally:
        wb.close()
    assert _xls_hidden_rows(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504) == {}


def test_xlsx_and_ods_lists_on_the_second_sheet_are_found(clerk):
    rows = sheet_rows([person(1), person(2)])
    cover = [["Hướng dẫn lập danh sách"], ["Xem trang tính thứ hai"]]
    for name, content in (("ds.xlsx", xlsx({"Hướng dẫn": cover, "Danh sách": rows})),
                          ("ds.ods", build_ods({"Hướng dẫn": cover, "Danh sách": rows}))):
        p = imports.preview(clerk, VINH_MY, name, content)
        assert (p.counts["rows"], p.counts["new"], p.counts["error"]) == (2, 2, 0), name
        assert row_of(p, ROW).national_id == national_id(1)


def test_no_sheet_with_the_list_names_the_sheets_looked_at(clerk):
    content = xlsx({"Bìa": [["Danh sách"]], "Ghi chú": [["Không có bảng"]]})
    with pytest.raises(ValidationError, match=r"Không tìm thấy dòng tiêu đề.*đã xem 2 trang tính: “Bìa”, “Ghi chú”"):
        imports.preview(clerk, VINH_MY, "ds.xlsx", content)


# --- hidden rows: imported, each with a warning naming its row ------------------------------------------------------
@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_hidden_rows_are_imported_with_a_warning_naming_the_row(clerk, fmt):
    rows = sheet_rows([person(1), person(2), person(3)])
    hidden = {ROW + 1}
    content = xlsx({"DS": rows}, hidden) if fmt == "xlsx" else build_ods({"DS": rows}, {"DS": hidden})
    p = imports.preview(clerk, VINH_MY, f"ds.{fmt}", content)
    assert (p.counts["rows"], p.counts["warning"], p.counts["error"]) == (3, 1, 0)
    assert row_of(p, ROW + 1).warnings == [f"Dòng {ROW + 1} đang bị ẩn trong bảng tính: kiểm tra lại người này có "
                                           "đúng cần nhập không (bỏ ẩn dòng trong Excel để xem)."]
    assert row_of(p, ROW).warnings == [] and row_of(p, ROW + 2).warnings == []


# --- password-protected versus unreadable ---------------------------------------------------------------------------
def test_password_protected_files_are_named_as_such():
    encrypted_xlsx = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le") \
        + b"\0" * 64 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 400
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", '<manifest:manifest><manifest:file-entry manifest:full-path="content.xml">'
                                            "<manifest:encryption-data/></manifest:file-entry></manifest:manifest>")
        z.writestr("content.xml", b"\x8f\x00garbage")
    for content in (encrypted_xlsx, out.getvalue()):
        with pytest.raises(ValidationError) as err:
            open_workbook(content)
        assert str(err.value) == ENCRYPTED and "mật khẩu" in str(err.value)


def test_unreadable_xls_is_not_called_password_protected():
    with pytest.raises(ValidationError) as err:
        open_workbook(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    assert "Excel 97-2003 (.xls) nhưng không đọc được" in str(err.value) and "mật khẩu" not in str(err.value)


# --- legacy fonts: only the cells whose font or content is legacy ---------------------------------------------------
@pytest.mark.parametrize("encode, label, wrong", [(encode_tcvn3, "TCVN3", "Khúm Hũa Bỡnh"),
                                                  (encode_vni, "VNI", "Khĩm Hịa Bình")])
def test_unicode_cells_beside_legacy_names_stay_unchanged(clerk, encode, label, wrong):
    names = ["Nguyễn Văn Đức", "Trương Văn Hoà", "Lê Văn Tổng"]
    people = [person(i + 1, **{"Họ và tên": encode(name), "Khóm/Ấp": "Khóm Hòa Bình"}) for i, name in enumerate(names)]
    p = imports.preview(clerk, VINH_MY, "ds.xlsx", build(people))
    assert p.counts["error"] == 0
    assert p.legacy == [f"Dòng {ROW + i}: Ô B{ROW + i} ({label}): «{encode(name)}» → «{name}»"
                        for i, name in enumerate(names)]  # each conversion shown; none in column G
    imports.commit(clerk, p.batch_id)
    assert by_id(national_id(1)).hamlet == "Khóm Hòa Bình" != wrong
    assert by_id(national_id(1)).full_name == "Nguyễn Văn Đức"


def test_the_cell_font_decides_for_text_the_content_cannot(clerk):
    """"Khãm Phó" is both valid Unicode and TCVN3 for "Khóm Phú": a .VnTime cell is converted, a Times New Roman
    cell with "Khóm Hòa Bình" in the same column is not."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in sheet_rows([person(1, **{"Họ và tên": encode_tcvn3("Nguyễn Văn Đức"), "Khóm/Ấp": "Khãm Phó"}),
                           person(2, **{"Họ và tên": encode_tcvn3("Trần Văn Bình"), "Khóm/Ấp": "Khóm Hòa Bình"})]):
        ws.append(row)
    legacy, unicode = Font(name=".VnTime"), Font(name="Times New Roman")
    for r in (ROW, ROW + 1):
        ws[f"B{r}"].font = legacy
    ws[f"G{ROW}"].font, ws[f"G{ROW + 1}"].font = legacy, unicode
    out = io.BytesIO()
    wb.save(out)
    p = imports.preview(clerk, VINH_MY, "ds.xlsx", out.getvalue())
    assert p.counts["error"] == 0
    assert f"Dòng {ROW}: Ô G{ROW} (TCVN3): «Khãm Phó» → «Khóm Phú»" in p.legacy
    assert not [line for line in p.legacy if f"G{ROW + 1}" in line]
    imports.commit(clerk, p.batch_id)
    assert (by_id(national_id(1)).hamlet, by_id(national_id(2)).hamlet) == ("Khóm Phú", "Khóm Hòa Bình")
    assert by_id(national_id(2)).full_name == "Trần Văn Bình"


