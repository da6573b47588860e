"""The strict Content-Security-Policy in a real browser: logging in, the commune's register and its htmx search
work, and Chromium reports no refused script, style or frame (htmx injects no style of its own)."""
import pytest

from tests.conftest import VINH_MY_FILE

pytestmark = pytest.mark.browser
LIVE_SERVER_SETUP = [["import-beneficiaries", "--commune", "30322", VINH_MY_FILE]]


def test_pages_and_htmx_search_run_under_the_csp(browser, live_server):
    page = browser.new_context(locale="vi-VN").new_page()
    refused = []
    page.on("console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.goto(live_server + "/login")
    page.fill("#username", "xa.vinhmy")
    page.fill("#password", "demo1234")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(live_server + "/xa/")
    rows_before = page.locator("#results tbody tr").count()
    page.fill("#q", "Nguyễn")
    page.wait_for_url("**/xa/?q=*", timeout=10_000)  # htmx swapped the results and pushed the URL
    page.wait_for_timeout(500)
    rows_after = page.locator("#results tbody tr").count()
    assert 0 < rows_after <= rows_before
    assert page.evaluate("document.querySelectorAll('style').length") == 0  # htmx added no <style>
    assert refused == []
