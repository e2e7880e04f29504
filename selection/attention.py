"""The selection app's items for the dashboard's "needs attention" list."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import permissions
from portal.attention import AttentionItem
from portal.permissions import AnyUser
from selection.models import SelectionRound

DEADLINE_WARNING_DAYS = 14


def rounds_near_deadline(user: AnyUser) -> list[AttentionItem]:
    """Open selection rounds whose deadline falls within two weeks (or has passed)."""
    if not permissions.is_programme_team(user):
        return []
    horizon = timezone.localdate() + dt.timedelta(days=DEADLINE_WARNING_DAYS)
    count = SelectionRound.objects.filter(
        status=SelectionRound.Status.OPEN, deadline__isnull=False, deadline__lte=horizon
    ).count()
    return [AttentionItem(
        label=_("Selection rounds with a deadline within %(days)d days") % {"days": DEADLINE_WARNING_DAYS},
        count=count, url=reverse("selection:rounds"), severity="warning",
    )]
