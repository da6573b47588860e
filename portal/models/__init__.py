"""SQLAlchemy models, one module per domain. Import from here: ``from portal.models import Beneficiary``."""
from .account_checks import AccountCheck, AccountCheckStatus
from .accounts import PaymentAccount, PaymentProvider, PayoutPointSession
from .audit import AuditEvent
from .authorizations import Authorization
from .complaints import Complaint, ComplaintChannel, ComplaintKind, ComplaintStatus, Resolution
from .documents import ContractStatus, DocumentCounter, DocumentKind, IssuedDocument, MonthlyReportNote, ServiceContract
from .events import ChangeSubmission, EventKind, EventStatus, RegistryEvent
from .geo import TREE_2024_END, TREE_2025_START, AdministrativeUnit, UnitSuccession, gso_of_key
from .hamlets import Hamlet
from .identity_checks import CheckResult, IdentityCheck
from .imports import ImportBatch
from .jobs import Job
from .lookups import LookupAttempt
from .notices import Notice, NoticeConsent, NoticeKind
from .organizations import (
    COMPETENCE_DUTIES,
    BankCoverage,
    CompetenceRule,
    Duty,
    Organization,
    OrgKind,
    User,
    UserSession,
)
from .payouts import LineResult, ListChannel, ListStatus, PayoutLine, PayoutList, Programme
from .pension import PensionRequest, RequestStatus
from .rates import (
    AdditionalCategory,
    CareArrangement,
    CoefficientRule,
    FeeRule,
    LocalTopUp,
    SocialPensionLevel,
    StandardLevel,
    SupportRule,
)
from .reform import UnitTransfer
from .registry import (
    Beneficiary,
    BeneficiaryStatus,
    CashAtHomeReason,
    Category,
    CategorySynonym,
    DisabilityLevel,
    Gender,
    HouseholdPoverty,
    PaymentChannel,
)
from .stored_files import StoredFile
from .visits import HomeVisit

__all__ = [
    "AdministrativeUnit", "UnitSuccession", "TREE_2024_END", "TREE_2025_START", "gso_of_key", "UnitTransfer",
    "BankCoverage", "CompetenceRule", "COMPETENCE_DUTIES", "Duty", "Organization", "OrgKind", "User", "Beneficiary",
    "Category",
    "CategorySynonym", "PaymentChannel", "CashAtHomeReason", "Gender", "BeneficiaryStatus", "DisabilityLevel",
    "PaymentAccount", "PaymentProvider", "CoefficientRule",
    "StandardLevel", "ImportBatch", "ListChannel", "PayoutLine", "PayoutList", "ListStatus", "LineResult", "AuditEvent",
    "Authorization", "ChangeSubmission", "EventKind", "EventStatus", "RegistryEvent", "Job",
    "AdditionalCategory", "CareArrangement", "FeeRule", "LocalTopUp", "SupportRule",
    "CheckResult", "IdentityCheck",
    "AccountCheck", "AccountCheckStatus", "HomeVisit",
    "PayoutPointSession",
    "Hamlet",
    "StoredFile",
    "Complaint", "ComplaintChannel", "ComplaintKind", "ComplaintStatus", "Resolution",
    "LookupAttempt",
    "Notice", "NoticeConsent", "NoticeKind",
    "UserSession",
    "Programme", "PensionRequest", "RequestStatus", "SocialPensionLevel", "HouseholdPoverty",
    "ContractStatus", "DocumentCounter", "DocumentKind", "IssuedDocument", "MonthlyReportNote", "ServiceContract",
]
