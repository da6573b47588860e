"""Commune (UBND xã) pages: the register of beneficiaries, imports, and confirming the commune's payout lists.
Gated on the ``intake`` duty; every row is loaded through ``portal.access``. Each route module registers its views
on ``bp`` (``blueprint.py``) when imported here."""
from . import (  # noqa: F401  (route modules)
    accounts,
    authorizations,
    changes,
    death_reports,
    entitlement_extras,
    identity_checks,
    import_pages,
    layout,
    notices,
    payouts,
    pension_requests,
    reform_placement,
    registry,
    registry_hamlets,
    registry_intake,
)
from .blueprint import bp  # noqa: F401
