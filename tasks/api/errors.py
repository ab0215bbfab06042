"""Turn the services' Django exceptions into DRF responses with field-level messages."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from tasks.services.reporting import StaleVersionError


def exception_handler(exc, context):
    """Map a service's ValidationError to 400 (a stale version to the ``version`` field)."""
    if isinstance(exc, StaleVersionError):
        exc = ValidationError({"version": exc.messages})
    elif isinstance(exc, DjangoValidationError):
        exc = ValidationError(field_errors(exc))
    return drf_exception_handler(exc, context)


def field_errors(exc: DjangoValidationError, field: str | None = None) -> dict:
    """Return ``exc`` as ``{field: [messages]}`` (non_field_errors when it names no field)."""
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {field or api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
