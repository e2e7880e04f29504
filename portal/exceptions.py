"""The application's own errors. Services raise these; views and the API turn them into messages."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    def __init__(self, message: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class ConflictError(ApplicationError):
    """Someone else saved the object since it was loaded (optimistic locking)."""


class InvalidTransition(ApplicationError):
    """A workflow transition that the table does not allow for this role."""


class PreconditionFailed(ConflictError):
    """The client's If-Match version is not the current one (HTTP 412)."""
