"""Register upkeep pages: identity cross-check (commune ↔ police, area-bound), monthly changes (commune → district,
return with reason, acceptance), authorizations (form, expiry list, revoke)."""
import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal.clock import today_vn
from portal.extensions import db
from portal.models import Authorization, Beneficiary, ChangeSubmission, IdentityCheck, Organization, RegistryEvent
from portal.services.demo import user_by_username
from portal.services.registry import identity_checks as checks
from tests.conftest import pinned_clock
from tests.factories import make_beneficiary


@pytest.fixture
def people(app):
    p = {"an": make_beneficiary("Nguyễn Văn An", birth_date=date(1940, 1, 2), national_id="089040000001",
                                category_code="K6", disability_level="severe"),
         "binh": make_beneficiary("Trần Thị Bình", birth_year=1941, gender="female", national_id="089141000002"),
         "loi": make_beneficiary("Chau Sóc Lợi", commune_code="30535", birth_year=1935, national_id="089035000004")}
    p["an"].phone = "0912345678"
    db.session.commit()
    return p


def _round(people):
    mine = checks.request_checks(user_by_username("xa.vinhmy"), "30322")
    theirs = checks.request_checks(user_by_username("xa.tanloi"), "30535")
    db.session.commit()
    return mine, theirs


def test_commune_sends_round_and_downloads_sheet(client, people):
    client.login("xa.vinhmy")
    resp = client.post("/xa/doi-sanh/gui")
    assert resp.status_code == 302
    html = client.get("/xa/doi-sanh").get_data(as_text=True)
    assert "Chờ công an: 2" in html
    xlsx = client.get("/xa/doi-sanh/danh-sach.xlsx")
    ws = load_workbook(io.BytesIO(xlsx.data)).active
    ids = [r[5] for r in ws.iter_rows(min_row=4, values_only=True)]
    assert ids == ["089040000001", "089141000002"]


def test_police_records_results_and_sees_identity_only(client, people):
    (an, binh), _ = _round(people)
    client.login("congan.vinhmy")
    html = client.get("/cong-an/doi-sanh").get_data(as_text=True)
    assert "2 người chờ đối sánh" in html and "089040000001" in html and "02/01/1940" in html
    for hidden in ("K6", "khuyết tật", "0912345678", "Chau Sóc Lợi"):
        assert hidden not in html
    assert client.post("/cong-an/doi-sanh/khop", {"check_id": an.id}).status_code == 302
    form = client.get(f"/cong-an/doi-sanh/{binh.id}").get_data(as_text=True)
    assert "K5c" not in form and "Trần Thị Bình" in form
    bad = client.post(f"/cong-an/doi-sanh/{binh.id}", {"result": "mismatched", "note": "x"})
    assert bad.status_code == 422 and "chọn trường sai lệch" in bad.get_data(as_text=True)
    ok = client.post(f"/cong-an/doi-sanh/{binh.id}", {"result": "mismatched", "fields": ["birth", "gender"]})
    assert ok.status_code == 302
    assert (an.result, binh.result, binh.mismatch_fields, binh.checked_on) == (
        "matched", "mismatched", "birth,gender", today_vn())
    client.logout()
    client.login("xa.vinhmy")
    queue = client.get("/xa/doi-sanh").get_data(as_text=True)
    assert "Sai lệch: Ngày sinh, Giới tính" in queue and "Cần xử lý: 1" in queue
    detail = client.get(f"/xa/doi-tuong/{binh.beneficiary_id}").get_data(as_text=True)
    assert "<strong>Sai lệch</strong> (Ngày sinh, Giới tính) ngày " + today_vn().strftime("%d/%m/%Y") in detail
    client.post(f"/xa/doi-sanh/{binh.id}/xu-ly", {"resolution": "confirmed", "note": ""})
    assert binh.resolution is None  # a note is required
    client.post(f"/xa/doi-sanh/{binh.id}/xu-ly", {"resolution": "confirmed", "note": "Đã xem giấy khai sinh"})
    assert (binh.resolution, binh.resolution_note) == ("confirmed", "Đã xem giấy khai sinh")
    assert "Cần xử lý: 0" in client.get("/xa/doi-sanh").get_data(as_text=True)


