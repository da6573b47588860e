"""Register rules (services.registry): validation, create/update with audit, search with and without diacritics."""
import unicodedata
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.areas import visible
from portal.clock import this_month_vn
from portal.extensions import db
from portal.models import AuditEvent, Beneficiary
from portal.services.audit import events_for
from portal.services.demo import user_by_username
from portal.services.registry.beneficiaries import (
    create_beneficiary,
    form_data,
    rate_warnings,
    search_beneficiaries,
    update_beneficiary,
)
from portal.services.registry.fields import BeneficiaryInvalid
from portal.services.registry.identity import name_sort_key
from tests.factories import person_form

VINH_MY, TAN_LOI = "30322", "30535"


person = person_form


@pytest.fixture
def clerk(app):
    return user_by_username("xa.vinhmy")


def test_create_normalises_name_and_keys(clerk):
    nfd = unicodedata.normalize("NFD", "  Huỳnh   Thanh Tài ")
    b, warnings = create_beneficiary(clerk, VINH_MY, person(full_name=nfd, national_id="089031432683",
                                                           birth="1931"))
    assert b.full_name == "Huỳnh Thanh Tài" and unicodedata.is_normalized("NFC", b.full_name)
    assert b.name_fold == "huynh thanh tai"
    assert b.name_sort == name_sort_key("Huỳnh Thanh Tài") and b.name_sort.startswith(name_sort_key("Tài"))
    assert (b.birth_date, b.birth_year) == (None, 1931)
    assert b.phone == "0912345678" and b.start_month == date(2024, 7, 1)
    assert warnings == []
    event = events_for("beneficiary", b.id)[0]
    assert event.action == "create" and event.after["Họ và tên"] == "Huỳnh Thanh Tài"
    assert event.after["Giới tính"] == "Nam"


def test_soft_id_warnings_need_a_reason_which_is_stored_and_audited(clerk):
    with pytest.raises(BeneficiaryInvalid) as exc:
        create_beneficiary(clerk, VINH_MY, person(national_id="089151256910", gender="female"))
    assert exc.value.errors == {"id_warning_override_reason": "Số định danh chưa khớp với thông tin đã khai. Kiểm tra "
                                                              "lại, hoặc ghi lý do để vẫn lưu."}
    assert exc.value.field_warnings["national_id"] == [
        "Năm sinh theo số định danh là 1951, khác năm sinh khai báo (1950)."]
    b, warnings = create_beneficiary(clerk, VINH_MY, person(national_id="089151256910", gender="female",
                                                            id_warning_override_reason="Giấy khai sinh ghi 1950"))
    assert b.id_warning_override_reason == "Giấy khai sinh ghi 1950"
    assert any("1951" in w and "1950" in w for w in warnings)  # still told on saving
    after = events_for("beneficiary", b.id)[0].after
    assert after["Lý do vẫn lưu dù số định danh chưa khớp"] == "Giấy khai sinh ghi 1950"


def test_typed_11_digit_id_is_refused_not_padded_because_any_digit_may_be_missing(clerk):
    # "08905012345" is "089050123456" without its last digit: padding a leading zero would give another person.
    with pytest.raises(BeneficiaryInvalid) as exc:
        create_beneficiary(clerk, VINH_MY, person(national_id="08905012345"))
    assert exc.value.errors["national_id"].startswith(
        "Số định danh cá nhân phải gồm đúng 12 chữ số (đã nhập: 08905012345).")
    assert db.session.execute(select(func.count(Beneficiary.id))).scalar() == 0


def test_id_from_a_number_cell_is_padded_with_a_warning(clerk):
    b, warnings = create_beneficiary(clerk, VINH_MY, person(national_id=89050123456,
                                                            id_warning_override_reason="Đã xem thẻ"))
    assert b.national_id == "089050123456"
    assert any("đã bổ sung số 0 đầu" in w for w in warnings)


def test_required_fields_are_reported_together(clerk):
    with pytest.raises(BeneficiaryInvalid) as exc:
        create_beneficiary(clerk, VINH_MY, {"full_name": " ", "national_id": "12345", "payment_channel": "x"})
    errors = exc.value.errors
    assert set(errors) >= {"full_name", "birth", "gender", "national_id", "category_code", "start_month",
                           "payment_channel"}
    assert "12 chữ số" in errors["national_id"]
    assert db.session.execute(select(func.count(Beneficiary.id))).scalar() == 0


