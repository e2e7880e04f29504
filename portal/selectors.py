"""Reads for the core: what each role's home page shows."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from initiatives.models import Initiative
from portal import permissions
from portal.models import Ecosystem, FutureVisionWindow, Organisation, Priority, Region, Theme
from portal.permissions import AnyUser


def national_totals() -> dict[str, Any]:
    """Live initiatives, published ones and ecosystems (two queries)."""
    live = ~Q(status__in=[Initiative.Status.MERGED, Initiative.Status.ARCHIVED])
    totals = Initiative.objects.filter(live).aggregate(
        total=Count("id"), published=Count("id", filter=Q(published=True))
    )
    return {"initiatives": totals["total"], "published": totals["published"], "ecosystems": Ecosystem.objects.count()}


def national_counts() -> dict[str, Any]:
    """Headline figures for the programme team: totals and initiatives per landsdeel."""
    live = ~Q(status__in=[Initiative.Status.MERGED, Initiative.Status.ARCHIVED])
    totals = Initiative.objects.filter(live).aggregate(
        total=Count("id"), published=Count("id", filter=Q(published=True))
    )
    # Per province via both direct province tags and COROP tags, counted once per initiative. The
    # roll-up groups the tag table once (a join of both tag sets per province explodes at 100k rows).
    def per_province_rows() -> list[dict[str, Any]]:
        counts = region_counts(initiatives=Initiative.objects.filter(live), level=Region.Kind.PROVINCE, with_names=True)
        return [{"code": code, "name": name, "n": n} for code, (name, n) in counts.items()]

    per_province = cached_aggregate(
        name="national_per_province", scope="all", params="", version=data_version(), compute=per_province_rows,
    )
    return {
        "initiatives": totals["total"],
        "published": totals["published"],
        "ecosystems": Ecosystem.objects.count(),
        "per_province": per_province,
    }


def board_ecosystems(*, user: AnyUser) -> QuerySet[Ecosystem]:
    return Ecosystem.objects.filter(id__in=permissions.board_ecosystem_ids(user)).prefetch_related("regions")


def rom_provinces(*, user: AnyUser) -> QuerySet[Region]:
    return Region.objects.filter(id__in=permissions.rom_province_ids(user)).order_by("name")


# --- dashboard and maps ------------------------------------------------------------------------

def _province_of_tag():
    """For an initiative-region row: the province (a COROP tag counts for its province)."""
    from django.db.models import Case, F, When

    return Case(When(region__kind=Region.Kind.COROP, then=F("region__parent_id")), default=F("region_id"))


def _restrict(tags: QuerySet[Any], initiatives: QuerySet[Initiative]) -> QuerySet[Any]:
    """Tag rows (initiative-region or initiative-priority) of these initiatives only.

    No semi-join when the queryset is unfiltered: at 100k initiatives it costs more than the count.
    """
    if not initiatives.query.where:
        return tags
    return tags.filter(initiative_id__in=initiatives.values("id"))


def region_counts(*, initiatives: QuerySet[Initiative], level: str, with_names: bool = False) -> dict[str, Any]:
    """Initiatives per province or per COROP region as {code: n}; each initiative counted once per region.

    On the province level a COROP tag counts for its province. On the COROP level only COROP tags
    count (an initiative tagged with a whole province has no COROP region).
    """
    tags = _restrict(Initiative.regions.through.objects.all(), initiatives)
    if level == Region.Kind.COROP:
        rows = tags.filter(region__kind=Region.Kind.COROP).values("region_id").annotate(
            n=Count("initiative_id", distinct=True)
        ).values_list("region_id", "n")
    else:
        rows = tags.exclude(region__kind=Region.Kind.LANDSDEEL).annotate(area=_province_of_tag()).values(
            "area"
        ).annotate(n=Count("initiative_id", distinct=True)).values_list("area", "n")
    by_id = dict(rows)
    regions = Region.objects.filter(kind=level).order_by("name").values_list("id", "code", "name")
    if with_names:
        return {code: (name, by_id.get(region_id, 0)) for region_id, code, name in regions}
    return {code: by_id.get(region_id, 0) for region_id, code, _name in regions}


def map_regions(*, level: str) -> list[dict[str, Any]]:
    return list(Region.objects.filter(kind=level).order_by("name").values("code", "name"))


def region_boundaries(*, level: str | None = None, codes: list[str] | None = None) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of region boundaries (geometry is stored as GeoJSON text)."""
    import json

    qs = Region.objects.exclude(geometry="")
    if level:
        qs = qs.filter(kind=level)
    if codes is not None:
        qs = qs.filter(code__in=codes)
    features = [
        {"type": "Feature", "id": code, "properties": {"code": code, "name": name, "kind": kind},
         "geometry": json.loads(geometry)}
        for code, name, kind, geometry in qs.order_by("kind", "code").values_list("code", "name", "kind", "geometry")
    ]
    return {"type": "FeatureCollection", "features": features}


