"""The pages, downloads and documents of a commune committee that pays (two-tier set-up since 7/2025) beside those
of a district office (2024): each names the list's own payout office, the two programmes' lists never share a file
name, and the service contract with the post office is the committee's (signed by its chairman, covering both
programmes)."""
from datetime import UTC, date, datetime

import pytest

from portal.extensions import db
from portal.services.demo import user_by_username as user
from portal.services.payouts.build import build_lists
from portal.services.payouts.workflow import approve_list, confirm_list
from tests.conftest import pinned_clock
from tests.factories import make_beneficiary

pytestmark = pinned_clock
AUG25 = date(2025, 8, 1)
CHAU_DOC = "30316@2025"


@pytest.fixture
def lists_2025(app):
    """Phường Châu Đốc (2025 tree) pays 08/2025 at its post office: Trần Văn Sáu, K6 especially severe adult, on
    social assistance, and Lê Thị Tám Mươi, K5c since 2024, on the social pension — both cash at the payout point;
    built by the officer (ubnd.chaudoc), confirmed, approved by the chairman (ubnd.chaudoc.ct). Returns the lists
    by programme."""
    common = dict(commune_code=CHAU_DOC, hamlet="Khóm Châu Long 1")
    make_beneficiary("Trần Văn Sáu", birth_date=date(1980, 6, 6), category_code="K6",
                     disability_level="especially_severe", **common)
    make_beneficiary("Lê Thị Tám Mươi", birth_date=date(1940, 3, 1), gender="female", category_code="K5c",
                     **common)
    db.session.commit()
    officer, chairman = user("ubnd.chaudoc"), user("ubnd.chaudoc.ct")
    built = build_lists(officer, AUG25, [CHAU_DOC])
    for lst in built.lists:
        confirm_list(officer, lst)
        approve_list(chairman, lst)
        lst.approved_at = datetime(2025, 8, 1, 1, 0, tzinfo=UTC)
    db.session.commit()
    return {lst.programme: lst for lst in built.lists}


def test_the_two_programmes_lists_download_under_their_own_names(client, lists_2025):
    assert {p: (lst.channel, lst.people_count) for p, lst in lists_2025.items()} == {
        "social_assistance": ("cash_at_point", 1), "social_pension": ("cash_at_point", 1)}
    client.login("buudien.phuongchaudoc")
    names = {}
    for programme, lst in lists_2025.items():
        sheet = client.get(f"/van-ban/danh-sach-chi-tra/{lst.id}.xlsx")
        names[programme] = sheet.headers["Content-Disposition"]
    assert names == {
        "social_assistance": 'attachment; filename="Bang-ke-chi-tra-2025-08-Phuong-Chau-Doc-TCXH-tien-mat-tai-diem-'
                             'chi-tra.xlsx"',
        "social_pension": 'attachment; filename="Bang-ke-chi-tra-2025-08-Phuong-Chau-Doc-HTXH-tien-mat-tai-diem-'
                          'chi-tra.xlsx"'}


def _text(resp) -> str:
    return " ".join(resp.get_data(as_text=True).split())


