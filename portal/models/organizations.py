"""Organisations (cơ quan, đơn vị) with their duties as data, bank coverage (địa bàn phụ trách) and users."""
from enum import StrEnum

from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from ..clock import utcnow
from ..extensions import db


class OrgKind(StrEnum):
    """Kinds of organisation in the seed's three-tier set-up (and the two-tier one since 7/2025)."""

    COMMUNE = "commune_committee"
    DISTRICT = "district_office"
    PROVINCE = "province_department"
    BANK = "bank_branch"
    POST_OFFICE = "post_office"
    POLICE = "police"


class Duty(StrEnum):
    """What an organisation is responsible for; blueprints are gated on a duty, never on a kind."""

    INTAKE = "intake"                        # commune: register beneficiaries, confirm its lists
    PAYOUT_MANAGEMENT = "payout_management"  # district (or commune in two-tier): build, approve lists
    OVERSIGHT = "oversight"                  # province: reports, rates
    ACCOUNT_OPENING = "account_opening"      # bank branch
    PAYMENT_SERVICE = "payment_service"      # post office: pays and reports results
    ID_VERIFICATION = "id_verification"      # police: population-database cross-check
    POST_OFFICE_CONTRACT = "post_office_contract"  # contracts the post office (district; commune since 7/2025)
    REPORT_RECEIVING = "report_receiving"    # receives the communes' monthly reports (district; province since 7/2025)


#: Duties whose holder the law assigns (thẩm quyền): ``CompetenceRule`` rows decide who holds them in a period.
COMPETENCE_DUTIES = (Duty.INTAKE, Duty.PAYOUT_MANAGEMENT, Duty.POST_OFFICE_CONTRACT, Duty.OVERSIGHT,
                     Duty.REPORT_RECEIVING)


class Organization(db.Model):
    """An organisation attached to an administrative unit (its seat / area). ``duties`` is a comma-separated
    list of ``Duty`` values; ``provider_code`` is the bank's VietQR code for bank branches (e.g. ``VBA``);
    ``representative_*``: its head or legal representative (người đại diện), who signs its documents — name,
    position and gender ("male" | "female", for "Ông" / "Bà"); empty until the organisation records them."""

    __tablename__ = "organization"
    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(30), nullable=False)
    name = db.Column(db.String(200), nullable=False)
    parent_name = db.Column(db.String(200))  # the parent body printed above the name on documents
    unit_code = db.Column(db.String(10), db.ForeignKey("administrative_unit.code"), nullable=False, index=True)
    duties = db.Column(db.String(200), nullable=False, default="")
    provider_code = db.Column(db.String(20))
    active = db.Column(db.Boolean, nullable=False, default=True)
    #: how the body is printed: ký hiệu part ("UBND", "SYT"), its head's title ("Chủ tịch", "Giám đốc"), and its
    #: name in "Nơi nhận" ("UBND Phường Châu Đốc", "Sở Y tế tỉnh An Giang"); None = the kind's default
    symbol = db.Column(db.String(20))
    signer_title = db.Column(db.String(60))
    recipient_name = db.Column(db.String(200))
    #: "Nơi nhận" (ô 9) of its own monthly report when the bodies above it are outside the portal, ";"-separated
    #: and ending with the archive line: "Bộ Y tế; UBND tỉnh An Giang; Lưu: VT" for Sở Y tế tỉnh An Giang (Nghị định
    #: 147/2025/NĐ-CP); None = from the register (``printing.report_recipients``)
    report_recipients = db.Column(db.String(400))
    #: người đứng đầu / đại diện theo pháp luật: who signs for the organisation (reports, contracts), as printed
    representative_name = db.Column(db.String(120))
    representative_title = db.Column(db.String(80))  # "Trưởng phòng", "Phó Chủ tịch", "Giám đốc"
    representative_gender = db.Column(db.String(10))  # "male" | "female": "Ông" / "Bà" before the name

    unit = db.relationship("AdministrativeUnit")

    @property
    def duty_set(self) -> set[str]:
        """Duties as a set of strings."""
        return {d for d in (self.duties or "").split(",") if d}

    @property
    def display_name(self) -> str:
        """Name with its area where the name alone is ambiguous (every district has a "Phòng Lao động - Thương binh
        và Xã hội"): "Phòng Lao động - Thương binh và Xã hội – Thành phố Châu Đốc"."""
        if self.kind in (OrgKind.DISTRICT, OrgKind.PROVINCE) and self.unit is not None:
            return f"{self.name} – {self.unit.name}"
        return self.name

    @property
    def representative_honorific(self) -> str:
        """"Ông" / "Bà" from ``representative_gender``; "" when unknown."""
        return {"male": "Ông", "female": "Bà"}.get(self.representative_gender or "", "")

    def has_duty(self, duty: str) -> bool:
        """True when the organisation holds ``duty`` (a ``Duty`` value)."""
        return duty in self.duty_set

    def __repr__(self):
        return f"<Org {self.id} {self.name}>"


