"""Webhook endpoints and their delivery log over REST (docs/api.md, "Webhooks").

A ROM token manages its own organisation's endpoints (someone else's answer 404); programme-staff
tokens read every endpoint and delivery; other tokens (boards) get 403.
"""

from __future__ import annotations

from django.core.validators import URLValidator
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import permissions, webhook_selectors, webhook_services
from portal.api.idempotency import idempotent
from portal.api.pagination import ApiCursorPagination
from portal.api.params import choice_param
from portal.api.schema import ERROR_RESPONSES, IDEMPOTENCY_KEY, READ_ERROR_RESPONSES, paginated
from portal.api.serializers import StrictSerializer, TextField
from portal.webhooks import PING_EVENT, WebhookDelivery, WebhookEndpoint, WebhookEvent

EVENT_TYPES = [*WebhookEvent.values, PING_EVENT]
_EVENTS_HELP = "Eén of meer van / one or more of: " + ", ".join(f"`{e}`" for e in WebhookEvent.values)


def _require_webhook_access(request: Request) -> None:
    if not permissions.can_read_webhooks(request.user):
        raise PermissionDenied()


class UrlField(TextField):
    """An http(s) URL; the service refuses private and loopback hosts (SSRF)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_length=500, **kwargs)
        self.validators.append(URLValidator(schemes=["http", "https"]))


class EndpointOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = serializers.CharField(source="organisation.slug")
    url = serializers.CharField()
    description = serializers.CharField()
    events = serializers.ListField(child=serializers.CharField(), help_text=_EVENTS_HELP)
    active = serializers.BooleanField()
    disabled_reason = serializers.CharField(help_text="Waarom uitgeschakeld (bv. 410 Gone) / why disabled")
    secret_prefix = serializers.CharField(help_text="Begin van het geheim / start of the signing secret")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class EndpointCreatedSerializer(EndpointOutputSerializer):
    secret = serializers.CharField(
        help_text="Het ondertekeningsgeheim, alleen nu getoond / the signing secret, shown only now",
    )


class DeliveryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Ook in de header X-Portal-Delivery / also in X-Portal-Delivery")
    endpoint = serializers.IntegerField(source="endpoint_id")
    event_type = serializers.ChoiceField(choices=EVENT_TYPES)
    event_id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=WebhookDelivery.Status.choices)
    attempts = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    last_response_code = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField()
    payload = serializers.DictField(help_text="De verzonden JSON / the JSON body sent")
    created_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(allow_null=True)


class WebhookListCreateApi(APIView):
    class InputSerializer(StrictSerializer):
        url = UrlField(help_text="http(s)-URL die de events ontvangt / URL receiving the events")
        events = serializers.ListField(
            child=serializers.ChoiceField(choices=WebhookEvent.choices), min_length=1, max_length=10,
            help_text=_EVENTS_HELP,
        )
        description = TextField(max_length=200, required=False, allow_blank=True, default="")
        active = serializers.BooleanField(required=False, default=True)

    @extend_schema(
        operation_id="webhooks_list", tags=["webhooks"],
        summary="Webhook-endpoints / Webhook endpoints",
        description=(
            "De endpoints van uw organisatie (programmateam: alle). / Your organisation's endpoints "
            "(programme staff: all)."
        ),
        parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int, description="1-500")],
        responses={200: paginated(EndpointOutputSerializer, "WebhookEndpointPage"), **READ_ERROR_RESPONSES},
    )
    def get(self, request: Request) -> Response:
        _require_webhook_access(request)
        paginator = ApiCursorPagination(ordering=("-created_at", "-id"))
        page = paginator.paginate_queryset(webhook_selectors.webhook_endpoint_list(user=request.user), request, view=self)
        return paginator.get_paginated_response(EndpointOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="webhooks_create", tags=["webhooks"],
        summary="Webhook registreren / Register a webhook",
        description=(
            "Alleen ROM-tokens. Het antwoord bevat eenmalig `secret`; bewaar het om handtekeningen te "
            "controleren. Interne, loopback- en link-local-adressen worden geweigerd. / ROM tokens only. "
            "The response holds `secret` once; keep it to verify signatures. Private, loopback and "
            "link-local addresses are refused."
        ),
        parameters=[IDEMPOTENCY_KEY],
        request=InputSerializer,
        responses={201: EndpointCreatedSerializer, **ERROR_RESPONSES},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        _require_webhook_access(request)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = webhook_services.webhook_endpoint_create(actor=request.user, **serializer.validated_data)
        response = Response(EndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/webhooks/{endpoint.pk}/"
        return response


class WebhookDetailApi(APIView):
    class InputSerializer(StrictSerializer):
        url = UrlField(required=False)
        events = serializers.ListField(
            child=serializers.ChoiceField(choices=WebhookEvent.choices), min_length=1, max_length=10,
            required=False, help_text=_EVENTS_HELP,
        )
        description = TextField(max_length=200, required=False, allow_blank=True)
        active = serializers.BooleanField(required=False)

    def _get(self, request: Request, endpoint_id: int) -> WebhookEndpoint:
        _require_webhook_access(request)
        return webhook_selectors.webhook_endpoint_get(user=request.user, endpoint_id=endpoint_id)

    @extend_schema(
        operation_id="webhooks_retrieve", tags=["webhooks"], summary="Eén webhook / One webhook",
        responses={200: EndpointOutputSerializer, **READ_ERROR_RESPONSES},
    )
    def get(self, request: Request, endpoint_id: int) -> Response:
        return Response(EndpointOutputSerializer(self._get(request, endpoint_id)).data)

    @extend_schema(
        operation_id="webhooks_partial_update", tags=["webhooks"],
        summary="Webhook wijzigen / Change a webhook",
        description=(
            "Zet `active` weer op `true` na een 410. Het geheim verandert niet. / Set `active` back to "
            "`true` after a 410. The secret does not change."
        ),
        request=InputSerializer,
        responses={200: EndpointOutputSerializer, **ERROR_RESPONSES},
    )
    def patch(self, request: Request, endpoint_id: int) -> Response:
        endpoint = self._get(request, endpoint_id)
        serializer = self.InputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        endpoint = webhook_services.webhook_endpoint_update(
            endpoint=endpoint, actor=request.user, data=serializer.validated_data,
        )
        return Response(EndpointOutputSerializer(endpoint).data)

    @extend_schema(
        operation_id="webhooks_destroy", tags=["webhooks"], summary="Webhook verwijderen / Delete a webhook",
        description="Verwijdert ook het afleverlog. / Also deletes its delivery log.",
        responses={204: None, **ERROR_RESPONSES},
    )
    def delete(self, request: Request, endpoint_id: int) -> Response:
        webhook_services.webhook_endpoint_delete(endpoint=self._get(request, endpoint_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookPingApi(APIView):
    @extend_schema(
        operation_id="webhooks_ping", tags=["webhooks"],
        summary="Testevent sturen / Send a test event",
        description=(
            "Zet een `ping`-event in de wachtrij (ook voor een inactief endpoint) en geeft de aflevering "
            "terug; volg die in het afleverlog. / Queues a `ping` event (also for an inactive endpoint) and "
            "returns the delivery; follow it in the delivery log."
        ),
        request=None,
        responses={202: DeliveryOutputSerializer, **ERROR_RESPONSES},
    )
    def post(self, request: Request, endpoint_id: int) -> Response:
        _require_webhook_access(request)
        endpoint = webhook_selectors.webhook_endpoint_get(user=request.user, endpoint_id=endpoint_id)
        delivery = webhook_services.webhook_ping(endpoint=endpoint, actor=request.user)
        return Response(DeliveryOutputSerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class WebhookDeliveryListApi(APIView):
    @extend_schema(
        operation_id="webhooks_deliveries_list", tags=["webhooks"],
        summary="Afleverlog / Delivery log",
        description=(
            "Afleveringen aan uw endpoints, nieuwste eerst, met pogingen, volgende poging en laatste "
            "antwoordcode. / Deliveries to your endpoints, newest first, with attempts, next attempt and "
            "last response code."
        ),
        parameters=[
            OpenApiParameter("status", str, enum=list(WebhookDelivery.Status.values)),
            OpenApiParameter("event_type", str, enum=EVENT_TYPES),
            OpenApiParameter("endpoint", int, description="Id van het endpoint / endpoint id"),
            OpenApiParameter("cursor", str),
            OpenApiParameter("page_size", int, description="1-500"),
        ],
        responses={200: paginated(DeliveryOutputSerializer, "WebhookDeliveryPage"), **READ_ERROR_RESPONSES},
    )
    def get(self, request: Request) -> Response:
        _require_webhook_access(request)
        params = request.query_params
        delivery_status = choice_param(params, "status", WebhookDelivery.Status.values)
        event_type = choice_param(params, "event_type", EVENT_TYPES)
        endpoint_id = None
        if params.get("endpoint", "") != "":
            field = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
            try:
                endpoint_id = field.run_validation(params["endpoint"])
            except serializers.ValidationError as exc:
                raise serializers.ValidationError({"endpoint": exc.detail}) from None
        queryset = webhook_selectors.webhook_delivery_list(
            user=request.user, endpoint_id=endpoint_id, status=delivery_status, event_type=event_type,
        )
        paginator = ApiCursorPagination(ordering=("-created_at", "-id"))
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(DeliveryOutputSerializer(page, many=True).data)
