"""The ``district`` blueprint object and its duty gate (route modules import ``bp`` from here)."""
from flask import Blueprint

from ...access import gate
from ...models import Duty

bp = Blueprint("district", __name__, url_prefix="/huyen")
bp.before_request(gate(Duty.PAYOUT_MANAGEMENT))