class CompetenceRule(db.Model):
    """Thẩm quyền: in ``valid_from``–``valid_to`` (inclusive days; open end = until replaced), the organisations of
    ``org_kind`` seated at a unit of ``unit_level`` hold ``duty`` (a ``COMPETENCE_DUTIES`` value) for their area,
    on ``legal_basis`` (e.g. "Nghị định 147/2025/NĐ-CP"). ``separate_approver``: the person who approves must not be
    the one who prepared (officer → chairman / vice-chairman). A successor decree is a new row, not a code change."""

    __tablename__ = "competence_rule"
    __table_args__ = (db.UniqueConstraint("duty", "org_kind", "valid_from", name="uq_competence_rule"),)
    id = db.Column(db.Integer, primary_key=True)
    duty = db.Column(db.String(30), nullable=False)
    org_kind = db.Column(db.String(30), nullable=False)
    unit_level = db.Column(db.String(10), nullable=False)
    valid_from = db.Column(db.Date, nullable=False)
    valid_to = db.Column(db.Date)
    legal_basis = db.Column(db.String(200), nullable=False)
    separate_approver = db.Column(db.Boolean, nullable=False, default=False)
    note = db.Column(db.String(300))

    def valid_on(self, day) -> bool:
        """True when the rule is in force on ``day``."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class BankCoverage(db.Model):
    """A bank branch covers a commune (địa bàn phụ trách, plan §III.4); a commune may have several banks.
    ``status``: ``requested`` (the branch registered it) → ``approved`` (the province approved) → ``withdrawn``;
    only ``approved`` coverage gives access (``areas.area_commune_codes``). Demo coverage is seeded approved."""

    __tablename__ = "bank_coverage"
    bank_id = db.Column(db.Integer, db.ForeignKey("organization.id"), primary_key=True)
    commune_code = db.Column(db.String(10), db.ForeignKey("administrative_unit.code"), primary_key=True)
    status = db.Column(db.String(10), nullable=False, default="approved", server_default="approved")
    requested_at = db.Column(db.DateTime(timezone=True))
    decided_at = db.Column(db.DateTime(timezone=True))
    decided_by_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    note = db.Column(db.String(300))

    bank = db.relationship("Organization", foreign_keys=[bank_id])
    commune = db.relationship("AdministrativeUnit")


class User(UserMixin, db.Model):
    """A person who logs in, always on behalf of one organisation. ``is_approver`` marks the district approver
    (người phê duyệt). Logins are server-side ``UserSession`` rows; ``session_version`` counts how often every
    session of the user was ended (logout everywhere, password change, deactivation)."""

    __tablename__ = "user"
    id = db.Column(db.Integer, primary_key=True)
    organization_id = db.Column(db.Integer, db.ForeignKey("organization.id"), nullable=False, index=True)
    username = db.Column(db.String(60), nullable=False, unique=True)
    full_name = db.Column(db.String(120), nullable=False)
    password_hash = db.Column(db.String(256), nullable=False)
    is_approver = db.Column(db.Boolean, nullable=False, default=False)
    is_admin = db.Column(db.Boolean, nullable=False, default=False)
    active = db.Column(db.Boolean, nullable=False, default=True)
    session_version = db.Column(db.Integer, nullable=False, default=1)

    organization = db.relationship("Organization")

    @property
    def is_active(self):  # flask-login
        return self.active and self.organization.active

    #: the server-side session this request runs under (set by ``services.sessions``; not a column)
    current_session = None
    #: the random token of that session, known only while logging in (the cookie carries it, the table its hash)
    session_token = None

    def get_id(self):
        """What Flask-Login keeps in the session and remember cookies: the random token of a server-side
        ``UserSession`` (never the user id, so a cookie forged with a known key opens nothing)."""
        return self.session_token

    def set_password(self, password: str) -> None:
        """Store a salted hash (werkzeug scrypt)."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """True when ``password`` matches."""
        return check_password_hash(self.password_hash, password)


class UserSession(db.Model):
    """A login on one browser (phiên đăng nhập), kept on the server so it can be ended: logout ends it, a password
    change, deactivation or "logout everywhere" end all of a user's. ``token_hash`` is the SHA-256 (hex) of the
    random token the cookies carry; ``last_seen_at`` (UTC, refreshed at most once a minute) drives the idle timeout
    (``SESSION_IDLE_MINUTES``)."""

    __tablename__ = "user_session"
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False, index=True)
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    last_seen_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    ended_at = db.Column(db.DateTime(timezone=True))
    end_reason = db.Column(db.String(20))  # logout, logout_all, password, deactivated

    user = db.relationship("User")
