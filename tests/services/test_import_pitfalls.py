"""Commune import against every spreadsheet pitfall (pitfalls §Spreadsheets 1–7), on small files made here, plus the
category synonym table, the per-row preview, the error file, all-or-nothing commits, and large files as jobs."""
import io
import re
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
from openpyxl.utils.datetime import from_excel
from sqlalchemy import func, select

from portal.errors import PortalError, ValidationError
from portal.extensions import db
from portal.models import AuditEvent, Beneficiary, CategorySynonym, ImportBatch, Job
from portal.services.demo import user_by_username
from portal.services.imports import beneficiaries as imports
from portal.services.imports import jobs as import_jobs
from portal.services.imports import synonyms as import_synonyms
from portal.spreadsheets.legacy import encode_tcvn3, encode_vni
from tests.conftest import TAN_LOI_FILE, VINH_MY_FILE
from tests.services.commune_sheets import HEADER, TITLE, build, first_data_row, national_id, person

VINH_MY, TAN_LOI = "30322", "30535"
ROW = first_data_row()  # Excel row of person 1 in a default sheet


def count(model, *where):
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def by_id(nid) -> Beneficiary:
    return db.session.execute(select(Beneficiary).where(Beneficiary.national_id == nid)).scalar_one()


@pytest.fixture
def clerk(app):
    return user_by_username("xa.vinhmy")


def preview(clerk, content):
    return imports.preview(clerk, VINH_MY, "ds.xlsx", content)


def row_of(p, row_number):
    return next(r for r in p.rows if r.row_number == row_number)


# --- 3. title blocks, header variants, two-row headers, column numbers, total row, signature block ------------------
def test_two_row_header_with_title_numbers_total_and_signature(clerk):
    content = build([person(1), person(2), person(3)], two_row_header=True)
    p = preview(clerk, content)
    first = first_data_row(two_row_header=True)
    assert [r.row_number for r in sorted(p.rows, key=lambda r: r.row_number)] == [first, first + 1, first + 2]
    assert (p.counts["rows"], p.counts["new"], p.counts["error"]) == (3, 3, 0)
    assert p.month == date(2024, 7, 1)


@pytest.mark.parametrize("id_label, birth_label", [("Số định danh cá nhân", "Năm sinh"), ("CMND/CCCD", "Ngày sinh"),
                                                   ("Số CMND/CCCD", "Ngày, tháng, năm sinh")])
def test_header_label_variants_without_title_or_column_numbers(clerk, id_label, birth_label):
    header = [id_label if h == "Số CCCD" else birth_label if h == "Ngày sinh" else h for h in HEADER]
    content = build([person(1, **{"Ngày sinh": 1940}), person(2)], header=header, title=[], column_numbers=False,
                    total=False, signature=False)
    p = preview(clerk, content)
    assert (p.counts["new"], p.counts["error"]) == (2, 0)
    assert row_of(p, 2).national_id == national_id(1)


def test_total_row_after_blank_rows_and_signature_end_the_table(clerk):
    p = preview(clerk, build([person(1), person(2)], blank_rows_before_total=3))
    assert p.counts["rows"] == 2  # neither "Tổng cộng" nor "Người lập biểu" / "TM. ỦY BAN NHÂN DÂN" is a person


# --- 1. IDs as text, never via float --------------------------------------------------------------------------------
def test_ids_typed_as_numbers_are_padded_and_flagged_text_ids_are_not(clerk):
    hanoi = "001040700004"  # Hà Nội: a 10-digit number once the zeros are lost
    content = build([person(1, **{"Số CCCD": int(national_id(1))}),  # 11 digits
                     person(2, **{"Số CCCD": float(national_id(2))}),  # a float cell: 89040700002.0
                     person(3, **{"Số CCCD": national_id(3)[1:]}),  # text with 11 digits: refused, not padded
                     person(4, **{"Số CCCD": int(hanoi)})])
    p = preview(clerk, content)
    r1, r2, r3, r4 = (row_of(p, ROW + k) for k in range(4))
    assert (r1.national_id, r2.national_id, r4.national_id) == (national_id(1), national_id(2), hanoi)
    assert all(any("đã bổ sung số 0 đầu" in n for n in r.notices) for r in (r1, r2, r4))
    assert p.counts["padded"] == 3
    assert r3.status == "error" and any("12 chữ số" in e and national_id(3)[1:] in e for e in r3.errors)
    assert all(".0" not in r.national_id for r in p.rows)


