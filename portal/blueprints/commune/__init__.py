"""Commune (UBND xã) pages: the register of beneficiaries, imports, and confirming the commune's payout lists.
Gated on the ``intake`` duty; every row is loaded through ``portal.access``."""
from flask import Blueprint

from ...access import gate
from ...models import Duty

bp = Blueprint("commune", __name__, url_prefix="/xa")
bp.before_request(gate(Duty.INTAKE))

from . import payouts, registry  # noqa: E402,F401  (routes)
from . import registry_hamlets, registry_intake  # noqa: E402,F401  (intake checks, khóm/ấp list: issue #3)
from . import authorizations, changes, identity_checks  # noqa: E402,F401  (routes of issue #3)
from . import accounts  # noqa: E402,F401  (new accounts and disputes, issue #5)
from . import import_pages  # noqa: E402,F401  (import error file, issue #3)
from . import entitlement_extras  # noqa: E402,F401  (further categories, care support on the beneficiary page)
from . import death_reports  # noqa: E402,F401  (post office reported dead: verify)
