"""District pages: build the month's lists, see control totals and exclusions, approval rules on the web (button
only for another approver, 422/403 with the Vietnamese message), commune confirmation, PDF and sheet downloads."""
import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from portal.extensions import db
from portal.formatting import amount_in_words
from portal.models import PayoutList
from tests.factories import chau_doc_people, make_beneficiary


@pytest.fixture
def people(app):
    p = chau_doc_people()
    db.session.commit()
    return p


def _list(commune="30322", channel="account"):
    return db.session.execute(select(PayoutList).where(
        PayoutList.commune_code == commune, PayoutList.channel == channel)).scalar_one()


def test_build_shows_lists_control_totals_and_exclusions(client, people):
    client.login("pld.chaudoc")
    resp = client.post("/huyen/chi-tra/lap", {"month": "2024-08"}, htmx=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and len(resp.data) <= 5 * 1024
    assert "<html" not in html  # only the lists fragment
    assert "Đã lập 4 danh sách tháng 08/2024" in html
    assert "Đặng Thị Lan" in html and "Không có hệ số cho diện K1 ở tuổi 17 trong tháng 08/2024." in html
    rows = html.split('id="month-lists"')[1]
    assert ('Phường Vĩnh Mỹ</td><td><abbr title="Trợ cấp xã hội">TCXH</abbr></td><td>Chuyển khoản</td>' in rows
            and ">1.500.000<" in rows)
    assert ">1.250.000<" in rows and ">1.000.000<" in rows and "Phường Núi Sam" in rows and ">750.000<" in rows
    assert 'Tổng cộng (4 danh sách)</td><td class="num">6</td><td class="num">4.500.000</td>' in rows
    page = client.get("/huyen/?thang=2024-08").get_data(as_text=True)
    assert "Danh sách chi trả tháng 08/2024" in page and "4.500.000" in page


def test_invalid_month_is_422_and_keeps_what_was_typed(client, people):
    client.login("pld.chaudoc")
    resp = client.post("/huyen/chi-tra/lap", {"month": "2024-13"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "Tháng không hợp lệ: «2024-13»" in html and 'value="2024-13"' in html
    assert db.session.execute(select(PayoutList)).first() is None


def test_preparer_cannot_approve_on_the_web(client, people):
    client.login("pld.chaudoc.duyet")  # an approver who builds the lists becomes their preparer
    client.post("/huyen/chi-tra/lap", {"month": "2024-08"})
    lst = _list()
    client.logout()
    client.login("xa.vinhmy")
    assert client.post(f"/xa/chi-tra/{lst.id}/xac-nhan").status_code == 302
    client.logout()
    client.login("pld.chaudoc.duyet")
    page = client.get(f"/huyen/chi-tra/{lst.id}").get_data(as_text=True)
    assert "Phê duyệt danh sách</button>" not in page and "không được tự phê duyệt" in page
    resp = client.post(f"/huyen/chi-tra/{lst.id}/phe-duyet")
    assert resp.status_code == 422
    assert "Người lập danh sách không được tự phê duyệt" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert _list().status == "confirmed"


def test_approval_after_commune_confirmation_then_frozen(client, people):
    client.login("pld.chaudoc")
    client.post("/huyen/chi-tra/lap", {"month": "2024-08"})
    lst_id = _list().id
    resp = client.post(f"/huyen/chi-tra/{lst_id}/phe-duyet")  # not an approver
    assert resp.status_code == 403 and "Bạn không có quyền phê duyệt" in resp.get_data(as_text=True)
    client.logout()
    client.login("pld.chaudoc.duyet")
    resp = client.post(f"/huyen/chi-tra/{lst_id}/phe-duyet")  # before the commune confirmed
    assert resp.status_code == 422 and "chưa được UBND xã/phường xác nhận" in resp.get_data(as_text=True)
    client.logout()

    client.login("xa.vinhmy")
    mine = client.get("/xa/chi-tra").get_data(as_text=True)
    assert "08/2024" in mine and "Chuyển khoản" in mine and "1.500.000" in mine
    detail = client.get(f"/xa/chi-tra/{lst_id}").get_data(as_text=True)
    assert "Xác nhận danh sách</button>" in detail and "Bùi Ngọc Vũ" in detail
    assert client.post(f"/xa/chi-tra/{lst_id}/xac-nhan").status_code == 302
    again = client.post(f"/xa/chi-tra/{lst_id}/xac-nhan")
    assert again.status_code == 422 and "chỉ xác nhận được bản dự thảo" in again.get_data(as_text=True)
    client.logout()

    client.login("pld.chaudoc.duyet")
    assert "Phê duyệt danh sách</button>" in client.get(f"/huyen/chi-tra/{lst_id}").get_data(as_text=True)
    assert client.post(f"/huyen/chi-tra/{lst_id}/phe-duyet").status_code == 302
    page = client.get(f"/huyen/chi-tra/{lst_id}").get_data(as_text=True)
    assert "Đã phê duyệt" in page and "Phạm Thị Duyệt" in page
    # rebuilding the month leaves the approved list as it was
    make_beneficiary("Lý Văn Mới", birth_date=date(1940, 4, 4), payment_channel="cash_at_point")
    db.session.commit()
    resp = client.post("/huyen/chi-tra/lap", {"month": "2024-08"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/huyen/?thang=2024-08")
    assert "1 danh sách đã phê duyệt được giữ nguyên" in client.get(resp.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert (_list().people_count, _list().total_amount, _list().status) == (2, 1_500_000, "approved")
    assert _list(channel="cash_at_point").people_count == 3


def test_out_of_area_list_is_404(client, people):
    client.login("pld.chaudoc")
    client.post("/huyen/chi-tra/lap", {"month": "2024-08"})
    lst_id = _list().id
    client.logout()
    client.login("pld.tinhbien")
    assert client.get(f"/huyen/chi-tra/{lst_id}").status_code == 404
    assert client.post(f"/huyen/chi-tra/{lst_id}/phe-duyet").status_code == 404
    client.logout()
    client.login("xa.tanloi")
    assert client.get(f"/xa/chi-tra/{lst_id}").status_code == 404


def test_lines_are_paged_with_small_fragments(client, app):
    for i in range(20):
        make_beneficiary(f"Nguyễn Văn Người Thứ {i:02d}", birth_date=date(1940, 1, 1))
    db.session.commit()
    client.login("pld.chaudoc")
    client.post("/huyen/chi-tra/lap", {"month": "2024-08"})
    lst_id = _list(channel="cash_at_point").id
    resp = client.get(f"/huyen/chi-tra/{lst_id}?trang=2", htmx=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and len(resp.data) <= 5 * 1024
    assert ">16</td>" in html and ">20</td>" in html and ">15</td>" not in html and "Trang 2/2" in html


def test_pdf_of_a_list_reads_back(client, people):
    client.login("pld.chaudoc")
    client.post("/huyen/chi-tra/lap", {"month": "2024-08"})
    lst = _list(channel="cash_at_point")
    resp = client.get(f"/van-ban/danh-sach-chi-tra/{lst.id}.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(resp.data)).pages).split())
    assert "DANH SÁCH CHI TRẢ TRỢ CẤP XÃ HỘI HẰNG THÁNG" in text
    assert "Tháng 08/2024" in text and "Phường Vĩnh Mỹ" in text and "Trương Văn Phúc" in text
    assert f"Bằng chữ: {amount_in_words(1_250_000)}" in text
    assert amount_in_words(1_250_000) == "Một triệu hai trăm năm mươi nghìn đồng"
    sheet = client.get(f"/van-ban/danh-sach-chi-tra/{lst.id}.xlsx")
    assert sheet.status_code == 200 and sheet.data[:2] == b"PK"
    client.logout()
    client.login("xa.vinhmy")
    assert client.get(f"/van-ban/danh-sach-chi-tra/{lst.id}.pdf").status_code == 200
    assert client.get(f"/van-ban/danh-sach-chi-tra/{lst.id}.xlsx").status_code == 403
    client.logout()
    for username in ("agribank.chaudoc", "congan.vinhmy", "buudien.chaudoc", "xa.tanloi"):  # draft: not for the post
        client.login(username)
        assert client.get(f"/van-ban/danh-sach-chi-tra/{lst.id}.pdf").status_code == 404, username
        client.logout()


def test_building_another_month_shows_that_month_everywhere(client, people):
    client.login("pld.chaudoc")
    resp = client.post("/huyen/chi-tra/lap", {"month": "2024-08"}, htmx=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and len(resp.data) <= 5 * 1024 and "<html" not in html
    assert resp.headers["HX-Push-Url"] == "/huyen/?thang=2024-08"
    assert "<h1>Danh sách chi trả tháng 08/2024</h1>" in html
    assert 'name="thang" value="2024-08"' in html  # "Xem tháng" follows the built month
    assert "Đã lập 4 danh sách tháng 08/2024; 1 người không đưa vào danh sách" in html
    # without JavaScript: redirect to the month's page, summary flashed, who is left off still listed
    resp = client.post("/huyen/chi-tra/lap", {"month": "2024-08"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/huyen/?thang=2024-08")
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "<h1>Danh sách chi trả tháng 08/2024</h1>" in page and 'name="thang" value="2024-08"' in page
    assert "Đã lập 4 danh sách tháng 08/2024; 1 người không đưa vào danh sách" in page
    assert "Tổng cộng (4 danh sách)" in page
    # reloading later: the exclusions are recomputed, and someone added after the build shows up
    make_beneficiary("Lý Văn Sau", birth_date=date(1940, 4, 4))
    db.session.commit()
    page = client.get("/huyen/?thang=2024-08").get_data(as_text=True)
    section = page.split('id="exclusions"')[1]
    assert "Không có trong danh sách tháng 08/2024 (2 người)" in section
    assert "Đặng Thị Lan" in section and "Không có hệ số cho diện K1 ở tuổi 17 trong tháng 08/2024." in section
    assert "Lý Văn Sau" in section and "bấm «Lập danh sách» để lập lại" in section
    assert 'id="exclusions"' not in client.get("/huyen/?thang=2024-09").get_data(as_text=True)  # no lists yet


def test_awaiting_account_marker_on_the_list_pages(client, people):
    client.login("pld.chaudoc")
    client.post("/huyen/chi-tra/lap", {"month": "2024-08"})
    point = _list(channel="cash_at_point")
    page = client.get(f"/huyen/chi-tra/{point.id}").get_data(as_text=True)
    rows = page.split("<tbody>")[1].split("</tbody>")[0]
    assert rows.count("Chờ mở tài khoản") == 1
    assert "Huỳnh Minh Khải <span class=\"badge awaiting\"" in rows
    client.logout()
    client.login("xa.vinhmy")
    page = client.get(f"/xa/chi-tra/{point.id}").get_data(as_text=True)
    assert "Huỳnh Minh Khải <span class=\"badge awaiting\"" in page
    assert 'hx-disabled-elt="find button"' in page.split("Xác nhận danh sách</button>")[0].rsplit("<form", 1)[1]


def test_second_confirmation_at_once_is_a_422(client, people, monkeypatch):
    from sqlalchemy import text

    from portal.blueprints.commune import payouts as commune_payouts
    client.login("pld.chaudoc")
    client.post("/huyen/chi-tra/lap", {"month": "2024-08"})
    lst = _list()
    client.logout()
    client.login("xa.vinhmy")
    real, engine = commune_payouts.confirm_list, db.engine

    def first_click_won(actor, stale):  # the other request commits between our read and our write
        with engine.begin() as conn:
            conn.execute(text("UPDATE payout_list SET status='confirmed', version=version+1 WHERE id=:i"),
                         {"i": stale.id})
        return real(actor, stale)
    monkeypatch.setattr(commune_payouts, "confirm_list", first_click_won)
    resp = client.post(f"/xa/chi-tra/{lst.id}/xac-nhan")
    assert resp.status_code == 422
    assert "Danh sách vừa được xác nhận hoặc lập lại bởi người khác." in resp.get_data(as_text=True)
    db.session.expire_all()
    assert _list().status == "confirmed" and _list().confirmed_by_id is None  # only the other click's change


def test_page_of_lines_with_many_waiting_for_an_account_stays_small(client, app):
    for i in range(20):
        make_beneficiary(f"Nguyễn Thị Người Chờ Tài Khoản {i:02d}", birth_date=date(1940, 1, 1),
                         payment_channel="bank_account")
    db.session.commit()
    client.login("pld.chaudoc")
    client.post("/huyen/chi-tra/lap", {"month": "2024-08"})
    resp = client.get(f"/huyen/chi-tra/{_list(channel='cash_at_point').id}?trang=1", htmx=True)
    html = resp.get_data(as_text=True)
    assert html.count('<span class="badge awaiting">Chờ mở tài khoản</span>') == 15
    assert "Chờ mở tài khoản: người đã chọn nhận qua tài khoản" in html and len(resp.data) <= 5 * 1024


def test_why_there_is_no_approve_button_is_said(client, people):
    from portal.services.demo import user_by_username
    from portal.services.payouts.workflow import confirm_list
    client.login("pld.chaudoc.duyet")
    assert "một người phê duyệt khác phải phê duyệt" in client.get("/huyen/?thang=2024-08").get_data(as_text=True)
    client.logout()
    client.login("pld.chaudoc")
    assert "một người phê duyệt khác" not in client.get("/huyen/?thang=2024-08").get_data(as_text=True)
    client.post("/huyen/chi-tra/lap", {"month": "2024-08"})
    lst = _list()
    confirm_list(user_by_username("xa.vinhmy"), lst)
    db.session.commit()
    client.logout()
    client.login("pld.tinhbien.duyet")  # an approver of another district sees nothing of it
    assert client.get(f"/huyen/chi-tra/{lst.id}").status_code == 404
    client.logout()
    client.login("pld.chaudoc")
    html = client.get(f"/huyen/chi-tra/{lst.id}").get_data(as_text=True)
    assert "Phê duyệt danh sách" not in html and "Bạn là người lập danh sách" in html


def test_draft_list_flagged_after_a_change_until_rebuilt(client, people):
    """A draft built before a bank account was recorded says so (list page and month page) with the rebuild
    action; rebuilding clears it; a confirmed list is not flagged."""
    from portal.services.accounts.opening import mark_opened
    from portal.services.demo import user_by_username
    from portal.services.payouts.staleness import changes_since_build
    client.login("pld.chaudoc")
    client.post("/huyen/chi-tra/lap", {"month": "2024-08"})
    point = _list(channel="cash_at_point")
    assert changes_since_build(point) == 0
    assert "hãy lập lại" not in client.get(f"/huyen/chi-tra/{point.id}").get_data(as_text=True)
    mark_opened(user_by_username("agribank.chaudoc"), people["khai"], "1164000000017", date(2024, 8, 2))
    db.session.commit()
    assert changes_since_build(point) == 1
    assert changes_since_build(_list(commune="30325", channel="cash_at_point")) == 0  # Núi Sam: nothing changed
    page = client.get(f"/huyen/chi-tra/{point.id}").get_data(as_text=True)
    assert "Danh sách lập lúc " in page
    assert "sau đó có 1 thay đổi (tài khoản) — hãy lập lại trước khi gửi xã xác nhận." in page
    assert f'action="/huyen/chi-tra/{point.id}/lap-lai"' in page and "Lập lại danh sách</button>" in page
    month = client.get("/huyen/?thang=2024-08").get_data(as_text=True)
    assert "3 danh sách dự thảo đã cũ" in month  # Vĩnh Mỹ's three lists; Núi Sam's is up to date
    assert month.count("sau đó có 1 thay đổi (tài khoản)") == 3
    resp = client.post(f"/huyen/chi-tra/{point.id}/lap-lai")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/huyen/chi-tra/{point.id}")
    db.session.expire_all()
    assert changes_since_build(point) == 0 and [line.full_name for line in point.lines] == ["Trương Văn Phúc"]
    account = _list(channel="account")
    assert sorted(line.full_name for line in account.lines) == ["Bùi Ngọc Vũ", "Huỳnh Minh Khải", "Võ Ngọc Yến"]
    page = client.get(f"/huyen/chi-tra/{point.id}").get_data(as_text=True)
    assert "hãy lập lại" not in page and "Lập lại danh sách" not in page
    client.logout()
    client.login("xa.vinhmy")
    assert client.post(f"/xa/chi-tra/{point.id}/xac-nhan").status_code == 302
    people["phuc"].status = "stopped"  # a register change after the commune confirmed: not flagged
    db.session.commit()
    assert changes_since_build(point) == 0 and changes_since_build(account) == 1  # the account list is a draft


def test_registry_change_makes_the_draft_stale(client, people):
    from portal.services.payouts.staleness import staleness_by_list
    client.login("pld.chaudoc")
    client.post("/huyen/chi-tra/lap", {"month": "2024-08"})
    make_beneficiary("Ngô Văn Tư", birth_year=1935)  # added to Vĩnh Mỹ after the build
    people["phuc"].status = "stopped"
    db.session.commit()
    point = _list(channel="cash_at_point")
    found = staleness_by_list([point])[point.id]
    assert (found.count, found.accounts, found.registry, found.kinds) == (2, 0, 2, "biến động")


def test_district_download_names(client, people):
    client.login("pld.chaudoc")
    client.post("/huyen/chi-tra/lap", {"month": "2024-08"})
    home = _list(channel="cash_at_home")
    sheet = client.get(f"/van-ban/danh-sach-chi-tra/{home.id}.xlsx")
    assert sheet.headers["Content-Disposition"] == (
        'attachment; filename="Bang-ke-chi-tra-2024-08-Phuong-Vinh-My-TCXH-tien-mat-tai-nha.xlsx"')


def test_draft_list_flagged_after_a_further_category_is_added(client, people):
    """Adding a further category from the list's month changes the amount: the list counts 1 change."""
    from portal.services.demo import user_by_username
    from portal.services.entitlement import categories
    from portal.services.payouts.staleness import changes_since_build
    client.login("pld.chaudoc")
    client.post("/huyen/chi-tra/lap", {"month": "2024-08"})
    point = _list(channel="cash_at_point")
    assert changes_since_build(point) == 0
    categories.add_category(user_by_username("xa.vinhmy"), people["phuc"],
                                    {"category_code": "K5a", "valid_from": "08/2024", "decision_number": "15/QĐ"},
                                    month=date(2024, 8, 1))
    db.session.commit()
    assert changes_since_build(point) == 1
    page = client.get(f"/huyen/chi-tra/{point.id}").get_data(as_text=True)
    assert "sau đó có 1 thay đổi (biến động) — hãy lập lại trước khi gửi xã xác nhận." in page
