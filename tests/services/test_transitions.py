"""The payout-list transition table (services/payouts/workflow.py ``MOVES`` and ``transition``): every allowed move
by the one role that may make it, every refused move (wrong state, wrong role), one audit entry per real change,
and two concurrent moves of which exactly one wins."""
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.errors import AccessDenied, StateError
from portal.extensions import db
from portal.models import AuditEvent, ListStatus, PayoutList
from portal.services.demo import user_by_username as user
from portal.services.payouts.build import build_lists
from portal.services.payouts.results import record_result
from portal.services.payouts.workflow import MOVES, transition
from tests.factories import AUG, chau_doc_people

ROLES = ["so.angiang", "pld.chaudoc", "pld.chaudoc.duyet", "pld.tinhbien.duyet", "xa.vinhmy", "xa.tanloi",
         "agribank.chaudoc", "buudien.chaudoc", "buudien.tinhbien", "congan.vinhmy"]
#: (move, from-state) → the only roles that may make it, on Vĩnh Mỹ's list prepared by pld.chaudoc
ALLOWED = {
    ("confirm", ListStatus.DRAFT): {"xa.vinhmy"},
    ("approve", ListStatus.CONFIRMED): {"pld.chaudoc.duyet"},
    ("accept", ListStatus.APPROVED): {"buudien.chaudoc"},
    ("report", ListStatus.ACCEPTED): {"buudien.chaudoc"},
    ("settle", ListStatus.REPORTED): {"pld.chaudoc", "pld.chaudoc.duyet"},
    ("return", ListStatus.DRAFT): {"xa.vinhmy"},
    ("return", ListStatus.CONFIRMED): {"pld.chaudoc.duyet"},
    ("return", ListStatus.APPROVED): {"buudien.chaudoc"},
}


@pytest.fixture
def list_id(app):
    """Vĩnh Mỹ's cash-at-point list of 08/2024 as a committed draft, prepared by pld.chaudoc."""
    chau_doc_people()
    lst = next(x for x in build_lists(user("pld.chaudoc"), AUG).lists
               if x.commune_code == "30322" and x.channel == "cash_at_point")
    db.session.commit()
    return lst.id


def _at(list_id: int, status: ListStatus) -> PayoutList:
    lst = db.session.get(PayoutList, list_id)
    lst.status = status.value
    db.session.commit()
    return lst


def _audits(list_id: int, action: str) -> int:
    return db.session.execute(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.object_type == "payout_list", AuditEvent.object_id == list_id,
        AuditEvent.action == action)).scalar_one()


def test_the_table_names_every_move_from_every_state():
    assert {(name, source) for name, move in MOVES.items() for source in move.sources} == set(ALLOWED)
    assert {name: move.target for name, move in MOVES.items()} == {
        "confirm": ListStatus.CONFIRMED, "approve": ListStatus.APPROVED, "return": ListStatus.RETURNED,
        "accept": ListStatus.ACCEPTED, "report": ListStatus.REPORTED, "settle": ListStatus.SETTLED}


@pytest.mark.parametrize("name, source", sorted(ALLOWED, key=str))
def test_each_move_by_its_role_only_with_one_audit_entry(list_id, name, source):
    lst = _at(list_id, source)
    version = lst.version
    for role in sorted(set(ROLES) - ALLOWED[name, source]):
        with pytest.raises((AccessDenied, StateError)):  # self-approval is a StateError, the rest AccessDenied
            transition(user(role), lst, name, reason="Sai số tiền" if name == "return" else None)
    assert (lst.status, lst.version, _audits(list_id, MOVES[name].action)) == (source.value, version, 0)
    actor = user(sorted(ALLOWED[name, source])[0])
    transition(actor, lst, name, reason="Sai số tiền của hai dòng" if name == "return" else None)
    db.session.commit()
    move = MOVES[name]
    assert (lst.status, lst.version, _audits(list_id, move.action)) == (move.target.value, version + 1, 1)
    if move.by:
        assert getattr(lst, move.by) == actor.id
    assert getattr(lst, move.at) is not None
    if name == "return":
        assert (lst.returned_from, lst.return_reason, lst.confirmed_by_id, lst.approved_at) == (
            source.value, "Sai số tiền của hai dòng", None, None)
    event = db.session.execute(select(AuditEvent).where(AuditEvent.object_id == list_id,
                                                        AuditEvent.action == move.action)).scalar_one()
    assert (event.before, event.after["status"]) == ({"status": source.value}, move.target.value)


@pytest.mark.parametrize("name", sorted(MOVES))
def test_each_move_is_refused_from_every_other_state(list_id, name):
    move = MOVES[name]
    for source in ListStatus:
        if source in move.sources:
            continue
        lst = _at(list_id, source)
        role = sorted(next(roles for (n, s), roles in ALLOWED.items() if n == name and
                           (name != "return" or s == ListStatus.DRAFT)))[0]
        expected = move.refused_from.get(source, move.refused).format(label=source.label)
        with pytest.raises(StateError) as err:
            transition(user(role), lst, name, reason="Sai số tiền" if name == "return" else None)
        assert str(err.value) == expected
        assert lst.status == source.value
    assert _audits(list_id, move.action) == 0


def test_the_preparer_approving_is_refused_as_self_approval(list_id):
    lst = _at(list_id, ListStatus.CONFIRMED)
    lst.prepared_by_id = user("pld.chaudoc.duyet").id
    db.session.commit()
    with pytest.raises(StateError, match="^Người lập danh sách không được tự phê duyệt$"):
        transition(user("pld.chaudoc.duyet"), lst, "approve")


def test_the_last_result_reports_the_list_through_the_table(list_id):
    lst = _at(list_id, ListStatus.ACCEPTED)
    post = user("buudien.chaudoc")
    for line in lst.lines:
        assert lst.status == "accepted"
        record_result(post, line, "paid", paid_on=date(2024, 8, 5))
    db.session.commit()
    assert lst.status == "reported" and lst.reported_at is not None and _audits(list_id, "report") == 1


@pytest.mark.parametrize("first, second", [("approve", "approve"), ("approve", "return"), ("return", "approve")])
def test_two_concurrent_moves_one_wins(app, list_id, first, second):
    _at(list_id, ListStatus.CONFIRMED)
    db.session.remove()
    with app.app_context():  # B reads the list (version N) …
        b_list = db.session.get(PayoutList, list_id)
        b_actor = user("pld.chaudoc.duyet")
        with app.app_context():  # … A moves it and commits …
            transition(user("pld.chaudoc.duyet"), db.session.get(PayoutList, list_id), first,
                       reason="Sai số tiền" if first == "return" else None)
            db.session.commit()
            db.session.remove()
        with pytest.raises(StateError, match=re.escape(MOVES[second].lost)):  # … B, from version N, changes nothing
            transition(b_actor, b_list, second, reason="Thiếu người" if second == "return" else None)
        db.session.rollback()
        db.session.remove()
    lst = db.session.get(PayoutList, list_id)
    assert lst.status == MOVES[first].target.value
    assert _audits(list_id, MOVES[first].action) == 1
    if first != second:
        assert _audits(list_id, MOVES[second].action) == 0
