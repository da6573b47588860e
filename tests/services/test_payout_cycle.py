"""The payout cycle around the lists: completeness, state machine (return with reason, accept, settle, illegal
moves), supplementary lists, two approvers at once on PostgreSQL, unpaid amounts carried over, deadlines, fees."""
import io
import threading
from datetime import UTC, date, datetime

import openpyxl
import pytest
from sqlalchemy import delete, select

from portal.errors import AccessDenied, StateError, ValidationError
from portal.extensions import db
from portal.models import AuditEvent, FeeRule, PayoutLine, PayoutList, User
from portal.services.demo import user_by_username as user
from portal.services.payouts.build import build_lists
from portal.services.payouts.carry_over import unpaid_carry_over
from portal.services.payouts.cycle import build_supplement, completeness, control_totals, deadlines
from portal.services.payouts.fee_statements import fee_statement, fee_statement_xlsx
from portal.services.payouts.results import payment_sheet, record_result, results_upload
from portal.services.payouts.workflow import accept_list, approve_list, confirm_list, return_list, settle_list
from tests.conftest import ON_POSTGRES
from tests.factories import AUG, chau_doc_people, make_account, make_beneficiary, run_to_accepted

SEP = date(2024, 9, 1)


@pytest.fixture
def people(app):
    p = chau_doc_people()
    db.session.commit()
    return p


def _vm(result):
    return {lst.channel: lst for lst in result.lists if lst.commune_code == "30322"}


def test_completeness_names_a_person_deliberately_missing(people):
    build_lists(user("pld.chaudoc"), AUG)
    check = completeness(user("pld.chaudoc"), AUG)
    assert check.ok and (check.entitled, check.listed) == (7, 6)
    assert [(b.full_name, r) for b, r in check.excluded] == [
        ("Đặng Thị Lan", "Không có hệ số cho diện K1 ở tuổi 17 trong tháng 08/2024.")]
    # a line vanishes from a draft list (and someone is registered after the build): both are named as missing
    db.session.execute(delete(PayoutLine).where(PayoutLine.beneficiary_id == people["phuc"].id))
    make_beneficiary("Âu Văn An", birth_date=date(1936, 1, 2))
    check = completeness(user("pld.chaudoc"), AUG)
    assert not check.ok
    assert [b.full_name for b in check.missing] == ["Âu Văn An", "Trương Văn Phúc"]
    assert (check.entitled, check.listed) == (8, 5)
    # a person stopped after the build is reported as listed but no longer entitled
    people["vu"].status = "stopped"
    assert [item.full_name for item in completeness(user("pld.chaudoc"), AUG).not_entitled] == ["Bùi Ngọc Vũ"]
    # the province sees Tân Lợi too, where nobody is listed yet
    assert "Chau Sóc Lợi" in [b.full_name for b in completeness(user("so.angiang"), AUG).missing]


def test_control_totals_are_summed_from_lines_and_checked(people):
    db.session.execute(delete(FeeRule))  # the demo seed has the province's rule: start without one
    acc = _vm(build_lists(user("pld.chaudoc"), AUG))["account"]
    t = control_totals(acc)
    assert (t.people, t.amounts["regular"], t.amounts["back_pay"], t.amounts["total"], t.mismatches) == (
        2, 1_500_000, 0, 1_500_000, [])
    assert t.fee is None  # no contract or fee rule yet: pending
    db.session.add(FeeRule(valid_from=date(2024, 1, 1), per_beneficiary=5_000, basis_points=0,
                           legal_basis="Kế hoạch 2587/KH-SLĐTBXH"))
    acc.total_amount = 1_400_000
    t = control_totals(acc)
    assert t.fee == 10_000
    assert t.mismatches == ["Tổng cộng: danh sách ghi 1.400.000 đ, các dòng cộng lại 1.500.000 đ."]


