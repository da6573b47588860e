"""The monthly cycle in a real browser (Debian Chromium via Playwright) against a real server:
the commune imports its list and searches it, the bank records accounts (one by hand, the rest by file), the
district builds the 08/2024 lists, the commune confirms, the approver approves, the post office records results."""
import re
from io import BytesIO

import pdfplumber
import pytest

from portal.clock import today_vn
from tests.browser.pages import login
from tests.conftest import AGRIBANK_FILE, VINH_MY_FILE

pytestmark = pytest.mark.browser


def _login(browser, base, username):
    # wait_for_function evaluates a string, which the CSP (no eval) refuses; the CSP: test_csp_in_chromium.py
    return login(browser, base, username, accept_downloads=True, bypass_csp=True)

def _search(page, typed: str, expected_name: str) -> None:
    """Type into the register's search box and wait for htmx's partial answer (not a fixed sleep): the request must
    be sent, answer 200 and be swapped into the page with the expected person in it."""
    page.wait_for_function("window.htmx !== undefined")
    page.locator("#q").click()
    with page.expect_response(lambda r: "q=" in r.url and r.request.headers.get("hx-request") == "true",
                              timeout=60000) as answer:
        page.fill("#q", typed)
    assert answer.value.status == 200, answer.value.status
    page.wait_for_function(f"document.querySelector('#results').innerText.includes({expected_name!r})",
                           timeout=60000)


