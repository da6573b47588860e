"""The ``commune`` blueprint object and its duty gate (route modules import ``bp`` from here)."""
from flask import Blueprint

from ...access import gate
from ...models import Duty

bp = Blueprint("commune", __name__, url_prefix="/xa")
bp.before_request(gate(Duty.INTAKE))
