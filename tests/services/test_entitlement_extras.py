"""services.entitlement_extras: further categories (Decree 20/2021 Art. 6.2) and care support (Art. 20) — rules,
audit, and the preview that uses the engine as the payout build does (amounts in đồng, months first-of-month)."""
from datetime import date

import pytest
from sqlalchemy import select

from portal import errors
from portal.extensions import db
from portal.models import AdditionalCategory, AuditEvent, CareArrangement
from portal.services.demo import user_by_username
from portal.services.entitlement import care as entitlement_care
from portal.services.entitlement import categories, extras, next_list
from portal.services.payouts.build import build_lists
from portal.services.registry.beneficiaries import amount_in_month
from tests.factories import AUG, chau_doc_people, make_beneficiary, run_to_approved

SEP = date(2024, 9, 1)
OCT = date(2024, 10, 1)


def cat(code, valid_from="08/2024", decision="15/QĐ-UBND", **more):
    return {"category_code": code, "valid_from": valid_from, "decision_number": decision, **more}


def line_of(result, b):
    [line] = [line for lst in result.lists for line in lst.lines
              if line.beneficiary_id == b.id and line.programme == "tcxh"]
    return line


@pytest.fixture
def people(app):
    return chau_doc_people()


@pytest.fixture
def clerk(app):
    return user_by_username("xa.vinhmy")


def test_preview_names_the_highest_category(people, clerk):
    phuc = people["phuc"]  # K5c 1,0; K5a from 80: 2,0
    row = categories.add_category(clerk, phuc, cat("K5a"), month=AUG)
    assert (row.valid_from, row.valid_to, row.decision_number) == (AUG, None, "15/QĐ-UBND")
    p = next_list.preview(phuc, AUG)
    assert p.amount.amount == 1_000_000
    assert p.line == "Tháng 08/2024: 1.000.000 đ (cao nhất trong các diện: K5a)"
    assert [(c.code, c.amount, c.main) for c in p.candidates] == [("K5c", 500_000, True), ("K5a", 1_000_000, False)]
    # 12/2026: K5c ended 06/2025, K5a 2,0 × 540.000
    assert next_list.preview(phuc, date(2026, 12, 1)).line == (
        "Tháng 12/2026: 1.080.000 đ (cao nhất trong các diện: K5a)")


def test_k4_plus_k6_pays_both_and_k4_plus_k1_only_the_higher(app, clerk):
    mai = make_beneficiary("Lê Thị Mai", birth_date=date(1985, 3, 3), gender="female", category_code="K4",
                           children_count=3)
    categories.add_category(clerk, mai, cat("K6", disability_level="severe"), month=AUG)
    p = next_list.preview(mai, AUG)
    assert p.amount.amount == 3 * 500_000 + 750_000
    assert p.line == "Tháng 08/2024: 2.250.000 đ (diện K4 cộng diện K6: hưởng cả hai, NĐ 20/2021 Điều 6.2)"
    [line] = [line for lst in build_lists(user_by_username("pld.chaudoc"), AUG).lists for line in lst.lines
              if line.beneficiary_id == mai.id]
    assert line.total == 2_250_000

    be = make_beneficiary("Lê Văn Bé", birth_date=date(2012, 5, 5), category_code="K1")
    categories.add_category(clerk, be, cat("K4", children_count="1"), month=AUG)  # not combinable
    assert next_list.preview(be, AUG).amount.amount == 750_000  # K1 from 4: 1,5 > K4 1 child 1,0


def test_a_category_from_the_next_month_does_not_back_pay_a_listed_month(people, clerk):
    """Phúc's 08/2024 list is approved at 500.000 đ (K5c); K5a from 09/2024 pays 1.000.000 đ in 09 and nothing more
    for 08 — the row counts only from its month."""
    run_to_approved()
    phuc = people["phuc"]
    categories.add_category(clerk, phuc, cat("K5a", "09/2024"), month=SEP)
    p = next_list.preview(phuc, SEP)
    assert p.line == "Tháng 09/2024: 1.000.000 đ (cao nhất trong các diện: K5a)" and p.back_pay_line == ""
    assert p.notes == []
    line = line_of(build_lists(user_by_username("pld.chaudoc"), SEP), phuc)
    assert (line.regular_amount, line.back_pay, line.total, line.back_pay_months) == (1_000_000, 0, 1_000_000, None)
    assert next_list.preview(phuc, AUG).amount.amount == 500_000  # 08 as listed: K5a not yet in force


