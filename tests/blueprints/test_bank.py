"""Bank branch pages (/ngan-hang): the list to open accounts for, the htmx row form, the bank file upload and the
accounts recorded, as the Agribank Châu Đốc teller on the imported Vĩnh Mỹ sample."""
import re
from datetime import date, datetime

import openpyxl
import pytest
from sqlalchemy import func, select

from portal.clock import VN_TZ
from portal.extensions import db
from portal.models import Beneficiary, PaymentAccount
from portal.services.accounts import watch
from portal.services.demo import user_by_username
from portal.services.imports import beneficiaries as imports
from tests.conftest import AGRIBANK_FILE, VINH_MY_FILE
from tests.factories import make_beneficiary

FRAGMENT_LIMIT = 5 * 1024
KHAI_ID = "089218589283"  # Huỳnh Minh Khải, Vĩnh Mỹ, chose an account, none yet


@pytest.fixture
def teller(client):
    """Vĩnh Mỹ imported by the commune clerk; the client logged in as agribank.chaudoc."""
    assert imports.import_file(user_by_username("xa.vinhmy"), "30322", VINH_MY_FILE).committed
    db.session.commit()
    return client.login("agribank.chaudoc")


def person_id(national_id: str) -> int:
    return db.session.execute(select(Beneficiary.id).where(Beneficiary.national_id == national_id)).scalar_one()


def form_url(national_id: str) -> str:
    return f"/ngan-hang/doi-tuong/{person_id(national_id)}/mo-tai-khoan"


def recorded() -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count(PaymentAccount.id)).where(
        PaymentAccount.opened_by_org_id == user_by_username("agribank.chaudoc").organization_id)).scalar_one()


def upload(client, content_path, name="agribank.xlsx"):
    return client.post("/ngan-hang/tai-len", {"file": (open(content_path, "rb"), name)},
                       content_type="multipart/form-data")


def test_pending_list_never_shows_the_category(teller):
    resp = teller.get("/ngan-hang/")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "<strong>68</strong> người cần mở tài khoản" in html
    assert "Huỳnh Minh Khải" in html and KHAI_ID in html and "Khóm Mỹ Thới 5" in html
    assert "Bùi Ngọc Vũ" not in html  # has an Agribank account already
    assert "Trương Văn Phúc" not in html  # cash at a payout point
    for category_text in ("khuyết tật", "HIV", "nguồn nuôi dưỡng", "Diện"):
        assert category_text.lower() not in html.lower()
    assert 'aria-current="page">Cần mở tài khoản' in html


def test_other_district_person_is_invisible(teller):
    tan_loi = make_beneficiary("Chau Sóc Kha", commune_code="30535", birth_year=1950, payment_channel="bank_account")
    db.session.commit()
    assert "Chau Sóc Kha" not in teller.get("/ngan-hang/?q=chau soc").get_data(as_text=True)
    assert teller.get(f"/ngan-hang/doi-tuong/{tan_loi.id}/mo-tai-khoan").status_code == 404
    resp = teller.post(f"/ngan-hang/doi-tuong/{tan_loi.id}/mo-tai-khoan",
                       {"account_number": "123456789", "opened_on": "2024-08-02", "holder_kind": "self"})
    assert resp.status_code == 404 and recorded() == 0


