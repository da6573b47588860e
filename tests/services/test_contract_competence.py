"""The service contract with the post office follows the ``post_office_contract`` duty the competence rules in force
give (portal/data/competence-rules.csv), not ``payout_management``: the district labour office until 30/6/2025
(Nghị định 20/2021/NĐ-CP), the commune committee from 1/7/2025 (Nghị định 147/2025/NĐ-CP)."""
from datetime import date

import pytest

from portal.access import is_contract_office, signs_contracts
from portal.errors import AccessDenied
from portal.extensions import db
from portal.models import TREE_2024_END, TREE_2025_START, Duty
from portal.services.demo import user_by_username
from portal.services.documents import contracts
from portal.services.organizations import apply_competence, duties_for


def _draft(user, day):
    data = contracts.defaults(user, day)
    data.party_b_signer = "Huỳnh Văn Bưu"
    return contracts.create_draft(user, data)


def test_both_worlds_get_the_contract_duty_from_the_rules_in_force(app):
    assert Duty.POST_OFFICE_CONTRACT in duties_for("district_office", "district", TREE_2024_END)
    assert Duty.POST_OFFICE_CONTRACT in duties_for("commune_committee", "commune", TREE_2025_START)
    district, commune = user_by_username("pld.chaudoc"), user_by_username("ubnd.chaudoc")
    assert signs_contracts(district) and signs_contracts(commune)
    assert not signs_contracts(user_by_username("xa.vinhmy"))  # a 2024 commune: intake only
    old = _draft(district, date(2024, 8, 5))
    new = _draft(commune, date(2025, 8, 4))
    assert (old.district_org.name, new.district_org.name) == (
        "Phòng Lao động - Thương binh và Xã hội", "Ủy ban nhân dân Phường Châu Đốc")
    assert new.post_office.name == "Bưu điện Phường Châu Đốc" and new.commune_codes == ["30316@2025"]


@pytest.mark.parametrize("username", ["pld.chaudoc", "ubnd.chaudoc"])
def test_payout_management_alone_does_not_sign_contracts(app, client, username):
    user = user_by_username(username)
    org = user.organization
    org.duties = ",".join(sorted(org.duty_set - {Duty.POST_OFFICE_CONTRACT}))
    db.session.commit()
    assert org.has_duty(Duty.PAYOUT_MANAGEMENT)
    with pytest.raises(AccessDenied, match="thẩm quyền ký hợp đồng dịch vụ chi trả"):
        _draft(user, date(2025, 8, 4))
    client.login(username)
    assert client.get("/huyen/hop-dong/").status_code == 403


def test_the_reform_moves_the_duty_from_the_district_office_to_the_commune(app):
    district = user_by_username("pld.chaudoc")
    contract = _draft(district, date(2025, 6, 5))
    assert is_contract_office(district, contract)
    apply_competence(TREE_2025_START)
    assert not signs_contracts(district) and not is_contract_office(district, contract)
    with pytest.raises(AccessDenied):
        contracts.issue_contract(district, contract, date(2025, 7, 2))
    assert signs_contracts(user_by_username("ubnd.chilang"))
