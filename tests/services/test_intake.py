"""Intake rules (services.registry.checks in strict mode, services.registry.hamlets, search and sort): every check
with its exact Vietnamese message, duplicates across communes without personal data, tone-placement search, and the
Vietnamese sort order stored as a key column (run also on PostgreSQL: TEST_DATABASE_URL=postgresql://…)."""
from datetime import date

import pytest
from sqlalchemy import select

from portal.areas import visible
from portal.errors import ValidationError
from portal.extensions import db
from portal.models import Beneficiary, Hamlet
from portal.services.audit import events_for
from portal.services.demo import user_by_username
from portal.services.registry import hamlets
from portal.services.registry.beneficiaries import (
    check_intake,
    create_beneficiary,
    form_data,
    refresh_name_keys,
    search_beneficiaries,
    update_beneficiary,
)
from portal.services.registry.checks import clean_beneficiary
from portal.services.registry.fields import BeneficiaryInvalid, category_age_problem, parse_legacy_id
from portal.services.registry.identity import name_sort_key
from tests.factories import person_form

VINH_MY, TAN_LOI = "30322", "30535"


person = person_form


@pytest.fixture
def clerk(app):
    return user_by_username("xa.vinhmy")


def errors_of(data, commune=VINH_MY, current=None):
    return check_intake(commune, data, current).errors


# --- hamlets ---------------------------------------------------------------------------------------------------------
def test_demo_communes_have_the_hamlets_of_the_sample_files(app):
    names = [h.name for h in hamlets.hamlets_for(VINH_MY)]
    assert names == ["Khóm Hòa Bình", "Khóm Mỹ Thới 1", "Khóm Mỹ Thới 2", "Khóm Mỹ Thới 3", "Khóm Mỹ Thới 4",
                     "Khóm Mỹ Thới 5", "Khóm Vĩnh Tây"]
    assert [h.name for h in hamlets.hamlets_for(TAN_LOI)] == ["Ấp Tân Hòa", "Ấp Tân Long", "Ấp Tân Thành",
                                                              "Ấp Tân Thuận"]
    assert hamlets.seed_hamlets() == 0  # idempotent


def test_hamlet_is_chosen_from_the_list_by_id_or_name_any_tone_placement(clerk):
    tay = hamlets.find_hamlet(VINH_MY, "khom vinh tay")
    b, _ = create_beneficiary(clerk, VINH_MY, person(hamlet=None, hamlet_id=str(tay.id)))
    assert (b.hamlet_id, b.hamlet) == (tay.id, "Khóm Vĩnh Tây")
    b2, _ = create_beneficiary(clerk, VINH_MY, person(hamlet="Khóm Hoà Bình", national_id="089050123457"))
    assert b2.hamlet == "Khóm Hòa Bình" and b2.hamlet_id is not None


@pytest.mark.parametrize("over, message", [
    ({"hamlet": None}, "Chọn khóm/ấp (trong danh sách của xã)."),
    ({"hamlet": None, "hamlet_id": "999999"}, "Khóm/ấp không có trong danh sách của xã."),
    ({"hamlet": None, "hamlet_id": "abc"}, "Khóm/ấp không có trong danh sách của xã."),
])
def test_hamlet_errors(clerk, over, message):
    assert errors_of(person(**over))["hamlet_id"] == message


def test_another_communes_hamlet_is_refused(clerk):
    long_ = hamlets.find_hamlet(TAN_LOI, "Ấp Tân Long")
    assert errors_of(person(hamlet=None, hamlet_id=str(long_.id)))["hamlet_id"] == \
        "Khóm/ấp không có trong danh sách của xã."


