"""Payout lists: build per commune × channel with the portal's own amounts, confirm, approve (not by the preparer,
only after the commune), freeze, one line per person and month; post office results one by one and by sheet."""
import io
from datetime import UTC, date, datetime

import openpyxl
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from portal.errors import AccessDenied, StateError, ValidationError
from portal.extensions import db
from portal.models import AuditEvent, Organization, PayoutLine, PayoutList, User
from portal.services.demo import user_by_username as user
from portal.services.payouts.build import build_lists, rebuild_list
from portal.services.payouts.results import payment_sheet, record_result, results_upload, totals
from portal.services.payouts.workflow import accept_list, approve_list, confirm_list
from tests.factories import AUG, chau_doc_people, make_beneficiary, run_to_accepted


@pytest.fixture
def people(app):
    p = chau_doc_people()
    db.session.commit()
    return p


def _lists(result, commune="30322"):
    return {lst.channel: lst for lst in result.lists if lst.commune_code == commune}


def test_build_one_list_per_commune_and_channel_with_portal_amounts(people):
    result = build_lists(user("pld.chaudoc"), AUG)
    vm = _lists(result)
    assert sorted((lst.commune_code, lst.channel) for lst in result.lists) == [
        ("30322", "account"), ("30322", "cash_at_home"), ("30322", "cash_at_point"), ("30325", "cash_at_point")]
    acc = vm["account"]
    assert [(line.position, line.full_name, line.total) for line in acc.lines] == [
        (1, "Bùi Ngọc Vũ", 1_000_000), (2, "Võ Ngọc Yến", 500_000)]
    assert (acc.people_count, acc.total_amount) == (2, 1_500_000)
    assert [(line.account_number, line.provider_code, line.holder_name) for line in acc.lines] == [
        ("1164963643329", "VBA", "Bùi Ngọc Vũ"), ("4668495185680", "ICB", "Võ Ngọc Yến")]
    point = vm["cash_at_point"]  # Khải chose an account that is not opened yet → cash at the point
    assert [(line.full_name, line.total, line.account_number) for line in point.lines] == [
        ("Huỳnh Minh Khải", 750_000, None), ("Trương Văn Phúc", 500_000, None)]
    assert (point.people_count, point.total_amount) == (2, 1_250_000)
    assert [(line.full_name, line.total, str(line.coefficient)) for line in vm["cash_at_home"].lines] == [
        ("Nguyễn Thị Thoa", 1_000_000, "2.00")]
    nui_sam = _lists(result, "30325")["cash_at_point"]
    assert (nui_sam.people_count, nui_sam.total_amount) == (1, 750_000)
    for lst in result.lists:  # control totals are the sum of the portal's own line amounts
        assert lst.total_amount == sum(line.total for line in lst.lines) and lst.status == "draft"
    assert [(b.full_name, reason) for b, reason in result.exclusions] == [
        ("Đặng Thị Lan", "Không có hệ số cho diện K1 ở tuổi 17 trong tháng 08/2024.")]
    post = db.session.execute(select(Organization).where(
        Organization.name == "Bưu điện Thành phố Châu Đốc")).scalar_one()
    assert {lst.post_office_id for lst in result.lists} == {post.id}
    assert {lst.payout_office_id for lst in result.lists} == {user("pld.chaudoc").organization_id}
    assert "Tân Lợi" not in {lst.commune.name for lst in result.lists}


def test_rebuild_replaces_lines_and_a_confirmed_list_returns_to_draft(people):
    vm = _lists(build_lists(user("pld.chaudoc"), AUG))
    confirm_list(user("xa.vinhmy"), vm["cash_at_point"])
    make_beneficiary("Âu Văn An", birth_date=date(1936, 1, 2))
    db.session.commit()
    again = _lists(build_lists(user("pld.chaudoc"), AUG))
    point = again["cash_at_point"]
    assert point.id == vm["cash_at_point"].id and point.status == "draft" and point.confirmed_by_id is None
    assert [(line.position, line.full_name) for line in point.lines] == [
        (1, "Âu Văn An"), (2, "Huỳnh Minh Khải"), (3, "Trương Văn Phúc")]
    assert (point.people_count, point.total_amount) == (3, 1_750_000)
    assert db.session.execute(select(PayoutLine).where(PayoutLine.month == AUG)).scalars().all().__len__() == 7
    notes = db.session.execute(select(AuditEvent.summary).where(
        AuditEvent.object_type == "payout_list", AuditEvent.object_id == point.id)).scalars().all()
    assert any("trở lại dự thảo" in n for n in notes)


