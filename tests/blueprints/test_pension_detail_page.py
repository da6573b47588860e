"""The person's page of someone the social pension pays (trợ cấp hưu trí xã hội, Decree 176/2025) in place of a
K5b / K5c category that ended on 1/7/2025: the page names the programme that pays this month and how much, says
the category was replaced, and never shows the "no coefficient" of the ended category — in the allowance rows nor
in the section of further categories."""
import re
from datetime import date

from portal.extensions import db
from tests.conftest import pinned_clock
from tests.factories import make_beneficiary

pytestmark = pinned_clock


def _text(html: str) -> str:
    """The page's visible text with single spaces."""
    html = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" :", ":")


def _page(client, b) -> str:
    client.login("xa.vinhmy")
    resp = client.get(f"/xa/doi-tuong/{b.id}")
    assert resp.status_code == 200
    return _text(resp.get_data(as_text=True))


def test_a_k5c_person_paid_by_the_social_pension_sees_the_programme_and_no_coefficient_error(client):
    b = make_beneficiary("Võ Ngọc Yến", birth_date=date(1933, 10, 8), gender="female", start_month=date(2024, 1, 1))
    db.session.commit()
    page = _page(client, b)
    assert "Không có hệ số" not in page
    assert "Chương trình chi trả tháng 12/2026 Trợ cấp hưu trí xã hội: 500.000 đ" in page
    assert ("Diện K5c đã hết hiệu lực từ 01/07/2025, thay bằng trợ cấp hưu trí xã hội (Nghị định "
            "176/2025/NĐ-CP).") in page
    # the next list (01/2027) in the further-categories section: the programme named, the main category ended
    assert "Lần chi trả tới: Tháng 01/2027: 500.000 đ — trợ cấp hưu trí xã hội" in page
    assert "K5c — diện chính hết hiệu lực từ 01/07/2025, thay bằng trợ cấp hưu trí xã hội" in page


def test_a_k5b_person_with_a_pension_is_told_why_nothing_pays_not_no_coefficient(client):
    b = make_beneficiary("Lê Văn Hưu", birth_date=date(1948, 3, 5), category_code="K5b", start_month=date(2024, 1, 1))
    b.receives_pension = True
    db.session.commit()
    page = _page(client, b)
    assert "Không có hệ số" not in page
    assert "Chương trình chi trả tháng 12/2026 Không chương trình nào chi trả" in page
    why = ("Diện K5b đã hết hiệu lực từ 01/07/2025 (thay bằng trợ cấp hưu trí xã hội, Nghị định 176/2025/NĐ-CP) và "
           "người này không đủ điều kiện hưởng trợ cấp hưu trí xã hội (đang có lương hưu hoặc trợ cấp BHXH hằng "
           "tháng): không được chi.")
    assert f"Mức trợ cấp tháng 12/2026 {why}" in page
    assert f"Tháng 01/2027: không có mức trợ cấp — {why}" in page


def test_social_assistance_is_named_when_it_pays(client):
    b = make_beneficiary("Nguyễn Thị Thoa", birth_date=date(1950, 3, 27), gender="female", category_code="K6",
                         disability_level="severe", start_month=date(2024, 1, 1))
    db.session.commit()
    page = _page(client, b)
    assert "Chương trình chi trả tháng 12/2026 Trợ cấp xã hội: 1.080.000 đ" in page
    assert "hết hiệu lực" not in page
