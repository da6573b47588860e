"""Province pages (package: ``blueprint`` holds ``bp``; route modules register on it)."""
from .blueprint import bp  # noqa: F401
from . import overview, accounts  # noqa: F401  (routes)