def test_preparer_cannot_approve_and_approval_needs_commune_confirmation(people):
    lst = _lists(build_lists(user("pld.chaudoc"), AUG))["account"]
    approver = user("pld.chaudoc.duyet")
    with pytest.raises(StateError, match="Người lập danh sách không được tự phê duyệt"):
        approve_list(approver, _lists(build_lists(approver, AUG))["account"])  # the approver prepared it now
    lst = _lists(build_lists(user("pld.chaudoc"), AUG))["account"]
    with pytest.raises(StateError, match="chưa được UBND xã/phường xác nhận"):
        approve_list(approver, lst)
    with pytest.raises(AccessDenied):
        confirm_list(user("xa.tanloi"), lst)
    confirm_list(user("xa.vinhmy"), lst)
    with pytest.raises(AccessDenied, match="không có quyền phê duyệt"):
        approve_list(user("pld.chaudoc"), lst)  # not an approver (and the preparer)
    with pytest.raises(AccessDenied):
        approve_list(user("pld.tinhbien.duyet"), lst)  # another district
    approve_list(approver, lst)
    assert (lst.status, lst.approved_by_id) == ("approved", approver.id)
    with pytest.raises(StateError):
        confirm_list(user("xa.vinhmy"), lst)


def test_two_approvers_at_once_give_exactly_one_approval(people):
    lst = _lists(build_lists(user("pld.chaudoc"), AUG))["account"]
    confirm_list(user("xa.vinhmy"), lst)
    first = user("pld.chaudoc.duyet")
    second = User(username="pld.chaudoc.duyet2", full_name="Mai Văn Hai", organization_id=first.organization_id,
                  is_approver=True, password_hash="x")
    db.session.add(second)
    db.session.commit()
    lst_id, version = lst.id, lst.version
    # approver 1 commits from another connection while approver 2 still holds the list as 'confirmed'
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE payout_list SET status='approved', approved_by_id=:u, version=version+1 "
                          "WHERE id=:i AND status='confirmed' AND version=:v"),
                     {"u": first.id, "i": lst_id, "v": version})
    assert lst.status == "confirmed"  # stale in this session
    with pytest.raises(StateError, match="người khác phê duyệt"):
        approve_list(second, lst)
    db.session.rollback()
    row = db.session.get(PayoutList, lst_id)
    assert (row.status, row.approved_by_id) == ("approved", first.id)


def test_approved_list_is_frozen(people):
    lists = run_to_accepted()
    acc = lists["account"]
    line_ids = [line.id for line in acc.lines]
    with pytest.raises(StateError, match="đã phê duyệt"):
        rebuild_list(user("pld.chaudoc"), acc)
    # a person who now qualifies for the frozen account list is reported, not added
    newcomer = make_beneficiary("Lý Văn Mới", birth_date=date(1940, 4, 4), payment_channel="bank_account")
    from tests.factories import make_account
    make_account(newcomer, "5500112233")
    result = build_lists(user("pld.chaudoc"), AUG)
    assert acc.id not in {lst.id for lst in result.lists} and acc in result.skipped
    assert [lst.id for lst in db.session.get(PayoutList, acc.id).lines] == line_ids
    assert acc.people_count == 2 and acc.total_amount == 1_500_000
    assert [(b.full_name, "danh sách bổ sung" in r) for b, r in result.exclusions if b.id == newcomer.id] == [
        ("Lý Văn Mới", True)]
    line = acc.lines[0]
    line.total = 1
    with pytest.raises(StateError, match="không thể thay đổi số tiền"):
        db.session.flush()
    db.session.rollback()