# --- 2. dates in four shapes ----------------------------------------------------------------------------------------
def test_birth_dates_in_four_shapes_and_swapped_day_month_refused(clerk):
    content = build([person(1, **{"Ngày sinh": datetime(1940, 3, 5)}), person(2, **{"Ngày sinh": "05/03/1940"}),
                     person(3, **{"Ngày sinh": 1940}), person(4, **{"Ngày sinh": from_excel(1940)}),
                     person(5, **{"Ngày sinh": "03/25/1940"})])
    p = preview(clerk, content)
    assert p.counts["error"] == 1
    err = row_of(p, ROW + 4)
    assert err.errors == [f"Ô C{ROW + 4}: Ngày sinh không hợp lệ: “03/25/1940” (không có tháng 25; có thể ngày và "
                          "tháng bị đảo — cần ghi theo dạng ngày/tháng/năm)."]
    assert any(f"Ô C{ROW + 3}: năm sinh gõ vào ô dạng ngày, đọc là năm 1940" in w for w in row_of(p, ROW + 3).warnings)
    bad = row_of(p, ROW + 4)
    with pytest.raises(PortalError):
        imports.commit(clerk, p.batch_id)
    db.session.rollback()
    content = build([person(1, **{"Ngày sinh": datetime(1940, 3, 5)}), person(2, **{"Ngày sinh": "05/03/1940"}),
                     person(3, **{"Ngày sinh": 1940}), person(4, **{"Ngày sinh": from_excel(1940)})])
    imports.commit(clerk, preview(clerk, content).batch_id)
    assert by_id(national_id(1)).birth_date == by_id(national_id(2)).birth_date == date(1940, 3, 5)
    for k in (3, 4):
        b = by_id(national_id(k))
        assert (b.birth_date, b.birth_year) == (None, 1940)
    assert bad.row_number == ROW + 4


# --- 5. formulas without cached values -------------------------------------------------------------------------------
def test_formula_cells_without_value_are_reported_never_zero(clerk):
    content = build([person(1), person(2), person(3)],
                    formulas={f"J{ROW}": f"=I{ROW}*500000", f"E{ROW + 1}": '="0890407"&"00002"'})
    p = preview(clerk, content)
    amount_row, id_row = row_of(p, ROW), row_of(p, ROW + 1)
    assert amount_row.clerk_amount is None and amount_row.amount == 500000  # the portal's own figure, not 0
    assert any(w.startswith(f"Ô J{ROW}: công thức chưa có giá trị") for w in amount_row.warnings)
    assert id_row.status == "error"
    assert id_row.errors == [f"Ô E{ROW + 1}: công thức chưa có giá trị (tệp do chương trình tạo, chưa lưu bằng Excel)"
                             " — mở tệp bằng Excel rồi lưu lại (Excel tính và lưu kết quả công thức), sau đó tải lên"
                             " lại."]


# --- 4. bogus sheet dimension, row cap ------------------------------------------------------------------------------
def _with_dimension(content: bytes, ref: str) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>'.encode(), data)
            dst.writestr(item, data)
    return out.getvalue()


@pytest.mark.parametrize("ref", ["A1:XFD1048576", "A1"])
def test_wrong_sheet_dimension_reads_the_real_rows(clerk, ref):
    content = _with_dimension(build([person(1), person(2), person(3)]), ref)
    assert f'<dimension ref="{ref}"/>'.encode() in zipfile.ZipFile(io.BytesIO(content)).read(
        "xl/worksheets/sheet1.xml")
    assert preview(clerk, content).counts["new"] == 3


def test_row_cap_is_a_clear_error_and_stores_nothing(app, clerk):
    app.config["IMPORT_MAX_ROWS"] = 3
    with pytest.raises(ValidationError, match="tối đa 3 dòng"):
        import_jobs.upload(clerk, VINH_MY, "ds.xlsx", build([person(i) for i in range(1, 5)]))
    assert count(ImportBatch) == 0