def test_pages_name_the_lists_own_payout_office_in_both_worlds(client, lists_2025):
    from tests.factories import AUG, chau_doc_people
    chau_doc_people()
    draft_2024 = build_lists(user("pld.chaudoc"), AUG, ["30322"]).lists[0]
    draft_2025 = build_lists(user("ubnd.chaudoc"), date(2025, 9, 1), [CHAU_DOC]).lists[0]
    db.session.commit()
    client.login("xa.vinhmy")
    assert "bấm xác nhận để Phòng Lao động - Thương binh và Xã hội – Thành phố Châu Đốc phê duyệt." in _text(
        client.get(f"/xa/chi-tra/{draft_2024.id}"))
    client.logout()
    client.login("ubnd.chaudoc")
    page = _text(client.get(f"/xa/chi-tra/{draft_2025.id}"))
    assert "bấm xác nhận để Ủy ban nhân dân Phường Châu Đốc phê duyệt." in page and "LĐTBXH" not in page
    confirm_list(user("ubnd.chaudoc"), draft_2025)
    db.session.commit()
    page = _text(client.get(f"/huyen/chi-tra/{draft_2025.id}"))
    assert ("Bạn là người lập danh sách nên không được tự phê duyệt; người phê duyệt khác của Ủy ban nhân dân "
            "Phường Châu Đốc sẽ phê duyệt.") in page
    assert "của phòng" not in page
    client.logout()
    client.login("buudien.phuongchaudoc")
    page = _text(client.get("/buu-dien/"))
    assert "Phòng LĐTBXH" not in page and "Các danh sách đã được cơ quan quản lý chi trả phê duyệt" in page
    assert page.count("<td>Ủy ban nhân dân Phường Châu Đốc</td>") == 2  # the approving office of each list
    fees = _text(client.get("/buu-dien/chi-phi?thang=2025-08"))
    assert "<th>Chương trình</th>" in fees
    assert '<abbr title="Trợ cấp xã hội">TCXH</abbr>' in fees
    assert '<abbr title="Trợ cấp hưu trí xã hội">HTXH</abbr>' in fees
    assert ("Căn cứ: mức chi phí chi trả của tỉnh áp dụng từ 08/2024: 5.000 đ/người/tháng (chưa có hợp đồng)."
            in fees)
    assert "2587" not in fees and "LĐTBXH" not in fees


def test_the_monthly_report_cites_plan_2587_only_for_the_months_it_governed(app, lists_2025):
    from portal.services.documents.printing import print_report
    from portal.services.reporting.monthly_report import build_report
    from tests.documents import pdfcheck
    from tests.factories import AUG, chau_doc_people, run_to_approved
    chau_doc_people()
    run_to_approved()
    old = " ".join(" ".join(pdfcheck.page_texts(print_report(build_report(user("pld.chaudoc"), AUG)))).split())
    new = " ".join(" ".join(pdfcheck.page_texts(print_report(build_report(user("ubnd.chaudoc"), AUG25)))).split())
    assert "Thực hiện Kế hoạch số 2587/KH-SLĐTBXH ngày 26/7/2024 của Sở Lao động - Thương binh và Xã hội," in old
    assert "2587" not in new and "Lao động" not in new
    assert "Ủy ban nhân dân Phường Châu Đốc báo cáo tiến độ, kết quả chi trả" in new


