"""Identity cross-check with the police: rounds, the exported sheet, results typed or uploaded (all-or-nothing with
row numbers), the commune's queue of mismatches."""
import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from portal.errors import StateError, ValidationError
from portal.services.demo import user_by_username
from portal.services.registry import identity_checks as checks
from tests.factories import make_beneficiary


@pytest.fixture
def people(app):
    p = {"an": make_beneficiary("Nguyễn Văn An", birth_date=date(1940, 1, 2), national_id="089040000001"),
         "binh": make_beneficiary("Trần Thị Bình", birth_year=1941, gender="female", national_id="089141000002"),
         "cu": make_beneficiary("Lê Văn Cũ", birth_year=1930, status="stopped", national_id="089030000003"),
         "loi": make_beneficiary("Chau Sóc Lợi", commune_code="30535", birth_year=1935, national_id="089035000004")}
    p["an"].phone = "0912345678"
    return p


def _sheet(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH ĐỐI SÁNH"])
    ws.append([])
    ws.append(checks.HEADERS)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_round_and_export(people):
    u = user_by_username("xa.vinhmy")
    pending = checks.request_checks(u, "30322")
    assert [c.beneficiary.full_name for c in pending] == ["Nguyễn Văn An", "Trần Thị Bình"]  # not the stopped one
    assert checks.request_checks(u, "30322") == pending  # no duplicate round
    ws = load_workbook(io.BytesIO(checks.export_xlsx(pending, "Phường Vĩnh Mỹ"))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[2][:6] == ("STT", "Mã đối sánh", "Họ và tên", "Ngày sinh", "Giới tính", "Số định danh cá nhân")
    assert rows[3][1:6] == (str(pending[0].id), "Nguyễn Văn An", "02/01/1940", "Nam", "089040000001")
    assert ws.cell(4, 6).data_type == "s" and ws.cell(4, 6).number_format == "@"
    text = repr(rows)
    assert "K5c" not in text and "0912345678" not in text


def test_upload_all_or_nothing_with_row_numbers(people):
    pending = checks.request_checks(user_by_username("xa.vinhmy"), "30322")
    an, binh = pending
    police = user_by_username("congan.vinhmy")
    other = checks.request_checks(user_by_username("xa.tanloi"), "30535")[0]
    bad = _sheet([[1, str(an.id), "Nguyễn Văn An", "02/01/1940", "Nam", "089040000001", "Khớp", None, None],
                  [2, str(binh.id), "Trần Thị Bình", "1941", "Nữ", "089141000002", "Sai lệch", None, None],
                  [3, str(other.id), "Chau Sóc Lợi", "1935", "Nam", "089035000004", "Khớp", None, None],
                  [4, str(an.id), "x", "x", "x", "089040000009", "Có", None, None]])
    with pytest.raises(checks.CheckImportInvalid) as err:
        checks.import_results(police, ["30322"], bad, date(2024, 8, 5))
    assert [n for n, _ in err.value.errors] == [5, 6, 7]
    assert "chọn trường sai lệch" in err.value.errors[0][1]
    assert "không có trong danh sách của xã" in err.value.errors[1][1]
    assert an.result == "pending"  # nothing recorded
    good = _sheet([[1, str(an.id), "Nguyễn Văn An", "02/01/1940", "Nam", "089040000001", "khop", None, None],
                   [2, str(binh.id), "Trần Thị Bình", "1941", "Nữ", "089141000002", "Sai lệch", "Ngày sinh; giới tính",
                    "CSDL: 1942"]])
    assert checks.import_results(police, ["30322"], good, date(2024, 8, 5)) == 2
    assert (an.result, binh.result, binh.mismatch_labels, binh.checked_on) == (
        "matched", "mismatched", ["Ngày sinh", "Giới tính"], date(2024, 8, 5))
    wb = Workbook()
    wb.active.append(["Họ và tên", "Số định danh"])
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(ValidationError, match="cột «Mã đối sánh»"):
        checks.import_results(police, ["30322"], out.getvalue(), date(2024, 8, 5))


def test_queue_resolution_and_counts(people):
    an, binh = checks.request_checks(user_by_username("xa.vinhmy"), "30322")
    police = user_by_username("congan.vinhmy")
    checks.record_result(police, an, "deceased", note="Chết 02/07/2024", checked_on=date(2024, 8, 5))
    with pytest.raises(ValidationError, match="chọn trường sai lệch"):
        checks.record_result(police, binh, "mismatched", [])
    checks.record_result(police, binh, "mismatched", ["full_name"], checked_on=date(2024, 8, 5))
    with pytest.raises(StateError):
        checks.record_result(police, binh, "matched")
    assert checks.open_queue(["30322"]) == [an, binh]
    assert checks.counts(["30322"]) == {"pending": 0, "matched": 0, "mismatched": 1, "not_found": 0,
                                        "deceased": 1, "open": 2}
    clerk = user_by_username("xa.vinhmy")
    with pytest.raises(ValidationError, match="ghi chú"):
        checks.resolve(clerk, binh, "confirmed", "")
    checks.resolve(clerk, binh, "confirmed", "Giấy khai sinh ghi đúng tên")
    assert checks.open_queue(["30322"]) == [an] and checks.latest_for(binh.beneficiary_id).resolution == "confirmed"


def test_corrected_record_is_checked_again(people):
    (an, _) = checks.request_checks(user_by_username("xa.vinhmy"), "30322")
    checks.record_result(user_by_username("congan.vinhmy"), an, "mismatched", ["full_name"],
                         checked_on=date(2024, 8, 5))
    checks.resolve(user_by_username("xa.vinhmy"), an, "corrected")
    again = checks.latest_for(an.beneficiary_id)
    assert again.id != an.id and again.result == "pending" and an.resolution == "corrected"
    assert [c.beneficiary_id for c in checks.pending_checks(["30322"])].count(an.beneficiary_id) == 1
