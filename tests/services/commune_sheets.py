"""Small commune spreadsheets made in the tests (openpyxl), shaped like the communes' lists: a title block, the
header (one or two rows), a column-number row, the people, a "Tổng cộng" row and a signature block. Each helper
returns the .xlsx bytes; ``person(i)`` gives a valid row that ``services.imports`` accepts as new."""
import io
import zipfile
from datetime import datetime

import openpyxl

HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Số điện thoại", "Khóm/Ấp", "Diện đối tượng",
          "Hệ số", "Mức trợ cấp (đồng)", "Số QĐ hưởng", "Hưởng từ tháng", "Hình thức nhận", "Ngân hàng",
          "Số tài khoản", "Ghi chú"]
TITLE = ["UBND PHƯỜNG VĨNH MỸ", "", "DANH SÁCH ĐỐI TƯỢNG BẢO TRỢ XÃ HỘI HƯỞNG TRỢ CẤP XÃ HỘI HẰNG THÁNG",
         "Phường Vĩnh Mỹ, Thành phố Châu Đốc - Tháng 7/2024", ""]
SIGNATURE = [["", "Người lập biểu"] + [""] * 9 + ["Vĩnh Mỹ, ngày 25 tháng 7 năm 2024"],
             [""] * 11 + ["TM. ỦY BAN NHÂN DÂN"], [""] * 11 + ["CHỦ TỊCH"]]
GIVEN = ["An", "Bình", "Cúc", "Dũng", "Đức", "Hoà", "Khải", "Lan", "Minh", "Nga", "Phúc", "Quý", "Sang", "Tài",
         "Uyên", "Vũ", "Xuân", "Yến"]


def national_id(i: int, year: int = 1940, male: bool = True) -> str:
    """A valid 12-digit ID of An Giang (089) for the i-th invented person born in ``year``."""
    century = (year - 1900) // 100 * 2 + (0 if male else 1)
    return f"089{century}{year % 100:02d}{700000 + i:06d}"


def person(i: int, **changes) -> list:
    """The i-th person as a row under ``HEADER``: a man aged 80+ (K5c, coefficient 1 → 500.000 đ), cash at the
    payout point. ``changes`` override columns by header label."""
    row = dict(zip(HEADER, [
        i, f"Nguyễn Văn {GIVEN[i % len(GIVEN)]}", datetime(1940, 1 + i % 12, 1 + i % 28), "Nam",
        national_id(i), None, "Khóm Mỹ Thới 1", "Người từ đủ 80 tuổi trở lên không có lương hưu", 1, 500000,
        f"{100 + i}/QĐ-UBND", "03/2021", "Tiền mặt tại điểm chi trả", None, None, None], strict=False))
    row.update(changes)
    return [row[h] for h in HEADER]


def build(people: list[list], *, header=HEADER, title=TITLE, column_numbers=True, total=True, signature=True,
          two_row_header=False, formulas: dict | None = None, blank_rows_before_total: int = 0) -> bytes:
    """The .xlsx bytes of a commune list. ``two_row_header`` splits "Ngày sinh"/"Số CCCD" under a merged group
    title "Thông tin cá nhân"; ``formulas`` maps a cell ("J9") to a formula written without a cached value."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for line in title:
        ws.append([line] if line else [])
    if two_row_header:
        upper = [h if h not in ("Ngày sinh", "Số CCCD") else None for h in header]
        first = header.index("Ngày sinh")
        upper[first] = "Thông tin cá nhân"
        lower = [h if h in ("Ngày sinh", "Số CCCD") else None for h in header]
        ws.append(upper)
        ws.append(lower)
    else:
        ws.append(list(header))
    if column_numbers:
        ws.append([f"({n})" for n in range(1, len(header) + 1)])
    for row in people:
        ws.append(row)
    for _ in range(blank_rows_before_total):
        ws.append([])
    if total:
        ws.append([None, "Tổng cộng"] + [None] * 7 + [sum(r[9] for r in people if isinstance(r[9], int))])
    if signature:
        ws.append([])
        for line in SIGNATURE:
            ws.append(line)
    for ref, formula in (formulas or {}).items():
        ws[ref] = formula
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def first_data_row(*, title=TITLE, column_numbers=True, two_row_header=False) -> int:
    """The Excel row of the first person in a sheet from ``build``."""
    return len(title) + (2 if two_row_header else 1) + (1 if column_numbers else 0) + 1


def build_ods(sheets: dict[str, list[list]], hidden_rows: dict[str, set[int]] | None = None) -> bytes:
    """The .ods bytes (OpenDocument spreadsheet, as LibreOffice saves it) of ``sheets`` (sheet name → rows of
    values: str, int, float, date/datetime or None); ``hidden_rows`` names the 1-based rows hidden per sheet."""
    from datetime import date
    from xml.sax.saxutils import escape, quoteattr

    def cell(v) -> str:
        if v is None or v == "":
            return "<table:table-cell/>"
        if isinstance(v, (datetime, date)):
            return (f'<table:table-cell office:value-type="date" office:date-value="{v:%Y-%m-%d}">'
                    f"<text:p>{v:%d/%m/%Y}</text:p></table:table-cell>")
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return (f'<table:table-cell office:value-type="float" office:value="{v}">'
                    f"<text:p>{v}</text:p></table:table-cell>")
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}</text:p></table:table-cell>'

    tables = []
    for name, rows in sheets.items():
        hidden = (hidden_rows or {}).get(name, set())
        collapse = ' table:visibility="collapse"'
        body = "".join(
            f"<table:table-row{collapse if n in hidden else ''}>" + "".join(cell(v) for v in row)
            + "</table:table-row>" for n, row in enumerate(rows, start=1))
        tables.append(f"<table:table table:name={quoteattr(name)}>{body}</table:table>")
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               f"<office:body><office:spreadsheet>{''.join(tables)}</office:spreadsheet></office:body>"
               "</office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet",
                   compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", content)
    return out.getvalue()


def sheet_rows(people: list[list], *, header=HEADER, title=TITLE) -> list[list]:
    """The rows ``build`` writes (title, header, column numbers, people, total, signature) as plain lists."""
    rows = [[line] if line else [] for line in title]
    rows += [list(header), [f"({n})" for n in range(1, len(header) + 1)]]
    rows += [list(r) for r in people]
    rows.append([None, "Tổng cộng"] + [None] * 7 + [sum(r[9] for r in people if isinstance(r[9], int))])
    rows += [[], *SIGNATURE]
    return rows
