"""Who issues a document, as printed (Decree 30/2020 ô 2–4): an organisation's heading lines, place name and ký
hiệu, gathered into the plain :class:`portal.documents.official.Issuer` the documents print. Reads the organisation
and its unit (already loaded with it in practice); no query of its own."""
from __future__ import annotations

from ...documents.official import Issuer
from ...models import AdministrativeUnit, Organization, OrgKind

#: Short name of the issuing body in the ký hiệu (Decree 30 Phụ lục III), by organisation kind: it names the *body*
#: (display only), whatever duties it holds — a commune committee acting as payout office in the two-tier set-up
#: numbers its contracts "NN/HĐ-UBND", a district labour office "NN/HĐ-LĐTBXH".
ORG_SYMBOLS = {
    OrgKind.DISTRICT: "LĐTBXH", OrgKind.COMMUNE: "UBND", OrgKind.PROVINCE: "SLĐTBXH",
    OrgKind.POST_OFFICE: "BĐ", OrgKind.BANK: "NH", OrgKind.POLICE: "CA",
}
#: Unit types a unit name may start with, dropped in its short name.
_UNIT_TYPES = ("thành phố", "thị xã", "huyện", "thị trấn", "phường", "xã", "tỉnh")


def org_symbol(org: Organization) -> str:
    """The issuer part of the ký hiệu: "LĐTBXH" for a district labour office, "UBND" for a commune committee…"""
    return ORG_SYMBOLS.get(org.kind, "VP")


def short_name(unit: AdministrativeUnit) -> str:
    """Unit name without its type: "Thành phố Châu Đốc" → "Châu Đốc", "Huyện Tịnh Biên" → "Tịnh Biên"."""
    for kind in (unit.unit_type or "", *_UNIT_TYPES):
        if kind and unit.name.lower().startswith(kind.lower() + " "):
            return unit.name[len(kind) + 1:]
    return unit.name


def place_of(org: Organization) -> str:
    """Địa danh (ô 4, Decree 30 Phụ lục I): the short name of the organisation's own unit — "Châu Đốc" for a district
    office, "Vĩnh Mỹ" for a commune committee, "An Giang" for the province."""
    return short_name(org.unit) if org.unit is not None else ""


def issuer_of(org: Organization) -> Issuer:
    """``org`` as the issuer of a prose document. Heading (ô 2, capitals): "ỦY BAN NHÂN DÂN THÀNH PHỐ CHÂU ĐỐC" /
    "PHÒNG LAO ĐỘNG - …" (its parent name over its name); a commune committee prints "ỦY BAN NHÂN DÂN" over "XÃ …"
    (a UBND has no parent line, reference §3)."""
    if org.kind == OrgKind.COMMUNE and org.unit is not None:
        parent, heading = "ỦY BAN NHÂN DÂN", org.unit.name.upper()
    else:
        parent, heading = (org.parent_name or "").upper(), org.name.upper()
    return Issuer(heading_parent=parent, heading=heading, place=place_of(org), symbol=org_symbol(org), name=org.name,
                  display_name=org.display_name)
