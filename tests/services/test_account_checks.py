"""Account check before every transfer: the check file per bank, the bank's coded answers recorded all or nothing,
failing lines moved to cash at the payout point in the same month with the reason on the list, approved lists left
as they are, and later builds keeping a failed account out until a later answer says it works."""
import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, select

from portal.errors import AccessDenied
from portal.extensions import db
from portal.models import AccountCheck, ListChannel, PayoutLine, PayoutList
from portal.services.demo import user_by_username as user
from portal.services.payouts import account_checks as checks
from portal.services.payouts.build import build_lists
from portal.services.payouts.lines import line_notes
from portal.services.payouts.pdf import build_payout_list_doc
from portal.spreadsheets.writing import write_workbook
from tests.conftest import pinned_clock
from tests.factories import AUG, chau_doc_people, run_to_approved

pytestmark = pinned_clock


@pytest.fixture
def built(app):
    p = chau_doc_people()
    db.session.commit()
    build_lists(user("pld.chaudoc"), AUG)
    db.session.commit()
    return p


def answer_file(rows, headers=("STT", "Số định danh", "Họ tên", "Số tài khoản", "Ngân hàng",
                               "Tình trạng tài khoản")) -> bytes:
    return write_workbook(["KẾT QUẢ KIỂM TRA TÀI KHOẢN"], list(headers), rows, text_columns={1, 3})


def line_of(person, month=AUG) -> PayoutLine:
    return db.session.execute(select(PayoutLine).where(PayoutLine.beneficiary_id == person.id,
                                                       PayoutLine.month == month)).scalar_one()


def vinh_my_list(channel: ListChannel) -> PayoutList:
    return db.session.execute(select(PayoutList).where(
        PayoutList.month == AUG, PayoutList.commune_code == "30322", PayoutList.channel == channel.value)).scalar_one()


def test_check_file_per_bank_with_ids_as_text(built):
    commune = user("xa.vinhmy")
    banks = {(p.code if hasattr(p, "code") else p): n for p, n in checks.check_banks(commune, AUG)}
    assert banks == {"VBA": 1, "ICB": 1}  # Vũ at Agribank, Yến at VietinBank
    name, content = checks.check_file(commune, AUG, "VBA")
    assert name == "Kiem-tra-tai-khoan-2024-08-Agribank.xlsx"
    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = [r for r in ws.iter_rows(values_only=True) if r and r[0] == 1]
    assert rows == [(1, built["vu"].national_id, "Bùi Ngọc Vũ", "1164963643329", "Agribank", None)]
    header = next(r for r in ws.iter_rows() if r[0].value == "STT")
    assert header[5].value == "Tình trạng tài khoản"
    # the bank itself gets only its own accounts
    assert [i.beneficiary.full_name for i in checks.check_items(user("agribank.chaudoc"), AUG)] == ["Bùi Ngọc Vũ"]


def test_wrong_holder_moves_line_to_cash_with_reason(built):
    vu, yen = built["vu"], built["yen"]
    account_list = vinh_my_list(ListChannel.ACCOUNT)
    cash_list = vinh_my_list(ListChannel.CASH_AT_POINT)
    assert (account_list.people_count, account_list.total_amount) == (2, 1_500_000)
    cash_before = (cash_list.people_count, cash_list.total_amount)
    content = answer_file([[1, vu.national_id, vu.full_name, "1164963643329", "Agribank", "Sai tên chủ tài khoản"],
                           [2, yen.national_id, yen.full_name, "4668495185680", "VietinBank", "hoạt động"]])
    out = checks.record_answers(user("xa.vinhmy"), AUG, content)
    db.session.commit()
    assert out.errors == [] and (out.recorded, out.usable) == (2, 1)
    reason = "Tài khoản không dùng được: Sai tên chủ tài khoản (Ngân hàng báo, 08/2024)"
    assert [(b.full_name, r) for b, r in out.moved] == [("Bùi Ngọc Vũ", reason)]
    line = line_of(vu)
    assert line.payout_list.channel == "cash_at_point" and line.account_number is None and line.total == 1_000_000
    db.session.refresh(account_list)
    db.session.refresh(cash_list)
    assert (account_list.people_count, account_list.total_amount) == (1, 500_000)
    assert (cash_list.people_count, cash_list.total_amount) == (cash_before[0] + 1, cash_before[1] + 1_000_000)
    assert cash_list.fee_amount == 5_000 * cash_list.people_count and account_list.fee_amount == 5_000
    assert sorted(x.position for x in cash_list.lines) == list(range(1, cash_list.people_count + 1))
    assert line_notes(cash_list)[line.id].account_problem == reason
    assert not line_notes(cash_list)[line.id].awaiting_account
    doc = build_payout_list_doc(cash_list)
    assert [d.note for d in doc.lines if d.full_name == "Bùi Ngọc Vũ"] == [reason]
    assert vu.active_account.check_status == "wrong_holder" and not vu.active_account.payable
    assert yen.active_account.payable
    # a rebuild keeps Vũ on cash, exactly once
    build_lists(user("pld.chaudoc"), AUG)
    db.session.commit()
    assert line_of(vu).payout_list.channel == "cash_at_point"
    # September: Vũ's account is checked again; "hoạt động" brings the transfer back
    sep = date(2024, 9, 1)
    build_lists(user("pld.chaudoc"), sep)
    assert line_of(vu, sep).payout_list.channel == "cash_at_point"
    assert "Bùi Ngọc Vũ" in [i.beneficiary.full_name for i in checks.check_items(user("xa.vinhmy"), sep)]
    out = checks.record_answers(user("xa.vinhmy"), sep, answer_file(
        [[1, vu.national_id, vu.full_name, "1164963643329", "Agribank", "Hoat dong"]]))
    assert out.usable == 1 and vu.active_account.payable
    build_lists(user("pld.chaudoc"), sep)
    assert line_of(vu, sep).payout_list.channel == "account"


