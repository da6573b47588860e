"""Province rates pages (/tinh/muc-chuan): the seeded levels with their legal basis, adding a level (audited), a
refused value re-rendered with 422 and what was typed, a new coefficient from a month, top-up and fee rules; other
roles are refused. With htmx each form answers only its own section (≤ 5 KB identity and gzip, 422 with what was
typed), the change log is paged and reloads itself; without JavaScript the forms redirect or answer the page."""
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, CoefficientRule, FeeRule, LocalTopUp, StandardLevel
from portal.services.entitlement.rates import RateBook
from tests.conftest import pinned_clock

pytestmark = pinned_clock  # "2027-01" is a month still ahead on the pinned day


def test_province_sees_the_three_standard_levels_and_the_fee(client):
    client.login("so.angiang")
    page = client.get("/tinh/muc-chuan/").get_data(as_text=True)
    for text in ("360.000", "500.000", "540.000", "Nghị định 335/2026/NĐ-CP", "5.000", "Hỗ trợ chi phí mai táng"):
        assert text in page
    assert 'href="/tinh/muc-chuan/"' in client.get("/tinh/").get_data(as_text=True)


def test_add_level_is_audited_and_a_bad_amount_keeps_what_was_typed(client):
    client.login("so.angiang")
    bad = client.post("/tinh/muc-chuan/muc-chuan", {"valid_from": "2027-07", "amount": "năm trăm",
                                                    "legal_basis": "Nghị định 999/2027/NĐ-CP"})
    assert bad.status_code == 422
    body = bad.get_data(as_text=True)
    assert "Số tiền phải là số nguyên đồng" in body and 'value="Nghị định 999/2027/NĐ-CP"' in body
    ok = client.post("/tinh/muc-chuan/muc-chuan", {"valid_from": "2027-07", "amount": "600.000",
                                                   "legal_basis": "Nghị định 999/2027/NĐ-CP"})
    assert ok.status_code == 302
    row = db.session.execute(select(StandardLevel).where(StandardLevel.valid_from == date(2027, 7, 1))).scalar_one()
    assert (row.amount, row.legal_basis) == (600_000, "Nghị định 999/2027/NĐ-CP")
    audit = db.session.execute(select(AuditEvent).where(AuditEvent.object_type == "standard_level")).scalar_one()
    assert audit.user.username == "so.angiang"
    assert audit.summary.startswith("Thêm mức chuẩn 600.000 đồng từ tháng 07/2027")
    assert "Nghị định 999/2027" in client.get("/tinh/muc-chuan/").get_data(as_text=True)
    fix = client.post(f"/tinh/muc-chuan/muc-chuan/{row.id}", {"amount": "610.000",
                                                             "legal_basis": "Nghị định 999/2027/NĐ-CP Điều 4"})
    assert fix.status_code == 302 and db.session.get(StandardLevel, row.id).amount == 610_000
    events = db.session.execute(select(AuditEvent).where(AuditEvent.object_type == "standard_level")
                                .order_by(AuditEvent.id)).scalars().all()
    assert (events[-1].before["amount"], events[-1].after["amount"]) == (600_000, 610_000)
    dup = client.post("/tinh/muc-chuan/muc-chuan", {"valid_from": "2027-07", "amount": "610.000",
                                                    "legal_basis": "Nghị định 999/2027/NĐ-CP"})
    assert dup.status_code == 422 and "Đã có mức chuẩn áp dụng từ tháng 07/2027" in dup.get_data(as_text=True)


def test_new_coefficient_from_a_month_closes_the_old_row(client):
    client.login("so.angiang")
    rule = db.session.execute(select(CoefficientRule).where(CoefficientRule.category_code == "K8")).scalar_one()
    resp = client.post("/tinh/muc-chuan/he-so", {"rule_id": str(rule.id), "coefficient": "1,8",
                                                 "valid_from": "2027-01", "legal_basis": "Nghị quyết HĐND tỉnh (thử)"})
    assert resp.status_code == 302
    rows = db.session.execute(select(CoefficientRule).where(CoefficientRule.category_code == "K8")
                              .order_by(CoefficientRule.valid_from)).scalars().all()
    assert [(r.coefficient, r.valid_from, r.valid_to) for r in rows] == [
        (Decimal("1.5"), date(2021, 7, 1), date(2027, 1, 1)), (Decimal("1.8"), date(2027, 1, 1), None)]
    p = SimpleNamespace(category_code="K8", disability_level=None, children_count=1, birth_date=date(1980, 1, 1),
                        birth_year=1980)
    book = RateBook.load()
    assert (book.amount_for(p, date(2026, 12, 1)).amount, book.amount_for(p, date(2027, 1, 1)).amount) == (
        810_000, 972_000)


