"""Reads for the core: what each role's home page shows."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from initiatives.models import Initiative
from portal import permissions
from portal.models import Ecosystem, FutureVisionWindow, Organisation, Priority, Region, Theme
from portal.permissions import AnyUser


def national_counts() -> dict[str, Any]:
    """Headline figures for the programme team: totals and initiatives per landsdeel."""
    live = ~Q(status__in=[Initiative.Status.MERGED, Initiative.Status.ARCHIVED])
    totals = Initiative.objects.filter(live).aggregate(
        total=Count("id"), published=Count("id", filter=Q(published=True))
    )
    # Per province via both direct province tags and COROP tags, counted once per initiative.
    per_province = (
        Region.objects.filter(kind=Region.Kind.PROVINCE)
        .annotate(
            n=Count(
                "initiatives",
                filter=Q(initiatives__status__in=[Initiative.Status.ACTIVE, Initiative.Status.DRAFT, Initiative.Status.COMPLETED]),
                distinct=True,
            )
            + Count("children__initiatives", distinct=True)
        )
        .order_by("name")
        .values("code", "name", "n")
    )
    return {
        "initiatives": totals["total"],
        "published": totals["published"],
        "ecosystems": Ecosystem.objects.count(),
        "per_province": list(per_province),
    }


def board_ecosystems(*, user: AnyUser) -> QuerySet[Ecosystem]:
    return Ecosystem.objects.filter(id__in=permissions.board_ecosystem_ids(user)).prefetch_related("regions")


def rom_provinces(*, user: AnyUser) -> QuerySet[Region]:
    return Region.objects.filter(id__in=permissions.rom_province_ids(user)).order_by("name")


# --- API reference reads ---------------------------------------------------------------------
# Each returns a queryset in its final shape, so the API's query count does not grow with rows.


def region_api_list(*, kind: str | None = None) -> QuerySet[Region]:
    qs = Region.objects.select_related("parent").order_by("kind", "code")
    return qs.filter(kind=kind) if kind else qs


def organisation_api_list(*, kind: str | None = None, helix_role: str | None = None,
                          search: str | None = None) -> QuerySet[Organisation]:
    qs = Organisation.objects.select_related("home_region").prefetch_related("served_provinces")
    if kind:
        qs = qs.filter(kind=kind)
    if helix_role:
        qs = qs.filter(helix_role=helix_role)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(short_name__icontains=search) | Q(slug__icontains=search))
    return qs


def ecosystem_api_list(*, user: AnyUser) -> QuerySet[Ecosystem]:
    return (
        permissions.ecosystems_visible_to(user)
        .select_related("lead_organisation")
        .prefetch_related("regions", "partnerships__organisation", "weak_spots")
        .order_by("name", "id")
    )


def priority_api_list(*, kind: str | None = None) -> QuerySet[Priority]:
    qs = Priority.objects.select_related("parent").order_by("kind", "code")
    return qs.filter(kind=kind) if kind else qs


def theme_api_list() -> QuerySet[Theme]:
    return Theme.objects.prefetch_related("priorities").order_by("code")


def vision_window_api_list() -> QuerySet[FutureVisionWindow]:
    return FutureVisionWindow.objects.order_by("code")
