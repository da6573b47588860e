"""Requests for the social pension (tờ khai đề nghị hưởng trợ cấp hưu trí xã hội, Mẫu số 01, Decree 176/2025):
registered by the commune, decided by the commune chairman within 10 working days (Decree 176/2025 Art. 6)."""
from ..clock import utcnow
from ..extensions import db
from .enums import LabelledEnum


class RequestStatus(LabelledEnum):
    """Where a social-pension request stands."""

    PENDING = "pending"
    GRANTED = "granted"
    REFUSED = "refused"

    @property
    def label(self) -> str:
        """Vietnamese label."""
        return {"pending": "Chờ quyết định", "granted": "Đã quyết định hưởng", "refused": "Từ chối"}[self.value]


class PensionRequest(db.Model):
    """One Mẫu 01 request of one person at one commune: who (name, ID, birth), the eligibility facts declared
    (``household_poverty``, ``receives_pension``), the payment channel (cash at home with its reason, as on the
    beneficiary form: ``cash_at_home_reason``, ``cash_at_home_note``), ``received_on`` and ``due_on`` (10 working
    days later); on decision ``decision_number``, ``decision_date`` and ``start_month`` (first of month, granted) or
    ``refusal_reason``. ``beneficiary_id`` links the register row paid from ``start_month``."""

    __tablename__ = "pension_request"
    id = db.Column(db.Integer, primary_key=True)
    commune_code = db.Column(db.String(10), db.ForeignKey("administrative_unit.code"), nullable=False, index=True)
    beneficiary_id = db.Column(db.Integer, db.ForeignKey("beneficiary.id"), index=True)
    full_name = db.Column(db.String(120), nullable=False)
    national_id = db.Column(db.String(12), nullable=False, index=True)
    birth_date = db.Column(db.Date)
    birth_year = db.Column(db.Integer, nullable=False)
    gender = db.Column(db.String(6), nullable=False)
    hamlet = db.Column(db.String(120))
    household_poverty = db.Column(db.String(10))
    receives_pension = db.Column(db.Boolean, nullable=False, default=False, server_default=db.false())
    payment_channel = db.Column(db.String(20), nullable=False, default="cash_at_point")
    cash_at_home_reason = db.Column(db.String(20))
    cash_at_home_note = db.Column(db.String(200))
    received_on = db.Column(db.Date, nullable=False)
    due_on = db.Column(db.Date, nullable=False)
    status = db.Column(db.String(10), nullable=False, default=RequestStatus.PENDING.value, index=True)
    decision_number = db.Column(db.String(60))
    decision_date = db.Column(db.Date)
    start_month = db.Column(db.Date)
    refusal_reason = db.Column(db.String(300))
    registered_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False)
    decided_by_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)

    commune = db.relationship("AdministrativeUnit")
    beneficiary = db.relationship("Beneficiary")

    @property
    def status_enum(self) -> RequestStatus:
        """Status as an enum."""
        return RequestStatus(self.status)
