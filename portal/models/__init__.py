"""SQLAlchemy models, one module per domain. Import from here: ``from portal.models import Beneficiary``."""
from .geo import AdministrativeUnit
from .organizations import BankCoverage, Duty, Organization, OrgKind, User
from .registry import Beneficiary, Category, CategorySynonym, PaymentChannel, CashAtHomeReason
from .accounts import PaymentAccount, PaymentProvider
from .rates import CoefficientRule, StandardLevel
from .payouts import LineResult, ListChannel, ListStatus, PayoutLine, PayoutList
from .audit import AuditEvent
from .imports import ImportBatch

__all__ = [
    "AdministrativeUnit", "BankCoverage", "Duty", "Organization", "OrgKind", "User", "Beneficiary", "Category",
    "CategorySynonym", "PaymentChannel", "CashAtHomeReason", "PaymentAccount", "PaymentProvider", "CoefficientRule",
    "StandardLevel", "ImportBatch", "ListChannel", "PayoutLine", "PayoutList", "ListStatus", "LineResult", "AuditEvent",
]
