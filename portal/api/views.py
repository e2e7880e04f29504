"""Reference endpoints of the REST API (regions, organisations, ecosystems, priorities, themes)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.tokens import ApiToken


class TokenInfoApi(APIView):
    """Who am I? The organisation and role the credentials act as."""

    class OutputSerializer(serializers.Serializer):
        organisation = serializers.CharField(help_text="Slug van de organisatie / organisation slug")
        role = serializers.CharField()
        token_prefix = serializers.CharField(allow_null=True)
        expires_at = serializers.DateTimeField(allow_null=True)
        provinces_served = serializers.ListField(child=serializers.CharField())

    @extend_schema(
        operation_id="token_info", responses=OutputSerializer, tags=["auth"],
        summary="Wie ben ik? / Who am I?",
        description="De organisatie en rol van het token. / The organisation and role of the token.",
    )
    def get(self, request: Request) -> Response:
        from portal.selectors import rom_provinces

        user = request.user
        token = request.auth if isinstance(request.auth, ApiToken) else None
        data = {
            "organisation": user.organisation.slug if user.organisation_id else "",
            "role": user.role,
            "token_prefix": token.prefix if token else None,
            "expires_at": token.expires_at if token else None,
            "provinces_served": [r.code for r in rom_provinces(user=user)],
        }
        return Response(self.OutputSerializer(data).data)