def test_second_line_for_the_same_person_and_month_is_refused_by_the_database(people):
    lst = _lists(build_lists(user("pld.chaudoc"), AUG))["cash_at_point"]
    src = lst.lines[0]
    dup = PayoutLine(payout_list_id=_lists(build_lists(user("pld.chaudoc"), AUG))["account"].id,
                     beneficiary_id=src.beneficiary_id, month=AUG, position=9, full_name=src.full_name,
                     name_sort=src.name_sort, birth_display="2018", gender="male", national_id=src.national_id,
                     category_code="K1", coefficient=1.5, standard_level=500_000, regular_amount=750_000, total=750_000)
    db.session.add(dup)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_post_office_records_results_one_by_one(people):
    lists = run_to_accepted()
    post = user("buudien.chaudoc")
    acc = lists["account"]
    with pytest.raises(AccessDenied):
        record_result(user("buudien.tinhbien"), acc.lines[0], "paid", paid_on=date(2024, 8, 5))
    with pytest.raises(ValidationError, match="cần ghi lý do"):
        record_result(post, acc.lines[1], "failed", reason="  ")
    record_result(post, acc.lines[0], "paid", paid_on=date(2024, 8, 5))
    assert acc.status == "accepted"
    record_result(post, acc.lines[1], "failed", reason="Tài khoản bị phong toả")
    assert acc.status == "reported"
    t = totals(acc)
    assert (t.people, t.amount, t.paid_count, t.paid_amount, t.failed_count, t.failed_amount, t.pending_count) == (
        2, 1_500_000, 1, 1_000_000, 1, 500_000, 0)
    db.session.commit()


def test_results_need_an_approved_list(people):
    lst = _lists(build_lists(user("pld.chaudoc"), AUG))["account"]
    with pytest.raises((AccessDenied, StateError)):
        record_result(user("buudien.chaudoc"), lst.lines[0], "paid", paid_on=date(2024, 8, 5))


