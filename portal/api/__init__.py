"""Shared API plumbing: one error shape for every error, {"message": ..., "extra": {"fields": ...}}.

Every failure of the REST API, from bad JSON to a database rejecting a value, ends here, so
clients see the same shape and never a bare 500 for bad input.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from portal.exceptions import ApplicationError, ConflictError, PreconditionFailed

logger = logging.getLogger(__name__)


def _shape(message: str, status: int, extra: dict[str, Any] | None = None) -> Response:
    return Response({"message": message, "extra": extra or {}}, status=status)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, RequestDataTooBig):
        return _shape(_("The request body is too large."), 413)
    if isinstance(exc, PreconditionFailed):
        return _shape(exc.message, 412, exc.extra)
    if isinstance(exc, ConflictError):
        return _shape(exc.message, 409, exc.extra)
    if isinstance(exc, ApplicationError):
        return _shape(exc.message, 400, exc.extra)
    if isinstance(exc, IntegrityError):
        # A concurrent write won a race on a unique key: the client may retry.
        logger.info("API integrity conflict: %s", exc)
        return _shape(_("The request conflicts with another change; try again."), 409)
    if isinstance(exc, OperationalError | InterfaceError):
        # The database went away (restart, failover): the transaction was rolled back, so nothing
        # was written; the client may retry after a short wait (bench/drills.py, drill "postgres").
        logger.warning("API database unavailable: %s", exc)
        response = _shape(_("The database is temporarily unavailable; nothing was saved. Try again shortly."), 503)
        response["Retry-After"] = "15"
        return response
    if isinstance(exc, DataError):
        # A value the serializers let through but the database rejects (out of range and the like).
        logger.info("API data error: %s", exc)
        return _shape(_("A value is out of range."), 400)

    # Imported here: this package is imported while DRF loads its settings (authentication
    # classes), before rest_framework.views has finished importing.
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {"message": _("Validation error"), "extra": {"fields": detail}}
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        response.data = {"message": str(detail), "extra": {}}
    return response
