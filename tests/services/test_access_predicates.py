"""The who-may-act predicates of portal/access.py, each demo role against a payout list inside its area (Phường
Vĩnh Mỹ, Châu Đốc) and one outside it (Xã Tân Lợi, Tịnh Biên)."""
import pytest

from portal import access, areas
from portal.extensions import db
from portal.models import Beneficiary, Organization, PayoutList, ServiceContract, User
from portal.services.demo import user_by_username as user

ROLES = ["so.angiang", "pld.chaudoc", "pld.chaudoc.duyet", "pld.tinhbien.duyet", "xa.vinhmy", "xa.tanloi",
         "agribank.chaudoc", "agribank.tinhbien", "buudien.chaudoc", "buudien.tinhbien", "congan.vinhmy",
         "congan.tanloi"]


def _post_office(unit_code: str) -> int:
    return db.session.execute(db.select(Organization.id).where(Organization.unit_code == unit_code,
                                                               Organization.kind == "post_office")).scalar_one()


@pytest.fixture
def lists(app):
    """Two confirmed lists, not stored: Vĩnh Mỹ's prepared by pld.chaudoc, Tân Lợi's by pld.tinhbien."""
    vinh_my = PayoutList(commune_code="30322", post_office_id=_post_office("884"), status="confirmed",
                         prepared_by_id=user("pld.chaudoc").id)
    tan_loi = PayoutList(commune_code="30535", post_office_id=_post_office("890"), status="confirmed",
                         prepared_by_id=user("pld.tinhbien").id)
    return vinh_my, tan_loi


def _who(predicate, *args) -> set[str]:
    return {name for name in ROLES if predicate(user(name), *args)}


def test_in_area_by_seat_coverage_and_province(lists):
    assert _who(access.in_area, "30322") == {"so.angiang", "pld.chaudoc", "pld.chaudoc.duyet", "xa.vinhmy",
                                             "agribank.chaudoc", "buudien.chaudoc", "congan.vinhmy"}
    assert _who(access.in_area, "30535") == {"so.angiang", "pld.tinhbien.duyet", "xa.tanloi", "agribank.tinhbien",
                                             "buudien.tinhbien", "congan.tanloi"}


def test_duties_without_an_area(app):
    assert _who(access.manages_payouts) == {"pld.chaudoc", "pld.chaudoc.duyet", "pld.tinhbien.duyet"}
    assert _who(access.oversees) == {"so.angiang"}
    assert _who(access.opens_accounts) == {"agribank.chaudoc", "agribank.tinhbien"}
    assert {name for name in ROLES if areas.is_bank(user(name).organization)} == {"agribank.chaudoc",
                                                                                    "agribank.tinhbien"}


def test_list_commune(lists):
    vinh_my, tan_loi = lists
    assert _who(access.is_list_commune, vinh_my) == {"xa.vinhmy"}
    assert _who(access.is_list_commune, tan_loi) == {"xa.tanloi"}
    assert _who(access.is_commune_of, "30322") == {"xa.vinhmy"}


def test_assigned_post_office(lists):
    vinh_my, tan_loi = lists
    assert _who(access.is_assigned_post_office, vinh_my) == {"buudien.chaudoc"}
    assert _who(access.is_assigned_post_office, tan_loi) == {"buudien.tinhbien"}
    vinh_my.post_office_id = None  # not assigned yet: no post office may act
    assert _who(access.is_assigned_post_office, vinh_my) == set()


def test_list_approver_and_may_approve(lists):
    vinh_my, tan_loi = lists
    assert _who(access.is_list_approver, vinh_my) == {"pld.chaudoc.duyet"}  # pld.chaudoc is not an approver
    assert _who(access.is_list_approver, tan_loi) == {"pld.tinhbien.duyet"}
    assert _who(access.may_approve, vinh_my) == {"pld.chaudoc.duyet"}
    assert _who(access.may_approve, tan_loi) == {"pld.tinhbien.duyet"}
    vinh_my.prepared_by_id = user("pld.chaudoc.duyet").id  # the preparer never approves
    assert _who(access.may_approve, vinh_my) == set()
    tan_loi.status = "draft"  # not confirmed by the commune yet
    assert _who(access.may_approve, tan_loi) == set()


def test_bank_coverage(app):
    chau_doc = user("agribank.chaudoc").organization
    assert access.covers(chau_doc, "30322") and not access.covers(chau_doc, "30535")
    assert set(db.session.execute(access.bank_ids()).scalars()) == set(db.session.execute(
        db.select(Organization.id).where(Organization.kind == "bank_branch")).scalars())


def test_contract_parties(app):
    contract = ServiceContract(district_org_id=user("pld.chaudoc").organization_id,
                               post_office_id=_post_office("884"))
    assert _who(access.is_contract_office, contract) == {"pld.chaudoc", "pld.chaudoc.duyet"}
    assert _who(access.is_contract_post_office, contract) == {"buudien.chaudoc"}


def test_template_globals_name_the_predicates():
    assert access.TEMPLATE_GLOBALS["may_approve"] is access.may_approve
    assert {"may_see", "in_area", "is_list_commune", "is_assigned_post_office", "manages_payouts",
            "is_contract_office"} <= set(access.TEMPLATE_GLOBALS)


def test_visible_has_one_scope_per_model(app):
    assert areas.SCOPES[Beneficiary].__name__ == "_beneficiaries"
    with pytest.raises(LookupError):
        areas.visible(User, user("so.angiang"))
