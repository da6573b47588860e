"""Exported workbooks: strings stay strings (no formula injection), IDs keep their zeros, amounts are numbers."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import openpyxl
import pytest

from portal.spreadsheets.reading import Column, cell_id_text, find_header, iter_rows, open_workbook
from portal.spreadsheets.writing import write_workbook

HEADERS = ["STT", "Họ và tên", "Số CCCD", "Số tài khoản", "Mức trợ cấp", "Ngày sinh", "Ghi chú"]
ROWS = [
    [1, "Nguyễn Văn A", "089123456789", "0011004455667", 1_250_000, date(1950, 3, 5), '=HYPERLINK("http://x.invalid","bấm")'],
    [2, "Lê Thị B", 89077105153, 1164963643329, 500_000, "1931", "+84 912 345 678"],
    [3, "-Trần Văn C", "089050000001", None, 750_000, None, "@SUM(A1:A2)"],
    [4, "Võ\x0b Thị D", "089050000002", "", 0, None, "-1+2"],
]
TEXT_COLUMNS = {2, 3}


def _build():
    return write_workbook(["DANH SÁCH CHI TRẢ THÁNG 7/2024", "Phường Vĩnh Mỹ"], HEADERS, ROWS, TEXT_COLUMNS)


def test_round_trip_keeps_strings_ids_and_amounts():
    data = _build()
    assert data[:4] == b"PK\x03\x04"
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.active
    assert ws["A1"].value == "DANH SÁCH CHI TRẢ THÁNG 7/2024" and ws["A1"].font.b
    assert ws["A4"].value == "STT" and ws["G4"].font.b
    assert ws.freeze_panes == "A5"

    # formula injection: the note is a string cell, not a formula
    note = ws["G5"]
    assert note.value == '=HYPERLINK("http://x.invalid","bấm")'
    assert note.data_type == "s"
    assert note.quotePrefix
    for ref in ("G6", "G7", "G8", "B7"):
        assert ws[ref].data_type == "s" and ws[ref].quotePrefix, ref
    assert not ws["B5"].quotePrefix

    # IDs and account numbers: text cells with the "@" format, zeros kept
    assert (ws["C5"].value, ws["C5"].data_type, ws["C5"].number_format) == ("089123456789", "s", "@")
    assert (ws["C6"].value, ws["C6"].data_type) == ("89077105153", "s")  # an int ID stays digits (caller pads)
    assert (ws["D5"].value, ws["D5"].number_format) == ("0011004455667", "@")
    assert ws["D6"].value == "1164963643329"

    # amounts: numbers with a thousands format; dates as dates
    assert (ws["E5"].value, ws["E5"].data_type, ws["E5"].number_format) == (1_250_000, "n", "#,##0")
    assert ws["E8"].value == 0
    assert ws["F5"].value.date() == date(1950, 3, 5) and ws["F5"].number_format == "DD/MM/YYYY"
    assert ws["F6"].value == "1931"
    assert ws["D7"].value is None
    assert ws["B8"].value == "Võ Thị D"  # XML-illegal control character dropped


def test_no_formula_in_the_sheet_xml():
    xml = zipfile.ZipFile(io.BytesIO(_build())).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml
    assert "HYPERLINK" in xml


def test_exported_file_reads_back_through_the_reader():
    wb = open_workbook(_build())
    try:
        ws = wb.active
        columns = [Column("name", ["Họ và tên"]), Column("id", ["Số CCCD"]), Column("amount", ["Mức trợ cấp"]),
                   Column("note", ["Ghi chú"], required=False)]
        header = find_header(ws, columns)
        assert header.row == 4
        rows = list(iter_rows(ws, header))
    finally:
        wb.close()
    assert [cell_id_text(r.values["id"]) for r in rows] == [
        "089123456789", "89077105153", "089050000001", "089050000002"]
    assert rows[0].values["note"].startswith("=HYPERLINK")
    assert [r.values["amount"] for r in rows] == [1_250_000, 500_000, 750_000, 0]


def test_without_titles_and_with_number_format_override():
    data = write_workbook([], ["Năm", "Số tiền"], [[1950, 1.5], [2024, None]], set(), number_formats={0: "0"})
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws["A1"].value == "Năm"
    assert (ws["A2"].value, ws["A2"].number_format) == (1950, "0")
    assert ws["B2"].value == 1.5
    assert ws.freeze_panes == "A2"


def test_row_longer_than_headers_is_a_programming_error():
    with pytest.raises(ValueError):
        write_workbook([], ["A"], [[1, 2]], set())