def test_top_up_and_fee_rules(client):
    client.login("so.angiang")
    assert client.post("/tinh/muc-chuan/ho-tro-them", {"category_code": "", "amount": "100.000",
                                                      "valid_from": "2027-01", "valid_to": "",
                                                      "legal_basis": "Nghị quyết HĐND tỉnh (thử)"}).status_code == 302
    assert db.session.execute(select(LocalTopUp.amount)).scalar_one() == 100_000
    none = client.post("/tinh/muc-chuan/chi-phi", {"valid_from": "2027-01", "per_beneficiary": "0",
                                                   "basis_points": "0", "legal_basis": "TT 76/2021/TT-BTC"})
    assert none.status_code == 422 and "Cần mức chi phí" in none.get_data(as_text=True)
    assert client.post("/tinh/muc-chuan/chi-phi", {"valid_from": "2027-01", "per_beneficiary": "0",
                                                  "basis_points": "50", "legal_basis": "TT 76/2021/TT-BTC Điều 3.7"}
                       ).status_code == 302
    assert db.session.execute(select(FeeRule.basis_points).where(FeeRule.valid_from == date(2027, 1, 1))
                              ).scalar_one() == 50


def test_other_roles_cannot_edit_rates(client):
    client.login("pld.chaudoc")
    assert client.get("/tinh/muc-chuan/").status_code == 403
    assert client.post("/tinh/muc-chuan/muc-chuan", {"valid_from": "2027-07", "amount": "600.000",
                                                    "legal_basis": "Nghị định 999/2027/NĐ-CP"}).status_code == 403


def test_rates_fragment_renders_for_htmx_with_decimal_comma_coefficients(client):
    client.login("so.angiang")
    resp = client.get("/tinh/muc-chuan/", htmx=True)
    assert resp.status_code == 200
    body = resp.get_data(as_text=True)
    assert 'name="csrf_token"' in body and "<html" not in body
    assert ">2,5<" in body and ">2.50<" not in body


# --- htmx: each form answers only its own section (≤ 5 KB identity and gzip), the change log reloads itself --------
import gzip  # noqa: E402
import re  # noqa: E402
import zlib  # noqa: E402

from portal.services.audit import record  # noqa: E402
from portal.services.demo import user_by_username  # noqa: E402
from portal.services.entitlement import administration as entitlement_admin  # noqa: E402

FRAGMENT_BUDGET = 5 * 1024
SECTION_IDS = ("levels", "coefficients", "top-ups", "fees", "supports", "rate-history")


def _htmx_post(client, url, data):
    """An htmx post as a browser sends it (gzip accepted): ``(response, identity bytes, transferred bytes, text)``."""
    resp = client.post(url, data, htmx=True, headers={"Accept-Encoding": "gzip, deflate"})
    body = resp.get_data()
    encoding = resp.headers.get("Content-Encoding")
    plain = gzip.decompress(body) if encoding == "gzip" else zlib.decompress(body) if encoding == "deflate" else body
    return resp, len(plain), len(body), plain.decode()


def _only_section(html: str, section_id: str) -> None:
    """``html`` is exactly the section ``section_id`` (no page, no other section)."""
    assert html.startswith(f'<section class="card" id="{section_id}"'), html[:120]
    assert html.count("<section") == 1 and "<html" not in html and "<h1>" not in html


