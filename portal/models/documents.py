"""Official documents (văn bản): the yearly number register per organisation (sổ đăng ký văn bản, Decree 30/2020
Art. 15), issued documents stored with their hash and never changed, and the payment service contract between the
district labour office and the post office (hợp đồng dịch vụ chi trả, plan §V.7, Decree 20/2021 Art. 34.3).

Invariants held here (one row each):

- ``DocumentCounter`` is THE guarded counter row per (organisation, year, series): numbers are taken with one atomic
  ``UPDATE … SET last_number = last_number + 1 … RETURNING`` (``portal.services.documents.allocate_number``).
- ``IssuedDocument`` has a unique (organisation, year, series, number): a number is never used twice even if two
  processes raced past the counter. Once flushed it is immutable: a ``before_flush`` guard refuses any change or
  delete (``StateError``). A correction is a new document with ``corrects_id`` pointing at the old one.
"""
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from ..clock import utcnow
from ..errors import StateError
from ..extensions import db
from .enums import LabelledEnum


class DocumentKind(LabelledEnum):
    """Kinds of document the portal issues, with their series (type abbreviation, Decree 30 Phụ lục III)."""

    SERVICE_CONTRACT = "service_contract"
    AUTHORIZATION_LETTER = "authorization_letter"
    MONTHLY_REPORT = "monthly_report"
    FEE_STATEMENT = "fee_statement"
    PAYOUT_LIST = "payout_list"

    @property
    def series(self) -> str:
        """Type abbreviation used in the ký hiệu: HĐ (hợp đồng), GUQ (giấy ủy quyền), BC (báo cáo), BK (bảng kê),
        DS (danh sách)."""
        return {"service_contract": "HĐ", "authorization_letter": "GUQ", "monthly_report": "BC",
                "fee_statement": "BK", "payout_list": "DS"}[self.value]

    @property
    def label(self) -> str:
        """Vietnamese name."""
        return {"service_contract": "Hợp đồng dịch vụ chi trả", "authorization_letter": "Giấy ủy quyền",
                "monthly_report": "Báo cáo tiến độ chi trả không dùng tiền mặt",
                "fee_statement": "Bảng kê phí dịch vụ chi trả", "payout_list": "Danh sách chi trả"}[self.value]


class DocumentCounter(db.Model):
    """Last number used by an organisation in a year for one series (numbers restart at 01 on 1 January)."""

    __tablename__ = "document_counter"
    organization_id = db.Column(db.Integer, db.ForeignKey("organization.id"), primary_key=True)
    year = db.Column(db.Integer, primary_key=True)
    series = db.Column(db.String(10), primary_key=True)
    last_number = db.Column(db.Integer, nullable=False, default=0)


class IssuedDocument(db.Model):
    """One issued document: number and symbol as printed (``Số: 12/HĐ-LĐTBXH``), date, issuer, the exact PDF bytes
    and their SHA-256 (hex). ``verify_token``: random URL-safe token of the public verification page (the QR code).
    ``subject_type``/``subject_id``: what it is about (e.g. ``service_contract`` 3). ``corrects_id``: the document
    it corrects. ``signed``: True when the PDF carries a PAdES signature of the organisation."""

    __tablename__ = "issued_document"
    __table_args__ = (db.UniqueConstraint("organization_id", "year", "series", "number",
                                          name="uq_issued_document_number"),)
    id = db.Column(db.Integer, primary_key=True)
    organization_id = db.Column(db.Integer, db.ForeignKey("organization.id"), nullable=False, index=True)
    kind = db.Column(db.String(30), nullable=False)
    year = db.Column(db.Integer, nullable=False)
    series = db.Column(db.String(10), nullable=False)
    number = db.Column(db.Integer, nullable=False)
    symbol = db.Column(db.String(40), nullable=False)  # "HĐ-LĐTBXH"
    title = db.Column(db.String(300), nullable=False)
    issued_on = db.Column(db.Date, nullable=False)
    issued_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    issued_by_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    subject_type = db.Column(db.String(40))
    subject_id = db.Column(db.Integer)
    corrects_id = db.Column(db.Integer, db.ForeignKey("issued_document.id"))
    filename = db.Column(db.String(200), nullable=False)
    content = db.deferred(db.Column(db.LargeBinary, nullable=False))
    sha256 = db.Column(db.String(64), nullable=False)
    signed = db.Column(db.Boolean, nullable=False, default=False)
    verify_token = db.Column(db.String(43), nullable=False, unique=True)

    organization = db.relationship("Organization")
    issued_by = db.relationship("User")
    corrects = db.relationship("IssuedDocument", remote_side=[id])

    @property
    def number_text(self) -> str:
        """"12/HĐ-LĐTBXH" (numbers under 10 with a leading 0, Decree 30 ô 3)."""
        return f"{self.number:02d}/{self.symbol}"

    @property
    def kind_enum(self) -> DocumentKind:
        """Kind as an enum."""
        return DocumentKind(self.kind)


