"""The post office's per-line result saved with htmx in a real Chromium: the row is swapped and the list's summary
card (totals, status) is replaced out of band from the same response. The portal's own pages and fragments (from
the Flask test client) are served to the browser through Playwright's routing: no server process needed."""
import os
import re
from urllib.parse import urlparse

import pytest

from tests.factories import chau_doc_people, run_to_accepted

pytestmark = pytest.mark.browser

STATIC = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "portal",
                      "static")
BASE = "http://portal.test"
VERSIONED = re.compile(r"^/tai-nguyen/(?P<stem>.+)\.[0-9a-f]{12}(?P<ext>\.[A-Za-z0-9]+)$")  # blueprints/assets.py


def test_totals_swapped_out_of_band(client, browser):
    chau_doc_people()
    acc = run_to_accepted()["account"]  # results only after the post office accepted the list
    vu = acc.lines[0]
    list_id, line_id = acc.id, vu.id  # plain ints: the route handler runs outside the app context
    client.login("buudien.chaudoc")
    page_html = client.get(f"/buu-dien/danh-sach/{acc.id}").get_data(as_text=True)
    form_html = client.get(f"/buu-dien/dong/{vu.id}", htmx=True).get_data(as_text=True)
    saved_html = client.post(f"/buu-dien/dong/{vu.id}", {"result": "paid", "paid_on": "2024-08-05"},
                             htmx=True).get_data(as_text=True)

    def serve(route):
        req = route.request
        path = urlparse(req.url).path
        versioned = VERSIONED.match(path)
        if versioned:
            with open(os.path.join(STATIC, versioned["stem"] + versioned["ext"]), "rb") as fh:
                body = fh.read()
            kind = "text/css" if path.endswith(".css") else "application/javascript"
            return route.fulfill(status=200, body=body, content_type=kind)
        if path == f"/buu-dien/danh-sach/{list_id}":
            return route.fulfill(status=200, body=page_html, content_type="text/html; charset=utf-8")
        if path == f"/buu-dien/dong/{line_id}":
            body = saved_html if req.method == "POST" else form_html
            return route.fulfill(status=200, body=body, content_type="text/html; charset=utf-8")
        return route.fulfill(status=404, body="")

    context = browser.new_context(bypass_csp=True)  # wait_for_function evaluates a string (CSP: no eval)
    page = context.new_page()
    page.route(BASE + "/**", serve)
    page.goto(f"{BASE}/buu-dien/danh-sach/{acc.id}")
    assert "Chưa chi: 2 người · 1.500.000 đ" in page.inner_text("#list-totals")
    page.locator(f"#line-{vu.id} a", has_text="Ghi kết quả").click()
    page.wait_for_selector("tr.editing")
    page.click("tr.editing >> text=Lưu")
    page.wait_for_function("!document.querySelector('tr.editing')")
    totals = page.inner_text("#list-totals")
    assert "Đã chi: 1 người · 1.000.000 đ" in totals and "Chưa chi: 1 người · 500.000 đ" in totals
    assert "Bưu điện đã nhận" in totals
    assert page.locator("#list-totals").count() == 1 and page.locator("#lines tbody tr").count() == 2
    assert "Đã chi" in page.inner_text(f"#line-{vu.id}")
    context.close()
