"""Commune (UBND xã) pages: the register of beneficiaries, imports, and confirming the commune's payout lists.
Gated on the ``intake`` duty; every row is loaded through ``portal.access``."""
from .blueprint import bp  # noqa: F401

from . import payouts, registry  # noqa: F401  (routes)
from . import registry_hamlets, registry_intake  # noqa: F401  (intake checks, khóm/ấp list: issue #3)
from . import authorizations, changes, identity_checks  # noqa: F401  (routes of issue #3)
from . import accounts  # noqa: F401  (new accounts and disputes, issue #5)
from . import import_pages  # noqa: F401  (import error file, issue #3)
from . import entitlement_extras  # noqa: F401  (further categories, care support on the beneficiary page)
from . import death_reports  # noqa: F401  (post office reported dead: verify)
