"""Slow-link budget (DEVELOPERS.md): a first visit of each role's main page — HTML plus the CSS and JavaScript it
loads, htmx included — is at most 60 KB as transferred (gzip or deflate: what Chromium accepts over plain HTTP), and
htmx actions answer at most 5 KB. Measured on the real Vĩnh Mỹ register (340 people) with its approved 08/2024 lists."""
import gzip
import re
import zlib

import pytest

from portal.services.demo import user_by_username
from portal.services.imports import beneficiaries as imports
from tests.conftest import VINH_MY_FILE
from tests.factories import run_to_accepted

FIRST_VISIT_BUDGET = 60 * 1024
FRAGMENT_BUDGET = 5 * 1024
ASSET_RE = re.compile(r'(?:src|href)="(/(?:static|tai-nguyen)/[^"]+\.(?:js|css))"')


@pytest.fixture
def vinh_my(app):
    with open(VINH_MY_FILE, "rb") as fh:
        preview = imports.preview(user_by_username("xa.vinhmy"), "30322", "ds.xlsx", fh.read())
    imports.commit(user_by_username("xa.vinhmy"), preview.batch_id)
    return run_to_accepted()  # received by the post office: its result forms are open


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
    ("xa.vinhmy", "/xa/nhap"), ("so.angiang", "/tinh/danh-muc/"),  # import upload, category wording
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
    assert any(a.startswith("/tai-nguyen/vendor/htmx.min.") for a in assets)
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
    client.logout()
    # the other htmx fragments (paging, search, month switch) on the same data; sizes measured 2026-11-29, identity
    # bytes: 3.820, 3.012, 3.553, 264, 4.269, 948, 109, 2.926, 3.559, 2.832, 2.248, 4.000, 3.881, 4.260, 2.067
    big = max(vinh_my.values(), key=lambda lst: len(lst.lines))
    sizes = {}
    for username, urls in [
        ("xa.vinhmy", ["/xa/?page=2", "/xa/?q=nguyen", f"/xa/chi-tra/{big.id}?page=2", "/xa/tai-khoan?page=2"]),
        ("agribank.chaudoc", ["/ngan-hang/?page=2", "/ngan-hang/?q=nguyen", "/ngan-hang/tai-khoan?page=2"]),
        ("pld.chaudoc", ["/huyen/?thang=2024-08", f"/huyen/chi-tra/{big.id}?page=2", "/huyen/hop-dong/",
                         "/bao-cao/?thang=2024-08"]),
        ("so.angiang", ["/tinh/?thang=2024-08", "/tinh/pheu?thang=2024-08"]),
        ("congan.vinhmy", ["/cong-an/?page=2", "/cong-an/?q=nguyen"]),
    ]:
        client.login(username)
        for url in urls:
            plain, packed, _ = _fragment(client, url)
            sizes[url] = (plain, packed)
        client.logout()
    print("htmx fragments (identity B, transferred B):", sizes)
    assert all(0 < size <= FRAGMENT_BUDGET for pair in sizes.values() for size in pair), sizes


