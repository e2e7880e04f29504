"""Structured logs: one JSON object per line, with the request id of the request being served.

Logs carry ids, never personal data: the user is logged by id only.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
IPV4_RE = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")


def mask_personal_data(text: str) -> str:
    """Replace e-mail addresses and IPv4 addresses; ids stay so an incident can still be traced."""
    return IPV4_RE.sub("[ip]", EMAIL_RE.sub("[email]", text))


class PersonalDataFilter(logging.Filter):
    """Masks e-mail and IP addresses in every record, including Django's own messages (which can
    quote a submitted value) and exception text. The message is rendered once and frozen."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_personal_data(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = mask_personal_data(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        for key in ("username", "ip", "remote_addr", "email"):
            if hasattr(record, key):
                setattr(record, key, "[masked]")
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for key in ("status_code", "user_id", "path", "duration_ms"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_text:  # already masked by PersonalDataFilter
            entry["exception"] = record.exc_text
        elif record.exc_info:
            entry["exception"] = mask_personal_data(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class RequestIdMiddleware:
    """Takes X-Request-ID from a proxy when it looks like an id, else makes one; echoes it back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        request.request_id = request_id  # type: ignore[attr-defined]
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response
