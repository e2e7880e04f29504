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


# Only the columns the API shows: select_related would otherwise load whole ecosystems and
# organisations (long profile texts) for every row.
_API_COLUMNS = (
    "id", "external_id", "title", "description", "type", "stage", "scope", "budget", "start_date", "end_date",
    "status", "published", "website", "contact_name", "contact_email", "created_at", "updated_at",
    "ecosystem__slug", "lead_organisation__slug", "owner_organisation__slug", "theme__code",
)
API_RELATIONS = {"regions": "code", "partners": "slug", "priorities": "code", "vision_windows": "code"}


def _api_shape(queryset: QuerySet[Initiative], *, for_update: bool = False) -> QuerySet[Initiative]:
    qs = queryset.select_related("ecosystem", "lead_organisation", "owner_organisation", "theme")
    # Writes go through full_clean, which reads every field: no deferred columns there.
    return qs if for_update else qs.only(*_API_COLUMNS)


def initiative_api_attach_relations(initiatives: list[Initiative]) -> list[Initiative]:
    """Attach the codes of the many-to-many relations as `api_relations` (one query per relation).

    Reads (initiative id, code) pairs from the link tables instead of prefetch_related, which
    builds a model instance and a queryset per row: for a page of 500 that was most of the time.
    """
    by_id = {i.pk: i for i in initiatives}
    for initiative in initiatives:
        initiative.api_relations = {name: [] for name in API_RELATIONS}  # type: ignore[attr-defined]
    if not by_id:
        return initiatives
    for name, lookup in API_RELATIONS.items():
        field = Initiative._meta.get_field(name)
        target = field.m2m_reverse_field_name()  # type: ignore[union-attr]
        pairs = (
            field.remote_field.through.objects.filter(initiative_id__in=list(by_id))  # type: ignore[union-attr]
            .order_by(f"{target}__{lookup}")
            .values_list("initiative_id", f"{target}__{lookup}")
        )
        for initiative_id, code in pairs:
            by_id[initiative_id].api_relations[name].append(code)  # type: ignore[attr-defined]
    return initiatives


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
    initiative = _api_shape(qs, for_update=for_update).first()
    if initiative is None:
        raise Http404
    if not for_update:
        initiative_api_attach_relations([initiative])
    return initiative


def initiative_version(initiative: Initiative) -> str:
    """An opaque version for ETag / If-Match; changes with every write (updated_at moves)."""
    raw = f"{initiative.pk}:{initiative.updated_at.isoformat()}"
    return hashlib.sha256(raw.encode()).hexdigest()[:20]
