"""Post office pages: approved lists only, results line by line (htmx row ≤ 5 KB, 422 keeps what was typed), the
payment sheet downloaded, filled in and uploaded back (row errors with Excel row numbers, nothing half-recorded),
paid / unpaid totals."""
import io
from datetime import date

import openpyxl
import pytest

from portal.extensions import db
from portal.models import PayoutList
from tests.factories import accept_lists, chau_doc_people, run_to_accepted, run_to_approved


@pytest.fixture
def approved(app):
    chau_doc_people()
    return run_to_approved()


@pytest.fixture
def lists(app):
    """Vĩnh Mỹ's lists, approved and accepted by the post office (results may be recorded)."""
    chau_doc_people()
    return run_to_accepted()


def _filled(sheet: bytes, edits: dict) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(sheet))
    for (row, col), value in edits.items():
        wb.active.cell(row=row, column=col, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_index_shows_only_approved_lists_of_this_post_office(client, approved):
    lists = approved
    client.login("buudien.chaudoc")
    html = client.get("/buu-dien/").get_data(as_text=True)
    assert html.count("Phường Vĩnh Mỹ") == 3 and "Phường Núi Sam" not in html  # Núi Sam is still a draft
    assert "1.500.000" in html and "Đã phê duyệt" in html
    nui_sam = db.session.query(PayoutList).filter_by(commune_code="30325").one()
    assert client.get(f"/buu-dien/danh-sach/{nui_sam.id}").status_code == 404
    client.logout()
    client.login("buudien.tinhbien")
    assert "Phường Vĩnh Mỹ" not in client.get("/buu-dien/").get_data(as_text=True)
    assert client.get(f"/buu-dien/danh-sach/{lists['account'].id}").status_code == 404


def test_results_one_by_one_with_htmx(client, lists):
    acc = lists["account"]
    vu, yen = acc.lines[0].id, acc.lines[1].id
    client.login("buudien.chaudoc")
    page = client.get(f"/buu-dien/danh-sach/{acc.id}").get_data(as_text=True)
    assert "Bùi Ngọc Vũ" in page and "1164963643329" in page and "K6" not in page  # no category for the post office
    form = client.get(f"/buu-dien/dong/{yen}", htmx=True)
    assert form.status_code == 200 and len(form.data) <= 5 * 1024 and "<html" not in form.get_data(as_text=True)
    bad = client.post(f"/buu-dien/dong/{yen}", {"result": "failed", "reason": "", "paid_on": "2024-08-05"}, htmx=True)
    assert bad.status_code == 422 and "Không chi được: chọn lý do trong danh sách." in bad.get_data(as_text=True)
    assert 'value="2024-08-05"' in bad.get_data(as_text=True)
    ok = client.post(f"/buu-dien/dong/{vu}", {"result": "paid", "paid_on": "2024-08-05"}, htmx=True)
    row = ok.get_data(as_text=True)
    assert ok.status_code == 200 and len(ok.data) <= 5 * 1024
    assert row.strip().startswith(f'<tr id="line-{vu}"') and "Đã chi" in row and "05/08/2024" in row
    plain = client.post(f"/buu-dien/dong/{yen}", {"result": "failed", "reason_code": "account",
                                                  "reason": "Tài khoản bị khoá"})
    assert plain.status_code == 302
    page = client.get(f"/buu-dien/danh-sach/{acc.id}").get_data(as_text=True)
    assert "Đã chi: 1 người · 1.000.000 đ" in page and "Không chi được: 1 người · 500.000 đ" in page
    assert "Chưa chi: 0 người · 0 đ" in page and "Đã báo cáo kết quả" in page
    # the note only repeats words of the label: dropped (no "… chủ tài khoản – Tài khoản bị khoá")
    assert "sai tên chủ tài khoản</td>" in page and "Tài khoản bị khoá" not in page


def test_results_by_uploading_the_payment_sheet(client, lists):
    point = lists["cash_at_point"]
    client.login("buudien.chaudoc")
    sheet = client.get(f"/van-ban/danh-sach-chi-tra/{point.id}.xlsx")
    assert sheet.status_code == 200
    # row 6 = STT 1 Huỳnh Minh Khải 750.000, row 7 = STT 2 Trương Văn Phúc 500.000; I=Kết quả J=Lý do K=Ngày chi
    wrong = _filled(sheet.data, {(6, 9): "Đã chi", (6, 11): "05/08/2024", (7, 7): 600000, (7, 9): "Đã chi"})
    resp = client.post(f"/buu-dien/danh-sach/{point.id}/tai-len", {"file": (io.BytesIO(wrong), "ket-qua.xlsx")},
                       content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "Dòng 7: Số tiền (600.000) khác số tiền trong danh sách (500.000 đồng) của Trương Văn Phúc." in html
    assert "Dòng 7: " in html and "Chưa ghi kết quả nào vì tệp có 1 lỗi" in html
    assert "Đã chi: 0 người" in html  # nothing half-recorded
    good = _filled(sheet.data, {(6, 9): "Đã chi", (6, 11): "05/08/2024", (7, 9): "Không chi được",
                                (7, 10): "Đã chuyển đi nơi khác"})
    resp = client.post(f"/buu-dien/danh-sach/{point.id}/tai-len", {"file": (io.BytesIO(good), "ket-qua.xlsx")},
                       content_type="multipart/form-data")
    assert resp.status_code == 302
    page = client.get(f"/buu-dien/danh-sach/{point.id}").get_data(as_text=True)
    assert "Đã ghi kết quả từ tệp: 1 người đã chi, 1 người không chi được" in page
    assert "Đã chi: 1 người · 750.000 đ" in page and "Không chi được: 1 người · 500.000 đ" in page
    index = client.get("/buu-dien/").get_data(as_text=True)
    assert "750.000" in index


def test_upload_of_a_wrong_file_is_a_clear_422(client, lists):
    point = lists["cash_at_point"]
    client.login("buudien.chaudoc")
    resp = client.post(f"/buu-dien/danh-sach/{point.id}/tai-len", {"file": (io.BytesIO(b"STT;Ho ten\n1;A"), "a.csv")},
                       content_type="multipart/form-data")
    assert resp.status_code == 422 and "Chưa ghi kết quả nào" in resp.get_data(as_text=True)
    resp = client.post(f"/buu-dien/danh-sach/{point.id}/tai-len", {}, content_type="multipart/form-data")
    assert resp.status_code == 422 and "Chọn tệp .xlsx để tải lên." in resp.get_data(as_text=True)


def test_pdf_for_the_post_office(client, lists):
    client.login("buudien.chaudoc")
    resp = client.get(f"/van-ban/danh-sach-chi-tra/{lists['cash_at_home'].id}.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"


def test_cash_lists_show_hamlet_proxy_and_awaiting_account(client, app):
    people = chau_doc_people()
    people["thoa"].hamlet = "Khóm Mỹ Thới 3"
    people["thoa"].guardian_name, people["thoa"].guardian_relationship = "Nguyễn Văn Hiếu", "con"
    lists = run_to_accepted()
    client.login("buudien.chaudoc")
    page = client.get(f"/buu-dien/danh-sach/{lists['cash_at_home'].id}").get_data(as_text=True)
    table = page.split('id="lines"')[1].split("</table>")[0]
    assert "<th>Thôn/ấp, khóm</th>" in table and "Người nhận thay</th>" in table and "Tài khoản" not in table
    assert "<td>Khóm Mỹ Thới 3</td>" in table and "Nguyễn Văn Hiếu (con)" in table
    point = client.get(f"/buu-dien/danh-sach/{lists['cash_at_point'].id}").get_data(as_text=True)
    rows = point.split("<tbody")[1].split("</tbody>")[0]
    assert rows.count("Chờ mở tài khoản") == 1 and 'Huỳnh Minh Khải <span class="badge awaiting"' in rows
    line = lists["cash_at_home"].lines[0]
    saved = client.post(f"/buu-dien/dong/{line.id}", {"result": "paid", "paid_on": "2024-08-05"}, htmx=True)
    row = saved.get_data(as_text=True)
    assert saved.status_code == 200 and "Khóm Mỹ Thới 3" in row and "Nguyễn Văn Hiếu (con)" in row
    account = client.get(f"/buu-dien/danh-sach/{lists['account'].id}").get_data(as_text=True)
    assert "Thôn/ấp, khóm" not in account and "1164963643329" in account


def test_paid_before_the_approval_is_a_422(client, lists):
    line = lists["account"].lines[0]  # approved on 01/08/2024
    client.login("buudien.chaudoc")
    resp = client.post(f"/buu-dien/dong/{line.id}", {"result": "paid", "paid_on": "2024-07-01"}, htmx=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and 'value="2024-07-01"' in html
    assert "Ngày chi (01/07/2024) không được trước ngày danh sách được phê duyệt (01/08/2024)." in html
    db.session.expire_all()
    assert lists["account"].lines[0].result == "pending"


def test_uploading_the_sheet_of_another_list_gives_one_message(client, lists):
    home, point = lists["cash_at_home"], lists["cash_at_point"]
    client.login("buudien.chaudoc")
    sheet = client.get(f"/van-ban/danh-sach-chi-tra/{home.id}.xlsx").data
    filled = _filled(sheet, {(6, 9): "Đã chi", (6, 11): "05/08/2024"})
    resp = client.post(f"/buu-dien/danh-sach/{point.id}/tai-len", {"file": (io.BytesIO(filled), "ket-qua.xlsx")},
                       content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "Chưa ghi kết quả nào vì tệp có 1 lỗi" in html
    assert (f"Bảng kê này thuộc danh sách số {home.id}, không phải danh sách đang mở (số {point.id})."
            in html) and "Dòng " not in html


def test_failure_reason_form_offers_the_closed_list(client, lists):
    """Each code of the closed list is recorded from the per-line form and its label shown in the row; "other"
    needs a note (422 keeps what was chosen and typed)."""
    from portal.services.payouts.reasons import FAILURE_REASONS
    line = lists["cash_at_point"].lines[1]  # Trương Văn Phúc, 500.000, no account
    client.login("buudien.chaudoc")
    form = client.get(f"/buu-dien/dong/{line.id}", htmx=True).get_data(as_text=True)
    assert '<option selected value="">— Chọn lý do —</option>' in form
    assert '<option value="moved">Chuyển đi nơi khác</option>' in form
    for code, label in FAILURE_REASONS.items():
        note = "Đi nước ngoài" if code == "other" else ""
        resp = client.post(f"/buu-dien/dong/{line.id}", {"result": "failed", "reason_code": code, "reason": note},
                           htmx=True)
        row = resp.get_data(as_text=True).split("</tr>")[0]
        assert resp.status_code == 200, code
        assert f"Không chi được</span> – {label}" + (f" – {note}" if note else "") + "</td>" in row, code
        db.session.expire_all()
        assert (line.result, line.result_reason_code, line.result_reason) == ("failed", code, note or None)
    bad = client.post(f"/buu-dien/dong/{line.id}", {"result": "failed", "reason_code": "other", "reason": " "},
                      htmx=True)
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Lý do khác: cần ghi rõ lý do." in html
    assert '<option selected value="other">Lý do khác</option>' in html
    unknown = client.post(f"/buu-dien/dong/{line.id}", {"result": "failed", "reason_code": "lost", "reason": "Mất"},
                          htmx=True)
    html = unknown.get_data(as_text=True)
    assert unknown.status_code == 422 and "Lý do không chi được không có trong danh sách." in html
    assert 'value="Mất"' in html
    db.session.expire_all()
    # the refused posts changed nothing
    assert (line.result_reason_code, line.result_reason) == ("other", "Đi nước ngoài")
    page = client.get(f"/buu-dien/danh-sach/{lists['cash_at_point'].id}").get_data(as_text=True)
    assert "Lý do khác – Đi nước ngoài" in page


def test_saving_a_result_with_htmx_refreshes_the_totals(client, lists):
    """The row comes back with the list's summary card swapped out of band (hx-swap-oob): new totals and status."""
    acc = lists["account"]
    vu, yen = acc.lines
    client.login("buudien.chaudoc")
    page = client.get(f"/buu-dien/danh-sach/{acc.id}").get_data(as_text=True)
    assert '<div id="list-totals">' in page and "Chưa chi: 2 người · 1.500.000 đ" in page
    resp = client.post(f"/buu-dien/dong/{vu.id}", {"result": "paid", "paid_on": "2024-08-05"}, htmx=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and len(resp.data) <= 5 * 1024, len(resp.data)
    row, oob = html.split("</tr>", 1)
    assert row.strip().startswith(f'<tr id="line-{vu.id}"')
    assert '<div id="list-totals" hx-swap-oob="true">' in oob
    assert "Đã chi: 1 người · 1.000.000 đ" in oob and "Không chi được: 0 người · 0 đ" in oob
    assert "Chưa chi: 1 người · 500.000 đ" in oob and "Bưu điện đã nhận" in oob
    resp = client.post(f"/buu-dien/dong/{yen.id}", {"result": "failed", "reason_code": "absent"}, htmx=True)
    oob = resp.get_data(as_text=True).split("</tr>", 1)[1]
    assert resp.status_code == 200 and len(resp.data) <= 5 * 1024, len(resp.data)
    assert "Không chi được: 1 người · 500.000 đ" in oob and "Chưa chi: 0 người · 0 đ" in oob
    assert "Đã báo cáo kết quả" in oob
    form = client.get(f"/buu-dien/dong/{yen.id}", htmx=True).get_data(as_text=True)
    assert "hx-swap-oob" not in form and '<option selected value="absent">' in form  # the form alone


def test_account_invalidated_only_for_the_account_reason(client, lists):
    """The code decides, not the words of the note: "absent" with a note that speaks of the account keeps it."""
    from portal.models import PaymentAccount
    acc = lists["account"]
    vu, yen = acc.lines
    client.login("buudien.chaudoc")
    client.post(f"/buu-dien/dong/{yen.id}", {"result": "failed", "reason_code": "absent",
                                              "reason": "Không gặp, tài khoản vẫn dùng"}, htmx=True)
    client.post(f"/buu-dien/dong/{vu.id}", {"result": "failed", "reason_code": "account", "reason": ""}, htmx=True)
    db.session.expire_all()
    accounts = {a.account_number: a for a in db.session.query(PaymentAccount)}
    assert (accounts["4668495185680"].active, accounts["4668495185680"].status) == (True, "active")
    assert (accounts["1164963643329"].active, accounts["1164963643329"].status) == (False, "invalid")
    assert accounts["1164963643329"].status_reason == "Tài khoản bị khóa, đã đóng, sai số hoặc sai tên chủ tài khoản"


def test_download_names_are_readable_ascii(client, lists):
    client.login("buudien.chaudoc")
    pdf = client.get(f"/van-ban/danh-sach-chi-tra/{lists['cash_at_point'].id}.pdf")
    assert pdf.headers["Content-Disposition"] == (
        'attachment; filename="DS-chi-tra-2024-08-Phuong-Vinh-My-TCXH-tien-mat-tai-diem-chi-tra.pdf"')
    sheet = client.get(f"/van-ban/danh-sach-chi-tra/{lists['account'].id}.xlsx")
    assert sheet.headers["Content-Disposition"] == (
        'attachment; filename="Bang-ke-chi-tra-2024-08-Phuong-Vinh-My-TCXH-chuyen-khoan.xlsx"')
    fees = client.get("/buu-dien/chi-phi.xlsx?thang=2024-08")
    assert fees.status_code == 200 and fees.headers["Content-Disposition"].startswith(
        'attachment; filename="Chi-phi-chi-tra-2024-08-Buu-dien-')
    assert fees.headers["Content-Disposition"].isascii()


def test_results_wait_for_the_post_office_to_accept_the_list(client, approved):
    """No result (form or sheet) before «Nhận danh sách»: a clear 422, nothing recorded, the buttons hidden."""
    acc = approved["account"]
    line = acc.lines[0]
    client.login("buudien.chaudoc")
    page = client.get(f"/buu-dien/danh-sach/{acc.id}").get_data(as_text=True)
    assert "Nhận danh sách</button>" in page and "Tải lên kết quả" not in page and "Ghi kết quả</a>" not in page
    resp = client.post(f"/buu-dien/dong/{line.id}", {"result": "paid", "paid_on": "2024-08-05"}, htmx=True)
    msg = "Hãy nhận danh sách (đối chiếu tổng số người, số tiền) trước khi ghi kết quả."
    assert resp.status_code == 422 and msg in resp.get_data(as_text=True)
    sheet = client.get(f"/van-ban/danh-sach-chi-tra/{acc.id}.xlsx").data
    filled = _filled(sheet, {(6, 9): "Đã chi", (6, 11): "05/08/2024"})
    resp = client.post(f"/buu-dien/danh-sach/{acc.id}/tai-len", {"file": (io.BytesIO(filled), "kq.xlsx")},
                       content_type="multipart/form-data")
    assert resp.status_code == 422 and msg in resp.get_data(as_text=True)
    db.session.expire_all()
    assert (acc.status, line.result) == ("approved", "pending")
    accept_lists({"account": acc})
    page = client.get(f"/buu-dien/danh-sach/{acc.id}").get_data(as_text=True)
    assert "Tải lên kết quả" in page and "Ghi kết quả</a>" in page


def test_upload_does_not_reverse_a_recorded_result(client, lists):
    """A sheet saying «Không chi được» (or another date) for a line recorded paid is a row error; same value is
    unchanged."""
    point = lists["cash_at_point"]
    khai = point.lines[0]  # row 6 of the sheet
    client.login("buudien.chaudoc")
    client.post(f"/buu-dien/dong/{khai.id}", {"result": "paid", "paid_on": "2024-08-29"}, htmx=True)
    sheet = client.get(f"/van-ban/danh-sach-chi-tra/{point.id}.xlsx").data
    for edits in ({(6, 9): "Không chi được", (6, 10): "Vắng nhà", (6, 11): None},
                  {(6, 11): "05/08/2024"}):
        filled = _filled(sheet, {(7, 9): "Đã chi", (7, 11): "05/08/2024"} | edits)
        resp = client.post(f"/buu-dien/danh-sach/{point.id}/tai-len", {"file": (io.BytesIO(filled), "kq.xlsx")},
                           content_type="multipart/form-data")
        html = resp.get_data(as_text=True)
        assert resp.status_code == 422, edits
        assert ("Dòng 6: đã ghi «Đã chi» ngày 29/08/2024; muốn sửa, hãy sửa từng dòng trên trang danh sách"
                in html), edits
        db.session.expire_all()
        assert (point.lines[0].result, point.lines[0].paid_on.day, point.lines[1].result) == ("paid", 29, "pending")
    same = _filled(sheet, {(7, 9): "Đã chi", (7, 11): "05/08/2024"})
    resp = client.post(f"/buu-dien/danh-sach/{point.id}/tai-len", {"file": (io.BytesIO(same), "kq.xlsx")},
                       content_type="multipart/form-data")
    assert resp.status_code == 302
    page = client.get(f"/buu-dien/danh-sach/{point.id}").get_data(as_text=True)
    assert "Đã ghi kết quả từ tệp: 1 người đã chi, 0 người không chi được, 1 dòng không đổi." in page


def test_a_care_line_shows_and_pays_the_payee(client, app):
    """A care-support line (programme "care") is paid to the carer: their name and ID in the tables and in the
    payment sheet (the beneficiary in the content), no «Chờ mở tài khoản»; the sheet uploads back."""
    from portal.models import CareArrangement
    people = chau_doc_people()
    vu = people["vu"]  # chose an account: his care line lands on the cash list
    db.session.add(CareArrangement(beneficiary_id=vu.id, kind="household_especially_severe", payee_name="Bùi Thị Hoa",
                                   payee_national_id="089180001234", payee_relationship="Vợ",
                                   valid_from=date(2024, 8, 1)))
    db.session.commit()
    lists = run_to_accepted()
    point = lists["cash_at_point"]
    care = next(line for line in point.lines if line.programme == "care")
    shown = "Bùi Thị Hoa (người nhận hỗ trợ chăm sóc cho Bùi Ngọc Vũ)"
    client.login("buudien.chaudoc")
    page = client.get(f"/buu-dien/danh-sach/{point.id}").get_data(as_text=True)
    row = page.split(f'id="line-{care.id}"')[1].split("</tr>")[0]
    assert f"<td>{shown}</td><td>089180001234</td>" in row and "Chờ mở tài khoản" not in row
    wb = openpyxl.load_workbook(io.BytesIO(client.get(f"/van-ban/danh-sach-chi-tra/{point.id}.xlsx").data))
    sheet_row = next(r for r in wb.active.iter_rows(values_only=True) if r[0] == care.position)
    assert sheet_row[1:4] == ("Bùi Thị Hoa", "BUI THI HOA", "089180001234")
    assert sheet_row[6] == care.total and sheet_row[7] == "HTCS T08 2024 BUI THI HOA CHO BUI NGOC VU"
    out = io.BytesIO()
    r = next(c.row for c in wb.active["A"] if c.value == care.position)
    wb.active.cell(row=r, column=9, value="Đã chi")
    wb.active.cell(row=r, column=11, value="05/08/2024")
    wb.save(out)
    resp = client.post(f"/buu-dien/danh-sach/{point.id}/tai-len", {"file": (io.BytesIO(out.getvalue()), "kq.xlsx")},
                       content_type="multipart/form-data")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    db.session.expire_all()
    assert care.result == "paid"
    client.logout()
    client.login("pld.chaudoc")
    district = client.get(f"/huyen/chi-tra/{point.id}").get_data(as_text=True)
    assert shown in district and "089180001234" in district
