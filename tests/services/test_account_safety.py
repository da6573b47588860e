"""Bank and account rules: bank coverage (requested → approved → withdrawn), account details (kind, waivers, proxy
holder), safety flags (shared number, holder name, stopped person, outside coverage) that stop payment until the
district clears them, commune disputes, the failed-transfer path back to the bank's queue, and the funnel figures."""
import io
from datetime import date, datetime

import openpyxl
import pytest
from sqlalchemy import select

from portal.clock import VN_TZ
from portal.errors import AccessDenied, StateError, ValidationError
from portal.extensions import db
from portal.models import AuditEvent, Authorization, BankCoverage, PayoutLine
from portal.services.accounts import (
    bank_import,
    coverage,
    funnel,
    payout_points,
)
from portal.services.accounts import (
    flags as account_flags,
)
from portal.services.accounts import (
    opening as accounts,
)
from portal.services.demo import user_by_username as user
from portal.services.imports import beneficiaries as imports
from portal.services.payouts.build import build_lists
from portal.services.payouts.results import record_result
from tests.conftest import VINH_MY_FILE
from tests.factories import AUG, chau_doc_people, make_account, make_beneficiary, run_to_accepted
from tests.services.test_accounts import altered_sample, person

SEP = date(2024, 9, 1)


@pytest.fixture
def people(app):
    p = chau_doc_people()
    db.session.commit()
    return p


def channel_of(month, person) -> str | None:
    line = db.session.execute(select(PayoutLine).where(PayoutLine.beneficiary_id == person.id,
                                                       PayoutLine.month == month)).scalars().first()
    return line.payout_list.channel if line else None


def test_coverage_request_approve_withdraw(people):
    bank, province = user("agribank.chaudoc"), user("so.angiang")
    # demo coverage is approved: the branch sees Vĩnh Mỹ's account choosers
    assert people["khai"] in list(db.session.execute(accounts.pending_accounts(bank)).scalars())
    row = coverage.decide_coverage(province, bank.organization_id, "30322", "withdraw", "Chuyển cho chi nhánh khác")
    assert row.status == "withdrawn"
    assert list(db.session.execute(accounts.pending_accounts(bank)).scalars()) == []
    with pytest.raises(AccessDenied):
        accounts.mark_opened(bank, people["khai"], "123456789", date(2024, 8, 2))
    row = coverage.request_coverage(bank, "30322", "Xin phụ trách lại")
    assert row.status == "requested" and not accounts.is_visible(bank, people["khai"])
    assert [(r.bank_id, r.commune_code) for r in coverage.pending_requests()] == [(bank.organization_id, "30322")]
    with pytest.raises(StateError):
        coverage.request_coverage(bank, "30322")
    with pytest.raises(ValidationError):
        coverage.request_coverage(bank, "30535")  # a Tịnh Biên commune: not the branch's district
    with pytest.raises(AccessDenied):
        coverage.decide_coverage(bank, bank.organization_id, "30322", "approve")
    coverage.decide_coverage(province, bank.organization_id, "30322", "approve")
    assert accounts.is_visible(bank, people["khai"])
    assert db.session.get(BankCoverage, (bank.organization_id, "30322")).decided_by_id == province.id


def test_account_details_and_waivers(people):
    bank = user("agribank.chaudoc")
    acc = accounts.mark_opened(bank, people["khai"], "0012345678", date(2024, 8, 2), kind="bank_account",
                               card_issued=True, waivers=["waive_account_fee", "waive_own_atm"])
    assert (acc.account_number, acc.kind, acc.card_issued, acc.flags) == ("0012345678", "bank_account", True, "")
    assert acc.waivers == ["Miễn phí quản lý tài khoản", "Miễn phí rút tiền tại ATM của ngân hàng"]
    assert acc.provider.bin == "970405" and accounts.payable_account(people["khai"]) is acc
    with pytest.raises(ValidationError, match="không phải «Ví điện tử»"):
        accounts.mark_opened(bank, people["vu"], "0012345679", date(2024, 8, 2), kind="e_wallet")
    with pytest.raises(ValidationError, match="Ưu đãi không hợp lệ"):
        accounts.mark_opened(bank, people["vu"], "0012345679", date(2024, 8, 2), waivers=["free_lunch"])
    rows = funnel.waiver_summary()
    assert [(r.code, r.accounts, r.cards, r.waivers["waive_account_fee"], r.waivers["waive_otp_sms"])
            for r in rows] == [("VBA", 1, 1, 1, 0)]


