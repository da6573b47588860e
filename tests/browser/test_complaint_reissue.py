"""A complaint "chưa nhận được tiền" for a failed August transfer, in a real browser: the commune receives it, the
payout office re-issues the amount on a supplementary list in one click, the commune confirms that list, the approver
approves it, the post office accepts it and records the payment; the person is paid exactly once for August and the
complaint shows closed with the days it took.

The failed transfer is set up through the services on the live server's database before the browser starts (the
08/2024 lists of Phường Vĩnh Mỹ built, confirmed, approved and accepted; Bùi Ngọc Vũ's 1.000.000 đ transfer
reported failed)."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal import create_app
from portal.clock import today_vn
from portal.extensions import db
from portal.models import Beneficiary, PayoutLine
from tests.browser.pages import login
from tests.conftest import _config

pytestmark = pytest.mark.browser
RECEIVED_DAYS_AGO = 3


def _with_db(module, work):
    """Run ``work()`` in an app context on the live server's database; commits; returns its value."""
    app = create_app(_config(f"sqlite:///{module._live_server_db}"))
    with app.app_context():
        try:
            out = work()
            db.session.commit()
            return out
        finally:
            db.session.remove()
            db.engine.dispose()


def _failed_august_transfer():
    from portal.services.demo import user_by_username as user
    from portal.services.payouts.results import record_result
    from tests.factories import chau_doc_people, run_to_accepted
    people = chau_doc_people()
    db.session.commit()
    lists = run_to_accepted()
    line = next(ln for ln in lists["account"].lines if ln.beneficiary_id == people["vu"].id)
    record_result(user("buudien.chaudoc"), line, "failed", "Tài khoản bị phong tỏa tạm thời", reason_code="other")
    return people["vu"].national_id


def _login(browser, base, username):  # string waits use eval, which the CSP refuses
    return login(browser, base, username, bypass_csp=True)


def _august_lines(national_id):
    def work():
        person = db.session.execute(select(Beneficiary).where(Beneficiary.national_id == national_id)).scalar_one()
        return [(ln.programme, ln.result, ln.total, ln.payout_list_id) for ln in db.session.execute(
            select(PayoutLine).where(PayoutLine.beneficiary_id == person.id).order_by(PayoutLine.id)).scalars()]
    return work


def test_complaint_reissued_and_paid_once(browser, live_server, request):
    base, module = live_server, request.module
    national_id = _with_db(module, _failed_august_transfer)

    page = _login(browser, base, "xa.vinhmy")
    page.goto(base + "/phan-anh/moi")
    page.fill("#national_id", national_id)
    page.fill("#month", "08/2024")
    page.select_option("#kind", "not_received")
    page.select_option("#channel", "phone")
    page.fill("#received_on", (today_vn() - timedelta(days=RECEIVED_DAYS_AGO)).isoformat())
    page.fill("#description", "Con trai gọi điện: cha chưa nhận được tiền tháng 8.")
    page.click("button:has-text('Tiếp nhận')")
    page.wait_for_selector("#complaint")
    assert "Đang xử lý" in page.inner_text("#complaint-status")
    assert "Phòng Lao động" in page.inner_text("#assigned")
    assert "Không chi được" in page.inner_text("#complaint")
    complaint_url = page.url
    page.context.close()

    page = _login(browser, base, "pld.chaudoc")
    page.goto(complaint_url)
    page.click("button:has-text('Chi lại trên danh sách bổ sung')")
    page.wait_for_selector("p.line:has-text('Dòng chi lại')")
    assert "bổ sung số 1" in page.inner_text("#complaint")
    page.context.close()
    lines = _with_db(module, _august_lines(national_id))
    assert [(p, r, t) for p, r, t, _ in lines] == [("tcxh", "failed", 1_000_000), ("reissue", "pending", 1_000_000)]
    supplement = lines[1][3]

    page = _login(browser, base, "xa.vinhmy")
    page.goto(f"{base}/xa/chi-tra/{supplement}")
    page.click("text=Xác nhận danh sách")
    page.wait_for_function("document.querySelector('main').innerText.includes('Xã đã xác nhận')")
    page.context.close()

    page = _login(browser, base, "pld.chaudoc.duyet")
    page.goto(f"{base}/huyen/chi-tra/{supplement}")
    page.click("text=Phê duyệt danh sách")
    page.wait_for_load_state()
    assert "Đã phê duyệt" in page.inner_text("main")
    page.context.close()

    page = _login(browser, base, "buudien.chaudoc")
    page.goto(f"{base}/buu-dien/danh-sach/{supplement}")
    page.locator("button", has_text="Nhận danh sách").click()
    page.wait_for_selector("text=Tải lên kết quả")
    row = page.locator("#lines tbody tr").first
    row.locator("text=Ghi kết quả").click()
    page.wait_for_selector("tr.editing")
    page.select_option("tr.editing select[name=result]", "paid")
    page.fill("tr.editing input[type=date]", today_vn().isoformat())
    page.click("tr.editing >> text=Lưu")
    page.wait_for_function("!document.querySelector('tr.editing')")
    assert "Đã chi" in row.inner_text()
    page.context.close()

    page = _login(browser, base, "xa.vinhmy")
    page.goto(complaint_url)
    page.fill("#close-form input[name=answer]", "Đã chi lại tiền tháng 08/2024 tại nhà, gia đình đã nhận.")
    page.click("#close-form button")
    page.wait_for_selector("#complaint-status")
    status = page.inner_text("#complaint-status")
    assert "Đã đóng" in status and f"sau {RECEIVED_DAYS_AGO} ngày" in status, status
    page.context.close()

    lines = _with_db(module, _august_lines(national_id))
    paid = [t for p, r, t, _ in lines if r == "paid"]
    assert paid == [1_000_000]  # paid exactly once for August
    assert _with_db(module, lambda: db.session.execute(select(func.count()).select_from(PayoutLine).where(
        PayoutLine.result == "paid", PayoutLine.programme == "reissue")).scalar_one()) == 1


def test_status_lookup_without_javascript_on_a_390px_phone(browser, live_server, request):
    """The public lookup in Chromium, JavaScript off, 390 px wide: form, answer, no sideways scroll, no name."""
    from tests.factories import make_beneficiary
    base, national_id = live_server, "089030999001"
    _with_db(request.module, lambda: make_beneficiary("Trương Văn Phúc", national_id=national_id,
                                                      birth_date=date(1930, 5, 1)))
    context = browser.new_context(viewport={"width": 390, "height": 800}, java_script_enabled=False, locale="vi-VN")
    page = context.new_page()
    page.goto(base + "/tra-cuu/")
    assert "không bao giờ".upper() in page.inner_text("#warning").upper()
    page.fill("#national_id", national_id)
    page.fill("#birth_date", "1930-05-01")
    page.click("button[type=submit]")
    page.wait_for_selector("#answer")
    answer = page.inner_text("#answer")
    assert "Ba tháng gần nhất" in answer and "UBND Phường Vĩnh Mỹ" in answer
    assert "Trương Văn Phúc" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    context.close()