# --- 6. upload size --------------------------------------------------------------------------------------------------
def test_upload_size_limit_in_the_service_and_on_the_web(app, client, clerk):
    content = build([person(i) for i in range(1, 4)])
    app.config["MAX_CONTENT_LENGTH"] = len(content) - 1
    with pytest.raises(ValidationError, match="Tệp quá lớn"):
        import_jobs.upload(clerk, VINH_MY, "ds.xlsx", content)
    client.web_app.config["MAX_CONTENT_LENGTH"] = 1024
    client.login("xa.vinhmy")
    resp = client.post("/xa/nhap", data={"file": (io.BytesIO(content), "ds.xlsx")}, content_type="multipart/form-data")
    assert resp.status_code == 413 and "Tệp tải lên quá lớn" in resp.get_data(as_text=True)
    assert count(ImportBatch) == 0


# --- 7. legacy encodings ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("encode, label", [(encode_tcvn3, "TCVN3"), (encode_vni, "VNI")])
def test_file_typed_with_a_legacy_font_is_converted_with_before_and_after(clerk, encode, label):
    people = [person(1, **{"Họ và tên": "Nguyễn Văn Đức", "Khóm/Ấp": "Khóm Mỹ Thới 2"}),
              person(2, **{"Họ và tên": "Trương Thị Hoà", "Giới tính": "Nữ", "Số CCCD": national_id(2, male=False)}),
              person(3, **{"Họ và tên": "Lê Văn Tổng"})]
    people = [[encode(v) if isinstance(v, str) and k not in ("Số CCCD", "Số QĐ hưởng", "Hưởng từ tháng") else v
               for k, v in zip(HEADER, r, strict=False)] for r in people]
    content = build(people, header=[encode(h) for h in HEADER], title=[encode(t) for t in TITLE])
    p = preview(clerk, content)
    assert (p.counts["new"], p.counts["error"], p.counts["legacy"]) == (3, 0, 3)
    assert p.month == date(2024, 7, 1)  # "Tháng 7/2024" read from the converted title
    assert p.legacy_encodings == [label]
    assert f"Dòng {ROW}: Ô B{ROW} ({label}): «{encode('Nguyễn Văn Đức')}» → «Nguyễn Văn Đức»" in p.legacy
    imports.commit(clerk, p.batch_id)
    assert by_id(national_id(1)).full_name == "Nguyễn Văn Đức" and by_id(national_id(1)).hamlet == "Khóm Mỹ Thới 2"
    assert by_id(national_id(2, male=False)).full_name == "Trương Thị Hoà"
    assert by_id(national_id(3)).category_code == "K5c"


def test_legacy_text_that_does_not_convert_is_a_row_error(clerk):
    content = build([person(1, **{"Họ và tên": "NguyÔn Vaên Ñöùc"})])  # TCVN3 and VNI mixed in one name
    r = preview(clerk, content).rows[0]
    assert r.status == "error"
    assert r.errors[0].startswith(f"Ô B{ROW}: chữ gõ bằng bảng mã cũ VNI không chuyển được sang Unicode "
                                  "«NguyÔn Vaên Ñöùc» → «NguyƠn Văn Đức»")


# --- category wording through the province's synonym table ---------------------------------------------------------
def test_unknown_wording_is_an_error_until_the_province_adds_it(clerk, app):
    province = user_by_username("so.angiang")
    content = build([person(1, **{"Diện đối tượng": "NCT trên 80 tuổi không lương hưu"})])
    r = preview(clerk, content).rows[0]
    assert r.errors == [f"Ô H{ROW}: không nhận ra diện đối tượng «NCT trên 80 tuổi không lương hưu» (cần thêm cách "
                        "ghi này vào danh mục hoặc sửa lại theo tên diện trong Nghị định 20/2021)."]
    import_synonyms.add_synonym(province, "NCT trên 80 tuổi  không lương hưu", "K5c")
    assert preview(clerk, content).rows[0].status == "new"
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "synonym_add")).scalar_one()
    assert event.after == {"Cách ghi": "NCT trên 80 tuổi không lương hưu", "Diện đối tượng": "K5c",
                           "Mức độ khuyết tật": ""}
    import_synonyms.delete_synonym(province, "nct tren 80 tuoi khong luong huu")
    assert preview(clerk, content).rows[0].status == "error"
    assert count(AuditEvent, AuditEvent.action == "synonym_delete") == 1