@pytest.mark.parametrize("over, key, text", [
    ({"category_code": "K6", "disability_level": ""}, "disability_level", "mức độ khuyết tật"),
    ({"category_code": "K5a", "disability_level": "severe"}, "disability_level", "Chỉ diện K6"),
    ({"category_code": "K9"}, "category_code", "K9"),
    ({"payment_channel": "cash_at_home"}, "cash_at_home_reason", "lý do"),
    ({"payment_channel": "cash_at_home", "cash_at_home_reason": "other"}, "cash_at_home_note", "ghi rõ"),
    ({"birth": "31/02/1950"}, "birth", "Ngày sinh không hợp lệ"),
    ({"start_month": "13/2024"}, "start_month", "không có tháng 13"),
    ({"phone": "12345"}, "phone", "10 chữ số"),
    ({"full_name": "NguyÔn V¨n A"}, "full_name", "TCVN3"),
])
def test_invalid_field(clerk, over, key, text):
    with pytest.raises(BeneficiaryInvalid) as exc:
        create_beneficiary(clerk, VINH_MY, person(**over))
    assert text in exc.value.errors[key]


def test_cash_at_home_with_reason(clerk):
    b, _ = create_beneficiary(clerk, VINH_MY, person(payment_channel="cash_at_home",
                                                     cash_at_home_reason="bedridden"))
    assert (b.payment_channel, b.cash_at_home_reason) == ("cash_at_home", "bedridden")
    update_beneficiary(clerk, b, form_data(b) | {"payment_channel": "cash_at_point"})
    assert b.cash_at_home_reason is None


def test_duplicate_id_names_only_the_commune(clerk):
    create_beneficiary(clerk, VINH_MY, person(full_name="Trần Thị Bí Mật"))
    other = user_by_username("xa.tanloi")
    with pytest.raises(BeneficiaryInvalid) as exc:
        create_beneficiary(other, TAN_LOI, person(full_name="Người Khác"))
    message = exc.value.errors["national_id"]
    assert "Phường Vĩnh Mỹ" in message and "Bí Mật" not in message


def test_update_records_changed_fields_only(clerk):
    b, _ = create_beneficiary(clerk, VINH_MY, person())
    update_beneficiary(clerk, b, form_data(b) | {"phone": "0987654321", "hamlet": "Khóm Vĩnh Tây"})
    event = events_for("beneficiary", b.id)[0]
    assert event.action == "update"
    assert event.before == {"Số điện thoại": "0912345678", "Khóm/Ấp": "Khóm Mỹ Thới 1"}
    assert event.after == {"Số điện thoại": "0987654321", "Khóm/Ấp": "Khóm Vĩnh Tây"}
    count = db.session.execute(select(func.count(AuditEvent.id))).scalar()
    update_beneficiary(clerk, b, form_data(b))  # nothing changed → no event
    assert db.session.execute(select(func.count(AuditEvent.id))).scalar() == count


def test_update_keeps_own_id(clerk):
    b, _ = create_beneficiary(clerk, VINH_MY, person())
    update_beneficiary(clerk, b, form_data(b) | {"full_name": "Nguyễn Văn Bính"})
    assert b.national_id == "089050123456" and b.name_fold == "nguyen van binh"


def test_search_with_and_without_diacritics_by_id_and_sorted(clerk):
    for i, name in enumerate(["Trần Thị Án", "Lê Văn Bình", "Đỗ Thị Ân", "Huỳnh Thanh Tài"]):
        create_beneficiary(clerk, VINH_MY, person(full_name=name, national_id=f"08905012345{i}"))
    stmt = visible(Beneficiary, clerk)
    rows, total = search_beneficiaries(stmt, "huynh thanh tai")
    assert total == 1 and rows[0].full_name == "Huỳnh Thanh Tài"
    rows, total = search_beneficiaries(stmt, "ĐỖ")
    assert [r.full_name for r in rows] == ["Đỗ Thị Ân"]
    rows, total = search_beneficiaries(stmt, "089050123451")
    assert [r.full_name for r in rows] == ["Lê Văn Bình"]
    rows, total = search_beneficiaries(stmt, "", page=1, page_size=3)
    # given name first, then tone: Án (sắc) < Ân (â after a) < Bình < Tài
    assert total == 4 and [r.full_name for r in rows] == ["Trần Thị Án", "Đỗ Thị Ân", "Lê Văn Bình"]
    rows, _ = search_beneficiaries(stmt, "", page=2, page_size=3)
    assert [r.full_name for r in rows] == ["Huỳnh Thanh Tài"]
    assert search_beneficiaries(stmt, "50%_")[1] == 0  # LIKE wildcards are literal


def test_search_is_limited_to_the_visible_area(clerk):
    create_beneficiary(clerk, VINH_MY, person())
    tan_loi = user_by_username("xa.tanloi")
    assert search_beneficiaries(visible(Beneficiary, tan_loi), "binh")[1] == 0