def test_hamlet_maintenance_add_rename_stop(clerk):
    h = hamlets.add_hamlet(clerk, VINH_MY, "  Khóm  Mỹ Thới 6 ")
    assert h.name == "Khóm Mỹ Thới 6"
    with pytest.raises(ValidationError, match="^Xã đã có khóm/ấp «Khóm Hòa Bình».$"):
        hamlets.add_hamlet(clerk, VINH_MY, "khóm hoà bình")
    with pytest.raises(ValidationError, match="^Nhập tên khóm/ấp.$"):
        hamlets.add_hamlet(clerk, VINH_MY, "  ")
    b, _ = create_beneficiary(clerk, VINH_MY, person(hamlet=None, hamlet_id=str(h.id)))
    assert hamlets.rename_hamlet(clerk, h, "Khóm Mỹ Thới VI") == 1
    db.session.refresh(b)
    assert b.hamlet == "Khóm Mỹ Thới VI"
    hamlets.set_hamlet_active(clerk, h, False)
    assert h not in hamlets.hamlets_for(VINH_MY) and h in hamlets.hamlets_for(VINH_MY, keep_id=h.id)
    assert errors_of(person(hamlet=None, hamlet_id=str(h.id)))["hamlet_id"] == \
        "Khóm/ấp «Khóm Mỹ Thới VI» đã ngừng dùng; chọn khóm/ấp khác."
    update_beneficiary(clerk, b, form_data(b) | {"phone": "0987654321"})  # the person keeps a stopped hamlet
    assert b.hamlet_id == h.id
    assert [e.summary for e in events_for("hamlet", h.id)] == [
        "Ngừng dùng khóm/ấp Khóm Mỹ Thới VI", "Đổi tên khóm/ấp Khóm Mỹ Thới 6 → Khóm Mỹ Thới VI (1 đối tượng)",
        "Thêm khóm/ấp Khóm Mỹ Thới 6"]


# --- personal ID, legacy CMND, guardian ------------------------------------------------------------------------------
@pytest.mark.parametrize("raw, value", [("089.050.123.456", "089050123456"), (" 089 050 123 456 ", "089050123456")])
def test_id_is_12_digits_after_stripping_spaces_and_dots(clerk, raw, value):
    b, _ = create_beneficiary(clerk, VINH_MY, person(national_id=raw))
    assert b.national_id == value


@pytest.mark.parametrize("over, warnings", [
    ({"national_id": "089150123456"},
     ["Chữ số thứ 4 của số định danh (1) ứng với giới tính Nữ, khác giới tính khai báo (Nam)."]),
    ({"national_id": "999050123456"},
     ["Mã tỉnh 999 (3 chữ số đầu) không có trong danh mục 63 tỉnh, thành phố — kiểm tra lại."]),
    ({"national_id": "089052123456"}, ["Năm sinh theo số định danh là 1952, khác năm sinh khai báo (1950)."]),
])
def test_soft_id_rules_warn_and_block_until_a_reason_is_given(clerk, over, warnings):
    checked = check_intake(VINH_MY, person(**over))
    assert checked.field_warnings["national_id"] == warnings
    assert checked.errors == {"id_warning_override_reason":
                              "Số định danh chưa khớp với thông tin đã khai. Kiểm tra lại, hoặc ghi lý do để vẫn lưu."}
    b, saved = create_beneficiary(clerk, VINH_MY, person(**over, id_warning_override_reason="Đã đối chiếu thẻ"))
    assert saved[:len(warnings)] == warnings and b.id_warning_override_reason == "Đã đối chiếu thẻ"
    assert events_for("beneficiary", b.id)[0].after["Lý do vẫn lưu dù số định danh chưa khớp"] == "Đã đối chiếu thẻ"


def test_reason_is_dropped_when_nothing_needs_it(clerk):
    b, _ = create_beneficiary(clerk, VINH_MY, person(id_warning_override_reason="x", category_override_reason="y"))
    assert (b.id_warning_override_reason, b.category_override_reason) == (None, None)


def test_old_record_is_not_blocked_for_an_unrelated_edit(clerk):
    b, _ = create_beneficiary(clerk, VINH_MY, person(national_id="089052123456", id_warning_override_reason="ok"))
    b.id_warning_override_reason = None  # e.g. imported before the rule
    update_beneficiary(clerk, b, form_data(b) | {"phone": "0987654321"})
    assert b.phone == "0987654321"


@pytest.mark.parametrize("raw, value", [("", None), ("123456789", "123456789"), ("351 234 567", "351234567"),
                                        ("012345678901", "012345678901")])
def test_legacy_cmnd(raw, value):
    assert parse_legacy_id(raw) == value


