"""Reads for initiatives: query shape lives here so pages and the API make few queries."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from initiatives.models import Initiative
from portal import permissions
from portal.models import Activity
from portal.permissions import AnyUser


def initiative_list(*, user: AnyUser) -> QuerySet[Initiative]:
    return (
        permissions.initiatives_visible_to(user)
        .select_related("ecosystem", "lead_organisation", "theme")
        .prefetch_related("regions")
    )


def initiative_history(*, initiative: Initiative) -> QuerySet[Activity]:
    return Activity.objects.filter(
        target_type=ContentType.objects.get_for_model(Initiative), target_id=initiative.pk
    ).select_related("actor")


# --- API reads ---------------------------------------------------------------------------------
# One shape for every API read, so a page of 5 and a page of 500 cost the same number of queries.

API_ORDERINGS = ("updated_at", "-updated_at", "created_at", "-created_at", "title", "-title", "id", "-id")


def _api_shape(queryset: QuerySet[Initiative]) -> QuerySet[Initiative]:
    return queryset.select_related("ecosystem", "lead_organisation", "owner_organisation", "theme").prefetch_related(
        "regions", "partners", "priorities", "vision_windows"
    )


def initiative_api_list(*, user: AnyUser, filters: dict[str, Any] | None = None) -> QuerySet[Initiative]:
    """Initiatives the user may read, filtered. Raises ValidationError for bad filter values."""
    from initiatives.filters import InitiativeFilter

    qs = permissions.initiatives_visible_to(user)
    filterset = InitiativeFilter(filters or {}, queryset=qs)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return _api_shape(filterset.qs)


def initiative_api_get(*, user: AnyUser, initiative_id: int, for_update: bool = False) -> Initiative:
    """One initiative the user may read, or Http404 (its existence must not leak)."""
    qs = permissions.initiatives_visible_to(user).filter(id=initiative_id)
    if for_update:
        qs = Initiative.objects.select_for_update(of=("self",)).filter(id__in=qs.values("id"))
    initiative = _api_shape(qs).first()
    if initiative is None:
        raise Http404
    return initiative


def initiative_version(initiative: Initiative) -> str:
    """An opaque version for ETag / If-Match; changes with every write (updated_at moves)."""
    raw = f"{initiative.pk}:{initiative.updated_at.isoformat()}"
    return hashlib.sha256(raw.encode()).hexdigest()[:20]
