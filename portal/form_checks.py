"""A service's rule as a form field's check (kiểm tra một ô bằng quy tắc nghiệp vụ): the form shows the service's
Vietnamese message under the field, as for any other field error, and the view re-renders it (422)."""
from collections.abc import Callable

from wtforms.validators import ValidationError as FieldError

from .errors import PortalError


def service_check(check: Callable, field):
    """``check(field.data)``, its value returned; a ``PortalError`` it raises becomes the field's error (WTForms'
    ``ValidationError``, for use in a ``validate_<field>`` method)."""
    try:
        return check(field.data)
    except PortalError as err:
        raise FieldError(str(err)) from err


def with_error(form, field, err):
    """``form`` with the message of the refusal ``err`` added under its ``field``: the form to re-render (422)."""
    field.errors = list(field.errors or []) + [str(err)]
    return form
