"""Webhooks: a ROM registers a URL and receives signed events (models; logic in webhook_services).

WebhookDelivery is an outbox: a delivery row is written in the same transaction as the event it
announces, so an event is never lost when Redis is down; a beat task (webhook_deliveries_sweep)
sends whatever is still pending once its next_attempt_at has passed.
"""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.models import Organisation, User


class WebhookEvent(models.TextChoices):
    OVERLAP_FOUND = "overlap.found", _("overlap found for one of your initiatives")
    DECISION_TAKEN = "decision.taken", _("selection decision about one of your initiatives")


# `ping` is sent on request only (the API's ping action); nobody subscribes to it.
PING_EVENT = "ping"


class WebhookEndpoint(models.Model):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="webhook_endpoints",
    )
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    # Kept in clear: the portal needs it to sign every delivery. The API shows it only once.
    secret = models.CharField(_("signing secret"), max_length=100, editable=False)
    events = models.JSONField(_("events"), default=list, help_text=_("The event types sent to this URL."))
    active = models.BooleanField(_("active"), default=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=200, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url

    @property
    def secret_prefix(self) -> str:
        return self.secret[:10]


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint, verbose_name=_("endpoint"), on_delete=models.CASCADE, related_name="deliveries",
    )
    event_type = models.CharField(_("event type"), max_length=40)
    # The same event sent to several endpoints shares its id; receivers deduplicate on it.
    event_id = models.UUIDField(_("event id"))
    payload = models.JSONField(_("payload"), encoder=DjangoJSONEncoder)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # For a pending delivery: when it may be (re)sent. Also a lease while an attempt is in flight.
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_response_code = models.PositiveSmallIntegerField(_("last response code"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            # A re-run or redelivered task that emits the same event again adds nothing.
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_delivery_unique_event"),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], name="webhook_delivery_due",
                condition=Q(status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint_id} ({self.status})"
