"""K5b / K5c saved by hand after the social pension began (Decree 20/2021 Art. 5.5 points b, c ended on 1/7/2025
and went to the social pension, Decree 176/2025): the form says the person is paid by the social pension instead of
"no rate", as the import computes it (``entitlement.pension.allowance``); a new K5b / K5c from 07/2025 is refused
with what to register instead."""
import pytest

from portal.services.demo import user_by_username
from portal.services.registry.beneficiaries import create_beneficiary, update_beneficiary
from portal.services.registry.checks import pension_category_warning
from portal.services.registry.fields import BeneficiaryInvalid
from tests.conftest import pinned_clock
from tests.factories import person_form

pytestmark = pinned_clock
VINH_MY = "30322"
PAID_BY_PENSION = ("Từ tháng 07/2025 người này hưởng trợ cấp hưu trí xã hội (Nghị định 176/2025/NĐ-CP) thay cho diện "
                   "{code} đã hết hiệu lực từ 01/07/2025, không cần tờ khai mới: tháng 12/2026 được chi 500.000 đ.")


@pytest.fixture
def clerk(app):
    return user_by_username("xa.vinhmy")


def k5(code="K5c", **over):
    return person_form(**({"category_code": code, "disability_level": "", "birth": "05/03/1940",
                           "national_id": "089040123456", "start_month": "07/2024"} | over))


def test_a_k5c_person_saved_now_is_said_to_be_paid_by_the_social_pension(clerk):
    b, warnings = create_beneficiary(clerk, VINH_MY, k5())
    assert warnings == [PAID_BY_PENSION.format(code="K5c")]
    assert not any("Không tính được" in w for w in warnings)
    b, warnings = update_beneficiary(clerk, b, k5(phone="0987 654 321"))
    assert warnings == [PAID_BY_PENSION.format(code="K5c")]


def test_a_k5b_person_with_a_pension_is_told_no_programme_pays_from_07_2025(clerk):
    b, warnings = create_beneficiary(clerk, VINH_MY, k5("K5b", birth="05/03/1948", national_id="089048123456",
                                                        receives_pension="y"))
    assert warnings == [
        pension_category_warning("K5b", True),
        "Tháng 12/2026: diện K5b đã hết hiệu lực từ 01/07/2025 (thay bằng trợ cấp hưu trí xã hội, Nghị định "
        "176/2025/NĐ-CP) và người này không đủ điều kiện hưởng trợ cấp hưu trí xã hội (đang có lương hưu hoặc trợ "
        "cấp BHXH hằng tháng): không được chi."]


@pytest.mark.parametrize("code", ["K5b", "K5c"])
def test_a_new_k5b_or_k5c_from_07_2025_is_refused_with_what_to_register(clerk, code):
    with pytest.raises(BeneficiaryInvalid) as refused:
        create_beneficiary(clerk, VINH_MY, k5(code, start_month="08/2025"))
    assert refused.value.errors["category_code"] == (
        f"Diện {code} hết hiệu lực từ 01/07/2025 (thay bằng trợ cấp hưu trí xã hội, Nghị định 176/2025/NĐ-CP): người "
        "hưởng từ tháng 08/2025 chọn diện HTXH (trợ cấp hưu trí xã hội) hoặc lập tờ khai hưởng trợ cấp hưu trí xã "
        "hội.")


def test_the_form_page_says_it_after_saving(client, app):
    from portal.services.registry.hamlets import find_hamlet
    client.login("xa.vinhmy")
    data = k5() | {"hamlet_id": str(find_hamlet(VINH_MY, "Khóm Mỹ Thới 1").id)}
    saved = client.post("/xa/doi-tuong/them", data)
    assert saved.status_code == 302
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert PAID_BY_PENSION.format(code="K5c") in page and "Không tính được" not in page
    refused = client.post("/xa/doi-tuong/them", data | {"national_id": "089040123499", "start_month": "07/2025"})
    assert refused.status_code == 422 and "Diện K5c hết hiệu lực từ 01/07/2025" in refused.get_data(as_text=True)
