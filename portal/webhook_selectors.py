"""Reads for the webhook API: endpoints and the delivery log, scoped by portal.permissions."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from portal import permissions
from portal.models import User
from portal.webhooks import WebhookDelivery, WebhookEndpoint


def webhook_endpoint_list(*, user: User) -> QuerySet[WebhookEndpoint]:
    return permissions.webhook_endpoints_visible_to(user).select_related("organisation")


def webhook_endpoint_get(*, user: User, endpoint_id: int) -> WebhookEndpoint:
    """The endpoint, or 404 also when it exists but belongs to someone else (no probing)."""
    endpoint = webhook_endpoint_list(user=user).filter(pk=endpoint_id).first()
    if endpoint is None:
        raise Http404
    return endpoint


def webhook_delivery_list(
    *, user: User, endpoint_id: int | None = None, status: str = "", event_type: str = "",
) -> QuerySet[WebhookDelivery]:
    qs = WebhookDelivery.objects.filter(endpoint__in=permissions.webhook_endpoints_visible_to(user))
    if endpoint_id is not None:
        qs = qs.filter(endpoint_id=endpoint_id)
    if status:
        qs = qs.filter(status=status)
    if event_type:
        qs = qs.filter(event_type=event_type)
    return qs