def test_the_commune_committee_signs_its_post_office_contract_for_both_programmes(client, lists_2025):
    import re

    from tests.documents import pdfcheck
    client.login("ubnd.chaudoc")
    home = client.get("/xa/").get_data(as_text=True)
    assert '<a href="/huyen/hop-dong/">Hợp đồng bưu điện</a>' in home
    moved = client.get("/van-ban/hop-dong/")
    assert (moved.status_code, moved.headers["Location"]) == (302, "/huyen/hop-dong/")
    form_page = client.get("/huyen/hop-dong/").get_data(as_text=True)
    form = dict(re.findall(r'name="(\w+)"[^>]*value="([^"]*)"', form_page))
    assert (form["party_a_signer"], form["party_a_title"]) == ("Lê Văn Chủ", "Chủ tịch")  # the chairman
    assert "2587" not in form_page
    form.update(valid_from="2025-08-01", valid_to="2025-12-31", estimated_months="5", party_b_signer="Huỳnh Thị Bưu")
    created = client.post("/huyen/hop-dong/lap", {k: v for k, v in form.items() if k != "csrf_token"})
    assert created.status_code == 302
    page = created.headers["Location"]
    draft = client.get("/buu-dien/chi-phi?thang=2025-08")  # the commune committee has no post-office page
    assert draft.status_code == 403
    client.logout()
    client.login("buudien.phuongchaudoc")
    assert "(hợp đồng dịch vụ chi trả đang là dự thảo, chưa ban hành)." in _text(
        client.get("/buu-dien/chi-phi?thang=2025-08"))
    client.logout()
    client.login("ubnd.chaudoc")
    assert client.post(f"{page}/ban-hanh").status_code == 302
    text = " ".join(" ".join(pdfcheck.page_texts(client.get(f"{page}/hop-dong.pdf").data)).split())
    for expected in ("Số: 01/HĐ-UBND", "Đại diện: Ông/Bà Lê Văn Chủ - Chức vụ: Chủ tịch.",
                     "Chi trả trợ cấp xã hội và trợ cấp hưu trí xã hội hằng tháng không dùng tiền mặt năm 2025",
                     "1. Bên B thực hiện chi trả trên địa bàn Phường Châu Đốc:",
                     "a) Trợ cấp xã hội hằng tháng, hỗ trợ kinh phí chăm sóc",
                     "b) Trợ cấp hưu trí xã hội hằng tháng, tiền truy lĩnh và hỗ trợ chi phí mai táng cho người hưởng "
                     "trợ cấp hưu trí xã hội (Nghị định số 176/2025/NĐ-CP).",
                     "Căn cứ Nghị định số 176/2025/NĐ-CP ngày 30 tháng 6 năm 2025"):
        assert expected in text, expected
    assert "2587" not in text and "Nguyễn Văn Công" not in text  # the officer who prepares lists does not sign
    client.logout()
    client.login("buudien.phuongchaudoc")
    fees = _text(client.get("/buu-dien/chi-phi?thang=2025-08"))
    assert "Căn cứ: Hợp đồng dịch vụ chi trả số 01/HĐ-UBND ngày 06/12/2026: 5.000 đ/người/tháng." in fees
    assert "chưa có hợp đồng" not in fees and "dự thảo" not in fees
    statement = " ".join(pdfcheck.text(client.get("/van-ban/bang-ke-phi.pdf?thang=2025-08").data).split())
    # bên A's column (beside bên B's, line by line): the commune committee that signed the contract
    assert "XÁC NHẬN CỦA BÊN A ĐẠI DIỆN BÊN B ỦY BAN NHÂN DÂN GIÁM ĐỐC PHƯỜNG CHÂU ĐỐC" in statement
    assert "PHÒNG LAO ĐỘNG" not in statement and "Chương trình: TCXH – trợ cấp xã hội" in statement


def test_a_contract_of_another_term_is_named_on_the_fee_page(client, lists_2025):
    from portal.services.documents import contracts
    officer = user("ubnd.chaudoc")
    data = contracts.defaults(officer, date(2026, 12, 6))  # 01/12/2026–31/12/2026
    data.party_b_signer = "Huỳnh Thị Bưu"
    contracts.issue_contract(officer, contracts.create_draft(officer, data), date(2026, 12, 6))
    db.session.commit()
    client.login("buudien.phuongchaudoc")
    assert ("(Hợp đồng dịch vụ chi trả số 01/HĐ-UBND ngày 06/12/2026 có hiệu lực 01/12/2026 – 31/12/2026, "
            "không gồm tháng 08/2025).") in _text(client.get("/buu-dien/chi-phi?thang=2025-08"))


def test_the_post_office_returns_a_list_to_its_payout_office(client, lists_2025):
    lst = lists_2025["social_pension"]
    client.login("buudien.phuongchaudoc")
    resp = client.post(f"/buu-dien/danh-sach/{lst.id}/tra-lai", {"reason": "Sai số tiền một người"})
    assert resp.status_code == 302
    page = _text(client.get(resp.headers["Location"]))
    assert ("Đã trả lại danh sách tháng 08/2025 – Phường Châu Đốc – Trợ cấp hưu trí xã hội – Tiền mặt tại điểm chi "
            "trả cho Ủy ban nhân dân Phường Châu Đốc.") in page
    assert "LĐTBXH" not in page
