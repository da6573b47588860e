"""Jinja filters (portal.formatting): bank names, the change log (provider_name, field_label, field_value) and the
formal date line (date_formal_vn)."""
from datetime import date

import pytest
from flask import g

from portal.extensions import db
from portal.formatting import date_formal_vn, field_label, field_value, provider_name
from portal.models import PaymentProvider


def test_provider_name_reads_the_table_once_per_request(app):
    with app.app_context():  # each request runs in its own app context (and flask.g)
        assert [provider_name(c) for c in ("VBA", "ICB", "STB", "XYZ", None)] == [
            "Agribank", "VietinBank", "Sacombank", "XYZ", ""]
        db.session.get(PaymentProvider, "VBA").name = "Ngân hàng Nông nghiệp"
        db.session.commit()
        assert provider_name("VBA") == "Agribank"  # cached on flask.g for this request
        assert g.provider_names["ICB"] == "VietinBank"
    with app.app_context():
        assert provider_name("VBA") == "Ngân hàng Nông nghiệp"  # the next request reads it again


def test_field_label():
    assert [field_label(k) for k in ("provider_code", "holder_kind", "status", "people_count", "full_name")] == [
        "Ngân hàng", "Chủ tài khoản", "Trạng thái", "Số người", "Họ và tên"]
    assert field_label("Họ và tên") == "Họ và tên" and field_label("other_field") == "other_field"


def test_field_value(app):
    with app.test_request_context():
        assert [field_value(v, k) for v, k in [
            ("draft", "status"), ("confirmed", "status"), ("self", "holder_kind"), ("guardian", "holder_kind"),
            ("bank_account", "payment_channel"), ("cash_at_home", "payment_channel"), ("paid", "result"),
            ("failed", "result"), ("male", "gender"), ("female", "gender"), ("ICB", "provider_code"),
            (1234567, "total_amount"), ("2024-08-02", "opened_on"), (None, "holder_name"), (True, "active"),
            ([5, 7], "held_rows"), ("HUYNH MINH KHAI", "holder_name"), ("weird", "status"), (40, "people_count"),
        ]] == ["Dự thảo", "Xã đã xác nhận", "Chính chủ", "Người giám hộ", "Tài khoản ngân hàng",
               "Tiền mặt tại nhà", "Đã chi", "Không chi được", "Nam", "Nữ", "VietinBank", "1.234.567",
               "02/08/2024", "—", "Có", "5, 7", "HUYNH MINH KHAI", "weird", "40"]


@pytest.mark.parametrize(("day", "expected"), [
    (date(2024, 8, 5), "ngày 05 tháng 8 năm 2024"),
    (date(2024, 8, 15), "ngày 15 tháng 8 năm 2024"),
    (date(2025, 1, 9), "ngày 09 tháng 01 năm 2025"),
    (date(2025, 2, 28), "ngày 28 tháng 02 năm 2025"),
    (date(2025, 3, 1), "ngày 01 tháng 3 năm 2025"),
    (date(2024, 10, 10), "ngày 10 tháng 10 năm 2024"),
    (date(2024, 12, 31), "ngày 31 tháng 12 năm 2024"),
])
def test_formal_date_pads_only_days_below_10_and_months_1_and_2(day, expected):
    """Decree 30/2020 Phụ lục I ô 4: "ngày 05 tháng 8", but "tháng 01", "tháng 02"."""
    assert date_formal_vn(day) == expected
