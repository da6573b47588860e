"""Authorizations (giấy ủy quyền): recording, the validity check used at payout and account opening, expiry list."""
from datetime import date

import pytest
from sqlalchemy import select

from portal.errors import StateError, ValidationError
from portal.models import AuditEvent, Beneficiary
from portal.services.demo import user_by_username
from portal.services.registry import authorizations as auth
from tests.factories import make_beneficiary

PROXY_ID = "089188000123"


def _values(**over):
    v = {"proxy_name": "Nguyễn Văn Con", "proxy_national_id": PROXY_ID, "proxy_relationship": "Con",
         "scope_receive": True, "scope_open_account": False, "valid_from": date(2024, 8, 1),
         "valid_to": date(2025, 7, 31), "certification_number": "125/CT", "certified_on": date(2024, 8, 1)}
    v.update(over)
    return v


@pytest.fixture
def letter(app):
    b = make_beneficiary("Võ Ngọc Yến", birth_year=1933, gender="female")
    a, warnings = auth.create_authorization(user_by_username("xa.vinhmy"), b, _values(), today=date(2024, 8, 2))
    assert warnings == []
    return b, a


def test_valid_proxy_inside_validity_only(letter):
    b, a = letter
    assert auth.valid_proxy(b, date(2024, 8, 1), "receive") is a
    assert auth.valid_proxy(b, date(2025, 7, 31), "receive", PROXY_ID) is a
    assert auth.valid_proxy(b, date(2025, 8, 1), "receive") is None
    assert auth.valid_proxy(b, date(2024, 9, 1), "receive", "089188000999") is None
    assert auth.valid_proxy(b, date(2024, 9, 1), "open_account") is None
    assert auth.check_proxy(b, date(2024, 9, 1), "receive", PROXY_ID) is a


def test_expired_authorization_refused_with_reason(letter):
    b, _ = letter
    with pytest.raises(ValidationError, match=r"đã hết hạn ngày 31/07/2025; không chấp nhận người nhận thay"):
        auth.check_proxy(b, date(2025, 8, 1), "receive", PROXY_ID)
    with pytest.raises(ValidationError, match="chỉ có hiệu lực từ ngày 01/08/2024"):
        auth.check_proxy(b, date(2024, 7, 31), "receive")
    with pytest.raises(ValidationError, match="không bao gồm việc «mở tài khoản»"):
        auth.check_proxy(b, date(2024, 9, 1), "open_account")
    with pytest.raises(ValidationError, match="không có giấy ủy quyền cho người có số định danh 089188000999"):
        auth.check_proxy(b, date(2024, 9, 1), "receive", "089188000999")


def test_revoked_authorization_refused(letter):
    b, a = letter
    auth.revoke(user_by_username("xa.vinhmy"), a, date(2024, 10, 1), "Đối tượng tự nhận")
    assert auth.valid_proxy(b, date(2024, 9, 30), "receive") is a
    with pytest.raises(ValidationError, match="đã bị thu hồi từ ngày 01/10/2024"):
        auth.check_proxy(b, date(2024, 10, 1), "receive")
    with pytest.raises(StateError):
        auth.revoke(user_by_username("xa.vinhmy"), a, date(2024, 10, 2))
    assert AuditEvent.query.filter_by(object_type="authorization", object_id=a.id, action="revoke").count() == 1


def test_rules_and_long_term_warning(app):
    b = make_beneficiary("Bùi Ngọc Vũ", birth_year=1977)
    u = user_by_username("xa.vinhmy")
    with pytest.raises(ValidationError, match="chính đối tượng"):
        auth.create_authorization(u, b, _values(proxy_national_id=b.national_id))
    with pytest.raises(ValidationError, match="12 chữ số"):
        auth.create_authorization(u, b, _values(proxy_national_id="89188000123"))
    with pytest.raises(ValidationError, match="phải sau ngày bắt đầu"):
        auth.create_authorization(u, b, _values(valid_to=date(2024, 7, 1)))
    with pytest.raises(ValidationError, match="phạm vi"):
        auth.create_authorization(u, b, _values(scope_receive=False))
    with pytest.raises(ValidationError, match="chứng thực"):
        auth.create_authorization(u, b, _values(certification_number=""))
    _, warnings = auth.create_authorization(u, b, _values(valid_to=date(2026, 8, 1), scope_open_account=True))
    assert warnings == ["Thời hạn ủy quyền quá 12 tháng; ngân hàng thường chỉ chấp nhận tối đa 12 tháng."]


def test_expiring_within_30_days(letter, app):
    b, a = letter
    from portal.services.demo import user_by_username as u
    area = select(Beneficiary).where(Beneficiary.commune_code == "30322")
    assert auth.expiring(area, date(2025, 7, 1)) == [a]
    assert auth.expiring(area, date(2025, 6, 30)) == []
    assert auth.expiring(area, date(2025, 8, 1)) == []
    other = select(Beneficiary).where(Beneficiary.commune_code == "30535")
    assert auth.expiring(other, date(2025, 7, 1)) == []
    assert u("xa.vinhmy")
