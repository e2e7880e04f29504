"""Small template helpers shared by every app's pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import QueryDict
from django.utils.translation import get_language

register = template.Library()


@register.filter
def localname(obj: Any) -> str:
    """The reference-data name in the active language (name_nl / name_en), else str(obj)."""
    if obj is None:
        return ""
    if (get_language() or "nl").startswith("en") and getattr(obj, "name_en", ""):
        return obj.name_en
    return getattr(obj, "name_nl", "") or str(obj)


@register.simple_tag(takes_context=True)
def query_replace(context: dict[str, Any], **kwargs: Any) -> str:
    """The current query string with some parameters replaced (pagination and sort links)."""
    params: QueryDict = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    if "page" not in kwargs:
        params.pop("page", None)
    return params.urlencode()


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key) if mapping else None


@register.filter
def total_minutes(value: Any) -> int:
    """A timedelta as whole minutes (rounded up), e.g. the lockout cool-off."""
    seconds = int(value.total_seconds()) if value else 0
    return -(-seconds // 60)