def test_monthly_cycle_in_chromium(browser, live_server):
    base = live_server
    # 1. commune clerk: upload → preview → confirm → 340 in the list, searchable
    page = _login(browser, base, "xa.vinhmy")
    page.goto(base + "/xa/nhap")
    page.set_input_files("input[type=file]", VINH_MY_FILE)
    with page.expect_navigation(url=re.compile(r"/xa/nhap/\d+$"), timeout=60000):
        page.click("button:has-text('Tải lên và xem trước')")
    assert "340" in page.inner_text("main")
    with page.expect_navigation(url=re.compile(r"/xa/$"), timeout=60000):
        page.click("button:has-text('Xác nhận nhập')")
    assert "340" in page.inner_text("main")
    _search(page, "huynh thanh tai", "Huỳnh Thanh Tài")  # no diacritics; htmx search as you type
    assert "q=huynh" in page.url  # hx-push-url keeps the search in the address bar
    _search(page, "089077105153", "Bùi Ngọc Vũ")  # stored in the sheet as a number, leading zero restored
    page.context.close()

    # 2. bank teller: one account by hand, then the bank's file
    page = _login(browser, base, "agribank.chaudoc")
    assert "Diện" not in page.inner_text("main")
    first_row = page.locator("tbody tr:has(td)").first
    name = first_row.locator("td").first.inner_text()
    first_row.locator("text=Ghi nhận").click()
    page.wait_for_selector("#account_number")
    page.fill("#account_number", "0123456789012")
    page.fill("#opened_on", "2024-08-05")
    page.click("form >> text=Ghi nhận")
    page.wait_for_function("document.querySelector('main').innerText.includes('0123456789012')")
    page.goto(base + "/ngan-hang/tai-len")
    page.set_input_files("input[type=file]", AGRIBANK_FILE)
    with page.expect_navigation(url=re.compile(r"/ngan-hang/tai-len/\d+$"), timeout=60000):
        page.click("button:has-text('Xem trước')")
    confirm = page.locator("button", has_text=re.compile(r"Ghi nhận \d+ tài khoản mới"))
    recorded = int(re.search(r"\d+", confirm.inner_text()).group())
    assert recorded >= 39  # 40 in the file, one may be the person recorded by hand
    confirm.click()
    page.wait_for_load_state()
    assert "tài khoản" in page.inner_text("main")
    page.context.close()
    assert name

    # 3. district officer builds 08/2024; cannot approve what they prepared
    page = _login(browser, base, "pld.chaudoc")
    page.fill("#month", "2024-08")
    page.click("text=Lập danh sách")
    page.wait_for_selector("#month-lists")
    text = page.inner_text("#month-lists")
    assert "Phường Vĩnh Mỹ" in text and "Chuyển khoản" in text and "Tiền mặt tại nhà" in text
    assert "240.000.000" in text  # control total of the three Vĩnh Mỹ lists
    page.locator("#month-lists a", has_text="Xem").first.click()
    assert page.locator("text=Phê duyệt danh sách").count() == 0
    page.context.close()

    page = _login(browser, base, "xa.vinhmy")
    page.goto(base + "/xa/chi-tra")
    for _ in range(3):
        page.locator("a", has_text="Xem và xác nhận").first.click()
        page.click("text=Xác nhận danh sách")  # boosted form: wait for the answer, not for a page load
        page.wait_for_function("document.querySelector('main').innerText.includes('Xã đã xác nhận')")
        page.goto(base + "/xa/chi-tra")
    assert page.locator("a", has_text="Xem và xác nhận").count() == 0
    page.context.close()

    page = _login(browser, base, "pld.chaudoc.duyet")
    page.goto(base + "/huyen/?thang=2024-08")
    for i in range(3):
        page.goto(base + "/huyen/?thang=2024-08")
        page.locator("#month-lists a", has_text="Xem").nth(i).click()
        page.click("text=Phê duyệt danh sách")
        page.wait_for_load_state()
        assert "Đã phê duyệt" in page.inner_text("main")
    page.context.close()

    # 4. post office: accept the list, mark one line paid, one failed (htmx row forms), see totals
    page = _login(browser, base, "buudien.chaudoc")
    page.locator("main table a", has_text="Chi trả").first.click()
    page.wait_for_selector("#lines")
    page.locator("button", has_text="Nhận danh sách").click()  # accept (totals checked) before any result
    page.wait_for_selector("text=Tải lên kết quả")
    rows = page.locator("#lines tbody tr")
    rows.nth(0).locator("text=Ghi kết quả").click()
    page.wait_for_selector("tr.editing")
    page.select_option("tr.editing select[name=result]", "paid")
    page.fill("tr.editing input[type=date]", today_vn().isoformat())  # not before the approval (today)
    page.click("tr.editing >> text=Lưu")
    page.wait_for_function("!document.querySelector('tr.editing')")
    assert "Đã chi" in rows.nth(0).inner_text()
    rows.nth(1).locator("text=Ghi kết quả").click()
    page.wait_for_selector("tr.editing")
    page.select_option("tr.editing select[name=result]", "failed")
    page.select_option("tr.editing select[name=reason_code]", "absent")  # closed list of reasons
    page.fill("tr.editing input[name=reason]", "Không liên lạc được")
    page.click("tr.editing >> text=Lưu")
    page.wait_for_function("!document.querySelector('tr.editing')")
    assert "Không chi được" in rows.nth(1).inner_text() and "Vắng mặt" in rows.nth(1).inner_text()
    with page.expect_download() as dl:
        page.click("text=Tải bảng kê chi trả (Excel)")
    assert dl.value.suggested_filename.endswith(".xlsx")
    summary = page.locator("main section.card").first.inner_text()  # the list's control totals, as printed on the PDF
    commune = re.search(r"(Phường Vĩnh Mỹ) · Tháng 08/2024 ·", summary).group(1)
    people = re.search(r"Số người: (\d+)", summary).group(1)
    total = re.search(r"Tổng số tiền: ([\d.]+)", summary).group(1)
    assert int(people) >= 1 and int(total.replace(".", "")) > 0
    # the PDF is rendered by a background job (web process thread pool): its progress page polls every second
    # when the job is done, the poll answers HX-Redirect to the file: the download starts without a second click
    with page.expect_download(timeout=120000) as dl:
        page.click("text=Tải danh sách (PDF)")
        page.wait_for_url(re.compile(r"/van-ban/danh-sach-chi-tra/\d+\.pdf$"))
        assert "danh sách chi trả (PDF)" in page.inner_text("h1")
    assert re.fullmatch(r"DS-chi-tra-2024-08-Phuong-Vinh-My-TCXH-[a-z-]+\.pdf", dl.value.suggested_filename)
    with open(dl.value.path(), "rb") as fh:
        pdf = fh.read()
    assert pdf[:5] == b"%PDF-"
    text = _pdf_text(pdf)
    assert commune.upper() in text.upper() and total in text, text[:500]
    page.context.close()


def _pdf_text(pdf: bytes) -> str:
    """All the PDF's text (pdfplumber), whitespace runs collapsed."""
    with pdfplumber.open(BytesIO(pdf)) as doc:
        return "\f".join(" ".join((p.extract_text() or "").split()) for p in doc.pages)
