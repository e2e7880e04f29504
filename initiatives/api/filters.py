"""The API's filters over initiatives (django-filter). Selectors apply them; views never filter."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from initiatives.models import Initiative
from portal.models import Region


class InitiativeFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(
        method="filter_region", label=_("region code (a province includes its COROP regions)"),
    )
    theme = django_filters.CharFilter(field_name="theme__code", label=_("theme code"))
    priority = django_filters.CharFilter(method="filter_priority", label=_("priority code"))
    stage = django_filters.ChoiceFilter(choices=Initiative.Stage.choices, label=_("stage"))
    status = django_filters.ChoiceFilter(choices=Initiative.Status.choices, label=_("status"))
    type = django_filters.ChoiceFilter(choices=Initiative.Type.choices, label=_("type"))
    organisation = django_filters.CharFilter(
        method="filter_organisation", label=_("organisation slug (lead, partner or registered by)"),
    )
    ecosystem = django_filters.CharFilter(field_name="ecosystem__slug", label=_("ecosystem slug"))
    published = django_filters.TypedChoiceFilter(
        choices=[("true", "true"), ("false", "false")], coerce=lambda v: v == "true", label=_("published"),
    )
    external_id = django_filters.CharFilter(label=_("external id"))
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label=_("changed at or after (ISO 8601)"),
    )
    search = django_filters.CharFilter(method="filter_search", label=_("words in title or description"))

    class Meta:
        model = Initiative
        fields: list[str] = []

    # Multi-valued relations filter through id subqueries, so no row appears twice (which
    # would break cursor pagination).
    def filter_region(self, queryset: QuerySet[Initiative], name: str, value: str) -> QuerySet[Initiative]:
        # Resolve the code to region ids first (a tiny query): the planner then sees literal ids
        # instead of a join over regions and their parents.
        region_ids = list(
            Region.objects.filter(Q(code=value) | Q(parent__code=value, kind=Region.Kind.COROP)).values_list(
                "id", flat=True
            )
        )
        links = Initiative.regions.through.objects.filter(region_id__in=region_ids)
        return queryset.filter(id__in=links.values("initiative_id"))

    def filter_priority(self, queryset: QuerySet[Initiative], name: str, value: str) -> QuerySet[Initiative]:
        links = Initiative.priorities.through.objects.filter(
            Q(priority__code=value) | Q(priority__parent__code=value)
        )
        return queryset.filter(id__in=links.values("initiative_id"))

    def filter_organisation(self, queryset: QuerySet[Initiative], name: str, value: str) -> QuerySet[Initiative]:
        partner_of = Initiative.partners.through.objects.filter(organisation__slug=value)
        return queryset.filter(
            Q(lead_organisation__slug=value)
            | Q(owner_organisation__slug=value)
            | Q(id__in=partner_of.values("initiative_id"))
        )

    def filter_search(self, queryset: QuerySet[Initiative], name: str, value: str) -> QuerySet[Initiative]:
        q = Q()
        for word in value.split()[:10]:
            q &= Q(title__icontains=word) | Q(description__icontains=word)
        return queryset.filter(q)
