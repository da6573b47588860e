"""Bank account opening (portal.services.accounts / bank_imports) on the Vĩnh Mỹ sample imported through the
commune import, and the Agribank Châu Đốc sample file."""
from datetime import date, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import func, select

from portal.errors import AccessDenied, StateError, ValidationError
from portal.extensions import db
from portal.models import AuditEvent, Beneficiary, ImportBatch, PaymentAccount
from portal.services.accounts import bank_import
from portal.services.accounts import opening as accounts
from portal.services.demo import user_by_username
from portal.services.imports import beneficiaries as imports
from tests.conftest import AGRIBANK_FILE, VINH_MY_FILE
from tests.factories import make_account, make_beneficiary

#: Vĩnh Mỹ: 340 people, 172 chose "Tài khoản", 104 of them already have an account in the commune's sheet
PENDING_VINH_MY = 68


@pytest.fixture
def vinh_my(app):
    """The Vĩnh Mỹ sample imported by the commune clerk (committed)."""
    report = imports.import_file(user_by_username("xa.vinhmy"), "30322", VINH_MY_FILE)
    assert report.committed and report.errors == 0
    db.session.commit()
    return report


@pytest.fixture
def teller(app):
    return user_by_username("agribank.chaudoc")


def person(national_id: str) -> Beneficiary:
    return db.session.execute(select(Beneficiary).where(Beneficiary.national_id == national_id)).scalar_one()


def pending(user, commune=None) -> list[Beneficiary]:
    return list(db.session.execute(accounts.pending_accounts(user, commune)).scalars())


def bank_accounts(user) -> int:
    return db.session.execute(select(func.count(PaymentAccount.id)).where(
        PaymentAccount.opened_by_org_id == user.organization_id)).scalar_one()


def altered_sample(tmp_path, changes: dict[str, object]) -> bytes:
    """The Agribank sample with cells changed ({"B5": "LY MY HAII"}), as bytes."""
    wb = openpyxl.load_workbook(AGRIBANK_FILE)
    for ref, value in changes.items():
        wb.active[ref] = value
    path = tmp_path / "agribank.xlsx"
    wb.save(path)
    return path.read_bytes()


def test_pending_lists_covered_account_choosers_without_account(vinh_my, teller):
    tan_loi = make_beneficiary("Chau Sóc Kha", commune_code="30535", birth_year=1950,
                               payment_channel="bank_account")
    cash = make_beneficiary("Trần Văn Tiền", birth_year=1950, payment_channel="cash_at_point")
    rows = pending(teller)
    assert len(rows) == PENDING_VINH_MY
    assert {b.commune_code for b in rows} == {"30322"}
    assert all(b.payment_channel == "bank_account" and b.active_account is None for b in rows)
    assert tan_loi not in rows and cash not in rows
    assert [b.name_sort for b in rows] == sorted(b.name_sort for b in rows)
    assert pending(user_by_username("agribank.tinhbien")) == [tan_loi]
    assert pending(teller, "30316") == []  # another Châu Đốc commune: nobody registered there


def test_mark_opened_keeps_number_as_text_and_audits(vinh_my, teller):
    khai = person("089218589283")
    account = accounts.mark_opened(teller, khai, "0012-3456 789", date(2024, 8, 2))
    db.session.commit()
    assert account.account_number == "00123456789"
    assert (account.provider_code, account.holder_kind, account.holder_name) == ("VBA", "self", "HUYNH MINH KHAI")
    assert account.opened_by_org_id == teller.organization_id and account.opened_by_user_id == teller.id
    assert khai.active_account is account
    assert len(pending(teller)) == PENDING_VINH_MY - 1
    event = db.session.execute(select(AuditEvent).where(
        AuditEvent.object_type == "beneficiary", AuditEvent.object_id == khai.id,
        AuditEvent.action == "account_opened")).scalar_one()
    assert event.summary == "Ghi nhận mở tài khoản Agribank 00123456789 cho Huỳnh Minh Khải"
    assert event.after["account_number"] == "00123456789" and event.after["opened_on"] == "2024-08-02"