def _sheet_with(content: bytes, edits: dict[int, dict[int, object]]) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(content))
    ws = wb.active
    for row, cols in edits.items():
        for col, value in cols.items():
            ws.cell(row=row, column=col, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_payment_sheet_round_trip(people):
    lists = run_to_accepted()
    point = lists["cash_at_point"]
    sheet = payment_sheet(point)
    ws = openpyxl.load_workbook(io.BytesIO(sheet)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[4] == ("STT", "Họ và tên", "Tên không dấu", "Số định danh", "Số tài khoản", "Ngân hàng", "Số tiền",
                       "Nội dung chuyển khoản", "Kết quả", "Lý do", "Ngày chi")
    assert rows[5][:8] == (1, "Huỳnh Minh Khải", "HUYNH MINH KHAI", people["khai"].national_id, None, None, 750_000,
                           "TCXH T08 2024 HUYNH MINH KHAI")
    assert ws.cell(row=6, column=4).data_type == "s"
    acc_sheet = openpyxl.load_workbook(io.BytesIO(payment_sheet(lists["account"]))).active
    acc_rows = list(acc_sheet.iter_rows(values_only=True))
    assert acc_rows[5][3:7] == (people["vu"].national_id, "1164963643329", "Agribank", 1_000_000)

    post = user("buudien.chaudoc")
    bad = _sheet_with(sheet, {6: {7: 700_000, 9: "Đã chi", 11: "05/08/2024"}, 7: {9: "Không chi được"}})
    out = results_upload(post, point, "ket-qua.xlsx", bad)
    assert out.errors == [
        "Dòng 6: Số tiền (700.000) khác số tiền trong danh sách (750.000 đồng) của Huỳnh Minh Khải.",
        "Dòng 7: Không chi được: cần ghi lý do."]
    assert totals(point).pending_count == 2 and point.status == "accepted"  # nothing half-recorded

    good = _sheet_with(sheet, {6: {9: "Đã chi", 11: "05/08/2024"},
                               7: {9: "Không chi được", 10: "Đi vắng, không liên lạc được"}})
    out = results_upload(post, point, "ket-qua.xlsx", good)
    assert (out.paid, out.failed, out.errors) == (1, 1, [])
    db.session.commit()
    t = totals(point)
    assert (t.paid_count, t.paid_amount, t.failed_count, t.failed_amount, t.pending_count) == (
        1, 750_000, 1, 500_000, 0)
    assert point.status == "reported"
    assert [(line.result, line.paid_on, line.result_reason) for line in point.lines] == [
        ("paid", date(2024, 8, 5), None), ("failed", None, "Đi vắng, không liên lạc được")]
    again = results_upload(post, point, "ket-qua.xlsx", payment_sheet(point))  # the sheet now carries the results
    assert (again.paid, again.failed, again.unchanged, again.errors) == (0, 0, 2, [])


def test_vinh_my_sample_cycle_for_08_2024(app):
    """The shared Vĩnh Mỹ file (340 people) and the Agribank file (40 accounts) through the whole cycle."""
    from portal.models import Beneficiary
    from portal.services.accounts.bank_import import import_bank_file
    from portal.services.entitlement.rates import RateBook
    from portal.services.imports.beneficiaries import import_file
    from tests.conftest import AGRIBANK_FILE, VINH_MY_FILE

    assert import_file(user("xa.vinhmy"), "30322", VINH_MY_FILE).imported == 340
    assert import_bank_file(user("agribank.chaudoc"), AGRIBANK_FILE)["recorded"] == 40
    db.session.commit()
    result = build_lists(user("pld.chaudoc"), AUG)
    figures = {lst.channel: (lst.people_count, lst.total_amount) for lst in result.lists}
    assert figures == {"account": (144, 104_250_000), "cash_at_point": (164, 114_250_000),
                       "cash_at_home": (32, 21_500_000)}
    assert result.exclusions == []
    book = RateBook.load()
    people = db.session.execute(select(Beneficiary).where(Beneficiary.commune_code == "30322")).scalars().all()
    assert sum(book.amount_for(b, AUG).amount for b in people) == 240_000_000 == sum(t for _, t in figures.values())
    lines = {line.full_name: line for lst in result.lists for line in lst.lines}
    assert (lines["Bùi Ngọc Vũ"].total, lines["Bùi Ngọc Vũ"].payout_list.channel) == (1_000_000, "account")
    assert lines["Bùi Ngọc Vũ"].account_number == "1164963643329"
    assert (lines["Trương Văn Phúc"].total, lines["Huỳnh Minh Khải"].total) == (500_000, 750_000)
    vm = _lists(result)
    for lst in vm.values():
        assert [line.position for line in lst.lines] == list(range(1, lst.people_count + 1))
        assert [line.name_sort for line in lst.lines] == sorted(line.name_sort for line in lst.lines)
        confirm_list(user("xa.vinhmy"), lst)
        approve_list(user("pld.chaudoc.duyet"), lst)
        lst.approved_at = datetime(2024, 8, 1, 1, 0, tzinfo=UTC)  # approved 01/08/2024, paid from 03/08
    db.session.commit()
    home = vm["cash_at_home"]
    accept_list(user("buudien.chaudoc"), home)
    sheet = payment_sheet(home)
    edits = {6 + i: {9: "Đã chi", 11: "03/08/2024"} for i in range(32)}
    edits[8] = {9: "Không chi được", 10: "Đối tượng nằm viện"}
    edits[20] = {9: "Không chi được", 10: "Đi vắng"}
    out = results_upload(user("buudien.chaudoc"), home, "ket-qua.xlsx", _sheet_with(sheet, edits))
    assert (out.paid, out.failed, out.errors) == (30, 2, [])
    t = totals(home)
    failed = home.lines[2].total + home.lines[14].total
    assert (t.paid_count, t.failed_count, t.pending_count, t.failed_amount, t.paid_amount) == (
        30, 2, 0, failed, 21_500_000 - failed)
    assert home.status == "reported"


def test_a_draft_list_left_empty_by_a_rebuild_is_removed(people):
    home = _lists(build_lists(user("pld.chaudoc"), AUG))["cash_at_home"]
    home_id = home.id
    people["thoa"].status = "stopped"
    db.session.commit()
    again = _lists(build_lists(user("pld.chaudoc"), AUG))
    assert "cash_at_home" not in again and db.session.get(PayoutList, home_id) is None
    assert db.session.execute(select(AuditEvent.summary).where(
        AuditEvent.object_id == home_id, AuditEvent.action == "delete")).scalar_one() == (
        "Xoá danh sách rỗng tháng 08/2024 – Phường Vĩnh Mỹ – Tiền mặt tại nhà")


def test_two_confirmations_at_once_record_one(people):
    lst = _lists(build_lists(user("pld.chaudoc"), AUG))["account"]
    db.session.commit()
    lst_id, version = lst.id, lst.version
    clerk = user("xa.vinhmy")
    # the first click commits from another connection while the second still holds the list as 'draft'
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE payout_list SET status='confirmed', confirmed_by_id=:u, version=version+1 "
                          "WHERE id=:i AND status='draft' AND version=:v"), {"u": clerk.id, "i": lst_id, "v": version})
    assert lst.status == "draft"  # stale in this session
    with pytest.raises(StateError, match="vừa được xác nhận hoặc lập lại bởi người khác"):
        confirm_list(clerk, lst)
    db.session.rollback()
    assert db.session.execute(select(AuditEvent).where(
        AuditEvent.object_type == "payout_list", AuditEvent.object_id == lst_id,
        AuditEvent.action == "confirm")).first() is None
    assert db.session.get(PayoutList, lst_id).status == "confirmed"


