"""Reads for initiatives: query shape lives here so pages and the API make few queries."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext

from initiatives.models import FundingLine, Initiative, OverlapSuggestion
from initiatives.overlap import Doc, tokenize
from portal import permissions
from portal.attention import AttentionItem
from portal.models import Activity, Region
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
        .prefetch_related(_regions_without_boundaries())
    )


def _regions_without_boundaries() -> Prefetch:
    # Lists and forms show region names; the GeoJSON boundaries (kilobytes each) are for maps.
    return Prefetch("regions", queryset=Region.objects.defer("geometry"))


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
            _regions_without_boundaries(), "partners", "priorities__parent", "vision_windows",
            Prefetch("funding_lines", queryset=FundingLine.objects.select_related("instrument").order_by("id")),
        ),
        pk=pk,
    )
    return permissions.access_read(user, initiative)


def initiative_history(*, initiative: Initiative) -> QuerySet[Activity]:
    return Activity.objects.filter(
        target_type=ContentType.objects.get_for_model(Initiative), target_id=initiative.pk
    ).select_related("actor")


# --- overlap detection -------------------------------------------------------------------------

# Merged and archived initiatives no longer take part in overlap detection.
OVERLAP_EXCLUDED_STATUSES = ("merged", "archived")


def overlap_live_initiatives() -> QuerySet[Initiative]:
    return Initiative.objects.exclude(status__in=OVERLAP_EXCLUDED_STATUSES)


def overlap_docs(*, initiative_ids: list[int] | None = None) -> list[Doc]:
    """Detector documents for the live initiatives (or the given ids), ordered by id.

    Five queries whatever the number of rows: the rows themselves and one per many-to-many
    (regions, partners, priorities) read straight from the through tables, so 100k rows do not
    need 100k-long IN lists from prefetch_related.
    """
    base = overlap_live_initiatives()
    if initiative_ids is not None:
        base = base.filter(id__in=initiative_ids)
    rows = list(base.order_by("id").values_list("id", "title", "description", "type", "stage", "theme__code"))
    ids_subquery = base.values("id")

    def grouped(through: Any, value: str) -> dict[int, list[str]]:
        out: dict[int, list[str]] = defaultdict(list)
        qs = through.objects.filter(initiative_id__in=ids_subquery).values_list("initiative_id", value)
        for initiative_id, name in qs.order_by("initiative_id", value):
            out[initiative_id].append(name)
        return out

    regions = grouped(Initiative.regions.through, "region__name")
    partners = grouped(Initiative.partners.through, "organisation__name")
    priorities = grouped(Initiative.priorities.through, "priority__code")
    return [
        Doc(
            id=pk, name=title, description=description, region=", ".join(regions.get(pk, ())),
            tags=(theme,) if theme else (), partners=tuple(partners.get(pk, ())), type=type_,
            stage=stage, priorities=tuple(priorities.get(pk, ())),
        )
        for pk, title, description, type_, stage, theme in rows
    ]


def overlap_text_fingerprint(*, title: str, description: str) -> str:
    """Hash of the normalised text: case, accents, punctuation and spacing do not count as change."""
    text = " ".join(tokenize(f"{title} {description}"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def overlap_suggestion_queue(*, user: AnyUser, status: str = "pending") -> QuerySet[OverlapSuggestion]:
    """Suggestions this user may see, best first, with both initiatives loaded."""
    return (
        permissions.overlap_suggestions_visible_to(user)
        .filter(status=status)
        .exclude(a__status="merged")
        .exclude(b__status="merged")
        .select_related("a", "b", "a__ecosystem", "b__ecosystem")
        .prefetch_related("a__regions", "b__regions")
        .order_by("-score", "a_id", "b_id")
    )
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


# Scalar columns of an API row, as .values() names (joined codes/slugs included).
_API_ROW_VALUES = (
    "id", "external_id", "title", "description", "type", "stage", "scope", "budget", "start_date", "end_date",
    "status", "published", "website", "contact_name", "contact_email", "created_at", "updated_at",
    "ecosystem__slug", "lead_organisation__slug", "owner_organisation__slug", "theme__code",
    "owner_organisation_id",
)


def _relation_codes(name: str, lookup: str) -> Any:
    """ARRAY(SELECT code FROM link JOIN target WHERE link.initiative_id = outer.id ORDER BY code)."""
    from django.contrib.postgres.expressions import ArraySubquery
    from django.db.models import OuterRef

    field = Initiative._meta.get_field(name)
    target = field.m2m_reverse_field_name()  # type: ignore[union-attr]
    links = (
        field.remote_field.through.objects.filter(initiative_id=OuterRef("id"))  # type: ignore[union-attr]
        .order_by(f"{target}__{lookup}")
        .values(f"{target}__{lookup}")
    )
    return ArraySubquery(links)


def initiative_api_rows(queryset: QuerySet[Initiative]) -> QuerySet[Any]:
    """The API's rows as dicts: scalar columns, joined codes and the m2m code lists in ONE SELECT.

    Building model instances (and four link-table queries) per page cost far more than the SQL;
    plain dicts from one statement keep a page of 500 close to the database's own time.
    PostgreSQL only (ARRAY subqueries); `initiative_api_attach_relations` is the portable path.
    """
    relations = {f"rel_{name}": _relation_codes(name, lookup) for name, lookup in API_RELATIONS.items()}
    return queryset.values(*_API_ROW_VALUES, **relations)


def api_rows_supported() -> bool:
    return connection.vendor == "postgresql"


def initiative_api_row(*, user: AnyUser, initiative_id: int) -> dict[str, Any] | Initiative:
    """One readable initiative for an API response (a row dict on PostgreSQL), or Http404."""
    if not api_rows_supported():
        return initiative_api_get(user=user, initiative_id=initiative_id)
    row = initiative_api_rows(permissions.initiatives_visible_to(user).filter(id=initiative_id)).first()
    if row is None:
        raise Http404
    return row


def initiative_api_list(*, user: AnyUser, filters: dict[str, Any] | None = None) -> QuerySet[Initiative]:
    """Initiatives the user may read, filtered. Raises ValidationError for bad filter values."""
    from initiatives.api.filters import InitiativeFilter

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


def initiative_version(initiative: Initiative | dict[str, Any]) -> str:
    """An opaque version for ETag / If-Match; changes with every write (updated_at moves)."""
    if isinstance(initiative, dict):  # an API row (initiative_api_rows)
        return version_of(initiative["id"], initiative["updated_at"])
    return version_of(initiative.pk, initiative.updated_at)


def version_of(pk: int, updated_at: Any) -> str:
    raw = f"{pk}:{updated_at.isoformat()}"
    return hashlib.sha256(raw.encode()).hexdigest()[:20]


# --- overlap: the dashboard's "needs attention" ------------------------------------------------


@dataclass(frozen=True)
class OverlapAttention:
    """Pending overlap suggestions the user may see: counts, the best few, and where to act."""

    pending: int
    overlap: int
    complementary: int
    top: list[OverlapSuggestion]
    url: str

    def as_items(self) -> list[AttentionItem]:
        """The counts as "needs attention" items (empty when nothing is pending)."""
        if not self.pending:
            return []
        return [AttentionItem(
            label=gettext("Pending overlap suggestions (%(overlap)d overlap, %(complementary)d complementary)")
            % {"overlap": self.overlap, "complementary": self.complementary},
            count=self.pending, url=self.url, severity="info",
        )]


def overlap_attention_items(*, user: AnyUser, top: int = 5) -> OverlapAttention:
    """Two queries: the counts, and the `top` best pending pairs with both initiatives."""
    from django.db.models import Count, Q
    from django.urls import reverse

    if permissions.is_staff_member(user):
        url = reverse("initiatives:overlap-queue")
    elif permissions.is_board(user):
        url = reverse("initiatives:overlap-board")
    else:
        url = ""
    pending = (
        permissions.overlap_suggestions_visible_to(user)
        .filter(status=OverlapSuggestion.Status.PENDING)
        .exclude(a__status="merged")
        .exclude(b__status="merged")
    )
    counts = pending.aggregate(
        total=Count("id"),
        overlap=Count("id", filter=Q(kind=OverlapSuggestion.Kind.OVERLAP)),
        complementary=Count("id", filter=Q(kind=OverlapSuggestion.Kind.COMPLEMENTARY)),
    )
    best = list(pending.select_related("a", "b").order_by("-score", "a_id", "b_id")[:top]) if counts["total"] else []
    return OverlapAttention(
        pending=counts["total"], overlap=counts["overlap"], complementary=counts["complementary"], top=best, url=url,
    )