def test_htmx_add_level_answers_the_levels_section_and_the_log_reloads(client):
    client.login("so.angiang")
    resp, plain, packed, html = _htmx_post(client, "/tinh/muc-chuan/muc-chuan", {
        "valid_from": "2027-07", "amount": "600.000", "legal_basis": "Nghị định 999/2027/NĐ-CP"})
    assert resp.status_code == 200 and resp.headers["HX-Trigger"] == "rates-changed"
    _only_section(html, "levels")
    assert "Đã thêm mức chuẩn 600.000 đồng từ tháng 07/2027." in html
    row = db.session.execute(select(StandardLevel).where(StandardLevel.valid_from == date(2027, 7, 1))).scalar_one()
    assert re.search(rf'<tr id="level-{row.id}"><td>07/2027</td><td class="num">600.000</td>'
                     r"<td>Nghị định 999/2027/NĐ-CP</td>", html)
    assert 'name="amount" placeholder="540.000" type="text" value=""' in html  # the add form is empty again
    assert plain <= FRAGMENT_BUDGET and packed <= FRAGMENT_BUDGET, (plain, packed)
    log = client.get("/tinh/muc-chuan/?phan=nhat-ky", htmx=True)
    text = log.get_data(as_text=True)
    _only_section(text, "rate-history")
    assert 'hx-trigger="rates-changed from:body"' in text
    assert "Thêm mức chuẩn 600.000 đồng từ tháng 07/2027 (Nghị định 999/2027/NĐ-CP)." in text
    assert len(log.data) <= FRAGMENT_BUDGET


def test_htmx_refused_level_keeps_what_was_typed_with_422(client):
    client.login("so.angiang")
    resp, plain, _, html = _htmx_post(client, "/tinh/muc-chuan/muc-chuan", {
        "valid_from": "2027-07", "amount": "năm trăm", "legal_basis": "Nghị định 999/2027/NĐ-CP"})
    assert resp.status_code == 422 and "HX-Trigger" not in resp.headers
    _only_section(html, "levels")
    field = re.search(r'<div class="field +invalid" id="field-level-amount">.*?</div>', html, re.S).group(0)
    assert 'value="năm trăm"' in field and "Số tiền phải là số nguyên đồng, ví dụ 540.000." in field
    assert 'value="2027-07"' in html and 'value="Nghị định 999/2027/NĐ-CP"' in html
    assert plain <= FRAGMENT_BUDGET
    assert db.session.execute(select(StandardLevel).where(StandardLevel.valid_from == date(2027, 7, 1))
                              ).scalar() is None


def test_htmx_level_correction_shows_the_error_in_its_row_then_saves(client):
    client.login("so.angiang")
    level = db.session.execute(select(StandardLevel).where(StandardLevel.amount == 540_000)).scalar_one()
    opened = client.get(f"/tinh/muc-chuan/?phan=muc-chuan&sua={level.id}", htmx=True).get_data(as_text=True)
    _only_section(opened, "levels")  # «Sửa» opens that row's correction form, the other rows keep their link
    assert opened.count('name="amount" value=') == 1 and opened.count(">Sửa</a>") == 2
    assert f'action="/tinh/muc-chuan/muc-chuan/{level.id}"' in opened and 'value="540.000"' in opened
    page = client.get(f"/tinh/muc-chuan/?sua={level.id}").get_data(as_text=True)  # the same without JavaScript
    assert "<html" in page and f'action="/tinh/muc-chuan/muc-chuan/{level.id}"' in page
    resp, _, _, html = _htmx_post(client, f"/tinh/muc-chuan/muc-chuan/{level.id}", {
        "amount": "5 trăm 45", "legal_basis": "NĐ 335/2026/NĐ-CP (đính chính)"})
    assert resp.status_code == 422
    _only_section(html, "levels")
    row = re.search(rf'<tr id="level-{level.id}">.*?</tr>', html, re.S).group(0)
    assert 'value="5 trăm 45"' in row and 'aria-invalid="true"' in row and "Số tiền phải là số nguyên đồng" in row
    assert 'value="NĐ 335/2026/NĐ-CP (đính chính)"' in row
    assert 'name="amount" placeholder="540.000" type="text" value=""' in html  # not copied into the add form
    resp, plain, packed, html = _htmx_post(client, f"/tinh/muc-chuan/muc-chuan/{level.id}", {
        "amount": "545.000", "legal_basis": "NĐ 335/2026/NĐ-CP (đính chính)"})
    assert resp.status_code == 200 and resp.headers["HX-Trigger"] == "rates-changed"
    assert "Đã sửa mức chuẩn từ tháng 07/2026: 545.000 đồng." in html
    assert f'<tr id="level-{level.id}"><td>07/2026</td><td class="num">545.000</td>' in html
    assert plain <= FRAGMENT_BUDGET and packed <= FRAGMENT_BUDGET, (plain, packed)
    assert db.session.get(StandardLevel, level.id).amount == 545_000


