"""Turn the services' Django exceptions into DRF responses with field-level messages."""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework.exceptions import APIException, ErrorDetail, Throttled, ValidationError
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from pilot.middleware import RETRY_AFTER_SECONDS
from pilot.statement_timeout import is_query_timeout
from tasks.services.reporting import StaleVersionError

logger = logging.getLogger(__name__)


class QueryTimedOut(APIException):
    """A query PostgreSQL cut (statement_timeout): the server is busy, try again."""

    status_code = 503
    default_code = "query_timeout"

    def __init__(self):
        super().__init__(_("服务器繁忙，查询超时已中止，请稍后重试或缩小查询范围。"))


def exception_handler(exc, context):
    """Map a service's ValidationError to 400 (a stale version to the ``version`` field)."""
    if isinstance(exc, StaleVersionError):
        exc = ValidationError({"version": exc.messages})
    elif isinstance(exc, DjangoValidationError):
        exc = ValidationError(field_errors(exc))
    elif isinstance(exc, Throttled):
        exc.detail = ErrorDetail(throttled_message(exc.wait), code=exc.default_code)
    elif is_query_timeout(exc):
        view = context.get("view")
        logger.warning("Query cut by statement_timeout in %s", type(view).__name__)
        exc = QueryTimedOut()
    response = drf_exception_handler(exc, context)
    if isinstance(exc, QueryTimedOut):
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def throttled_message(wait: float | None) -> str:
    if wait is None:
        return _("请求过于频繁，请稍后再试。")
    return _("请求过于频繁，请 %(seconds)d 秒后再试。") % {"seconds": max(1, round(wait))}


def field_errors(exc: DjangoValidationError, field: str | None = None) -> dict:
    """Return ``exc`` as ``{field: [messages]}`` (non_field_errors when it names no field)."""
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {field or api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
