"""Reads for the overlap pages and API: the comparison, the board's view, the network and its
clusters. Who may see what is decided in portal/permissions.py; these shape the queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from initiatives.models import Initiative, InitiativeLink, OverlapSuggestion
from portal import permissions
from portal.models import Region
from portal.permissions import AnyUser

# Colour-blind safe (Okabe-Ito) colours per landsdeel code; grey when the region is unknown.
LANDSDEEL_COLOURS = {"LD01": "#0072B2", "LD02": "#E69F00", "LD03": "#009E73", "LD04": "#CC79A7"}
UNKNOWN_COLOUR = "#767676"
LIVE_EXCLUDED = ("merged", "archived")


def overlap_suggestion_get(*, pk: int, user: AnyUser) -> OverlapSuggestion:
    """One suggestion with both initiatives and what the comparison shows; 404 / 403."""
    suggestion = get_object_or_404(
        OverlapSuggestion.objects.select_related(
            "a", "b", "a__ecosystem", "b__ecosystem", "a__theme", "b__theme", "a__merged_into",
            "b__merged_into", "decided_by",
        ).prefetch_related(
            "a__regions", "b__regions", "a__partners", "b__partners", "a__priorities", "b__priorities",
        ),
        pk=pk,
    )
    return permissions.access_read(user, suggestion)


def overlap_board_suggestions(*, user: AnyUser) -> list[OverlapSuggestion]:
    """Suggestions involving the board's own initiatives, best first; `own_side` tells which side
    ("a" or "b") is the board's own (when both are, "a")."""
    own = permissions.board_ecosystem_ids(user)
    rows = list(
        permissions.overlap_suggestions_visible_to(user)
        .exclude(status=OverlapSuggestion.Status.DISMISSED)
        .select_related("a", "b")
        .prefetch_related("a__regions", "b__regions")
        .order_by("-score", "a_id", "b_id")[:200]
    )
    for row in rows:
        row.own_side = "a" if row.a.ecosystem_id in own else "b"  # type: ignore[attr-defined]
    return rows


def overlap_board_links(*, user: AnyUser) -> QuerySet[InitiativeLink]:
    """Links from or to the board's own initiatives, any status: both boards see the outcome."""
    own = permissions.board_ecosystem_ids(user)
    return (
        InitiativeLink.objects.filter(
            Q(from_initiative__ecosystem_id__in=own) | Q(to_initiative__ecosystem_id__in=own)
        )
        .select_related("from_initiative", "to_initiative", "created_by")
        .prefetch_related("from_initiative__regions", "to_initiative__regions")
        .order_by("-created_at", "-id")
    )


def overlap_board_own_initiatives(*, user: AnyUser) -> QuerySet[Initiative]:
    return Initiative.objects.filter(
        ecosystem_id__in=permissions.board_ecosystem_ids(user)
    ).exclude(status__in=LIVE_EXCLUDED).order_by("title")


def overlap_link_targets(*, user: AnyUser) -> QuerySet[Initiative]:
    """Initiatives a user may name as the other end of a link: the ones it may read, plus the
    other side of any suggestion it sees (title and region only are shown for those)."""
    suggestions = permissions.overlap_suggestions_visible_to(user)
    return Initiative.objects.filter(
        Q(id__in=permissions.initiatives_visible_to(user).values("id"))
        | Q(id__in=suggestions.values("a_id")) | Q(id__in=suggestions.values("b_id"))
    ).exclude(status__in=LIVE_EXCLUDED)


# --- network -----------------------------------------------------------------------------------


@dataclass
class Cluster:
    initiatives: list[dict[str, Any]]
    provinces: list[str]
    landsdelen: list[str]


@dataclass
class Network:
    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)
    legend: list[dict[str, str]] = field(default_factory=list)


def _components(ids: list[int], edges: list[tuple[int, int]]) -> list[list[int]]:
    parent = {i: i for i in ids}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for x, y in edges:
        rx, ry = root(x), root(y)
        if rx != ry:
            parent[max(rx, ry)] = min(rx, ry)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in ids:
        groups[root(i)].append(i)
    return list(groups.values())


