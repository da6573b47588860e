"""Commune (UBND xã) pages: the register of beneficiaries, imports, and confirming the commune's payout lists.
Gated on the ``intake`` duty; every row is loaded through ``portal.access``."""
from flask import Blueprint

from ...access import gate
from ...models import Duty

bp = Blueprint("commune", __name__, url_prefix="/xa")
bp.before_request(gate(Duty.INTAKE))

from . import payouts, registry  # noqa: E402,F401  (routes)
