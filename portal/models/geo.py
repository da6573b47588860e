"""Administrative units (đơn vị hành chính): province → district → commune (2024 tree) and province → commune (2025),
and the official succession between them (sắp xếp đơn vị hành chính, Resolution 1654/NQ-UBTVQH15 for An Giang)."""
from datetime import date

from ..extensions import db

#: last day of the 2024 tree (districts abolished, provinces merged on 1/7/2025; Law 72/2025/QH15)
TREE_2024_END = date(2025, 6, 30)
#: first day of the 2025 tree
TREE_2025_START = date(2025, 7, 1)


def gso_of_key(key: str) -> str:
    """The GSO code of a unit key ("30316@2025" → "30316", "30322" → "30322")."""
    return key.split("@", 1)[0]


def _gso_of_key(context) -> str:
    return gso_of_key(context.get_current_parameters()["code"])


class AdministrativeUnit(db.Model):
    """One unit for one period. ``code`` is the unit's *key* (surrogate): the GSO code for the 2024 tree (so rows of
    that time never change), ``"<gso>@2025"`` for a 2025 unit whose GSO code the 2024 tree already uses (30316 was
    Phường Châu Phú B, ``30316@2025`` is Phường Châu Đốc). ``gso_code`` is the official code (mã đơn vị hành chính,
    what is printed); (``gso_code``, ``valid_from``) is unique. ``level`` is ``province|district|commune``;
    ``valid_from``/``valid_to`` are inclusive days (the 2024 tree ends 30/6/2025, the 2025 one starts 1/7/2025)."""

    __tablename__ = "administrative_unit"
    __table_args__ = (db.Index("uq_administrative_unit_gso_code_from", "gso_code", "valid_from", unique=True),)
    code = db.Column(db.String(10), primary_key=True)
    gso_code = db.Column(db.String(10), nullable=False, index=True, default=_gso_of_key)
    name = db.Column(db.String(120), nullable=False)
    level = db.Column(db.String(10), nullable=False)
    unit_type = db.Column(db.String(30))  # "phường", "xã", "thị trấn", "thành phố", ...
    parent_code = db.Column(db.String(10), db.ForeignKey("administrative_unit.code"), index=True)
    valid_from = db.Column(db.Date, nullable=False, default=date(2004, 1, 1))
    valid_to = db.Column(db.Date)

    parent = db.relationship("AdministrativeUnit", remote_side=[code])

    def valid_on(self, day: date) -> bool:
        """True when the unit exists on ``day`` (inclusive bounds)."""
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    def __repr__(self):
        return f"<Unit {self.code} {self.name}>"


class UnitSuccession(db.Model):
    """One row of the official mapping (bảng chuyển đổi đơn vị hành chính): the old unit ``old_key`` (or part of it,
    when it was split — then it has several rows) went into ``new_key`` on ``valid_from``. ``note`` says which part
    (e.g. the hamlets) where the mapping text names it. Keys are ``AdministrativeUnit.code`` values."""

    __tablename__ = "unit_succession"
    old_key = db.Column(db.String(10), db.ForeignKey("administrative_unit.code"), primary_key=True)
    new_key = db.Column(db.String(10), db.ForeignKey("administrative_unit.code"), primary_key=True)
    valid_from = db.Column(db.Date, nullable=False)
    note = db.Column(db.String(300))

    old = db.relationship("AdministrativeUnit", foreign_keys=[old_key])
    new = db.relationship("AdministrativeUnit", foreign_keys=[new_key])