def test_htmx_new_coefficient_answers_the_coefficients_section(client):
    client.login("so.angiang")
    rule = db.session.execute(select(CoefficientRule).where(CoefficientRule.category_code == "K8")).scalar_one()
    resp, _, _, html = _htmx_post(client, "/tinh/muc-chuan/he-so", {
        "rule_id": "", "coefficient": "1,8", "valid_from": "2027-01", "legal_basis": "Nghị quyết HĐND tỉnh (thử)"})
    assert resp.status_code == 422 and "Chọn dòng hệ số cần sửa." in html and 'value="1,8"' in html
    _only_section(html, "coefficients")
    resp, _, _, html = _htmx_post(client, "/tinh/muc-chuan/he-so", {
        "rule_id": str(rule.id), "coefficient": "mười", "valid_from": "2027-01",
        "legal_basis": "Nghị quyết HĐND tỉnh (thử)"})
    assert resp.status_code == 422 and f"value={rule.id} checked" in html  # the chosen row stays chosen
    field = re.search(r'<div class="field +invalid" id="field-coef-coefficient">.*?</div>', html, re.S).group(0)
    assert 'value="mười"' in field and "Hệ số không hợp lệ, ví dụ 1,5." in field
    resp, plain, packed, html = _htmx_post(client, "/tinh/muc-chuan/he-so", {
        "rule_id": str(rule.id), "coefficient": "1,8", "valid_from": "2027-01",
        "legal_basis": "Nghị quyết HĐND tỉnh (thử)"})
    assert resp.status_code == 200 and resp.headers["HX-Trigger"] == "rates-changed"
    _only_section(html, "coefficients")
    assert "Đã lưu hệ số mới." in html
    new = db.session.execute(select(CoefficientRule).where(CoefficientRule.category_code == "K8",
                                                           CoefficientRule.valid_to.is_(None))).scalar_one()
    k8 = html[html.index('<tr><td rowspan="2">K8</td>'):html.index("</tbody>")]  # old and new row, code once
    assert ('<td>Người nhiễm HIV thuộc hộ nghèo</td><td>–</td><td class="num">1,5</td><td>07/2021 – trước 01/2027'
            "</td></tr>") in k8  # the old row is closed, no longer selectable
    assert (f"<tr><td><label><input type=radio name=rule_id value={new.id}> Người nhiễm HIV thuộc hộ nghèo</label></td>"
            '<td>–</td><td class="num">1,8</td><td>01/2027</td><td>Nghị quyết HĐND tỉnh (thử)</td></tr>') in k8
    assert 'name="coefficient" placeholder="1,5" type="text" value=""' in html
    assert plain <= FRAGMENT_BUDGET and packed <= FRAGMENT_BUDGET, (plain, packed)


def test_htmx_top_up_answers_its_section(client):
    client.login("so.angiang")
    data = {"category_code": "K5a", "amount": "0", "valid_from": "2027-01", "valid_to": "",
            "legal_basis": "Nghị quyết HĐND tỉnh (thử)"}
    resp, _, _, html = _htmx_post(client, "/tinh/muc-chuan/ho-tro-them", data)
    assert resp.status_code == 422 and "Số tiền hỗ trợ thêm phải lớn hơn 0." in html
    _only_section(html, "top-ups")
    assert '<option selected value="K5a">K5a</option>' in html and 'value="Nghị quyết HĐND tỉnh (thử)"' in html
    resp, plain, packed, html = _htmx_post(client, "/tinh/muc-chuan/ho-tro-them", {**data, "amount": "100.000"})
    assert resp.status_code == 200 and resp.headers["HX-Trigger"] == "rates-changed"
    _only_section(html, "top-ups")
    assert "Đã thêm khoản hỗ trợ thêm của tỉnh." in html
    assert ('<tr><td>K5a</td><td class="num">100.000</td><td>01/2027</td><td></td>'
            "<td>Nghị quyết HĐND tỉnh (thử)</td></tr>") in html
    assert plain <= FRAGMENT_BUDGET and packed <= FRAGMENT_BUDGET, (plain, packed)