def test_a_backdated_category_back_pays_the_listed_month(people, clerk):
    """The decision dates K5a from 08/2024, already listed at 500.000 đ: the 09 build pays 1.000.000 đ plus 500.000 đ
    back pay naming 08/2024, and the preview shows it beforehand."""
    run_to_approved()
    phuc = people["phuc"]
    categories.add_category(clerk, phuc, cat("K5a", "08/2024"), month=SEP)
    p = next_list.preview(phuc, SEP)
    assert p.back_pay_line == "Kèm theo ở lần lập danh sách tới: Truy lĩnh chênh lệch mức 08/2024: 500.000 đ"
    assert p.notes == []
    line = line_of(build_lists(user_by_username("pld.chaudoc"), SEP), phuc)
    assert (line.regular_amount, line.back_pay, line.total) == (1_000_000, 500_000, 1_500_000)
    assert line.back_pay_months == [{"month": "2024-08", "kind": "rate_change", "amount": 500_000}]


def test_a_row_without_months_still_counts_for_every_month(people, clerk):
    """Rows made before migration 0003 have no valid_from: they count always, and the preview says so."""
    run_to_approved()
    phuc = people["phuc"]
    db.session.add(AdditionalCategory(beneficiary_id=phuc.id, category_code="K5a"))
    db.session.flush()
    p = next_list.preview(phuc, SEP)
    assert p.back_pay_line == "Kèm theo ở lần lập danh sách tới: Truy lĩnh chênh lệch mức 08/2024: 500.000 đ"
    assert p.notes[0].startswith("Diện K5a ghi trước khi có tháng hưởng nên được tính cho mọi tháng")
    assert p.candidates[1].months == "mọi tháng (ghi trước khi có tháng hưởng)"
    with pytest.raises(errors.StateError):  # counted on the 08/2024 list already
        categories.remove_category(clerk, phuc, p.candidates[1].row)


def test_ending_a_category(people, clerk):
    """K5a from 08/2024 is paid on the approved 08 list; the 09 list (draft) too; then the decision ends it from
    09/2024: a warning names 09/2024 (not recovered automatically), the 10 build records the recovery of 500.000 đ
    for 09 and pays 500.000 đ (K5c only); the audit keeps before/after."""
    phuc = people["phuc"]
    row = categories.add_category(clerk, phuc, cat("K5a", "08/2024"), month=AUG)
    run_to_approved()
    assert line_of(build_lists(user_by_username("pld.chaudoc"), SEP), phuc).total == 1_000_000
    with pytest.raises(extras.ExtrasInvalid) as err:
        categories.end_category(clerk, phuc, row, "08/2024", month=OCT)
    assert err.value.errors == {"valid_to": "Tháng thôi hưởng (08/2024) phải sau tháng bắt đầu hưởng (08/2024)."}
    with pytest.raises(extras.ExtrasInvalid) as err:
        categories.end_category(clerk, phuc, row, "11/2025", month=OCT)
    assert err.value.errors == {"valid_to": "Tháng thôi hưởng (11/2025) quá xa: ghi được đến 10/2025 (12 tháng sau "
                                            "tháng của danh sách tới 10/2024)."}
    with pytest.raises(extras.ExtrasInvalid) as err:
        categories.end_category(clerk, phuc, row, "", month=OCT)
    assert err.value.errors == {"valid_to": "Chưa nhập thôi hưởng từ tháng (dạng tháng/năm, ví dụ 12/2026)."}

    assert categories.end_category(clerk, phuc, row, "09/2024", month=OCT) == [
        "Đã có dòng trợ cấp trên danh sách chi trả tháng 09/2024 (từ tháng thôi hưởng diện K5a): số đã lập không tự "
        "thu hồi; nếu danh sách chưa duyệt, đề nghị cơ quan lập danh sách lập lại."]
    assert row.valid_to == SEP
    p = next_list.preview(phuc, OCT)
    assert p.line == "Tháng 10/2024: 500.000 đ"
    assert p.back_pay_line == "Kèm theo ở lần lập danh sách tới: Thu hồi 09/2024: 500.000 đ"
    assert [(c.code, c.amount, c.problem, c.months) for c in p.candidates] == [
        ("K5c", 500_000, None, ""), ("K5a", None, "đã thôi hưởng (từ 09/2024)", "từ 08/2024, thôi từ 09/2024")]
    line = line_of(build_lists(user_by_username("pld.chaudoc"), OCT), phuc)
    assert (line.regular_amount, line.back_pay, line.recovery) == (500_000, 0, 500_000)
    ev = db.session.execute(select(AuditEvent).where(AuditEvent.object_id == phuc.id, AuditEvent.action == "update")
                            ).scalar_one()
    assert ev.summary == "Thôi hưởng diện khác K5a từ tháng 09/2024"
    assert (ev.before["Thôi hưởng từ tháng"], ev.after["Thôi hưởng từ tháng"]) == (None, "09/2024")
    # a new K5a row may start where the old one ended, not before
    with pytest.raises(extras.ExtrasInvalid) as err:
        categories.add_category(clerk, phuc, cat("K5a", "08/2024"), month=OCT)
    assert err.value.errors["category_code"].startswith("Diện K5a đã được ghi cho đối tượng này (từ 08/2024, thôi từ")
    assert categories.add_category(clerk, phuc, cat("K5a", "10/2024"), month=OCT).valid_from == OCT


