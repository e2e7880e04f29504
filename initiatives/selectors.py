"""Reads for initiatives: query shape lives here so pages and the API make few queries."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

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
