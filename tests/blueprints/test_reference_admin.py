"""Province category wording page (/tinh/danh-muc/): paged list grouped by category, htmx answers only the part
that changed, the same actions work without JavaScript (plain posts, redirect back to the same search and page)."""
from portal.blueprints.reference_admin import PAGE_SIZE
from portal.extensions import db
from portal.models import CategorySynonym
from portal.services.demo import user_by_username
from portal.services.imports import synonyms as import_synonyms


def _add_k5a(n: int) -> None:
    province = user_by_username("so.angiang")
    for i in range(n):
        import_synonyms.add_synonym(province, f"NCT hộ nghèo cô đơn mẫu {i:02d}", "K5a")
    db.session.commit()


def test_list_is_paged_and_grouped_by_category(app, client):
    _add_k5a(20)  # 31 seeded rows (30 of Decree 20, 1 of the social pension) + 20 = 51 rows
    client.login("so.angiang")
    assert PAGE_SIZE == 15
    html = client.get("/tinh/danh-muc/?q=mau", htmx=True).get_data(as_text=True)
    assert "20 cách ghi chứa «mau»" in html and "Trang 1/2" in html
    assert html.count("K5a – Người cao tuổi thuộc hộ nghèo không có người phụng dưỡng") == 1  # once per group
    assert html.count('<button name="key"') == 15 and "NCT hộ nghèo cô đơn mẫu 00" in html
    page2 = client.get("/tinh/danh-muc/?q=mau&page=2", htmx=True).get_data(as_text=True)
    assert page2.count('<button name="key"') == 5 and "NCT hộ nghèo cô đơn mẫu 19" in page2
    assert "K5a – Người cao tuổi" in page2  # the group heading is repeated at the top of the next page
    assert 'hx-get="/tinh/danh-muc/?q=mau&amp;page=2" hx-trigger="synonyms-changed from:body"' in page2
    full = client.get("/tinh/danh-muc/").get_data(as_text=True)
    assert "<html" in full and "51 cách ghi" in full and "Trang 1/4" in full


def test_delete_without_javascript_returns_to_the_same_search_and_page(app, client):
    _add_k5a(20)
    client.login("so.angiang")
    resp = client.post("/tinh/danh-muc/xoa?q=mau&page=2", {"key": "nct ho ngheo co don mau 19"})
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/tinh/danh-muc/?q=mau&page=2")
    assert db.session.get(CategorySynonym, "nct ho ngheo co don mau 19") is None
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Đã xoá cách ghi." in html and "19 cách ghi chứa «mau»" in html
    # htmx: the list of the same search and page, with the message; a category code cannot be deleted
    frag = client.post("/tinh/danh-muc/xoa?q=k5a", {"key": "k5a"}, htmx=True).get_data(as_text=True)
    assert "<html" not in frag and "không xoá được" in frag and 'class="flash error"' in frag


def test_add_with_htmx_answers_only_the_form(app, client):
    client.login("so.angiang")
    bad = client.post("/tinh/danh-muc/them", {"text": "NKT nặng", "category": "K6", "level": ""}, htmx=True)
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'value="NKT nặng"' in html and "cần mức độ khuyết tật" in html
    assert "<table" not in html and "<html" not in html
    ok = client.post("/tinh/danh-muc/them", {"text": "NKT nặng", "category": "K6", "level": "severe"}, htmx=True)
    assert ok.status_code == 200 and ok.headers["HX-Trigger"] == "synonyms-changed"
    assert "Đã thêm cách ghi «NKT nặng» → K6." in ok.get_data(as_text=True)
    assert db.session.get(CategorySynonym, "nkt nang").disability_level == "severe"
