"""The 2025 unit tree, the official 2024 → 2025 mapping and the competence rules shipped in ``portal/data/`` and
loaded by ``seed-reference`` (the test template is seeded with them): old and new units with the same GSO code
coexist, the load is idempotent, and a mapping row naming an unknown unit is refused with nothing added."""
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.errors import ValidationError
from portal.extensions import db
from portal.models import AdministrativeUnit, CompetenceRule, OrgKind, UnitSuccession
from portal.services import reference_data
from portal.services.organizations import duties_for, legal_basis_of

REFORM = date(2025, 7, 1)


def _count(*where) -> int:
    return db.session.execute(select(func.count()).select_from(AdministrativeUnit).where(*where)).scalar_one()


def test_both_trees_with_validity(app):
    communes = AdministrativeUnit.level == "commune"
    assert _count(communes, AdministrativeUnit.valid_to == date(2025, 6, 30)) == 155
    assert _count(communes, AdministrativeUnit.valid_from == REFORM, AdministrativeUnit.valid_to.is_(None)) == 102
    old, new = db.session.get(AdministrativeUnit, "89"), db.session.get(AdministrativeUnit, "91")
    assert (old.name, old.valid_to, new.name, new.valid_from) == ("Tỉnh An Giang", date(2025, 6, 30),
                                                                  "Tỉnh An Giang", REFORM)
    # 30325 was Phường Núi Sam and is now Phường Vĩnh Tế: two units, one GSO code, two keys
    same = db.session.execute(select(AdministrativeUnit).where(AdministrativeUnit.gso_code == "30325")
                              .order_by(AdministrativeUnit.valid_from)).scalars().all()
    assert [(u.code, u.name, u.parent_code) for u in same] == [("30325", "Phường Núi Sam", "884"),
                                                               ("30325@2025", "Phường Vĩnh Tế", "91")]
    assert same[0].valid_on(date(2025, 6, 30)) and not same[0].valid_on(REFORM) and same[1].valid_on(REFORM)
    # a 2025 code the 2024 tree does not use keeps it as key (Phường Rạch Giá, from Kiên Giang)
    assert db.session.get(AdministrativeUnit, "30742").gso_code == "30742"


def test_mapping_rows(app):
    rows = dict(((r.old_key, r.new_key), r) for r in db.session.execute(select(UnitSuccession)).scalars())
    assert len(rows) == 159 + 1  # 155 old communes (3 split: 2 + 2 + 3 rows) and the province 89 → 91
    assert ("30322", "30316@2025") in rows and ("30535", "30505@2025") in rows and ("89", "91") in rows
    assert ("30316", "30316@2025") in rows  # Phường Châu Phú B went into Phường Châu Đốc, same code
    split = db.session.execute(select(UnitSuccession.new_key).where(UnitSuccession.old_key == "30358")).scalars()
    assert len(set(split)) == 3


def test_load_is_idempotent(app):
    before = db.session.execute(select(func.count()).select_from(UnitSuccession)).scalar_one()
    assert reference_data.load_all_units() == 0
    assert db.session.execute(select(func.count()).select_from(UnitSuccession)).scalar_one() == before
    assert db.session.execute(select(func.count()).select_from(CompetenceRule)).scalar_one() == 10


def test_mapping_naming_unknown_unit_is_refused(app, tmp_path):
    bad = tmp_path / "map.csv"
    bad.write_text("old_commune_code,old_commune_name,new_commune_code,new_commune_name\n"
                   "30322,Phường Vĩnh Mỹ,99999,Phường Không Có\n", encoding="utf-8")
    db.session.execute(UnitSuccession.__table__.delete())
    with pytest.raises(ValidationError, match="dòng 2: mã 99999"):
        reference_data.load_succession(bad)
    assert db.session.execute(select(func.count()).select_from(UnitSuccession)).scalar_one() == 0


def test_competence_is_dated_data(app):
    aug25, jun25 = date(2025, 8, 1), date(2025, 6, 1)
    assert duties_for(OrgKind.COMMUNE, "commune", aug25) == {"intake", "payout_management", "post_office_contract"}
    assert duties_for(OrgKind.COMMUNE, "commune", jun25) == {"intake"}
    assert duties_for(OrgKind.DISTRICT, "district", jun25) == {"payout_management", "post_office_contract",
                                                               "report_receiving"}
    assert duties_for(OrgKind.DISTRICT, "district", aug25) == set()
    assert duties_for(OrgKind.PROVINCE, "province", aug25) == {"oversight", "report_receiving"}
    assert legal_basis_of("payout_management", OrgKind.COMMUNE, aug25) == "Nghị định 147/2025/NĐ-CP"
    # Decree 147/2025 is in force until 1/3/2027: the successor is a row, not a code change
    assert duties_for(OrgKind.COMMUNE, "commune", date(2027, 3, 1)) == set()
    db.session.add(CompetenceRule(duty="payout_management", org_kind=OrgKind.COMMUNE, unit_level="commune",
                                  valid_from=date(2027, 3, 1), legal_basis="Nghị định kế tiếp",
                                  separate_approver=True))
    db.session.flush()
    assert duties_for(OrgKind.COMMUNE, "commune", date(2027, 3, 1)) == {"payout_management"}
    assert legal_basis_of("payout_management", OrgKind.COMMUNE, date(2027, 3, 1)) == "Nghị định kế tiếp"