def test_synonym_rules(app):
    province = user_by_username("so.angiang")
    with pytest.raises(ValidationError, match="cần mức độ khuyết tật"):
        import_synonyms.add_synonym(province, "KT nặng", "K6")
    with pytest.raises(ValidationError, match="không có mức độ khuyết tật"):
        import_synonyms.add_synonym(province, "Mồ côi", "K1", "severe")
    with pytest.raises(ValidationError, match="đã có trong danh mục"):
        import_synonyms.add_synonym(province, "TRẺ EM MỒ CÔI", "K1")
    with pytest.raises(ValidationError, match="không xoá được"):
        import_synonyms.delete_synonym(province, "k5a")
    s = import_synonyms.add_synonym(province, "KT ĐBN", "K6", "especially_severe")
    assert (s.text_fold, s.disability_level) == ("kt dbn", "especially_severe")
    rows = {r.key: r for r in import_synonyms.list_synonyms("dbn")}
    assert rows["kt dbn"].level == "Đặc biệt nặng" and not rows["kt dbn"].fixed


def test_synonym_pages_for_the_province_only(app, client):
    client.login("xa.vinhmy")
    assert client.get("/tinh/danh-muc/").status_code == 403
    client.logout()
    client.login("so.angiang")
    html = client.get("/tinh/danh-muc/?q=80 tuổi").get_data(as_text=True)  # the list is paged: search for it
    assert "Người từ đủ 80 tuổi không có lương hưu" in html and 'action="/tinh/danh-muc/them"' in html
    resp = client.post("/tinh/danh-muc/them", {"text": "Già cả neo đơn", "category": "K6", "level": ""})
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert 'value="Già cả neo đơn"' in page and "cần mức độ khuyết tật" in page
    resp = client.post("/tinh/danh-muc/them", {"text": "Già cả neo đơn", "category": "K5a", "level": ""})
    assert resp.status_code == 303
    assert db.session.get(CategorySynonym, "gia ca neo don").category_code == "K5a"
    fragment = client.get("/tinh/danh-muc/?q=neo don", htmx=True).get_data(as_text=True)
    assert "<html" not in fragment and "Già cả neo đơn" in fragment and len(fragment) < 5 * 1024
    assert client.post("/tinh/danh-muc/xoa", {"key": "gia ca neo don"}).status_code == 303
    assert db.session.get(CategorySynonym, "gia ca neo don") is None
    assert client.post("/tinh/danh-muc/xoa", {"key": "gia ca neo don"}, csrf=False).status_code == 400


# --- preview per row, error file, all-or-nothing, idempotence ---------------------------------------------------------
def test_preview_statuses_with_reasons(clerk):
    imports.commit(clerk, preview(clerk, build([person(1), person(2), person(3)])).batch_id)
    content = build([person(1), person(2, **{"Khóm/Ấp": "Khóm Vĩnh Tây"}), person(3, **{"Mức trợ cấp (đồng)": 600000}),
                     person(4), person(5, **{"Diện đối tượng": "không rõ"})])
    p = preview(clerk, content)
    status = {r.row_number - ROW + 1: r.status for r in p.rows}
    assert status == {1: "unchanged", 2: "update", 3: "warning", 4: "new", 5: "error"}
    assert "Khóm/Ấp: Khóm Mỹ Thới 1 → Khóm Vĩnh Tây" in row_of(p, ROW + 1).changes
    assert any("600.000 đ khác mức cổng tính" in w for w in row_of(p, ROW + 2).warnings)
    assert (p.counts["new"], p.counts["update"], p.counts["unchanged"], p.counts["error"], p.counts["warning"]) == (
        1, 1, 2, 1, 1)  # row 3 is unchanged, with a warning


