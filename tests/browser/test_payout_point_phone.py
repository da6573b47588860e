"""Issue #5 in a real browser on a 360-px-wide phone: the Agribank teller opens a payout-point session in Phường
Vĩnh Mỹ, taps one person in the short list, fills the short account form (kind, provider with its NAPAS BIN, card,
fee waivers) and sees the confirmation; the page never scrolls sideways and never shows a category.

The server's schema is built with ``db.create_all()`` (not ``flask db upgrade``) until the lead's migration for
issue #5 exists; then the shared ``live_server`` fixture of ``conftest.py`` can be used instead."""
import os
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.browser.conftest import ROOT, _free_port
from tests.conftest import VINH_MY_FILE

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
def phone_server(tmp_path_factory):
    """Base URL of a portal server on its own database holding the demo set-up and the Vĩnh Mỹ register."""
    db_file = tmp_path_factory.mktemp("phone") / "portal.db"
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{db_file}", SECRET_KEY="browser-test")
    env.pop("TEST_DATABASE_URL", None)
    make_schema = "from portal import create_app; from portal.extensions import db\n" \
                  "app = create_app()\nwith app.app_context(): db.create_all()"
    subprocess.run([sys.executable, "-c", make_schema], cwd=ROOT, env=env, check=True, capture_output=True)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run(flask + ["seed-demo"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run(flask + ["import-beneficiaries", "--commune", "30322", VINH_MY_FILE], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    port = _free_port()
    proc = subprocess.Popen(flask + ["run", "--port", str(port), "--no-reload"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/login", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        raise RuntimeError("the portal server did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


def test_teller_records_an_account_on_a_phone(browser, phone_server):
    base = phone_server
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="vi-VN")
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("#username", "agribank.chaudoc")
    page.fill("#password", "demo1234")
    page.click("button[type=submit]")
    page.wait_for_load_state()

    page.goto(base + "/ngan-hang/diem-chi-tra")
    _no_sideways_scroll(page)
    page.select_option("#commune", "30322")
    page.fill("#session_date", "2024-08-05")
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
    page.fill("#opened_on", "2024-08-05")
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
