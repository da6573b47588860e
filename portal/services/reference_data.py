"""Loading shipped reference data into the database, idempotently: administrative units (An Giang 2024 and 2025,
GSO codes, with the official 2024 → 2025 mapping), competence rules (thẩm quyền), categories, category synonyms,
coefficient rules, standard levels and payment providers (``portal/data/``).

Existing rows are left as they are (the province may have edited them); only missing rows are added."""
import csv
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from ..errors import ValidationError
from ..extensions import db
from ..models import (
    TREE_2024_END,
    TREE_2025_START,
    AdministrativeUnit,
    Category,
    CategorySynonym,
    CoefficientRule,
    CompetenceRule,
    FeeRule,
    PaymentProvider,
    SocialPensionLevel,
    StandardLevel,
    SupportRule,
    UnitSuccession,
)
from .registry.identity import fold

DATA = Path(__file__).resolve().parent.parent / "data"


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def load_units(path: Path = DATA / "an-giang-units-2024.csv") -> int:
    """Insert the province, districts and communes of ``path`` (columns of ``an-giang-units-2024.csv``) that are not
    yet in the database, keyed by their GSO code. Returns the number of units added. 2024 units are valid until
    30/6/2025 (inclusive)."""
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
                    db.session.add(AdministrativeUnit(code=code, gso_code=code, name=name, level=level,
                                                      unit_type=kind, parent_code=parent, valid_to=TREE_2024_END))
                    existing.add(code)
                    added += 1
    db.session.flush()
    return added


def unit_key(gso_code: str, valid_from: date) -> str | None:
    """The key (``AdministrativeUnit.code``) of the unit with ``gso_code`` valid from ``valid_from``, or None."""
    return db.session.execute(select(AdministrativeUnit.code).where(
        AdministrativeUnit.gso_code == gso_code, AdministrativeUnit.valid_from == valid_from)).scalar_one_or_none()


def load_units_2025(path: Path = DATA / "an-giang-units-2025.csv") -> int:
    """Insert the 2025 tree of ``path`` (columns province_code, province_name, commune_code, commune_name,
    commune_type; province → commune, no district), valid from 1/7/2025 (Law 72/2025/QH15, QĐ 19/2025/QĐ-TTg), that
    is not yet in the database. A unit whose GSO code the 2024 tree already uses gets the key ``"<gso>@2025"``
    (``AdministrativeUnit``). Returns the number of units added."""
    taken = set(db.session.execute(select(AdministrativeUnit.code)).scalars())
    added = 0

    def add(gso, name, level, kind, parent):
        nonlocal added
        if unit_key(gso, TREE_2025_START) is not None:
            return unit_key(gso, TREE_2025_START)
        key = gso if gso not in taken else f"{gso}@{TREE_2025_START.year}"
        db.session.add(AdministrativeUnit(code=key, gso_code=gso, name=name, level=level, unit_type=kind,
                                          parent_code=parent, valid_from=TREE_2025_START))
        db.session.flush()
        taken.add(key)
        added += 1
        return key

    provinces: dict[str, str] = {}
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            gso = row["province_code"]
            if gso not in provinces:
                provinces[gso] = add(gso, f"Tỉnh {row['province_name']}", "province", "tỉnh", None)
            add(row["commune_code"], row["commune_name"], "commune", row["commune_type"], provinces[gso])
    return added


def load_succession(path: Path = DATA / "an-giang-units-2024-to-2025.csv") -> int:
    """Insert the missing rows of the official 2024 → 2025 mapping (columns old_commune_code, old_commune_name,
    new_commune_code, new_commune_name; an old commune split among several new ones has one row per part), and the
    province's own row (89 → 91). Both trees must be loaded. Returns the number of rows added. Raises
    ``ValidationError`` naming the row when a code is not a unit of its tree (nothing is added then)."""
    old_units = dict(db.session.execute(select(AdministrativeUnit.gso_code, AdministrativeUnit.code).where(
        AdministrativeUnit.valid_to == TREE_2024_END)).all())
    new_units = dict(db.session.execute(select(AdministrativeUnit.gso_code, AdministrativeUnit.code).where(
        AdministrativeUnit.valid_from == TREE_2025_START)).all())
    have = set(db.session.execute(select(UnitSuccession.old_key, UnitSuccession.new_key)).all())
    pairs = []
    with open(path, encoding="utf-8") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            old, new = old_units.get(row["old_commune_code"]), new_units.get(row["new_commune_code"])
            if old is None or new is None:
                code = row["old_commune_code"] if old is None else row["new_commune_code"]
                raise ValidationError(f"Bảng chuyển đổi, dòng {line}: mã {code} không phải đơn vị hành chính "
                                      f"{'trước' if old is None else 'từ'} 01/07/2025.")
            pairs.append((old, new, row.get("note") or None))
    provinces_old = db.session.execute(select(AdministrativeUnit.code).where(
        AdministrativeUnit.level == "province", AdministrativeUnit.valid_to == TREE_2024_END)).scalars().all()
    provinces_new = db.session.execute(select(AdministrativeUnit.code).where(
        AdministrativeUnit.level == "province", AdministrativeUnit.valid_from == TREE_2025_START)).scalars().all()
    if len(provinces_new) == 1:
        pairs += [(p, provinces_new[0], "Hợp nhất tỉnh (Nghị quyết 202/2025/QH15)") for p in provinces_old]
    added = 0
    for old, new, note in pairs:
        if (old, new) not in have:
            db.session.add(UnitSuccession(old_key=old, new_key=new, valid_from=TREE_2025_START, note=note))
            have.add((old, new))
            added += 1
    db.session.flush()
    return added


def load_competence(path: Path = DATA / "competence-rules.csv") -> int:
    """Insert the missing competence rules (thẩm quyền; columns duty, org_kind, unit_level, valid_from, valid_to,
    separate_approver, legal_basis, note), keyed by (duty, org_kind, valid_from). Returns the number added."""
    have = set(db.session.execute(select(CompetenceRule.duty, CompetenceRule.org_kind,
                                         CompetenceRule.valid_from)).all())
    added = 0
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            key = (row["duty"], row["org_kind"], _d(row["valid_from"]))
            if key not in have:
                db.session.add(CompetenceRule(
                    duty=row["duty"], org_kind=row["org_kind"], unit_level=row["unit_level"],
                    valid_from=_d(row["valid_from"]), valid_to=_d(row["valid_to"]),
                    separate_approver=row["separate_approver"] == "1", legal_basis=row["legal_basis"],
                    note=row["note"] or None))
                have.add(key)
                added += 1
    db.session.flush()
    return added


def load_all_units() -> int:
    """Both trees, the mapping and the competence rules (``seed-reference``). Returns the number of units added."""
    added = load_units() + load_units_2025()
    load_succession()
    load_competence()
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
