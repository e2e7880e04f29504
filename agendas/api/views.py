"""Read-only API for adopted agenda versions (the API issue adds the rest)."""

from __future__ import annotations

from django.http import Http404
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agendas import selectors
from agendas.api.serializers import AdoptedVersionSerializer


class AdoptedAgendaListApi(APIView):
    """Every adopted version, per ecosystem newest first, with the seven criterion results."""

    def get(self, request: Request) -> Response:
        versions = selectors.adopted_versions()
        data = AdoptedVersionSerializer(versions, many=True).data
        return Response({"count": len(data), "results": data})


class AdoptedAgendaDetailApi(APIView):
    """The latest adopted version of one ecosystem's agenda."""

    def get(self, request: Request, slug: str) -> Response:
        version = selectors.adopted_versions().filter(agenda__ecosystem__slug=slug).first()
        if version is None:
            raise Http404
        return Response(AdoptedVersionSerializer(version).data)