def test_proxy_holder_needs_a_valid_authorization(people):
    bank, khai = user("agribank.chaudoc"), people["khai"]
    with pytest.raises(ValidationError, match="Chưa có giấy ủy quyền"):
        accounts.mark_opened(bank, khai, "123456789", date(2024, 8, 2), "proxy", "HUYNH THI MEN")
    auth = Authorization(beneficiary_id=khai.id, proxy_name="Huỳnh Thị Mến", proxy_national_id="089180000001",
                         proxy_relationship="Mẹ", scope_open_account=True, valid_from=date(2024, 1, 1),
                         certified_on=date(2024, 1, 2))
    db.session.add(auth)
    db.session.flush()
    with pytest.raises(ValidationError, match="không khớp với tên người được ủy quyền"):
        accounts.mark_opened(bank, khai, "123456789", date(2024, 8, 2), "proxy", "TRAN VAN KHAC")
    acc = accounts.mark_opened(bank, khai, "123456789", date(2024, 8, 2), "proxy", "HUYNH THI MEN")
    assert (acc.holder_kind, acc.authorization_id, acc.holder_national_id, acc.flags) == (
        "proxy", auth.id, "089180000001", "")
    auth.revoked_on = date(2024, 8, 1)  # a revoked authorization no longer lets anyone open an account
    assert accounts.proxy_authorizations(khai, date(2024, 8, 2)) == []


def test_shared_number_blocks_payment_until_the_district_clears_it(people):
    bank, district = user("agribank.chaudoc"), user("pld.chaudoc")
    acc = accounts.mark_opened(bank, people["khai"], "1164963643329", date(2024, 8, 2))  # vu's Agribank number
    assert acc.flag_set == ["duplicate_number"] and people["vu"].active_account.flag_set == ["duplicate_number"]
    assert "Bùi Ngọc Vũ" in acc.flag_details
    db.session.commit()
    build_lists(district, AUG)
    assert (channel_of(AUG, people["khai"]), channel_of(AUG, people["vu"])) == ("cash_at_point", "cash_at_point")
    with pytest.raises(ValidationError):
        account_flags.clear_flags(district, acc, "")
    with pytest.raises(AccessDenied):
        account_flags.clear_flags(bank, acc, "Đã kiểm tra")
    account_flags.clear_flags(district, people["vu"].active_account, "Đã đối chiếu với ngân hàng: đúng chủ TK")
    with pytest.raises(StateError):
        account_flags.clear_flags(district, people["vu"].active_account, "lần nữa")
    db.session.commit()
    build_lists(district, AUG)
    assert (channel_of(AUG, people["khai"]), channel_of(AUG, people["vu"])) == ("cash_at_point", "account")
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "account_flags_cleared")).scalar_one()


def test_same_guardian_may_hold_two_accounts_numbers(people):
    bank = user("agribank.chaudoc")
    kids = [make_beneficiary(n, birth_date=date(2016, 1, 1), category_code="K1", payment_channel="bank_account")
            for n in ("Lê Văn Một", "Lê Thị Hai")]
    for kid in kids:
        kid.guardian_name, kid.guardian_national_id = "Lê Thị Mẹ", "089190000009"
    other = make_beneficiary("Lê Văn Ba", birth_date=date(2016, 1, 1), category_code="K1",
                             payment_channel="bank_account")
    other.guardian_name, other.guardian_national_id = "Trần Văn Khác", "089190000010"
    a = accounts.mark_opened(bank, kids[0], "5555000111", date(2024, 8, 2), "guardian")
    b = accounts.mark_opened(bank, kids[1], "5555000111", date(2024, 8, 2), "guardian")
    assert (a.flags, b.flags) == ("", "")
    c = accounts.mark_opened(bank, other, "5555000111", date(2024, 8, 2), "guardian")
    assert c.flag_set == ["duplicate_number"] and a.flag_set == b.flag_set == ["duplicate_number"]


