"""A payout-point session in a real browser on a 360-px-wide phone: the Agribank teller opens a session today in
Phường Châu Đốc (which took Phường Vĩnh Mỹ on 1/7/2025), taps one person in the short list, fills the short account
form (kind, provider with its NAPAS BIN, card, fee waivers) and sees the confirmation; the page never scrolls
sideways and never shows a category.

The server is the shared ``live_server`` of ``conftest.py`` (``flask db upgrade`` + ``seed-demo``) with the Vĩnh Mỹ
register imported by the CLI and the reform of units applied (people, hamlets and the bank's coverage carried to
Phường Châu Đốc) before it starts; the server's clock is real, so the session and the account are dated by the
form's own default (today)."""
import pytest

from tests.conftest import VINH_MY_FILE

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}
#: run by the ``live_server`` fixture after ``seed-demo``: the commune's register, as the clerk's import would leave it
LIVE_SERVER_SETUP = [["import-beneficiaries", "--commune", "30322", VINH_MY_FILE], ["apply-reform", "2025-07"]]


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


def test_teller_records_an_account_on_a_phone(browser, live_server):
    base = live_server
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="vi-VN")
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("#username", "agribank.chaudoc")
    page.fill("#password", "demo1234")
    page.click("button[type=submit]")
    page.wait_for_load_state()

    page.goto(base + "/ngan-hang/diem-chi-tra")
    _no_sideways_scroll(page)
    page.select_option("#commune", "30316@2025")
    assert page.input_value("#session_date")  # today, as the form offers it
    page.select_option("#place_kind", "hamlet_office")
    page.fill("#place_name", "Văn phòng khóm Mỹ Thới 5")
    page.fill("#hamlet", "Khóm Mỹ Thới 5")
    page.fill("#staff_present", "Võ Minh Ngân")
    page.click("button:has-text('Mở buổi làm việc')")
    page.wait_for_selector("#expected")
    _no_sideways_scroll(page)
    main = page.inner_text("main")
    assert "Văn phòng khóm Mỹ Thới 5" in main and "Diện" not in main
    waiting = int(page.inner_text("#people strong"))
    assert waiting >= 1

    page.locator("#expected a", has_text="Huỳnh Minh Khải").tap()
    page.wait_for_selector("#account_number")
    _no_sideways_scroll(page)
    assert "Agribank (970405)" in page.inner_text("#provider_code")
    page.fill("#account_number", "0011004123456")
    assert page.input_value("#opened_on")  # the session's day
    page.uncheck("input[value=waive_own_atm]")
    page.locator("button", has_text="Ghi nhận").tap()
    page.wait_for_selector("#saved")
    assert "Agribank 0011004123456" in page.inner_text("#saved")
    _no_sideways_scroll(page)

    page.locator("a", has_text="Người tiếp theo").tap()
    page.wait_for_selector("#expected")
    assert int(page.inner_text("#people strong")) == waiting - 1
    assert "0011004123456" in page.inner_text("#done")
    context.close()


@pytest.mark.parametrize("path", ["/ngan-hang/", "/ngan-hang/tai-khoan"])
def test_teller_pages_fit_a_390_px_phone(browser, live_server, path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  locale="vi-VN")
    page = context.new_page()
    page.goto(live_server + "/login")
    page.fill("#username", "agribank.chaudoc")
    page.fill("#password", "demo1234")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(live_server + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    header = page.evaluate("document.querySelector('header.top').getBoundingClientRect().height")
    assert header <= 120, (path, header)  # the menu is one row that scrolls sideways, not a third of the screen
    if path == "/ngan-hang/":
        button = page.locator("#results a", has_text="Ghi nhận").first
        assert button.is_visible()
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    context.close()
