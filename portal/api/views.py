"""Reference endpoints of the REST API: who am I, regions (also GeoJSON), organisations,
ecosystems, priorities, themes and future-vision windows. Codes and slugs returned here are
what the initiative endpoints accept."""

from __future__ import annotations

import json
from typing import Any

from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    inline_serializer,
)
from rest_framework import renderers, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import selectors
from portal.api.pagination import ApiCursorPagination
from portal.api.schema import READ_ERROR_RESPONSES, paginated
from portal.api.serializers import CodeField, TextField
from portal.models import HelixRole, Organisation, Priority, Region
from portal.tokens import ApiToken


class GeoJSONRenderer(renderers.JSONRenderer):
    media_type = "application/geo+json"
    format = "geojson"


def _codes(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(), **kwargs)


class TokenInfoApi(APIView):
    """Who am I? The organisation and role the credentials act as."""

    class OutputSerializer(serializers.Serializer):
        organisation = serializers.CharField(help_text="Slug van de organisatie / organisation slug")
        role = serializers.CharField()
        token_prefix = serializers.CharField(allow_null=True)
        expires_at = serializers.DateTimeField(allow_null=True)
        provinces_served = _codes()

    @extend_schema(
        operation_id="token_info", responses={200: OutputSerializer, **READ_ERROR_RESPONSES}, tags=["auth"],
        summary="Wie ben ik? / Who am I?",
        description="De organisatie en rol van het token. / The organisation and role of the token.",
    )
    def get(self, request: Request) -> Response:
        user = request.user
        token = request.auth if isinstance(request.auth, ApiToken) else None
        data = {
            "organisation": user.organisation.slug if user.organisation_id else "",
            "role": user.role,
            "token_prefix": token.prefix if token else None,
            "expires_at": token.expires_at if token else None,
            "provinces_served": [r.code for r in selectors.rom_provinces(user=user)],
        }
        return Response(self.OutputSerializer(data).data)


class RegionListApi(APIView):
    renderer_classes = [renderers.JSONRenderer, GeoJSONRenderer]

    class FilterSerializer(serializers.Serializer):  # unknown query parameters are ignored
        kind = serializers.ChoiceField(choices=Region.Kind.choices, required=False)

    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField(help_text="CBS-code, bv. PV25 of CR15 / CBS code")
        name = serializers.CharField()
        kind = serializers.CharField()
        parent = serializers.CharField(source="parent.code", allow_null=True)
        population_decline = serializers.BooleanField()

    @extend_schema(
        operation_id="regions_list", tags=["reference"],
        summary="Regio's / Regions",
        description=(
            "Landsdelen, provincies en COROP-gebieden. Met `?format=geojson` (of `regions.geojson`) een "
            "GeoJSON FeatureCollection met grenzen. / Macro-regions, provinces and COROP regions. With "
            "`?format=geojson` (or `regions.geojson`) a GeoJSON FeatureCollection with boundaries."
        ),
        parameters=[OpenApiParameter("kind", str, enum=[c[0] for c in Region.Kind.choices])],
        responses={
            (200, "application/json"): OutputSerializer(many=True),
            (200, "application/geo+json"): inline_serializer(
                name="RegionFeatureCollection",
                fields={"type": serializers.CharField(), "features": serializers.ListField(child=serializers.DictField())},
            ),
            **READ_ERROR_RESPONSES,
        },
    )
    def get(self, request: Request, format: str | None = None) -> Response:
        filters = self.FilterSerializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        regions = selectors.region_api_list(kind=filters.validated_data.get("kind"))
        if request.accepted_renderer.format == "geojson":
            features = []
            for region in regions:
                properties = self.OutputSerializer(region).data
                geometry = json.loads(region.geometry) if region.geometry else None
                features.append({"type": "Feature", "id": region.code, "properties": properties, "geometry": geometry})
            return Response({"type": "FeatureCollection", "features": features})
        return Response(self.OutputSerializer(regions, many=True).data)


class RegionGeoJsonApi(RegionListApi):
    """The same list as GeoJSON at a fixed URL, for map tools that cannot send ?format=."""

    renderer_classes = [GeoJSONRenderer]

    @extend_schema(
        operation_id="regions_geojson", tags=["reference"],
        summary="Regio's als GeoJSON / Regions as GeoJSON",
        parameters=[OpenApiParameter("kind", str, enum=[c[0] for c in Region.Kind.choices])],
        responses={
            (200, "application/geo+json"): inline_serializer(
                name="RegionFeatureCollectionFixed",
                fields={"type": serializers.CharField(), "features": serializers.ListField(child=serializers.DictField())},
            ),
            **READ_ERROR_RESPONSES,
        },
    )
    def get(self, request: Request, format: str | None = None) -> Response:
        return super().get(request, format)


