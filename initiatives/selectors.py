"""Reads for initiatives: query shape lives here so pages and the API make few queries."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from initiatives.models import FundingLine, Initiative
from portal import permissions
from portal.models import Activity
from portal.permissions import AnyUser

# The PostgreSQL text-search configuration for the overview. The GIN expression index in
# migration 0003 is built on exactly this vector, so keep both in step.
SEARCH_CONFIG = "dutch"
SEARCH_FIELDS = ("title", "description")


def search_vector():
    from django.contrib.postgres.search import SearchVector

    return SearchVector(*SEARCH_FIELDS, config=SEARCH_CONFIG)


def initiative_list(*, user: AnyUser) -> QuerySet[Initiative]:
    return (
        permissions.initiatives_visible_to(user)
        .select_related("ecosystem", "lead_organisation", "theme")
        .prefetch_related("regions")
    )


def initiative_search(
    *, queryset: QuerySet[Initiative], query: str, rank: bool = True, vendor: str | None = None
) -> QuerySet[Initiative]:
    """Full-text search: Dutch stemming on PostgreSQL, a plain substring match elsewhere (SQLite demo).

    `rank` orders by relevance (PostgreSQL only); callers pass False when the user chose a sort.
    """
    query = query.strip()
    if not query:
        return queryset
    if (vendor or connection.vendor) != "postgresql":
        from django.db.models import Q

        condition = Q()
        for word in query.split():
            condition &= Q(title__icontains=word) | Q(description__icontains=word)
        return queryset.filter(condition)
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    search_query = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
    queryset = queryset.annotate(search=search_vector()).filter(search=search_query)
    if rank:
        # Rank on the title only: computing the full vector for every match costs ~10x more at
        # 100k rows (the index holds no stored vector to rank with). Ties go to the newest.
        title_vector = SearchVector("title", config=SEARCH_CONFIG)
        queryset = queryset.annotate(rank=SearchRank(title_vector, search_query)).order_by(
            "-rank", "-updated_at", "-id"
        )
    return queryset


def initiative_get(*, pk: int, user: AnyUser) -> Initiative:
    """One initiative with everything its detail page shows; 404 if missing, 403 if not readable."""
    initiative = get_object_or_404(
        Initiative.objects.select_related(
            "ecosystem", "lead_organisation", "owner_organisation", "theme", "merged_into",
        ).prefetch_related(
            "regions", "partners", "priorities__parent", "vision_windows",
            Prefetch("funding_lines", queryset=FundingLine.objects.select_related("instrument").order_by("id")),
        ),
        pk=pk,
    )
    return permissions.access_read(user, initiative)


def initiative_history(*, initiative: Initiative) -> QuerySet[Activity]:
    return Activity.objects.filter(
        target_type=ContentType.objects.get_for_model(Initiative), target_id=initiative.pk
    ).select_related("actor")