def test_deleting_only_before_it_counted(people, clerk):
    run_to_approved()  # 08/2024 listed
    phuc = people["phuc"]
    counted = categories.add_category(clerk, phuc, cat("K5a", "08/2024"), month=SEP)
    with pytest.raises(errors.StateError) as err:
        categories.remove_category(clerk, phuc, counted)
    assert str(err.value) == ("Diện K5a đã được tính khi lập danh sách chi trả (tháng 08/2024); không xóa được. Nếu "
                              "đối tượng không còn hưởng diện này, ghi «Thôi hưởng từ tháng».")
    yen = people["yen"]
    fresh = categories.add_category(clerk, yen, cat("K8", "09/2024"), month=SEP)  # after the last listed month
    categories.remove_category(clerk, yen, fresh)
    assert db.session.get(AdditionalCategory, fresh.id) is None
    ev = db.session.execute(select(AuditEvent).where(AuditEvent.object_id == yen.id, AuditEvent.action == "delete")
                            ).scalar_one()
    assert ev.summary == "Xóa diện hưởng khác K8 (ghi nhầm, chưa chi trả)"
    assert ev.before == {"Diện khác": "K8", "Hưởng từ tháng": "09/2024", "Thôi hưởng từ tháng": None,
                         "Số quyết định": "15/QĐ-UBND"}


@pytest.mark.parametrize("data, key, message", [
    (cat("K5a", ""), "valid_from", "Chưa nhập hưởng từ tháng (dạng tháng/năm, ví dụ 12/2026)."),
    (cat("K5a", "13/2024"), "valid_from", "Hưởng từ tháng không hợp lệ"),
    (cat("K5a", "12/2023"), "valid_from",
     "Hưởng từ tháng (12/2023) không được trước tháng đối tượng bắt đầu hưởng trợ cấp (01/2024)."),
    (cat("K5a", "10/2025"), "valid_from",
     "Hưởng từ tháng (10/2025) quá xa: ghi được đến 09/2025 (12 tháng sau tháng của danh sách tới 09/2024)."),
    (cat("K5a", decision=" "), "decision_number", "Chưa nhập số quyết định hưởng diện này."),
    (cat("K5a", decision="x" * 61), "decision_number", "Số quyết định quá dài (tối đa 60 ký tự)."),
])
def test_category_months_and_decision_are_checked(people, clerk, data, key, message):
    with pytest.raises(extras.ExtrasInvalid) as err:
        categories.add_category(clerk, people["phuc"], data, month=SEP)
    assert err.value.errors[key].startswith(message)


