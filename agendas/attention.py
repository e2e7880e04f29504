"""The agendas app's items for the dashboard's "needs attention" list."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from agendas.models import Agenda, Status
from portal import permissions
from portal.attention import AttentionItem
from portal.permissions import AnyUser


def agendas_awaiting_review(user: AnyUser) -> list[AttentionItem]:
    """Submitted agendas the programme team has not finished reviewing."""
    if not permissions.is_programme_team(user):
        return []
    count = Agenda.objects.filter(status__in=[Status.SUBMITTED, Status.IN_REVIEW]).count()
    return [AttentionItem(
        label=_("Agendas awaiting review"), count=count, url=reverse("agendas:comparison"), severity="warning",
    )]
