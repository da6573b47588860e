"""Hamlets of a commune (danh mục khóm/ấp): the list the intake form chooses from, kept by the commune clerk.

Names are NFC with single spaces; ``name_fold`` (no diacritics, tone placement ignored) is unique per commune so
"Ấp Tân Hòa" cannot be added twice as "Ấp Tân Hoà"; lists are ordered by the Vietnamese sort key of the name.
Renaming a hamlet renames it on every beneficiary linked to it; a hamlet is never deleted, only taken off the list
(``active=False``). Every write is audited. Services flush, never commit."""
from sqlalchemy import select, update

from ...errors import ValidationError
from ...extensions import db
from ...models import AdministrativeUnit, Beneficiary, Hamlet
from ..audit import record
from .identity import fold, nfc, text_sort_key
from .lookups import hamlet_named

#: the demo communes' hamlets, as the shared sample lists write them (``samples/``): Phường Vĩnh Mỹ
#: (30322) and Xã Tân Lợi (30535); Phường Núi Sam (30325) has the one hamlet the test factories use.
DEMO_HAMLETS = {
    "30322": ["Khóm Hòa Bình", "Khóm Mỹ Thới 1", "Khóm Mỹ Thới 2", "Khóm Mỹ Thới 3", "Khóm Mỹ Thới 4",
              "Khóm Mỹ Thới 5", "Khóm Vĩnh Tây"],
    "30325": ["Khóm Vĩnh Đông"],
    "30535": ["Ấp Tân Hòa", "Ấp Tân Long", "Ấp Tân Thành", "Ấp Tân Thuận"],
}
NAME_LIMIT = 120


def hamlets_for(commune_code: str, include_inactive: bool = False, keep_id: int | None = None) -> list[Hamlet]:
    """The hamlets of ``commune_code`` in Vietnamese name order; inactive ones only with ``include_inactive`` or when
    their id is ``keep_id`` (the one a record being edited already has)."""
    stmt = select(Hamlet).where(Hamlet.commune_code == commune_code)
    if not include_inactive:
        stmt = stmt.where(Hamlet.active | (Hamlet.id == (keep_id or -1)))
    return list(db.session.execute(stmt.order_by(Hamlet.name_sort, Hamlet.id)).scalars())


def find_hamlet(commune_code: str, name: str | None) -> Hamlet | None:
    """The hamlet of ``commune_code`` whose folded name equals ``fold(name)`` (any tone placement, case, NFC/NFD),
    or None."""
    key = fold(name)
    if not key:
        return None
    return hamlet_named(commune_code, key)


def _clean_name(commune_code: str, raw: str | None, current: Hamlet | None = None) -> str:
    name = nfc(raw)
    if not name:
        raise ValidationError("Nhập tên khóm/ấp.")
    if len(name) > NAME_LIMIT:
        raise ValidationError(f"Tên khóm/ấp dài quá {NAME_LIMIT} ký tự.")
    if not name[0].isalpha() or any(ch in "=+@<>\"" for ch in name):
        raise ValidationError(f"Tên khóm/ấp «{name}» không hợp lệ: bắt đầu bằng chữ cái, không dùng = + @ < > \".")
    same = find_hamlet(commune_code, name)
    if same is not None and (current is None or same.id != current.id):
        raise ValidationError(f"Xã đã có khóm/ấp «{same.name}».")
    return name


def add_hamlet(actor, commune_code: str, name: str | None) -> Hamlet:
    """Add a hamlet named ``name`` to ``commune_code``'s list. Raises ``ValidationError`` (empty, too long, a
    formula character, or already on the list — compared folded). Audited; flushes."""
    clean = _clean_name(commune_code, name)
    hamlet = Hamlet(commune_code=commune_code, name=clean, name_fold=fold(clean), name_sort=text_sort_key(clean),
                    active=True)
    db.session.add(hamlet)
    db.session.flush()
    record(actor, "create", "hamlet", hamlet.id, f"Thêm khóm/ấp {clean}", after={"Tên": clean})
    return hamlet


def rename_hamlet(actor, hamlet: Hamlet, name: str | None) -> int:
    """Rename ``hamlet`` and the hamlet text of every beneficiary linked to it. Returns how many beneficiaries were
    renamed. Raises ``ValidationError`` as ``add_hamlet``. Audited; flushes."""
    clean = _clean_name(hamlet.commune_code, name, current=hamlet)
    if clean == hamlet.name:
        return 0
    old = hamlet.name
    hamlet.name, hamlet.name_fold, hamlet.name_sort = clean, fold(clean), text_sort_key(clean)
    moved = db.session.execute(update(Beneficiary).where(Beneficiary.hamlet_id == hamlet.id)
                               .values(hamlet=clean).execution_options(synchronize_session="fetch")).rowcount
    db.session.flush()
    record(actor, "update", "hamlet", hamlet.id, f"Đổi tên khóm/ấp {old} → {clean} ({moved} đối tượng)",
           before={"Tên": old}, after={"Tên": clean})
    return moved


def set_hamlet_active(actor, hamlet: Hamlet, active: bool) -> None:
    """Put ``hamlet`` back on, or take it off, the form's list (people already there keep it). Audited; flushes."""
    if hamlet.active == active:
        return
    hamlet.active = active
    db.session.flush()
    record(actor, "update", "hamlet", hamlet.id,
           f"{'Dùng lại' if active else 'Ngừng dùng'} khóm/ấp {hamlet.name}",
           before={"Đang dùng": not active}, after={"Đang dùng": active})


def people_per_hamlet(commune_code: str) -> dict[int, int]:
    """hamlet id → number of beneficiaries linked to it (for the maintenance page)."""
    rows = db.session.execute(select(Beneficiary.hamlet_id, db.func.count(Beneficiary.id))
                              .where(Beneficiary.commune_code == commune_code, Beneficiary.hamlet_id.is_not(None))
                              .group_by(Beneficiary.hamlet_id))
    return dict(rows.all())


def seed_hamlets(hamlets: dict[str, list[str]] | None = None) -> int:
    """Add the missing hamlets of ``hamlets`` (commune code → names; default ``DEMO_HAMLETS``) for communes that
    exist. Idempotent; not audited (set-up data). Returns how many were added. Flushes."""
    added = 0
    for code, names in (hamlets or DEMO_HAMLETS).items():
        if db.session.get(AdministrativeUnit, code) is None:
            continue
        for name in names:
            if find_hamlet(code, name) is None:
                clean = nfc(name)
                db.session.add(Hamlet(commune_code=code, name=clean, name_fold=fold(clean),
                                      name_sort=text_sort_key(clean), active=True))
                db.session.flush()
                added += 1
    return added
