"""Commune spreadsheet import (services.imports) on both shared commune files and on broken copies of them."""
import io
import unicodedata
from datetime import UTC, date, datetime

import openpyxl
import pytest
from sqlalchemy import delete, func, select

from portal.clock import this_month_vn
from portal.errors import AccessDenied, PortalError, ValidationError
from portal.extensions import db
from portal.models import (
    AdministrativeUnit,
    AuditEvent,
    Beneficiary,
    ImportBatch,
    Organization,
    OrgKind,
    PaymentAccount,
)
from portal.services.demo import user_by_username
from portal.services.imports import beneficiaries as imports
from portal.services.imports import origin as import_origin
from portal.services.registry.beneficiaries import create_beneficiary, form_data, update_beneficiary
from tests.conftest import TAN_LOI_FILE, VINH_MY_FILE

VINH_MY, TAN_LOI = "30322", "30535"


def count(model, *where):
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def read(path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()


def edited(path, changes: dict) -> bytes:
    """A copy of a sample with cells changed, e.g. {"E20": "08912345"}."""
    wb = openpyxl.load_workbook(path)
    for ref, value in changes.items():
        wb.active[ref] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def sample_rows(path):
    """Data rows of a sample read independently: Excel row number → cell values (A…P)."""
    ws = openpyxl.load_workbook(path).active
    return {r: [c.value for c in ws[r]] for r in range(9, ws.max_row + 1) if isinstance(ws.cell(r, 1).value, int)}


@pytest.fixture
def vinh_my(app):
    return user_by_username("xa.vinhmy")


@pytest.fixture
def tan_loi(app):
    return user_by_username("xa.tanloi")


def imported(user, code, content, name="ds.xlsx"):
    p = imports.preview(user, code, name, content)
    return p, imports.commit(user, p.batch_id)


def by_id(national_id) -> Beneficiary:
    return db.session.execute(select(Beneficiary).where(Beneficiary.national_id == national_id)).scalar_one()


def test_vinh_my_file_gives_340_beneficiaries(vinh_my):
    p, result = imported(vinh_my, VINH_MY, read(VINH_MY_FILE))
    assert p.counts["rows"] == 340 and p.counts["new"] == 340 and p.counts["error"] == 0
    assert p.month == date(2024, 7, 1)  # "Tháng 7/2024" in the title
    assert result["created"] == 340
    assert count(Beneficiary, Beneficiary.commune_code == VINH_MY) == 340
    assert count(ImportBatch, ImportBatch.status == "committed") == 1
    assert count(AuditEvent, AuditEvent.action == "import_create") == 340
    assert count(AuditEvent, AuditEvent.action == "import") == 1


def test_tan_loi_file_gives_210_beneficiaries(tan_loi):
    p, result = imported(tan_loi, TAN_LOI, read(TAN_LOI_FILE))
    assert (p.counts["rows"], result["created"]) == (210, 210)
    assert count(Beneficiary, Beneficiary.commune_code == TAN_LOI) == 210
    assert by_id("089028679597").full_name == "Chau Sane Rết"


@pytest.mark.parametrize("path, user, code", [(VINH_MY_FILE, "xa.vinhmy", VINH_MY),
                                              (TAN_LOI_FILE, "xa.tanloi", TAN_LOI)])
def test_ids_stored_as_numbers_are_padded_with_a_notice_not_a_warning(app, path, user, code):
    rows = sample_rows(path)
    numeric = {r for r, v in rows.items() if isinstance(v[4], int)}
    assert len(numeric) > 50
    p, _ = imported(user_by_username(user), code, read(path))
    noted = {r.row_number for r in p.rows if any("đã bổ sung số 0 đầu" in n for n in r.notices)}
    assert noted == numeric and p.counts["padded"] == len(numeric) == len(p.padded)
    assert not any("bổ sung số 0" in w for r in p.rows for w in r.warnings)  # routine: not among the warnings
    assert p.padded[0].startswith(f"Dòng {min(numeric)}: Ô E{min(numeric)}: số định danh lưu dạng số")
    for r in numeric:
        assert by_id(str(rows[r][4]).zfill(12)).full_name  # stored with its leading zero


def test_names_are_nfc_with_single_spaces(vinh_my):
    rows = sample_rows(VINH_MY_FILE)
    assert not unicodedata.is_normalized("NFC", rows[11][1])  # "Bùi Ngọc Vũ" typed decomposed
    assert rows[13][1] == "  Huỳnh  Thanh Tài "
    imported(vinh_my, VINH_MY, read(VINH_MY_FILE))
    assert by_id("089077105153").full_name == "Bùi Ngọc Vũ" == unicodedata.normalize("NFC", rows[11][1])
    assert by_id("089031432683").full_name == "Huỳnh Thanh Tài"
    names = db.session.execute(select(Beneficiary.full_name)).scalars().all()
    assert all(unicodedata.is_normalized("NFC", n) and "  " not in n and n == n.strip() for n in names)


def test_birth_dates_in_three_shapes(vinh_my):
    imported(vinh_my, VINH_MY, read(VINH_MY_FILE))
    assert by_id("089218589283").birth_date == date(2018, 6, 11)  # text 11/06/2018
    assert by_id("089030196732").birth_date == date(1930, 5, 1)  # date cell
    b = by_id("089031432683")  # 1931 only
    assert (b.birth_date, b.birth_year, b.birth_display) == (None, 1931, "1931")
    assert count(Beneficiary, Beneficiary.birth_date.is_(None)) == sum(
        1 for v in sample_rows(VINH_MY_FILE).values() if isinstance(v[2], int))


def test_amounts_match_the_clerks_in_the_samples(vinh_my, tan_loi):
    for user, code, path in ((vinh_my, VINH_MY, VINH_MY_FILE), (tan_loi, TAN_LOI, TAN_LOI_FILE)):
        p = imports.preview(user, code, "ds.xlsx", read(path))
        assert all(r.amount == r.clerk_amount for r in p.rows)
        assert not any("Mức trợ cấp trong tệp" in w for r in p.rows for w in r.warnings)
    assert sum(r.amount for r in p.rows) == 143_000_000  # Tân Lợi "Tổng cộng"


def test_amount_warning_only_where_the_clerk_differs(vinh_my):
    # row 10 (Trương Văn Phúc, K5c, 500.000 đ): the clerk wrote 360.000 (old standard level)
    p = imports.preview(vinh_my, VINH_MY, "ds.xlsx", edited(VINH_MY_FILE, {"J10": 360000}))
    warned = [r for r in p.rows if any("Mức trợ cấp trong tệp" in w for w in r.warnings)]
    assert [r.row_number for r in warned] == [10]
    message = next(w for w in warned[0].warnings if "Mức trợ cấp" in w)
    assert "360.000 đ" in message and "500.000 đ" in message and "07/2024" in message
    assert (warned[0].amount, warned[0].clerk_amount, warned[0].action) == (500000, 360000, "new")


def test_no_rate_that_month_is_a_warning_not_an_error(vinh_my):
    # K1 (child without support) born 1990 is 34 in 07/2024: no coefficient applies
    p = imports.preview(vinh_my, VINH_MY, "ds.xlsx", edited(VINH_MY_FILE, {"C9": "11/06/1990"}))
    row = next(r for r in p.rows if r.row_number == 9)
    assert row.action == "new" and row.amount is None
    assert any("Không tính được mức trợ cấp tháng 07/2024" in w for w in row.warnings)


def test_same_file_twice_changes_nothing(vinh_my):
    imported(vinh_my, VINH_MY, read(VINH_MY_FILE))
    db.session.commit()
    events = count(AuditEvent)
    stamps = dict(db.session.execute(select(Beneficiary.id, Beneficiary.updated_at)).all())
    p, result = imported(vinh_my, VINH_MY, read(VINH_MY_FILE))
    assert p.counts["unchanged"] == 340 and p.counts["new"] == p.counts["update"] == 0
    assert (result["created"], result["updated"], result["accounts"]) == (0, 0, 0)
    assert count(Beneficiary) == 340
    assert count(AuditEvent) == events + 1  # only the batch event
    assert dict(db.session.execute(select(Beneficiary.id, Beneficiary.updated_at)).all()) == stamps


def test_changed_row_is_an_update_with_audit(vinh_my):
    imported(vinh_my, VINH_MY, read(VINH_MY_FILE))
    p, result = imported(vinh_my, VINH_MY, edited(VINH_MY_FILE, {"F9": "0911222333"}))
    row = next(r for r in p.rows if r.row_number == 9)
    assert (row.action, row.changes) == ("update", ["Số điện thoại: 0822881621 → 0911222333"])
    assert result["updated"] == 1 and result["unchanged"] == 339
    b = by_id("089218589283")
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "import_update")).scalar_one()
    assert event.object_id == b.id and event.after == {"Số điện thoại": "0911222333"}
    assert event.before == {"Số điện thoại": "0822881621"}


