"""Identity cross-check with the police (đối sánh CSDL quốc gia về dân cư, plan §V.3, ND 104/2022): the commune
sends the people to check, the commune police records the result per person, mismatches wait in a queue until the
commune corrects the record or confirms it with a note."""
from ..clock import utcnow
from ..extensions import db
from .enums import LabelledEnum


class CheckResult(LabelledEnum):
    """Result of one check (kết quả đối sánh)."""

    PENDING = "pending"        # chờ đối sánh
    MATCHED = "matched"        # khớp
    MISMATCHED = "mismatched"  # sai lệch (which fields in ``mismatch_fields``)
    NOT_FOUND = "not_found"    # không tìm thấy
    DECEASED = "deceased"      # đã chết

    @property
    def label(self) -> str:
        """Vietnamese label."""
        return {"pending": "Chờ đối sánh", "matched": "Khớp", "mismatched": "Sai lệch",
                "not_found": "Không tìm thấy", "deceased": "Đã chết"}[self.value]

    @property
    def needs_resolution(self) -> bool:
        """True for the results the commune must resolve (everything but matched and pending)."""
        return self.value in ("mismatched", "not_found", "deceased")


#: fields the police compares (a mismatch names one or more of them)
MISMATCH_FIELDS = {"full_name": "Họ tên", "birth": "Ngày sinh", "gender": "Giới tính"}


class IdentityCheck(db.Model):
    """One person sent for checking in one round. ``result`` pending until the police records it; a result other
    than matched waits for the commune's ``resolution`` (``corrected`` — the record was fixed, or ``confirmed`` —
    kept as is, with ``resolution_note``)."""

    __tablename__ = "identity_check"
    id = db.Column(db.Integer, primary_key=True)
    beneficiary_id = db.Column(db.Integer, db.ForeignKey("beneficiary.id"), nullable=False, index=True)
    commune_code = db.Column(db.String(10), db.ForeignKey("administrative_unit.code"), nullable=False, index=True)
    requested_by_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    requested_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    result = db.Column(db.String(12), nullable=False, default=CheckResult.PENDING.value, index=True)
    mismatch_fields = db.Column(db.String(60))  # comma-separated keys of MISMATCH_FIELDS
    police_note = db.Column(db.String(300))
    checked_on = db.Column(db.Date)
    checked_by_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    resolution = db.Column(db.String(12))  # corrected | confirmed
    resolution_note = db.Column(db.String(300))
    resolved_by_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    resolved_at = db.Column(db.DateTime(timezone=True))

    beneficiary = db.relationship("Beneficiary")

    @property
    def result_enum(self) -> CheckResult:
        """Result as an enum."""
        return CheckResult(self.result)

    @property
    def mismatch_labels(self) -> list[str]:
        """Vietnamese names of the mismatched fields."""
        return [MISMATCH_FIELDS[k] for k in (self.mismatch_fields or "").split(",") if k in MISMATCH_FIELDS]

    @property
    def open(self) -> bool:
        """True while the commune still has to resolve it."""
        return self.result_enum.needs_resolution and self.resolution is None
