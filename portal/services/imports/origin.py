"""Whose list a spreadsheet is (danh sách của xã/phường nào): the communes named in its title block — the rows above
the header, e.g. "UBND XÃ TÂN LỢI" and "Xã Tân Lợi, Thị xã Tịnh Biên - Tháng 7/2024" — so that a commune cannot
import another commune's list by mistake. Many files have no title; naming no commune is not an error.

Names are compared folded (``identity.fold``) as "<type> <name>" ("xa tan loi", "phuong vinh my", "thi xa tinh
bien") on word boundaries, so "Xã Vĩnh Phú" is not found inside "Xã Vĩnh Phước". Where names overlap the longest
wins: "Xã Bình Thạnh Đông" is not also "Xã Bình Thạnh", and "Thị xã Tịnh Biên" (a district) is not "Xã Tịnh Biên".
Names equal once folded are told apart by their tones ("Xã Phú Thạnh", "Xã Phú Thành") when the title has them,
and by the district named in the title ("Xã Bình Thạnh", Huyện Châu Thành) when there is one."""
import re

from sqlalchemy import select

from ...errors import ValidationError
from ...extensions import db
from ...models import AdministrativeUnit
from ..registry.identity import fold, nfc


def _units_by_key() -> dict[str, list[AdministrativeUnit]]:
    units: dict[str, list[AdministrativeUnit]] = {}
    for unit in db.session.execute(select(AdministrativeUnit).where(
            AdministrativeUnit.level.in_(("commune", "district"))).order_by(AdministrativeUnit.code)).scalars():
        units.setdefault(fold(unit.name), []).append(unit)
    return units


def _contains(text: str, name: str) -> bool:
    """``name`` occurs in ``text`` as whole words."""
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text) is not None


def _named(lines: list[str]) -> tuple[dict[str, list[AdministrativeUnit]], set[str]]:
    """Communes named in ``lines`` (folded name → the units of that name, in order of first mention) and the codes
    of the districts named."""
    units = _units_by_key()
    communes: dict[str, list[AdministrativeUnit]] = {}
    districts: set[str] = set()
    for line in lines:
        text = fold(line)
        found = [(m.start(), m.end(), key) for key in units
                 for m in re.finditer(rf"(?<!\w){re.escape(key)}(?!\w)", text)]
        chosen: list[tuple[int, int, str]] = []
        for start, end, key in sorted(found, key=lambda f: (f[0] - f[1], f[0])):  # longest first
            if all(end <= s or start >= e for s, e, _ in chosen):
                chosen.append((start, end, key))
        for _start, _end, key in sorted(chosen):
            # names equal once folded ("Xã Phú Thạnh", "Xã Phú Thành"): keep those written with these tones, if any
            exact = [u for u in units[key] if _contains(nfc(line).casefold(), nfc(u.name).casefold())]
            for unit in exact or units[key]:
                if unit.level == "district":
                    districts.add(unit.code)
                elif unit not in communes.setdefault(key, []):
                    communes[key].append(unit)
    return communes, districts


def _resolve(candidates: list[AdministrativeUnit], districts: set[str], prefer: str | None) -> AdministrativeUnit:
    """The commune a name means: among ``candidates`` (same name), those in a named district if any; ``prefer``
    (a commune code) when it is still possible, else the earliest unit of that name (a name both trees hold, as
    "Xã Bình Thạnh Đông", means the 2024 unit unless the importing commune is the 2025 one)."""
    pool = [u for u in candidates if u.parent_code in districts] or candidates
    pool = sorted(pool, key=lambda u: u.valid_from)
    return next((u for u in pool if u.code == prefer), pool[0])


def communes_in_title(lines: list[str]) -> list[AdministrativeUnit]:
    """The communes (level commune) named in title ``lines`` (the text of the rows above the header), one per name
    in order of first mention; ``[]`` when the title names none."""
    communes, districts = _named(lines)
    return [_resolve(candidates, districts, None) for candidates in communes.values()]


def check_origin(lines: list[str], commune: AdministrativeUnit) -> None:
    """Refuse a file whose title ``lines`` name a commune other than ``commune`` (the importing one). A title that
    names no commune is accepted. Raises ``ValidationError``: "Tệp là danh sách của Xã Tân Lợi (Thị xã Tịnh Biên),
    không phải của Phường Vĩnh Mỹ. Kiểm tra lại tệp." """
    communes, districts = _named(lines)
    for candidates in communes.values():
        unit = _resolve(candidates, districts, commune.code)
        if unit.code != commune.code:
            where = f" ({unit.parent.name})" if unit.parent is not None else ""
            raise ValidationError(f"Tệp là danh sách của {unit.name}{where}, không phải của {commune.name}. "
                                  "Kiểm tra lại tệp.")