def test_malformed_id_row_imports_nothing(vinh_my):
    p = imports.preview(vinh_my, VINH_MY, "ds.xlsx", edited(VINH_MY_FILE, {"E20": "08912345"}))
    assert p.counts["error"] == 1 and p.has_errors
    assert p.rows[0].row_number == 20 and p.rows[0].status == "error"
    assert "E20" in p.rows[0].errors[0] and "12 chữ số" in p.rows[0].errors[0]
    with pytest.raises(PortalError, match="Dòng 20"):
        imports.commit(vinh_my, p.batch_id)
    assert count(Beneficiary) == 0 and count(PaymentAccount) == 0
    assert db.session.get(ImportBatch, p.batch_id).status == "previewed"


def test_unknown_category_is_a_row_error_naming_the_text(vinh_my):
    p = imports.preview(vinh_my, VINH_MY, "ds.xlsx", edited(VINH_MY_FILE, {"H15": "Người nghèo"}))
    row = p.rows[0]
    assert row.row_number == 15 and "«Người nghèo»" in row.errors[0]


def test_id_registered_in_another_commune_is_a_row_error(vinh_my, tan_loi):
    imported(vinh_my, VINH_MY, read(VINH_MY_FILE))
    p = imports.preview(tan_loi, TAN_LOI, "ds.xlsx", edited(TAN_LOI_FILE, {"E9": "089218589283"}))
    row = p.rows[0]
    assert row.row_number == 9 and "Phường Vĩnh Mỹ" in row.errors[0]
    assert "Huỳnh Minh Khải" not in row.errors[0]