def test_htmx_fee_answers_its_section(client):
    client.login("so.angiang")
    data = {"valid_from": "2027-01", "per_beneficiary": "0", "basis_points": "0", "legal_basis": "TT 76/2021/TT-BTC"}
    resp, _, _, html = _htmx_post(client, "/tinh/muc-chuan/chi-phi", data)
    assert resp.status_code == 422 and "Cần mức chi phí theo người hoặc theo tỷ lệ" in html
    _only_section(html, "fees")
    assert 'value="TT 76/2021/TT-BTC"' in html
    assert 'id="fee-valid_from" name="valid_from" type="text" value="2027-01"' in html
    resp, plain, packed, html = _htmx_post(client, "/tinh/muc-chuan/chi-phi", {**data, "basis_points": "50"})
    assert resp.status_code == 200 and resp.headers["HX-Trigger"] == "rates-changed"
    _only_section(html, "fees")
    assert "Đã thêm quy định chi phí chi trả." in html
    assert '<tr><td>01/2027</td><td class="num">0</td><td class="num">0,5 %</td><td>TT 76/2021/TT-BTC</td></tr>' in html
    assert plain <= FRAGMENT_BUDGET and packed <= FRAGMENT_BUDGET, (plain, packed)


def test_without_javascript_forms_redirect_or_answer_the_whole_page(client):
    client.login("so.angiang")
    posts = [
        ("/tinh/muc-chuan/muc-chuan", {"valid_from": "2027-07", "amount": "x", "legal_basis": "Nghị định 999/2027"},
         {"amount": "600.000"}, "Đã thêm mức chuẩn 600.000 đồng từ tháng 07/2027."),
        ("/tinh/muc-chuan/ho-tro-them", {"category_code": "", "amount": "0", "valid_from": "2027-01", "valid_to": "",
                                         "legal_basis": "Nghị quyết HĐND tỉnh (thử)"},
         {"amount": "100.000"}, "Đã thêm khoản hỗ trợ thêm của tỉnh."),
        ("/tinh/muc-chuan/chi-phi", {"valid_from": "2027-01", "per_beneficiary": "0", "basis_points": "0",
                                     "legal_basis": "TT 76/2021/TT-BTC"},
         {"basis_points": "50"}, "Đã thêm quy định chi phí chi trả."),
    ]
    for url, bad, fix, message in posts:
        refused = client.post(url, bad)
        html = refused.get_data(as_text=True)
        assert refused.status_code == 422 and "<html" in html, url
        assert all(f'id="{sid}"' in html for sid in SECTION_IDS), url
        assert f'value="{bad["legal_basis"]}"' in html
        ok = client.post(url, {**bad, **fix})
        assert ok.status_code == 302 and ok.headers["Location"].endswith("/tinh/muc-chuan/"), url
        page = client.get("/tinh/muc-chuan/").get_data(as_text=True)
        assert f'<p class="flash success">{message}</p>' in page