def overlap_network(*, theme: str = "", priority: str = "") -> Network:
    """Initiatives with accepted links or confirmed overlaps, the edges between them, and the
    clusters (connected components). With a theme or priority filter, an edge stays when at least
    one of its ends matches, so a cluster shows its neighbours from other themes.

    A fixed number of queries whatever the size: edges, initiatives, their regions, all regions.
    Callers check that the user may see the whole network (the programme team).
    """
    edges: list[dict[str, Any]] = [
        {"source": a, "target": b, "kind": kind}
        for a, b, kind in InitiativeLink.objects.filter(status=InitiativeLink.Status.ACCEPTED)
        .order_by("id").values_list("from_initiative_id", "to_initiative_id", "kind")
    ]
    edges += [
        {"source": a, "target": b, "kind": "confirmed_overlap"}
        for a, b in OverlapSuggestion.objects.filter(status=OverlapSuggestion.Status.CONFIRMED_OVERLAP)
        .order_by("a_id", "b_id").values_list("a_id", "b_id")
    ]
    if theme or priority:
        ends = {e["source"] for e in edges} | {e["target"] for e in edges}
        matching_qs = Initiative.objects.filter(id__in=ends)
        if theme:
            matching_qs = matching_qs.filter(theme__code=theme)
        if priority:
            matching_qs = matching_qs.filter(priorities__code=priority)
        matching = set(matching_qs.values_list("id", flat=True))
        edges = [e for e in edges if e["source"] in matching or e["target"] in matching]
    ids = sorted({e["source"] for e in edges} | {e["target"] for e in edges})
    rows = {
        pk: (title, status)
        for pk, title, status in Initiative.objects.filter(id__in=ids).values_list("id", "title", "status")
    }
    regions = {r.id: r for r in Region.objects.all()}
    first_region: dict[int, int] = {}
    for initiative_id, region_id in Initiative.regions.through.objects.filter(
        initiative_id__in=ids
    ).order_by("initiative_id", "region__code").values_list("initiative_id", "region_id"):
        first_region.setdefault(initiative_id, region_id)

    def province_and_landsdeel(initiative_id: int) -> tuple[Region | None, Region | None]:
        region = regions.get(first_region.get(initiative_id, -1))
        if region is None:
            return None, None
        if region.kind == Region.Kind.LANDSDEEL:
            return None, region
        province = regions.get(region.parent_id) if region.kind == Region.Kind.COROP else region
        landsdeel = regions.get(province.parent_id) if province and province.parent_id else None
        return province, landsdeel

    network = Network()
    for pk in ids:
        title, status = rows[pk]
        province, landsdeel = province_and_landsdeel(pk)
        network.nodes.append({
            "id": pk, "title": title, "status": status,
            "province": province.name if province else "",
            "landsdeel": landsdeel.name if landsdeel else "",
            "colour": LANDSDEEL_COLOURS.get(landsdeel.code, UNKNOWN_COLOUR) if landsdeel else UNKNOWN_COLOUR,
        })
    network.edges = edges
    network.legend = [
        {"label": r.name, "colour": LANDSDEEL_COLOURS.get(r.code, UNKNOWN_COLOUR)}
        for r in sorted(regions.values(), key=lambda r: r.code) if r.kind == Region.Kind.LANDSDEEL
    ]
    by_id = {n["id"]: n for n in network.nodes}
    components = _components(ids, [(e["source"], e["target"]) for e in edges])
    for component in components:
        members = sorted((by_id[i] for i in component), key=lambda n: n["title"].lower())
        network.clusters.append(Cluster(
            initiatives=members,
            provinces=sorted({n["province"] for n in members if n["province"]}),
            landsdelen=sorted({n["landsdeel"] for n in members if n["landsdeel"]}),
        ))
    network.clusters.sort(key=lambda c: (-len(c.initiatives), c.initiatives[0]["title"].lower()))
    return network


# --- API ---------------------------------------------------------------------------------------

API_OVERLAP_ORDERINGS = ("-score", "-updated_at", "updated_at")


def overlap_api_list(*, user: AnyUser, status: str = "") -> QuerySet[OverlapSuggestion]:
    """Suggestions the user may read (a ROM: those involving initiatives it may write)."""
    qs = permissions.overlap_suggestions_visible_to(user)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("a", "b").prefetch_related("a__regions", "b__regions")