def test_illegal_transitions_are_refused_in_vietnamese(people):
    lst = _vm(build_lists(user("pld.chaudoc"), AUG))["account"]
    post, approver, clerk = user("buudien.chaudoc"), user("pld.chaudoc.duyet"), user("xa.vinhmy")
    with pytest.raises(StateError, match="chỉ nhận được danh sách đã phê duyệt"):
        accept_list(post, lst)
    with pytest.raises(StateError, match="chỉ quyết toán được khi bưu điện đã báo cáo"):
        settle_list(approver, lst)
    confirm_list(clerk, lst)
    with pytest.raises(StateError, match="chỉ xác nhận được bản dự thảo"):
        confirm_list(clerk, lst)
    approve_list(approver, lst)
    with pytest.raises(StateError, match="không phê duyệt lại được"):
        approve_list(approver, lst)
    lst.approved_at = datetime(2024, 8, 1, 1, 0, tzinfo=UTC)
    accept_list(post, lst)
    assert (lst.status, lst.accepted_by_id) == ("accepted", post.id)
    with pytest.raises(StateError, match="«Bưu điện đã nhận», không trả lại được"):
        return_list(post, lst, "Sai số tài khoản")
    with pytest.raises(StateError, match="chỉ quyết toán được"):
        settle_list(approver, lst)
    with pytest.raises(AccessDenied):
        settle_list(user("pld.tinhbien.duyet"), lst)
    record_result(post, lst.lines[0], "paid", paid_on=date(2024, 8, 5))
    record_result(post, lst.lines[1], "failed", reason="Tài khoản bị phong toả")
    assert lst.status == "reported" and lst.accepted_by_id == post.id and lst.reported_at is not None
    with pytest.raises(AccessDenied):
        settle_list(post, lst)
    settle_list(approver, lst)
    assert (lst.status, lst.settled_by_id) == ("settled", approver.id)
    with pytest.raises(StateError, match="không ghi kết quả được"):
        record_result(post, lst.lines[1], "paid", paid_on=date(2024, 8, 6))
    with pytest.raises(StateError, match="«Đã quyết toán»"):
        settle_list(approver, lst)
    actions = db.session.execute(select(AuditEvent.action).where(
        AuditEvent.object_type == "payout_list", AuditEvent.object_id == lst.id).order_by(AuditEvent.id)).scalars()
    assert [a for a in actions if a in ("confirm", "approve", "accept", "settle")] == [
        "confirm", "approve", "accept", "settle"]


def test_return_with_reason_at_each_step(people):
    vm = _vm(build_lists(user("pld.chaudoc"), AUG))
    acc, point, home = vm["account"], vm["cash_at_point"], vm["cash_at_home"]
    clerk, approver, post = user("xa.vinhmy"), user("pld.chaudoc.duyet"), user("buudien.chaudoc")
    with pytest.raises(ValidationError, match="Cần ghi lý do"):
        return_list(clerk, acc, "  ")
    with pytest.raises(AccessDenied):
        return_list(user("xa.tanloi"), acc, "Không phải xã tôi")
    with pytest.raises(AccessDenied):
        return_list(approver, acc, "Chưa đến lượt phòng")  # a draft is the commune's to return
    return_list(clerk, acc, "Sai   tên người hưởng STT 2")
    assert (acc.status, acc.return_reason, acc.returned_from, acc.returned_by_id) == (
        "returned", "Sai tên người hưởng STT 2", "draft", clerk.id)
    with pytest.raises(StateError, match="chỉ xác nhận được bản dự thảo"):
        confirm_list(clerk, acc)
    # the approver returns a confirmed list; the post office an approved one before accepting it
    confirm_list(clerk, point)
    with pytest.raises(AccessDenied):
        return_list(user("pld.chaudoc"), point, "Không phải người phê duyệt")
    return_list(approver, point, "Thiếu người mới hưởng từ tháng 8")
    assert (point.status, point.confirmed_by_id, point.returned_from) == ("returned", None, "confirmed")
    confirm_list(clerk, home)
    approve_list(approver, home)
    return_list(post, home, "Địa chỉ chi trả tại nhà không rõ")
    assert (home.status, home.approved_by_id, home.returned_from) == ("returned", None, "approved")
    summaries = db.session.execute(select(AuditEvent.summary).where(AuditEvent.action == "return")
                                   .order_by(AuditEvent.id)).scalars().all()
    assert summaries[-1] == ("Trả lại danh sách tháng 08/2024 – Phường Vĩnh Mỹ – Tiền mặt tại nhà để sửa. "
                             "Lý do: Địa chỉ chi trả tại nhà không rõ")
    # the district rebuilds: every returned list becomes a draft again with the same id
    again = _vm(build_lists(user("pld.chaudoc"), AUG))
    assert {c: (lst.id, lst.status) for c, lst in again.items()} == {
        "account": (acc.id, "draft"), "cash_at_point": (point.id, "draft"), "cash_at_home": (home.id, "draft")}


