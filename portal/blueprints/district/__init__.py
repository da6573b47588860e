"""District pages (package: ``blueprint`` holds ``bp``; route modules register on it)."""
from .blueprint import bp  # noqa: F401
from . import lists, accounts, changes  # noqa: F401  (routes)
