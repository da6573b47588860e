"""Account-opening pages: a bank's coverage (it never sees or touches an uncovered commune, by URL or by id, and never a
category), the payout-point teller pages (small: each htmx answer ≤ 5 KB), the commune's dispute, the district's
flag clearing, and the province's coverage approval and funnel (SVG, table, Excel)."""
import io
import re
from datetime import date, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import select

from portal.clock import VN_TZ, today_vn
from portal.extensions import db
from portal.models import BankCoverage, PaymentAccount, PayoutPointSession
from portal.services.accounts import opening as accounts
from portal.services.demo import user_by_username as user
from tests.factories import chau_doc_people, make_account

FRAGMENT_LIMIT = 5 * 1024


@pytest.fixture
def people(app):
    p = chau_doc_people()
    db.session.commit()
    return p


def new_session(commune="30322", username="agribank.chaudoc", hamlet=None) -> PayoutPointSession:
    bank = user(username)
    point = PayoutPointSession(bank_id=bank.organization_id, commune_code=commune, session_date=date(2024, 8, 5),
                               place_kind="hamlet_office", place_name="Văn phòng khóm Mỹ Thới 1",
                               staff_present="Võ Minh Ngân", hamlet=hamlet)
    db.session.add(point)
    db.session.commit()
    return point


ACCOUNT_FORM = {"account_number": "0123456789", "opened_on": "2024-08-05", "holder_kind": "self",
                "holder_name": "HUYNH MINH KHAI", "kind": "bank_account", "provider_code": "VBA", "card_issued": "y",
                "waivers": ["waive_account_fee", "waive_balance_sms", "waive_otp_sms"]}


