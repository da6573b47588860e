"""The web toolkit: one download helper (portal.downloads), one paging helper (portal.paging), the month of a
month-by-month page (portal.query_args)."""
from datetime import date
from urllib.parse import quote

import pytest
from werkzeug.http import parse_options_header

from portal.downloads import XLSX, ascii_filename, content_disposition, download
from portal.paging import MAX_PAGE, page_arg, paged, paged_list
from portal.query_args import month_arg

HUGE = "99999999999999999999"
NAME = "Bảng kê phí chi trả tháng 08/2024 – Phường Vĩnh Mỹ.xlsx"


def test_a_vietnamese_file_name_gets_an_ascii_fallback_and_its_rfc_5987_form(app):
    with app.test_request_context():
        resp = download(b"PK", NAME)
    disposition = resp.headers["Content-Disposition"]
    assert disposition == ('attachment; filename="Bang ke phi chi tra thang 08-2024 - Phuong Vinh My.xlsx"; '
                           f"filename*=UTF-8''{quote(NAME, safe='')}")
    assert disposition.isascii()
    assert parse_options_header(disposition) == ("attachment", {"filename": NAME})  # what a browser saves
    assert resp.headers["Content-Type"] == XLSX and resp.headers["Cache-Control"] == "no-store"
    assert resp.get_data() == b"PK"


def test_a_plain_ascii_name_is_sent_as_is(app):
    with app.test_request_context():
        resp = download(b"%PDF", "DS-chi-tra-2024-08.pdf", inline=True)
    assert resp.headers["Content-Disposition"] == 'inline; filename="DS-chi-tra-2024-08.pdf"'
    assert resp.headers["Content-Type"] == "application/pdf"
    assert resp.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(("name", "fallback"), [
    ('a"b\\c.csv', "a-b-c.csv"), ("Đơn\r\nxin.pdf", "Don--xin.pdf"), ("Ấp Đông.xlsx", "Ap Dong.xlsx"), ("漢字", "--"),
    ("", "tep")])
def test_the_ascii_fallback_never_breaks_the_header(name, fallback):
    assert ascii_filename(name) == fallback
    value = content_disposition(name)
    assert value.isascii() and "\r" not in value and "\n" not in value
    assert parse_options_header(value)[1]["filename"] == (name or "tep")


def test_csv_and_unknown_extensions(app):
    with app.test_request_context():
        assert download(b"a;b", "so-lieu.csv").headers["Content-Type"] == "text/csv; charset=utf-8"
        assert download(b"?", "tep.bin").headers["Content-Type"] == "application/octet-stream"


def test_a_real_download_uses_the_helper(client):
    client.login("xa.vinhmy")
    resp = client.get("/xa/doi-sanh/danh-sach.xlsx")
    assert resp.status_code == 200 and resp.mimetype == XLSX
    assert resp.headers["Content-Disposition"] == 'attachment; filename="doi-sanh-30322.xlsx"'
    assert resp.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(("query", "page"), [
    ("", 1), ("?page=3", 3), ("?page=0", 1), ("?page=-5", 1), ("?page=abc", 1), ("?page=2.5", 1),
    (f"?page={HUGE}", MAX_PAGE), ("?page=%00", 1), ("?page=", 1)])
def test_page_arg_is_always_a_page_number(app, query, page):
    with app.test_request_context("/" + query):
        assert page_arg() == page


def test_page_arg_without_a_default_carries_only_a_page_asked_for(app):
    with app.test_request_context("/"):
        assert page_arg(default=None) is None
    with app.test_request_context("/?trang=4"):
        assert page_arg("trang", default=None) == 4 and page_arg(default=None) is None


@pytest.mark.parametrize(("query", "number", "rows"), [
    ("", 1, [0, 1, 2]), ("?page=2", 2, [3, 4, 5]), ("?page=4", 4, [9]), ("?page=999", 4, [9]),
    (f"?page={HUGE}", 4, [9]), ("?page=-1", 1, [0, 1, 2]), ("?page=x", 1, [0, 1, 2])])
def test_a_page_past_the_end_is_the_last_page(app, query, number, rows):
    items = list(range(10))
    asked = []

    def fetch(n):
        asked.append(n)
        return items[(n - 1) * 3:n * 3], len(items)

    with app.test_request_context("/" + query):
        page = paged(fetch, 3)
        in_memory = paged_list(items, 3)
    assert (page.rows, page.number, page.pages, page.total) == (rows, number, 4, 10)
    assert (in_memory.rows, in_memory.number, in_memory.pages) == (rows, number, 4)
    assert page.first == (number - 1) * 3
    assert all(n <= MAX_PAGE for n in asked)


def test_an_empty_list_has_one_empty_page(app):
    with app.test_request_context(f"/?page={HUGE}"):
        page = paged(lambda n: ([], 0), 15)
    assert (page.rows, page.number, page.pages) == ([], 1, 1)


@pytest.mark.parametrize("url", ["/xa/?page=", "/xa/tai-khoan?page=", "/cong-an/?page=", "/cong-an/doi-sanh?page="])
@pytest.mark.parametrize("value", [HUGE, "-7", "abc"])
def test_paged_pages_never_fail(client, url, value):
    user = "congan.vinhmy" if url.startswith("/cong-an") else "xa.vinhmy"
    client.login(user)
    resp = client.get(url + value)
    assert resp.status_code == 200 and HUGE not in resp.get_data(as_text=True)


@pytest.mark.parametrize(("query", "expected"), [
    ("?thang=2024-08", date(2024, 8, 1)), ("?thang=08/2024", date(2024, 8, 1)), ("?thang=2024-13", date(2030, 1, 1)),
    ("", date(2030, 1, 1))])
def test_month_arg_falls_back_to_the_given_month(app, query, expected):
    with app.test_request_context("/" + query):
        assert month_arg(default=date(2030, 1, 1)) == expected
