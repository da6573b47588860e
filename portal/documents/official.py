"""Plain data shared by the prose documents (văn bản hành chính) printed on the Decree 30/2020 page
(``templates/documents/_page.html``): heading, number, place and date, title, sign-off with the recipients (nơi nhận)
and the verification QR code. Context builders of each document fill :class:`OfficialDoc`; nothing here touches
the database except :func:`issuer_lines` and :func:`place_of`, which read one organisation, and
:func:`issuing_org_name`, which finds the organisation behind a printed heading.

PDF metadata (Title, Author, Subject, Keywords, Creator "ASXH Portal", language vi) is the same for both engines:
:func:`pdf_meta` builds it from a document's frame (an :class:`OfficialDoc`, a payout list or a list spec); the
WeasyPrint path (``renderer.render_html`` → ``_page.html``) and the ReportLab path (``list_pdf.render_list``) each
apply it in one place. The Author is the issuing organisation's display name ("Phòng Lao động - Thương binh và Xã
hội – Thành phố Châu Đốc"), never a library default ("anonymous")."""
from __future__ import annotations

import datetime as _dt
import unicodedata
from dataclasses import dataclass, field

from flask import has_app_context
from sqlalchemy import select

from ..extensions import db
from ..models import AdministrativeUnit, Organization, OrgKind

__all__ = ["OfficialDoc", "Signer", "short_name", "issuer_lines", "place_of", "DRAFT_MARK", "PdfMeta", "pdf_meta",
           "issuing_org_name", "PDF_CREATOR", "PDF_LANG"]

DRAFT_MARK = "DỰ THẢO"
#: Creator of every PDF the portal produces (the Producer stays the engine's own: WeasyPrint / ReportLab).
PDF_CREATOR = "ASXH Portal"
#: Language of every document (PDF catalog /Lang, ``<html lang>``).
PDF_LANG = "vi"


@dataclass(frozen=True)
class Signer:
    """A signature column: ``title`` printed UPPER bold ("\\n" separates lines, e.g.
    "KT. TRƯỞNG PHÒNG\\nPHÓ TRƯỞNG PHÒNG"), ``hint`` italic below it, ``name`` bold after the signing space
    ("" leaves it blank to be written by hand)."""

    title: str
    name: str = ""
    hint: str = "(Ký, ghi rõ họ tên)"


def short_name(unit: AdministrativeUnit) -> str:
    """Unit name without its type: "Thành phố Châu Đốc" → "Châu Đốc", "Huyện Tịnh Biên" → "Tịnh Biên"."""
    kinds = [unit.unit_type or "", "thành phố", "thị xã", "huyện", "thị trấn", "phường", "xã", "tỉnh"]
    for kind in kinds:
        if kind and unit.name.lower().startswith(kind.lower() + " "):
            return unit.name[len(kind) + 1:]
    return unit.name



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
    author: str = ""
    keywords: str = ""

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


@dataclass(frozen=True)
class PdfMeta:
    """PDF document information: ``title``, ``author`` (issuing organisation's display name), ``subject``
    (trích yếu), ``keywords`` (comma-separated), ``creator`` ("ASXH Portal"), ``lang`` ("vi")."""

    title: str = ""
    author: str = ""
    subject: str = ""
    keywords: str = ""
    creator: str = PDF_CREATOR
    lang: str = PDF_LANG


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").upper().split())


def issuing_org_name(issuer_parent: str, issuer: str, place: str = "") -> str:
    """Display name of the organisation whose Decree 30 heading (ô 2) reads ``issuer_parent`` / ``issuer`` (as
    printed by :func:`issuer_lines`, or as the payout list prints its office: parent name / name; any case, NFC), e.g.
    ("ỦY BAN NHÂN DÂN THÀNH PHỐ CHÂU ĐỐC", "PHÒNG LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI") →
    "Phòng Lao động - Thương binh và Xã hội – Thành phố Châu Đốc".
    With no issuing body (a citizen's letter, ``issuer`` "") the commune committee of ``place`` (địa danh) is meant.
    Several matches are narrowed by ``place``. Without an application context, or with no single match, the printed
    heading itself ("PHÒNG … – ỦY BAN NHÂN DÂN …"; "" for a letter) is returned. Never raises."""
    fallback = " – ".join(p for p in (issuer.strip(), issuer_parent.strip()) if p)
    if not has_app_context():
        return fallback
    try:
        orgs = db.session.execute(select(Organization)).scalars().all()
    except Exception:  # noqa: BLE001 — metadata must never stop a document
        return fallback
    if issuer.strip():
        want = (_fold(issuer_parent), _fold(issuer))
        found = [o for o in orgs if want in {tuple(_fold(x) for x in issuer_lines(o)),  # prose documents
                                             (_fold(o.parent_name or ""), _fold(o.name))}]  # payout lists
    else:
        found = [o for o in orgs if o.kind == OrgKind.COMMUNE]
        found = [o for o in found if place and place_of(o) == place]
    if len(found) > 1 and place:
        found = [o for o in found if place_of(o) == place] or found
    return found[0].display_name if len(found) == 1 else fallback


def pdf_meta(doc, title: str = "") -> PdfMeta:
    """Metadata of a document from its frame ``doc`` — anything with ``issuer_parent``, ``issuer``, ``place`` (an
    :class:`OfficialDoc`, a ``PayoutListDoc``, a ``list_pdf.ListSpec``) and optionally ``author``, ``subtitle`` /
    ``subject``, ``document_number``, ``keywords``. ``title``: the document title (``<title>``/``pdf_title``).
    Keywords: the given ones, else the document number (when issued) and "trợ giúp xã hội"."""
    author = getattr(doc, "author", "") or issuing_org_name(getattr(doc, "issuer_parent", "") or "",
                                                           getattr(doc, "issuer", "") or "",
                                                           getattr(doc, "place", "") or "")
    subject = getattr(doc, "subject", "") or getattr(doc, "subtitle", "") or ""
    keywords = getattr(doc, "keywords", "") or ", ".join(
        k for k in (getattr(doc, "document_number", "") or "", "trợ giúp xã hội") if k)
    return PdfMeta(title=title, author=author, subject=subject, keywords=keywords)
