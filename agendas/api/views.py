"""Read-only API for adopted agenda versions (the API issue adds the rest)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agendas import selectors
from agendas.api.serializers import AdoptedVersionSerializer
from portal.api.schema import READ_ERROR_RESPONSES


class AdoptedAgendaListApi(APIView):
    """Every adopted version, per ecosystem newest first, with the seven criterion results."""

    @extend_schema(
        operation_id="agendas_list",
        tags=["agendas"],
        summary="Vastgestelde agenda's / Adopted agendas",
        description=(
            "Alle vastgestelde versies van de regionale innovatie-ecosysteemagenda's met de uitkomst per "
            "criterium. / Every adopted version of the regional innovation agendas with the result per criterion."
        ),
        responses={
            200: inline_serializer(
                "AdoptedAgendaList",
                fields={"count": serializers.IntegerField(), "results": AdoptedVersionSerializer(many=True)},
            ),
            **READ_ERROR_RESPONSES,
        },
    )
    def get(self, request: Request) -> Response:
        versions = selectors.adopted_versions()
        data = AdoptedVersionSerializer(versions, many=True).data
        return Response({"count": len(data), "results": data})


class AdoptedAgendaDetailApi(APIView):
    """The latest adopted version of one ecosystem's agenda."""

    @extend_schema(
        operation_id="agendas_retrieve",
        tags=["agendas"],
        summary="Vastgestelde agenda van een ecosysteem / An ecosystem's adopted agenda",
        description=(
            "De nieuwste vastgestelde versie van de agenda van één ecosysteem (slug). / The latest adopted "
            "version of one ecosystem's agenda (by slug)."
        ),
        responses={200: AdoptedVersionSerializer, **READ_ERROR_RESPONSES},
    )
    def get(self, request: Request, slug: str) -> Response:
        version = selectors.adopted_versions().filter(agenda__ecosystem__slug=slug).first()
        if version is None:
            raise Http404
        return Response(AdoptedVersionSerializer(version).data)