def test_supplementary_list_references_the_original(people):
    lists = run_to_accepted()
    acc = lists["account"]
    with pytest.raises(ValidationError, match="Không có ai cần bổ sung"):
        build_supplement(user("pld.chaudoc"), acc)
    newcomer = make_beneficiary("Lý Văn Mới", birth_date=date(1940, 4, 4), payment_channel="bank_account")
    make_account(newcomer, "5500112233")
    check = completeness(user("pld.chaudoc"), AUG)
    assert check.ok and any(b.id == newcomer.id and "bổ sung" in r for b, r in check.excluded)
    sup = build_supplement(user("pld.chaudoc"), acc)
    assert (sup.supplement_of_id, sup.sequence, sup.status, sup.channel, sup.month) == (acc.id, 1, "draft",
                                                                                         "account", AUG)
    assert [(line.position, line.full_name, line.total, line.account_number) for line in sup.lines] == [
        (1, "Lý Văn Mới", 500_000, "5500112233")]
    assert (sup.people_count, sup.total_amount) == (1, 500_000)
    assert (acc.people_count, acc.total_amount, len(acc.lines)) == (2, 1_500_000, 2)  # the original is untouched
    again = build_supplement(user("pld.chaudoc"), acc)  # refilled, not a second supplement
    assert again.id == sup.id and again.people_count == 1
    rebuilt = _vm(build_lists(user("pld.chaudoc"), AUG))  # the month's build leaves supplements alone
    assert sup.id not in {item.id for item in rebuilt.values()}
    assert db.session.get(PayoutList, sup.id).people_count == 1
    assert completeness(user("pld.chaudoc"), AUG).ok
    with pytest.raises(StateError, match="chưa phê duyệt"):
        build_supplement(user("pld.chaudoc"), _vm(build_lists(user("pld.chaudoc"), SEP))["account"])
    # the supplement follows the same cycle
    confirm_list(user("xa.vinhmy"), sup)
    approve_list(user("pld.chaudoc.duyet"), sup)
    assert sup.status == "approved"
    newest = make_beneficiary("Lý Thị Sau", birth_date=date(1939, 4, 4), payment_channel="bank_account")
    make_account(newest, "5500112299")
    second = build_supplement(user("pld.chaudoc"), sup)  # a supplement of a supplement refers to the main list
    assert (second.supplement_of_id, second.sequence) == (acc.id, 2)


def _report(lst, failed: dict[int, str], paid_on=date(2024, 8, 5)):
    post = user("buudien.chaudoc")
    for line in lst.lines:
        if line.beneficiary_id in failed:
            record_result(post, line, "failed", reason=failed[line.beneficiary_id])
        else:
            record_result(post, line, "paid", paid_on=paid_on)


def test_unpaid_amounts_are_carried_to_the_next_month_once(people):
    lists = run_to_accepted()
    assert unpaid_carry_over(["30322"], SEP) == {}
    _report(lists["account"], {people["yen"].id: "Tài khoản bị phong toả"})
    _report(lists["cash_at_home"], {people["thoa"].id: "Đối tượng nằm viện"})
    _report(lists["cash_at_point"], {})
    db.session.commit()
    carry = unpaid_carry_over(["30322"], SEP)
    assert carry == {people["yen"].id: [(AUG, 500_000)], people["thoa"].id: [(AUG, 1_000_000)]}
    assert unpaid_carry_over(["30325"], SEP) == {} and unpaid_carry_over(None, SEP) == carry
    assert unpaid_carry_over(["30322"], AUG) == {}  # never into the month itself or earlier
    # September's build took it (built after the failure was recorded): rebuilding September still gets it,
    # October does not get it a second time
    sep = _vm(build_lists(user("pld.chaudoc"), SEP))
    db.session.commit()
    assert unpaid_carry_over(["30322"], SEP) == carry
    assert unpaid_carry_over(["30322"], date(2024, 10, 1)) == {}
    assert sep["account"].id != lists["account"].id