def test_duplicate_id_within_the_file(vinh_my):
    p = imports.preview(vinh_my, VINH_MY, "ds.xlsx", edited(VINH_MY_FILE, {"E10": "089218589283"}))
    assert [(r.row_number, r.errors[0]) for r in p.rows if r.errors] == [
        (10, "Trùng số định danh 089218589283 với dòng 9.")]


def test_accounts_in_the_sheet_are_recorded(vinh_my):
    _, result = imported(vinh_my, VINH_MY, read(VINH_MY_FILE))
    with_account = [v for v in sample_rows(VINH_MY_FILE).values() if v[14]]
    assert result["accounts"] == len(with_account) == count(PaymentAccount)
    account = by_id("089077105153").active_account  # row 11: Agribank 1164963643329
    assert (account.provider_code, account.account_number, account.holder_name) == (
        "VBA", "1164963643329", "BUI NGOC VU")


def test_channels_and_cash_at_home_reason(vinh_my):
    rows = sample_rows(VINH_MY_FILE)
    first, second = [r for r, v in rows.items() if v[12] == "Tiền mặt tại nhà"][:2]
    assert first == 40 and rows[second][15] is None
    p, _ = imported(vinh_my, VINH_MY, edited(VINH_MY_FILE, {f"P{second}": "Nằm liệt giường"}))
    b = by_id("089203081662")  # row 40: cash at home, no note
    assert (b.payment_channel, b.cash_at_home_reason, b.cash_at_home_note) == ("cash_at_home", "other",
                                                                               "Chưa ghi lý do")
    assert any("chưa ghi lý do" in w for r in p.rows if r.row_number == 40 for w in r.warnings)
    noted = by_id(str(rows[second][4]).zfill(12))
    assert (noted.cash_at_home_reason, noted.note) == ("bedridden", "Nằm liệt giường")
    assert not any("chưa ghi lý do" in w for r in p.rows if r.row_number == second for w in r.warnings)
    assert by_id("089030196732").payment_channel == "cash_at_point"
    assert by_id("089218589283").payment_channel == "bank_account"


def test_k4_children_from_the_coefficient(vinh_my):
    imported(vinh_my, VINH_MY, edited(VINH_MY_FILE, {"I36": 2, "J36": 1000000}))
    b = by_id("089197770279")
    assert (b.category_code, b.children_count) == ("K4", 2)


