"""Reads of personal data leave an audit entry (who, what, when) kept out of the object's change history; no CCCD
or phone number reaches a log line (access log of a search, a database error's text, a traceback)."""
import logging

from portal.models import AuditEvent
from portal.security import mask_digits
from tests.factories import make_beneficiary


def test_viewing_a_person_is_audited_but_not_shown_as_a_change(app, client):
    b = make_beneficiary("Lý Thị Xem", birth_year=1940, national_id="089150001234")
    client.login("xa.vinhmy")
    html = client.get(f"/xa/doi-tuong/{b.id}").get_data(as_text=True)
    client.get(f"/xa/doi-tuong/{b.id}")
    views = AuditEvent.query.filter_by(action="view", object_type="beneficiary", object_id=b.id).all()
    assert len(views) == 2
    assert views[0].user.username == "xa.vinhmy" and views[0].at is not None
    assert "Xem hồ sơ đối tượng" not in html


def test_cccd_exports_are_audited(app, client):
    make_beneficiary("Lý Thị Xem", birth_year=1940, national_id="089150001234")
    client.login("xa.vinhmy")
    client.post("/xa/doi-sanh/gui")
    resp = client.get("/xa/doi-sanh/danh-sach.xlsx")
    assert resp.status_code == 200
    client.logout()
    client.login("congan.vinhmy")
    assert client.get("/cong-an/doi-sanh/danh-sach.xlsx").status_code == 200
    rows = AuditEvent.query.filter_by(action="download", object_type="identity_check").all()
    assert sorted(e.user.username for e in rows) == ["congan.vinhmy", "xa.vinhmy"]


def test_log_lines_never_carry_a_cccd_or_phone(caplog):
    caplog.set_level(logging.INFO)
    logging.getLogger("werkzeug").info('%s - - [%s] "%s" %s -', "127.0.0.1", "06/Dec/2026 09:00:00",
                                       "GET /xa/?q=089077105153 HTTP/1.1", 200)
    try:
        raise RuntimeError('duplicate key value violates unique constraint "uq_beneficiary_national_id" '
                           "DETAIL: Key (national_id)=(089077105153) already exists. phone 0912345678")
    except RuntimeError:
        logging.getLogger("portal.jobs").exception("job %s failed", 7)
    text = caplog.text
    assert "089077105153" not in text and "0912345678" not in text
    assert "q=********5153" in text and "(********5153)" in text and "******5678" in text
    assert "job 7 failed" in text  # short numbers stay


def test_mask_digits_keeps_short_numbers_and_dates():
    assert mask_digits("list 12345 on 2026-12-06, CCCD 089077105153") == "list 12345 on 2026-12-06, CCCD ********5153"


def test_a_bank_teller_opening_a_persons_form_is_audited(app, client):
    b = make_beneficiary("Lý Văn Mở", birth_year=1950, national_id="089150004321", payment_channel="bank_account")
    client.login("agribank.chaudoc")
    assert client.get(f"/ngan-hang/doi-tuong/{b.id}/mo-tai-khoan").status_code == 200
    (view,) = AuditEvent.query.filter_by(action="view", object_type="beneficiary", object_id=b.id).all()
    assert view.user.username == "agribank.chaudoc" and "Lý Văn Mở" in view.summary