def theme_landsdeel_counts(*, initiatives: QuerySet[Initiative]) -> dict[str, Any]:
    """Initiatives per theme per landsdeel, for a stacked bar chart (each counted once per landsdeel)."""
    from django.db.models import Case, F, When

    landsdeel = Case(
        When(region__kind=Region.Kind.COROP, then=F("region__parent__parent_id")),
        When(region__kind=Region.Kind.PROVINCE, then=F("region__parent_id")),
        default=F("region_id"),
    )
    rows = (
        _restrict(Initiative.regions.through.objects.all(), initiatives)
        .annotate(landsdeel=landsdeel, theme=F("initiative__theme_id"))
        .values("theme", "landsdeel")
        .annotate(n=Count("initiative_id", distinct=True))
        .values_list("theme", "landsdeel", "n")
    )
    landsdelen = list(Region.objects.filter(kind=Region.Kind.LANDSDEEL).order_by("name").values_list("id", "name"))
    from portal.models import Theme

    themes = list(Theme.objects.order_by("name_nl"))
    table: dict[Any, dict[int, int]] = {}
    for theme_id, landsdeel_id, n in rows:
        table.setdefault(theme_id, {})[landsdeel_id] = n
    return {
        "landsdelen": [name for _id, name in landsdelen],
        "rows": [
            {"theme": theme, "counts": [table.get(theme.id, {}).get(ld_id, 0) for ld_id, _name in landsdelen]}
            for theme in themes
            if theme.id in table
        ],
        "no_theme": [table.get(None, {}).get(ld_id, 0) for ld_id, _name in landsdelen],
    }


def coverage_matrix(*, initiatives: QuerySet[Initiative]) -> dict[str, Any]:
    """Active national priorities x provinces: number of initiatives; gaps (0) and crowded cells marked.

    A cell is "crowded" when it holds at least 3 initiatives and at least twice the row's average:
    many regions working on the same priority in the same place.
    """
    from django.db.models import Case, F, When

    from portal.models import Priority

    province = Case(
        When(initiative__regions__kind=Region.Kind.COROP, then=F("initiative__regions__parent_id")),
        When(initiative__regions__kind=Region.Kind.PROVINCE, then=F("initiative__regions__id")),
        default=None,
    )
    rows = (
        _restrict(Initiative.priorities.through.objects.all(), initiatives)
        .annotate(province=province)
        .exclude(province=None)
        .values("priority_id", "province")
        .annotate(n=Count("initiative_id", distinct=True))
        .values_list("priority_id", "province", "n")
    )
    cells: dict[int, dict[int, int]] = {}
    for priority_id, province_id, n in rows:
        cells.setdefault(priority_id, {})[province_id] = n
    provinces = list(Region.objects.filter(kind=Region.Kind.PROVINCE).order_by("name").values_list("id", "name", "code"))
    priorities = list(Priority.objects.filter(active=True).exclude(kind=Priority.Kind.TRANSITION_CHALLENGE).order_by("kind", "code"))
    matrix = []
    for priority in priorities:
        counts = [cells.get(priority.id, {}).get(pid, 0) for pid, _n, _c in provinces]
        mean = sum(counts) / len(counts) if counts else 0
        matrix.append({
            "priority": priority,
            "cells": [
                {"n": n, "state": "gap" if n == 0 else ("crowded" if n >= 3 and n >= 2 * mean else "")}
                for n in counts
            ],
            "total": sum(counts),
            "gaps": sum(1 for n in counts if n == 0),
        })
    return {"provinces": [(name, code) for _id, name, code in provinces], "rows": matrix}


def region_summary(*, region: Region, initiatives: QuerySet[Initiative], user: AnyUser, limit: int = 10) -> dict[str, Any]:
    """What the map's region panel shows: the ecosystems there and its initiatives."""
    from initiatives.filters import region_descendant_ids

    area = region_descendant_ids(region)
    # Ecosystems of the region itself, of the areas inside it, and of the province around a COROP region.
    area_with_parents = area | {region.parent_id} if region.parent_id else area
    tagged = Initiative.regions.through.objects.filter(region_id__in=area).values("initiative_id")
    in_region = initiatives.filter(id__in=tagged)
    ecosystems = (
        permissions.ecosystems_visible_to(user)
        .filter(regions__in=area_with_parents)
        .distinct()
        .order_by("name")
    )
    return {
        "region": region,
        "count": in_region.count(),
        "initiatives": list(in_region.order_by("-updated_at", "-id")[:limit]),
        "ecosystems": list(ecosystems),
    }