@pytest.mark.parametrize("raw", ["12345678", "1234567890", "12345678a"])
def test_legacy_cmnd_refused(clerk, raw):
    assert errors_of(person(legacy_id_number=raw))["legacy_id_number"] == (
        f"Số CMND cũ phải gồm 9 chữ số (hoặc 12 chữ số với CMND cấp từ 2012) (đã nhập: {raw}).")


def test_guardian_rules(clerk):
    assert errors_of(person(guardian_relationship="Con"))["guardian_name"] == \
        "Ghi họ và tên người giám hộ / nhận thay."
    assert errors_of(person(guardian_name="Lê Thị Hai", guardian_national_id="12345"))["guardian_national_id"] == \
        "Số định danh người giám hộ phải gồm đúng 12 chữ số (đã nhập: 12345)."
    assert errors_of(person(guardian_name="Lê Thị Hai", guardian_national_id="089050123456"))[
        "guardian_national_id"] == "Số định danh người giám hộ trùng với số định danh của đối tượng."
    b, _ = create_beneficiary(clerk, VINH_MY, person(guardian_name="Lê Thị Hai", guardian_national_id="089185000111",
                                                     guardian_relationship="Con", guardian_phone="0296 3852 123"))
    assert (b.guardian_national_id, b.guardian_phone) == ("089185000111", "02963852123")


# --- phone -----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw, value", [("0912 345 678", "0912345678"), ("+84 362 111 222", "0362111222"),
                                        ("0296.3852.123", "02963852123"), ("", None)])
def test_phone_mobile_or_landline(clerk, raw, value):
    b, _ = create_beneficiary(clerk, VINH_MY, person(phone=raw))
    assert b.phone == value


@pytest.mark.parametrize("raw", ["0123456789", "091234567", "0612345678", "02963852"])
def test_phone_shape_error(clerk, raw):
    assert errors_of(person(phone=raw))["phone"] == (
        "Số điện thoại phải là số di động 10 chữ số bắt đầu bằng 03, 05, 07, 08 hoặc 09, hoặc số cố định 11 chữ số "
        f"bắt đầu bằng 02 (đã nhập: {raw}).")


# --- category vs age -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("code, birth, month, expected", [
    ("K1", date(2008, 7, 15), date(2024, 6, 1), None),  # 15 until the birthday month
    ("K1", date(2008, 7, 15), date(2024, 7, 1), "Diện K1 dành cho người dưới 16 tuổi; theo ngày sinh, tháng 07/2024 "
                                                "(hưởng từ tháng) đối tượng 16 tuổi."),
    ("K2", date(2008, 7, 15), date(2024, 7, 1), None),
    ("K2", date(2001, 7, 15), date(2024, 6, 1), None),  # 22
    ("K2", date(2001, 7, 15), date(2024, 7, 1), "Diện K2 dành cho người từ đủ 16 đến 22 tuổi; theo ngày sinh, tháng "
                                                "07/2024 (hưởng từ tháng) đối tượng 23 tuổi."),
    ("K2", date(2010, 1, 1), date(2024, 7, 1), "Diện K2 dành cho người từ đủ 16 đến 22 tuổi; theo ngày sinh, tháng "
                                               "07/2024 (hưởng từ tháng) đối tượng 14 tuổi."),
    ("K5a", date(1964, 8, 1), date(2024, 7, 1), "Diện K5a dành cho người từ đủ 60 tuổi; theo ngày sinh, tháng 07/2024 "
                                                "(hưởng từ tháng) đối tượng 59 tuổi."),
    ("K5a", date(1964, 7, 31), date(2024, 7, 1), None),
    ("K5d", date(1970, 1, 1), date(2024, 7, 1), "Diện K5d dành cho người từ đủ 60 tuổi; theo ngày sinh, tháng "
                                                "07/2024 (hưởng từ tháng) đối tượng 54 tuổi."),
    ("K7", date(2021, 7, 1), date(2024, 7, 1), "Diện K7 dành cho người dưới 3 tuổi; theo ngày sinh, tháng 07/2024 "
                                               "(hưởng từ tháng) đối tượng 3 tuổi."),
    ("K4", date(2000, 1, 1), date(2024, 7, 1), None), ("K8", date(1990, 1, 1), date(2024, 7, 1), None),
    ("K6", date(2015, 1, 1), date(2024, 7, 1), None),
])
def test_category_age_bands(code, birth, month, expected):
    assert category_age_problem(code, birth, birth.year, month) == expected