@pytest.mark.parametrize("name, shown", [
    ('=HYPERLINK("http://x","Bấm")', '«"», «(», «)», «,», «/», «:», «=»'),
    ("Nguyễn Văn 2", "«2»"),
    ("Lê Thị <b>Hoa</b>", "«/», «<», «>»"),
    ("Trần @An", "«@»"),
    ("+Lê Văn An", "«+»"),
])
def test_name_with_characters_no_person_name_has_is_refused(clerk, name, shown):
    with pytest.raises(BeneficiaryInvalid) as exc:
        create_beneficiary(clerk, VINH_MY, person(full_name=name))
    assert exc.value.errors["full_name"] == (
        f"Họ và tên «{name}» có ký tự không dùng trong tên người: {shown}. Chỉ dùng chữ cái, khoảng trắng, "
        "dấu nháy ('), gạch nối (-) và dấu chấm.")
    with pytest.raises(BeneficiaryInvalid) as exc:
        create_beneficiary(clerk, VINH_MY, person(guardian_name=name))
    assert set(exc.value.errors) == {"guardian_name"}


@pytest.mark.parametrize("name", ["Chau Sane Rết", "Néang Thi Sơn", "H'Hen Niê", "Nguyễn Thị Ánh-Hồng",
                                  "Lê T. Hoa", "Đặng Thị Thuý", "Ka’ Sa"])
def test_vietnamese_and_khmer_romanised_names_are_accepted(clerk, name):
    b, _ = create_beneficiary(clerk, VINH_MY, person(full_name=name, guardian_name=name))
    assert b.full_name == name


def test_name_must_start_with_a_letter(clerk):
    with pytest.raises(BeneficiaryInvalid) as exc:
        create_beneficiary(clerk, VINH_MY, person(full_name="-Lê Văn An"))
    assert exc.value.errors["full_name"] == "Họ và tên «-Lê Văn An» phải bắt đầu bằng chữ cái."


@pytest.mark.parametrize("over, reason", [
    ({"category_code": "K5c", "disability_level": "", "birth": "1950"},
     "Không có hệ số cho diện K5c ở tuổi 74 trong tháng 07/2024."),  # "từ đủ 80 tuổi"
    ({"category_code": "K1", "disability_level": "", "birth": "05/03/1994", "national_id": "089094123456"},
     "Không có hệ số cho diện K1 ở tuổi 30 trong tháng 07/2024."),  # a child's category
])
def test_category_that_cannot_apply_at_this_age_saves_with_a_warning_and_an_optional_reason(clerk, over, reason):
    plain, warnings = create_beneficiary(clerk, VINH_MY, person(**over))
    assert plain.id is not None and plain.category_override_reason is None  # a warning, not an error
    assert warnings[0].endswith(f"(hưởng từ tháng) đối tượng {reason.split()[9]} tuổi. Kiểm tra lại diện, ngày sinh "
                                "và tháng hưởng.")
    db.session.delete(plain)
    db.session.flush()
    b, warnings = create_beneficiary(clerk, VINH_MY, person(**over, category_override_reason="QĐ cũ"))
    assert b.id is not None
    now = this_month_vn()
    assert warnings[0].endswith(f"(hưởng từ tháng) đối tượng {reason.split()[9]} tuổi. Kiểm tra lại diện, ngày sinh "
                                "và tháng hưởng. Lý do ngoại lệ: QĐ cũ.")
    assert warnings[1] == f"Không tính được mức trợ cấp tháng 07/2024: {reason}"
    if over["category_code"] == "K5c":  # from 07/2025 K5c is paid by the social pension (76 and more now)
        assert len(warnings) == 3 and warnings[2].startswith(
            "Từ tháng 07/2025 người này hưởng trợ cấp hưu trí xã hội (Nghị định 176/2025/NĐ-CP) thay cho diện K5c")
        assert f"tháng {now:%m/%Y} được chi " in warnings[2]
    else:
        assert len(warnings) == 3 and warnings[2].startswith(f"Không tính được mức trợ cấp tháng {now:%m/%Y}: ")
    assert b.category_override_reason == "QĐ cũ"


def test_rate_warning_on_update_and_none_for_a_payable_person(clerk):
    b, warnings = create_beneficiary(clerk, VINH_MY, person())  # K6 severe, 74 in 07/2024: 2,0 × 500.000 đ
    assert warnings == []
    _, warnings = update_beneficiary(clerk, b, form_data(b) | {"category_code": "K1", "disability_level": "",
                                                               "category_override_reason": "Theo QĐ"})
    assert "Không tính được mức trợ cấp tháng 07/2024: Không có hệ số cho diện K1 ở tuổi 74 trong tháng " \
           "07/2024." in warnings


def test_rate_warnings_skip_the_current_month_before_the_start_month(clerk):
    b, _ = create_beneficiary(clerk, VINH_MY, person(category_code="K1", disability_level="", birth="1994",
                                                     national_id="089094123456", category_override_reason="Theo QĐ"))
    assert rate_warnings(b, today=date(2024, 5, 20)) == [
        "Không tính được mức trợ cấp tháng 07/2024: Không có hệ số cho diện K1 ở tuổi 30 trong tháng 07/2024."]
    assert [w[:43] for w in rate_warnings(b, today=date(2024, 9, 2))] == [
        "Không tính được mức trợ cấp tháng 07/2024: ", "Không tính được mức trợ cấp tháng 09/2024: "]
