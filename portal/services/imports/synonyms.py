"""Category wording as clerks write it (cách ghi diện đối tượng trong bảng tính) → category of Decree 20/2021 Art. 5.

The commune spreadsheets name the category in the clerk's own words ("Người cao tuổi hộ nghèo không có người phụng
dưỡng", "NCT >80 tuổi", "Khuyết tật ĐBN"). The import (``imports.rows``) looks each text up, folded
(``identity.fold``: no diacritics, lower case, single spaces), in the ``CategorySynonym`` table; an unknown text is a
row error naming it. The province (Sở, duty ``oversight``) keeps this table: list, add, delete — every change in the
audit trail. The category codes themselves ("K1", "K5a" …) are always recognised and cannot be deleted. For K6 a
synonym also fixes the disability level (mức độ khuyết tật: nặng / đặc biệt nặng). Flushes, never commits."""
from dataclasses import dataclass

from sqlalchemy import select

from ...errors import ValidationError
from ...extensions import db
from ...models import Category, CategorySynonym, DisabilityLevel
from ..audit import record
from ..registry.identity import fold, nfc

MAX_TEXT = 200
#: categories whose synonyms must say the disability level
LEVEL_CATEGORIES = ("K6",)


@dataclass(frozen=True)
class SynonymRow:
    """One line of the synonym list: ``key`` (folded text, the table's key), ``text`` as entered (the folded key for
    rows seeded before the original wording was kept), the category ``code`` and ``name``, the disability ``level``
    label ("Nặng" / "Đặc biệt nặng" / ""), and ``fixed`` (a category code itself: cannot be deleted)."""

    key: str
    text: str
    code: str
    name: str
    level: str
    fixed: bool


def categories() -> list[Category]:
    """The categories a synonym may point to, by code."""
    return list(db.session.execute(select(Category).order_by(Category.code)).scalars())


def list_synonyms(query: str = "") -> list[SynonymRow]:
    """Every synonym (or those whose folded text contains the folded ``query``), by category code then text."""
    names = {c.code: c.name for c in categories()}
    codes = {fold(code) for code in names}
    stmt = select(CategorySynonym)
    needle = fold(query)
    if needle:
        stmt = stmt.where(CategorySynonym.text_fold.contains(needle, autoescape=True))
    rows = [SynonymRow(s.text_fold, s.text or s.text_fold, s.category_code, names.get(s.category_code, ""),
                       (DisabilityLevel.label_of(s.disability_level) or ""), s.text_fold in codes)
            for s in db.session.execute(stmt).scalars()]
    return sorted(rows, key=lambda r: (r.code, r.key))


def add_synonym(actor, text: str, category_code: str, disability_level: str | None = None) -> CategorySynonym:
    """Add how clerks write a category: ``text`` (any case, accents, NFD; stored folded as the key and as typed,
    NFC), ``category_code`` an existing category, ``disability_level`` "severe" | "especially_severe" — required for
    K6, refused otherwise. Records an audit event "synonym_add". Raises ``ValidationError`` (Vietnamese) for an empty
    or too long text, an unknown category, a wrong level, or a text already in the table (naming its category)."""
    text = nfc(text)
    key = fold(text)
    if not key:
        raise ValidationError("Chưa nhập cách ghi diện đối tượng.")
    if len(text) > MAX_TEXT:
        raise ValidationError(f"Cách ghi quá dài (tối đa {MAX_TEXT} ký tự).")
    category = db.session.get(Category, category_code or "")
    if category is None:
        raise ValidationError("Chọn diện đối tượng (K1…K8).")
    level = disability_level or None
    if category.code in LEVEL_CATEGORIES and not DisabilityLevel.has(level):
        raise ValidationError(f"Diện {category.code} cần mức độ khuyết tật: nặng hoặc đặc biệt nặng.")
    if category.code not in LEVEL_CATEGORIES and level is not None:
        raise ValidationError(f"Diện {category.code} không có mức độ khuyết tật; để trống ô này.")
    existing = db.session.get(CategorySynonym, key)
    if existing is not None:
        level_text = f" {DisabilityLevel(existing.disability_level).label.lower()}" if existing.disability_level else ""
        raise ValidationError(f"Cách ghi «{text}» đã có trong danh mục (→ {existing.category_code}{level_text}).")
    synonym = CategorySynonym(text_fold=key, text=text, category_code=category.code, disability_level=level)
    db.session.add(synonym)
    record(actor, "synonym_add", "category_synonym", None,
           f"Thêm cách ghi diện đối tượng «{text}» → {category.code}", after=_snapshot(synonym))
    db.session.flush()
    return synonym


def delete_synonym(actor, key: str) -> None:
    """Delete the synonym whose folded text is ``key``, with an audit event "synonym_delete". Files already
    imported keep their categories; a later file using this wording gets a row error. Raises ``ValidationError`` when
    it does not exist or is a category code itself ("K1")."""
    synonym = db.session.get(CategorySynonym, key or "")
    if synonym is None:
        raise ValidationError("Không có cách ghi này trong danh mục.")
    if key in {fold(c.code) for c in categories()}:
        raise ValidationError(f"Mã diện «{synonym.category_code}» luôn được nhận, không xoá được.")
    before = _snapshot(synonym)
    db.session.delete(synonym)
    record(actor, "synonym_delete", "category_synonym", None,
           f"Xoá cách ghi diện đối tượng «{synonym.text or synonym.text_fold}» → {synonym.category_code}",
           before=before)
    db.session.flush()


def _snapshot(s: CategorySynonym) -> dict:
    return {"Cách ghi": s.text or s.text_fold, "Diện đối tượng": s.category_code,
            "Mức độ khuyết tật": (DisabilityLevel.label_of(s.disability_level) or "")}
