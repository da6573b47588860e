"""Pages of the account watch and of the people not seen alive: the commune's worklist with reason, deadline and
action, the document form (bad input kept and refused), the province's count per commune, the list of people without
a signal and the home-visit form, the last signal on the beneficiary's page."""
from datetime import date

from portal.extensions import db
from portal.services.accounts import watch
from portal.services.demo import user_by_username as user
from tests.conftest import pinned_clock
from tests.factories import chau_doc_people

pytestmark = pinned_clock


def test_worklist_document_form_and_province_counts(client):
    p = chau_doc_people()
    watch.record_document(user("xa.vinhmy"), p["vu"].active_account, "cmnd12", None)
    db.session.commit()
    client.login("xa.vinhmy")
    page = client.get("/tai-khoan-rui-ro/?thang=2025-01").get_data(as_text=True)
    assert "Tài khoản mở bằng CMND 12 số của đối tượng: CMND hết giá trị từ 01/01/2025" in page
    assert "31/12/2024" in page and "mang CCCD còn hạn đến ngân hàng" in page
    yen = p["yen"].active_account
    bad = client.post("/tai-khoan-rui-ro/giay-to?thang=2025-01", {"account_id": yen.id, "kind": "cccd",
                                                                  "expiry": ""})
    assert bad.status_code == 422 and "Ghi ngày hết hạn của CCCD / Căn cước." in bad.get_data(as_text=True)
    ok = client.post("/tai-khoan-rui-ro/giay-to?thang=2025-01", {"account_id": yen.id, "kind": "cccd",
                                                                 "expiry": "2025-02-20"})
    assert ok.status_code == 302
    assert (yen.id_document_kind, yen.id_document_expiry) == ("cccd", date(2025, 2, 20))
    client.logout()
    client.login("so.angiang")
    page = client.get("/tai-khoan-rui-ro/?thang=2025-01").get_data(as_text=True)
    assert "<td>Phường Vĩnh Mỹ</td><td class=\"num\">1</td><td class=\"num\">1</td>" in page
    assert "Bùi Ngọc Vũ" not in page  # the province sees counts, not the people
    client.logout()
    client.login("xa.vinhmy")
    detail = client.get(f"/xa/doi-tuong/{p['vu'].id}").get_data(as_text=True)
    assert "Đang dùng · giấy tờ tùy thân hết hạn 31/12/2024" in detail


def test_unseen_list_visit_and_detail(client):
    p = chau_doc_people()
    db.session.commit()
    client.login("xa.vinhmy")
    page = client.get("/dau-hieu-con-song/?thang=2025-03").get_data(as_text=True)
    assert "<td>Trương Văn Phúc</td>" in page and "Phan Văn Mới" not in page
    bad = client.post("/dau-hieu-con-song/tham?thang=2025-03", {"beneficiary_id": p["phuc"].id, "visited_on": ""})
    assert bad.status_code == 422 and "Nhập ngày thăm." in bad.get_data(as_text=True)
    ok = client.post("/dau-hieu-con-song/tham?thang=2025-03", {"beneficiary_id": p["phuc"].id,
                                                             "visited_on": "2025-02-14", "note": "Gặp tại nhà"})
    assert ok.status_code == 302
    page = client.get("/dau-hieu-con-song/?thang=2025-03").get_data(as_text=True)
    assert "Đã ghi lần đến thăm Trương Văn Phúc." in page
    assert "<td>Trương Văn Phúc</td>" not in page.split('id="unseen"')[1]
    detail = client.get(f"/xa/doi-tuong/{p['phuc'].id}").get_data(as_text=True)
    assert "14/02/2025 – Cán bộ xã đến thăm" in detail
