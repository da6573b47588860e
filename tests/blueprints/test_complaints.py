"""Complaint pages: the commune receives one through the form (a bad CCCD keeps what was typed), the payout office
re-issues the failed line in one click, the bank and the post office see only what is routed to them, overdue
complaints are listed for the commune and the province."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.clock import today_vn
from portal.extensions import db
from portal.models import Complaint, PayoutLine
from portal.services.demo import user_by_username as user
from portal.services.payouts.results import record_result
from tests.conftest import pinned_clock
from tests.factories import chau_doc_people, run_to_accepted

pytestmark = pinned_clock


@pytest.fixture
def failed(app):
    people = chau_doc_people()
    db.session.commit()
    lists = run_to_accepted()
    line = next(ln for ln in lists["account"].lines if ln.beneficiary_id == people["vu"].id)
    record_result(user("buudien.chaudoc"), line, "failed", "Chuyển không thành công", reason_code="other")
    db.session.commit()
    return people, line


def _form(people, **over):
    return {"national_id": people["vu"].national_id, "month": "08/2024", "kind": "not_received",
            "channel": "in_person", "received_on": (today_vn() - timedelta(days=2)).isoformat(),
            "description": "Con gái báo cha chưa nhận được tiền tháng 8."} | over


def test_commune_receives_and_payout_office_reissues(client, failed):
    people, line = failed
    client.login("xa.vinhmy")
    resp = client.post("/phan-anh/moi", _form(people))
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    c = db.session.execute(select(Complaint)).scalar_one()
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Chưa nhận được tiền" in page and "Phòng Lao động" in page and "1.000.000 đ" in page
    assert "/chi-lai" not in page  # the commune does not re-issue
    client.logout()

    client.login("pld.chaudoc")
    page = client.get(f"/phan-anh/{c.id}").get_data(as_text=True)
    assert "/chi-lai" in page
    resp = client.post(f"/phan-anh/{c.id}/chi-lai")
    assert resp.status_code == 302
    page = client.get(f"/phan-anh/{c.id}").get_data(as_text=True)
    assert "Dòng chi lại" in page and "bổ sung số 1" in page and "/chi-lai" not in page
    supplement = db.session.execute(select(PayoutLine).where(PayoutLine.programme == "reissue")).scalar_one()
    assert f'href="/huyen/chi-tra/{supplement.payout_list_id}"' in page
    again = client.post(f"/phan-anh/{c.id}/chi-lai", follow_redirects=True).get_data(as_text=True)
    assert "đã được chi lại" in again
    reissued = db.session.execute(select(PayoutLine).where(PayoutLine.programme == "reissue")).scalars().all()
    assert [(r.beneficiary_id, r.total) for r in reissued] == [(line.beneficiary_id, 1_000_000)]


def test_bad_id_keeps_what_was_typed(client, failed):
    people, _ = failed
    client.login("xa.vinhmy")
    resp = client.post("/phan-anh/moi", _form(people, national_id="08907710515"))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "12 chữ số" in body and "Con gái báo cha" in body and "08907710515" in body
    resp = client.post("/phan-anh/moi", _form(people, national_id=people["loi"].national_id))
    assert resp.status_code == 422 and "Không tìm thấy" in resp.get_data(as_text=True)
    assert db.session.execute(select(Complaint)).first() is None


def test_bank_and_post_office_see_only_what_is_routed_to_them(client, failed):
    people, _ = failed
    client.login("xa.vinhmy")
    client.post("/phan-anh/moi", _form(people))
    client.post("/phan-anh/moi", _form(people, national_id=people["vu"].national_id, kind="card_pin", month=""))
    not_received, pin = db.session.execute(select(Complaint).order_by(Complaint.id)).scalars().all()
    client.logout()
    client.login("agribank.chaudoc")
    assert client.get(f"/phan-anh/{not_received.id}").status_code == 404
    page = client.get(f"/phan-anh/{pin.id}").get_data(as_text=True)
    assert "Thẻ/mã PIN" in page and "Diện" not in page and "1.000.000" not in page  # no payout lines for a bank
    assert f"/ngan-hang/doi-tuong/{people['vu'].id}/mo-tai-khoan" in page  # the bank records the right account
    client.logout()
    client.login("buudien.chaudoc")
    assert client.get(f"/phan-anh/{not_received.id}").status_code == 404
    assert "Không có phản ánh" in client.get("/phan-anh/").get_data(as_text=True)


def test_overdue_listed_for_commune_and_province(client, failed):
    people, _ = failed
    client.login("xa.vinhmy")
    client.post("/phan-anh/moi", _form(people, received_on=(today_vn() - timedelta(days=40)).isoformat()))
    assert client.post("/phan-anh/moi", _form(people, kind="other", month="")).status_code == 302
    page = client.get("/phan-anh/?loc=qua-han").get_data(as_text=True)
    assert page.count("Quá hạn</strong>") == 1 and "Tổng số: 1 phản ánh" in page
    client.logout()
    client.login("so.angiang")
    page = client.get("/phan-anh/").get_data(as_text=True)
    assert "Quá hạn: <strong>1</strong>" in page and "Tổng số: 2 phản ánh, quá hạn 1" in page