@pytest.mark.parametrize("content, text", [
    (b"STT;Ho ten\n1;Nguyen Van A\n", "không phải bảng tính Excel (.xlsx)"),
    (b"\xd0\xcf\x11\xe0" + b"\0" * 600, ".xls"),
    (b"", "Tệp rỗng"),
])
def test_wrong_file_type_stores_nothing(vinh_my, content, text):
    with pytest.raises(ValidationError, match=text.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        imports.preview(vinh_my, VINH_MY, "ds.csv", content)
    assert count(ImportBatch) == 0


def test_file_without_header_stores_nothing(vinh_my):
    wb = openpyxl.Workbook()
    wb.active.append(["Danh sách"])
    wb.active.append([1, "Nguyễn Văn A", 1950])
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(ValidationError, match="Không tìm thấy dòng tiêu đề"):
        imports.preview(vinh_my, VINH_MY, "ds.xlsx", out.getvalue())
    assert count(ImportBatch) == 0


def test_commit_twice_and_other_organisations(vinh_my, tan_loi):
    p = imports.preview(vinh_my, VINH_MY, "ds.xlsx", read(VINH_MY_FILE))
    first = imports.commit(vinh_my, p.batch_id)
    assert imports.commit(vinh_my, p.batch_id) == first  # double submit: same answer, nothing new
    assert count(Beneficiary) == 340
    with pytest.raises(AccessDenied):
        imports.commit(tan_loi, p.batch_id)
    with pytest.raises(PortalError):
        imports.discard(vinh_my, p.batch_id)


def test_discarded_batch_cannot_be_committed(vinh_my):
    p = imports.preview(vinh_my, VINH_MY, "ds.xlsx", read(VINH_MY_FILE))
    imports.discard(vinh_my, p.batch_id)
    with pytest.raises(PortalError, match="hủy"):
        imports.commit(vinh_my, p.batch_id)
    assert count(Beneficiary) == 0


def test_import_file_for_the_cli(app, tmp_path):
    report = imports.import_file(None, VINH_MY, VINH_MY_FILE, dry_run=True)
    assert (report.rows_read, report.imported, report.errors, report.committed) == (340, 0, 0, False)
    assert report.warnings == 60 and count(Beneficiary) == 0 and count(ImportBatch) == 0
    assert len(report.notice_list) == 113  # one line for the padded IDs, not 113 warnings
    assert report.warning_list[-1] == "113 số định danh lưu dạng số đã được bổ sung số 0 đầu."
    assert not any("bổ sung số 0" in w for w in report.warning_list[:-1])
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(edited(VINH_MY_FILE, {"E20": "08912345"}))
    report = imports.import_file(None, VINH_MY, bad)
    assert report.errors == 1 and report.error_list[0].startswith("Dòng 20: Ô E20")
    assert count(Beneficiary) == 0
    report = imports.import_file(None, VINH_MY, VINH_MY_FILE)
    assert (report.imported, report.created, report.committed) == (340, 340, True)
    batch = db.session.execute(select(ImportBatch)).scalar_one()
    assert batch.user_id is None and batch.organization_id is not None and batch.status == "committed"
    with pytest.raises(ValidationError, match="99999"):
        imports.import_file(None, "99999", VINH_MY_FILE)


def test_form_and_import_share_the_id_rule(vinh_my):
    imported(vinh_my, VINH_MY, read(VINH_MY_FILE))
    with pytest.raises(PortalError, match="Phường Vĩnh Mỹ"):
        create_beneficiary(user_by_username("xa.tanloi"), TAN_LOI, {
            "full_name": "A", "birth": "1950", "gender": "male", "national_id": "089218589283",
            "category_code": "K5a", "start_month": "07/2024", "payment_channel": "cash_at_point"})


def test_header_variants_and_no_title_month(vinh_my):
    content = edited(VINH_MY_FILE, {"B7": "Họ tên", "C7": "Năm sinh", "E7": "Số CMND/CCCD", "G7": "Địa chỉ",
                                    "H7": "Đối tượng", "K7": "Số quyết định", "M7": "Hình thức chi trả",
                                    "A5": "Phường Vĩnh Mỹ", "D9": None})
    p = imports.preview(vinh_my, VINH_MY, "ds.xlsx", content)
    assert p.counts["rows"] == 340 and p.counts["error"] == 0
    assert p.month == this_month_vn()  # no month in the title: the list counts from this month
    row9 = next(r for r in p.rows if r.row_number == 9)
    assert "Chưa ghi giới tính: lấy theo số định danh (Nam)." in row9.warnings
    imports.commit(vinh_my, p.batch_id)
    b = by_id("089218589283")
    assert (b.gender, b.hamlet, b.decision_number, b.category_code) == ("male", "Khóm Mỹ Thới 5", "295/QĐ-UBND", "K1")


def test_missing_required_column_is_named(vinh_my):
    with pytest.raises(ValidationError, match="Hưởng từ tháng"):
        imports.preview(vinh_my, VINH_MY, "ds.xlsx", edited(VINH_MY_FILE, {"L7": "Tháng"}))
    assert count(ImportBatch) == 0


# --- whose list: the title block must not name another commune ------------------------------------------------------
OTHER_COMMUNE = "Tệp là danh sách của Xã Tân Lợi (Thị xã Tịnh Biên), không phải của Phường Vĩnh Mỹ. Kiểm tra lại tệp."


def test_another_communes_file_is_refused_and_stores_nothing(vinh_my, tan_loi):
    with pytest.raises(ValidationError) as exc:
        imports.preview(vinh_my, VINH_MY, "ds.xlsx", read(TAN_LOI_FILE))
    assert str(exc.value) == OTHER_COMMUNE
    with pytest.raises(ValidationError, match="danh sách của Phường Vĩnh Mỹ \\(Thành phố Châu Đốc\\), không phải "
                                              "của Xã Tân Lợi"):
        imports.preview(tan_loi, TAN_LOI, "ds.xlsx", read(VINH_MY_FILE))
    assert count(ImportBatch) == 0 and count(Beneficiary) == 0


@pytest.mark.parametrize("dry_run", [True, False])
def test_cli_refuses_another_communes_file(app, dry_run):
    with pytest.raises(ValidationError) as exc:
        imports.import_file(None, VINH_MY, TAN_LOI_FILE, dry_run=dry_run)
    assert str(exc.value) == OTHER_COMMUNE
    assert count(ImportBatch) == 0 and count(Beneficiary) == 0


def test_title_naming_no_commune_is_accepted(vinh_my):
    content = edited(VINH_MY_FILE, {"A1": "UBND", "A5": "Tháng 7/2024"})
    p = imports.preview(vinh_my, VINH_MY, "ds.xlsx", content)
    assert (p.counts["rows"], p.counts["new"], p.month) == (340, 340, date(2024, 7, 1))


@pytest.mark.parametrize("title, named", [
    ("Phường Vĩnh Mỹ, Thành phố Châu Đốc - Tháng 7/2024", ["30322"]),
    ("UBND XÃ BÌNH THẠNH ĐÔNG", ["30454"]),  # the longest name, not also "Xã Bình Thạnh"
    ("Xã Vĩnh Phước", ["30559"]),  # whole words: not "Xã Vĩnh Phú"
    ("Khóm Vĩnh Mỹ - Thị xã Tịnh Biên", []),  # a hamlet and a district ("Thị xã …" is not "Xã Tịnh Biên")
    ("UBND XÃ PHÚ THÀNH", ["30433"]),  # "Xã Phú Thạnh" folds the same: the tones decide
    ("xa binh thanh, huyen thoai son", ["30724"]),  # no tones: the district decides (Bình Thành, Thoại Sơn)
    ("Danh sách đối tượng bảo trợ xã hội", []),
])
def test_communes_named_in_a_title(app, title, named):
    assert [u.code for u in import_origin.communes_in_title(["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", title])] == named


@pytest.mark.parametrize("title, code", [
    ("UBND XÃ VĨNH TẾ", VINH_MY),  # another Châu Đốc commune
    ("XA BINH THANH, HUYEN CHAU THANH", "30724"),  # Bình Thành (Thoại Sơn) reads a Bình Thạnh (Châu Thành) list
])
def test_title_of_another_commune_with_a_similar_name_is_refused(vinh_my, title, code):
    content = edited(VINH_MY_FILE, {"A1": title, "A5": "Tháng 7/2024"})
    with pytest.raises(ValidationError, match="không phải của"):
        import_origin.check_origin([title], db.session.get(AdministrativeUnit, code))
    if code == VINH_MY:
        with pytest.raises(ValidationError, match="Tệp là danh sách của Xã Vĩnh Tế \\(Thành phố Châu Đốc\\)"):
            imports.preview(vinh_my, VINH_MY, "ds.xlsx", content)


def test_stored_batch_of_another_commune_cannot_be_committed(vinh_my):
    # a batch stored before the title rule existed: re-reading it now refuses, nothing is imported
    batch = ImportBatch(kind="beneficiaries", scope=VINH_MY, organization_id=vinh_my.organization_id,
                        user_id=vinh_my.id, filename="tan-loi.xlsx", sha256="x", content=read(TAN_LOI_FILE),
                        status="previewed", summary={})
    db.session.add(batch)
    db.session.flush()
    with pytest.raises(ValidationError, match="Xã Tân Lợi"):
        imports.commit(vinh_my, batch.id)
    assert count(Beneficiary) == 0


# --- ID cells, names, accounts, CLI preconditions ---------------------------------------------------------------------
def test_text_cell_of_11_digits_is_a_row_error_not_padded(vinh_my):
    # E20 typed as text without its leading zero: it may as well miss another digit, so it is not padded
    p = imports.preview(vinh_my, VINH_MY, "ds.xlsx", edited(VINH_MY_FILE, {"E20": "89218589283"}))
    assert [(r.row_number, r.errors) for r in p.rows if r.errors] == [
        (20, [("Ô E20: Số định danh cá nhân phải gồm đúng 12 chữ số (đã nhập: 89218589283). Số đã nhập chỉ có "
               "11 chữ số: kiểm tra lại, kể cả các số 0 ở đầu.")])]


def test_name_with_formula_characters_is_a_row_error_naming_the_cell(vinh_my):
    wb = openpyxl.load_workbook(VINH_MY_FILE)
    wb.active["B12"] = '=HYPERLINK("http://x","Bấm")'
    wb.active["B12"].data_type = "s"  # text that looks like a formula, as a clerk's paste leaves it
    wb.active["B15"] = "Lê Văn 2"
    out = io.BytesIO()
    wb.save(out)
    p = imports.preview(vinh_my, VINH_MY, "ds.xlsx", out.getvalue())
    errors = {r.row_number: r.errors for r in p.rows if r.errors}
    assert sorted(errors) == [12, 15]
    assert errors[12][0].startswith('Ô B12: Họ và tên «=HYPERLINK("http://x","Bấm")» có ký tự không dùng trong tên')
    assert errors[15][0].startswith("Ô B15: Họ và tên «Lê Văn 2» có ký tự không dùng trong tên người: «2».")


def test_accounts_from_the_commune_list_have_no_opening_date(vinh_my):
    imported(vinh_my, VINH_MY, read(VINH_MY_FILE))
    opened = db.session.execute(select(PaymentAccount.opened_on)).scalars().all()
    assert len(opened) > 0 and set(opened) == {None}  # the sheet does not say when; not the import day


def test_dry_run_checks_the_commune_committee_exists(app, tmp_path):
    # Phường Núi Sam without its committee (Ủy ban nhân dân) organisation; the file's title names no commune
    db.session.execute(delete(Organization).where(Organization.kind == OrgKind.COMMUNE,
                                                 Organization.unit_code == "30325"))
    path = tmp_path / "nui-sam.xlsx"
    path.write_bytes(edited(VINH_MY_FILE, {"A1": "UBND", "A5": "Tháng 7/2024"}))
    for dry_run in (True, False):
        with pytest.raises(ValidationError, match="^Chưa có Ủy ban nhân dân cho xã/phường mã 30325. Chạy "
                                                  "`flask --app wsgi seed-demo`"):
            imports.import_file(None, "30325", path, dry_run=dry_run)
    assert count(ImportBatch) == 0 and count(Beneficiary) == 0


# --- re-importing after the clerk edited people on the portal (thông tin đã sửa trên cổng) ---------------------------

BUI_MY_ANH, MAI_MY_ANH = "089133353959", "089197770279"  # rows 196 (K5c, cash at a point) and 36 (K4, 1 child)


def edit_in_form(user, national_id, at=None, **changes):
    """Change a person as the commune's form does (services.registry.update_beneficiary), optionally dated ``at``."""
    b = by_id(national_id)
    update_beneficiary(user, b, form_data(b) | changes)
    db.session.flush()
    if at is not None:
        event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "update").order_by(
            AuditEvent.id.desc()).limit(1)).scalar_one()
        event.at = at
    db.session.commit()


