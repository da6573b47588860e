"""Loading shipped reference data into the database, idempotently: administrative units (An Giang 2024, GSO codes),
categories, category synonyms, coefficient rules, standard levels and payment providers (``portal/data/``).

Existing rows are left as they are (the province may have edited them); only missing rows are added."""
import csv
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from ..extensions import db
from ..models import (
    AdministrativeUnit,
    Category,
    CategorySynonym,
    CoefficientRule,
    FeeRule,
    PaymentProvider,
    SocialPensionLevel,
    StandardLevel,
    SupportRule,
)
from .registry.identity import fold

DATA = Path(__file__).resolve().parent.parent / "data"


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def load_units(path: Path = DATA / "an-giang-units-2024.csv") -> int:
    """Insert the province, districts and communes of ``path`` (columns of ``an-giang-units-2024.csv``) that are not
    yet in the database. Returns the number of units added. 2024 units are valid until 30/6/2025."""
    existing = set(db.session.execute(select(AdministrativeUnit.code)).scalars())
    added = 0
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for code, name, level, kind, parent in (
                (row["province_code"], row["province_name"], "province", "tỉnh", None),
                (row["district_code"], row["district_name"], "district", row["district_type"], row["province_code"]),
                (row["commune_code"], row["commune_name"], "commune", row["commune_type"], row["district_code"]),
            ):
                if code not in existing:
                    db.session.add(AdministrativeUnit(code=code, name=name, level=level, unit_type=kind,
                                                      parent_code=parent, valid_to=date(2025, 7, 1)))
                    existing.add(code)
                    added += 1
    db.session.flush()
    return added


def load_reference(path: Path = DATA / "categories.json") -> dict[str, int]:
    """Insert missing categories, synonyms, coefficient rules, standard levels and providers from ``path``.
    Returns counts added per kind."""
    data = json.loads(path.read_text(encoding="utf-8"))
    counts = {"categories": 0, "synonyms": 0, "coefficients": 0, "standard_levels": 0, "providers": 0}
    have = set(db.session.execute(select(Category.code)).scalars())
    for code, name, ref, sensitive, valid_to in data["categories"]:
        if code not in have:
            db.session.add(Category(code=code, name=name, legal_ref=ref, sensitive=sensitive, valid_to=_d(valid_to)))
            counts["categories"] += 1
    db.session.flush()
    have = set(db.session.execute(select(CategorySynonym.text_fold)).scalars())
    for text, code, level in data["synonyms"] + [[c[0], c[0], None] for c in data["categories"]]:
        key = fold(text)
        if key not in have:
            db.session.add(CategorySynonym(text_fold=key, category_code=code, disability_level=level, text=text))
            have.add(key)
            counts["synonyms"] += 1
    if not db.session.execute(select(CoefficientRule.id).limit(1)).first():
        for cat, level, a_from, a_to, coef, per_child, v_from, v_to, label in data["coefficients"]:
            db.session.add(CoefficientRule(
                category_code=cat, disability_level=level, age_from=a_from, age_to=a_to,
                coefficient=Decimal(coef), per_child=per_child, valid_from=_d(v_from), valid_to=_d(v_to),
                label=label, legal_basis="NĐ 20/2021/NĐ-CP Điều 6"))
            counts["coefficients"] += 1
    have = set(db.session.execute(select(StandardLevel.valid_from)).scalars())
    for v_from, amount, basis in data["standard_levels"]:
        if _d(v_from) not in have:
            db.session.add(StandardLevel(valid_from=_d(v_from), amount=amount, legal_basis=basis))
            counts["standard_levels"] += 1
    counts["social_pension_levels"] = _load_social_pension_levels(data)
    counts.update(_load_support_and_fee_rules(data))
    have = set(db.session.execute(select(PaymentProvider.code)).scalars())
    for code, name, bin_, kind in data["providers"]:
        if code not in have:
            db.session.add(PaymentProvider(code=code, name=name, bin=bin_, kind=kind))
            counts["providers"] += 1
    db.session.flush()
    return counts


def _load_social_pension_levels(data: dict) -> int:
    """Missing social-pension levels (by valid-from; Decree 176/2025 Art. 5), a provisional one (tạm tính) as such.
    Returns how many were added."""
    have = set(db.session.execute(select(SocialPensionLevel.valid_from)).scalars())
    added = 0
    for v_from, amount, basis, provisional in data.get("social_pension_levels", []):
        if _d(v_from) not in have:
            db.session.add(SocialPensionLevel(valid_from=_d(v_from), amount=amount, legal_basis=basis,
                                              provisional=provisional))
            added += 1
    return added


def _load_support_and_fee_rules(data: dict) -> dict[str, int]:
    """Missing support rules (funeral Art. 11, care Art. 20; by kind and valid-from) and fee rules (by valid-from)."""
    counts = {"support_rules": 0, "fee_rules": 0}
    have = set(db.session.execute(select(SupportRule.kind, SupportRule.valid_from)).all())
    for kind, coef, v_from, v_to, label, basis in data.get("support_rules", []):
        if (kind, _d(v_from)) not in have:
            db.session.add(SupportRule(kind=kind, coefficient=Decimal(coef), valid_from=_d(v_from),
                                       valid_to=_d(v_to), label=label, legal_basis=basis))
            counts["support_rules"] += 1
    have = set(db.session.execute(select(FeeRule.valid_from)).scalars())
    for v_from, per_person, bp, basis in data.get("fee_rules", []):
        if _d(v_from) not in have:
            db.session.add(FeeRule(valid_from=_d(v_from), per_beneficiary=per_person, basis_points=bp,
                                   legal_basis=basis))
            counts["fee_rules"] += 1
    return counts