class ContractStatus(LabelledEnum):
    """draft → issued (number taken, PDF stored) → signed (by both parties: scan uploaded or digitally signed)."""

    DRAFT = "draft"
    ISSUED = "issued"
    SIGNED = "signed"

    @property
    def label(self) -> str:
        """Vietnamese label."""
        return {"draft": "Dự thảo", "issued": "Đã ban hành, chờ ký", "signed": "Hai bên đã ký"}[self.value]


class ServiceContract(db.Model):
    """Hợp đồng dịch vụ chi trả between a district labour office (bên A) and a post office (bên B).

    ``commune_codes``: JSON list of the communes covered. Money in integer đồng: ``fee_per_person`` (per beneficiary
    per month, plan §II.3b: 5.000 đ), ``estimated_value`` = people × months × fee. ``valid_from``/``valid_to``: the
    term. ``document_id``: the issued PDF (set once). ``scan``: the paper copy signed by both (PDF), with its hash."""

    __tablename__ = "service_contract"
    id = db.Column(db.Integer, primary_key=True)
    district_org_id = db.Column(db.Integer, db.ForeignKey("organization.id"), nullable=False, index=True)
    post_office_id = db.Column(db.Integer, db.ForeignKey("organization.id"), nullable=False)
    status = db.Column(db.String(10), nullable=False, default=ContractStatus.DRAFT.value)
    commune_codes = db.Column(db.JSON, nullable=False, default=list)
    fee_per_person = db.Column(db.Integer, nullable=False)
    estimated_people = db.Column(db.Integer, nullable=False)
    estimated_months = db.Column(db.Integer, nullable=False, default=12)
    estimated_value = db.Column(db.BigInteger, nullable=False)
    valid_from = db.Column(db.Date, nullable=False)
    valid_to = db.Column(db.Date, nullable=False)
    party_a_signer = db.Column(db.String(120), nullable=False)
    party_a_title = db.Column(db.String(120), nullable=False)
    party_b_signer = db.Column(db.String(120), nullable=False)
    party_b_title = db.Column(db.String(120), nullable=False)
    settlement_day = db.Column(db.Integer, nullable=False, default=20)
    document_id = db.Column(db.Integer, db.ForeignKey("issued_document.id"))
    scan = db.deferred(db.Column(db.LargeBinary))
    scan_sha256 = db.Column(db.String(64))
    scan_filename = db.Column(db.String(200))
    signed_on = db.Column(db.Date)
    created_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)

    district_org = db.relationship("Organization", foreign_keys=[district_org_id])
    post_office = db.relationship("Organization", foreign_keys=[post_office_id])
    document = db.relationship("IssuedDocument")

    @property
    def status_enum(self) -> ContractStatus:
        """Status as an enum."""
        return ContractStatus(self.status)


class MonthlyReportNote(db.Model):
    """Free text a reporter enters for one month's progress report (khó khăn, vướng mắc, đề xuất)."""

    __tablename__ = "monthly_report_note"
    __table_args__ = (db.UniqueConstraint("organization_id", "month"),)
    id = db.Column(db.Integer, primary_key=True)
    organization_id = db.Column(db.Integer, db.ForeignKey("organization.id"), nullable=False)
    month = db.Column(db.Date, nullable=False)
    difficulties = db.Column(db.Text, nullable=False, default="")
    proposals = db.Column(db.Text, nullable=False, default="")
    updated_by_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    updated_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)


@event.listens_for(Session, "before_flush")
def _issued_documents_are_immutable(session, _flush_context, _instances):
    """Refuse any UPDATE or DELETE of an ``IssuedDocument`` (Decree 30: the issued text is final; corrections are
    new documents). Raises ``StateError``."""
    for obj in session.deleted:
        if isinstance(obj, IssuedDocument):
            raise StateError(f"Văn bản số {obj.number_text} đã ban hành, không được xóa.")
    for obj in session.dirty:
        if isinstance(obj, IssuedDocument) and session.is_modified(obj, include_collections=False):
            state = inspect(obj)
            changed = [a.key for a in state.attrs if a.history.has_changes()]
            if changed:
                raise StateError(f"Văn bản số {obj.number_text} đã ban hành, không được sửa "
                                 f"({', '.join(changed)}). Hãy ban hành văn bản đính chính.")
