"""SQLAlchemy models, one module per domain. Import from here: ``from portal.models import Beneficiary``."""
from .accounts import PaymentAccount, PaymentProvider, PayoutPointSession
from .audit import AuditEvent
from .authorizations import Authorization
from .documents import ContractStatus, DocumentCounter, DocumentKind, IssuedDocument, MonthlyReportNote, ServiceContract
from .events import ChangeSubmission, EventKind, EventStatus, RegistryEvent
from .geo import AdministrativeUnit
from .hamlets import Hamlet
from .identity_checks import CheckResult, IdentityCheck
from .imports import ImportBatch
from .jobs import Job
from .organizations import BankCoverage, Duty, Organization, OrgKind, User
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

__all__ = [
    "AdministrativeUnit", "BankCoverage", "Duty", "Organization", "OrgKind", "User", "Beneficiary", "Category",
    "CategorySynonym", "PaymentChannel", "CashAtHomeReason", "Gender", "BeneficiaryStatus", "DisabilityLevel",
    "PaymentAccount", "PaymentProvider", "CoefficientRule",
    "StandardLevel", "ImportBatch", "ListChannel", "PayoutLine", "PayoutList", "ListStatus", "LineResult", "AuditEvent",
    "Authorization", "ChangeSubmission", "EventKind", "EventStatus", "RegistryEvent", "Job",
    "AdditionalCategory", "CareArrangement", "FeeRule", "LocalTopUp", "SupportRule",
    "CheckResult", "IdentityCheck",
    "PayoutPointSession",
    "Hamlet",
    "StoredFile",
    "Programme", "PensionRequest", "RequestStatus", "SocialPensionLevel", "HouseholdPoverty",
    "ContractStatus", "DocumentCounter", "DocumentKind", "IssuedDocument", "MonthlyReportNote", "ServiceContract",
]