def test_bad_answer_file_row_errors_nothing_recorded(built):
    vu, yen = built["vu"], built["yen"]
    content = answer_file([[1, vu.national_id, vu.full_name, "1164963643329", "Agribank", "Bị khóa"],
                           [2, yen.national_id, yen.full_name, "4668495185680", "VietinBank", ""],
                           [3, "089000000001", "Người lạ", "999999999", "Agribank", "Hoạt động"],
                           [4, yen.national_id, yen.full_name, "4668495185680", "VietinBank", "Đã đóng"]])
    out = checks.record_answers(user("xa.vinhmy"), AUG, content)
    assert out.errors[0].startswith("Dòng 4: tình trạng «Bị khóa» không có trong danh mục")
    assert out.errors[1] == "Dòng 5: chưa ghi tình trạng tài khoản của Võ Ngọc Yến."
    assert out.errors[2].startswith("Dòng 6: tài khoản 999999999 của số định danh 089000000001 không có")
    assert len(out.errors) == 3 and out.recorded == 0
    assert db.session.scalar(select(func.count()).select_from(AccountCheck)) == 0
    assert line_of(vu).payout_list.channel == "account" and vu.active_account.check_status is None


def test_duplicate_row_is_an_error(built):
    vu = built["vu"]
    row = [1, vu.national_id, vu.full_name, "1164963643329", "Agribank", "Hoạt động"]
    out = checks.record_answers(user("agribank.chaudoc"), AUG, answer_file([row, row]))
    assert out.errors == ["Dòng 5: tài khoản 1164963643329 đã có ở dòng 4."]


def test_approved_list_keeps_line_and_names_it(app):
    p = chau_doc_people()
    db.session.commit()
    run_to_approved(AUG)
    content = answer_file([[1, p["vu"].national_id, p["vu"].full_name, "1164963643329", "Agribank", "Đã đóng"]])
    out = checks.record_answers(user("pld.chaudoc"), AUG, content)
    assert out.moved == [] and [b.full_name for b, _ in out.on_frozen] == ["Bùi Ngọc Vũ"]
    assert line_of(p["vu"]).payout_list.channel == "account"  # the approved list does not change
    account = p["vu"].accounts[0]
    assert (account.active, account.status) == (False, "invalid")  # closed: the bank opens a new one


def test_who_may_check(built):
    for name in ("congan.vinhmy", "buudien.chaudoc", "so.angiang"):
        with pytest.raises(AccessDenied):
            checks.check_items(user(name), AUG)


def test_police_sheet_carries_account_statuses(built):
    from portal.services.registry import identity_checks
    from tests.services.test_identity_checks import _sheet
    vu, yen = built["vu"], built["yen"]
    rounds = {c.beneficiary_id: c for c in identity_checks.request_checks(user("xa.vinhmy"), "30322")}
    police = user("congan.vinhmy")

    def row(n, person, status):
        return [n, str(rounds[person.id].id), person.full_name, person.birth_display, "Nam", person.national_id,
                "Khớp", None, None, status]
    with pytest.raises(identity_checks.CheckImportInvalid) as err:
        identity_checks.import_results(police, ["30322"], _sheet([row(1, vu, "Tài khoản bị khoá")]), AUG)
    assert err.value.errors[0][0] == 4 and "Tình trạng tài khoản «Tài khoản bị khoá» không có" in err.value.errors[0][1]
    statuses = []
    assert identity_checks.import_results(police, ["30322"], _sheet(
        [row(1, vu, "Chủ tài khoản đã chết"), row(2, yen, None)]), AUG, account_statuses=statuses) == 2
    out = checks.record_police_statuses(police, AUG, statuses)
    assert [(b.full_name, r) for b, r in out.moved] == [
        ("Bùi Ngọc Vũ", "Tài khoản không dùng được: Chủ tài khoản đã chết (Công an báo, 08/2024)")]
    assert line_of(vu).payout_list.channel == "cash_at_point" and line_of(yen).payout_list.channel == "account"
    with pytest.raises(AccessDenied):
        checks.record_police_statuses(user("xa.vinhmy"), AUG, statuses)


def test_confirmed_lists_return_to_draft_and_an_empty_transfer_list_goes(built):
    from portal.services.payouts.workflow import confirm_list
    vu, yen = built["vu"], built["yen"]
    commune = user("xa.vinhmy")
    for channel in (ListChannel.ACCOUNT, ListChannel.CASH_AT_POINT):
        confirm_list(commune, vinh_my_list(channel))
    account_id = vinh_my_list(ListChannel.ACCOUNT).id
    out = checks.record_answers(commune, AUG, answer_file([
        [1, vu.national_id, vu.full_name, "1164963643329", "Agribank", "Giấy tờ tùy thân hết hạn"],
        [2, yen.national_id, yen.full_name, "4668495185680", "VietinBank", "Bị hạn chế giao dịch"]]))
    assert len(out.moved) == 2
    assert db.session.get(PayoutList, account_id) is None
    cash = vinh_my_list(ListChannel.CASH_AT_POINT)
    assert cash.status == "draft" and cash.confirmed_at is None  # the commune confirms the new list again
    assert {line.beneficiary_id for line in cash.lines} >= {vu.id, yen.id}
    assert cash.total_amount == sum(line.total for line in cash.lines)
