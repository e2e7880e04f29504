"""Cursor pagination: stable under inserts, no OFFSET, so a sync over 100 000 rows stays fast."""

from __future__ import annotations

from typing import Any

from rest_framework.pagination import CursorPagination
from rest_framework.request import Request


class ApiCursorPagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering: Any = ("-updated_at", "-id")

    def __init__(self, ordering: tuple[str, ...] | None = None) -> None:
        if ordering is not None:
            self.ordering = ordering

    def get_ordering(self, request: Request, queryset: Any, view: Any) -> tuple[str, ...]:
        # The view chose and validated the ordering; no OrderingFilter backend involved.
        return tuple(self.ordering)