@pytest.mark.parametrize("group, birth, expected", [
    ("child", date(2015, 1, 1), None), ("adult", date(1990, 1, 1), None), ("elderly", date(1950, 1, 1), None),
    ("adult", date(2015, 1, 1), "Nhóm «Người khuyết tật (16–59 tuổi)» không khớp tuổi: tháng 07/2024 đối tượng 9 "
                                "tuổi, thuộc nhóm «Trẻ em khuyết tật (dưới 16 tuổi)»."),
    ("child", date(1964, 7, 1), "Nhóm «Trẻ em khuyết tật (dưới 16 tuổi)» không khớp tuổi: tháng 07/2024 đối tượng 60 "
                                "tuổi, thuộc nhóm «Người cao tuổi khuyết tật (từ đủ 60 tuổi)»."),
])
def test_disability_child_adult_elderly_bands(group, birth, expected):
    assert category_age_problem("K6", birth, birth.year, date(2024, 7, 1), group) == expected


AGE_WARNING = ("Diện K1 dành cho người dưới 16 tuổi; theo ngày sinh, tháng 07/2024 (hưởng từ tháng) đối tượng 30 "
               "tuổi. Kiểm tra lại diện, ngày sinh và tháng hưởng.")


def test_category_age_is_the_same_warning_on_the_form_and_in_the_import(clerk):
    data = person(category_code="K1", disability_level="", birth="1994", national_id="089094123456")
    checked = check_intake(VINH_MY, data)
    assert "category_code" not in checked.errors and checked.field_warnings["category_code"] == [AGE_WARNING]
    imported = clean_beneficiary(data, VINH_MY, check_duplicate=False)  # the spreadsheet import's rules
    assert imported.field_warnings["category_code"] == [AGE_WARNING] and imported.values["category_code"] == "K1"
    b, warnings = create_beneficiary(clerk, VINH_MY, data)
    assert b.category_override_reason is None and warnings[0] == AGE_WARNING
    _, warnings = update_beneficiary(clerk, b, form_data(b) | {"category_override_reason": "QĐ 12/QĐ-UBND"})
    assert b.category_override_reason == "QĐ 12/QĐ-UBND"
    assert warnings[0] == f"{AGE_WARNING} Lý do ngoại lệ: QĐ 12/QĐ-UBND."
    assert events_for("beneficiary", b.id)[0].after["Lý do vẫn lưu dù diện không khớp tuổi"] == "QĐ 12/QĐ-UBND"


def test_a_phone_change_on_a_record_outside_its_band_shows_the_one_warning_once(clerk):
    b, _ = create_beneficiary(clerk, VINH_MY, person(category_code="K1", disability_level="", birth="1994",
                                                    national_id="089094123456"))
    checked = check_intake(VINH_MY, form_data(b) | {"phone": "0911222333"}, current=b)
    assert not checked.errors and checked.warnings.count(AGE_WARNING) == 1


def test_disability_fields(clerk):
    assert errors_of(person(category_code="K5a", disability_level="", disability_certified_month="06/2024"))[
        "disability_certified_month"] == "Chỉ diện K6 (người khuyết tật) mới ghi tháng xác nhận khuyết tật."
    assert errors_of(person(disability_certified_month="01/2099"))["disability_certified_month"] == \
        "Tháng xác nhận khuyết tật 01/2099 ở tương lai."
    assert errors_of(person(disability_age_group="child"))["category_code"].startswith(
        "Nhóm «Trẻ em khuyết tật (dưới 16 tuổi)» không khớp tuổi: tháng 07/2024 đối tượng 74 tuổi")
    b, _ = create_beneficiary(clerk, VINH_MY, person(disability_certified_month="06/2024",
                                                     disability_age_group="elderly"))
    assert b.disability_certified_month == date(2024, 6, 1)
    assert form_data(b)["disability_certified_month"] == "06/2024"


