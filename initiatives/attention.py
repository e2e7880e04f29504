"""The initiatives app's items for the dashboard's "needs attention" list."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from initiatives.models import Initiative
from portal import permissions
from portal.attention import AttentionItem
from portal.permissions import AnyUser

STALE_DRAFT_DAYS = 90


def stale_drafts(user: AnyUser) -> list[AttentionItem]:
    """Drafts nobody touched for three months: registered but never finished."""
    if not permissions.is_programme_team(user):
        return []
    cutoff = timezone.now() - dt.timedelta(days=STALE_DRAFT_DAYS)
    count = Initiative.objects.filter(status=Initiative.Status.DRAFT, updated_at__lt=cutoff).count()
    return [AttentionItem(
        label=_("Draft initiatives unchanged for more than %(days)d days") % {"days": STALE_DRAFT_DAYS},
        count=count,
        url=reverse("initiatives:list") + "?status=draft&sort=updated",
        severity="warning",
    )]


def pending_overlaps(user: AnyUser) -> list[AttentionItem]:
    """Overlap suggestions waiting for a decision (the staff queue, or a board's own pairs)."""
    from initiatives.selectors import overlap_attention_items

    return overlap_attention_items(user=user, top=0).as_items()
