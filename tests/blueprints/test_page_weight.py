"""Slow-link budget (DEVELOPERS.md): a first visit of each role's main page — HTML plus the CSS and JavaScript it
loads, htmx included — is at most 60 KB as transferred (gzip or deflate: what Chromium accepts over plain HTTP), and htmx actions answer at most 5 KB. Measured on
the real Vĩnh Mỹ register (340 people) with its approved 08/2024 lists."""
import gzip
import re
import zlib

import pytest

from portal.services import imports
from portal.services.demo import user_by_username
from tests.conftest import VINH_MY_FILE
from tests.factories import run_to_approved

FIRST_VISIT_BUDGET = 60 * 1024
FRAGMENT_BUDGET = 5 * 1024
ASSET_RE = re.compile(r'(?:src|href)="(/static/[^"]+\.(?:js|css))"')


@pytest.fixture
def vinh_my(app):
    with open(VINH_MY_FILE, "rb") as fh:
        preview = imports.preview(user_by_username("xa.vinhmy"), "30322", "ds.xlsx", fh.read())
    imports.commit(user_by_username("xa.vinhmy"), preview.batch_id)
    return run_to_approved()


def _transferred(client, url, **kw) -> tuple[int, str]:
    resp = client.get(url, headers={"Accept-Encoding": "gzip, deflate"}, **kw)
    assert resp.status_code == 200, url
    body = resp.get_data()
    size = len(body)
    encoding = resp.headers.get("Content-Encoding")
    if encoding == "gzip":
        body = gzip.decompress(body)
    elif encoding == "deflate":
        body = zlib.decompress(body)
    return size, body.decode("utf-8", "replace")


@pytest.mark.parametrize("username, url", [
    ("xa.vinhmy", "/xa/"), ("agribank.chaudoc", "/ngan-hang/"), ("pld.chaudoc", "/huyen/?thang=2024-08"),
    ("buudien.chaudoc", "/buu-dien/"), ("so.angiang", "/tinh/?thang=2024-08"), ("congan.vinhmy", "/cong-an/"),
    ("xa.vinhmy", "/xa/nhap"), ("so.angiang", "/tinh/danh-muc/"),  # import upload, category wording (issue #3)
    ("xa.vinhmy", "/xa/bien-dong"), ("xa.vinhmy", "/xa/doi-sanh"), ("xa.vinhmy", "/xa/uy-quyen"),
    ("congan.vinhmy", "/cong-an/doi-sanh"), ("pld.chaudoc", "/huyen/bien-dong"),
    ("so.angiang", "/tinh/pheu?thang=2024-08"), ("agribank.chaudoc", "/ngan-hang/diem-chi-tra"),
    ("so.angiang", "/tinh/muc-chuan/"),
    ("buudien.chaudoc", "/buu-dien/chi-phi?thang=2024-08"), ("pld.chaudoc", "/huyen/chi-phi?thang=2024-08"),
    ("pld.chaudoc", "/huyen/hop-dong/"), ("pld.chaudoc", "/bao-cao/?thang=2024-08"),
    ("so.angiang", "/bao-cao/?thang=2024-08"), ("buudien.chaudoc", "/van-ban/hop-dong/"),
])
def test_first_visit_within_60_kb(app, client, vinh_my, username, url):
    client.login(username)
    size, html = _transferred(client, url)
    assets = ASSET_RE.findall(html)
    assert "/static/vendor/htmx.min.js" in assets
    total = size + sum(_transferred(client, a)[0] for a in assets)
    print(f"first visit {url}: page {size} B, total {total} B")
    assert total <= FIRST_VISIT_BUDGET, f"{url}: {total} bytes"


def test_htmx_actions_within_5_kb(app, client, vinh_my):
    client.login("xa.vinhmy")
    search = client.get("/xa/?q=nguyen", htmx=True)
    assert "<html" not in search.get_data(as_text=True)
    assert 0 < len(search.data) <= FRAGMENT_BUDGET
    client.logout()
    client.login("buudien.chaudoc")
    line_id = vinh_my["account"].lines[0].id
    form = client.get(f"/buu-dien/dong/{line_id}", htmx=True)
    assert 0 < len(form.data) <= FRAGMENT_BUDGET
    saved = client.post(f"/buu-dien/dong/{line_id}", {"result": "paid", "paid_on": "2024-08-10", "reason": ""},
                        htmx=True)
    assert saved.status_code == 200 and "Đã chi" in saved.get_data(as_text=True)
    assert len(saved.data) <= FRAGMENT_BUDGET
    print(f"htmx: search {len(search.data)} B, line form {len(form.data)} B, saved row {len(saved.data)} B")