def test_decision_date_in_the_future_and_nfc_everywhere(clerk):
    assert errors_of(person(decision_date="01/01/2099"))["decision_date"] == "Ngày quyết định 01/01/2099 ở tương lai."
    b, _ = create_beneficiary(clerk, VINH_MY, person(decision_number="12/QĐ-UBND\u200b", note="Nhà ở ấp\u00a0cũ",
                                                     guardian_name="Le\u0302 Thi\u0323 Hai",
                                                     guardian_relationship="con\tgái"))
    assert (b.decision_number, b.note, b.guardian_name, b.guardian_relationship) == (
        "12/QĐ-UBND", "Nhà ở ấp cũ", "Lê Thị Hai", "con gái")


# --- duplicates ------------------------------------------------------------------------------------------------------
def test_same_id_in_the_same_commune_names_and_links_the_record(clerk):
    b, _ = create_beneficiary(clerk, VINH_MY, person())
    checked = check_intake(VINH_MY, person(full_name="Người Khác"))
    assert checked.errors["national_id"] == "Số định danh 089050123456 đã có trong sổ của xã: Nguyễn Văn Bình, sinh " \
                                            "05/03/1950."
    assert checked.links["national_id"] == [b.id]


def test_same_id_in_another_commune_says_only_which_commune(clerk):
    create_beneficiary(clerk, VINH_MY, person(full_name="Trần Thị Bí Mật", gender="female",
                                              national_id="089150123456"))
    checked = check_intake(TAN_LOI, person(full_name="Người Khác", gender="female", national_id="089150123456",
                                           hamlet="Ấp Tân Long"))
    assert checked.errors["national_id"] == (
        "Số định danh 089150123456 đã được đăng ký hưởng trợ cấp tại Phường Vĩnh Mỹ.")
    assert "national_id" not in checked.links
    assert not any("Bí Mật" in m or "05/03/1950" in m for m in checked.errors.values())


def test_same_name_and_birth_in_another_commune_warns_of_a_move(clerk):
    create_beneficiary(clerk, VINH_MY, person())
    tan_loi = user_by_username("xa.tanloi")
    data = person(full_name="NGUYỄN VĂN BÌNH", national_id="089050999999", hamlet="Ấp Tân Long")
    checked = check_intake(TAN_LOI, data)
    assert checked.errors == {}
    assert checked.field_warnings["full_name"] == [
        "Có người cùng họ tên và ngày sinh đang hưởng trợ cấp tại Phường Vĩnh Mỹ — có thể đã chuyển đến mà nơi cũ chưa "
        "dừng chi trả; liên hệ nơi cũ trước khi lưu."]
    assert "full_name" not in checked.links  # no link to another commune's record
    b, warnings = create_beneficiary(tan_loi, TAN_LOI, data)  # a warning: the save goes through
    assert b.id and warnings[0].startswith("Có người cùng họ tên và ngày sinh đang hưởng trợ cấp tại Phường Vĩnh Mỹ")


def test_same_name_and_birth_year_only_and_stopped_records(clerk):
    old, _ = create_beneficiary(clerk, VINH_MY, person(birth="1950"))
    data = person(national_id="089050999999", hamlet="Ấp Tân Long")
    assert len(check_intake(TAN_LOI, data).field_warnings["full_name"]) == 1  # year-only matches the full date
    old.status = "stopped"
    db.session.flush()
    assert "full_name" not in check_intake(TAN_LOI, data).field_warnings


def test_same_name_and_birth_in_the_same_commune_links_it(clerk):
    b, _ = create_beneficiary(clerk, VINH_MY, person())
    checked = check_intake(VINH_MY, person(full_name="Nguyễn Văn Bình", national_id="089050999999"))
    assert checked.field_warnings["full_name"] == [
        "Trong sổ của xã đã có người cùng họ tên và ngày sinh (số định danh khác) — kiểm tra có trùng người không."]
    assert checked.links["full_name"] == [b.id]
    assert check_intake(VINH_MY, form_data(b), current=b).field_warnings.get("full_name") is None


# --- search and sort -------------------------------------------------------------------------------------------------
NAMES = ["Trần Thị Hoà", "Lê Văn Hòa", "Nguyễn Thị Thuý", "Phạm Thúy", "Đỗ Văn Hoa", "Võ Thị Hóa"]


@pytest.fixture
def people(clerk):
    for i, name in enumerate(NAMES):
        create_beneficiary(clerk, VINH_MY, person(full_name=name, national_id=f"0890501234{i:02d}",
                                                  phone=f"09123456{i:02d}", legacy_id_number=f"35123456{i}"))


