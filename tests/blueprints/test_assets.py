"""Static files under versioned names: every page links the CSS, htmx and the portal's JavaScript by a name that
carries a digest of the content, served as immutable for a year, so on a slow link a later full page costs one round
trip (no revalidation of the three files)."""
import hashlib
import os
import re

import portal

STATIC = os.path.join(os.path.dirname(portal.__file__), "static")
LINKED = re.compile(r'(?:src|href)="(/[^"]+\.(?:js|css))"')


def digest(filename):
    with open(os.path.join(STATIC, filename), "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()[:12]


def test_pages_link_versioned_assets_served_immutable(app, client):
    client.login("xa.vinhmy")
    html = client.get("/xa/").get_data(as_text=True)
    assert LINKED.findall(html) == [f"/tai-nguyen/css/app.{digest('css/app.css')}.css",
                                    f"/tai-nguyen/vendor/htmx.min.{digest('vendor/htmx.min.js')}.js",
                                    f"/tai-nguyen/js/app.{digest('js/app.js')}.js"]
    for url, filename in zip(LINKED.findall(html), ("css/app.css", "vendor/htmx.min.js", "js/app.js"), strict=True):
        resp = client.get(url)
        assert resp.status_code == 200 and resp.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        with open(os.path.join(STATIC, filename), "rb") as fh:
            assert resp.get_data() == fh.read()


def test_an_old_digest_is_not_cached_and_foreign_names_are_404(app, client):
    resp = client.get("/tai-nguyen/css/app.000000000000.css")
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-cache"
    assert client.get("/tai-nguyen/css/app.css").status_code == 404  # no digest in the name
    assert client.get("/tai-nguyen/../config.000000000000.py").status_code == 404
    assert client.get("/tai-nguyen/css/khong-co.000000000000.css").status_code == 404


def test_upload_forms_show_progress_from_the_static_script(app, client):
    with open(os.path.join(STATIC, "js", "app.js"), encoding="utf-8") as fh:
        script = fh.read()
    assert 'addEventListener("htmx:xhr:progress"' in script and 'querySelector("progress.upload")' in script
    for user, url in (("xa.vinhmy", "/xa/nhap"), ("agribank.chaudoc", "/ngan-hang/tai-len")):
        client.login(user)
        html = client.get(url).get_data(as_text=True)
        start = html.index('enctype="multipart/form-data"')
        form = html[html.rindex("<form", 0, start):html.index("</form>", start)]
        assert 'hx-boost="true"' in form  # an htmx request: its upload progress events reach the bar
        assert '<progress class="upload" max="100" value="0" hidden aria-label="Đang gửi tệp">0%</progress>' in form
        assert "<script" not in form and "style=" not in form
        client.logout()
