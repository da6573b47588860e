"""Commune pages of the post office's death reports: the notice on the landing page, the list, the two actions."""
import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import PayoutLine
from tests.services.test_death_reports import report_deceased

NOTICE = "Bưu điện báo đã chết: 1 người — cần xác minh"


@pytest.fixture
def reported(app):
    return report_deceased()


def test_commune_sees_the_report_and_confirms_the_person_alive(reported, client):
    client.login("xa.vinhmy")
    home = client.get("/xa/").get_data(as_text=True)
    assert NOTICE in home and 'href="/xa/bao-chet"' in home
    page = client.get("/xa/bao-chet")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Võ Ngọc Yến" in html and "500.000 đ" in html and "csrf_token" in html
    line = db.session.execute(select(PayoutLine).where(PayoutLine.result_reason_code == "deceased")).scalar_one()
    url = f"/xa/bao-chet/{line.id}/xu-ly"
    # no note: refused, what was typed kept
    bad = client.post(url, {"resolution": "alive", "note": ""})
    assert bad.status_code == 422 and "Nhập ghi chú xác minh" in bad.get_data(as_text=True)
    # death without a death event: refused
    bad = client.post(url, {"resolution": "death_recorded", "note": "hàng xóm báo"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "hãy ghi biến động chết trước" in html and 'value="hàng xóm báo"' in html
    assert client.post(url, {"resolution": "alive", "note": "Đã gặp trực tiếp"}, csrf=False).status_code == 400
    ok = client.post(url, {"resolution": "alive", "note": "Đã gặp trực tiếp"})
    assert ok.status_code == 302
    db.session.expire_all()
    assert db.session.get(PayoutLine, line.id).report_resolution == "Xác minh còn sống – Đã gặp trực tiếp"
    assert "Bưu điện báo đã chết" not in client.get("/xa/").get_data(as_text=True)
    assert "Không có báo cáo nào cần xác minh." in client.get("/xa/bao-chet").get_data(as_text=True)


def test_another_commune_sees_nothing(reported, client):
    client.login("xa.tanloi")
    assert "Bưu điện báo đã chết" not in client.get("/xa/").get_data(as_text=True)
    assert "Võ Ngọc Yến" not in client.get("/xa/bao-chet").get_data(as_text=True)
    line = db.session.execute(select(PayoutLine).where(PayoutLine.result_reason_code == "deceased")).scalar_one()
    assert client.post(f"/xa/bao-chet/{line.id}/xu-ly", {"resolution": "alive", "note": "x"}).status_code == 404


# ---------------------------------------------------------------- build summary agrees with the completeness check

def test_build_summary_counts_what_the_completeness_check_counts(app, client):
    """Châu Đốc in 11/2026: yen, phuc and moi (K5c until 06/2025) are paid by the social pension, lan (K1, 19) has
    no rate; a suspended and a stopped person are not entitled that month (the build used to count the suspended one
    too): the flash, the check and the list name the same one person."""
    from datetime import date

    from portal.services.demo import user_by_username as user
    from portal.services.payouts.build import build_lists
    from portal.services.payouts.cycle import completeness
    from tests.factories import chau_doc_people, make_beneficiary
    people = chau_doc_people()
    make_beneficiary("Ngô Văn Tạm", birth_date=date(1950, 1, 1), category_code="K6", disability_level="severe",
                     status="suspended")
    db.session.commit()
    nov = date(2026, 11, 1)
    raw = build_lists(user("pld.chaudoc"), nov)  # what the flash used to count
    db.session.rollback()
    client.login("pld.chaudoc")
    resp = client.post("/huyen/chi-tra/lap", {"month": "2026-11"})
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    check = completeness(user("pld.chaudoc"), nov)
    names = sorted(b.full_name for b, _ in check.left_off)
    assert names == [people["lan"].full_name] and not check.missing
    assert len(raw.exclusions) == 2 and len(check.excluded) == 1  # every exclusion vs. the people entitled that month
    assert "; 1 người không đưa vào danh sách có lý do (xem lý do bên dưới)." in page
    assert "1 người không đưa vào danh sách có lý do.</p>" in page  # the check on the same page
    section = page.split('id="exclusions"')[1]
    assert "Không có trong danh sách tháng 11/2026 (1 người)" in section
    assert all(n in section for n in names) and "Ngô Văn Tạm" not in section