def the_testers_edits(user):
    edit_in_form(user, BUI_MY_ANH, at=datetime(2024, 8, 5, 2, 30, tzinfo=UTC), phone="0911222333",
                 hamlet="Khóm Vĩnh Tây 1", payment_channel="cash_at_home", cash_at_home_reason="bedridden")
    edit_in_form(user, MAI_MY_ANH, at=datetime(2024, 8, 6, 20, 0, tzinfo=UTC), children_count="2")


def row_of(p, number):
    return next(r for r in p.rows if r.row_number == number)


def test_reimport_keeps_the_clerks_form_edits_and_says_so(vinh_my):
    imported(vinh_my, VINH_MY, read(VINH_MY_FILE))
    the_testers_edits(vinh_my)
    p, result = imported(vinh_my, VINH_MY, read(VINH_MY_FILE))
    bui, mai = by_id(BUI_MY_ANH), by_id(MAI_MY_ANH)
    assert (bui.phone, bui.hamlet, bui.payment_channel, bui.cash_at_home_reason) == (
        "0911222333", "Khóm Vĩnh Tây 1", "cash_at_home", "bedridden")
    assert mai.children_count == 2
    assert (p.counts["update"], p.counts["unchanged"], p.counts["kept"]) == (0, 340, 2)
    assert (result["updated"], result["unchanged"], result["kept"]) == (0, 340, 2)
    mai_row = row_of(p, 36)
    assert (mai_row.action, mai_row.status, mai_row.amount) == ("unchanged", "warning", 1_000_000)
    assert mai_row.warnings[0] == (  # 20:00 UTC on 6 Aug is 7 Aug in Vietnam
        "Dữ liệu trên cổng đã được sửa ngày 07/08/2024 (Nguyễn Thị Xuân): Số con đang nuôi 2 → 1 trong tệp. "
        "Giữ giá trị trên cổng, không nhập giá trị trong tệp (muốn lấy theo tệp: chọn «Ghi đè cả các thông tin "
        "đã sửa trên cổng»).")
    bui_row = row_of(p, 196)
    assert bui_row.warnings[0].startswith(
        "Dữ liệu trên cổng đã được sửa ngày 05/08/2024 (Nguyễn Thị Xuân): Số điện thoại 0911222333 → 0720767805 "
        "trong tệp; Khóm/Ấp Khóm Vĩnh Tây 1 → Khóm Mỹ Thới 1 trong tệp; Hình thức nhận Tiền mặt tại nhà → Tiền mặt "
        "tại điểm chi trả trong tệp; Lý do nhận tại nhà Nằm liệt giường → — trong tệp.")
    assert bui_row.kept[0] == "Số điện thoại: 0911222333 → 0720767805" and bui_row.changes == []
    assert count(AuditEvent, AuditEvent.action == "import_update") == 0
    batch_event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "import").order_by(
        AuditEvent.id.desc()).limit(1)).scalar_one()
    assert batch_event.summary.endswith("2 dòng giữ thông tin đã sửa trên cổng (không lấy theo tệp).")


