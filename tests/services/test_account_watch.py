"""Account usability watch: the identity document an account was opened on, CMND invalid from 01/01/2025, the
commune's worklist (reason, deadline, what to do) and the count per commune for the province."""
from datetime import date

import pytest

from portal.errors import AccessDenied, ValidationError
from portal.extensions import db
from portal.services.accounts import opening, watch
from portal.services.demo import user_by_username as user
from tests.conftest import pinned_clock
from tests.factories import chau_doc_people

pytestmark = pinned_clock
JAN25 = date(2025, 1, 1)


@pytest.fixture
def people(app):
    p = chau_doc_people()
    db.session.commit()
    return p


def test_cmnd_expired_end_2024_and_cccd_expiring(people):
    vu, yen = people["vu"].active_account, people["yen"].active_account
    commune = user("xa.vinhmy")
    watch.record_document(commune, vu, "cmnd9", None)
    watch.record_document(user("agribank.chaudoc"), vu, "cmnd9", None)  # the bank covering Vĩnh Mỹ may too
    watch.record_document(commune, yen, "cccd", date(2025, 3, 10))
    dec = watch.worklist(commune, date(2024, 12, 1))  # both still work in 12/2024, both run out soon
    assert [(r.account, r.expired, r.deadline) for r in dec] == [(vu, False, date(2024, 12, 31)),
                                                                 (yen, False, date(2025, 3, 10))]
    rows = watch.worklist(commune, JAN25)
    assert [(r.account.account_number, r.expired, r.deadline) for r in rows] == [
        ("1164963643329", True, date(2024, 12, 31)), ("4668495185680", False, date(2025, 3, 10))]
    assert rows[0].reason.startswith("Tài khoản mở bằng CMND 9 số của đối tượng: CMND hết giá trị từ 01/01/2025")
    assert "kể cả tại quầy" in rows[0].reason and "mang CCCD còn hạn đến ngân hàng" in rows[0].action
    assert rows[1].action == "Nhắc đối tượng làm lại CCCD và cập nhật tại ngân hàng trước ngày 10/03/2025."
    assert [(u.code, a, b) for u, a, b in watch.commune_counts(user("so.angiang"), JAN25)] == [("30322", 1, 1)]
    assert watch.worklist(commune, date(2025, 4, 1))[1].expired  # the CCCD has expired by then


def test_document_rules_and_who(people):
    vu = people["vu"].active_account
    with pytest.raises(ValidationError, match="Ghi ngày hết hạn của CCCD"):
        watch.record_document(user("xa.vinhmy"), vu, "cccd", None)
    with pytest.raises(ValidationError):
        watch.record_document(user("xa.vinhmy"), vu, "giay-khac", None)
    for name in ("congan.vinhmy", "xa.tanloi"):
        with pytest.raises(AccessDenied):
            watch.record_document(user(name), vu, "cmnd9", None)
    assert watch.unknown_documents(user("xa.vinhmy")) == 2


def test_expired_document_pays_cash_with_the_reason(people):
    from sqlalchemy import select

    from portal.models import PayoutLine
    from portal.services.payouts.build import build_lists
    from portal.services.payouts.lines import line_notes
    watch.record_document(user("xa.vinhmy"), people["vu"].active_account, "cmnd9", None)
    watch.record_document(user("xa.vinhmy"), people["yen"].active_account, "cccd", date(2031, 5, 1))
    dec = date(2025, 1, 1)  # built today (12/2026): the CMND has expired, the CCCD has not
    build_lists(user("pld.chaudoc"), dec)
    lines = {line.beneficiary_id: line for line in db.session.execute(
        select(PayoutLine).where(PayoutLine.month == dec)).scalars()}
    vu, yen = lines[people["vu"].id], lines[people["yen"].id]
    assert (vu.payout_list.channel, vu.account_number) == ("cash_at_point", None)
    assert yen.payout_list.channel == "account"
    assert line_notes(vu.payout_list)[vu.id].account_problem == (
        "Tài khoản không dùng được: giấy tờ tùy thân của chủ tài khoản hết hạn ngày 31/12/2024")


def test_opening_on_a_document_the_watch_calls_expired_is_refused(people):
    bank, khai = user("agribank.chaudoc"), people["khai"]
    with pytest.raises(ValidationError, match="CMND 9 số hết giá trị từ 01/01/2025"):
        opening.mark_opened(bank, khai, "123456789", date(2026, 12, 6), document=("cmnd9", date(2030, 1, 1)))
    assert khai.active_account is None
    assert watch.document_risk("cmnd12", None, date(2024, 12, 31)) == "expiring"
    assert watch.document_risk("cmnd12", None, JAN25) == "expired"
    assert watch.document_risk("cccd", date(2027, 3, 31), date(2026, 12, 6)) == "expiring"
    assert watch.document_risk("cccd", date(2027, 4, 1), date(2026, 12, 6)) is None
    account = opening.mark_opened(bank, khai, "123456789", date(2024, 8, 5), document=("cmnd9", None))
    assert watch.assess(account, JAN25).expired  # opened while a CMND was valid: kept, and blocked from 2025
