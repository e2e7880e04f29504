"""Selection decisions over REST: the outcome and rationale about initiatives the caller may see.

Never the individual assessors' scores (a region sees the decision, not who scored what).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.views import APIView

from portal.api.pagination import ApiCursorPagination
from portal.api.params import choice_param
from portal.api.schema import READ_ERROR_RESPONSES, paginated
from selection import selectors
from selection.models import Decision


class DecisionListApi(APIView):
    class OutputSerializer(serializers.Serializer):
        class RoundSerializer(serializers.Serializer):
            id = serializers.IntegerField()
            name = serializers.CharField()

        class DecisionInitiativeSerializer(serializers.Serializer):
            id = serializers.IntegerField()
            title = serializers.CharField()
            external_id = serializers.CharField()

        id = serializers.IntegerField()
        round = RoundSerializer()
        initiative = DecisionInitiativeSerializer()
        outcome = serializers.CharField()
        rationale = serializers.CharField()
        decided_at = serializers.DateTimeField()

    @extend_schema(
        operation_id="decisions_list",
        tags=["decisions"],
        summary="Selectiebesluiten / Selection decisions",
        description=(
            "Besluiten van het programmateam (uitkomst en motivering) over initiatieven die u mag zien: "
            "een ROM over initiatieven die zij mag bewerken. Geen scores van beoordelaars. / Decisions of "
            "the programme team (outcome and rationale) about initiatives you may see: a ROM about "
            "initiatives it may edit. No assessors' scores."
        ),
        parameters=[
            OpenApiParameter("outcome", str, enum=list(Decision.Outcome.values)),
            OpenApiParameter("page_size", int, description="1-500, standaard/default 50"),
            OpenApiParameter("cursor", str),
        ],
        responses={200: paginated(OutputSerializer, "DecisionPage"), **READ_ERROR_RESPONSES},
    )
    def get(self, request: Request):
        outcome = choice_param(request.query_params, "outcome", Decision.Outcome.values)
        queryset = selectors.decision_api_list(user=request.user, outcome=outcome)
        paginator = ApiCursorPagination(ordering=("-decided_at", "-id"))
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)