def test_errors_file_lists_every_message_with_its_row_number(app, client):
    client.login("xa.vinhmy")
    content = build([person(1), person(2, **{"Số CCCD": "0890407"}), person(3, **{"Diện đối tượng": "không rõ"}),
                     person(4, **{"Mức trợ cấp (đồng)": 1})])
    resp = client.post("/xa/nhap", data={"file": (io.BytesIO(content), "ds-thang7.xlsx")},
                       content_type="multipart/form-data")
    batch_id = int(resp.headers["Location"].rstrip("/").split("/")[-1])
    html = client.get(f"/xa/nhap/{batch_id}").get_data(as_text=True)
    assert f'href="/xa/nhap/{batch_id}/loi.xlsx"' in html
    resp = client.get(f"/xa/nhap/{batch_id}/loi.xlsx")
    assert resp.status_code == 200 and "loi-ds-thang7.xlsx" in resp.headers["Content-Disposition"]
    ws = openpyxl.load_workbook(io.BytesIO(resp.data)).active
    rows = [r for r in ws.iter_rows(values_only=True)]
    header_at = rows.index(("Dòng trong tệp", "Họ và tên", "Số định danh", "Loại", "Nội dung"))
    lines = rows[header_at + 1:]
    assert [(r[0], r[3]) for r in lines] == [(ROW + 1, "Lỗi"), (ROW + 2, "Lỗi"), (ROW + 3, "Cảnh báo")]
    assert "12 chữ số" in lines[0][4] and "«không rõ»" in lines[1][4] and lines[2][2] == national_id(4)
    assert ws.cell(header_at + 4, 3).data_type == "s"  # the ID is a text cell
    client.logout()
    client.login("xa.tanloi")
    assert client.get(f"/xa/nhap/{batch_id}/loi.xlsx").status_code == 404


def test_one_bad_row_imports_nothing_and_the_same_file_twice_changes_nothing(clerk):
    bad = build([person(1), person(2), person(3, **{"Số CCCD": "abc"})])
    p = preview(clerk, bad)
    with pytest.raises(PortalError, match="chưa nhập dòng nào"):
        imports.commit(clerk, p.batch_id)
    db.session.rollback()
    assert count(Beneficiary, Beneficiary.commune_code == VINH_MY) == 0
    good = build([person(1), person(2), person(3)])
    imports.commit(clerk, preview(clerk, good).batch_id)
    events = count(AuditEvent)
    again = preview(clerk, good)
    assert (again.counts["unchanged"], again.counts["new"], again.counts["update"]) == (3, 0, 0)
    assert imports.commit(clerk, again.batch_id)["unchanged"] == 3
    assert count(Beneficiary, Beneficiary.commune_code == VINH_MY) == 3
    assert count(AuditEvent) == events + 1  # only the batch's own "import" event


# --- large files run as a background job ------------------------------------------------------------------------------
def test_large_file_is_checked_and_committed_by_jobs_with_progress(app, client):
    client.web_app.config["IMPORT_JOB_ROWS"] = 3
    client.login("xa.vinhmy")
    content = build([person(i) for i in range(1, 6)] + [person(6, **{"Diện đối tượng": "không rõ"})])
    resp = client.post("/xa/nhap", data={"file": (io.BytesIO(content), "lon.xlsx")},
                       content_type="multipart/form-data")
    batch_id = int(resp.headers["Location"].rstrip("/").split("/")[-1])
    batch = db.session.get(ImportBatch, batch_id)
    job = db.session.execute(select(Job).where(Job.kind == "import_preview")).scalar_one()
    assert (job.status, job.progress, job.params["batch_id"]) == ("done", 100, batch_id)
    assert batch.status == "previewed" and len(batch.summary["stored_rows"]) == 6
    html = client.get(f"/xa/nhap/{batch_id}").get_data(as_text=True)
    assert "Mới: 5" in html and "Lỗi: 1" in html and "«không rõ»" in html
    resp = client.post(f"/xa/nhap/{batch_id}/xac-nhan")  # refused by the job: nothing written, batch usable again
    commit_job = db.session.execute(select(Job).where(Job.kind == "import_commit")).scalar_one()
    assert commit_job.status == "failed" and "chưa nhập dòng nào" in commit_job.error
    assert db.session.get(ImportBatch, batch_id).status == "previewed"
    assert count(Beneficiary, Beneficiary.commune_code == VINH_MY) == 0
    content = build([person(i) for i in range(1, 6)])
    resp = client.post("/xa/nhap", data={"file": (io.BytesIO(content), "lon.xlsx")},
                       content_type="multipart/form-data")
    batch_id = int(resp.headers["Location"].rstrip("/").split("/")[-1])
    resp = client.post(f"/xa/nhap/{batch_id}/xac-nhan")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/xa/nhap/{batch_id}")
    batch = db.session.get(ImportBatch, batch_id)
    assert batch.status == "committed" and batch.summary["result"]["created"] == 5
    assert "stored_rows" not in batch.summary
    assert count(Beneficiary, Beneficiary.commune_code == VINH_MY) == 5
    assert client.post(f"/xa/nhap/{batch_id}/xac-nhan").status_code == 302  # a second click changes nothing
    assert count(Beneficiary, Beneficiary.commune_code == VINH_MY) == 5