def test_confirming_a_list_rebuilt_meanwhile_is_refused(people):
    lst = _lists(build_lists(user("pld.chaudoc"), AUG))["account"]
    db.session.commit()
    with db.engine.begin() as conn:  # the district rebuilt it after the commune opened the page
        conn.execute(text("UPDATE payout_list SET version=version+1 WHERE id=:i"), {"i": lst.id})
    with pytest.raises(StateError):
        confirm_list(user("xa.vinhmy"), lst)
    db.session.rollback()


def test_paid_on_must_lie_between_approval_and_today(people):
    from datetime import timedelta

    from portal.clock import today_vn
    lists = run_to_accepted(approved_at=datetime(2024, 8, 2, 17, 30, tzinfo=UTC))  # 03/08 00:30 in VN
    post, line = user("buudien.chaudoc"), lists["account"].lines[0]
    with pytest.raises(ValidationError, match=r"Ngày chi \(02/08/2024\) không được trước ngày danh sách được phê "
                                              r"duyệt \(03/08/2024\)\."):
        record_result(post, line, "paid", paid_on=date(2024, 8, 2))
    with pytest.raises(ValidationError, match="không được sau ngày hôm nay"):
        record_result(post, line, "paid", paid_on=today_vn() + timedelta(days=1))
    assert line.result == "pending"
    record_result(post, line, "paid", paid_on=date(2024, 8, 3))
    assert (line.result, line.paid_on) == ("paid", date(2024, 8, 3))
    # the same rule for the uploaded sheet, with the row number
    point = lists["cash_at_point"]
    early = _sheet_with(payment_sheet(point), {6: {9: "Đã chi", 11: "01/07/2024"}})
    out = results_upload(post, point, "ket-qua.xlsx", early)
    assert out.errors == ["Dòng 6: Ngày chi (01/07/2024) không được trước ngày danh sách được phê duyệt (03/08/2024)."]


def test_the_sheet_of_another_list_is_refused_as_a_whole(people):
    lists = run_to_accepted()
    home, point = lists["cash_at_home"], lists["cash_at_point"]
    other = _sheet_with(payment_sheet(home), {6: {9: "Đã chi", 11: "05/08/2024"}})
    with pytest.raises(ValidationError) as err:
        results_upload(user("buudien.chaudoc"), point, "ket-qua.xlsx", other)
    assert str(err.value) == (f"Bảng kê này thuộc danh sách số {home.id}, không phải danh sách đang mở "
                              f"(số {point.id}).")
    assert totals(point).pending_count == 2 and totals(home).pending_count == 1


def test_awaiting_account_is_derived_in_one_query(people):
    from sqlalchemy import event

    from portal.services.payouts.lines import line_notes
    people["thoa"].guardian_name, people["thoa"].guardian_relationship = "Nguyễn Văn Hiếu", "con"
    vm = _lists(build_lists(user("pld.chaudoc"), AUG))
    statements = []

    def listen(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        point = line_notes(vm["cash_at_point"])
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    assert len(statements) == 1
    names = {line.id: line.full_name for line in vm["cash_at_point"].lines}
    assert {names[i]: n.awaiting_account for i, n in point.items()} == {
        "Huỳnh Minh Khải": True, "Trương Văn Phúc": False}
    account = line_notes(vm["account"])  # people on the account list chose an account and have one
    assert [n.awaiting_account for n in account.values()] == [False, False]
    assert [n.proxy_name for n in line_notes(vm["cash_at_home"]).values()] == ["Nguyễn Văn Hiếu (con)"]
