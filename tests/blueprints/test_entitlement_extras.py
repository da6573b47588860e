"""Commune screens for further categories (diện hưởng khác, Decree 20/2021 Art. 6.2) and care support (hỗ trợ chăm
sóc, Art. 20) on the beneficiary page: what the clerk enters reaches the next payout build (highest category, K4 +
K5 both, a care line to the payee), refused input keeps what was typed (422, Vietnamese), htmx answers ≤ 5 KB,
another commune gets 404, every change is audited."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from portal.clock import this_month_vn
from portal.extensions import db
from portal.models import AdditionalCategory, AuditEvent, CareArrangement
from portal.services.demo import user_by_username
from portal.services.entitlement.months import add_months
from portal.services.payouts.build import build_lists
from tests.conftest import pinned_clock
from tests.factories import AUG, chau_doc_people, make_beneficiary, run_to_approved

pytestmark = pinned_clock  # "next month", "quá xa" and ages are relative to the pinned day

FRAGMENT_LIMIT = 5 * 1024


@pytest.fixture
def people(app):
    p = chau_doc_people()
    db.session.commit()
    return p


@pytest.fixture
def clerk(client):
    return client.login("xa.vinhmy")


def url(b, tail=""):
    return f"/xa/doi-tuong/{b.id}/huong-them{tail}"


def lines_of(result, b, programme="tcxh"):
    return [line for lst in result.lists for line in lst.lines
            if line.beneficiary_id == b.id and line.programme == programme]


def channel_of(result, line):
    return next(lst.channel for lst in result.lists if lst.id == line.payout_list_id)


def next_month_label():
    return f"{add_months(this_month_vn(), 1):%m/%Y}"


def text(resp):
    return resp.get_data(as_text=True)


def cat(code, valid_from="08/2024", decision="15/QĐ-UBND", **more):
    """The add-category form as posted: ``cat-`` fields."""
    return {"cat-category_code": code, "cat-valid_from": valid_from, "cat-decision_number": decision,
            **{f"cat-{k}": v for k, v in more.items()}}


def test_additional_category_pays_the_higher_amount_in_the_next_build(people, clerk):
    phuc = people["phuc"]  # K5c, born 1930: 1,0 × 500.000 in 08/2024; K5a from 80: 2,0
    resp = clerk.post(url(phuc, "/dien"), cat("K5a"))
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/xa/doi-tuong/{phuc.id}#extras")
    row = db.session.execute(select(AdditionalCategory).where(
        AdditionalCategory.beneficiary_id == phuc.id)).scalar_one()
    assert (row.category_code, row.disability_level, row.children_count, row.valid_from, row.valid_to,
            row.decision_number) == ("K5a", None, None, AUG, None, "15/QĐ-UBND")

    [line] = lines_of(build_lists(user_by_username("pld.chaudoc"), AUG), phuc)
    assert line.regular_amount == 1_000_000 and line.total == 1_000_000 and str(line.coefficient) in ("2", "2.00")

    html = text(clerk.get(f"/xa/doi-tuong/{phuc.id}"))
    # next month (12/2026 on 29/11/2026): K5c ended 06/2025, K5a 2,0 × 540.000
    assert f"Tháng {next_month_label()}: 1.080.000 đ (cao nhất trong các diện: K5a)" in html
    assert "Ghi thêm diện hưởng khác K5a từ 08/2024 (QĐ 15/QĐ-UBND;" in html  # the audit trail of the person
    assert "K5a – từ 08/2024 · QĐ 15/QĐ-UBND" in html  # its row with its months
    # the "Mức trợ cấp tháng" row (this month, 11/2026) counts K5a like the section: 2,0 × 540.000
    assert re.search(r"Mức trợ cấp tháng \d\d/\d{4}</th><td>1\.080\.000 đ \(mức chuẩn 540\.000 đ × hệ số 2\)", html)


def test_lower_additional_category_keeps_the_main_amount(people, clerk):
    thoa = people["thoa"]  # K6 severe, elderly: 2,0; K5a at 74: 1,5
    assert clerk.post(url(thoa, "/dien"), cat("K5a")).status_code == 302
    [line] = lines_of(build_lists(user_by_username("pld.chaudoc"), AUG), thoa)
    assert line.total == 1_000_000
    html = text(clerk.get(url(thoa)))
    assert f"Tháng {next_month_label()}: 1.080.000 đ (cao nhất trong các diện: K6 — diện chính)" in html
    assert "810.000 đ" in html  # K5a alone, shown on its row


def test_k4_single_parent_who_is_also_k5a_gets_both(people, clerk):
    me = make_beneficiary("Lê Thị Mến", birth_date=date(1960, 4, 2), gender="female", category_code="K4",
                          children_count=2)
    db.session.commit()
    assert clerk.post(url(me, "/dien"), cat("K5a")).status_code == 302
    [line] = lines_of(build_lists(user_by_username("pld.chaudoc"), AUG), me)
    # K4 2 children × 1,0 × 500.000 + K5a (64 years) 1,5 × 500.000
    assert line.regular_amount == 1_750_000 and line.total == 1_750_000
    html = text(clerk.get(url(me)))
    assert f"Tháng {next_month_label()}: 1.890.000 đ (diện K4 cộng diện K5a: hưởng cả hai" in html


def test_k5a_who_is_also_a_k4_single_parent_gets_both(people, clerk):
    ba = make_beneficiary("Trần Thị Ba", birth_date=date(1962, 1, 5), gender="female", category_code="K5a")
    db.session.commit()
    resp = clerk.post(url(ba, "/dien"), cat("K4", children_count="1"), htmx=True)
    assert resp.status_code == 200 and len(resp.data) <= FRAGMENT_LIMIT and "<html" not in text(resp)
    assert "Đã ghi diện hưởng khác K4 từ tháng 08/2024." in text(resp)
    assert "K4, nuôi 1 con – từ 08/2024 · QĐ 15/QĐ-UBND" in text(resp)
    [line] = lines_of(build_lists(user_by_username("pld.chaudoc"), AUG), ba)
    assert line.total == 750_000 + 500_000


def test_care_arrangement_gives_a_care_line_to_the_payee(people, clerk):
    vu = people["vu"]  # K6 especially severe adult: own line 1.000.000 on the account list
    form = {"care-kind": "household_especially_severe", "care-payee_name": "Bùi Thị Hoa",
            "care-payee_national_id": "089 180 001 234", "care-payee_relationship": "Vợ",
            "care-valid_from": "08/2024", "care-decision_number": "125/QĐ-UBND"}
    resp = clerk.post(url(vu, "/cham-soc"), form, htmx=True)
    assert resp.status_code == 200 and len(resp.data) <= FRAGMENT_LIMIT, len(resp.data)
    assert "Đã ghi hỗ trợ chăm sóc trả cho Bùi Thị Hoa từ tháng 08/2024." in text(resp)
    assert (f"Hỗ trợ chăm sóc tháng {next_month_label()}: 540.000 đ — trả cho Bùi Thị Hoa (Vợ)") in text(resp)
    arr = db.session.execute(select(CareArrangement)).scalar_one()
    assert (arr.payee_national_id, arr.valid_from, arr.valid_to) == ("089180001234", AUG, None)

    result = build_lists(user_by_username("pld.chaudoc"), AUG)
    [own] = lines_of(result, vu)
    [care] = lines_of(result, vu, "care")
    assert own.total == 1_000_000 and channel_of(result, own) == "account"
    assert (care.care_support, care.total, care.payee_name, care.payee_national_id, care.payee_relationship) == (
        500_000, 500_000, "Bùi Thị Hoa", "089180001234", "Vợ")
    assert channel_of(result, care) == "cash_at_point" and care.account_number is None
    ev = db.session.execute(select(AuditEvent).where(AuditEvent.object_type == "beneficiary",
                                                     AuditEvent.object_id == vu.id)).scalar_one()
    assert ev.action == "create" and "Bùi Thị Hoa" in ev.summary
    assert ev.after["Số định danh người nhận"] == "089180001234"


def test_ending_a_care_arrangement(people, clerk):
    vu = people["vu"]
    db.session.add(CareArrangement(beneficiary_id=vu.id, kind="household_especially_severe", payee_name="Bùi Thị Hoa",
                                   payee_national_id="089180001234", payee_relationship="Vợ", valid_from=AUG,
                                   decision_number="125/QĐ-UBND"))
    db.session.commit()
    arr = db.session.execute(select(CareArrangement)).scalar_one()
    end = url(vu, f"/cham-soc/{arr.id}/ket-thuc")

    resp = clerk.post(end, {"valid_to": "07/2024"}, htmx=True)
    assert resp.status_code == 422 and len(resp.data) <= FRAGMENT_LIMIT
    assert "Tháng thôi hưởng (07/2024) phải sau tháng bắt đầu hưởng (08/2024)." in text(resp)
    assert 'value="07/2024"' in text(resp)
    resp = clerk.post(end, {"valid_to": "tháng 13"}, htmx=True)
    assert resp.status_code == 422 and "Thôi hưởng từ tháng không hợp lệ" in text(resp)

    assert clerk.post(end, {"valid_to": "09/2024"}).status_code == 302
    db.session.refresh(arr)
    assert arr.valid_to == date(2024, 9, 1)
    assert lines_of(build_lists(user_by_username("pld.chaudoc"), AUG), vu, "care")[0].care_support == 500_000
    assert lines_of(build_lists(user_by_username("pld.chaudoc"), date(2024, 9, 1)), vu, "care") == []
    assert "không có hỗ trợ chăm sóc" not in text(clerk.get(url(vu)))


def test_removing_an_additional_category_entered_by_mistake(people, clerk):
    phuc = people["phuc"]
    clerk.post(url(phuc, "/dien"), cat("K5a", "12/2026"))
    row = db.session.execute(select(AdditionalCategory)).scalar_one()
    opened = clerk.get(url(phuc, f"/dien/{row.id}"), htmx=True)
    assert opened.status_code == 200 and text(opened).lstrip().startswith(f'<tr id="cat-{row.id}">')
    assert f'formaction="/xa/doi-tuong/{phuc.id}/huong-them/dien/{row.id}/xoa"' in text(opened)
    closed = text(clerk.get(url(phuc), htmx=True))
    assert "Thôi hưởng / xóa…" in closed and f'id="cat-end-{row.id}"' not in closed
    page = text(clerk.get(url(phuc, f"?sua_dien={row.id}")))  # the link without JS opens the form on the page
    assert "<html" in page and f'id="cat-end-{row.id}"' in page
    resp = clerk.post(url(phuc, f"/dien/{row.id}/xoa"), htmx=True)
    assert resp.status_code == 200 and "Đã xóa diện hưởng khác K5a (ghi nhầm)." in text(resp)
    assert resp.headers["HX-Retarget"] == "#extras-list"
    assert db.session.execute(select(AdditionalCategory)).first() is None
    summaries = db.session.execute(select(AuditEvent.summary).where(AuditEvent.object_id == phuc.id,
                                                                    AuditEvent.object_type == "beneficiary")).scalars()
    assert sorted(summaries) == ["Ghi thêm diện hưởng khác K5a từ 12/2026 (QĐ 15/QĐ-UBND; chỉ hưởng mức cao nhất, "
                                 "NĐ 20/2021 Điều 6.2)", "Xóa diện hưởng khác K5a (ghi nhầm, chưa chi trả)"]


def test_a_category_that_counted_cannot_be_deleted_only_ended(people, clerk):
    """Phúc's 08/2024 list is approved at 500.000 đ; K5a from 08/2024 (backdated) shows the back pay; deleting is
    refused (the 08 month is listed); ending from 09/2024 stops it."""
    phuc = people["phuc"]
    run_to_approved()
    resp = clerk.post(url(phuc, "/dien"), cat("K5a", "08/2024"), htmx=True)
    assert resp.status_code == 200
    # the page previews 12/2026 (the test data has no list after 08/2024, hence also a gap back pay): the
    # backdated K5a adds the difference for the listed 08/2024
    assert "Truy lĩnh chênh lệch mức 08/2024: 500.000 đ" in text(resp)
    row = db.session.execute(select(AdditionalCategory)).scalar_one()

    refused = clerk.post(url(phuc, f"/dien/{row.id}/xoa"), htmx=True)
    assert refused.status_code == 422 and len(refused.data) <= FRAGMENT_LIMIT
    assert ("Diện K5a đã được tính khi lập danh sách chi trả (tháng 08/2024); không xóa được. Nếu đối tượng không "
            "còn hưởng diện này, ghi «Thôi hưởng từ tháng».") in text(refused)
    assert text(refused).lstrip().startswith(f'<tr id="cat-{row.id}">')
    plain = clerk.post(url(phuc, f"/dien/{row.id}/xoa"))
    assert plain.status_code == 422 and "<html" in text(plain) and "không xóa được" in text(plain)
    assert db.session.get(AdditionalCategory, row.id) is not None

    end = url(phuc, f"/dien/{row.id}/ket-thuc")
    bad = clerk.post(end, {"valid_to": "08/2024"}, htmx=True)
    assert bad.status_code == 422 and len(bad.data) <= FRAGMENT_LIMIT
    assert "Tháng thôi hưởng (08/2024) phải sau tháng bắt đầu hưởng (08/2024)." in text(bad)
    assert 'value="08/2024"' in text(bad)
    ok = clerk.post(end, {"valid_to": "09/2024"}, htmx=True)
    assert ok.status_code == 200 and ok.headers["HX-Retarget"] == "#extras-list"
    assert "Đã ghi thôi hưởng diện khác K5a từ tháng 09/2024." in text(ok)
    assert "K5a – từ 08/2024, thôi từ 09/2024 · QĐ 15/QĐ-UBND" in text(ok)
    assert "đã thôi hưởng (từ 09/2024)" in text(ok)
    assert "Cảnh báo" not in text(ok)  # no line from 09/2024 on yet
    db.session.refresh(row)
    assert row.valid_to == date(2024, 9, 1)
    [line] = lines_of(build_lists(user_by_username("pld.chaudoc"), date(2024, 9, 1)), phuc)
    # 09: K5c only; 08 was listed at 500.000 and K5a counted for it: back pay of the difference
    assert (line.regular_amount, line.back_pay, line.total) == (500_000, 500_000, 1_000_000)


def test_ending_warns_when_months_from_then_are_listed(people, clerk):
    phuc = people["phuc"]
    db.session.add(AdditionalCategory(beneficiary_id=phuc.id, category_code="K5a", valid_from=AUG,
                                      decision_number="15/QĐ-UBND"))
    db.session.commit()
    build_lists(user_by_username("pld.chaudoc"), AUG)
    build_lists(user_by_username("pld.chaudoc"), date(2024, 9, 1))
    db.session.commit()
    row = db.session.execute(select(AdditionalCategory)).scalar_one()
    resp = clerk.post(url(phuc, f"/dien/{row.id}/ket-thuc"), {"valid_to": "2024-09"})
    assert resp.status_code == 302
    page = text(clerk.get(resp.headers["Location"]))
    assert ("Cảnh báo: Đã có dòng trợ cấp trên danh sách chi trả tháng 09/2024 (từ tháng thôi hưởng diện K5a): số đã "
            "lập không tự thu hồi; nếu danh sách chưa duyệt, đề nghị cơ quan lập danh sách lập lại.") in page
    ev = db.session.execute(select(AuditEvent).where(AuditEvent.action == "update")).scalar_one()
    assert ev.object_id == phuc.id and ev.after["Thôi hưởng từ tháng"] == "09/2024"


def test_category_form_defaults_to_the_next_lists_month_and_needs_a_decision(people, clerk):
    vu = people["vu"]
    blank = clerk.get(url(vu, "?mau=dien"), htmx=True)
    assert f'name="cat-valid_from" placeholder="12/2026" type="text" value="{next_month_label()}"' in text(blank)
    resp = clerk.post(url(vu, "/dien"), cat("K8", "", ""), htmx=True)
    assert resp.status_code == 422 and len(resp.data) <= FRAGMENT_LIMIT
    assert "Chưa nhập hưởng từ tháng (dạng tháng/năm, ví dụ 12/2026)." in text(resp)
    assert "Chưa nhập số quyết định hưởng diện này." in text(resp)
    too_far = f"{add_months(this_month_vn(), 14):%m/%Y}"  # 13 months after the next list's month (limit 12)
    resp = clerk.post(url(vu, "/dien"), cat("K8", too_far, "3/QĐ"), htmx=True)
    assert resp.status_code == 422 and f"Hưởng từ tháng ({too_far}) quá xa" in text(resp)
    assert f'value="{too_far}"' in text(resp) and 'value="3/QĐ"' in text(resp)
    resp = clerk.post(url(vu, "/dien"), cat("K8", "12/2023", "3/QĐ"), htmx=True)
    assert resp.status_code == 422 and "không được trước tháng đối tượng bắt đầu hưởng trợ cấp (01/2024)" in text(resp)
    assert db.session.execute(select(AdditionalCategory)).first() is None
    ok = clerk.post(url(vu, "/dien"), cat("K8", next_month_label(), "3/QĐ"), htmx=True)
    assert ok.status_code == 200 and f"K8 – từ {next_month_label()} · QĐ 3/QĐ" in text(ok)


def test_a_future_category_shows_from_when_and_is_not_in_the_next_months_amount(people, clerk):
    thoa = people["thoa"]  # K6 severe elderly: 2,0 → 1.080.000 in 12/2026
    later = f"{add_months(this_month_vn(), 4):%m/%Y}"
    db.session.add(AdditionalCategory(beneficiary_id=thoa.id, category_code="K4", children_count=3,
                                      valid_from=add_months(this_month_vn(), 4), decision_number="9/QĐ"))
    db.session.commit()
    html = text(clerk.get(url(thoa), htmx=True))
    assert f"Tháng {next_month_label()}: 1.080.000 đ</strong>" in html  # K4 + K6 not yet
    assert f"K4, nuôi 3 con – từ {later} · QĐ 9/QĐ" in html and f"chưa hưởng (từ {later})" in html


@pytest.mark.parametrize("form, message", [
    (cat("K6", disability_level="severe"), "Diện K6 là diện chính của đối tượng; chọn một diện khác"),
    (cat("K9"), "Không có diện đối tượng «K9»."),
    (cat(""), "Chọn diện đối tượng khác."),
    (cat("K4", children_count="hai"), "Số con đang nuôi phải là số nguyên từ 1 đến 20 (đã nhập: hai)."),
    (cat("K4"), "Diện K4 cần số con đang nuôi (từ 1 đến 20)."),
    (cat("K8", disability_level="severe"), "Chỉ diện K6 (người khuyết tật) mới ghi mức độ khuyết tật."),
    (cat("K1"), "Diện K1 dành cho người dưới 16 tuổi"),
    (cat("K5c", "07/2025"), "Diện K5c chỉ áp dụng đến hết tháng 06/2025; không ghi thêm được."),
    (cat("K8", "tháng bảy"), "Hưởng từ tháng không hợp lệ"),
])
def test_bad_category_is_refused_in_vietnamese_with_the_typed_values(people, clerk, form, message):
    vu = people["vu"]  # K6 especially severe, born 1977
    resp = clerk.post(url(vu, "/dien"), form)
    html = text(resp)
    assert resp.status_code == 422 and message in html and "<html" in html  # the whole page without JS
    if form.get("cat-children_count"):
        assert f'value="{form["cat-children_count"]}"' in html
    if form.get("cat-category_code") in ("K4", "K8"):
        assert f'<option selected value="{form["cat-category_code"]}">' in html
    assert db.session.execute(select(AdditionalCategory)).first() is None


def test_k6_additional_category_needs_its_level(people, clerk):
    yen = people["yen"]  # K5c
    resp = clerk.post(url(yen, "/dien"), cat("K6"), htmx=True)
    assert resp.status_code == 422 and "Diện K6 cần mức độ khuyết tật: nặng hoặc đặc biệt nặng." in text(resp)
    assert len(resp.data) <= FRAGMENT_LIMIT
    ok = clerk.post(url(yen, "/dien"), cat("K6", disability_level="especially_severe"))
    assert ok.status_code == 302
    dup = clerk.post(url(yen, "/dien"), cat("K6", "12/2024", disability_level="severe"))
    assert dup.status_code == 422 and "Diện K6 đã được ghi cho đối tượng này (từ 08/2024)" in text(dup)


def test_bad_care_is_refused_in_vietnamese_with_the_typed_values(people, clerk):
    vu = people["vu"]
    form = {"care-kind": "household_especially_severe", "care-payee_name": "Bùi Thị Hoa",
            "care-payee_national_id": "12345", "care-payee_relationship": "Vợ", "care-valid_from": "09/2024",
            "care-valid_to": "2024-08", "care-decision_number": "125/QĐ-UBND"}
    resp = clerk.post(url(vu, "/cham-soc"), form, htmx=True)
    html = text(resp)
    assert resp.status_code == 422 and len(resp.data) <= FRAGMENT_LIMIT, len(resp.data)
    assert "Số định danh người nhận phải gồm đúng 12 chữ số (đã nhập: 12345)." in html
    assert "Tháng thôi hưởng (08/2024) phải sau tháng bắt đầu hưởng (09/2024)." in html
    for typed in ('value="Bùi Thị Hoa"', 'value="12345"', 'value="Vợ"', 'value="09/2024"', 'value="2024-08"',
                  'value="125/QĐ-UBND"', '<option selected value="household_especially_severe">'):
        assert typed in html, typed
    assert db.session.execute(select(CareArrangement)).first() is None

    others = [
        ({"care-kind": "funeral"}, "Không có loại hỗ trợ chăm sóc «funeral» trong bảng mức hỗ trợ."),
        ({"care-kind": "foster_child_under_4"}, "chỉ dành cho đối tượng diện K1; đối tượng này không có diện đó."),
        ({"care-payee_national_id": vu.national_id}, "không phải chính đối tượng"),
        ({"care-valid_from": "13/2024", "care-valid_to": ""}, "Hưởng từ tháng không hợp lệ"),
        ({"care-valid_from": "", "care-valid_to": ""}, "Chưa nhập hưởng từ tháng"),
        ({"care-payee_name": "=HYPERLINK(1)"}, "có ký tự không dùng trong tên người"),
        ({"care-decision_number": " "}, "Chưa nhập số quyết định hỗ trợ chăm sóc."),
    ]
    good = dict(form, **{"care-payee_national_id": "089180001234", "care-valid_to": ""})
    for change, message in others:
        resp = clerk.post(url(vu, "/cham-soc"), dict(good, **change))
        assert resp.status_code == 422 and message in text(resp), (change, text(resp)[:300])
    assert clerk.post(url(vu, "/cham-soc"), good).status_code == 302
    overlap = clerk.post(url(vu, "/cham-soc"), dict(good, **{"care-valid_from": "12/2024"}))
    assert overlap.status_code == 422 and "kết thúc bản ghi cũ trước khi ghi mới" in text(overlap)


def test_another_communes_clerk_gets_404(people, client):
    vu = people["vu"]
    db.session.add(AdditionalCategory(beneficiary_id=vu.id, category_code="K8"))
    db.session.add(CareArrangement(beneficiary_id=vu.id, kind="household_especially_severe", payee_name="Bùi Thị Hoa",
                                   payee_national_id="089180001234", valid_from=AUG))
    db.session.commit()
    row = db.session.execute(select(AdditionalCategory)).scalar_one()
    arr = db.session.execute(select(CareArrangement)).scalar_one()
    client.login("xa.tanloi")
    assert client.get(url(vu)).status_code == 404
    assert client.get(url(vu), htmx=True).status_code == 404
    assert client.post(url(vu, "/dien"), cat("K5a")).status_code == 404
    assert client.get(url(vu, f"/dien/{row.id}"), htmx=True).status_code == 404
    assert client.post(url(vu, f"/dien/{row.id}/xoa")).status_code == 404
    assert client.post(url(vu, f"/dien/{row.id}/ket-thuc"), {"valid_to": "10/2024"}).status_code == 404
    assert client.post(url(vu, f"/cham-soc/{arr.id}/ket-thuc"), {"valid_to": "10/2024"}).status_code == 404
    assert client.post(url(vu, f"/cham-soc/{arr.id}/xoa")).status_code == 404
    assert client.post(url(vu, "/cham-soc"), {"care-kind": "household_especially_severe"}).status_code == 404
    assert db.session.execute(select(AdditionalCategory)).scalar_one().valid_to is None
    db.session.refresh(arr)
    assert arr.valid_to is None


def test_a_row_of_another_person_is_404_and_the_token_is_required(people, clerk):
    vu, thoa = people["vu"], people["thoa"]
    db.session.add(AdditionalCategory(beneficiary_id=thoa.id, category_code="K5a"))
    db.session.commit()
    row = db.session.execute(select(AdditionalCategory)).scalar_one()
    assert clerk.post(url(vu, f"/dien/{row.id}/xoa")).status_code == 404
    assert clerk.post(url(vu, f"/dien/{row.id}/ket-thuc"), {"valid_to": "10/2024"}).status_code == 404
    assert clerk.post(url(thoa, f"/dien/{row.id}/xoa"), csrf=False).status_code == 400
    assert clerk.post(url(thoa, f"/dien/{row.id}/ket-thuc"), {"valid_to": "10/2024"}, csrf=False).status_code == 400
    assert clerk.post(url(vu, "/dien"), cat("K8"), csrf=False).status_code == 400
    assert db.session.execute(select(AdditionalCategory)).scalar_one().beneficiary_id == thoa.id


def test_care_listed_already_cannot_be_deleted_only_ended(people, clerk):
    vu = people["vu"]
    db.session.add(CareArrangement(beneficiary_id=vu.id, kind="household_especially_severe", payee_name="Bùi Thị Hoa",
                                   payee_national_id="089180001234", payee_relationship="Vợ", valid_from=AUG))
    db.session.commit()
    arr = db.session.execute(select(CareArrangement)).scalar_one()
    build_lists(user_by_username("pld.chaudoc"), AUG)
    db.session.commit()
    resp = clerk.post(url(vu, f"/cham-soc/{arr.id}/xoa"), htmx=True)
    assert resp.status_code == 422 and "đã lên danh sách chi trả; không xóa được" in text(resp)
    resp = clerk.post(url(vu, f"/cham-soc/{arr.id}/ket-thuc"), {"valid_to": "08/2024"}, htmx=True)
    assert resp.status_code == 422  # not after the start month
    resp = clerk.post(url(vu, f"/cham-soc/{arr.id}/ket-thuc"), {"valid_to": "2024-09"}, htmx=True)
    assert resp.status_code == 200 and "thôi từ tháng 09/2024" in text(resp)
    assert resp.headers["HX-Retarget"] == "#extras-list"  # the row's form redraws the whole list on success
    assert "Đã có dòng hỗ trợ chăm sóc trên danh sách chi trả" not in text(resp)  # 08/2024 is before the end


def test_care_entered_by_mistake_can_be_deleted(people, clerk):
    vu = people["vu"]
    db.session.add(CareArrangement(beneficiary_id=vu.id, kind="household_especially_severe", payee_name="Bùi Thị Hoa",
                                   payee_national_id="089180001234", valid_from=AUG))
    db.session.commit()
    arr = db.session.execute(select(CareArrangement)).scalar_one()
    resp = clerk.post(url(vu, f"/cham-soc/{arr.id}/xoa"))
    assert resp.status_code == 302
    assert db.session.execute(select(CareArrangement)).first() is None
    ev = db.session.execute(select(AuditEvent).where(AuditEvent.action == "delete")).scalar_one()
    assert ev.object_id == vu.id and ev.before["Người nhận"] == "Bùi Thị Hoa"


def test_section_on_the_detail_page_and_its_own_page(people, clerk):
    vu = people["vu"]
    detail = text(clerk.get(f"/xa/doi-tuong/{vu.id}"))
    assert 'id="extras"' in detail and f'action="/xa/doi-tuong/{vu.id}/huong-them/dien"' in detail
    assert f"Tháng {next_month_label()}: 1.080.000 đ" in detail  # K6 especially severe adult 2,0 × 540.000
    frag = clerk.get(url(vu), htmx=True)
    assert frag.status_code == 200 and len(frag.data) <= FRAGMENT_LIMIT and "<html" not in text(frag)
    assert re.match(r'\s*<div id="extras-list">', text(frag)) and "Ghi diện khác" not in text(frag)
    page = clerk.get(url(vu))
    assert page.status_code == 200 and "<html" in text(page) and "Ghi hỗ trợ chăm sóc" in text(page)
    print(f"fragment {len(frag.data)} B")
    for mau, marker in (("dien", 'id="extras-cat"'), ("cham-soc", 'id="extras-care"')):
        frag = clerk.get(url(vu, f"?mau={mau}"), htmx=True)
        assert frag.status_code == 200 and text(frag).lstrip().startswith(f"<form {marker}")


def test_care_row_form_opens_with_and_without_js(people, clerk):
    vu = people["vu"]
    db.session.add(CareArrangement(beneficiary_id=vu.id, kind="household_especially_severe", payee_name="Bùi Thị Hoa",
                                   payee_national_id="089180001234", payee_relationship="Vợ", valid_from=AUG))
    db.session.commit()
    arr = db.session.execute(select(CareArrangement)).scalar_one()
    closed = text(clerk.get(url(vu), htmx=True))
    assert "Kết thúc / xóa…" in closed and 'name="valid_to"' not in closed
    row = clerk.get(url(vu, f"/cham-soc/{arr.id}"), htmx=True)
    assert row.status_code == 200 and text(row).lstrip().startswith(f'<tr id="care-{arr.id}">')
    assert f'action="/xa/doi-tuong/{vu.id}/huong-them/cham-soc/{arr.id}/ket-thuc"' in text(row)
    assert f'formaction="/xa/doi-tuong/{vu.id}/huong-them/cham-soc/{arr.id}/xoa"' in text(row)
    page = text(clerk.get(url(vu, f"?sua={arr.id}")))  # the link without JS
    assert "<html" in page and f'id="end-{arr.id}"' in page


def test_htmx_answers_stay_within_5_kb_with_several_rows(people, clerk):
    """A heavy case: three further categories with months and decisions (one ended) and three care arrangements,
    a listed month (so deleting is refused); each kind of htmx answer measured."""
    vu = people["vu"]
    db.session.add_all([
        AdditionalCategory(beneficiary_id=vu.id, category_code="K4", children_count=2, valid_from=date(2024, 1, 1),
                           decision_number="112/QĐ-UBND ngày 05/01/2024"),
        AdditionalCategory(beneficiary_id=vu.id, category_code="K8", valid_from=date(2024, 1, 1), valid_to=AUG,
                           decision_number="98/QĐ-UBND ngày 02/01/2024")])
    db.session.add_all([
        CareArrangement(beneficiary_id=vu.id, kind="household_especially_severe", payee_name="Bùi Thị Hoa",
                        payee_national_id="089180001234", payee_relationship="Vợ", valid_from=date(2024, 1, 1),
                        valid_to=AUG, decision_number="12/QĐ-UBND"),
        CareArrangement(beneficiary_id=vu.id, kind="foster_adult_especially_severe",
                        payee_name="Nguyễn Văn Hậu Phước Lộc", payee_national_id="089180004321",
                        payee_relationship="Người nhận chăm sóc", valid_from=AUG, decision_number="125/QĐ-UBND")])
    db.session.commit()
    build_lists(user_by_username("pld.chaudoc"), AUG)
    db.session.commit()
    form = {"care-kind": "household_especially_severe", "care-payee_name": "Bùi Thị Hoa",
            "care-payee_national_id": "089180001234", "care-payee_relationship": "Vợ", "care-valid_from": "09/2024",
            "care-decision_number": "130/QĐ-UBND"}
    arr = db.session.execute(select(CareArrangement).where(CareArrangement.valid_to.is_(None))).scalar_one()
    k4 = db.session.execute(select(AdditionalCategory).where(AdditionalCategory.category_code == "K4")).scalar_one()
    sizes, answers = {}, {}
    for name, resp in [
        ("GET list", clerk.get(url(vu), htmx=True)),
        ("GET category form", clerk.get(url(vu, "?mau=dien"), htmx=True)),
        ("422 care", clerk.post(url(vu, "/cham-soc"), dict(form, **{"care-payee_national_id": "0891"}), htmx=True)),
        ("200 care", clerk.post(url(vu, "/cham-soc"), form, htmx=True)),
        ("422 category", clerk.post(url(vu, "/dien"), cat("K4", "thg 9", "", children_count="x"), htmx=True)),
        ("200 category", clerk.post(url(vu, "/dien"), cat("K8", "09/2024", "140/QĐ-UBND ngày 20/09/2024"),
                                    htmx=True)),
        ("GET category row", clerk.get(url(vu, f"/dien/{k4.id}"), htmx=True)),
        ("422 category delete", clerk.post(url(vu, f"/dien/{k4.id}/xoa"), htmx=True)),
        ("422 category end", clerk.post(url(vu, f"/dien/{k4.id}/ket-thuc"), {"valid_to": "13/2024"}, htmx=True)),
        ("200 category end", clerk.post(url(vu, f"/dien/{k4.id}/ket-thuc"), {"valid_to": "08/2024"}, htmx=True)),
        ("422 end", clerk.post(url(vu, f"/cham-soc/{arr.id}/ket-thuc"), {"valid_to": "01/2024"}, htmx=True)),
        ("200 end", clerk.post(url(vu, f"/cham-soc/{arr.id}/ket-thuc"), {"valid_to": "10/2024"}, htmx=True)),
    ]:
        assert resp.status_code == (int(name[:3]) if name[0] != "G" else 200), (name, text(resp)[:400])
        assert "<html" not in text(resp), name
        sizes[name], answers[name] = len(resp.data), text(resp)
    assert "Cảnh báo: Đã có dòng trợ cấp trên danh sách chi trả tháng 08/2024" in answers["200 category end"]
    assert "K8 – từ 09/2024 · QĐ 140/QĐ-UBND ngày 20/09/2024" in answers["200 end"]
    assert "K8 – từ 01/2024, thôi từ 08/2024 · QĐ 98/QĐ-UBND ngày 02/01/2024" in answers["200 end"]
    print("fragment sizes (B):", sizes)
    assert max(sizes.values()) <= FRAGMENT_LIMIT, sizes
    page = clerk.get(f"/xa/doi-tuong/{vu.id}")  # first visit: the beneficiary page with the whole section
    print("detail page (B):", len(page.data))
    assert page.status_code == 200 and len(page.data) <= 60 * 1024


def test_stopped_person_section_promises_nothing_and_refuses_new_rows(people, clerk):
    """Trương Văn Phúc stopped from 09/2024: no "next payment" line, adding a category or care refused (422, the
    message shown on the form), ending still allowed."""
    from portal.models import RegistryEvent
    phuc = people["phuc"]
    db.session.add(RegistryEvent(beneficiary_id=phuc.id, commune_code=phuc.commune_code, kind="stop",
                                 effective_month=date(2024, 9, 1), status="accepted", decision_number="5/QĐ"))
    phuc.status = "stopped"
    db.session.commit()
    html = text(clerk.get(url(phuc), htmx=True))
    assert "Lần chi trả tới: <strong id=\"extras-amount\">Đã thôi hưởng từ tháng 09/2024 — không có lần chi trả " \
           "tới</strong>" in html
    assert "1.080.000" not in html
    resp = clerk.post(url(phuc, "/dien"), cat("K5a", next_month_label()), htmx=True)
    assert resp.status_code == 422 and len(resp.data) <= FRAGMENT_LIMIT
    assert ("Đối tượng đã thôi hưởng từ tháng 09/2024: không ghi thêm diện hưởng khác được (chỉ có thể kết thúc "
            "hoặc xóa bản ghi ghi nhầm).") in text(resp)
    assert db.session.execute(select(AdditionalCategory)).first() is None


def test_refused_category_form_still_hides_the_main_category(people, clerk):
    phuc = people["phuc"]  # main category K5c
    first = text(clerk.get(url(phuc, "?mau=dien"), htmx=True))
    resp = clerk.post(url(phuc, "/dien"), cat("K5a", "13/2024"), htmx=True)
    assert resp.status_code == 422
    assert 'value="K5c"' not in first and 'value="K5c"' not in text(resp) and 'value="K5a"' in text(resp)


def test_care_kind_by_age_and_impossible_payee_id_refused(people, clerk):
    # 6 in 01/2027, the next list
    child = make_beneficiary("Lê Văn Tí", birth_date=date(2020, 6, 5), category_code="K1")
    db.session.commit()
    form = {"care-kind": "foster_child_under_4", "care-payee_name": "Bùi Thị Hoa",
            "care-payee_national_id": "089180001234", "care-payee_relationship": "Người nhận chăm sóc",
            "care-valid_from": next_month_label(), "care-decision_number": "125/QĐ-UBND"}
    resp = clerk.post(url(child, "/cham-soc"), form)
    assert resp.status_code == 422 and "chỉ dành cho trẻ em dưới 4 tuổi; đối tượng 6 tuổi" in text(resp)
    resp = clerk.post(url(child, "/cham-soc"), dict(form, **{"care-kind": "foster_child_4_to_16",
                                                             "care-payee_national_id": "000000000000"}))
    assert resp.status_code == 422 and "Số định danh người nhận (000000000000) không hợp lệ" in text(resp)
    assert clerk.post(url(child, "/cham-soc"), dict(form, **{"care-kind": "foster_child_4_to_16"})).status_code == 302
    arr = db.session.execute(select(CareArrangement)).scalar_one()
    assert arr.valid_to == date(2036, 6, 1)  # the child turns 16
