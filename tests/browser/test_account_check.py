"""Account check before the transfer in a real browser (Debian Chromium via Playwright): the bank records its
accounts, the district builds the 08/2024 lists, the commune downloads Agribank's check file, the bank's answer marks
one account "Sai tên chủ tài khoản", and the commune uploads it: that person is then on the month's cash-at-point list,
with the reason, exactly once (every page of the list read), and no longer on the transfer list."""
import re

import openpyxl
import pytest

from tests.browser.pages import login
from tests.conftest import AGRIBANK_FILE, VINH_MY_FILE

pytestmark = pytest.mark.browser
LIVE_SERVER_SETUP = [["import-beneficiaries", "--commune", "30322", VINH_MY_FILE]]
REASON = "Tài khoản không dùng được: Sai tên chủ tài khoản (Ngân hàng báo, 08/2024)"


def _login(browser, base, username):  # string waits use eval, which the CSP refuses
    return login(browser, base, username, accept_downloads=True, bypass_csp=True)


def _rows_naming(page, base, list_url, name) -> list[str]:
    """Texts of the rows naming ``name`` on every page of a payout list."""
    found = []
    page.goto(base + list_url)
    pages = max([int(n) for n in re.findall(r"trang=(\d+)", page.content())] or [1])
    for n in range(1, pages + 1):
        page.goto(f"{base}{list_url}?trang={n}")
        found += [row.inner_text() for row in page.locator("#lines tbody tr", has_text=name).all()]
    return found


def test_wrong_holder_answer_moves_person_to_cash_once(browser, live_server, tmp_path):
    base = live_server
    page = _login(browser, base, "agribank.chaudoc")
    page.goto(base + "/ngan-hang/tai-len")
    page.set_input_files("input[type=file]", AGRIBANK_FILE)
    with page.expect_navigation(url=re.compile(r"/ngan-hang/tai-len/\d+$"), timeout=60000):
        page.click("button:has-text('Xem trước')")
    page.locator("button", has_text=re.compile(r"Ghi nhận \d+ tài khoản mới")).click()
    page.wait_for_load_state()
    page.context.close()

    page = _login(browser, base, "pld.chaudoc")
    page.fill("#month", "2024-08")
    page.click("button:has-text('Lập danh sách')")
    page.wait_for_function("document.querySelector('main').innerText.includes('Phường Vĩnh Mỹ')", timeout=120000)
    page.context.close()

    page = _login(browser, base, "xa.vinhmy")
    page.goto(base + "/kiem-tra-tai-khoan/?thang=2024-08")
    link = page.locator("#check-banks a", has_text="Agribank")
    with page.expect_download() as dl:
        link.click()
    path = tmp_path / "check.xlsx"
    dl.value.save_as(path)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    header = next(r for r in ws.iter_rows(min_row=1, max_row=10) if r[0].value == "STT")
    data = [r for r in ws.iter_rows(min_row=header[0].row + 1) if r[0].value]
    assert len(data) >= 39
    wrong = data[0]
    name, number = wrong[2].value, wrong[3].value
    assert isinstance(wrong[1].value, str) and len(wrong[1].value) == 12  # the ID stays text, zeros kept
    for row in data:
        row[5].value = "Hoạt động"
    wrong[5].value = "Sai tên chủ tài khoản"
    wb.save(path)
    page.set_input_files("input[type=file]", str(path))
    with page.expect_navigation(timeout=60000):
        page.click("button:has-text('Ghi kết quả')")
    assert "1 chuyển sang chi tiền mặt tại điểm chi trả" in page.inner_text("#flash")
    assert REASON in page.inner_text("#check-rows")

    page.goto(base + "/xa/chi-tra")
    lists = {}
    for row in page.locator("tbody tr", has_text="08/2024").all():
        for cell in row.locator("td").all_inner_texts():  # the channel's column, whatever columns come before it
            lists[cell.strip()] = row.locator("a").get_attribute("href")
    cash = _rows_naming(page, base, lists["Tiền mặt tại điểm chi trả"], name)
    assert len(cash) == 1 and REASON in cash[0], cash
    assert _rows_naming(page, base, lists["Chuyển khoản"], name) == []
    assert number not in cash[0]
    page.context.close()
