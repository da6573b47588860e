"""The social pension's conditions carried by a commune's list: whether a person receives a pension or a monthly
social-insurance benefit and whether the household is poor or near-poor (Luật BHXH 2024 Art. 21; Decree 176/2025
Art. 3), read from their columns into the beneficiary's fields, with row-numbered errors for values that cannot be
read, shown as changes on a re-import and audited."""
import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, Beneficiary
from portal.services.demo import user_by_username
from portal.services.imports import beneficiaries as imports
from tests.services.commune_sheets import HEADER, build, first_data_row, national_id, person

VINH_MY = "30322"
ROW = first_data_row()
PENSION, POVERTY = "Hưởng lương hưu/BHXH hằng tháng", "Hộ nghèo/cận nghèo"


@pytest.fixture
def clerk(app):
    return user_by_username("xa.vinhmy")


def by_id(nid) -> Beneficiary:
    return db.session.execute(select(Beneficiary).where(Beneficiary.national_id == nid)).scalar_one()


def sheet(extra_header: list[str], extras: list[list]) -> bytes:
    """A list of ``len(extras)`` people with the columns ``extra_header`` after "Ghi chú" (columns Q, R, …)."""
    return build([person(i + 1) + list(values) for i, values in enumerate(extras)],
                 header=HEADER + extra_header)


def row_of(p, row_number):
    return next(r for r in p.rows if r.row_number == row_number)


def test_pension_and_household_columns_are_read_into_the_beneficiary(clerk):
    extras = [["x", "nghèo"], ["có", "Cận nghèo"], ["không", "Hộ cận nghèo"], [None, None], ["X", "không"],
              [0, "HN"]]
    p = imports.preview(clerk, VINH_MY, "ds.xlsx", sheet([PENSION, POVERTY], extras))
    assert (p.counts["rows"], p.counts["new"], p.counts["error"]) == (6, 6, 0)
    imports.commit(clerk, p.batch_id)
    found = [(by_id(national_id(i)).receives_pension, by_id(national_id(i)).household_poverty) for i in range(1, 7)]
    assert found == [(True, "poor"), (True, "near_poor"), (False, "near_poor"), (False, None), (True, None),
                     (False, "poor")]
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "import_create",
                                                        AuditEvent.object_id == by_id(national_id(1)).id)).scalar_one()
    assert event.after["Có lương hưu / trợ cấp BHXH hằng tháng"] == "Có"
    assert event.after["Hộ nghèo / cận nghèo"] == "Hộ nghèo"


def test_mark_columns_for_poor_and_near_poor_households(clerk):
    extras = [["x", None], [None, "x"], [None, None]]
    p = imports.preview(clerk, VINH_MY, "ds.xlsx", sheet(["Hộ nghèo", "Hộ cận nghèo"], extras))
    assert p.counts["error"] == 0
    imports.commit(clerk, p.batch_id)
    assert [by_id(national_id(i)).household_poverty for i in (1, 2, 3)] == ["poor", "near_poor", None]


def test_unreadable_values_are_row_errors_naming_the_cell(clerk):
    extras = [["đang chờ", "nghèo"], ["x", "khá giả"], ["x", None]]
    p = imports.preview(clerk, VINH_MY, "ds.xlsx", sheet([PENSION, POVERTY], extras))
    assert (p.counts["error"], p.counts["new"]) == (2, 1)
    assert row_of(p, ROW).errors == [
        f"Ô Q{ROW}: không đọc được «đang chờ» ở cột lương hưu/BHXH — ghi «x» hoặc «có» nếu đang hưởng lương hưu hay "
        "trợ cấp BHXH hằng tháng, để trống hoặc ghi «không» nếu không."]
    assert row_of(p, ROW + 1).errors == [
        f"Ô R{ROW + 1}: không đọc được «khá giả» ở cột hộ nghèo/cận nghèo — ghi «nghèo» hoặc «cận nghèo», để trống "
        "hoặc ghi «không» nếu không thuộc hộ nghèo, cận nghèo."]


def test_both_household_marks_is_an_error(clerk):
    p = imports.preview(clerk, VINH_MY, "ds.xlsx", sheet(["Hộ nghèo", "Hộ cận nghèo"], [["x", "x"]]))
    assert row_of(p, ROW).errors == [f"Dòng {ROW}: ghi cả hộ nghèo và hộ cận nghèo — chỉ chọn một."]


def test_reimport_shows_and_audits_the_change_and_a_file_without_the_columns_keeps_them(clerk):
    first = imports.preview(clerk, VINH_MY, "ds.xlsx", sheet([PENSION, POVERTY], [["không", None], ["x", "nghèo"]]))
    imports.commit(clerk, first.batch_id)
    again = imports.preview(clerk, VINH_MY, "ds2.xlsx", sheet([PENSION, POVERTY], [["x", "cận nghèo"],
                                                                                   ["x", "nghèo"]]))
    assert (again.counts["update"], again.counts["unchanged"]) == (1, 1)
    assert row_of(again, ROW).changes == ["Hộ nghèo / cận nghèo: — → Hộ cận nghèo",
                                          "Có lương hưu / trợ cấp BHXH hằng tháng: Không → Có"]
    imports.commit(clerk, again.batch_id)
    person1 = by_id(national_id(1))
    assert (person1.receives_pension, person1.household_poverty) == (True, "near_poor")
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "import_update",
                                                        AuditEvent.object_id == person1.id)).scalar_one()
    assert event.before == {"Có lương hưu / trợ cấp BHXH hằng tháng": "Không", "Hộ nghèo / cận nghèo": None}
    assert event.after == {"Có lương hưu / trợ cấp BHXH hằng tháng": "Có", "Hộ nghèo / cận nghèo": "Hộ cận nghèo"}
    plain = imports.preview(clerk, VINH_MY, "ds3.xlsx", build([person(1), person(2)]))
    assert plain.counts["unchanged"] == 2  # no such columns: the fields stay as they are
    imports.commit(clerk, plain.batch_id)
    assert (by_id(national_id(2)).receives_pension, by_id(national_id(2)).household_poverty) == (True, "poor")