def test_guardian_holder(vinh_my, teller):
    khai = person("089218589283")
    with pytest.raises(ValidationError, match="người giám hộ"):
        accounts.mark_opened(teller, khai, "123456789", date(2024, 8, 2), holder_kind="guardian")
    khai.guardian_name = "Huỳnh Thị Đào"
    account = accounts.mark_opened(teller, khai, "123456789", date(2024, 8, 2), holder_kind="guardian")
    assert (account.holder_kind, account.holder_name) == ("guardian", "HUYNH THI DAO")
    other = person("089151256910")
    with pytest.raises(ValidationError, match="xã cần ghi người giám hộ trước"):  # no third party the register
        accounts.mark_opened(teller, other, "223456789", date(2024, 8, 2), "guardian", "NGUYEN VAN BINH")
    other.guardian_name = "Lê Văn Ba"
    decomposed = "Le\u0302 Va\u0306n Ba"  # typed in NFD
    account = accounts.mark_opened(teller, other, "223456789", date(2024, 8, 2), "guardian", decomposed)
    assert account.holder_name == "Lê Văn Ba"


def test_placeholder_account_numbers_are_refused(vinh_my, teller):
    for number in ("0000000000", "111111"):
        with pytest.raises(ValidationError, match="một chữ số lặp lại"):
            accounts.mark_opened(teller, person("089171116550"), number, date(2024, 8, 2))


def test_holder_name_must_be_the_persons_or_the_guardians(vinh_my, teller):
    anh = person("089171116550")  # Châu Kim Ánh, chose an account, none yet
    with pytest.raises(ValidationError) as err:
        accounts.mark_opened(teller, anh, "123456789", date(2024, 8, 2), "self", "NGUYEN VAN B")
    assert str(err.value) == "Tên chủ tài khoản «NGUYEN VAN B» không khớp với tên đối tượng «Châu Kim Ánh»."
    anh.guardian_name = "Trần Thị Mai"
    with pytest.raises(ValidationError) as err:
        accounts.mark_opened(teller, anh, "123456789", date(2024, 8, 2), "guardian", "CHAU KIM ANH")
    assert str(err.value) == "Tên chủ tài khoản «CHAU KIM ANH» không khớp với tên người giám hộ «Trần Thị Mai»."
    assert bank_accounts(teller) == 0 and anh in pending(teller)
    account = accounts.mark_opened(teller, anh, "123456789", date(2024, 8, 2), "guardian", " tran  thi MAI ")
    assert (account.holder_kind, account.holder_name) == ("guardian", "tran thi MAI")
    khai = person("089218589283")
    assert accounts.mark_opened(teller, khai, "223456789", date(2024, 8, 2), "self", "Huỳnh Minh Khải").active
    assert accounts.holder_mismatch(khai, "guardian", "AI CUNG DUOC") is None  # no guardian recorded: name given


@pytest.mark.parametrize("number, message", [
    ("12345", "từ 6 đến 19 chữ số"),
    ("12345678901234567890", "từ 6 đến 19 chữ số"),
    ("1234AB789", "chỉ gồm chữ số"),
    ("", "Chưa nhập số tài khoản"),
])
def test_mark_opened_rejects_bad_numbers(vinh_my, teller, number, message):
    with pytest.raises(ValidationError, match=message):
        accounts.mark_opened(teller, person("089218589283"), number, date(2024, 8, 2))
    assert bank_accounts(teller) == 0


@pytest.mark.parametrize("opened_on, message", [
    (accounts.today_vn() + timedelta(days=1), "ở tương lai"),
    (date(1999, 12, 31), "trước năm 2000"),
    (None, "Chưa nhập ngày mở"),
])
def test_mark_opened_rejects_bad_dates(vinh_my, teller, opened_on, message):
    with pytest.raises(ValidationError, match=message):
        accounts.mark_opened(teller, person("089218589283"), "123456789", opened_on)