def test_htmx_search_by_name_and_id(teller):
    resp = teller.get("/ngan-hang/?q=huynh+minh+khai", htmx=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<html" not in html and len(resp.data) <= FRAGMENT_LIMIT
    assert "<strong>1</strong> người" in html and "Huỳnh Minh Khải" in html
    html = teller.get(f"/ngan-hang/?q={KHAI_ID}&commune=30322", htmx=True).get_data(as_text=True)
    assert "<strong>1</strong> người" in html and "Huỳnh Minh Khải" in html
    full = teller.get("/ngan-hang/?page=2", htmx=True)
    assert len(full.data) <= FRAGMENT_LIMIT and "Trang 2/5" in full.get_data(as_text=True)


def test_mark_opened_through_the_htmx_row(teller):
    url = form_url(KHAI_ID)
    form = teller.get(url, htmx=True)
    html = form.get_data(as_text=True)
    assert form.status_code == 200 and len(form.data) <= FRAGMENT_LIMIT and "<html" not in html
    assert f'hx-post="{url}"' in html and f'action="{url}"' in html and 'value="HUYNH MINH KHAI"' in html
    resp = teller.post(url, {"account_number": "0011 2233 4455", "opened_on": "2024-08-02", "holder_kind": "self",
                             "holder_name": "HUYNH MINH KHAI"}, htmx=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and len(resp.data) <= FRAGMENT_LIMIT
    assert "Đã mở: số TK 001122334455 (Agribank), ngày 02/08/2024" in html
    account = db.session.execute(select(PaymentAccount).where(
        PaymentAccount.beneficiary_id == person_id(KHAI_ID))).scalar_one()
    assert account.account_number == "001122334455"
    assert "<strong>67</strong> người" in teller.get("/ngan-hang/").get_data(as_text=True)


def test_invalid_input_is_422_and_keeps_what_was_typed(teller):
    url = form_url(KHAI_ID)
    for htmx in (True, False):
        resp = teller.post(url, {"account_number": "12AB-99", "opened_on": "2024-08-02", "holder_kind": "self",
                                 "holder_name": "HUYNH MINH KHAI"}, htmx=htmx)
        html = resp.get_data(as_text=True)
        assert resp.status_code == 422
        assert 'value="12AB-99"' in html and 'value="2024-08-02"' in html
        assert "Số tài khoản chỉ gồm chữ số (đã nhập: 12AB-99)." in html
        assert ("<html" in html) is not htmx
    resp = teller.post(url, {"account_number": "123456789", "opened_on": "2099-01-01", "holder_kind": "self"})
    assert resp.status_code == 422 and "Ngày mở tài khoản 01/01/2099 ở tương lai." in resp.get_data(as_text=True)
    resp = teller.post(url, {"account_number": "123456789", "opened_on": "2024-08-02", "holder_kind": "guardian"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "xã cần ghi người giám hộ trước" in html and 'value="123456789"' in html
    resp = teller.post(url, {"account_number": "123456789", "opened_on": "2024-08-02", "holder_kind": "chu"})
    assert (resp.status_code == 422
            and "Chủ tài khoản phải là chính chủ hoặc người giám hộ." in resp.get_data(as_text=True))
    assert recorded() == 0


def test_holder_name_must_match_the_person(teller):
    anh = "089171116550"  # Châu Kim Ánh, chose an account, none yet
    url = form_url(anh)
    for htmx in (True, False):
        resp = teller.post(url, {"account_number": "123456789", "opened_on": "2024-08-02", "holder_kind": "self",
                                 "holder_name": "NGUYEN VAN B"}, htmx=htmx)
        html = resp.get_data(as_text=True)
        assert resp.status_code == 422
        assert ('<small class="error">Tên chủ tài khoản «NGUYEN VAN B» không khớp với tên đối tượng «Châu Kim Ánh».'
                '</small>') in html
        assert 'value="NGUYEN VAN B"' in html and 'value="123456789"' in html
    db.session.execute(db.update(Beneficiary).where(Beneficiary.national_id == anh).values(
        guardian_name="Trần Thị Mai"))
    resp = teller.post(url, {"account_number": "123456789", "opened_on": "2024-08-02", "holder_kind": "guardian",
                             "holder_name": "CHAU KIM ANH"})
    assert resp.status_code == 422
    assert "Tên chủ tài khoản «CHAU KIM ANH» không khớp với tên người giám hộ «Trần Thị Mai»." in resp.get_data(
        as_text=True)
    assert recorded() == 0
    assert "Châu Kim Ánh" in teller.get("/ngan-hang/?q=chau+kim+anh").get_data(as_text=True)
    resp = teller.post(url, {"account_number": "123456789", "opened_on": "2024-08-02", "holder_kind": "guardian",
                             "holder_name": "TRAN THI MAI"})
    assert resp.status_code == 302 and recorded() == 1


def test_without_javascript_the_form_page_posts_and_redirects(teller):
    url = form_url(KHAI_ID)
    page = teller.get(url).get_data(as_text=True)
    assert "<html" in page and "Ghi nhận mở tài khoản" in page and "Huỳnh Minh Khải" in page
    resp = teller.post(url, {"account_number": "123456789", "opened_on": "2024-08-05", "holder_kind": "self"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/ngan-hang/")
    assert "Đã ghi nhận tài khoản 123456789 cho Huỳnh Minh Khải." in teller.get("/ngan-hang/").get_data(as_text=True)
    again = teller.post(url, {"account_number": "987654321", "opened_on": "2024-08-05", "holder_kind": "self"})
    assert again.status_code == 422 and "đã có tài khoản đang dùng (Agribank 123456789)" in again.get_data(as_text=True)
    assert "Đã mở: số TK 123456789" in teller.get(url).get_data(as_text=True)


def test_agribank_file_upload_preview_confirm(teller):
    resp = upload(teller, AGRIBANK_FILE)
    assert resp.status_code == 302
    preview_url = resp.headers["Location"]
    html = teller.get(preview_url).get_data(as_text=True)
    assert "Mới: 40" in html and "Lỗi: 0" in html and "Ghi nhận 40 tài khoản mới" in html
    assert recorded() == 0
    commit_url = re.search(r'action="([^"]+/ghi-nhan)"', html).group(1)
    resp = teller.post(commit_url)
    assert resp.status_code == 302 and recorded() == 40
    html = teller.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Đã ghi nhận 40 tài khoản mới." in html and "— đã ghi nhận</h1>" in html
    # the commit summary, not the file judged again (its rows would all read "already there")
    assert "Đã ghi nhận: 40" in html and "Đã có từ trước: 0" in html and "Giữ lại (tên không khớp): 0" in html
    assert "Mới: 0" not in html and "Đã có: 40" not in html and "/ghi-nhan" not in html
    assert re.search(r"Ghi nhận lúc \d\d/\d\d/\d{4} \d\d:\d\d bởi " + re.escape(
        user_by_username("agribank.chaudoc").full_name), html)
    assert html.count('<span class="badge recorded">Đã ghi nhận</span>') == 40
    accounts_page = teller.get("/ngan-hang/tai-khoan").get_data(as_text=True)
    assert "<strong>40</strong> tài khoản" in accounts_page and "Agribank 19286014071229" in accounts_page
    assert "<strong>28</strong> người cần mở" in teller.get("/ngan-hang/").get_data(as_text=True)
    teller.post(commit_url)  # double submit
    html = teller.get(upload(teller, AGRIBANK_FILE).headers["Location"]).get_data(as_text=True)
    assert "Đã có: 40" in html and "Mới: 0" in html
    assert recorded() == 40


def test_upload_with_mismatch_and_unknown_id(teller, tmp_path):
    wb = openpyxl.load_workbook(AGRIBANK_FILE)
    wb.active["B5"] = "LY MY HAII"
    wb.active["C10"] = "089999999999"
    path = tmp_path / "sua.xlsx"
    wb.save(path)
    preview_url = upload(teller, path).headers["Location"]
    html = teller.get(preview_url).get_data(as_text=True)
    assert "Tên chủ tài khoản «LY MY HAII» không khớp với tên đối tượng «Lý Mỹ Hai»." in html
    assert re.search(r'<tr class="error" id="row-10"><td class="num">10</td>', html)
    assert "Không tìm thấy đối tượng có số định danh 089999999999 trong địa bàn" in html
    assert '<tr class="warning" id="row-5">' in html
    assert "Tệp có 1 dòng lỗi: chưa thể ghi nhận." in html and "/ghi-nhan" not in html
    resp = teller.post(preview_url + "/ghi-nhan")
    assert resp.status_code == 302 and recorded() == 0
    assert "Tệp còn 1 dòng lỗi (dòng 10)" in teller.get(resp.headers["Location"]).get_data(as_text=True)

    wb.active["C10"] = "089159037454"  # fixed: only the name mismatch is left
    wb.save(path)
    preview_url = upload(teller, path).headers["Location"]
    html = teller.get(preview_url).get_data(as_text=True)
    assert "1 dòng tên không khớp sẽ được giữ lại" in html
    resp = teller.post(preview_url + "/ghi-nhan")
    assert recorded() == 39
    html = teller.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Đã ghi nhận 39 tài khoản mới; 1 dòng tên không khớp được giữ lại để kiểm tra (dòng 5)." in html
    assert "Đã ghi nhận: 39" in html and "Giữ lại (tên không khớp): 1" in html
    assert "1 dòng tên không khớp chưa được ghi nhận (dòng 5)" in html
    assert re.search(r'<tr class="warning" id="row-5">.*?Giữ lại – tên không khớp</span></td><td>Tên chủ tài khoản '
                     r'«LY MY HAII» không khớp với tên đối tượng «Lý Mỹ Hai».</td>', html, re.S)


def test_upload_rejects_a_file_that_is_not_xlsx(teller, tmp_path):
    path = tmp_path / "ds.csv"
    path.write_text("STT;HO TEN\n1;A\n")
    resp = upload(teller, path, "ds.csv")
    assert resp.status_code == 422
    assert "Tệp không phải bảng tính Excel (.xlsx)" in resp.get_data(as_text=True)
    resp = teller.post("/ngan-hang/tai-len", {}, content_type="multipart/form-data")
    assert resp.status_code == 422 and "Chọn tệp .xlsx để tải lên." in resp.get_data(as_text=True)


def test_access(teller, app):
    preview_url = upload(teller, AGRIBANK_FILE).headers["Location"]
    other = type(teller)(app).login("agribank.tinhbien")
    assert other.get(preview_url).status_code == 404
    assert other.post(preview_url + "/ghi-nhan").status_code == 404
    assert other.get(form_url(KHAI_ID)).status_code == 404
    clerk = type(teller)(app).login("xa.vinhmy")
    assert clerk.get("/ngan-hang/").status_code == 403
    assert teller.post(form_url(KHAI_ID), {"account_number": "123456789", "opened_on": "2024-08-02"},
                       csrf=False).status_code == 400
    assert recorded() == 0


def test_change_log_and_pages_show_bank_names_and_vietnamese_labels(teller, app):
    khai = person_id(KHAI_ID)
    db.session.execute(db.update(Beneficiary).where(Beneficiary.id == khai).values(preferred_bank="ICB"))
    clerk = type(teller)(app).login("xa.vinhmy")
    page = clerk.get(f"/xa/doi-tuong/{khai}").get_data(as_text=True)
    assert "ngân hàng mong muốn: VietinBank" in page
    teller.post(form_url(KHAI_ID), {"account_number": "0011 2233 4455", "opened_on": "2024-08-02",
                                    "holder_kind": "self", "holder_name": "HUYNH MINH KHAI"})
    page = clerk.get(f"/xa/doi-tuong/{khai}").get_data(as_text=True)
    assert "Ghi nhận mở tài khoản Agribank 001122334455 cho Huỳnh Minh Khải" in page
    for shown in ("Ngân hàng: — → Agribank<br>", "Số tài khoản: — → 001122334455<br>",
                  "Chủ tài khoản: — → Chính chủ<br>", "Tên chủ tài khoản: — → HUYNH MINH KHAI<br>",
                  "Ngày mở: — → 02/08/2024<br>"):
        assert shown in page
    for raw in ("provider_code", "holder_kind", "opened_on", "→ self", "→ VBA"):
        assert raw not in page


def test_account_form_records_the_opening_document(teller):
    url = form_url(KHAI_ID)
    base = {"account_number": "0011 2233 4455", "opened_on": "2024-08-02", "holder_kind": "self",
            "holder_name": "HUYNH MINH KHAI"}
    resp = teller.post(url, base | {"id_document_kind": "cccd", "id_document_expiry": ""}, htmx=True)
    assert resp.status_code == 422 and "Ghi ngày hết hạn của CCCD / Căn cước." in resp.get_data(as_text=True)
    assert len(resp.data) <= FRAGMENT_LIMIT
    resp = teller.post(url, base | {"id_document_kind": "cmnd9", "id_document_expiry": ""}, htmx=True)
    assert resp.status_code == 200
    account = db.session.execute(select(PaymentAccount).where(
        PaymentAccount.beneficiary_id == person_id(KHAI_ID))).scalar_one()
    assert (account.id_document_kind, account.id_document_expiry) == ("cmnd9", None)


@pytest.mark.time_machine(datetime(2026, 12, 7, 9, 0, tzinfo=VN_TZ), tick=True)
def test_account_opened_on_a_cmnd_after_2024_is_refused_as_the_watch_would_block_it(teller):
    url = form_url(KHAI_ID)
    typed = {"account_number": "0011 2233 4455", "opened_on": "2026-12-07", "holder_kind": "self",
             "holder_name": "HUYNH MINH KHAI", "id_document_kind": "cmnd9", "id_document_expiry": "2020-01-01"}
    resp = teller.post(url, typed, htmx=True)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert ("CMND 9 số hết giá trị từ 01/01/2025 (Luật Căn cước 2023): tài khoản mở ngày 07/12/2026 bằng giấy tờ "
            "này bị ngân hàng chặn mọi giao dịch. Mở bằng CCCD/Căn cước còn hạn.") in body
    assert 'value="0011 2233 4455"' in body and 'value="2020-01-01"' in body
    assert recorded() == 0
    expired = typed | {"id_document_kind": "cccd", "id_document_expiry": "2026-12-06"}
    assert "CCCD / Căn cước hết hạn ngày 06/12/2026, trước ngày mở tài khoản 07/12/2026" in teller.post(
        url, expired, htmx=True).get_data(as_text=True)
    resp = teller.post(url, typed | {"id_document_kind": "cccd", "id_document_expiry": "2040-05-01"}, htmx=True)
    assert resp.status_code == 200 and recorded() == 1 and "hết hạn" not in resp.get_data(as_text=True)
    assert watch.assess(db.session.get(Beneficiary, person_id(KHAI_ID)).active_account, date(2026, 12, 1)) is None


@pytest.mark.time_machine(datetime(2026, 12, 7, 9, 0, tzinfo=VN_TZ), tick=True)
def test_account_opened_on_a_document_expiring_soon_warns_the_teller_as_the_watch_would(teller):
    typed = {"account_number": "0011 2233 4455", "opened_on": "2026-12-07", "holder_kind": "self",
             "holder_name": "HUYNH MINH KHAI", "id_document_kind": "cccd", "id_document_expiry": "2027-02-15"}
    resp = teller.post(form_url(KHAI_ID), typed, htmx=True)
    assert resp.status_code == 200 and recorded() == 1
    assert ("CCCD / Căn cước của đối tượng hết hạn ngày 15/02/2027: nhắc đối tượng làm lại CCCD và cập nhật tại "
            "ngân hàng trước ngày 15/02/2027.") in resp.get_data(as_text=True)