def test_category_must_fit_the_age_in_its_first_month_and_in_the_next_lists_month(app, clerk):
    # turns 60 in 03/2025: K5a (60+) from 02/2025 refused, from 03/2025 accepted
    an = make_beneficiary("Lê Văn An", birth_date=date(1965, 3, 10), category_code="K8")
    with pytest.raises(extras.ExtrasInvalid) as err:
        categories.add_category(clerk, an, cat("K5a", "02/2025"), month=SEP)
    assert "tháng 02/2025 (hưởng từ tháng) đối tượng 59 tuổi" in err.value.errors["category_code"]
    assert categories.add_category(clerk, an, cat("K5a", "03/2025"), month=SEP).valid_from == date(2025, 3, 1)
    # 15 in 08/2024, 16 by 12/2024: K1 (under 16) from 08/2024 fits then, not in the next list's month
    be = make_beneficiary("Lê Văn Bé", birth_date=date(2008, 10, 1), category_code="K8")
    with pytest.raises(extras.ExtrasInvalid) as err:
        categories.add_category(clerk, be, cat("K1", "08/2024"), month=date(2024, 12, 1))
    assert "tháng 12/2024 (tháng của danh sách tới) đối tượng 16 tuổi" in err.value.errors["category_code"]


def test_amount_in_month_agrees_with_the_section(people, clerk):
    """The "Mức trợ cấp tháng" row of the beneficiary page counts the in-force further categories like the
    section's preview and the build."""
    phuc = people["phuc"]
    row = categories.add_category(clerk, phuc, cat("K5a", "09/2024"), month=AUG)
    for month, expected in ((AUG, 500_000), (SEP, 1_000_000), (date(2026, 12, 1), 1_080_000)):
        amount, problem = amount_in_month(phuc, month)
        assert problem is None and amount.amount == expected == next_list.preview(phuc, month).amount.amount, month
    categories.end_category(clerk, phuc, row, "10/2024", month=SEP)
    assert amount_in_month(phuc, OCT)[0].amount == 500_000 == next_list.preview(phuc, OCT).amount.amount
    assert amount_in_month(phuc, SEP)[0].amount == 1_000_000


def test_care_preview_and_audit(people, clerk):
    vu = people["vu"]
    arr = entitlement_care.add_care(clerk, vu, {"kind": "household_especially_severe", "payee_name": "  Bùi   Thị Hoa ",
                                      "payee_national_id": "089180001234", "payee_relationship": "Vợ",
                                      "valid_from": "2024-08", "valid_to": "", "decision_number": "125/QĐ-UBND"})
    assert (arr.payee_name, arr.valid_from, arr.valid_to) == ("Bùi Thị Hoa", AUG, None)
    p = next_list.preview(vu, AUG)
    assert p.care_amount == 500_000 and p.care is arr
    assert p.care_line == ("Hỗ trợ chăm sóc tháng 08/2024: 500.000 đ — trả cho Bùi Thị Hoa (Vợ), dòng riêng trên "
                           "danh sách chi tiền mặt")
    assert entitlement_care.end_care(clerk, vu, arr, "10/2024") == []
    assert next_list.preview(vu, date(2024, 10, 1)).care_amount == 0
    assert next_list.preview(vu, SEP).care_amount == 500_000
    events = db.session.execute(select(AuditEvent).where(AuditEvent.object_id == vu.id)
                                .order_by(AuditEvent.id)).scalars()
    assert [(e.action, e.after.get("Thôi hưởng từ tháng")) for e in events] == [("create", None), ("update", "10/2024")]


def test_self_paid_kind_allows_the_person_as_payee(app, clerk):
    me = make_beneficiary("Trần Thị Nga", birth_date=date(1995, 1, 1), gender="female", category_code="K6",
                          disability_level="severe")
    arr = entitlement_care.add_care(clerk, me, {"kind": "disabled_pregnant_or_child", "payee_name": "Trần Thị Nga",
                                      "payee_national_id": me.national_id, "valid_from": "08/2024",
                                      "decision_number": "7/QĐ-UBND"})
    assert arr.payee_relationship == "Bản thân"
    assert next_list.preview(me, AUG).care_amount == 750_000


def test_ending_warns_when_care_lines_are_listed_already(people, clerk):
    vu = people["vu"]
    arr = CareArrangement(beneficiary_id=vu.id, kind="household_especially_severe", payee_name="Bùi Thị Hoa",
                          payee_national_id="089180001234", valid_from=date(2024, 7, 1))
    db.session.add(arr)
    db.session.flush()
    build_lists(user_by_username("pld.chaudoc"), AUG)
    assert entitlement_care.end_care(clerk, vu, arr, "08/2024") == [
        "Đã có dòng hỗ trợ chăm sóc trên danh sách chi trả tháng 08/2024: số đã lập không tự thu hồi; nếu danh "
        "sách chưa duyệt, đề nghị cơ quan lập danh sách lập lại."]
    with pytest.raises(errors.StateError):
        entitlement_care.remove_care(clerk, vu, arr)
    with pytest.raises(extras.ExtrasInvalid) as err:
        entitlement_care.end_care(clerk, vu, arr, "")
    assert err.value.errors == {"valid_to": "Chưa nhập thôi hưởng từ tháng (dạng tháng/năm, ví dụ 12/2026)."}


