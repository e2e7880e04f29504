"""OpenAPI pieces shared by the API modules: the error shape, common headers, the auth scheme."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "message": serializers.CharField(help_text="Leesbare melding / human-readable message"),
        "extra": serializers.DictField(
            help_text=(
                "`fields`: fouten per veld / errors per field; `rows`: per rij bij bulk / per row in bulk"
            )
        ),
    },
)

ERROR_RESPONSES: dict[int, Any] = {
    400: OpenApiResponse(ErrorSerializer, description="Ongeldige invoer / invalid input"),
    401: OpenApiResponse(ErrorSerializer, description="Geen of ongeldig token / no or invalid token"),
    403: OpenApiResponse(ErrorSerializer, description="Niet toegestaan / not allowed"),
    404: OpenApiResponse(ErrorSerializer, description="Niet gevonden / not found"),
    409: OpenApiResponse(ErrorSerializer, description="Conflict"),
    412: OpenApiResponse(ErrorSerializer, description="If-Match verouderd / stale If-Match"),
    413: OpenApiResponse(ErrorSerializer, description="Te groot / too large"),
    422: OpenApiResponse(ErrorSerializer, description="Idempotency-Key hergebruikt / reused"),
    429: OpenApiResponse(ErrorSerializer, description="Te veel verzoeken, zie Retry-After / too many requests"),
}

READ_ERROR_RESPONSES = {k: v for k, v in ERROR_RESPONSES.items() if k in (400, 401, 403, 404, 429)}

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
    description=(
        "Zelfde sleutel + zelfde verzoek = het eerste antwoord, zonder tweede wijziging. / Same key + "
        "same request = the first response, without a second write."
    ),
)
IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=False,
    description="De `ETag` / `version` die u las; 412 als het intussen is gewijzigd. / The ETag you read; 412 if changed since.",
)


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "portal.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http", "scheme": "bearer",
            "description": "`python manage.py issue_api_token <organisatie-slug>` of de beheeromgeving / or the admin.",
        }


class ApiAutoSchema(AutoSchema):
    """Names components after the view they are nested in (HackSoft style nests an
    InputSerializer/OutputSerializer in every view, so bare class names collide)."""

    def get_serializer_name(self, serializer: Any, direction: Any) -> str:
        qualname = type(serializer).__qualname__
        name = "".join(part.removesuffix("Serializer").removesuffix("Api") for part in qualname.split("."))
        return name or super().get_serializer_name(serializer, direction)


def paginated(serializer_class: type[serializers.Serializer], name: str) -> Any:
    """The cursor page around a list of items, as the list endpoints return it."""
    return inline_serializer(
        name=name,
        fields={
            "next": serializers.URLField(allow_null=True, help_text="Volgende pagina / next page"),
            "previous": serializers.URLField(allow_null=True, help_text="Vorige pagina / previous page"),
            "results": serializer_class(many=True),
        },
    )


def filter_parameters(filterset_class: Any) -> list[OpenApiParameter]:
    """Query parameters from a django-filter FilterSet (our views are plain APIViews, so
    drf-spectacular's filter-backend introspection does not see them)."""
    params = []
    for name, filter_ in filterset_class.base_filters.items():
        choices = getattr(filter_, "extra", {}).get("choices")
        enum = [c[0] for c in choices] if choices else None
        params.append(OpenApiParameter(name, str, enum=enum, description=str(filter_.label or "")))
    return params