def test_batch_being_checked_shows_its_progress_bar(app, client, clerk):
    client.login("xa.vinhmy")
    batch = imports.stage(clerk, VINH_MY, "lon.xlsx", build([person(1)]), 1)
    job = Job(kind="import_preview", status="running", progress=40, message="Đã kiểm tra 40/100 dòng",
              params={"batch_id": batch.id}, user_id=clerk.id, owner_org_id=batch.organization_id)
    db.session.add(job)
    db.session.commit()
    html = client.get(f"/xa/nhap/{batch.id}").get_data(as_text=True)
    assert f'hx-get="/cong-viec/{job.id}"' in html and "40% · Đã kiểm tra 40/100 dòng" in html
    with pytest.raises(PortalError, match="đang được kiểm tra"):
        import_jobs.confirm(clerk, batch.id)


def test_batch_discarded_while_being_checked_stays_discarded(app, clerk):
    from types import SimpleNamespace

    batch = imports.stage(clerk, VINH_MY, "lon.xlsx", build([person(1), person(2)]), 2)
    imports.discard(clerk, batch.id)
    steps = []
    result = import_jobs.preview_job(SimpleNamespace(params={"batch_id": batch.id}), lambda pct, msg: steps.append(pct))
    assert result["endpoint"] == "commune.import_upload" and steps == [2, 95]
    assert db.session.get(ImportBatch, batch.id).status == "discarded"


# --- the two shared commune files ----------------------------------------------------------------------------------
@pytest.mark.parametrize("path, user, code, expected", [
    (VINH_MY_FILE, "xa.vinhmy", VINH_MY, {"rows": 340, "new": 340, "error": 0, "padded": 113, "legacy": 0,
                                          "year_only": 30, "accounts": 104, "amount": 240_000_000}),
    (TAN_LOI_FILE, "xa.tanloi", TAN_LOI, {"rows": 210, "new": 210, "error": 0, "padded": 70, "legacy": 0,
                                          "year_only": 12, "accounts": 58, "amount": 143_000_000}),
])
def test_shared_commune_files_import_with_the_expected_counts(app, path, user, code, expected):
    """Figures read from the files themselves: 340 / 210 people, 113 / 70 IDs stored as numbers, 30 / 12 birth years
    only, 104 / 58 account numbers, and the "Tổng cộng" amounts."""
    with open(path, "rb") as fh:
        content = fh.read()
    p = imports.preview(user_by_username(user), code, "ds.xlsx", content)
    result = imports.commit(user_by_username(user), p.batch_id)
    got = {k: p.counts[k] for k in ("rows", "new", "error", "padded", "legacy")}
    got["year_only"] = count(Beneficiary, Beneficiary.commune_code == code, Beneficiary.birth_date.is_(None))
    got["accounts"] = result["accounts"]
    got["amount"] = sum(r.amount for r in p.rows)
    assert got == expected
    assert not any("công thức" in w for r in p.rows for w in r.warnings)
