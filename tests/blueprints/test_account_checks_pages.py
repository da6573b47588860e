"""Account-check pages: the commune downloads the check file of a bank, uploads the bank's answer (a bad file shows
row errors and records nothing; a good one moves the failing line to cash), and sees the reason on its cash list."""
import io

import openpyxl
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AccountCheck, PayoutList
from portal.services.demo import user_by_username as user
from portal.services.payouts.build import build_lists
from tests.conftest import pinned_clock
from tests.factories import AUG, chau_doc_people
from tests.services.test_account_checks import answer_file

pytestmark = pinned_clock


def _upload(client, content):
    return client.post("/kiem-tra-tai-khoan/tra-loi?thang=2024-08", {"file": (io.BytesIO(content), "kq.xlsx")},
                       content_type="multipart/form-data")


def test_check_round_trip_pages(client):
    p = chau_doc_people()
    db.session.commit()
    build_lists(user("pld.chaudoc"), AUG)
    db.session.commit()
    client.login("xa.vinhmy")
    page = client.get("/kiem-tra-tai-khoan/?thang=2024-08").get_data(as_text=True)
    assert "Agribank</a>: 1 tài khoản" in page and "VietinBank</a>: 1 tài khoản" in page
    resp = client.get("/kiem-tra-tai-khoan/tep?nh=VBA&thang=2024-08")
    assert resp.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(resp.data)).active
    assert [r[3] for r in ws.iter_rows(values_only=True) if r[0] == 1] == ["1164963643329"]
    vu = p["vu"]
    bad = _upload(client, answer_file([[1, vu.national_id, vu.full_name, "1164963643329", "Agribank", "khoá"]]))
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "chưa ghi nhận dòng nào" in text and "Dòng 4: tình trạng «khoá» không có trong danh mục" in text
    assert db.session.scalar(select(func.count()).select_from(AccountCheck)) == 0
    good = _upload(client, answer_file([[1, vu.national_id, vu.full_name, "1164963643329", "Agribank",
                                         "Sai tên chủ tài khoản"]]))
    assert good.status_code == 302
    page = client.get(good.headers["Location"]).get_data(as_text=True)
    assert "1 chuyển sang chi tiền mặt tại điểm chi trả" in page
    reason = "Tài khoản không dùng được: Sai tên chủ tài khoản (Ngân hàng báo, 08/2024)"
    assert reason in page
    cash = db.session.execute(select(PayoutList).where(PayoutList.month == AUG, PayoutList.commune_code == "30322",
                                                       PayoutList.channel == "cash_at_point")).scalar_one()
    listing = client.get(f"/xa/chi-tra/{cash.id}").get_data(as_text=True)
    assert listing.count("<td>Bùi Ngọc Vũ ") == 1  # one line, with the reason beside the name
    assert f"Bùi Ngọc Vũ <span class=\"badge awaiting account-problem\">{reason}</span>" in listing


def test_police_and_post_office_may_not(client):
    for name in ("congan.vinhmy", "buudien.chaudoc"):
        client.login(name)
        assert client.get("/kiem-tra-tai-khoan/").status_code == 403
        client.logout()
