"""K5b / K5c mean "no pension, no monthly social-insurance benefit" (Decree 20/2021 Art. 5.5 points b, c; the social
pension that replaced them has the same condition). A person filed under them and marked as receiving one is
warned about — by the row's number in the import preview and under the field in the intake form — with the one
rule ``registry.checks.pension_category_warning``; never refused."""
import re

import pytest

from portal.extensions import db
from portal.services.demo import user_by_username
from portal.services.imports import beneficiaries as imports
from portal.services.registry.checks import check_beneficiary, pension_category_warning
from portal.services.registry.hamlets import find_hamlet
from tests.conftest import pinned_clock
from tests.factories import person_form
from tests.services.commune_sheets import HEADER, build, first_data_row, person

pytestmark = pinned_clock
VINH_MY = "30322"
ROW = first_data_row()
PENSION = "Hưởng lương hưu/BHXH hằng tháng"
WARNING = ("Diện {code} là người không có lương hưu, trợ cấp BHXH hằng tháng (Nghị định 20/2021/NĐ-CP Điều 5 khoản 5) "
           "nhưng đối tượng được ghi «Đang hưởng lương hưu hoặc trợ cấp BHXH hằng tháng»: kiểm tra lại diện và ô này "
           "— người có lương hưu, trợ cấp BHXH hằng tháng không hưởng diện {code} và không được chuyển sang trợ cấp "
           "hưu trí xã hội.")


def test_the_rule():
    assert pension_category_warning("K5c", True) == WARNING.format(code="K5c")
    assert pension_category_warning("K5b", True) == WARNING.format(code="K5b")
    assert pension_category_warning("K5c", False) is None
    assert pension_category_warning("K5a", True) is None  # poor household without a carer: a pension does not bar it
    assert pension_category_warning("K6", True) is None


def test_the_import_preview_warns_on_the_rows_number(app):
    clerk = user_by_username("xa.vinhmy")
    rows = [person(1) + ["x"], person(2) + ["không"], person(3, **{"Diện đối tượng": "Người khuyết tật nặng"}) + ["x"]]
    p = imports.preview(clerk, VINH_MY, "ds.xlsx", build(rows, header=HEADER + [PENSION]))
    by_row = {r.row_number: r for r in p.rows}
    assert p.counts["error"] == 0
    assert WARNING.format(code="K5c") in by_row[ROW].warnings and by_row[ROW].status == "warning"
    assert not any("lương hưu, trợ cấp BHXH hằng tháng (Nghị định" in w
                   for r in (by_row[ROW + 1], by_row[ROW + 2]) for w in r.warnings)


def test_the_preview_page_shows_it_in_the_rows_line(app, client):
    client.login("xa.vinhmy")
    p = imports.preview(user_by_username("xa.vinhmy"), VINH_MY, "ds.xlsx",
                        build([person(1) + ["x"]], header=HEADER + [PENSION]))
    db.session.commit()
    html = client.get(f"/xa/nhap/{p.batch_id}").get_data(as_text=True)
    row = next(tr for tr in re.findall(r"<tr class=\"warning\">.*?</tr>", html, flags=re.S))
    assert f'<td class="num">{ROW}</td>' in row and WARNING.format(code="K5c") in row


@pytest.mark.parametrize("code", ["K5b", "K5c"])
def test_the_form_warns_under_the_field(app, code):
    data = person_form(category_code=code, disability_level="", birth="05/03/1940", start_month="07/2024",
                       receives_pension="y")
    checked = check_beneficiary(data, VINH_MY)
    assert checked.field_warnings["receives_pension"] == [WARNING.format(code=code)]
    assert not checked.errors


def test_the_intake_forms_inline_check_shows_it(client):
    clerk = client.login("xa.vinhmy")
    data = person_form(category_code="K5c", disability_level="", birth="05/03/1940", start_month="07/2024",
                       receives_pension="y", hamlet_id=str(find_hamlet(VINH_MY, "Khóm Mỹ Thới 1").id))
    html = clerk.post("/xa/doi-tuong/kiem-tra?o=receives_pension", data, htmx=True).get_data(as_text=True)
    assert WARNING.format(code="K5c") in html
    html = clerk.post("/xa/doi-tuong/kiem-tra?o=receives_pension", data | {"receives_pension": ""},
                      htmx=True).get_data(as_text=True)
    assert "Nghị định 20/2021/NĐ-CP Điều 5 khoản 5" not in html