def care(kind, payee_id="089180001234", valid_from="08/2024", **more):
    return {"kind": kind, "payee_name": "Bùi Thị Hoa", "payee_national_id": payee_id, "payee_relationship": "Bà",
            "valid_from": valid_from, "decision_number": "9/QĐ-UBND", **more}


def test_care_kind_must_fit_the_persons_age_and_sex(app, clerk):
    """Art. 20: the K1 child's age band (in valid_from and in the next list's month), the khoản 2 kinds only for a
    woman with a disability; a band ending while the row runs closes the row in that month."""
    child = make_beneficiary("Lê Văn Tí", birth_date=date(2018, 5, 10), category_code="K1")  # 6 in 08/2024
    with pytest.raises(extras.ExtrasInvalid) as err:
        entitlement_care.add_care(clerk, child, care("foster_child_under_4"), month=AUG)
    assert err.value.errors == {"kind": "«Nhận chăm sóc, nuôi dưỡng trẻ em K1 dưới 4 tuổi» chỉ dành cho trẻ em dưới 4 "
                                        "tuổi; đối tượng 6 tuổi trong tháng 08/2024 (hưởng từ tháng)."}
    arr = entitlement_care.add_care(clerk, child, care("foster_child_4_to_16"), month=AUG)
    assert arr.valid_to == date(2034, 5, 1)  # turns 16 in 05/2034
    assert next_list.preview(child, AUG).care_amount == 750_000
    baby = make_beneficiary("Lê Thị Bé", birth_date=date(2020, 3, 1), gender="female", category_code="K1")
    with pytest.raises(extras.ExtrasInvalid) as err:  # under 4 in 02/2024, but 4 in the next list's month 08/2024
        entitlement_care.add_care(clerk, baby, care("foster_child_under_4", valid_from="02/2024"), month=AUG)
    assert err.value.errors["kind"].endswith("đối tượng 4 tuổi trong tháng 08/2024 (tháng của danh sách tới).")
    tiny = make_beneficiary("Lê Văn Nhỏ", birth_date=date(2022, 3, 1), category_code="K1")
    arr = entitlement_care.add_care(clerk, tiny, care("foster_child_under_4"), month=AUG)
    assert arr.valid_to == date(2026, 3, 1)  # 1.250.000 đ only until the child turns 4
    assert next_list.preview(tiny, AUG).care_amount == 1_250_000
    assert next_list.preview(tiny, date(2026, 3, 1)).care_amount == 0
    boy = make_beneficiary("Trần Văn Bình", birth_date=date(2016, 1, 1), category_code="K6", disability_level="severe")
    with pytest.raises(extras.ExtrasInvalid) as err:
        entitlement_care.add_care(clerk, boy, care("disabled_pregnant_or_child"), month=AUG)
    assert err.value.errors["kind"].startswith("«NKT nặng/đặc biệt nặng đang mang thai hoặc nuôi 1 con dưới 36 tháng» "
                                               "chỉ dành cho phụ nữ khuyết tật")
    adult = make_beneficiary("Trần Văn Lớn", birth_date=date(1990, 1, 1), category_code="K6",
                             disability_level="especially_severe")
    with pytest.raises(extras.ExtrasInvalid) as err:
        entitlement_care.add_care(clerk, adult, care("foster_child_especially_severe"), month=AUG)
    assert "chỉ dành cho trẻ em (dưới 16 tuổi); đối tượng 34 tuổi" in err.value.errors["kind"]
    assert entitlement_care.add_care(clerk, adult, care("foster_adult_especially_severe"), month=AUG).valid_to is None