def test_reimport_after_form_edits_is_idempotent(vinh_my):
    imported(vinh_my, VINH_MY, read(VINH_MY_FILE))
    the_testers_edits(vinh_my)
    imported(vinh_my, VINH_MY, read(VINH_MY_FILE))
    db.session.commit()
    events = count(AuditEvent)
    stamps = dict(db.session.execute(select(Beneficiary.id, Beneficiary.updated_at)).all())
    p, result = imported(vinh_my, VINH_MY, read(VINH_MY_FILE))
    assert (result["updated"], result["unchanged"], p.counts["kept"]) == (0, 340, 2)
    assert count(AuditEvent) == events + 1
    assert dict(db.session.execute(select(Beneficiary.id, Beneficiary.updated_at)).all()) == stamps


def test_overwrite_option_takes_the_files_values_and_releases_the_fields(vinh_my):
    imported(vinh_my, VINH_MY, read(VINH_MY_FILE))
    the_testers_edits(vinh_my)
    p = imports.preview(vinh_my, VINH_MY, "ds.xlsx", read(VINH_MY_FILE))
    assert imports.show_preview(vinh_my, p.batch_id, overwrite_manual=True).counts["update"] == 2
    result = imports.commit(vinh_my, p.batch_id, overwrite_manual=True)
    assert (result["updated"], result["kept"], result["overwritten"]) == (2, 0, 2)
    bui, mai = by_id(BUI_MY_ANH), by_id(MAI_MY_ANH)
    assert (bui.phone, bui.payment_channel, bui.cash_at_home_reason, mai.children_count) == (
        "0720767805", "cash_at_point", None, 1)
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "import_update",
                                                        AuditEvent.object_id == mai.id)).scalar_one()
    assert event.after == {"Số con đang nuôi": "1"} and "ghi đè thông tin đã sửa trên cổng" in event.summary
    p, result = imported(vinh_my, VINH_MY, read(VINH_MY_FILE))  # the import wrote them last: the file's again
    assert (p.counts["unchanged"], p.counts["kept"]) == (340, 0)
    assert not any("Dữ liệu trên cổng" in w for r in p.rows for w in r.warnings)


