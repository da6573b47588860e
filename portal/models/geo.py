"""Administrative units (đơn vị hành chính): province → district → commune (2024 tree) and province → commune (2025)."""
from datetime import date

from ..extensions import db


class AdministrativeUnit(db.Model):
    """One unit by its GSO code (e.g. 89 An Giang, 884 Châu Đốc, 30322 Phường Vĩnh Mỹ); ``level`` is
    ``province|district|commune``; ``valid_from``/``valid_to`` let the 2024 and 2025 trees coexist."""

    __tablename__ = "administrative_unit"
    code = db.Column(db.String(10), primary_key=True)
    name = db.Column(db.String(120), nullable=False)
    level = db.Column(db.String(10), nullable=False)
    unit_type = db.Column(db.String(30))  # "phường", "xã", "thị trấn", "thành phố", ...
    parent_code = db.Column(db.String(10), db.ForeignKey("administrative_unit.code"), index=True)
    valid_from = db.Column(db.Date, nullable=False, default=date(2004, 1, 1))
    valid_to = db.Column(db.Date)

    parent = db.relationship("AdministrativeUnit", remote_side=[code])

    def __repr__(self):
        return f"<Unit {self.code} {self.name}>"
