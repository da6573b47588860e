"""Commune register pages: import upload → preview → commit, list with htmx search, forms (422), detail with audit."""
import io
import json
import re

import openpyxl
import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Beneficiary, ImportBatch
from portal.services.demo import user_by_username
from portal.services.imports.beneficiaries import import_file
from portal.services.registry.beneficiaries import create_beneficiary, form_data
from portal.services.registry.hamlets import find_hamlet
from tests.conftest import TAN_LOI_FILE, VINH_MY_FILE

FORM = {"full_name": "Nguyễn Văn Bé", "birth": "05/03/1950", "gender": "male", "national_id": "089050123456",
        "phone": "0912345678", "hamlet": "Khóm Mỹ Thới 1", "category_code": "K6", "disability_level": "severe",
        "children_count": "1", "start_month": "07/2024", "payment_channel": "cash_at_point"}


def upload(client, content, name="ds.xlsx"):
    return client.post("/xa/nhap", data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data")


def read(path):
    with open(path, "rb") as fh:
        return fh.read()


@pytest.fixture
def clerk(client):
    return client.login("xa.vinhmy")


@pytest.fixture
def loaded(app):
    """Vĩnh Mỹ's sample imported (as the CLI would) and committed."""
    import_file(user_by_username("xa.vinhmy"), "30322", VINH_MY_FILE)
    db.session.commit()


def count_beneficiaries():
    return db.session.execute(select(func.count(Beneficiary.id))).scalar()


def hamlet_id(name, commune_code="30322"):
    """The id of a hamlet on the commune's list (the form's select sends ids)."""
    return str(find_hamlet(commune_code, name).id)


def test_upload_preview_commit_then_340_in_list(clerk):
    resp = upload(clerk, read(VINH_MY_FILE), "2024-07_vinh-my.xlsx")
    assert resp.status_code == 302
    preview_url = resp.headers["Location"]
    html = clerk.get(preview_url).get_data(as_text=True)
    assert "Tìm thấy 340 dòng" in html and "Mới: 340" in html and "Cập nhật: 0" in html and "Lỗi: 0" in html
    assert "Xác nhận nhập" in html and "Hủy" in html
    assert "đã bổ sung số 0 đầu" in html
    assert count_beneficiaries() == 0  # preview writes nothing to the register
    batch_id = int(preview_url.rstrip("/").split("/")[-1])
    resp = clerk.post(f"/xa/nhap/{batch_id}/xac-nhan", {"batch_id": batch_id})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/xa/")
    html = clerk.get("/xa/").get_data(as_text=True)
    assert "Đã nhập 340 dòng: 340 đối tượng mới" in html
    assert "340 đối tượng" in html
    assert count_beneficiaries() == 340


def test_preview_with_error_row_has_no_confirm_button(clerk):
    wb = openpyxl.load_workbook(VINH_MY_FILE)
    wb.active["E20"] = "08912345"
    out = io.BytesIO()
    wb.save(out)
    resp = upload(clerk, out.getvalue())
    html = clerk.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Lỗi: 1" in html and "Xác nhận nhập" not in html
    first_row = re.search(r'<tr class="error"><td class="num">(\d+)</td>', html)
    assert first_row and first_row.group(1) == "20"
    batch_id = int(resp.headers["Location"].split("/")[-1])
    resp = clerk.post(f"/xa/nhap/{batch_id}/xac-nhan")  # forced anyway: refused, nothing imported
    assert resp.status_code == 302
    assert "Dòng 20" in clerk.get(resp.headers["Location"]).get_data(as_text=True)
    assert count_beneficiaries() == 0


@pytest.mark.parametrize("content, name, text", [
    (b"Ho ten,CCCD\nA,1\n", "ds.csv", "không phải bảng tính Excel (.xlsx)"),
    (None, "trong.xlsx", "Không tìm thấy dòng tiêu đề"),
])
def test_bad_upload_is_422_and_stores_nothing(clerk, content, name, text):
    if content is None:
        out = io.BytesIO()
        openpyxl.Workbook().save(out)
        content = out.getvalue()
    resp = upload(clerk, content, name)
    assert resp.status_code == 422
    assert text in resp.get_data(as_text=True)
    assert db.session.execute(select(func.count(ImportBatch.id))).scalar() == 0


def test_upload_without_file_is_422(clerk):
    resp = clerk.post("/xa/nhap", {}, content_type="multipart/form-data")
    assert resp.status_code == 422
    assert "Chọn tệp bảng tính (.xlsx, .xls hoặc .ods) để tải lên." in resp.get_data(as_text=True)


def test_discard(clerk):
    resp = upload(clerk, read(VINH_MY_FILE))
    batch_id = int(resp.headers["Location"].split("/")[-1])
    resp = clerk.post(f"/xa/nhap/{batch_id}/huy")
    assert resp.status_code == 302
    assert db.session.get(ImportBatch, batch_id).status == "discarded"
    assert "đã bị hủy" in clerk.get(f"/xa/nhap/{batch_id}").get_data(as_text=True)


def test_other_organisations_batch_is_404(client, app):
    client.login("xa.tanloi")
    resp = upload(client, read(TAN_LOI_FILE))
    batch_id = int(resp.headers["Location"].split("/")[-1])
    client.logout()
    client.login("xa.vinhmy")
    assert client.get(f"/xa/nhap/{batch_id}").status_code == 404
    assert client.post(f"/xa/nhap/{batch_id}/xac-nhan").status_code == 404
    assert count_beneficiaries() == 0


def test_search_without_diacritics_htmx_fragment(clerk, loaded):
    resp = clerk.get("/xa/?q=huynh+thanh+tai", htmx=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and len(resp.data) <= 5 * 1024
    assert "<html" not in html and "Huỳnh Thanh Tài" in html and "1 đối tượng" in html
    assert "HX-Request" in resp.headers["Vary"]


def test_search_by_id_and_full_page_without_js(clerk, loaded):
    html = clerk.get("/xa/?q=089031432683").get_data(as_text=True)
    assert "<html" in html and "Huỳnh Thanh Tài" in html and "1 đối tượng" in html
    assert 'hx-get="/xa/"' in html and 'hx-push-url="true"' in html and 'action="/xa/"' in html


def test_list_pages_are_small_fragments(clerk, loaded):
    for page in (1, 2, 23):
        resp = clerk.get(f"/xa/?page={page}", htmx=True)
        assert len(resp.data) <= 5 * 1024 and b"<html" not in resp.data
    html = clerk.get("/xa/?page=2", htmx=True).get_data(as_text=True)
    assert "Trang 2/23" in html and 'href="/xa/?page=3"' in html
    first = clerk.get("/xa/").get_data(as_text=True)
    assert "0720767805" in first and "089133353959" in first  # phone and CCCD shown to the commune


def test_create_form_422_keeps_typed_values(clerk):
    assert clerk.get("/xa/doi-tuong/them").status_code == 200
    resp = clerk.post("/xa/doi-tuong/them", FORM | {"national_id": "12345", "payment_channel": "cash_at_home"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert 'value="Nguyễn Văn Bé"' in html and 'value="12345"' in html and 'value="05/03/1950"' in html
    assert "phải gồm đúng 12 chữ số" in html and "cần ghi lý do" in html
    assert count_beneficiaries() == 0


def test_create_then_detail(clerk):
    resp = clerk.post("/xa/doi-tuong/them", FORM | {"hamlet_id": hamlet_id("Khóm Mỹ Thới 1")})
    assert resp.status_code == 302
    html = clerk.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Đã thêm đối tượng Nguyễn Văn Bé." in html
    assert "089050123456" in html and "Nhật ký thay đổi" in html and "Thêm đối tượng Nguyễn Văn Bé" in html


def test_edit_creates_audit_event_shown_on_detail(clerk, loaded):
    b = db.session.execute(select(Beneficiary).where(Beneficiary.national_id == "089031432683")).scalar_one()
    form = clerk.get(f"/xa/doi-tuong/{b.id}/sua").get_data(as_text=True)
    assert 'value="Huỳnh Thanh Tài"' in form and 'value="1931"' in form and 'value="03/2022"' in form
    data = {"full_name": "Huỳnh Thanh Tài", "birth": "1931", "gender": "male", "national_id": "089031432683",
            "phone": "0909000111", "hamlet_id": hamlet_id("Khóm Mỹ Thới 4"), "category_code": "K5c",
            "start_month": "03/2022",
            "payment_channel": "bank_account", "preferred_bank": "VBA", "decision_number": "1679/QĐ-UBND"}
    resp = clerk.post(f"/xa/doi-tuong/{b.id}/sua", data)
    assert resp.status_code == 302
    html = clerk.get(f"/xa/doi-tuong/{b.id}").get_data(as_text=True)
    assert "Sửa thông tin đối tượng: Số điện thoại" in html
    assert "0794340961 → 0909000111" in html
    assert "Xuân" in html  # who: Nguyễn Thị Xuân


def test_edit_422_keeps_values(clerk, loaded):
    b = db.session.execute(select(Beneficiary).where(Beneficiary.national_id == "089031432683")).scalar_one()
    resp = clerk.post(f"/xa/doi-tuong/{b.id}/sua", FORM | {"full_name": "Huỳnh Thanh Tài", "start_month": "13/2024"})
    assert resp.status_code == 422
    assert "không có tháng 13" in resp.get_data(as_text=True) and 'value="13/2024"' in resp.get_data(as_text=True)


def test_other_communes_beneficiary_is_404(clerk):
    other, _ = create_beneficiary(user_by_username("xa.tanloi"), "30535", FORM)
    db.session.commit()
    assert clerk.get(f"/xa/doi-tuong/{other.id}").status_code == 404
    assert clerk.get(f"/xa/doi-tuong/{other.id}/sua").status_code == 404
    assert clerk.post(f"/xa/doi-tuong/{other.id}/sua", FORM).status_code == 404
    assert "Nguyễn Văn Bé" not in clerk.get("/xa/?q=be").get_data(as_text=True)


def test_write_without_csrf_is_refused(clerk):
    resp = clerk.post("/xa/doi-tuong/them", FORM, csrf=False)
    assert resp.status_code == 400 and count_beneficiaries() == 0


def test_nav_links(clerk):
    html = clerk.get("/xa/").get_data(as_text=True)
    assert ">Đối tượng</a>" in html and 'href="/xa/nhap">Nhập từ Excel' in html
    assert "Danh sách chi trả</a>" in html


def test_police_and_bank_cannot_use_commune_pages(client):
    client.login("congan.vinhmy")
    assert client.get("/xa/").status_code == 403
    assert client.get("/xa/nhap").status_code == 403


def test_upload_of_another_communes_file_is_422_and_stores_nothing(clerk):
    resp = upload(clerk, read(TAN_LOI_FILE), "2024-07_xa-tan-loi_ds-doi-tuong.xlsx")
    assert resp.status_code == 422
    assert ("Tệp là danh sách của Xã Tân Lợi (Thị xã Tịnh Biên), không phải của Phường Vĩnh Mỹ. Kiểm tra lại tệp."
            in resp.get_data(as_text=True))
    assert db.session.execute(select(func.count(ImportBatch.id))).scalar() == 0


def test_stored_batch_of_another_commune_shows_the_reason_not_a_preview(clerk):
    user = user_by_username("xa.vinhmy")
    batch = ImportBatch(kind="beneficiaries", scope="30322", organization_id=user.organization_id, user_id=user.id,
                        filename="tan-loi.xlsx", sha256="x", content=read(TAN_LOI_FILE), status="previewed",
                        summary={})
    db.session.add(batch)
    db.session.commit()
    resp = clerk.get(f"/xa/nhap/{batch.id}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Tệp là danh sách của Xã Tân Lợi" in html
    assert "Xác nhận nhập" not in html and f'action="/xa/nhap/{batch.id}/huy"' in html
    resp = clerk.post(f"/xa/nhap/{batch.id}/xac-nhan")
    assert resp.status_code == 302 and count_beneficiaries() == 0


def test_form_refuses_an_11_digit_id_and_keeps_it(clerk):
    resp = clerk.post("/xa/doi-tuong/them", FORM | {"national_id": "08907710515"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and 'value="08907710515"' in html
    assert "Số định danh cá nhân phải gồm đúng 12 chữ số (đã nhập: 08907710515)." in html
    assert "008907710515" not in html and count_beneficiaries() == 0


def test_form_refuses_a_formula_as_name(clerk):
    resp = clerk.post("/xa/doi-tuong/them", FORM | {"full_name": '=HYPERLINK("http://x","Bấm")'})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "có ký tự không dùng trong tên người" in html
    assert 'value="=HYPERLINK(&#34;http://x&#34;,&#34;Bấm&#34;)"' in html
    assert count_beneficiaries() == 0


def test_saving_a_category_that_cannot_apply_shows_a_warning(clerk):
    data = FORM | {"category_code": "K5c", "disability_level": "", "birth": "1950",
                   "hamlet_id": hamlet_id("Khóm Mỹ Thới 1")}
    resp = clerk.post("/xa/doi-tuong/them", data | {"category_override_reason": "Quyết định cũ của huyện"})
    assert resp.status_code == 302  # saved: a warning (the same as the import's), the reason noted
    html = clerk.get(resp.headers["Location"]).get_data(as_text=True)
    assert ("Diện K5c dành cho người từ đủ 80 tuổi; theo ngày sinh, tháng 07/2024 (hưởng từ tháng) đối tượng 74 "
            "tuổi. Kiểm tra lại diện, ngày sinh và tháng hưởng. Lý do ngoại lệ: Quyết định cũ của huyện.") in html
    assert ("Cảnh báo: Không tính được mức trợ cấp tháng 07/2024: Không có hệ số cho diện K5c ở tuổi 74 trong "
            "tháng 07/2024.") in html
    assert count_beneficiaries() == 1


def test_account_from_the_commune_list_shows_no_opening_date(clerk, loaded):
    b = db.session.execute(select(Beneficiary).where(Beneficiary.national_id == "089077105153")).scalar_one()
    html = clerk.get(f"/xa/doi-tuong/{b.id}").get_data(as_text=True)
    assert "<td>1164963643329</td><td>BUI NGOC VU</td><td>—</td><td>Đang dùng</td>" in html


def edited_sample(changes: dict) -> bytes:
    wb = openpyxl.load_workbook(VINH_MY_FILE)
    for ref, value in changes.items():
        wb.active[ref] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def by_national_id(national_id):
    db.session.expire_all()
    return db.session.execute(select(Beneficiary).where(Beneficiary.national_id == national_id)).scalar_one()


def edit_through_the_form(client, national_id, **changes):
    b = by_national_id(national_id)
    resp = client.post(f"/xa/doi-tuong/{b.id}/sua", form_data(b) | changes)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]


def preview_of(client, content):
    resp = upload(client, content)
    assert resp.status_code == 302
    return int(resp.headers["Location"].split("/")[-1]), clerk_html(client, resp.headers["Location"])


def clerk_html(client, url):
    return client.get(url).get_data(as_text=True)


def test_update_rows_are_listed_visibly_with_old_and_new_values(clerk, loaded):
    _, html = preview_of(clerk, edited_sample({"F9": "0911222333"}))
    assert "Cập nhật: 1" in html
    updates = html.split('<section class="card" id="updates">')[1].split("</section>")[0]
    assert "Các dòng sẽ cập nhật (1)" in updates and "<details" not in updates  # never folded away
    assert "Số điện thoại: 0822881621 → 0911222333" in updates and "Huỳnh Minh Khải" in updates


def test_reimport_keeps_form_edits_unless_the_clerk_ticks_overwrite(clerk, loaded):
    edit_through_the_form(clerk, "089133353959", phone="0911222333", hamlet="Khóm Vĩnh Tây 1",
                          payment_channel="cash_at_home", cash_at_home_reason="bedridden")  # Bùi Mỹ Ánh
    edit_through_the_form(clerk, "089197770279", children_count="2")  # Mai Mỹ Ánh, K4
    batch_id, html = preview_of(clerk, read(VINH_MY_FILE))
    assert "Cập nhật: 0" in html and "Không đổi: 340" in html
    assert "2 dòng có thông tin đã sửa trên cổng sau lần nhập trước" in html
    assert re.search(r"Dữ liệu trên cổng đã được sửa ngày \d\d/\d\d/\d{4} \(Nguyễn Thị Xuân\): Số con đang nuôi "
                     r"2 → 1 trong tệp\. Giữ giá trị trên cổng", html)
    assert "Số điện thoại 0911222333 → 0720767805 trong tệp" in html
    box = re.search(r'<input[^>]*name="overwrite_manual"[^>]*>', html).group(0)
    assert 'type="checkbox"' in box and "checked" not in box and "Ghi đè cả các thông tin đã sửa trên cổng" in html
    resp = clerk.post(f"/xa/nhap/{batch_id}/xac-nhan", {"batch_id": batch_id})
    assert "2 dòng giữ thông tin đã sửa trên cổng" in clerk_html(clerk, resp.headers["Location"])
    assert by_national_id("089197770279").children_count == 2
    assert by_national_id("089133353959").payment_channel == "cash_at_home"

    batch_id, _ = preview_of(clerk, read(VINH_MY_FILE))
    html = clerk_html(clerk, f"/xa/nhap/{batch_id}?ghi_de=1")
    assert "Cập nhật: 2" in html and "Số con đang nuôi 2 → 1 trong tệp. Nhập tệp sẽ ghi đè." in html
    assert "checked" in re.search(r'<input[^>]*name="overwrite_manual"[^>]*>', html).group(0)
    resp = clerk.post(f"/xa/nhap/{batch_id}/xac-nhan", {"batch_id": batch_id, "overwrite_manual": "y"})
    assert "2 dòng ghi đè thông tin đã sửa trên cổng" in clerk_html(clerk, resp.headers["Location"])
    assert by_national_id("089197770279").children_count == 1
    assert by_national_id("089133353959").phone == "0720767805"


def test_padded_ids_are_one_collapsed_line_not_113_warnings(clerk):
    _, html = preview_of(clerk, read(VINH_MY_FILE))
    assert "Cảnh báo: 60" in html  # 28 of them a category outside its age band, as the form warns
    padded = re.search(r'<details id="padded"><summary>(.*?)</summary>(.*?)</details>', html, re.DOTALL)
    assert padded.group(1) == "113 số định danh lưu dạng số đã được bổ sung số 0 đầu — xem danh sách"
    assert padded.group(2).count("<li>") == 113
    assert "<li>Dòng 11: Ô E11: số định danh lưu dạng số, đã bổ sung số 0 đầu → 089077105153.</li>" in padded.group(2)
    assert html.count("bổ sung số 0 đầu") == 114  # the summary and its list, nowhere else


def test_account_to_cash_warning_in_the_preview_names_the_bank(clerk, loaded):
    _, html = preview_of(clerk, edited_sample({"M11": "Tiền mặt tại điểm chi trả"}))
    assert "Đang có tài khoản Agribank 1164963643329; chuyển sang tiền mặt tại điểm chi trả" in html
    assert "Hình thức nhận: Tài khoản ngân hàng → Tiền mặt tại điểm chi trả" in html


def test_saving_from_the_boosted_form_moves_the_address_bar_off_sua(clerk, loaded):
    b = db.session.execute(select(Beneficiary).where(Beneficiary.national_id == "089031432683")).scalar_one()
    data = {"full_name": "Huỳnh Thanh Tài", "birth": "1931", "gender": "male", "national_id": "089031432683",
            "phone": "0909000111", "hamlet_id": hamlet_id("Khóm Mỹ Thới 4"), "category_code": "K5c",
            "start_month": "03/2022", "payment_channel": "bank_account", "preferred_bank": "VBA",
            "decision_number": "1679/QĐ-UBND"}
    resp = clerk.post(f"/xa/doi-tuong/{b.id}/sua", data, htmx=True)
    assert resp.status_code == 200
    assert json.loads(resp.headers["HX-Location"]) == {"path": f"/xa/doi-tuong/{b.id}", "target": "body"}
    assert "Đã lưu thay đổi." in clerk.get(f"/xa/doi-tuong/{b.id}").get_data(as_text=True)


def test_per_field_checks_do_not_inherit_the_submit_buttons_disabling(clerk):
    html = clerk.get("/xa/doi-tuong/them").get_data(as_text=True)
    form = re.search(r'<form method="post" class="card"[^>]*>', html).group(0)
    assert 'hx-disabled-elt="find button[type=submit]"' in form and 'hx-disinherit="hx-disabled-elt"' in form
