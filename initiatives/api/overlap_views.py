"""Overlap suggestions over REST: a ROM lists the pairs that involve initiatives it may write."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from initiatives import overlap_selectors
from initiatives.models import OverlapSuggestion
from portal.api.pagination import ApiCursorPagination
from portal.api.params import choice_param
from portal.api.schema import READ_ERROR_RESPONSES, paginated
from portal.api.serializers import CodeField
from portal.models import Region


class OverlapListApi(APIView):
    class OutputSerializer(serializers.Serializer):
        class PairInitiativeSerializer(serializers.Serializer):
            # Only what may be known of an initiative in another province: id, title, regions.
            id = serializers.IntegerField()
            title = serializers.CharField()
            regions = serializers.ListField(child=CodeField(model=Region), source="regions.all")

        id = serializers.IntegerField()
        a = PairInitiativeSerializer()
        b = PairInitiativeSerializer()
        score = serializers.FloatField()
        kind = serializers.CharField()
        status = serializers.CharField()
        reasons = serializers.ListField(child=serializers.CharField())
        updated_at = serializers.DateTimeField()

    @extend_schema(
        operation_id="overlaps_list",
        tags=["overlaps"],
        summary="Overlapsuggesties / Overlap suggestions",
        description=(
            "Paren van initiatieven die op elkaar lijken, waarvan u er minstens één mag bewerken. Van het "
            "andere initiatief ziet u alleen id, titel en regio's. / Pairs of similar initiatives of which "
            "you may edit at least one. Of the other initiative you see only id, title and regions."
        ),
        parameters=[
            OpenApiParameter("status", str, enum=list(OverlapSuggestion.Status.values)),
            OpenApiParameter("ordering", str, enum=list(overlap_selectors.API_OVERLAP_ORDERINGS)),
            OpenApiParameter("page_size", int, description="1-500, standaard/default 50"),
            OpenApiParameter("cursor", str),
        ],
        responses={200: paginated(OutputSerializer, "OverlapPage"), **READ_ERROR_RESPONSES},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        status = choice_param(params, "status", OverlapSuggestion.Status.values)
        ordering = choice_param(params, "ordering", overlap_selectors.API_OVERLAP_ORDERINGS, default="-score")
        queryset = overlap_selectors.overlap_api_list(user=request.user, status=status)
        tie_breaker = "-id" if ordering.startswith("-") else "id"
        paginator = ApiCursorPagination(ordering=(ordering, tie_breaker))
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)