@pytest.mark.skipif(not ON_POSTGRES, reason="row locks of two connections need PostgreSQL")
def test_two_approvers_in_two_threads_give_exactly_one_approval(people, app):
    lst = _vm(build_lists(user("pld.chaudoc"), AUG))["account"]
    confirm_list(user("xa.vinhmy"), lst)
    first = user("pld.chaudoc.duyet")
    db.session.add(User(username="pld.chaudoc.duyet2", full_name="Mai Văn Hai", organization_id=first.organization_id,
                        is_approver=True, password_hash="x"))
    db.session.commit()
    lst_id = lst.id
    barrier, outcomes = threading.Barrier(2), {}

    def approve(username):
        with app.app_context():
            try:
                actor, row = user(username), db.session.get(PayoutList, lst_id)
                assert row.status == "confirmed"
                barrier.wait(timeout=10)
                approve_list(actor, row)
                db.session.commit()
                outcomes[username] = "ok"
            except StateError as err:
                db.session.rollback()
                outcomes[username] = str(err)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve, args=(u,)) for u in ("pld.chaudoc.duyet", "pld.chaudoc.duyet2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes.values()) == [
        "Danh sách vừa được người khác phê duyệt hoặc thay đổi. Hãy tải lại trang.", "ok"]
    db.session.expire_all()
    row = db.session.get(PayoutList, lst_id)
    winner = next(u for u, o in outcomes.items() if o == "ok")
    assert (row.status, row.approved_by_id) == ("approved", user(winner).id)
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "approve",
                                                       AuditEvent.object_id == lst_id)).scalars().all().__len__() == 1


def test_results_upload_reports_bad_rows_and_records_nothing(people):
    point = run_to_accepted()["cash_at_point"]
    wb = openpyxl.load_workbook(io.BytesIO(payment_sheet(point)))
    ws = wb.active
    ws.cell(row=6, column=9, value="Đã trả")                     # unknown result word
    ws.cell(row=7, column=4, value="089999999999")               # not on this list
    ws.insert_rows(8)
    for col, value in enumerate(["3", "Trùng", "", people["khai"].national_id, "", "", 750_000, "", "Đã chi", "",
                                 "40/08/2024"], start=1):
        ws.cell(row=8, column=col, value=value)                  # duplicated ID (and a bad date)
    buf = io.BytesIO()
    wb.save(buf)
    out = results_upload(user("buudien.chaudoc"), point, "ket-qua.xlsx", buf.getvalue())
    assert out.errors[0] == "Dòng 6: Kết quả «Đã trả» không hợp lệ (ghi «Đã chi» hoặc «Không chi được»)."
    assert out.errors[1] == "Dòng 7: số định danh 089999999999 không có trong danh sách này."
    assert out.errors[2].startswith("Dòng 8: ") and len(out.errors) == 3
    assert (out.paid, out.failed) == (0, 0)
    assert {line.result for line in point.lines} == {"pending"} and point.status == "accepted"


def test_deadlines_of_decree_20_article_34():
    d = deadlines(date(2024, 8, 1))
    assert (d.transfer_before, d.report_before) == (date(2024, 7, 25), date(2024, 8, 20))
    assert deadlines(date(2025, 1, 1)).transfer_before == date(2024, 12, 25)
    assert d.transfer_text() == ("Chuyển kinh phí và danh sách cho tổ chức dịch vụ chi trả trước ngày 25/07/2024 "
                                 "(Nghị định 20/2021/NĐ-CP, Điều 34 khoản 4).")
    lst = PayoutList(status="confirmed", month=date(2024, 8, 1))
    assert d.late(lst, date(2024, 7, 24)) == []
    assert d.late(lst, date(2024, 7, 25)) == ["Quá hạn chuyển danh sách (trước ngày 25/07/2024)."]
    lst.status = "accepted"
    assert d.late(lst, date(2024, 8, 21)) == ["Quá hạn báo cáo kết quả chi trả (trước ngày 20/08/2024)."]


