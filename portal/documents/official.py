"""Plain data shared by the printed documents (văn bản hành chính) on the Decree 30/2020 page
(``templates/documents/_page.html``): who issues (:class:`Issuer`), the number and QR code of an issued document
(:class:`Stamp`), a signature column (:class:`Signer`, also used by the payout list) and a prose document's frame
(:class:`OfficialDoc`: heading, number, place and date, title, sign-off with the recipients, verification QR code).

The services layer fills :class:`Issuer` and :class:`Stamp` from the database (``portal.services.documents``); each
document module turns them into its :class:`OfficialDoc` with :func:`official_doc`. Nothing here reads the database.

PDF metadata (Title, Author, Subject, Keywords, Creator "ASXH Portal", language vi) is the same for both engines:
:func:`pdf_meta` builds it from a document's frame (an :class:`OfficialDoc` or a ``list_pdf.ListSpec``); the
WeasyPrint path (``renderer.render_html`` → ``_page.html``) and the ReportLab path (``list_pdf.render_list``) each
apply it in one place. The Author is the issuing organisation's display name given by the caller ("Phòng Lao động -
Thương binh và Xã hội – Thành phố Châu Đốc"), never a library default ("anonymous")."""
from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass, field

#: Creator of every PDF the portal produces (the Producer stays the engine's own: WeasyPrint / ReportLab).
PDF_CREATOR = "ASXH Portal"
#: Language of every document (PDF catalog /Lang, ``<html lang>``).
PDF_LANG = "vi"


@dataclass(frozen=True)
class Issuer:
    """The organisation a document comes from, as printed. ``heading_parent`` / ``heading``: the two lines of ô 2
    (printed upper-case; the parent may be "", e.g. "ỦY BAN NHÂN DÂN THÀNH PHỐ CHÂU ĐỐC" / "PHÒNG LAO ĐỘNG - THƯƠNG
    BINH VÀ XÃ HỘI", or "ỦY BAN NHÂN DÂN" / "PHƯỜNG VĨNH MỸ"); ``place``: địa danh (ô 4, "Châu Đốc"); ``symbol``:
    its part of the ký hiệu ("LĐTBXH", "UBND", "BĐ"); ``name``: its name in running text; ``display_name``: its
    full name with its place, the PDF Author."""

    heading_parent: str
    heading: str
    place: str
    symbol: str
    name: str
    display_name: str


@dataclass(frozen=True)
class Stamp:
    """What an issued document prints besides its content: ``number`` and ``symbol`` (the register number and the
    ký hiệu, e.g. 12 and "HĐ-LĐTBXH"), ``verify_url`` (absolute URL of the public verification page) and ``qr_svg``
    (inline SVG of the QR code to that URL)."""

    number: int
    symbol: str
    verify_url: str
    qr_svg: str

    @property
    def number_text(self) -> str:
        """"05/BC-UBND": a leading zero under 10 (Decree 30 ô 3)."""
        return f"{self.number:02d}/{self.symbol}"


@dataclass(frozen=True)
class Signer:
    """A signature column: ``title`` printed UPPER bold ("\\n" separates lines, e.g.
    "KT. TRƯỞNG PHÒNG\\nPHÓ TRƯỞNG PHÒNG"), ``hint`` italic below it, ``name`` bold after the signing space
    ("" leaves it blank to be written by hand)."""

    title: str
    name: str = ""
    hint: str = "(Ký, ghi rõ họ tên)"


@dataclass
class OfficialDoc:
    """One document's frame. ``issuer_parent``/``issuer``: ô 2 (printed upper-case; the issuer bold with its short
    rule); ``document_number``: "12/HĐ-LĐTBXH" ("" on a draft: "Số: …/HĐ-…" is printed with dots);
    ``symbol``: the ký hiệu used for the dotted draft number; ``place`` + ``issued_on``: ô 4 (italic);
    ``title``/``subtitle``: ô 5a (bold, title upper-case); ``signers``: ô 7 (``Signer`` title may hold
    "TM. …\\nCHỦ TỊCH"); ``recipients``: ô 9 lines without the leading "-" and the trailing ";" (the last line is
    "Lưu: VT, …"); ``verify_url``/``qr_svg``: verification QR (issued documents only); ``draft``: prints "DỰ
    THẢO"; ``personal``: a citizen's letter (no issuing body; Quốc hiệu centred); ``author``: PDF Author (the
    issuing organisation's display name); ``keywords``: PDF Keywords ("" = the number and "trợ giúp xã hội")."""

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


def official_doc(issuer: Issuer, *, title: str, series: str, issued_on: _dt.date, stamp: Stamp | None = None,
                 subtitle: str = "", signers: Sequence[Signer] = (), recipients: Sequence[str] = (),
                 personal: bool = False) -> OfficialDoc:
    """The frame of a document of ``series`` (the register's series, e.g. "HĐ", "BC") issued by ``issuer``: with a
    ``stamp`` its number and verification QR code, without one a draft ("DỰ THẢO", dotted number "…/HĐ-LĐTBXH").
    ``personal``: a citizen's letter certified by ``issuer`` — no heading, never marked as a draft."""
    return OfficialDoc(
        issuer_parent="" if personal else issuer.heading_parent, issuer="" if personal else issuer.heading,
        place=issuer.place, issued_on=issued_on, title=title, subtitle=subtitle,
        document_number=stamp.number_text if stamp else "", symbol=f"{series}-{issuer.symbol}",
        signers=list(signers), recipients=list(recipients), verify_url=stamp.verify_url if stamp else "",
        qr_svg=stamp.qr_svg if stamp else "", draft=stamp is None and not personal, personal=personal,
        author=issuer.display_name)


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


def pdf_meta(doc, title: str = "") -> PdfMeta:
    """Metadata of a document from its frame ``doc`` — anything with ``issuer_parent`` and ``issuer`` (an
    :class:`OfficialDoc`, a ``list_pdf.ListSpec``) and optionally ``author``, ``subtitle`` / ``subject``,
    ``document_number``, ``keywords``. ``title``: the document title (``<title>``/``pdf_title``).
    Author: the given one, else the printed heading ("PHÒNG … – ỦY BAN NHÂN DÂN …"; "" for a letter without one).
    Keywords: the given ones, else the document number (when issued) and "trợ giúp xã hội"."""
    heading = " – ".join(p for p in ((doc.issuer or "").strip(), (doc.issuer_parent or "").strip()) if p)
    author = getattr(doc, "author", "") or heading
    subject = getattr(doc, "subject", "") or getattr(doc, "subtitle", "") or ""
    keywords = getattr(doc, "keywords", "") or ", ".join(
        k for k in (getattr(doc, "document_number", "") or "", "trợ giúp xã hội") if k)
    return PdfMeta(title=title, author=author, subject=subject, keywords=keywords)