def test_mark_opened_state_and_duplicates(vinh_my, teller):
    khai, hai = person("089218589283"), person("089316334725")
    accounts.mark_opened(teller, khai, "123456789", date(2024, 8, 2))
    with pytest.raises(StateError, match="đã có tài khoản đang dùng"):
        accounts.mark_opened(teller, khai, "999456789", date(2024, 8, 2))
    shared = accounts.mark_opened(teller, hai, "123-456-789", date(2024, 8, 2))  # a shared number: flagged
    assert shared.flag_set == ["duplicate_number"] and not shared.payable
    assert khai.active_account.flag_set == ["duplicate_number"] and accounts.payable_account(khai) is None
    assert bank_accounts(teller) == 2


def test_mark_opened_access(vinh_my, teller):
    tan_loi = make_beneficiary("Néang Sa Ly", commune_code="30535", birth_year=1960, payment_channel="bank_account")
    cash = make_beneficiary("Trần Văn Tiền", birth_year=1950, payment_channel="cash_at_point")
    for b in (tan_loi, cash):
        with pytest.raises(AccessDenied):
            accounts.mark_opened(teller, b, "123456789", date(2024, 8, 2))
    with pytest.raises(AccessDenied):
        accounts.mark_opened(user_by_username("xa.vinhmy"), person("089218589283"), "123456789", date(2024, 8, 2))
    with pytest.raises(AccessDenied, match="ngân hàng mình"):
        accounts.mark_opened(teller, person("089218589283"), "123456789", date(2024, 8, 2), provider_code="ICB")
    assert accounts.mark_opened(user_by_username("agribank.tinhbien"), tan_loi, "123456789", date(2024, 8, 2))


def test_agribank_sample_on_vinh_my(vinh_my, teller):
    content = open(AGRIBANK_FILE, "rb").read()
    preview = bank_import.preview_bank_file(teller, "2024-08_agribank-chau-doc_tk-mo-moi.xlsx", content)
    assert preview.counts == {"rows": 40, "new": 40, "unchanged": 0, "name_mismatch": 0, "duplicate": 0, "error": 0}
    assert [r.row_number for r in preview.rows][:2] == [4, 5] and preview.rows[-1].row_number == 43
    batch = db.session.get(ImportBatch, preview.batch_id)
    assert (batch.kind, batch.scope, batch.status) == ("bank_accounts", str(teller.organization_id), "previewed")
    assert bank_accounts(teller) == 0  # a preview records nothing

    summary = bank_import.commit_bank_batch(teller, preview.batch_id)
    db.session.commit()
    assert (summary["recorded"], summary["name_mismatch"], summary["errors"]) == (40, 0, 0)
    assert bank_accounts(teller) == 40
    assert len(pending(teller)) == PENDING_VINH_MY - 40
    khai = person("089218589283").active_account
    assert (khai.account_number, khai.opened_on, khai.holder_name) == ("11344579315344", date(2024, 8, 2),
                                                                       "HUYNH MINH KHAI")
    assert batch.status == "committed"

    again = bank_import.commit_bank_batch(teller, preview.batch_id)  # double submit
    assert again["already"] and again["recorded"] == 0
    second = bank_import.preview_bank_file(teller, "lan-2.xlsx", content)
    assert second.counts["unchanged"] == 40 and second.counts["new"] == 0
    assert bank_import.commit_bank_batch(teller, second.batch_id)["recorded"] == 0
    assert bank_accounts(teller) == 40


def test_name_mismatch_is_held_back(vinh_my, teller, tmp_path):
    content = altered_sample(tmp_path, {"B5": "LY MY HAII"})
    preview = bank_import.preview_bank_file(teller, "agribank.xlsx", content)
    held = [r for r in preview.rows if r.status == "name_mismatch"]
    assert [r.row_number for r in held] == [5]
    assert held[0].message == "Tên chủ tài khoản «LY MY HAII» không khớp với tên đối tượng «Lý Mỹ Hai»."
    assert preview.can_commit
    summary = bank_import.commit_bank_batch(teller, preview.batch_id)
    assert (summary["recorded"], summary["name_mismatch"], summary["held_rows"]) == (39, 1, [5])
    assert "1 dòng tên không khớp được giữ lại để kiểm tra (dòng 5)" in bank_import.summary_text(summary)
    assert person("089316334725").active_account is None
    assert person("089316334725") in pending(teller)


