"""Last seen alive: the latest signal per person from cash paid against a signature, an account check answered
"hoạt động", a police check and a home visit; the monthly list of people without a signal for N months (data)."""
from datetime import date

import pytest

from portal.errors import AccessDenied, ValidationError
from portal.extensions import db
from portal.models import IdentityCheck
from portal.services.demo import user_by_username as user
from portal.services.payouts import account_checks
from portal.services.payouts.results import record_result
from portal.services.registry import life_signals
from tests.conftest import pinned_clock
from tests.factories import AUG, chau_doc_people, run_to_accepted

pytestmark = pinned_clock
MAR25 = date(2025, 3, 1)


@pytest.fixture
def seen(app):
    p = chau_doc_people()
    db.session.commit()
    lists = run_to_accepted(AUG)
    post = user("buudien.chaudoc")
    for line in lists["cash_at_point"].lines:  # Khải and Phúc sign for their cash on 10/08/2024
        record_result(post, line, "paid", paid_on=date(2024, 8, 10))
    for line in lists["account"].lines:  # a transfer proves nothing
        record_result(post, line, "paid", paid_on=date(2024, 8, 10))
    item = next(i for i in account_checks.check_items(user("xa.vinhmy"), AUG) if i.beneficiary is p["vu"])
    account_checks.record_answer(user("agribank.chaudoc"), AUG, item,
                                 account_checks.AccountCheckStatus.ACTIVE, "bank")
    life_signals.record_visit(user("xa.vinhmy"), p["yen"], date(2024, 9, 15), "Bà còn khoẻ")
    db.session.add(IdentityCheck(beneficiary_id=p["thoa"].id, commune_code="30322", result="matched",
                                 checked_on=date(2024, 10, 2)))
    db.session.commit()
    return p


def test_last_seen_by_source(seen):
    last = life_signals.last_seen([b.id for b in seen.values()])
    assert last[seen["phuc"].id] == life_signals.Signal(date(2024, 8, 10), "cash")
    assert last[seen["yen"].id] == life_signals.Signal(date(2024, 9, 15), "visit")
    assert last[seen["thoa"].id].label == "Công an đối sánh dân cư"
    assert last[seen["vu"].id] == life_signals.Signal(date(2026, 12, 6), "account_check")  # answered today
    assert seen["lan"].id not in last


def test_unseen_for_six_months_is_data(seen, app):
    commune = user("xa.vinhmy")
    rows = life_signals.unseen(commune, MAR25)  # window 01/09/2024 .. 31/03/2025
    names = [u.beneficiary.full_name for u in rows]
    # never seen first (Vũ's transfers prove nothing; his account check came later), then the oldest signal;
    # Mới (paid from 09/2024) is too new, Yến (visit), Thoa (police) were seen, Dừng is stopped
    assert names == ["Đặng Thị Lan", "Bùi Ngọc Vũ", "Huỳnh Minh Khải", "Trương Văn Phúc"]
    assert [u.last.on if u.last else None for u in rows] == [None, None, date(2024, 8, 10), date(2024, 8, 10)]
    assert "Bùi Ngọc Vũ" not in [u.beneficiary.full_name for u in life_signals.unseen(commune, date(2027, 1, 1))]
    assert len(life_signals.unseen(commune, MAR25, months=8)) == 2  # window from 07/2024: Khải, Phúc seen
    app.config["LIFE_SIGNAL_MONTHS"] = 8
    assert [u.beneficiary.full_name for u in life_signals.unseen(commune, MAR25)] == ["Đặng Thị Lan", "Bùi Ngọc Vũ"]


def test_who_and_bad_visit(seen):
    with pytest.raises(AccessDenied):
        life_signals.unseen(user("agribank.chaudoc"), MAR25)
    with pytest.raises(AccessDenied):
        life_signals.record_visit(user("xa.tanloi"), seen["phuc"], date(2024, 9, 1))
    with pytest.raises(ValidationError):
        life_signals.record_visit(user("xa.vinhmy"), seen["phuc"], date(2030, 1, 1))