@pytest.mark.parametrize("payee_id", ["000000000000", "000180001234", "999180001234"])
def test_impossible_payee_ids_are_refused(people, clerk, payee_id):
    with pytest.raises(extras.ExtrasInvalid) as err:
        entitlement_care.add_care(clerk, people["vu"], care("household_especially_severe", payee_id=payee_id),
                                  month=AUG)
    assert err.value.errors["payee_national_id"].startswith(f"Số định danh người nhận ({payee_id}) không hợp lệ")


def _stop(b, month, kind="stop"):
    from portal.models import RegistryEvent
    db.session.add(RegistryEvent(beneficiary_id=b.id, commune_code=b.commune_code, kind=kind, effective_month=month,
                                 status="accepted", decision_number="5/QĐ"))
    b.status = "stopped" if kind == "stop" else "suspended"
    db.session.flush()


def test_a_stopped_person_is_promised_nothing_and_gets_no_new_category_or_care(people, clerk):
    phuc, vu = people["phuc"], people["vu"]
    row = categories.add_category(clerk, phuc, cat("K5a"), month=AUG)
    _stop(phuc, SEP)
    p = next_list.preview(phuc, date(2026, 12, 1))
    assert p.line == "Đã thôi hưởng từ tháng 09/2024 — không có lần chi trả tới" and p.amount is None
    with pytest.raises(extras.ExtrasInvalid) as err:
        categories.add_category(clerk, phuc, cat("K8"), month=date(2026, 12, 1))
    assert err.value.errors == {"status": "Đối tượng đã thôi hưởng từ tháng 09/2024: không ghi thêm diện hưởng khác "
                                          "được (chỉ có thể kết thúc hoặc xóa bản ghi ghi nhầm)."}
    categories.end_category(clerk, phuc, row, "10/2024", month=date(2026, 12, 1))  # ending stays allowed
    _stop(vu, SEP, "suspend")
    assert next_list.preview(vu, OCT).line.startswith("Tạm dừng hưởng từ tháng 09/2024 — không có lần chi trả tới")
    with pytest.raises(extras.ExtrasInvalid) as err:
        entitlement_care.add_care(clerk, vu, care("household_especially_severe"), month=OCT)
    assert err.value.errors["status"].startswith("Đối tượng tạm dừng hưởng từ tháng 09/2024: không ghi thêm hỗ trợ")


def test_back_pay_of_allowance_and_care_are_two_lines(people, clerk):
    vu = people["vu"]  # K6 especially severe
    run_to_approved(AUG)
    entitlement_care.add_care(clerk, vu, care("household_especially_severe"), month=SEP)
    p = next_list.preview(vu, SEP)
    assert p.back_pay_lines == ["Hỗ trợ chăm sóc: Truy lĩnh 08/2024: 500.000 đ — trả cho Bùi Thị Hoa"], p.back_pay_lines
    child = make_beneficiary("Lê Văn Tí", birth_date=date(2018, 5, 10), category_code="K1", start_month=AUG)
    entitlement_care.add_care(clerk, child, care("foster_child_4_to_16"), month=SEP)
    p = next_list.preview(child, SEP)
    assert p.back_pay_lines == ["Trợ cấp: Truy lĩnh 08/2024: 750.000 đ — trả cho Lê Văn Tí",
                               "Hỗ trợ chăm sóc: Truy lĩnh 08/2024: 750.000 đ — trả cho Bùi Thị Hoa"]


def test_preview_warns_when_an_open_care_row_outlives_its_age_band(app, clerk):
    """A row entered before the age check (no end month) for a child who turned 4 in 03/2024: the engine still pays
    2,5 × (RateBook.care_amount does not look at age), so the section says when the band ended."""
    child = make_beneficiary("Lê Văn Tí", birth_date=date(2020, 3, 1), category_code="K1")
    db.session.add(CareArrangement(beneficiary_id=child.id, kind="foster_child_under_4", payee_name="Bùi Thị Hoa",
                                   payee_national_id="089180001234", valid_from=date(2023, 1, 1)))
    db.session.flush()
    p = next_list.preview(child, AUG)
    assert p.care_amount == 1_250_000  # engine limitation, reported
    assert ("«Nhận chăm sóc, nuôi dưỡng trẻ em K1 dưới 4 tuổi»: từ tháng 03/2024 đối tượng ra khỏi độ tuổi của loại hỗ "
            "trợ này — ghi «Thôi hưởng từ tháng» đó và ghi loại phù hợp.") in p.notes
