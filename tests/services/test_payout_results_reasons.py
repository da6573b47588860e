"""Failure reasons as a closed list (payout_results.FAILURE_REASONS): free text of the payment spreadsheet mapped
to a code, "other" needs a note, the account invalidated only for "account" (old results without a code: by the
words), failures by reason in the monthly report."""
import io
from datetime import date

import openpyxl
import pytest

from portal.errors import ValidationError
from portal.extensions import db
from portal.models import PayoutLine
from portal.services.accounts import flags as account_flags
from portal.services.demo import user_by_username as user
from portal.services.payouts.reasons import FAILURE_REASONS, classify_reason, reason_text
from portal.services.payouts.results import payment_sheet, record_result, results_upload
from portal.services.reporting import monthly_report
from tests.factories import chau_doc_people, run_to_accepted


@pytest.fixture
def lists(app):
    chau_doc_people()
    return run_to_accepted()


def _filled(sheet: bytes, edits: dict[tuple[int, int], object]) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(sheet))
    for (row, col), value in edits.items():
        wb.active.cell(row=row, column=col, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize("text, expected", [
    ("Tài khoản đã đóng", ("account", None)),  # only repeats words of the label: no note
    ("chết", ("deceased", None)),  # not "Đối tượng đã chết – chết"
    ("Đối tượng đã chết – chết", ("deceased", None)),
    ("Sai tên chủ TK", ("account", "Sai tên chủ TK")),
    ("Đi vắng, không liên lạc được", ("absent", "Đi vắng, không liên lạc được")),
    ("Đã mất liên lạc", ("absent", "Đã mất liên lạc")),
    ("Đối tượng đã mất ngày 02/08", ("deceased", "Đối tượng đã mất ngày 02/08")),
    ("Chủ tài khoản đã chết", ("deceased", "Chủ tài khoản đã chết")),
    ("Gia đình từ chối nhận", ("refused", "Gia đình từ chối nhận")),
    ("Đã chuyển đi nơi khác", ("moved", "Đã chuyển đi nơi khác")),
    ("Đi nước ngoài", ("other", "Đi nước ngoài")),
    ("Vắng mặt, không liên lạc được", ("absent", None)),  # the label itself
    ("Lý do khác – Đi nước ngoài", ("other", "Đi nước ngoài")),  # what payment_sheet writes back
    ("Từ chối nhận - con cháu không đồng ý", ("refused", "con cháu không đồng ý")),
    # refusal (a ground for stopping benefit) only for explicit wording
    ("Không đồng ý nhận", ("refused", "Không đồng ý nhận")),
    ("Không muốn nhận tiền", ("refused", "Không muốn nhận tiền")),
    ("Đi làm ăn xa, con cháu không nhận thay", ("absent", "Đi làm ăn xa, con cháu không nhận thay")),
    ("con cháu không nhận thay", ("absent", "con cháu không nhận thay")),
    ("Vắng nhà", ("absent", "Vắng nhà")),
    # ill or in hospital: known and waiting, not «Vắng mặt, không liên lạc được» — «Lý do khác» with the text
    ("Ốm nằm viện", ("other", "Ốm nằm viện")),
    ("Đang nằm viện", ("other", "Đang nằm viện")),
    ("Đi viện ở Long Xuyên", ("other", "Đi viện ở Long Xuyên")),
    ("Đang điều trị tại BV tỉnh", ("other", "Đang điều trị tại BV tỉnh")),
    ("Bệnh nặng, đi vắng", ("other", "Bệnh nặng, đi vắng")),
    ("người nhà không nhận", ("other", "người nhà không nhận")),
    ("không nhận", ("other", "không nhận")),
    ("   ", (None, None)),
])
def test_free_text_maps_to_a_code(text, expected):
    assert classify_reason(text) == expected


def test_labels_map_back_to_their_code():
    assert all(classify_reason(label) == (code, None) for code, label in FAILURE_REASONS.items())


def test_upload_maps_free_text_reasons(lists):
    point, home = lists["cash_at_point"], lists["cash_at_home"]
    post = user("buudien.chaudoc")
    # rows: 6 = STT 1 (Huỳnh Minh Khải), 7 = STT 2 (Trương Văn Phúc); I=Kết quả J=Lý do
    filled = _filled(payment_sheet(point), {(6, 9): "Không chi được", (6, 10): "Gia đình từ chối nhận",
                                            (7, 9): "Không chi được", (7, 10): "Đi chữa bệnh ở TP.HCM"})
    out = results_upload(post, point, "ket-qua.xlsx", filled)
    assert (out.failed, out.errors) == (2, [])
    db.session.commit()
    assert [(line.result_reason_code, line.result_reason, reason_text(line)) for line in point.lines] == [
        ("refused", "Gia đình từ chối nhận", "Từ chối nhận – Gia đình từ chối nhận"),
        ("other", "Đi chữa bệnh ở TP.HCM", "Lý do khác – Đi chữa bệnh ở TP.HCM")]
    again = results_upload(post, point, "ket-qua.xlsx", payment_sheet(point))  # the sheet carries the labels
    assert (again.unchanged, again.errors) == (2, [])
    empty = _filled(payment_sheet(home), {(6, 9): "Không chi được"})
    assert results_upload(post, home, "ket-qua.xlsx", empty).errors == ["Dòng 6: Không chi được: cần ghi lý do."]


def test_other_needs_a_note_and_codes_are_checked(lists):
    post, line = user("buudien.chaudoc"), lists["cash_at_point"].lines[0]
    with pytest.raises(ValidationError, match="Lý do khác: cần ghi rõ lý do."):
        record_result(post, line, "failed", "", reason_code="other")
    with pytest.raises(ValidationError, match="chọn lý do trong danh sách"):
        record_result(post, line, "failed", "ghi chú", reason_code="")
    with pytest.raises(ValidationError, match="không có trong danh sách"):
        record_result(post, line, "failed", "", reason_code="lost")
    record_result(post, line, "failed", reason_code="deceased")
    assert (line.result_reason_code, line.result_reason, reason_text(line)) == ("deceased", None, "Đối tượng đã chết")
    record_result(post, line, "paid", paid_on=date(2024, 8, 5))
    assert (line.result_reason_code, line.result_reason) == (None, None)


def test_account_invalidated_by_code_else_by_the_old_words(lists):
    post = user("buudien.chaudoc")
    vu_line, yen_line = lists["account"].lines
    record_result(post, yen_line, "failed", "Tài khoản vẫn dùng được", reason_code="absent")
    assert yen_line.beneficiary.active_account is not None
    assert account_flags.is_account_failure("Tài khoản bị khóa", "absent") is False
    assert account_flags.is_account_failure(None, "account") is True
    assert account_flags.is_account_failure("Tài khoản bị khóa") is True  # old data: no code, the words decide
    assert account_flags.is_account_failure("Đi vắng") is False
    record_result(post, vu_line, "failed", reason_code="account")
    account = vu_line.beneficiary.accounts[0]
    assert (account.active, account.status, account.status_reason) == (
        False, "invalid", FAILURE_REASONS["account"])


def test_monthly_report_failures_by_reason_label(lists):
    post = user("buudien.chaudoc")
    point, home, acc = lists["cash_at_point"], lists["cash_at_home"], lists["account"]
    record_result(post, point.lines[0], "failed", "Đi làm xa", reason_code="absent")  # 750.000
    record_result(post, point.lines[1], "failed", reason_code="absent")  # 500.000
    record_result(post, acc.lines[1], "failed", "Khác lạ", reason_code="other")  # 500.000
    old = home.lines[0]  # a result recorded before the closed list: free text only
    record_result(post, old, "failed", "Đối tượng đã chuyển đi nơi khác")
    db.session.query(PayoutLine).filter_by(id=old.id).update({"result_reason_code": None})
    db.session.commit()
    rep = monthly_report.build_report(user("pld.chaudoc"), date(2024, 8, 1))
    assert rep.failures == [("Vắng mặt, không liên lạc được", 2, 1_250_000), ("Chuyển đi nơi khác", 1, 1_000_000),
                            ("Lý do khác", 1, 500_000)]
