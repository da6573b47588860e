"""Domain errors (lỗi nghiệp vụ) raised by services, with Vietnamese messages for the user.

Views turn a ``PortalError`` into a 422 response (forms) or a flash message; the CLI prints it and exits non-zero.
"""


class PortalError(ValueError):
    """A rule was broken; ``str(err)`` is a Vietnamese message fit to show a clerk."""


class ValidationError(PortalError):
    """Input does not satisfy a hard rule (e.g. a CCCD that is not 12 digits)."""


class AccessDenied(PortalError):
    """The actor's organisation lacks the duty, or the row is outside its area."""


class StateError(PortalError):
    """The object is in a state that forbids the action (e.g. editing an approved payout list)."""
