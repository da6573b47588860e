"""Every upload form a clerk, teller, post office, police or contract office uses shows how much of the file is sent
(the ``upload_progress`` bar, moved by static/js/app.js on htmx:xhr:progress): the form is boosted so htmx sends it,
its button is disabled while it goes, and no inline script or style is needed (the CSP forbids them)."""
import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parent.parent / "portal" / "templates"
UPLOADS = ["commune/import_upload.html", "bank/upload.html", "post_office/list.html", "police/checks.html",
           "contracts/detail.html", "account_checks/index.html"]


def upload_forms(text: str) -> list[str]:
    return re.findall(r'<form[^>]*multipart/form-data[^>]*>.*?</form>', text, re.DOTALL)


def test_every_multipart_form_is_listed():
    found = {str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html") if upload_forms(p.read_text())}
    assert found - {"verify/page.html"} == set(UPLOADS)  # the public verification page is outside the portal's menus


@pytest.mark.parametrize("name", UPLOADS)
def test_upload_form_shows_progress(name):
    text = (TEMPLATES / name).read_text()
    (form,) = upload_forms(text)
    opening = form.split(">", 1)[0]
    assert 'hx-boost="true"' in opening and 'hx-disabled-elt="find button[type=submit]"' in opening
    assert "{{ upload_progress() }}" in form and "<script" not in text and "style=" not in form
    assert re.search(r'{% from "_macros/forms.html" import [^%]*upload_progress', text)


def test_progress_bar_rendered_on_the_police_page(client):
    client.login("congan.vinhmy")
    html = client.get("/cong-an/doi-sanh").get_data(as_text=True)
    form = upload_forms(html)[0]
    assert '<progress class="upload" max="100" value="0" hidden aria-label="Đang gửi tệp">0%</progress>' in form