class OrganisationListApi(APIView):
    class FilterSerializer(serializers.Serializer):  # unknown query parameters are ignored
        kind = serializers.ChoiceField(choices=Organisation.Kind.choices, required=False)
        helix_role = serializers.ChoiceField(choices=HelixRole.choices, required=False)
        search = TextField(required=False, max_length=100)

    class OutputSerializer(serializers.Serializer):
        slug = serializers.CharField()
        name = serializers.CharField()
        short_name = serializers.CharField()
        kind = serializers.CharField()
        helix_role = serializers.CharField()
        home_region = serializers.CharField(source="home_region.code", allow_null=True)
        website = serializers.CharField()
        provinces_served = serializers.ListField(child=CodeField(model=Region), source="served_provinces.all")

    @extend_schema(
        operation_id="organisations_list", tags=["reference"],
        summary="Organisaties / Organisations",
        description="Slugs voor `lead_organisation` en `partners`. / Slugs for `lead_organisation` and `partners`.",
        parameters=[
            OpenApiParameter("kind", str, enum=[c[0] for c in Organisation.Kind.choices]),
            OpenApiParameter("helix_role", str, enum=[c[0] for c in HelixRole.choices]),
            OpenApiParameter("search", str),
            OpenApiParameter("cursor", str),
            OpenApiParameter("page_size", int, description="1-500"),
        ],
        responses={200: paginated(OutputSerializer, "OrganisationPage"), **READ_ERROR_RESPONSES},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        qs = selectors.organisation_api_list(
            kind=data.get("kind"), helix_role=data.get("helix_role"), search=data.get("search"),
        )
        paginator = ApiCursorPagination(ordering=("slug",))
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)


class EcosystemListApi(APIView):
    class OutputSerializer(serializers.Serializer):
        class PartnerSerializer(serializers.Serializer):
            organisation = serializers.CharField(source="organisation.slug")
            helix_role = serializers.CharField()

        class WeakSpotSerializer(serializers.Serializer):
            category = serializers.CharField()
            severity = serializers.IntegerField()

        slug = serializers.CharField()
        name = serializers.CharField()
        regions = serializers.ListField(child=CodeField(model=Region), source="regions.all")
        lead_organisation = serializers.CharField(source="lead_organisation.slug")
        partners = PartnerSerializer(source="partnerships.all", many=True)
        weak_spots = WeakSpotSerializer(source="weak_spots.all", many=True)
        profile = serializers.CharField()
        strengths = serializers.CharField()
        published = serializers.BooleanField()
        updated_at = serializers.DateTimeField()

    @extend_schema(
        operation_id="ecosystems_list", tags=["reference"],
        summary="Ecosystemen / Ecosystems",
        responses={200: OutputSerializer(many=True), **READ_ERROR_RESPONSES},
    )
    def get(self, request: Request) -> Response:
        ecosystems = selectors.ecosystem_api_list(user=request.user)
        return Response(self.OutputSerializer(ecosystems, many=True).data)


class PriorityListApi(APIView):
    class FilterSerializer(serializers.Serializer):  # unknown query parameters are ignored
        kind = serializers.ChoiceField(choices=Priority.Kind.choices, required=False)

    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField()
        kind = serializers.CharField()
        name_nl = serializers.CharField()
        name_en = serializers.CharField()
        parent = serializers.CharField(source="parent.code", allow_null=True)
        active = serializers.BooleanField()
        verified = serializers.BooleanField()

    @extend_schema(
        operation_id="priorities_list", tags=["reference"],
        summary="Landelijke prioriteiten / National priorities",
        description=(
            "Transitieopgaven, missies en sleuteltechnologieën. / Transition challenges, missions and key "
            "technologies."
        ),
        parameters=[OpenApiParameter("kind", str, enum=[c[0] for c in Priority.Kind.choices])],
        responses={200: OutputSerializer(many=True), **READ_ERROR_RESPONSES},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        priorities = selectors.priority_api_list(kind=filters.validated_data.get("kind"))
        return Response(self.OutputSerializer(priorities, many=True).data)


class ThemeListApi(APIView):
    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField()
        name_nl = serializers.CharField()
        name_en = serializers.CharField()
        priorities = serializers.ListField(child=CodeField(model=Priority), source="priorities.all")

    @extend_schema(operation_id="themes_list", tags=["reference"], summary="Thema's / Themes",
                   responses={200: OutputSerializer(many=True), **READ_ERROR_RESPONSES})
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(selectors.theme_api_list(), many=True).data)


class VisionWindowListApi(APIView):
    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField()
        name_nl = serializers.CharField()
        name_en = serializers.CharField()

    @extend_schema(operation_id="vision_windows_list", tags=["reference"],
                   summary="Vensters van het toekomstbeeld / Future-vision windows",
                   responses={200: OutputSerializer(many=True), **READ_ERROR_RESPONSES})
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(selectors.vision_window_api_list(), many=True).data)
