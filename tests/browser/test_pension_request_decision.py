"""A social-pension request in a real browser (Debian Chromium via Playwright), in the reformed world: Phường Châu
Đốc's officer registers a Mẫu 01 request choosing the hamlet from the commune's list; the chairman first forgets
the reason of a refusal (the form comes back with the message, the address bar still on the list), then refuses
with a reason: the list is loaded again with the message, and a reload posts nothing again."""
import re

import pytest

from tests.browser.pages import login
from tests.conftest import VINH_MY_FILE

pytestmark = pytest.mark.browser
LIVE_SERVER_SETUP = [["import-beneficiaries", "--commune", "30322", VINH_MY_FILE], ["apply-reform", "2025-07"]]
LIST_URL = re.compile(r"/xa/huu-tri-xa-hoi$")


def _login(browser, base, username):  # string waits use eval, which the CSP refuses
    return login(browser, base, username, bypass_csp=True)


def test_refusal_goes_back_to_the_list_and_a_reload_posts_nothing(browser, live_server):
    base = live_server
    page = _login(browser, base, "ubnd.chaudoc")
    page.goto(base + "/xa/huu-tri-xa-hoi")
    page.fill("#full_name", "Huỳnh Văn Đơn")
    page.fill("#national_id", "089047001234")
    page.fill("#birth", "03/02/1947")
    page.select_option("#gender", "male")
    page.select_option("#hamlet_id", label="Khóm Mỹ Thới 1")
    page.click("button:has-text('Tiếp nhận')")
    page.wait_for_url(LIST_URL)
    assert "Đã tiếp nhận tờ khai của Huỳnh Văn Đơn" in page.inner_text("#flash")
    assert "Khóm Mỹ Thới 1" in page.inner_text("#pension-requests")
    page.context.close()

    page = _login(browser, base, "ubnd.chaudoc.ct")
    page.goto(base + "/xa/huu-tri-xa-hoi")
    form = page.locator("#pension-requests form")
    form.locator("select[name=decision]").select_option("refuse")
    form.locator("button").click()
    page.wait_for_function("document.querySelector('main').innerText.includes('Từ chối phải ghi rõ lý do')")
    assert LIST_URL.search(page.url)
    form = page.locator("#pension-requests form")
    form.locator("select[name=decision]").select_option("refuse")
    form.locator("input[name=refusal_reason]").fill("Đang hưởng lương hưu theo dữ liệu BHXH")
    form.locator("button").click()
    page.wait_for_function("document.querySelector('#flash').innerText.includes('Đã ghi quyết định')")
    assert LIST_URL.search(page.url)
    assert "Đã ghi quyết định cho Huỳnh Văn Đơn: Từ chối." in page.inner_text("#flash")
    page.reload()
    page.wait_for_load_state()
    assert LIST_URL.search(page.url) and page.inner_text("#flash").strip() == ""
    row = page.inner_text("#pension-requests")
    assert "Đang hưởng lương hưu theo dữ liệu BHXH" in row and "đã được xử lý" not in page.inner_text("main")
    page.context.close()
