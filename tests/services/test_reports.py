"""Province overview: per district and commune, beneficiaries by channel, accounts opened, month's list totals."""
from datetime import date

import pytest
from sqlalchemy import event

from portal.extensions import db
from portal.services.demo import user_by_username as user
from portal.services.payouts.results import record_result
from portal.services.reporting.overview import province_overview
from tests.factories import AUG, chau_doc_people, run_to_accepted


@pytest.fixture
def cycle(app):
    chau_doc_people()
    lists = run_to_accepted()
    record_result(user("buudien.chaudoc"), lists["account"].lines[0], "paid", paid_on=date(2024, 8, 5))
    db.session.commit()
    return lists


def test_overview_per_district_and_commune(cycle):
    ov = province_overview(AUG)
    assert len(ov.districts) == 11
    chau_doc = next(d for d in ov.districts if d.total.code == "884")
    assert chau_doc.total.name == "Thành phố Châu Đốc"
    vm = next(c for c in chau_doc.communes if c.code == "30322")
    # active: vu, yen, khai, phuc, thoa, lan, moi (starts 09/2024 but is active); dung is stopped
    assert (vm.name, vm.beneficiaries, vm.accounts_opened) == ("Phường Vĩnh Mỹ", 7, 2)
    assert vm.by_channel["bank_account"] == 3 and vm.by_channel["cash_at_home"] == 1
    assert vm.by_channel["cash_at_point"] == 3 and vm.chose_account == 3
    assert (vm.lists, vm.list_people, vm.list_amount, vm.paid_amount) == (3, 5, 3_750_000, 1_000_000)
    nui_sam = next(c for c in chau_doc.communes if c.code == "30325")
    assert (nui_sam.beneficiaries, nui_sam.list_people, nui_sam.list_amount, nui_sam.paid_amount) == (1, 1, 750_000, 0)
    assert (chau_doc.total.beneficiaries, chau_doc.total.list_people, chau_doc.total.list_amount,
            chau_doc.total.paid_amount) == (8, 6, 4_500_000, 1_000_000)
    tinh_bien = next(d for d in ov.districts if d.total.code == "890")
    assert (tinh_bien.total.beneficiaries, tinh_bien.total.list_people) == (1, 0)
    assert (ov.total.beneficiaries, ov.total.list_amount, ov.total.paid_amount) == (9, 4_500_000, 1_000_000)
    assert province_overview(date(2024, 7, 1)).total.list_amount == 0


def test_overview_uses_a_fixed_number_of_queries(cycle):
    statements = []
    listener = lambda *a: statements.append(a[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        province_overview(AUG)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) == 6  # + 1: the events of people whose status changed after the month (active_in_month)


def test_accounts_opened_counts_only_people_who_chose_an_account(app):
    people = chau_doc_people()
    people["vu"].payment_channel = "cash_at_point"  # keeps his Agribank account but now takes cash
    db.session.commit()
    vm = next(c for d in province_overview(AUG).districts if d.total.code == "884" for c in d.communes
              if c.code == "30322")
    assert (vm.chose_account, vm.accounts_opened) == (2, 1)  # only Yến: chose an account and has one
