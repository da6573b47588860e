"""Plain data shared by the prose documents (văn bản hành chính) printed on the Decree 30/2020 page
(``templates/documents/_page.html``): heading, number, place and date, title, sign-off with the recipients (nơi nhận)
and the verification QR code. Context builders of each document fill :class:`OfficialDoc`; nothing here touches
the database except :func:`issuer_lines` and :func:`place_of`, which read one organisation."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from ..models import Organization, OrgKind
from .payout_context import short_name
from .payout_list import Signer

__all__ = ["OfficialDoc", "Signer", "issuer_lines", "place_of", "DRAFT_MARK"]

DRAFT_MARK = "DỰ THẢO"


@dataclass
class OfficialDoc:
    """One document's frame. ``issuer_parent``/``issuer``: ô 2 (printed upper-case; the issuer bold with its short
    rule); ``document_number``: "12/HĐ-LĐTBXH" ("" on a draft: "Số: …/HĐ-…" is printed with dots);
    ``symbol``: the ký hiệu used for the dotted draft number; ``place`` + ``issued_on``: ô 4 (italic);
    ``title``/``subtitle``: ô 5a (bold, title upper-case); ``signers``: ô 7 (``Signer`` title may hold
    "TM. …\\nCHỦ TỊCH"); ``recipients``: ô 9 lines without the leading "-" and the trailing ";" (the last line is
    "Lưu: VT, …"); ``verify_url``/``qr_svg``: verification QR (issued documents only); ``draft``: prints "DỰ
    THẢO"; ``personal``: a citizen's letter (no issuing body; Quốc hiệu centred)."""

    issuer_parent: str
    issuer: str
    place: str
    issued_on: _dt.date
    title: str
    subtitle: str = ""
    document_number: str = ""
    symbol: str = ""
    signers: list[Signer] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    verify_url: str = ""
    qr_svg: str = ""
    draft: bool = False
    personal: bool = False

    @property
    def number_line(self) -> str:
        """What follows "Số:": the number, or dots before the symbol on a draft."""
        if self.document_number:
            return self.document_number
        return f"      /{self.symbol}" if self.symbol else ""


def issuer_lines(org: Organization) -> tuple[str, str]:
    """(parent line, issuer line) in capitals for ô 2: "ỦY BAN NHÂN DÂN THÀNH PHỐ CHÂU ĐỐC" / "PHÒNG LAO ĐỘNG - …";
    a commune committee prints "ỦY BAN NHÂN DÂN" over "XÃ …" (a UBND has no parent line, reference §3)."""
    if org.kind == OrgKind.COMMUNE and org.unit is not None:
        return "ỦY BAN NHÂN DÂN", org.unit.name.upper()
    return (org.parent_name or "").upper(), org.name.upper()


def place_of(org: Organization) -> str:
    """Địa danh (ô 4, Decree 30 Phụ lục I): the short name of the organisation's own unit — "Châu Đốc" for a district
    office, "Vĩnh Mỹ" for a commune committee, "An Giang" for the province."""
    return short_name(org.unit) if org.unit is not None else ""