def test_fee_statement_counts_people_paid(people):
    lists = run_to_accepted()
    post = user("buudien.chaudoc").organization
    db.session.execute(delete(FeeRule))  # the demo seed has the province's rule: start without one
    st = fee_statement(post, AUG)
    assert [(r.commune_name, r.people, r.fee) for r in st.rows] == [
        ("Phường Vĩnh Mỹ", 2, None), ("Phường Vĩnh Mỹ", 1, None), ("Phường Vĩnh Mỹ", 2, None)]
    assert st.fee_total is None
    db.session.add(FeeRule(valid_from=date(2024, 1, 1), per_beneficiary=5_000, basis_points=0,
                           legal_basis="Kế hoạch 2587/KH-SLĐTBXH mục II.3b"))
    _report(lists["account"], {people["yen"].id: "Tài khoản bị phong toả"})
    st = fee_statement(post, AUG)
    assert [(r.channel_label, r.base_people, r.paid_amount, r.fee) for r in st.rows] == [
        ("Chuyển khoản", 1, 1_000_000, 5_000), ("Tiền mặt tại nhà", 0, 0, 0),
        ("Tiền mặt tại điểm chi trả", 0, 0, 0)]  # charged on people paid only, whatever the channel
    assert (st.people, st.paid_people, st.fee_total, st.provisional) == (5, 1, 5_000, True)
    rows = list(openpyxl.load_workbook(io.BytesIO(fee_statement_xlsx(st))).active.iter_rows(values_only=True))
    assert rows[0][0] == "BẢNG TÍNH CHI PHÍ CHI TRẢ TRỢ CẤP XÃ HỘI - THÁNG 08/2024 (TẠM TÍNH)"
    assert rows[-1][1] == "Tổng cộng" and rows[-1][9] == 5_000
    assert fee_statement(user("buudien.tinhbien").organization, AUG).rows == []


def test_completeness_counts_a_person_held_after_three_unpaid_months_as_excluded(app):
    from portal.services.payouts.exclusions import HELD_UNPAID
    b = make_beneficiary("Lê Văn Vắng", birth_date=date(1970, 2, 2), category_code="K8", start_month=date(2024, 5, 1))
    db.session.commit()
    for m in (5, 6, 7):
        build_lists(user("pld.chaudoc"), date(2024, m, 1), ["30322"])
        db.session.execute(select(PayoutLine).where(
            PayoutLine.beneficiary_id == b.id, PayoutLine.month == date(2024, m, 1))).scalar_one().result = "failed"
    db.session.commit()
    assert build_lists(user("pld.chaudoc"), AUG, ["30322"]).suspensions == [b]
    check = completeness(user("pld.chaudoc"), AUG)
    assert check.ok and b not in check.missing
    assert [(x.full_name, r) for x, r in check.excluded] == [("Lê Văn Vắng", "Tạm dừng do 3 tháng liên tục không nhận")]
    assert HELD_UNPAID == "Tạm dừng do 3 tháng liên tục không nhận"


def _record_death(b, died_on):
    """A death reported by the commune and accepted by the district (the real flow: draft → submit → accept)."""
    from portal.services.registry.events import create_event
    from portal.services.registry.submissions import accept, submit
    ev = create_event(user("xa.vinhmy"), b, "death", effective_month=None, report_month=AUG, event_date=died_on)
    submit(user("xa.vinhmy"), ev.submission)
    accept(user("pld.chaudoc"), ev.submission)
    db.session.commit()
    return ev