# --- htmx fragments of the province's category wording page and the police cross-check page -------------------------
#: How commune clerks actually write categories in their sheets (variants the province adds to the table): with the
#: 19 seeded wordings and the 11 category codes, 102 rows — 7 pages of ``reference_admin.PAGE_SIZE``.
CLERK_WORDINGS = [
    (f"{stem} {suffix}".strip(), code, level)
    for stem, code, level in [
        ("Trẻ em mồ côi cả cha và mẹ", "K1", ""), ("Trẻ bị bỏ rơi không nơi nương tựa", "K1", ""),
        ("HS-SV 16-22 tuổi mồ côi đang học", "K2", ""), ("Trẻ em nhiễm HIV hộ nghèo", "K3", ""),
        ("Đơn thân nuôi con nhỏ hộ nghèo", "K4", ""), ("NCT hộ nghèo không người phụng dưỡng", "K5a", ""),
        ("NCT cô đơn hộ nghèo", "K5a", ""), ("NCT 75-80 tuổi vùng DTTS hộ cận nghèo", "K5b", ""),
        ("NCT trên 80 tuổi không lương hưu", "K5c", ""), ("Người từ đủ 80 tuổi không có BHXH", "K5c", ""),
        ("NCT đủ đk vào cơ sở, chăm sóc tại cộng đồng", "K5d", ""), ("Khuyết tật ĐBN", "K6", "especially_severe"),
        ("NKT đặc biệt nặng", "K6", "especially_severe"), ("NKT nặng", "K6", "severe"),
        ("Khuyết tật mức độ nặng", "K6", "severe"), ("Trẻ dưới 3 tuổi hộ nghèo vùng DTTS", "K7", ""),
        ("Người nhiễm HIV/AIDS hộ nghèo", "K8", ""), ("Người bệnh HIV thuộc hộ nghèo", "K8", ""),
    ]
    for suffix in ("", "(cũ)", "- ghi tay", "(mẫu 2023)")
]


def _fragment(client, url, method="get", data=None, status=200) -> tuple[int, int, str]:
    """An htmx answer measured both ways it can travel: identity (a client that does not compress) and as
    transferred to a browser (gzip/deflate); returns ``(identity bytes, transferred bytes, text)``. Both must be
    within ``FRAGMENT_BUDGET`` (the identity size is the stricter)."""
    send = client.post if method == "post" else client.get
    args = (url, data) if method == "post" else (url,)
    plain = send(*args, htmx=True)
    assert plain.status_code == status, (url, plain.status_code)
    packed = send(*args, htmx=True, headers={"Accept-Encoding": "gzip, deflate"}) if method == "get" else plain
    body = packed.get_data()
    encoding = packed.headers.get("Content-Encoding")
    text = (gzip.decompress(body) if encoding == "gzip" else zlib.decompress(body) if encoding == "deflate"
            else body).decode()
    assert "<html" not in text and "<body" not in text, url
    return len(plain.data), len(body), text


