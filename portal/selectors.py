"""Reads for the core: what each role's home page shows."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from initiatives.models import Initiative
from portal import permissions
from portal.models import Ecosystem, Region
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