def test_htmx_get_answers_one_section(client):
    client.login("so.angiang")
    for phan, section_id in [("muc-chuan", "levels"), ("he-so", "coefficients"), ("ho-tro-them", "top-ups"),
                             ("chi-phi", "fees"), ("mai-tang", "supports"), ("nhat-ky", "rate-history"),
                             (None, "coefficients"), ("khong-co", "coefficients")]:
        resp = client.get("/tinh/muc-chuan/" + (f"?phan={phan}" if phan else ""), htmx=True)
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200 and "HX-Request" in resp.headers["Vary"]
        _only_section(html, section_id)
        assert len(resp.data) <= FRAGMENT_BUDGET, (phan, len(resp.data))
    boosted = client.get("/tinh/muc-chuan/", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.get_data(as_text=True)


#: A legal basis as long as the service keeps (200 characters), so each change-log line is as long as it gets.
LONG_BASIS = ("Nghị quyết số 12/2030/NQ-HĐND ngày 10/12/2029 của Hội đồng nhân dân tỉnh An Giang quy định mức chi phí "
              "chi trả chính sách trợ giúp xã hội qua tổ chức dịch vụ chi trả trên địa bàn tỉnh, Điều 3 khoản 2 điểm a"
              )[:200]


def test_change_log_is_paged_within_5_kb(client):
    from portal.blueprints.rates import HISTORY_PAGE

    province = user_by_username("so.angiang")
    for month in range(1, 13):
        entitlement_admin.add_fee_rule(province, f"2030-{month:02d}", 1000 + month, 0, LONG_BASIS)
    db.session.commit()
    client.login("so.angiang")
    pages = -(-12 // HISTORY_PAGE)
    first = client.get("/tinh/muc-chuan/?phan=nhat-ky", htmx=True)
    html = first.get_data(as_text=True)
    _only_section(html, "rate-history")
    assert html.count("Thêm chi phí chi trả từ tháng") == HISTORY_PAGE and f"Trang 1/{pages}" in html
    assert "Thêm chi phí chi trả từ tháng 12/2030: 1.012 đồng/đối tượng/tháng" in html  # newest first
    assert len(first.data) <= FRAGMENT_BUDGET, len(first.data)
    last = client.get(f"/tinh/muc-chuan/?phan=nhat-ky&trang={pages}", htmx=True)
    html = last.get_data(as_text=True)
    assert f"Trang {pages}/{pages}" in html and "từ tháng 01/2030: 1.001 đồng" in html
    assert len(last.data) <= FRAGMENT_BUDGET
    page = client.get(f"/tinh/muc-chuan/?trang={pages}").get_data(as_text=True)  # without JavaScript: the page
    assert "<html" in page and f"Trang {pages}/{pages}" in page and "từ tháng 01/2030: 1.001 đồng" in page
    # the longest entries there can be (200-character basis and the back-pay note), a whole page of them
    for month in range(1, HISTORY_PAGE + 1):
        record(province, "create", "standard_level", 1,
               f"Thêm mức chuẩn 1.540.000 đồng từ tháng {month:02d}/2024 ({LONG_BASIS})." + (
                   f" Các tháng {month:02d}/2024–08/2024 đã lập danh sách: danh sách kế tiếp sẽ truy lĩnh chênh lệch"
                   " cho từng tháng."))
    db.session.commit()
    longest = client.get("/tinh/muc-chuan/?phan=nhat-ky", htmx=True)
    assert longest.get_data(as_text=True).count(LONG_BASIS) == HISTORY_PAGE
    assert len(longest.data) <= FRAGMENT_BUDGET, len(longest.data)


def test_every_refused_value_of_a_rates_form_is_shown_at_once_with_what_was_typed(client):
    client.login("so.angiang")
    bad = client.post("/tinh/muc-chuan/ho-tro-them", {"category_code": "K99", "amount": "năm trăm",
                                                     "valid_from": "13/2027", "valid_to": "xx",
                                                     "legal_basis": "NQ"})
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422
    for message in ("Tháng không hợp lệ (định dạng MM/YYYY, ví dụ 01/2027).", "Số tiền phải là số nguyên đồng",
                    "Diện đối tượng không có trong danh mục.", "Cần ghi căn cứ pháp lý"):
        assert message in body
    assert body.count("Tháng không hợp lệ") == 2  # from and to, each under its own field
    assert 'value="năm trăm"' in body and 'value="13/2027"' in body and 'value="NQ"' in body
    fee = client.post("/tinh/muc-chuan/chi-phi", {"valid_from": "2027-01", "per_beneficiary": "-5",
                                                  "basis_points": "5000", "legal_basis": ""})
    body = fee.get_data(as_text=True)
    assert fee.status_code == 422 and "Số tiền phải là số nguyên đồng" in body
    assert "Tỷ lệ từ 0 đến 1000 phần vạn" in body and "Cần ghi căn cứ pháp lý" in body
    assert db.session.execute(select(LocalTopUp)).first() is None and db.session.execute(select(FeeRule)).first() \
        is not None  # the seeded fee only: nothing written


def test_htmx_coefficient_shows_every_refusal_in_its_section(client):
    client.login("so.angiang")
    rule = db.session.execute(select(CoefficientRule).where(CoefficientRule.valid_to.is_(None))).scalars().first()
    resp, size, _, body = _htmx_post(client, "/tinh/muc-chuan/he-so", {"rule_id": str(rule.id), "coefficient": "abc",
                                                                       "valid_from": "1990-01", "legal_basis": ""})
    assert resp.status_code == 422 and size <= 5 * 1024
    assert "Hệ số không hợp lệ, ví dụ 1,5." in body and "Cần ghi căn cứ pháp lý" in body
    assert "Tháng áp dụng phải trong thời gian hiệu lực của dòng hệ số" in body