@pytest.mark.time_machine(datetime(2024, 8, 5, 9, 0, tzinfo=VN_TZ), tick=True)
def test_teller_records_an_account_at_a_payout_point(client, people):
    client.login("agribank.chaudoc")
    resp = client.post("/ngan-hang/diem-chi-tra", {"commune": "30322", "session_date": "2024-08-05",
                                                   "place_kind": "hamlet_office", "place_name": "VP khóm Mỹ Thới 1",
                                                   "staff_present": "Võ Minh Ngân", "hamlet": ""})
    assert resp.status_code == 302
    point = db.session.execute(select(PayoutPointSession)).scalar_one()
    page = client.get(f"/ngan-hang/diem-chi-tra/{point.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<strong>1</strong> người chờ mở tài khoản" in html and "Huỳnh Minh Khải" in html
    assert len(page.data) < 8 * 1024
    url = f"/ngan-hang/diem-chi-tra/{point.id}/doi-tuong/{people['khai'].id}"
    form = client.get(url, htmx=True)
    body = form.get_data(as_text=True)
    assert form.status_code == 200 and "<html" not in body and len(form.data) <= FRAGMENT_LIMIT
    assert "Agribank (970405)" in body and "Miễn phí SMS biến động số dư" in body
    shown = re.sub(r'<input[^>]*name="csrf_token"[^>]*>', "", body)  # a random token may hold "K1"
    assert "Diện" not in shown and "K1" not in shown  # never the category
    bad = client.post(url, {**ACCOUNT_FORM, "account_number": "12ab"}, htmx=True)
    assert bad.status_code == 422 and "chỉ gồm chữ số" in bad.get_data(as_text=True)
    assert 'value="HUYNH MINH KHAI"' in bad.get_data(as_text=True)  # keeps what was typed
    saved = client.post(url, ACCOUNT_FORM, htmx=True)
    assert saved.status_code == 200 and len(saved.data) <= FRAGMENT_LIMIT
    assert "Đã ghi nhận: Agribank 0123456789" in saved.get_data(as_text=True)
    acc = people["khai"].active_account
    assert (acc.session_id, acc.card_issued, acc.waive_balance_sms, acc.waive_own_atm) == (point.id, True, True, False)
    again = client.post(url, {**ACCOUNT_FORM, "account_number": "999999998"}, htmx=True)  # double tap: no 2nd row
    assert again.status_code == 200 and len(people["khai"].accounts) == 1
    html = client.get(f"/ngan-hang/diem-chi-tra/{point.id}").get_data(as_text=True)
    assert "<strong>0</strong> người chờ" in html and "<strong>1</strong> đã ghi nhận" in html


def test_bank_cannot_see_or_touch_an_uncovered_commune(client, people):
    point = new_session()
    foreign = new_session("30535", "agribank.tinhbien")
    client.login("agribank.chaudoc")
    assert client.get(f"/ngan-hang/diem-chi-tra/{foreign.id}").status_code == 404
    assert client.get(f"/ngan-hang/diem-chi-tra/{foreign.id}/doi-tuong/{people['loi'].id}").status_code == 404
    # a Tịnh Biên person through this branch's own session: 404 by id
    assert client.get(f"/ngan-hang/diem-chi-tra/{point.id}/doi-tuong/{people['loi'].id}").status_code == 404
    # the province withdraws Vĩnh Mỹ: the same pages and ids now answer 404, nothing can be recorded
    cov = db.session.get(BankCoverage, (user("agribank.chaudoc").organization_id, "30322"))
    cov.status = "withdrawn"
    db.session.commit()
    url = f"/ngan-hang/diem-chi-tra/{point.id}/doi-tuong/{people['khai'].id}"
    assert client.get(f"/ngan-hang/diem-chi-tra/{point.id}").status_code == 404
    assert client.post(url, ACCOUNT_FORM).status_code == 404
    assert client.get(f"/ngan-hang/doi-tuong/{people['khai'].id}/mo-tai-khoan").status_code == 404
    assert "Huỳnh Minh Khải" not in client.get("/ngan-hang/").get_data(as_text=True)
    assert people["khai"].active_account is None
    html = client.get("/ngan-hang/dia-ban").get_data(as_text=True)
    assert "Đã rút" in html
    assert client.post("/ngan-hang/dia-ban", {"commune": "30322", "note": "Xin lại"}).status_code == 302
    assert db.session.get(BankCoverage, (user("agribank.chaudoc").organization_id, "30322")).status == "requested"


def test_province_approves_coverage_and_watches_the_funnel(client, people):
    cov = db.session.get(BankCoverage, (user("agribank.chaudoc").organization_id, "30322"))
    cov.status = "requested"
    db.session.commit()
    client.login("so.angiang")
    html = client.get("/tinh/dia-ban").get_data(as_text=True)
    assert "Chờ duyệt (1)" in html and "Agribank Chi nhánh Châu Đốc" in html
    resp = client.post("/tinh/dia-ban", {"bank_id": cov.bank_id, "commune": "30322", "decision": "approve"})
    assert resp.status_code == 302
    assert db.session.get(BankCoverage, (cov.bank_id, "30322")).status == "approved"
    page = client.get("/tinh/pheu?thang=2024-08&huyen=884")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<svg id="funnel-chart"' in html
    assert '<tr class="group" id="f-30322"><th>Phường Vĩnh Mỹ</th><td class="num">6</td><td class="num">3</td>' \
           '<td class="num">2</td><td class="num">0</td><td class="num">1</td>' in html
    assert "Nằm liệt giường: 1" in html and "<script" not in html.split("<main>")[1]
    fragment = client.get("/tinh/pheu?thang=2024-08&huyen=884", htmx=True)
    assert "<html" not in fragment.get_data(as_text=True)
    export = client.get("/tinh/pheu.xlsx?thang=2024-08&huyen=884")
    ws = openpyxl.load_workbook(io.BytesIO(export.data)).active
    assert [c.value for c in ws[5]][:7] == ["Phường Vĩnh Mỹ", None, 6, 3, 2, 0, 1]


def test_commune_disputes_and_district_clears(client, people):
    bank = user("agribank.chaudoc")
    acc = accounts.mark_opened(bank, people["khai"], "1164963643329", date(2024, 8, 2))  # vu's number: flagged
    db.session.commit()
    client.login("pld.chaudoc")
    html = client.get("/huyen/tai-khoan-canh-bao").get_data(as_text=True)
    assert "Huỳnh Minh Khải" in html and "Bùi Ngọc Vũ" in html and "Số tài khoản trùng" in html
    resp = client.post(f"/huyen/tai-khoan/{acc.id}/go-canh-bao", {"reason": "Đã đối chiếu với Agribank"})
    assert resp.status_code == 302 and acc.flags_cleared_at is not None and acc.payable
    client.logout()
    client.login("xa.vinhmy")
    html = client.get("/xa/tai-khoan").get_data(as_text=True)
    assert "1164963643329" in html and "Khiếu nại" in html
    resp = client.post(f"/xa/tai-khoan/{acc.id}/khieu-nai", {"reason": "Bà Khải chưa đi mở tài khoản"})
    assert resp.status_code == 302
    db.session.expire_all()
    acc = db.session.get(PaymentAccount, acc.id)
    assert (acc.status, acc.beneficiary.payment_channel) == ("disputed", "cash_at_point")
    foreign = make_account(people["loi"], "777777777")
    db.session.commit()
    assert client.post(f"/xa/tai-khoan/{foreign.id}/khieu-nai", {"reason": "Không phải của xã"}).status_code == 404


def test_session_form_opens_on_the_session_date(client, people):
    """At a payout point the account form's "Ngày mở" is the session's day (05/08/2024), not today; the teller may
    change it, the bounds stay; the branch's own pending list still proposes today."""
    point = new_session()
    client.login("agribank.chaudoc")
    url = f"/ngan-hang/diem-chi-tra/{point.id}/doi-tuong/{people['khai'].id}"
    body = client.get(url, htmx=True).get_data(as_text=True)
    assert 'name="opened_on" required type="date" value="2024-08-05"' in body
    assert today_vn().isoformat() not in body
    outside = client.get(f"/ngan-hang/doi-tuong/{people['khai'].id}/mo-tai-khoan", htmx=True).get_data(as_text=True)
    assert f'name="opened_on" required type="date" value="{today_vn().isoformat()}"' in outside
    tomorrow = today_vn() + timedelta(days=1)
    future = client.post(url, {**ACCOUNT_FORM, "opened_on": tomorrow.isoformat()}, htmx=True)
    assert future.status_code == 422
    assert f"Ngày mở tài khoản {tomorrow:%d/%m/%Y} ở tương lai." in future.get_data(as_text=True)
    assert f'value="{tomorrow.isoformat()}"' in future.get_data(as_text=True)  # keeps what was typed
    saved = client.post(url, {**ACCOUNT_FORM, "opened_on": "2024-08-06"}, htmx=True)
    assert saved.status_code == 200
    assert people["khai"].active_account.opened_on == date(2024, 8, 6)


def test_session_in_the_future_proposes_today(client, people):
    point = new_session()
    point.session_date = today_vn() + timedelta(days=3)  # planned ahead: the form never proposes a future day
    db.session.commit()
    client.login("agribank.chaudoc")
    body = client.get(f"/ngan-hang/diem-chi-tra/{point.id}/doi-tuong/{people['khai'].id}",
                      htmx=True).get_data(as_text=True)
    assert f'name="opened_on" required type="date" value="{today_vn().isoformat()}"' in body


def test_payout_point_session_page_searches_by_name_or_id(client, people):
    point = new_session()
    client.login("agribank.chaudoc")
    page = client.get(f"/ngan-hang/diem-chi-tra/{point.id}").get_data(as_text=True)
    assert 'type="search" name="q"' in page and f'hx-get="/ngan-hang/diem-chi-tra/{point.id}"' in page
    found = client.get(f"/ngan-hang/diem-chi-tra/{point.id}?q=huynh minh", htmx=True)
    body = found.get_data(as_text=True)
    assert "<strong>1</strong> người khớp «huynh minh» chờ mở tài khoản" in body and "Huỳnh Minh Khải" in body
    assert "<html" not in body and len(found.data) <= FRAGMENT_LIMIT
    digits = people["khai"].national_id[-6:]
    assert "Huỳnh Minh Khải" in client.get(f"/ngan-hang/diem-chi-tra/{point.id}?q={digits}").get_data(as_text=True)
    none = client.get(f"/ngan-hang/diem-chi-tra/{point.id}?q=tran van", htmx=True).get_data(as_text=True)
    assert "<strong>0</strong> người khớp «tran van» chờ mở tài khoản" in none and "Huỳnh Minh Khải" not in none


def test_commune_confirms_a_new_account(client, people):
    acc = accounts.mark_opened(user("agribank.chaudoc"), people["khai"], "0011004123456", date(2024, 8, 2))
    db.session.commit()
    client.login("xa.vinhmy")
    html = client.get("/xa/tai-khoan").get_data(as_text=True)
    assert f'action="/xa/tai-khoan/{acc.id}/xac-nhan"' in html and "Xác nhận</button>" in html
    assert f'action="/xa/tai-khoan/{acc.id}/khieu-nai"' in html  # both choices, as the README promises
    resp = client.post(f"/xa/tai-khoan/{acc.id}/xac-nhan")
    assert resp.status_code == 302
    html = client.get("/xa/tai-khoan").get_data(as_text=True)
    assert "Đã xác nhận tài khoản 0011004123456 của Huỳnh Minh Khải." in html
    assert '<span class="ok">Đã xác nhận</span>' in html and f"/xa/tai-khoan/{acc.id}/xac-nhan" not in html
    again = client.post(f"/xa/tai-khoan/{acc.id}/xac-nhan")
    assert again.status_code == 302 and "đã được xác nhận" in client.get("/xa/tai-khoan").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(PaymentAccount, acc.id).active  # confirming changes nothing else
    client.logout()
    client.login("xa.tanloi")
    assert client.post(f"/xa/tai-khoan/{acc.id}/xac-nhan").status_code == 404