def test_overwrite_preview_says_the_import_will_overwrite(vinh_my):
    imported(vinh_my, VINH_MY, read(VINH_MY_FILE))
    the_testers_edits(vinh_my)
    p = imports.preview(vinh_my, VINH_MY, "ds.xlsx", read(VINH_MY_FILE))
    shown = imports.show_preview(vinh_my, p.batch_id, overwrite_manual=True)
    row = row_of(shown, 36)
    assert row.action == "update" and row.changes == ["Số con đang nuôi: 2 → 1"] and row.amount == 500_000
    assert row.warnings[0].endswith("Số con đang nuôi 2 → 1 trong tệp. Nhập tệp sẽ ghi đè.")


def test_edited_fields_stay_kept_while_other_fields_are_updated(vinh_my):
    imported(vinh_my, VINH_MY, read(VINH_MY_FILE))
    the_testers_edits(vinh_my)
    content = edited(VINH_MY_FILE, {"K196": "999/QĐ-UBND"})
    p, result = imported(vinh_my, VINH_MY, content)
    row = row_of(p, 196)
    assert (row.action, row.changes) == ("update", ["Số quyết định hưởng: 782/QĐ-UBND → 999/QĐ-UBND"])
    assert result["updated"] == 1 and result["kept"] == 2
    bui = by_id(BUI_MY_ANH)
    assert (bui.decision_number, bui.phone, bui.payment_channel) == ("999/QĐ-UBND", "0911222333", "cash_at_home")
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "import_update")).scalar_one()
    assert event.after == {"Số quyết định hưởng": "999/QĐ-UBND"}
    assert event.summary.endswith("giữ thông tin đã sửa trên cổng: Số điện thoại, Khóm/Ấp, Hình thức nhận, "
                                  "Lý do nhận tại nhà")
    p, result = imported(vinh_my, VINH_MY, content)  # the later import did not write the edited fields
    assert (result["updated"], p.counts["kept"]) == (0, 2) and by_id(BUI_MY_ANH).phone == "0911222333"


