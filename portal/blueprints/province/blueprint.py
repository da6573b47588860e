"""The ``province`` blueprint object and its duty gate (route modules import ``bp`` from here)."""
from flask import Blueprint

from ...access import gate
from ...models import Duty

bp = Blueprint("province", __name__, url_prefix="/tinh")
bp.before_request(gate(Duty.OVERSIGHT))