# --- ecosystem pages ---------------------------------------------------------------------------

def ecosystem_list(*, user: AnyUser) -> QuerySet[Ecosystem]:
    return (
        permissions.ecosystems_visible_to(user)
        .select_related("lead_organisation")
        .prefetch_related("regions")
        .order_by("name")
    )


def ecosystem_get(*, slug: str, user: AnyUser) -> Ecosystem:
    from django.db.models import Prefetch
    from django.shortcuts import get_object_or_404

    from portal.models import EcosystemPartner

    ecosystem = get_object_or_404(
        Ecosystem.objects.select_related("lead_organisation").prefetch_related(
            "regions", "weak_spots",
            Prefetch(
                "partnerships",
                queryset=EcosystemPartner.objects.select_related("organisation").order_by("helix_role", "organisation__name"),
            ),
        ),
        slug=slug,
    )
    if not permissions.can_read(user, ecosystem):
        # An unpublished ecosystem does not exist for outsiders.
        from django.http import Http404

        raise Http404
    return ecosystem


def ecosystem_helix(*, ecosystem: Ecosystem) -> dict[str, Any]:
    """Partners per helix role (uses the prefetched partnerships) and whether all four are present."""
    from portal.models import HelixRole

    by_role: dict[str, list[Any]] = {role.value: [] for role in HelixRole}
    for partnership in ecosystem.partnerships.all():
        by_role.setdefault(partnership.helix_role, []).append(partnership.organisation)
    roles = [
        {"code": role.value, "label": role.label, "organisations": by_role[role.value], "n": len(by_role[role.value])}
        for role in HelixRole
    ]
    missing = [r["label"] for r in roles if not r["n"]]
    return {"roles": roles, "complete": not missing, "missing": missing}


def ecosystem_region_counts(*, ecosystem: Ecosystem, initiatives: QuerySet[Initiative]) -> dict[str, int]:
    """The ecosystem's initiatives per region it covers (a COROP tag also counts for its province)."""
    from django.db.models import Case, F, When

    regions = list(ecosystem.regions.all())
    ids = [r.id for r in regions]
    area = Case(When(region_id__in=ids, then=F("region_id")), When(region__parent_id__in=ids, then=F("region__parent_id")))
    rows = dict(
        Initiative.regions.through.objects.filter(initiative_id__in=initiatives.values("id"))
        .annotate(area=area)
        .exclude(area=None)
        .values("area")
        .annotate(n=Count("initiative_id", distinct=True))
        .values_list("area", "n")
    )
    return {region.code: rows.get(region.id, 0) for region in regions}


# --- caching of the national aggregates ----------------------------------------------------------

AGGREGATE_CACHE_SECONDS = 600
# Under a steady stream of API updates every change would empty the cache; a figure up to this
# old is served even when the data changed since, so the heavy aggregates run at most once a
# minute per filter set.
# None means 60 s, or 0 under tests: every test reuses the same database name, so a figure of one
# test must not be served to the next.
AGGREGATE_MAX_STALE_SECONDS: float | None = None


AGGREGATE_KEY_SALT = ""  # tests set a unique salt to start from an empty cache


def _max_stale_seconds() -> float:
    from django.conf import settings

    if AGGREGATE_MAX_STALE_SECONDS is not None:
        return AGGREGATE_MAX_STALE_SECONDS
    return 0 if settings.TESTING else 60


def data_version() -> str:
    """Changes whenever an initiative is created or saved (both maxima come from indexes).

    Services save `updated_at` on every change (initiative_update also records `updated_by`).
    Deletions are rare and covered by the time-outs.
    """
    from django.db.models import Max

    agg = Initiative.objects.aggregate(updated=Max("updated_at"), last=Max("id"))
    stamp = agg["updated"].timestamp() if agg["updated"] else 0
    return f"{agg['last']}:{stamp}"


def cached_aggregate(*, name: str, scope: str, params: str, version: str, compute: Any) -> Any:
    """compute(), cached per scope and filters.

    The cached value is used when the data version is unchanged, or when it is younger than
    AGGREGATE_MAX_STALE_SECONDS; otherwise it is recomputed.
    """
    import hashlib
    import time

    from django.conf import settings
    from django.core.cache import cache

    database = settings.DATABASES["default"]["NAME"]
    key = "aggregate:" + hashlib.sha256(f"{name}|{scope}|{params}|{database}|{AGGREGATE_KEY_SALT}".encode()).hexdigest()
    entry = cache.get(key)
    now = time.time()
    if entry is not None and (entry[0] == version or now - entry[1] < _max_stale_seconds()):
        return entry[2]
    value = compute()
    cache.set(key, (version, now, value), AGGREGATE_CACHE_SECONDS)
    return value


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