def test_committed_batch_is_reported_as_committed_not_judged_again(vinh_my, teller, tmp_path):
    content = altered_sample(tmp_path, {"B5": "LY MY HAII"})
    make_account(person("089218589283"), "11344579315344")  # row 4: already there
    preview = bank_import.preview_bank_file(teller, "agribank.xlsx", content)
    assert bank_import.batch_report(teller, preview.batch_id).counts["new"] == 38  # previewed: judged now
    bank_import.commit_bank_batch(teller, preview.batch_id)
    db.session.commit()
    report = bank_import.batch_report(teller, preview.batch_id)
    assert isinstance(report, bank_import.BankBatchReport) and report.batch_status == "committed"
    assert {k: report.summary[k] for k in ("rows", "recorded", "unchanged", "name_mismatch")} == {
        "rows": 40, "recorded": 38, "unchanged": 1, "name_mismatch": 1}
    assert report.committed_by == teller.full_name and report.committed_at is not None
    by_row = {r.row_number: r for r in report.rows}
    assert (by_row[4].status_label, by_row[6].status_label) == ("Đã có từ trước", "Đã ghi nhận")
    assert by_row[5].status_label == "Giữ lại – tên không khớp"
    assert by_row[5].message == "Tên chủ tài khoản «LY MY HAII» không khớp với tên đối tượng «Lý Mỹ Hai»."
    assert sum(r.status == "recorded" for r in report.rows) == 38
    with pytest.raises(AccessDenied):
        bank_import.batch_report(user_by_username("agribank.tinhbien"), preview.batch_id)


def test_row_errors_block_the_commit(vinh_my, teller, tmp_path):
    tan_loi = make_beneficiary("Chau Sóc Kha", commune_code="30535", birth_year=1950, payment_channel="bank_account")
    db.session.commit()
    content = altered_sample(tmp_path, {"C10": "089999999999", "C11": tan_loi.national_id, "D12": "1234-AB",
                                        "E13": "31/02/2024", "D14": "11344579315344", "E15": None})
    preview = bank_import.preview_bank_file(teller, "agribank.xlsx", content)
    errors = {r.row_number: r.message for r in preview.rows if r.status == "error"}
    assert sorted(errors) == [10, 11, 12, 13, 14, 15]
    assert errors[10].startswith("Không tìm thấy đối tượng có số định danh 089999999999 trong địa bàn")
    assert tan_loi.national_id in errors[11]  # another district's person is invisible to this branch
    assert "chỉ gồm chữ số" in errors[12]
    assert "Ngày mở không hợp lệ" in errors[13]
    assert errors[14] == "Số tài khoản 11344579315344 trùng với dòng 4."
    assert errors[15] == "Thiếu ngày mở tài khoản."
    assert preview.rows[6].describe().startswith("Dòng 10: Không tìm thấy")
    assert preview.counts["new"] == 34 and not preview.can_commit
    with pytest.raises(ValidationError, match=r"Tệp còn 6 dòng lỗi \(dòng 10, 11, 12, 13, 14, 15\)"):
        bank_import.commit_bank_batch(teller, preview.batch_id)
    assert bank_accounts(teller) == 0


def test_number_taken_and_other_account(vinh_my, teller, tmp_path):
    khai, hai = person("089218589283"), person("089316334725")
    make_account(khai, "11344579315344")  # row 4: the same account → unchanged
    make_account(hai, "555555555", provider_code="ICB")  # row 5: already has another account → error
    other = make_beneficiary("Đỗ Văn Khác", birth_year=1950, payment_channel="bank_account")
    make_account(other, "15643655289899")  # row 6: number held by someone else
    preview = bank_import.preview_bank_file(teller, "agribank.xlsx", open(AGRIBANK_FILE, "rb").read())
    by_row = {r.row_number: r for r in preview.rows}
    assert by_row[4].status == "unchanged"
    assert by_row[5].status == "error" and "đã có tài khoản khác đang dùng (VietinBank 555555555)" in by_row[5].message
    assert by_row[6].status == "duplicate"  # recorded with a flag, not refused
    assert by_row[6].message.startswith("Số tài khoản đã được ghi cho người khác (15643655289899: Đỗ Văn Khác)")


