"""Messages to beneficiaries: consent recorded with its date and withdrawable, one message per person, kind and month
(paid; not received; account needs attention), ≤ 160 characters with an unaccented variant, delivered by the log
sender with the phone masked or by an HTTP SMS gateway, and shown to the commune."""
import json
import logging
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select

from portal.clock import today_vn
from portal.errors import AccessDenied, StateError, ValidationError
from portal.extensions import db
from portal.models import Notice
from portal.services.demo import user_by_username as user
from portal.services.notices import consent, outbox
from portal.services.notices.senders import LogSender, SmsGatewaySender, sender_from_config
from portal.services.payouts.results import record_result
from tests.conftest import pinned_clock
from tests.factories import AUG, chau_doc_people, run_to_accepted

pytestmark = pinned_clock
VU_PHONE, YEN_PHONE, THOA_PHONE = "0912345678", "0987654321", "0901112223"


@pytest.fixture
def results(app):
    """08/2024 in Vĩnh Mỹ: Vũ's transfer failed because of the account, Yến paid, Thoa (at home) paid; Vũ and Yến
    consented, Thoa consented then withdrew, Phúc has no phone."""
    p = chau_doc_people()
    p["vu"].phone, p["yen"].phone, p["thoa"].phone = VU_PHONE, YEN_PHONE, THOA_PHONE
    db.session.commit()
    lists = run_to_accepted()
    post = user("buudien.chaudoc")
    by_person = {ln.beneficiary_id: ln for lst in lists.values() for ln in lst.lines}
    record_result(post, by_person[p["vu"].id], "failed", "Sai tên chủ tài khoản", reason_code="account")
    record_result(post, by_person[p["yen"].id], "paid", paid_on=date(2024, 8, 5))
    record_result(post, by_person[p["thoa"].id], "paid", paid_on=date(2024, 8, 6))
    clerk = user("xa.vinhmy")
    consent.give(clerk, p["vu"], today_vn() - timedelta(days=30))
    consent.give(clerk, p["yen"])
    consent.give(clerk, p["thoa"])
    consent.withdraw(clerk, p["thoa"])
    db.session.commit()
    return p


def test_consent_rules(results):
    clerk = user("xa.vinhmy")
    with pytest.raises(ValidationError, match="số điện thoại"):
        consent.give(clerk, results["phuc"])
    with pytest.raises(StateError, match="đã đồng ý"):
        consent.give(clerk, results["vu"])
    with pytest.raises(AccessDenied):
        consent.give(user("pld.chaudoc"), results["khai"])
    with pytest.raises(ValidationError, match="sau hôm nay"):
        results["khai"].phone = "0900000001"
        consent.give(clerk, results["khai"], today_vn() + timedelta(days=1))


def test_month_messages_queued_once_and_sent_to_the_log_with_the_phone_masked(results, caplog):
    caplog.set_level(logging.INFO, logger="portal.notices")
    queued = outbox.queue_month(user("xa.vinhmy"), "30322", AUG)
    by_kind = {n.kind: n for n in queued}
    assert sorted(by_kind) == ["account_attention", "paid"]  # Thoa withdrew; Phúc has no phone
    paid, account = by_kind["paid"], by_kind["account_attention"]
    assert paid.text.startswith("Trợ cấp XH tháng 08/2024: đã chi 500.000đ vào TK ••5680.")
    assert paid.text_ascii.startswith("Tro cap XH thang 08/2024: da chi 500.000d vao TK **5680.")
    assert "tài khoản ••3329 cần kiểm tra" in account.text and "Vĩnh Mỹ" in account.text
    for n in queued:
        assert len(n.text) <= 160 and len(n.text_ascii) <= 160 and n.text_ascii.isascii()
        assert "Bùi" not in n.text and "Võ" not in n.text and "OTP" in n.text
    assert paid.phone_masked == "•••••••321"
    assert outbox.queue_month(user("xa.vinhmy"), "30322", AUG) == []  # once per person, kind and month
    assert outbox.deliver(queued, LogSender()) == (2, 0)
    assert {n.status for n in queued} == {"sent"}
    assert "•••••••678" in caplog.text and VU_PHONE not in caplog.text and YEN_PHONE not in caplog.text
    with pytest.raises(AccessDenied):
        outbox.queue_month(user("xa.tanloi"), "30322", AUG)


def test_sms_gateway_adapter_posts_the_unaccented_text(results):
    got = []

    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.append((self.headers["Authorization"], json.loads(body)))
            self.send_response(200 if len(got) == 1 else 503)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/"
        sender = sender_from_config({"NOTICE_SENDER": "sms", "SMS_GATEWAY_URL": url, "SMS_GATEWAY_TOKEN": "t0ken"})
        assert isinstance(sender, SmsGatewaySender)
        queued = sorted(outbox.queue_month(user("xa.vinhmy"), "30322", AUG), key=lambda n: n.kind)
        assert outbox.deliver(queued, sender) == (1, 1)
    finally:
        server.shutdown()
    assert got[0][0] == "Bearer t0ken" and got[0][1]["to"] == VU_PHONE and got[0][1]["text"].isascii()
    assert [n.status for n in queued] == ["sent", "failed"] and queued[1].error == "Cổng SMS trả lời 503"
    assert isinstance(sender_from_config({}), LogSender)


def test_commune_page_shows_what_was_sent(client, results):
    client.login("xa.vinhmy")
    resp = client.post("/xa/tin-nhan/gui", {"month": "08/2024"})
    assert resp.status_code == 302
    page = client.get("/xa/tin-nhan").get_data(as_text=True)
    assert "Tháng 08/2024: 2 tin nhắn mới, đã gửi 2, lỗi 0." in page
    assert "Tổng số: 2 tin nhắn" in page and "Đã gửi" in page and "•••••••321" in page and YEN_PHONE not in page
    resp = client.post("/xa/tin-nhan/rut-dong-y", {"national_id": results["yen"].national_id})
    assert resp.status_code == 302 and "Đã rút lại" in client.get("/xa/tin-nhan").get_data(as_text=True)
    assert db.session.execute(select(Notice).where(Notice.status == "sent")).scalars().all()
