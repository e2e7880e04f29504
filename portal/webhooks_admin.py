"""Admin for webhooks: endpoints (the secret is never shown here) and the read-only delivery log
with a "redeliver" action."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.webhook_services import webhook_delivery_redeliver
from portal.webhooks import WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "organisation", "active", "disabled_reason", "created_at"]
    list_filter = ["active"]
    search_fields = ["url", "organisation__name"]
    list_select_related = ["organisation"]
    fields = ["organisation", "url", "description", "events", "active", "disabled_reason", "created_by",
              "created_at", "updated_at"]
    readonly_fields = ["organisation", "created_by", "created_at", "updated_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Registered through the API by the ROM itself: it needs the secret, shown only there.
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "event_type", "endpoint", "status", "attempts", "last_response_code", "next_attempt_at",
                    "created_at"]
    list_filter = ["status", "event_type"]
    search_fields = ["endpoint__url", "event_id"]
    list_select_related = ["endpoint"]
    actions = ["redeliver"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Deliver the selected deliveries again"), permissions=["view"])
    def redeliver(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        for delivery in queryset:
            webhook_delivery_redeliver(delivery=delivery, actor=request.user)  # type: ignore[arg-type]
        messages.success(request, _("The deliveries are queued again."))