def test_header_variants_and_typed_cells(vinh_my, teller, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Danh sách tài khoản mở mới - tháng 8/2024"])
    ws.append(["STT", "Họ tên", "Số CCCD", "Số tài khoản", "Ngày mở"])
    ws.append([1, "Huỳnh Minh Khải", 89218589283, "0011 2233 4455", datetime(2024, 8, 2)])
    ws.append([2, "LÝ MỸ HAI", "089316334725", 123456789, "2024-08-03"])
    ws.append([None, "Tổng cộng", None, None, None])
    path = tmp_path / "variants.xlsx"
    wb.save(path)
    preview = bank_import.preview_bank_file(teller, "variants.xlsx", path.read_bytes())
    assert [(r.row_number, r.status, r.national_id, r.account_number) for r in preview.rows] == [
        (3, "new", "089218589283", "001122334455"), (4, "new", "089316334725", "123456789")]
    assert preview.rows[1].notes == ["Số tài khoản lưu dạng số trong Excel: kiểm tra các chữ số 0 ở đầu."]


def test_file_level_errors(vinh_my, teller):
    with pytest.raises(ValidationError, match="Không tìm thấy cột: Ngày mở"):
        bank_import.preview_bank_file(teller, "ds.xlsx", open(VINH_MY_FILE, "rb").read())
    with pytest.raises(ValidationError, match="không phải bảng tính Excel"):
        bank_import.preview_bank_file(teller, "ds.csv", b"STT;HO TEN\n1;A\n")
    with pytest.raises(AccessDenied):
        bank_import.preview_bank_file(user_by_username("xa.vinhmy"), "a.xlsx", open(AGRIBANK_FILE, "rb").read())
    assert db.session.execute(select(func.count(ImportBatch.id)).where(ImportBatch.kind == "bank_accounts")
                              ).scalar_one() == 0


def test_batches_are_per_bank(vinh_my, teller):
    preview = bank_import.preview_bank_file(teller, "a.xlsx", open(AGRIBANK_FILE, "rb").read())
    with pytest.raises(AccessDenied):
        bank_import.commit_bank_batch(user_by_username("agribank.tinhbien"), preview.batch_id)
    with pytest.raises(AccessDenied):
        bank_import.review_bank_batch(user_by_username("agribank.tinhbien"), preview.batch_id)


def test_import_bank_file_for_the_cli(vinh_my, teller, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(altered_sample(tmp_path, {"B6": "LE THI LIENN", "C10": "089999999999"}))
    result = bank_import.import_bank_file(teller, path)
    assert (result["rows"], result["recorded"], result["name_mismatch"], result["errors"]) == (40, 0, 1, 1)
    assert result["messages"] == [
        "Dòng 6: Tên chủ tài khoản «LE THI LIENN» không khớp với tên đối tượng «Lê Thị Liên».",
        "Dòng 10: Không tìm thấy đối tượng có số định danh 089999999999 trong địa bàn "
        "(hoặc đối tượng chưa đăng ký nhận trợ cấp qua tài khoản)."]
    assert bank_accounts(teller) == 0
    result = bank_import.import_bank_file(teller, AGRIBANK_FILE)
    assert {k: result[k] for k in ("rows", "recorded", "name_mismatch", "errors")} == {
        "rows": 40, "recorded": 40, "name_mismatch": 0, "errors": 0}
    assert bank_accounts(teller) == 40
    assert bank_import.import_bank_file(teller, AGRIBANK_FILE)["recorded"] == 0