def test_stopped_person_and_outside_coverage_are_flagged(people):
    bank = user("agribank.chaudoc")
    dung = people["dung"]  # stopped: the bank still sees him if he chose an account
    dung.payment_channel = "bank_account"
    acc = accounts.mark_opened(bank, dung, "223456789", date(2024, 8, 2))
    assert acc.flag_set == ["not_active"] and "thôi hưởng" in acc.flag_details
    # an account recorded by a branch that does not cover the commune (e.g. through the CLI or after withdrawal)
    other = accounts.create_account(user("agribank.tinhbien"), people["khai"], "VBA", "323456789",
                                    date(2024, 8, 2), "self", "HUYNH MINH KHAI")
    assert other.flag_set == ["outside_coverage"] and accounts.payable_account(people["khai"]) is None
    mismatch = accounts.create_account(bank, people["phuc"], "VBA", "423456789", date(2024, 8, 2), "self",
                                       "TRUONG VAN PHUOC")
    assert mismatch.flag_set == ["holder_mismatch"]


def test_commune_dispute_puts_the_person_back(people):
    bank, commune = user("agribank.chaudoc"), user("xa.vinhmy")
    acc = accounts.mark_opened(bank, people["khai"], "123456789", date(2024, 8, 2))
    with pytest.raises(AccessDenied):
        account_flags.dispute(user("xa.tanloi"), acc, "Không phải người của xã")
    with pytest.raises(ValidationError):
        account_flags.dispute(commune, acc, "")
    account_flags.dispute(commune, acc, "Đối tượng không đi mở tài khoản, chữ ký không phải của bà")
    assert (acc.active, acc.status, acc.previous_channel) == (False, "disputed", "cash_at_point")
    assert people["khai"].payment_channel == "cash_at_point"
    assert not accounts.is_visible(bank, people["khai"])  # no longer an account chooser
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "account_disputed")).scalar_one()
    assert "chữ ký không phải của bà" in event.summary
    with pytest.raises(StateError):
        account_flags.dispute(commune, acc, "lần thứ hai")


def test_failed_transfer_invalidates_the_account_and_requeues(people):
    lists = run_to_accepted()
    post = user("buudien.chaudoc")
    vu_line, yen_line = lists["account"].lines
    record_result(post, yen_line, "failed", "Người nhận không liên lạc được")  # not the account's fault
    record_result(post, vu_line, "failed", "Tài khoản đã đóng")
    db.session.commit()
    vu, yen = people["vu"], people["yen"]
    assert yen.active_account is not None
    assert vu.active_account is None and vu.accounts[0].status == "invalid"
    assert vu in list(db.session.execute(accounts.pending_accounts(user("agribank.chaudoc"))).scalars())
    build_lists(user("pld.chaudoc"), SEP)
    assert (channel_of(SEP, vu), channel_of(SEP, yen)) == ("cash_at_point", "account")
    assert account_flags.is_account_failure("Sai số tài khoản") and account_flags.is_account_failure(
        "Tên chủ TK không khớp") and not account_flags.is_account_failure("Đối tượng đi vắng")