def test_category_wording_fragments_within_5_kb(app, client):
    """/tinh/danh-muc/ with 103 wordings (seeded + clerks' variants): search, paging, add (refused and accepted)
    and delete each answer ≤ 5 KB (before: the whole table, 11.265 B with the 30 seeded rows alone)."""
    from portal.blueprints.reference_admin import PAGE_SIZE
    from portal.extensions import db
    from portal.services.imports import synonyms as import_synonyms

    province = user_by_username("so.angiang")
    assert len(import_synonyms.list_synonyms()) == 31  # 19 seeded wordings + 12 category codes (HTXH included)
    for text, code, level in CLERK_WORDINGS:
        import_synonyms.add_synonym(province, text, code, level or None)
    db.session.commit()
    total = len(import_synonyms.list_synonyms())
    assert total == 31 + len(CLERK_WORDINGS) == 103
    pages = -(-total // PAGE_SIZE)
    client.login("so.angiang")
    sizes = {}
    for p in range(1, pages + 1):
        plain, packed, html = _fragment(client, f"/tinh/danh-muc/?page={p}")
        assert f"Trang {p}/{pages}" in html and f"{total} cách ghi" in html
        sizes[f"page {p}"] = (plain, packed)
    plain, packed, html = _fragment(client, "/tinh/danh-muc/?q=nct")
    assert "NCT trên 80 tuổi không lương hưu (mẫu 2023)" in html and "K5c – Người từ đủ 80 tuổi" in html
    sizes["search nct"] = (plain, packed)
    plain, packed, html = _fragment(client, "/tinh/danh-muc/?q=khuyet tat")
    assert "Khuyết tật ĐBN - ghi tay" in html and "Đặc biệt nặng" in html and "Nặng" in html
    sizes["search khuyet tat"] = (plain, packed)

    plain, packed, html = _fragment(client, "/tinh/danh-muc/them", "post",
                                    {"text": "Già cả neo đơn", "category": "K6", "level": ""}, status=422)
    assert 'value="Già cả neo đơn"' in html and "cần mức độ khuyết tật" in html and "<table" not in html
    sizes["add refused"] = (plain, packed)
    resp = client.post("/tinh/danh-muc/them", {"text": "Già cả neo đơn", "category": "K5a", "level": ""}, htmx=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and resp.headers["HX-Trigger"] == "synonyms-changed"
    assert "Đã thêm cách ghi «Già cả neo đơn» → K5a." in html and 'value="Già cả neo đơn"' not in html
    sizes["add accepted"] = (len(resp.data), len(resp.data))
    plain, packed, html = _fragment(client, "/tinh/danh-muc/xoa?q=neo+don", "post", {"key": "gia ca neo don"})
    assert "Đã xoá cách ghi." in html and "Không có cách ghi nào chứa «neo don»" in html
    sizes["delete"] = (plain, packed)
    assert import_synonyms.list_synonyms("neo don") == []

    print("htmx /tinh/danh-muc/ (identity B, transferred B):", sizes)
    assert all(0 < size <= FRAGMENT_BUDGET for pair in sizes.values() for size in pair), sizes


def test_police_cross_check_fragments_within_5_kb(app, client):
    """/cong-an/doi-sanh with all 340 people of the real Vĩnh Mỹ register sent for cross-checking: pages (first,
    second, middle, last), «Khớp» and the reloaded recent results each answer ≤ 5 KB (before: page 2 was 5.042 B
    with 20 rows a page)."""
    from portal.blueprints.police import CHECKS_PAGE
    from portal.extensions import db
    from portal.services.registry import identity_checks

    with open(VINH_MY_FILE, "rb") as fh:
        preview = imports.preview(user_by_username("xa.vinhmy"), "30322", "ds.xlsx", fh.read())
    imports.commit(user_by_username("xa.vinhmy"), preview.batch_id)
    identity_checks.request_checks(user_by_username("xa.vinhmy"), "30322")
    db.session.commit()
    pages = -(-340 // CHECKS_PAGE)
    client.login("congan.vinhmy")
    sizes = {}
    for p in sorted({1, 2, pages // 2, pages}):
        plain, packed, html = _fragment(client, f"/cong-an/doi-sanh?page={p}")
        assert f"Trang {p}/{pages}" in html and "340 người chờ đối sánh" in html
        sizes[f"page {p}"] = (plain, packed)
    first = identity_checks.pending_checks(["30322"])
    second_page = sorted(first, key=lambda c: (c.beneficiary.name_sort, c.id))[CHECKS_PAGE]
    name = second_page.beneficiary.full_name
    resp = client.post("/cong-an/doi-sanh/khop?page=2", {"check_id": second_page.id}, htmx=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and resp.headers["HX-Trigger"] == "checks-changed"
    assert f"{name}: khớp." in html and "339 người chờ đối sánh" in html and f"Trang 2/{pages}" in html
    assert f'value="{second_page.id}"' not in html
    sizes["khop"] = (len(resp.data), len(resp.data))
    plain, packed, html = _fragment(client, "/cong-an/doi-sanh/gan-day")
    assert html.startswith('<section id="done"') and name in html and "Khớp" in html
    sizes["recent results"] = (plain, packed)

    print("htmx /cong-an/doi-sanh (identity B, transferred B):", sizes)
    assert all(0 < size <= FRAGMENT_BUDGET for pair in sizes.values() for size in pair), sizes


def test_rates_fragment_within_5_kb(app, client):
    client.login("so.angiang")
    plain, packed, _ = _fragment(client, "/tinh/muc-chuan/")
    print(f"htmx /tinh/muc-chuan/: {plain} B identity, {packed} B transferred")
    assert plain <= FRAGMENT_BUDGET