def test_police_of_vinh_my_cannot_reach_tan_loi_checks(client, people):
    _, (loi,) = _round(people)
    client.login("congan.vinhmy")
    assert client.get(f"/cong-an/doi-sanh/{loi.id}").status_code == 404
    assert client.post(f"/cong-an/doi-sanh/{loi.id}", {"result": "matched"}).status_code == 404
    assert client.post("/cong-an/doi-sanh/khop", {"check_id": loi.id}).status_code == 404
    ws = load_workbook(io.BytesIO(client.get("/cong-an/doi-sanh/danh-sach.xlsx").data)).active
    assert [r[5] for r in ws.iter_rows(min_row=4, values_only=True)] == ["089040000001", "089141000002"]
    assert loi.result == "pending"
    client.logout()
    client.login("congan.tanloi")
    assert "Chau Sóc Lợi" in client.get("/cong-an/doi-sanh").get_data(as_text=True)
    assert client.get(f"/cong-an/doi-sanh/{loi.id}").status_code == 200
    for url in ("/xa/doi-sanh", "/huyen/bien-dong", "/xa/bien-dong"):
        assert client.get(url).status_code == 403


def test_police_upload_errors_with_row_numbers_then_success(client, people):
    (an, binh), _ = _round(people)
    client.login("congan.vinhmy")
    sheet = client.get("/cong-an/doi-sanh/danh-sach.xlsx").data
    wb = load_workbook(io.BytesIO(sheet))
    ws = wb.active
    ws["G4"], ws["G5"] = "Khớp", "Không rõ"
    out = io.BytesIO()
    wb.save(out)
    resp = client.post("/cong-an/doi-sanh/tai-len", {"file": (io.BytesIO(out.getvalue()), "kq.xlsx")},
                       content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "Dòng 5: Kết quả «Không rõ» không hợp lệ" in html
    assert "chưa ghi nhận dòng nào" in html and an.result == "pending"
    ws["G5"], ws["H5"] = "Sai lệch", "Họ tên"
    out = io.BytesIO()
    wb.save(out)
    resp = client.post("/cong-an/doi-sanh/tai-len", {"file": (io.BytesIO(out.getvalue()), "kq.xlsx")},
                       content_type="multipart/form-data")
    assert resp.status_code == 302
    assert (an.result, binh.result, binh.mismatch_fields) == ("matched", "mismatched", "full_name")


def test_change_form_submission_returned_then_accepted(client, people):
    an = people["an"]
    client.login("xa.vinhmy")
    url = f"/xa/doi-tuong/{an.id}/bien-dong?thang=2024-08"
    assert "Ghi biến động" in client.get(url).get_data(as_text=True)
    bad = client.post(url, {"kind": "suspend", "effective_month": "09/2024", "decision_number": ""})
    assert bad.status_code == 422 and "Chưa nhập số quyết định" in bad.get_data(as_text=True)
    assert 'value="09/2024"' in bad.get_data(as_text=True)
    ok = client.post(url, {"kind": "suspend", "effective_month": "09/2024", "decision_number": "45/QĐ-UBND",
                           "decision_date": "20/08/2024"})
    assert ok.status_code == 302
    sub = ChangeSubmission.query.filter_by(commune_code="30322", month=date(2024, 8, 1)).one()
    page = client.get("/xa/bien-dong?thang=2024-08").get_data(as_text=True)
    assert "Nguyễn Văn An" in page and "Tạm dừng" in page and "45/QĐ-UBND ngày 20/08/2024" in page
    assert client.post(f"/xa/bien-dong/danh-sach/{sub.id}/gui").status_code == 302
    assert sub.status == "submitted"
    client.logout()
    client.login("pld.chaudoc")
    resp = client.get("/huyen/bien-dong?trang_thai=submitted")
    assert resp.status_code == 200  # the filter once became the HTTP status line
    listing = resp.get_data(as_text=True)
    assert "Phường Vĩnh Mỹ" in listing and "08/2024" in listing
    no_reason = client.post(f"/huyen/bien-dong/{sub.id}/tra-lai", {"reason": " "})
    assert no_reason.status_code == 422 and "Nhập lý do trả lại" in no_reason.get_data(as_text=True)
    client.post(f"/huyen/bien-dong/{sub.id}/tra-lai", {"reason": "Thiếu biên bản xác minh"})
    assert (sub.status, sub.return_reason) == ("returned", "Thiếu biên bản xác minh")
    client.logout()
    client.login("xa.vinhmy")
    assert "Bị trả lại: Thiếu biên bản xác minh" in client.get("/xa/bien-dong?thang=2024-08").get_data(as_text=True)
    client.post(f"/xa/bien-dong/danh-sach/{sub.id}/gui")
    client.logout()
    client.login("pld.chaudoc")
    assert client.post(f"/huyen/bien-dong/{sub.id}/chap-nhan").status_code == 302
    assert sub.status == "accepted" and db.session.get(Beneficiary, an.id).status == "suspended"
    client.logout()
    client.login("pld.tinhbien")  # another district
    assert client.get(f"/huyen/bien-dong/{sub.id}").status_code == 404
    assert client.post(f"/huyen/bien-dong/{sub.id}/tra-lai", {"reason": "x"}).status_code == 404


def test_move_received_by_new_commune(client, people):
    an = people["an"]
    client.login("xa.vinhmy")
    client.post(f"/xa/doi-tuong/{an.id}/bien-dong?thang=2024-09", {
        "kind": "move_out", "effective_month": "10/2024", "decision_number": "50/QĐ", "to_commune": "30535"})
    out = RegistryEvent.query.filter_by(kind="move_out").one()
    client.post(f"/xa/bien-dong/danh-sach/{out.submission_id}/gui")
    client.logout()
    client.login("xa.tanloi")
    page = client.get("/xa/bien-dong?thang=2024-09").get_data(as_text=True)
    assert "Chuyển đến chờ tiếp nhận" in page and "Nguyễn Văn An" in page and "Phường Vĩnh Mỹ" in page
    incoming = out.linked_event_id
    client.post(f"/xa/bien-dong/{incoming}/tiep-nhan?thang=2024-09", {"decision_number": "7/QĐ"})
    assert db.session.get(RegistryEvent, incoming).submission_id is None  # move-out not accepted yet
    client.logout()
    client.login("pld.chaudoc")
    client.post(f"/huyen/bien-dong/{out.submission_id}/chap-nhan")
    client.logout()
    client.login("xa.tanloi")
    client.post(f"/xa/bien-dong/{incoming}/tiep-nhan?thang=2024-09", {"decision_number": "7/QĐ"})
    sub_id = db.session.get(RegistryEvent, incoming).submission_id
    client.post(f"/xa/bien-dong/danh-sach/{sub_id}/gui")
    client.logout()
    client.login("pld.tinhbien")
    client.post(f"/huyen/bien-dong/{sub_id}/chap-nhan")
    assert db.session.get(Beneficiary, an.id).commune_code == "30535"
    client.logout()
    client.login("xa.tanloi")
    assert client.get(f"/xa/doi-tuong/{an.id}").status_code == 200
    client.logout()
    client.login("xa.vinhmy")
    assert client.get(f"/xa/doi-tuong/{an.id}").status_code == 404


def test_authorization_form_expiry_list_and_revoke(client, people):
    binh = people["binh"]
    client.login("xa.vinhmy")
    url = f"/xa/doi-tuong/{binh.id}/uy-quyen"
    today = today_vn()
    data = {"proxy_name": "Trần Văn Con", "proxy_national_id": "08918800012", "proxy_relationship": "Con",
            "scope_receive": "y", "valid_from": (today - timedelta(days=300)).strftime("%d/%m/%Y"),
            "valid_to": (today + timedelta(days=20)).strftime("%d/%m/%Y"), "certification_number": "88/CT",
            "certified_on": (today - timedelta(days=300)).strftime("%d/%m/%Y")}
    bad = client.post(url, data)
    assert bad.status_code == 422 and "12 chữ số" in bad.get_data(as_text=True)
    assert 'value="Trần Văn Con"' in bad.get_data(as_text=True)
    assert client.post(url, data | {"proxy_national_id": "089188000123"}).status_code == 302
    a = Authorization.query.one()
    expiring = client.get("/xa/uy-quyen").get_data(as_text=True)
    assert "Trần Văn Con (Con)" in expiring and "20 ngày" in expiring
    assert "Trần Văn Con" in client.get(f"/xa/doi-tuong/{binh.id}").get_data(as_text=True)
    client.post(f"/xa/uy-quyen/{a.id}/thu-hoi", {"reason": "Tự nhận"})
    assert a.revoked_on == today
    expiring, letters = client.get("/xa/uy-quyen").get_data(as_text=True).split("Tất cả giấy ủy quyền")
    assert "Trần Văn Con (Con)" not in expiring  # no longer about to expire: revoked
    assert "Trần Văn Con (Con)" in letters and "<td>Đã thu hồi</td>" in letters  # the full list keeps it
    client.logout()
    client.login("xa.tanloi")
    assert client.post(f"/xa/uy-quyen/{a.id}/thu-hoi").status_code == 404


def test_pages_stay_small(client, people):
    make = [make_beneficiary(f"Người Thứ {chr(65 + i % 26)}{i}", birth_year=1940, national_id=f"0891{i:08d}")
            for i in range(60)]
    assert make
    _round(people)
    client.login("congan.vinhmy")
    frag = client.get("/cong-an/doi-sanh?page=2", htmx=True)
    assert frag.status_code == 200 and b"<html" not in frag.data
    assert len(frag.data) <= 5 * 1024, len(frag.data)
    assert "Trang 2/5" in frag.get_data(as_text=True)  # 15 a page
    assert re.search(r"62 người chờ đối sánh", frag.get_data(as_text=True))
    assert IdentityCheck.query.count() == 63


def test_authorization_menu_lists_every_letter_and_finds_the_person_to_add_one(client, people):
    binh = people["binh"]
    client.login("xa.vinhmy")
    page = client.get("/xa/uy-quyen").get_data(as_text=True)
    assert "<h2>Thêm giấy ủy quyền</h2>" in page and "Tất cả giấy ủy quyền (0)" in page
    found = client.get("/xa/uy-quyen?q=" + binh.full_name.split()[-1]).get_data(as_text=True)
    assert f'href="/xa/doi-tuong/{binh.id}/uy-quyen"' in found and binh.full_name in found
    assert "Không tìm thấy đối tượng khớp «zzz»" in client.get("/xa/uy-quyen?q=zzz").get_data(as_text=True)


@pinned_clock
def test_a_2025_commune_sends_a_cross_check_that_its_police_answers(client, app):
    """12/2026: Phường Châu Đốc (2025 tree) sends its people for the population-database check; the police of
    Phường Châu Đốc — an organisation of the 2025 tree — sees them and answers; Chi Lăng's police does not."""
    chau_doc, chi_lang = "30316@2025", "30505@2025"
    police = db.session.execute(select(Organization.unit_code, Organization.name).where(
        Organization.kind == "police", Organization.unit_code.in_([chau_doc, chi_lang]))
        .order_by(Organization.unit_code)).all()
    assert police == [(chau_doc, "Công an Phường Châu Đốc"), (chi_lang, "Công an Phường Chi Lăng")]
    hoa = make_beneficiary("Phan Thị Hòa", commune_code=chau_doc, gender="female", birth_date=date(1950, 3, 4),
                           national_id="089150000005", start_month=date(2025, 8, 1))
    db.session.commit()
    client.login("ubnd.chaudoc")
    assert client.post("/xa/doi-sanh/gui").status_code == 302
    assert "Chờ công an: 1" in client.get("/xa/doi-sanh").get_data(as_text=True)
    check = db.session.execute(select(IdentityCheck).where(IdentityCheck.beneficiary_id == hoa.id)).scalar_one()
    client.logout()
    client.login("congan.chilang")
    assert "089150000005" not in client.get("/cong-an/doi-sanh").get_data(as_text=True)
    client.logout()
    client.login("congan.chaudoc")
    html = client.get("/cong-an/doi-sanh").get_data(as_text=True)
    assert "1 người chờ đối sánh" in html and "Phan Thị Hòa" in html and "089150000005" in html
    assert client.post("/cong-an/doi-sanh/khop", {"check_id": check.id}).status_code == 302
    db.session.expire_all()
    assert (db.session.get(IdentityCheck, check.id).result,
            db.session.get(IdentityCheck, check.id).checked_on) == ("matched", date(2026, 12, 6))