def test_funnel_counts(people):
    lists = run_to_accepted()
    record_result(user("buudien.chaudoc"), lists["account"].lines[0], "paid", paid_on=date(2024, 8, 5))  # vu
    db.session.commit()
    data = funnel.monthly_funnel(AUG, ["30322", "30325"])
    vm = {c.code: c for c in data.communes}["30322"]
    # Vĩnh Mỹ active by 08/2024: vu, yen, khai, phuc, thoa, lan (dung stopped, moi starts 09/2024)
    assert (vm.registered, vm.chose_account, vm.account_opened, vm.first_transfer) == (6, 3, 2, 1)
    assert vm.cash_at_home == {"bedridden": 1}
    assert [(b.code, b.account_opened, b.first_transfer) for b in vm.banks] == [("VBA", 1, 1), ("ICB", 1, 0)]
    assert (data.total.registered, data.total.account_opened) == (7, 2)  # + sam in Núi Sam
    july = funnel.monthly_funnel(date(2024, 7, 1), ["30322"]).communes[0]
    assert (july.account_opened, july.first_transfer) == (2, 0)  # opened 20/07/2024, not paid yet
    book = funnel.funnel_workbook(data)
    ws = openpyxl.load_workbook(io.BytesIO(book)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[3][:3] == ["Xã/phường", "Ngân hàng", "Đang hưởng"]
    assert values[4][:7] == ["Phường Vĩnh Mỹ", None, 6, 3, 2, 1, 1]
    assert values[5][:6] == ["Phường Vĩnh Mỹ", "Agribank", None, None, 1, 1]


@pytest.mark.time_machine(datetime(2024, 8, 5, 9, 0, tzinfo=VN_TZ), tick=True)
def test_payout_point_session(people):
    bank = user("agribank.chaudoc")
    with pytest.raises(AccessDenied):
        payout_points.create_session(bank, "30535", date(2024, 8, 5), "hamlet_office", "VP ấp", "Võ Minh Ngân")
    with pytest.raises(ValidationError):
        payout_points.create_session(bank, "30322", date(2024, 8, 5), "cafe", "Quán", "Võ Minh Ngân")
    point = payout_points.create_session(bank, "30322", date(2024, 8, 5), "hamlet_office",
                                         "Văn phòng khóm Mỹ Thới 1", "Võ Minh Ngân, Lý Văn Quỹ")
    assert payout_points.expected_people(bank, point) == [people["khai"]]
    acc = accounts.mark_opened(bank, people["khai"], "123456789", date(2024, 8, 5), session=point)
    assert payout_points.recorded_at(point) == [acc] and payout_points.expected_people(bank, point) == []
    foreign = payout_points.create_session(user("agribank.tinhbien"), "30535", date(2024, 8, 5), "commune_office",
                                           "UBND xã Tân Lợi", "Lý Thị Ngân")
    with pytest.raises(AccessDenied):
        accounts.mark_opened(bank, people["vu"], "923456789", date(2024, 8, 5), session=foreign)


def test_bank_file_with_name_mismatch_unknown_id_and_duplicate_account(app, tmp_path):
    assert imports.import_file(user("xa.vinhmy"), "30322", VINH_MY_FILE).committed
    bank = user("agribank.chaudoc")
    other = make_beneficiary("Đỗ Văn Khác", birth_year=1950, payment_channel="bank_account")
    make_account(other, "15643655289899")  # row 6's number, already recorded for someone else
    db.session.commit()
    content = altered_sample(tmp_path, {"B5": "LY MY HAII", "C10": "089999999999"})
    preview = bank_import.preview_bank_file(bank, "agribank.xlsx", content)
    by_row = {r.row_number: r for r in preview.rows}
    assert (by_row[5].status, by_row[6].status, by_row[10].status) == ("name_mismatch", "duplicate", "error")
    assert by_row[5].message == "Tên chủ tài khoản «LY MY HAII» không khớp với tên đối tượng «Lý Mỹ Hai»."
    assert by_row[6].message.startswith("Số tài khoản đã được ghi cho người khác (15643655289899: Đỗ Văn Khác)")
    assert by_row[10].message.startswith("Không tìm thấy đối tượng có số định danh 089999999999")
    assert preview.counts == {"rows": 40, "new": 37, "unchanged": 0, "name_mismatch": 1, "duplicate": 1,
                              "error": 1}
    with pytest.raises(ValidationError, match=r"Tệp còn 1 dòng lỗi \(dòng 10\)"):
        bank_import.commit_bank_batch(bank, preview.batch_id)  # all or nothing
    preview = bank_import.preview_bank_file(bank, "agribank.xlsx", altered_sample(tmp_path, {"B5": "LY MY HAII"}))
    summary = bank_import.commit_bank_batch(bank, preview.batch_id)
    assert (summary["recorded"], summary["name_mismatch"], summary["flagged"], summary["flagged_rows"]) == (
        39, 1, 1, [6])
    assert bank_import.summary_text(summary).startswith(
        "Đã ghi nhận 39 tài khoản mới (1 tài khoản trùng số được gắn cảnh báo, dòng 6)")
    lien = person("089151256910")
    assert lien.active_account.flag_set == ["duplicate_number"] and accounts.payable_account(lien) is None
    assert other.active_account.flag_set == ["duplicate_number"]
    report = bank_import.batch_report(bank, preview.batch_id)
    assert {r.row_number: r.status_label for r in report.rows}[6] == "Đã ghi nhận – có cảnh báo trùng số TK"


def test_a_new_account_pays_from_the_first_list_not_yet_approved(people):
    district = user("pld.chaudoc")
    build_lists(district, AUG)
    assert channel_of(AUG, people["khai"]) == "cash_at_point"  # chose an account, none yet
    accounts.mark_opened(user("agribank.chaudoc"), people["khai"], "123456789", date(2024, 8, 2))
    db.session.commit()
    build_lists(district, AUG)  # the August lists are still drafts: rebuilt with the account
    assert channel_of(AUG, people["khai"]) == "account"
    line = db.session.execute(select(PayoutLine).where(PayoutLine.beneficiary_id == people["khai"].id)).scalar_one()
    assert (line.account_number, line.provider_code) == ("123456789", "VBA")
