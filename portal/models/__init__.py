"""SQLAlchemy models, one module per domain. Import from here: ``from portal.models import Beneficiary``."""
from .accounts import PaymentAccount, PaymentProvider
from .audit import AuditEvent
from .authorizations import Authorization
from .events import ChangeSubmission, EventKind, EventStatus, RegistryEvent
from .geo import AdministrativeUnit
from .imports import ImportBatch
from .jobs import Job
from .organizations import BankCoverage, Duty, Organization, OrgKind, User
from .payouts import LineResult, ListChannel, ListStatus, PayoutLine, PayoutList
from .rates import CoefficientRule, StandardLevel
from .registry import Beneficiary, CashAtHomeReason, Category, CategorySynonym, PaymentChannel

__all__ = [
    "AdministrativeUnit", "BankCoverage", "Duty", "Organization", "OrgKind", "User", "Beneficiary", "Category",
    "CategorySynonym", "PaymentChannel", "CashAtHomeReason", "PaymentAccount", "PaymentProvider", "CoefficientRule",
    "StandardLevel", "ImportBatch", "ListChannel", "PayoutLine", "PayoutList", "ListStatus", "LineResult", "AuditEvent",
    "Authorization", "ChangeSubmission", "EventKind", "EventStatus", "RegistryEvent", "Job",
]
