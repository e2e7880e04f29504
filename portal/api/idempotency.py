"""`Idempotency-Key` for POST: a repeated request gets the first response instead of a second write.

Records are scoped to the user (a token's service user), keyed by the client's key, and remember
a hash of the request. Same key + same request -> the stored response (header
`Idempotent-Replayed: true`); same key + different request -> 422; same key while the first is
still running -> 409. Only successful (2xx) responses are stored: a failed request changed
nothing, so running it again gives the same answer.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from portal.tokens import ApiToken, IdempotencyRecord

HEADER = "Idempotency-Key"
KEY_MAX_LENGTH = 255
# A record still "in progress" after this long belongs to a crashed request and may be retried.
ABANDONED_AFTER = dt.timedelta(minutes=5)
KEEP_FOR = dt.timedelta(hours=24)
STORED_HEADERS = ("Location", "ETag")


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("This Idempotency-Key was used for a different request.")
    default_code = "idempotency_key_reused"


class KeyInProgress(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("A request with this Idempotency-Key is still being processed.")
    default_code = "idempotency_key_in_progress"


def _request_hash(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode("utf-8", "replace")).hexdigest()


def _replay(record: IdempotencyRecord) -> Response:
    response = Response(record.response_body, status=record.response_status)
    for name, value in (record.response_headers or {}).items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(method: Callable[..., Response]) -> Callable[..., Response]:
    """Decorate an APIView's post() to honour the Idempotency-Key header."""

    @functools.wraps(method)
    def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return method(self, request, *args, **kwargs)
        if not key or len(key) > KEY_MAX_LENGTH or not key.isprintable():
            raise exceptions.ValidationError(
                {HEADER: [_("Send 1 to %(n)d printable characters.") % {"n": KEY_MAX_LENGTH}]}
            )
        request_hash = _request_hash(request)
        token = request.auth if isinstance(request.auth, ApiToken) else None
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=request.user, token=token, key=key, request_hash=request_hash
                )
        except IntegrityError:
            record = IdempotencyRecord.objects.get(user=request.user, key=key)
            if record.request_hash != request_hash:
                raise KeyReused() from None
            if record.response_status is not None:
                return _replay(record)
            if timezone.now() - record.created_at < ABANDONED_AFTER:
                raise KeyInProgress() from None
            record.created_at = timezone.now()
            record.save(update_fields=["created_at"])
        try:
            response = method(self, request, *args, **kwargs)
        except BaseException:
            record.delete()
            raise
        if 200 <= response.status_code < 300:
            record.response_status = response.status_code
            record.response_body = response.data
            record.response_headers = {h: response[h] for h in STORED_HEADERS if h in response}
            record.save(update_fields=["response_status", "response_body", "response_headers"])
        else:
            record.delete()
        return response

    return wrapper


def idempotency_records_purge() -> int:
    """Delete records older than a day (called from a beat task)."""
    deleted, _counts = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - KEEP_FOR).delete()
    return deleted