def test_a_form_edit_the_file_agrees_with_gives_no_warning(vinh_my):
    imported(vinh_my, VINH_MY, read(VINH_MY_FILE))
    edit_in_form(vinh_my, BUI_MY_ANH, phone="0911222333")
    p, _ = imported(vinh_my, VINH_MY, edited(VINH_MY_FILE, {"F196": "0911222333"}))
    row = row_of(p, 196)
    assert (row.status, row.warnings, p.counts["kept"]) == ("unchanged", [], 0)


def test_switch_from_an_active_account_to_cash_is_a_warning_with_the_bank_name(vinh_my):
    imported(vinh_my, VINH_MY, read(VINH_MY_FILE))
    p = imports.preview(vinh_my, VINH_MY, "ds.xlsx", edited(VINH_MY_FILE, {"M11": "Tiền mặt tại điểm chi trả",
                                                                          "M9": "Tiền mặt tại điểm chi trả"}))
    row = row_of(p, 11)  # Bùi Ngọc Vũ, Agribank 1164963643329
    assert row.action == "update" and row.changes == [
        "Hình thức nhận: Tài khoản ngân hàng → Tiền mặt tại điểm chi trả"]
    assert ("Đang có tài khoản Agribank 1164963643329; chuyển sang tiền mặt tại điểm chi trả theo tệp — kiểm tra "
            "lại.") in row.warnings
    assert not any("Đang có tài khoản" in w for w in row_of(p, 9).warnings)  # row 9 has no account


def test_account_warnings_name_the_bank_not_its_code(vinh_my):
    imported(vinh_my, VINH_MY, read(VINH_MY_FILE))
    p = imports.preview(vinh_my, VINH_MY, "ds.xlsx", edited(VINH_MY_FILE, {
        "O11": "1164963640000", "M196": "Tài khoản", "N196": "Agribank", "O196": "1164963643329"}))
    assert "Đã có tài khoản Agribank 1164963643329; không ghi tài khoản 1164963640000 trong tệp." in row_of(
        p, 11).warnings
    assert row_of(p, 196).errors == ["Số tài khoản 1164963643329 (Agribank) đã thuộc về người khác."]
    assert not any("(VBA)" in m or "(ICB)" in m for r in p.rows for m in r.warnings + r.errors)
