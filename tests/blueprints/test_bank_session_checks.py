"""A payout-point session is opened only where and when it can happen: a commune in force on its date (not one the
2025 reform abolished), a hamlet on the commune's list of khóm/ấp, a date within three months of today either way;
each refusal is shown under its field with what the teller typed kept."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import PayoutPointSession
from portal.services.accounts import payout_points
from portal.services.reform import apply_reform
from portal.services.registry.hamlets import seed_hamlets
from tests.conftest import pinned_clock

pytestmark = pinned_clock
CHAU_DOC, VINH_MY = "30316@2025", "30322"
FORM = {"commune": CHAU_DOC, "session_date": "2026-12-07", "place_kind": "hamlet_office",
        "place_name": "VP khóm Mỹ Thới 1", "staff_present": "Võ Minh Ngân", "hamlet": ""}


@pytest.fixture
def reformed(app):
    apply_reform(None, date(2025, 7, 1))
    seed_hamlets({CHAU_DOC: ["Khóm Mỹ Thới 1", "Khóm Vĩnh Đông"]})
    db.session.commit()


def _error_of(html: str, name: str) -> str:
    """The text of the field ``name``'s error block (the field macro's markup up to the next field)."""
    match = re.search(rf'name="{name}".*?(?=<div class="field|<button)', html, re.S)
    return match.group(0) if match else ""


def _post(client, **changes):
    return client.post("/ngan-hang/diem-chi-tra", {**FORM, **changes})


def test_session_in_an_abolished_commune_is_refused_under_the_commune(client, reformed):
    client.login("agribank.chaudoc")
    resp = _post(client, commune=VINH_MY)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "Phường Vĩnh Mỹ không còn (hoặc chưa) hoạt động vào ngày 07/12/2026" in _error_of(html, "commune")
    assert 'value="VP khóm Mỹ Thới 1"' in html and 'value="Võ Minh Ngân"' in html
    assert db.session.execute(select(PayoutPointSession)).first() is None


def test_hamlet_not_on_the_communes_list_is_refused_under_the_hamlet(client, reformed):
    client.login("agribank.chaudoc")
    resp = _post(client, hamlet="Khóm Không Có")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "Khóm/ấp «Khóm Không Có» không có trong danh sách khóm/ấp của xã" in _error_of(html, "hamlet")
    assert 'value="Khóm Không Có"' in html
    assert db.session.execute(select(PayoutPointSession)).first() is None


def test_hamlet_typed_without_accents_is_stored_as_the_list_writes_it(client, reformed):
    client.login("agribank.chaudoc")
    assert _post(client, hamlet="khom my thoi 1").status_code == 302
    point = db.session.execute(select(PayoutPointSession)).scalar_one()
    assert (point.commune_code, point.hamlet) == (CHAU_DOC, "Khóm Mỹ Thới 1")


@pytest.mark.parametrize(("day", "message"), [
    ("2027-05-01", "Ngày 01/05/2027 quá xa: chỉ mở buổi làm việc trong 3 tháng tới (đến ngày 06/03/2027)."),
    ("2026-09-05", "Ngày 05/09/2026 đã quá 3 tháng: chỉ ghi buổi làm việc từ ngày 06/09/2026."),
])
def test_session_date_too_far_ahead_or_back_is_refused_under_the_date(client, reformed, day, message):
    client.login("agribank.chaudoc")
    resp = _post(client, session_date=day)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and message in _error_of(html, "session_date")
    assert f'value="{day}"' in html


def test_session_date_bounds_are_inclusive(app):
    today = date(2026, 12, 6)
    assert payout_points.check_session_date(date(2027, 3, 6), today) == date(2027, 3, 6)
    assert payout_points.check_session_date(date(2026, 9, 6), today) == date(2026, 9, 6)
    assert payout_points.check_session_date(date(2027, 2, 28), date(2026, 11, 30)) == date(2027, 2, 28)
