"""The social-pension fields of the beneficiary form (Luật BHXH 2024 Art. 21; Decree 176/2025): whether the person
receives a pension or a monthly social-insurance benefit, and the poor / near-poor household that lets a person of
70 to under 75 qualify — typed on the commune's intake and edit form, checked the same with and without JavaScript,
stored on the fields the eligibility reads (``entitlement.pension.age_ground``)."""
from datetime import date

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Beneficiary
from portal.services.entitlement.pension import age_ground
from portal.services.registry.hamlets import find_hamlet
from tests.conftest import pinned_clock

pytestmark = pinned_clock
DEC26 = date(2026, 12, 1)
NEAR_POOR_ONLY = "Từ đủ 70 đến dưới 75 tuổi chỉ hưởng trợ cấp hưu trí xã hội khi thuộc hộ nghèo hoặc hộ cận nghèo"
HAS_PENSION = "Người đang hưởng lương hưu hoặc trợ cấp BHXH hằng tháng không thuộc diện trợ cấp hưu trí xã hội"


def form(**over):
    """Phan Văn Lộc, born 1954 (72 in 12/2026), registered for the social pension only (HTXH) from 12/2026."""
    data = {"full_name": "Phan Văn Lộc", "birth": "05/03/1954", "gender": "male", "national_id": "089054123456",
            "hamlet_id": str(find_hamlet("30322", "Khóm Mỹ Thới 1").id), "category_code": "HTXH",
            "children_count": "1", "start_month": "12/2026", "payment_channel": "cash_at_point"}
    return data | over


@pytest.fixture
def clerk(client):
    return client.login("xa.vinhmy")


def _checkbox(html: str) -> str:
    """The ``<input …>`` tag of ``receives_pension``."""
    end = html.index('name="receives_pension"')
    return html[html.rindex("<input", 0, end):html.index(">", end) + 1]


def _saved(national_id="089054123456") -> Beneficiary:
    return db.session.execute(select(Beneficiary).where(Beneficiary.national_id == national_id)).scalar_one()


def test_the_form_asks_for_the_pension_and_the_household(clerk):
    html = clerk.get("/xa/doi-tuong/them").get_data(as_text=True)
    assert '<label for="household_poverty">Hộ nghèo / cận nghèo (người từ đủ 70 đến dưới 75 tuổi)</label>' in html
    assert '<option value="near_poor">Hộ cận nghèo</option>' in html
    assert 'type="checkbox"' in html and 'name="receives_pension"' in html
    assert "Đang hưởng lương hưu hoặc trợ cấp BHXH hằng tháng" in html


def test_70_to_75_needs_a_poor_or_near_poor_household_without_javascript(clerk):
    refused = clerk.post("/xa/doi-tuong/them", form())
    assert refused.status_code == 422 and NEAR_POOR_ONLY in refused.get_data(as_text=True)
    assert db.session.execute(select(Beneficiary.id).where(Beneficiary.national_id == "089054123456")).first() is None
    saved = clerk.post("/xa/doi-tuong/them", form(household_poverty="near_poor"))
    assert saved.status_code == 302
    b = _saved()
    assert (b.household_poverty, b.receives_pension) == ("near_poor", False)
    assert age_ground(b, DEC26) == "từ đủ 70 đến dưới 75 tuổi, thuộc hộ nghèo/cận nghèo"
    assert "Hộ cận nghèo" in clerk.get(saved.headers["Location"]).get_data(as_text=True)


def test_a_pensioner_is_refused_the_social_pension_and_the_edit_form_keeps_the_fields(clerk):
    old = form(full_name="Lê Văn Thọ", birth="01/01/1940", national_id="089040654321")  # 86
    refused = clerk.post("/xa/doi-tuong/them", old | {"receives_pension": "y"})
    assert refused.status_code == 422 and HAS_PENSION in refused.get_data(as_text=True)
    assert "<input checked " in _checkbox(refused.get_data(as_text=True))  # kept as typed
    assert clerk.post("/xa/doi-tuong/them", old).status_code == 302
    b = _saved("089040654321")
    assert age_ground(b, DEC26) == "từ đủ 75 tuổi, không có lương hưu, trợ cấp BHXH hằng tháng"
    # the same person moved to social assistance (K5a) with a monthly social-insurance benefit: saved, and the
    # social pension's eligibility then says no
    edit = clerk.get(f"/xa/doi-tuong/{b.id}/sua").get_data(as_text=True)
    assert 'type="checkbox"' in _checkbox(edit) and "checked" not in _checkbox(edit)
    assert clerk.post(f"/xa/doi-tuong/{b.id}/sua", old | {"category_code": "K5a", "receives_pension": "y",
                                                          "household_poverty": "poor"}).status_code == 302
    db.session.expire_all()
    b = _saved("089040654321")
    assert (b.category_code, b.receives_pension, b.household_poverty) == ("K5a", True, "poor")
    assert age_ground(b, DEC26) is None
    edit = clerk.get(f"/xa/doi-tuong/{b.id}/sua").get_data(as_text=True)
    assert "<input checked " in _checkbox(edit) and '<option selected value="poor">Hộ nghèo</option>' in edit


def test_an_unknown_household_value_and_the_inline_check(clerk):
    refused = clerk.post("/xa/doi-tuong/them", form(household_poverty="rich"))
    assert refused.status_code == 422
    assert "Chọn hộ nghèo, hộ cận nghèo hoặc để trống." in refused.get_data(as_text=True)
    html = clerk.post("/xa/doi-tuong/kiem-tra?o=household_poverty", form(), htmx=True).get_data(as_text=True)
    assert html.lstrip().startswith('<div id="check-household_poverty"') and NEAR_POOR_ONLY in html
    ok = clerk.post("/xa/doi-tuong/kiem-tra?o=household_poverty", form(household_poverty="poor"),
                    htmx=True).get_data(as_text=True)
    assert NEAR_POOR_ONLY not in ok


def test_saved_without_a_decision_the_page_says_a_mau_01_request_is_needed_and_not_no_rate(clerk):
    saved = clerk.post("/xa/doi-tuong/them", form(household_poverty="poor"))
    assert saved.status_code == 302
    page = clerk.get(saved.headers["Location"]).get_data(as_text=True)
    assert ("Tháng 12/2026: chưa được chi — trợ cấp hưu trí xã hội chỉ chi từ tháng ghi trong quyết định hưởng của "
            "Chủ tịch UBND cấp xã") in page
    assert "Mẫu 01 của người này ở mục «Hưu trí xã hội»" in page
    assert "Không tính được mức trợ cấp tháng 12/2026" not in page
