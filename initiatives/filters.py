"""The overview's filters (django-filter). Used by the overview page, its exports and the map."""

from __future__ import annotations

import django_filters
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from initiatives.models import Initiative
from initiatives.selectors import initiative_search
from portal.models import Ecosystem, Priority, Region, Theme

# Empty budgets and dates sort last in both directions.
SORTS = {
    "-updated": (F("updated_at").desc(), F("id").desc()),
    "updated": (F("updated_at").asc(), F("id").asc()),
    "title": (F("title").asc(), F("id").asc()),
    "-title": (F("title").desc(), F("id").desc()),
    "-budget": (F("budget").desc(nulls_last=True), F("id").desc()),
    "budget": (F("budget").asc(nulls_last=True), F("id").asc()),
    "start": (F("start_date").asc(nulls_last=True), F("id").asc()),
    "-start": (F("start_date").desc(nulls_last=True), F("id").desc()),
}


def region_descendant_ids(region: Region) -> set[int]:
    """The region and everything below it (landsdeel → provinces → COROP regions)."""
    ids = {region.id}
    frontier = {region.id}
    while frontier:
        frontier = set(Region.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - ids
        ids |= frontier
    return ids


class InitiativeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    theme = django_filters.ModelChoiceFilter(
        label=_("Theme"), queryset=Theme.objects.all(), to_field_name="code", empty_label=_("All themes"),
    )
    priority = django_filters.ModelChoiceFilter(
        label=_("National priority"), queryset=Priority.objects.filter(active=True), to_field_name="code",
        method="filter_priority", empty_label=_("All priorities"),
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), queryset=Region.objects.all(), to_field_name="code", method="filter_region",
        empty_label=_("All regions"),
    )
    ecosystem = django_filters.ModelChoiceFilter(
        label=_("Ecosystem"), queryset=Ecosystem.objects.all(), to_field_name="slug",
        empty_label=_("All ecosystems"),
    )
    stage = django_filters.ChoiceFilter(label=_("Stage"), choices=Initiative.Stage.choices, empty_label=_("All stages"))
    type = django_filters.ChoiceFilter(label=_("Type"), choices=Initiative.Type.choices, empty_label=_("All types"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Initiative.Status.choices, empty_label=_("All statuses"),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"), method="filter_sort", empty_label=None,
        choices=[
            ("-updated", _("last changed")), ("updated", _("longest unchanged")), ("title", _("title A-Z")), ("-title", _("title Z-A")),
            ("-budget", _("budget, high to low")), ("budget", _("budget, low to high")),
            ("-start", _("start date, newest first")), ("start", _("start date, oldest first")),
        ],
    )

    class Meta:
        model = Initiative
        fields: list[str] = []

    def __init__(
        self, *args, ecosystems: QuerySet[Ecosystem] | None = None, only: tuple[str, ...] | None = None, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        if only is not None:
            # The map and the charts filter on a subset (theme, priority, stage, type).
            for name in list(self.filters):
                if name not in only:
                    del self.filters[name]
                    self.form.fields.pop(name, None)
        if ecosystems is not None and "ecosystem" in self.filters:
            # Only ecosystems this user may see appear in the choice list.
            self.filters["ecosystem"].queryset = ecosystems
            self.form.fields["ecosystem"].queryset = ecosystems
        if "region" in self.form.fields:
            self.form.fields["region"].queryset = Region.objects.order_by("kind", "name")
            self.form.fields["region"].label_from_instance = lambda r: f"{r.name} ({r.get_kind_display()})"

    def filter_search(self, queryset: QuerySet[Initiative], name: str, value: str) -> QuerySet[Initiative]:
        return initiative_search(queryset=queryset, query=value, rank=not self.data.get("sort"))

    def filter_priority(self, queryset: QuerySet[Initiative], name: str, value: Priority) -> QuerySet[Initiative]:
        # A transition challenge also matches the missions under it.
        tagged = Initiative.priorities.through.objects.filter(Q(priority=value) | Q(priority__parent=value))
        return queryset.filter(id__in=tagged.values("initiative_id"))

    def filter_region(self, queryset: QuerySet[Initiative], name: str, value: Region) -> QuerySet[Initiative]:
        tagged = Initiative.regions.through.objects.filter(region_id__in=region_descendant_ids(value))
        return queryset.filter(id__in=tagged.values("initiative_id"))

    def filter_sort(self, queryset: QuerySet[Initiative], name: str, value: str) -> QuerySet[Initiative]:
        return queryset.order_by(*SORTS.get(value, SORTS["-updated"]))