@pytest.mark.parametrize("q, found", [
    ("hoà", {"Trần Thị Hoà", "Lê Văn Hòa", "Đỗ Văn Hoa", "Võ Thị Hóa"}),
    ("hòa", {"Trần Thị Hoà", "Lê Văn Hòa", "Đỗ Văn Hoa", "Võ Thị Hóa"}),
    ("thuý", {"Nguyễn Thị Thuý", "Phạm Thúy"}), ("THÚY", {"Nguyễn Thị Thuý", "Phạm Thúy"}),
    ("thi hoa", {"Trần Thị Hoà", "Võ Thị Hóa"}), ("do hoa", {"Đỗ Văn Hoa"}), ("đỗ", {"Đỗ Văn Hoa"}),
    ("Nguye\u0302\u0303n", {"Nguyễn Thị Thuý"}),
    ("089050123403", {"Phạm Thúy"}), ("0912345605", {"Võ Thị Hóa"}), ("+84 912 345 601", {"Lê Văn Hòa"}),
    ("351234562", {"Nguyễn Thị Thuý"}),
])
def test_search_by_name_any_tone_placement_by_id_phone_and_old_cmnd(clerk, people, q, found):
    rows, total = search_beneficiaries(visible(Beneficiary, clerk), q)
    assert {r.full_name for r in rows} == found and total == len(found)


#: (names in the expected order) — given name first, Vietnamese letters (a ă â … d đ … o ô ơ … u ư), tones ngang <
#: huyền < hỏi < ngã < sắc < nặng, then family and middle names.
SORT_TABLE = [
    "Lê Thị A", "Lê Thị À", "Lê Thị Ả", "Lê Thị Ã", "Lê Thị Á", "Lê Thị Ạ", "Lê Thị Ă", "Lê Thị Ằ", "Lê Thị Â",
    "Lê Thị Ấ", "Lê Văn Bé", "Lê Văn Dũng", "Lê Văn Đức", "Phạm Thị Hoa", "Lê Thị Hoà", "Trần Văn Hoà", "Võ Thị Hoả",
    "Đỗ Thị Hóa", "Lê Văn Khoa", "Nguyễn Văn Ơn", "Lê Thị Út", "Trần Ưng", "Lê Yến",
]


def test_sort_order_table_in_python():
    assert sorted(reversed(SORT_TABLE), key=name_sort_key) == SORT_TABLE


def test_sort_order_table_in_the_database(clerk):
    """The list is ordered by the stored key column, never by the database's collation: same order on SQLite and
    PostgreSQL (run with TEST_DATABASE_URL to check the latter)."""
    for i, name in enumerate(reversed(SORT_TABLE)):
        create_beneficiary(clerk, VINH_MY, person(full_name=name, national_id=f"0890501234{i:02d}"))
    rows, total = search_beneficiaries(visible(Beneficiary, clerk), "", page_size=50)
    assert [r.full_name for r in rows] == SORT_TABLE and total == len(SORT_TABLE)
    rows = db.session.execute(select(Beneficiary.full_name).order_by(Beneficiary.name_sort)).scalars().all()
    assert rows == SORT_TABLE


def test_refresh_name_keys(clerk):
    b, _ = create_beneficiary(clerk, VINH_MY, person(full_name="Lê Thị Á"))
    b.name_sort = "0"
    assert refresh_name_keys() == 1 and b.name_sort == name_sort_key("Lê Thị Á")


def test_hamlet_sort_key_uses_the_same_order(app):
    assert db.session.execute(select(Hamlet.name).where(Hamlet.commune_code == VINH_MY)
                              .order_by(Hamlet.name_sort)).scalars().all()[0] == "Khóm Hòa Bình"


def test_invalid_reports_every_field_with_warnings_kept(clerk):
    with pytest.raises(BeneficiaryInvalid) as exc:
        create_beneficiary(clerk, VINH_MY, person(national_id="089052123456", phone="12"))
    assert set(exc.value.errors) == {"id_warning_override_reason", "phone"}
    assert exc.value.field_warnings["national_id"] == [
        "Năm sinh theo số định danh là 1952, khác năm sinh khai báo (1950)."]