def test_a_death_in_mid_month_counts_as_entitled_that_month_and_not_the_next(people):
    from portal.services.reporting.monthly_report import build_report
    from portal.services.reporting.overview import province_overview
    build_lists(user("pld.chaudoc"), AUG)
    ev = _record_death(people["vu"], date(2024, 8, 14))
    assert (ev.effective_month, people["vu"].status) == (SEP, "stopped")
    check = completeness(user("pld.chaudoc"), AUG)
    assert (check.entitled, check.listed, check.not_entitled) == (7, 6, [])  # Vũ is rightly on the 08/2024 list
    sep = completeness(user("pld.chaudoc"), SEP)
    assert sep.entitled == 7 - 1 + 1  # Vũ gone, Phan Văn Mới starts 09/2024
    assert "Bùi Ngọc Vũ" not in [b.full_name for b in sep.missing]
    aug_rep, sep_rep = build_report(user("pld.chaudoc"), AUG), build_report(user("pld.chaudoc"), SEP)
    # 08/2024: people receiving payment, from the month's lines (Đặng Thị Lan, K1 at 17, is on no line);
    # 09/2024 has no list yet: the register as it stands for that month
    assert (aug_rep.registered, sep_rep.registered) == (6, 7)
    k6 = lambda rep: dict((c, n) for c, _, n in rep.by_category)["K6"]  # noqa: E731
    assert (k6(aug_rep), k6(sep_rep)) == (2, 1)
    vm = lambda ov: next(c for d in ov.districts for c in d.communes if c.code == "30322")  # noqa: E731
    assert (vm(province_overview(AUG)).beneficiaries, vm(province_overview(SEP)).beneficiaries) == (7, 6)


def test_fee_statement_charges_people_paid_and_cites_the_issued_contract(people):
    from portal.models import IssuedDocument, ServiceContract
    from portal.services.payouts.fee_statements import FEE_RULE
    lists = run_to_accepted()
    post = user("buudien.chaudoc").organization
    assert "(chưa có hợp đồng)" in fee_statement(post, AUG).basis  # the province's rule, no contract yet
    _report(lists["account"], {people["yen"].id: "Tài khoản bị phong toả"})  # 1 paid, 1 failed
    record_result(user("buudien.chaudoc"), lists["cash_at_home"].lines[0], "paid", paid_on=date(2024, 8, 6))
    pld = user("pld.chaudoc")
    doc = IssuedDocument(organization_id=pld.organization_id, kind="service_contract", year=2024, series="HĐ",
                         number=1, symbol="HĐ-LĐTBXH", title="Hợp đồng dịch vụ chi trả", issued_on=date(2024, 1, 15),
                         filename="hd.pdf", content=b"%PDF", sha256="0" * 64, verify_token="t" * 43)
    db.session.add(doc)
    db.session.flush()
    db.session.add(ServiceContract(district_org_id=pld.organization_id, post_office_id=post.id, status="issued",
                                   commune_codes=[], fee_per_person=5_000, estimated_people=100,
                                   estimated_value=6_000_000, valid_from=date(2024, 1, 1), valid_to=date(2024, 12, 1),
                                   party_a_signer="A", party_a_title="Trưởng phòng", party_b_signer="B",
                                   party_b_title="Giám đốc", document_id=doc.id, created_by_id=pld.id))
    db.session.flush()
    st = fee_statement(post, AUG)
    assert [(r.channel_label, r.people, r.paid_people, r.failed_people, r.pending_people, r.base_people, r.fee)
            for r in st.rows] == [("Chuyển khoản", 2, 1, 1, 0, 1, 5_000), ("Tiền mặt tại nhà", 1, 1, 0, 0, 1, 5_000),
                                  ("Tiền mặt tại điểm chi trả", 2, 0, 0, 2, 0, 0)]
    assert (st.people, st.paid_people, st.pending_people, st.fee_total, st.provisional) == (5, 2, 2, 10_000, True)
    assert st.basis == "Hợp đồng dịch vụ chi trả số 01/HĐ-LĐTBXH ngày 15/01/2024: 5.000 đ/người/tháng"
    rows = list(openpyxl.load_workbook(io.BytesIO(fee_statement_xlsx(st))).active.iter_rows(values_only=True))
    assert rows[0][0] == "BẢNG TÍNH CHI PHÍ CHI TRẢ TRỢ CẤP XÃ HỘI - THÁNG 08/2024 (TẠM TÍNH)"
    assert rows[2][0] == FEE_RULE
    _report(lists["cash_at_point"], {})
    st = fee_statement(post, AUG)
    assert (st.paid_people, st.pending_people, st.fee_total, st.provisional) == (4, 0, 20_000, False)
