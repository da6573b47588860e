"""Domain errors (lỗi nghiệp vụ) raised by services, with Vietnamese messages for the user.

The web layer maps them application-wide (``portal.errors_web``): ``AccessDenied`` 403, ``StateError`` 409,
``ValidationError`` and any other ``PortalError`` 422, as a page or an htmx fragment, after rolling the request's work
back; a view that shows a refusal its own way declares it (``on_refusal``, ``flash_refusal``). The CLI prints the
message and exits non-zero.
"""


class PortalError(ValueError):
    """A rule was broken; ``str(err)`` is a Vietnamese message fit to show a clerk."""


class ValidationError(PortalError):
    """Input does not satisfy a hard rule (e.g. a CCCD that is not 12 digits)."""


class AccessDenied(PortalError):
    """The actor's organisation lacks the duty, or the row is outside its area."""


class StateError(PortalError):
    """The object is in a state that forbids the action (e.g. editing an approved payout list)."""
