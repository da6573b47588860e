"""Province pages (package: ``blueprint`` holds ``bp``; route modules register on it)."""
from . import accounts, overview, reform  # noqa: F401  (routes)
from .blueprint import bp  # noqa: F401
