"""The two pages narrowed to fit the 5 KB htmx budget, in a real Chromium: the province's category wording page
(delete answers the list, add answers the form and the list reloads itself on ``synonyms-changed``) and the police
cross-check page («Khớp» answers the pending list, the recent results reload on ``checks-changed``). Requests are
served by the Flask test client through Playwright's routing (no server process)."""
import os
from urllib.parse import urlparse

import pytest

from portal.extensions import db
from portal.services.demo import user_by_username
from portal.services.imports import synonyms as import_synonyms
from portal.services.registry import identity_checks
from tests.factories import chau_doc_people

pytestmark = pytest.mark.browser

STATIC = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "portal",
                      "static")
BASE = "http://portal.test"
PASSED_HEADERS = ("content-type", "x-csrftoken", "hx-request", "hx-target", "hx-current-url", "hx-trigger",
                  "hx-boosted", "hx-history-restore-request")


def _open(client, browser):
    """A page whose every request goes to ``client`` (already logged in); returns ``(context, page, htmx_log)``."""
    log = []

    def serve(route):
        req = route.request
        url = urlparse(req.url)
        if url.path.startswith("/static/"):
            with open(os.path.join(STATIC, url.path[len("/static/"):]), "rb") as fh:
                body = fh.read()
            kind = "text/css" if url.path.endswith(".css") else "application/javascript"
            return route.fulfill(status=200, body=body, content_type=kind)
        headers = {k: v for k, v in req.headers.items() if k.lower() in PASSED_HEADERS}
        target = url.path + (f"?{url.query}" if url.query else "")
        # Playwright calls this in its own greenlet (no app context of the test): the raw test client of the twin
        # app; the test commits its rows before opening the page.
        resp = client.c.open(target, method=req.method, data=req.post_data_buffer, headers=headers)
        if headers.get("hx-request"):
            log.append((req.method, target, resp.status_code, len(resp.get_data())))
        keep = {k: v for k, v in resp.headers.items() if k.lower() in ("content-type", "hx-trigger", "location")}
        return route.fulfill(status=resp.status_code, body=resp.get_data(), headers=keep)

    # wait_for_function evaluates a string, which the CSP (no eval) refuses; the CSP: test_csp_in_chromium.py
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.route(BASE + "/**", serve)
    return context, page, log


def test_category_wording_delete_and_add_with_htmx(app, client, browser):
    province = user_by_username("so.angiang")
    for i in range(20):
        import_synonyms.add_synonym(province, f"NCT hộ nghèo cô đơn mẫu {i:02d}", "K5a")
    db.session.commit()
    client.login("so.angiang")
    context, page, log = _open(client, browser)
    page.goto(f"{BASE}/tinh/danh-muc/?q=mau")
    page.wait_for_function("window.htmx !== undefined")
    assert "20 cách ghi chứa «mau»" in page.inner_text("#synonyms")
    page.locator("#synonym-list tr", has_text="mẫu 00").locator("button").click()
    page.wait_for_selector("#synonyms >> text=Đã xoá cách ghi.")
    assert "19 cách ghi chứa «mau»" in page.inner_text("#synonyms")
    assert page.locator("#synonym-list tr", has_text="mẫu 00").count() == 0
    page.fill("#text", "NCT mẫu mới")
    page.select_option("#category", "K5a")
    page.click("#add-synonym button[type=submit]")
    page.wait_for_selector("#add-synonym >> text=Đã thêm cách ghi «NCT mẫu mới» → K5a.")
    page.wait_for_selector("#synonyms >> text=20 cách ghi chứa «mau»")  # the list reloaded itself
    assert page.input_value("#text") == "" and page.locator("h1").count() == 1
    assert [m for m, *_ in log] == ["POST", "POST", "GET"] and all(size <= 5 * 1024 for *_, size in log), log
    context.close()


def test_police_match_with_htmx(app, client, browser):
    chau_doc_people()
    identity_checks.request_checks(user_by_username("xa.vinhmy"), "30322")
    db.session.commit()
    first = sorted(identity_checks.pending_checks(["30322"]), key=lambda c: (c.beneficiary.name_sort, c.id))[0]
    name = first.beneficiary.full_name
    client.login("congan.vinhmy")
    context, page, log = _open(client, browser)
    page.goto(f"{BASE}/cong-an/doi-sanh")
    page.wait_for_function("window.htmx !== undefined")
    pending = page.inner_text("#pending")
    page.locator(f'button[value="{first.id}"]').click()
    page.wait_for_selector(f"#pending >> text={name}: khớp.")
    page.wait_for_selector(f"#done >> text={name}")  # recent results reloaded on checks-changed
    assert page.locator(f'button[value="{first.id}"]').count() == 0
    count = int(pending.split(" người chờ")[0])
    assert f"{count - 1} người chờ đối sánh" in page.inner_text("#pending")
    assert [m for m, *_ in log] == ["POST", "GET"] and all(size <= 5 * 1024 for *_, size in log), log
    context.close()
