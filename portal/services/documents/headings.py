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
#: Default title of a body's head (thủ trưởng) by kind, where the organisation row names none (``signer_title``).
HEAD_TITLES = {OrgKind.COMMUNE: "Chủ tịch", OrgKind.PROVINCE: "Giám đốc", OrgKind.DISTRICT: "Trưởng phòng"}
#: Unit types a unit name may start with, dropped in its short name.
_UNIT_TYPES = ("thành phố", "thị xã", "huyện", "thị trấn", "phường", "xã", "tỉnh")


def org_symbol(org: Organization) -> str:
    """The issuer part of the ký hiệu: the organisation's own (``Organization.symbol``, "SYT" for Sở Y tế), else by
    kind: "LĐTBXH" for a district labour office, "UBND" for a commune committee…"""
    return org.symbol or ORG_SYMBOLS.get(org.kind, "VP")


def signer_title(org: Organization) -> str:
    """Title of the body's head as data (``Organization.signer_title``), else by kind: "Chủ tịch" (UBND),
    "Giám đốc" (Sở), "Trưởng phòng" (district office)."""
    return org.signer_title or HEAD_TITLES.get(org.kind, "Thủ trưởng")


def head_title(org: Organization) -> str:
    """The sign-off of a deputy signing for the head (Decree 30 ô 7a, capitals, one line each): a UBND signs on
    behalf of the committee — "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"; Sở Y tế "KT. GIÁM ĐỐC\nPHÓ GIÁM
    ĐỐC"; a district office "KT. TRƯỞNG PHÒNG\nPHÓ TRƯỞNG PHÒNG"."""
    title = signer_title(org).upper()
    prefix = "TM. ỦY BAN NHÂN DÂN\n" if org.kind == OrgKind.COMMUNE else ""
    return f"{prefix}KT. {title}\nPHÓ {title}"


def recipient_name(org: Organization) -> str:
    """How the body is named in "Nơi nhận" (ô 9): its own (``Organization.recipient_name``, "Sở Y tế tỉnh An
    Giang"), else "UBND <unit>" for a commune committee, else its display name."""
    if org.recipient_name:
        return org.recipient_name
    if org.kind == OrgKind.COMMUNE and org.unit is not None:
        return f"UBND {org.unit.name}"
    return org.display_name


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
