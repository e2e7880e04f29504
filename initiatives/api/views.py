"""Initiatives over REST, one view per operation (HackSoft style).

Views validate input, call a selector or a service, and serialize. Who may read or write what is
decided in portal/permissions.py, through the selectors and services.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from initiatives import selectors, services
from initiatives.api.filters import InitiativeFilter
from initiatives.api.serializers import InitiativeInputSerializer, InitiativeOutputSerializer
from initiatives.models import Initiative
from portal.api.idempotency import idempotent
from portal.api.pagination import ApiCursorPagination
from portal.api.params import choice_param
from portal.api.schema import (
    ERROR_RESPONSES,
    IDEMPOTENCY_KEY,
    IF_MATCH,
    READ_ERROR_RESPONSES,
    filter_parameters,
    paginated,
)
from portal.api.serializers import ReferenceCache, StrictSerializer, TextField
from portal.exceptions import ApplicationError

_EXAMPLE_ROW = {
    "external_id": "CRM-2024-0017",
    "title": "Fieldlab waterstof Eemshaven",
    "description": "Proeftuin voor groene waterstof in de haven. / Test site for green hydrogen in the port.",
    "regions": ["PV20"],
    "lead_organisation": "nom",
    "type": "field_lab",
    "stage": "pilot",
    "status": "active",
    "published": True,
}


def _if_match(request: Request) -> list[str] | None:
    """The versions in If-Match (quotes and W/ stripped), or None without the header."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    return [part.strip().removeprefix("W/").strip('"') for part in header.split(",") if part.strip()]


def _detail_response(initiative: Initiative | dict[str, Any], *, status_code: int = 200, request: Request | None = None) -> Response:
    response = Response(InitiativeOutputSerializer(initiative, context={"request": request}).data, status=status_code)
    response["ETag"] = f'"{selectors.initiative_version(initiative)}"'
    if status_code == status.HTTP_201_CREATED:
        pk = initiative["id"] if isinstance(initiative, dict) else initiative.pk
        response["Location"] = f"/api/v1/initiatives/{pk}/"
    return response


def _reload(request: Request, initiative: Initiative) -> Initiative | dict[str, Any]:
    # Fresh read in the API's query shape (one SELECT on PostgreSQL).
    return selectors.initiative_api_row(user=request.user, initiative_id=initiative.pk)


class InitiativeListApi(APIView):
    @extend_schema(
        operation_id="initiatives_list",
        tags=["initiatives"],
        summary="Initiatieven zoeken / List initiatives",
        description=(
            "Initiatieven die u mag lezen, met filters en cursor-paginering. Synchroniseer met "
            "`updated_since` en `ordering=updated_at`. / Initiatives you may read, filtered, cursor "
            "paginated. Sync with `updated_since` and `ordering=updated_at`."
        ),
        parameters=[
            OpenApiParameter("ordering", str, enum=list(selectors.API_ORDERINGS)),
            OpenApiParameter("page_size", int, description="1-500, standaard/default 50"),
            OpenApiParameter("cursor", str),
            *filter_parameters(InitiativeFilter),
        ],
        responses={200: paginated(InitiativeOutputSerializer, "InitiativePage"), **READ_ERROR_RESPONSES},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        ordering = choice_param(params, "ordering", selectors.API_ORDERINGS, default="-updated_at")
        filters = {k: params.get(k) for k in InitiativeFilter.base_filters if k in params}
        queryset = selectors.initiative_api_list(user=request.user, filters=filters)
        tie_breaker = "-id" if ordering.startswith("-") else "id"
        paginator = ApiCursorPagination(ordering=(ordering,) if ordering.lstrip("-") == "id" else (ordering, tie_breaker))
        if selectors.api_rows_supported():
            # One SELECT per page: dict rows with the m2m codes as arrays.
            page = paginator.paginate_queryset(selectors.initiative_api_rows(queryset), request, view=self)
            serializer = InitiativeOutputSerializer(context={"request": request})
            data = [serializer.row_representation(row) for row in page]
        else:
            page = selectors.initiative_api_attach_relations(paginator.paginate_queryset(queryset, request, view=self))
            data = InitiativeOutputSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


class InitiativeCreateApi(APIView):
    InputSerializer = InitiativeInputSerializer

    @extend_schema(
        operation_id="initiatives_create",
        tags=["initiatives"],
        summary="Initiatief registreren / Register an initiative",
        description=(
            "Een ROM registreert alleen in provincies die zij bedient. Stuur een `Idempotency-Key` "
            "om veilig opnieuw te proberen. / A ROM registers only in provinces it serves. Send an "
            "`Idempotency-Key` to retry safely."
        ),
        parameters=[IDEMPOTENCY_KEY],
        request=InputSerializer,
        responses={201: InitiativeOutputSerializer, **ERROR_RESPONSES},
        examples=[OpenApiExample("Fieldlab", value=_EXAMPLE_ROW, request_only=True)],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        initiative = services.initiative_create(actor=request.user, data=serializer.validated_data)
        return _detail_response(_reload(request, initiative), status_code=status.HTTP_201_CREATED, request=request)


class InitiativeListCreateApi(InitiativeListApi, InitiativeCreateApi):
    """GET lists, POST creates: one URL needs one view class; the operations stay separate."""


class InitiativeDetailApi(APIView):
    """GET, PUT, PATCH and DELETE on one initiative (DRF routes one URL to one view class)."""

    InputSerializer = InitiativeInputSerializer

    @extend_schema(
        operation_id="initiatives_retrieve",
        tags=["initiatives"],
        summary="Eén initiatief / One initiative",
        description="Met `ETag`; stuur die terug als `If-Match`. / With an `ETag`; send it back as `If-Match`.",
        responses={200: InitiativeOutputSerializer, 304: OpenApiResponse(description="Not modified"),
                   **ERROR_RESPONSES},
    )
    def get(self, request: Request, initiative_id: int) -> Response:
        initiative = selectors.initiative_api_row(user=request.user, initiative_id=initiative_id)
        etag = f'"{selectors.initiative_version(initiative)}"'
        if request.headers.get("If-None-Match") == etag:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        return _detail_response(initiative, request=request)

    def _update(self, request: Request, initiative_id: int, *, partial: bool) -> Response:
        serializer = self.InputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        initiative = services.initiative_update_versioned(
            initiative_id=initiative_id, actor=request.user, data=serializer.validated_data,
            expected_versions=_if_match(request),
        )
        return _detail_response(_reload(request, initiative), request=request)

    @extend_schema(
        operation_id="initiatives_update",
        tags=["initiatives"],
        summary="Initiatief vervangen / Replace an initiative",
        description=(
            "Velden die u weglaat krijgen hun standaardwaarde. Met `If-Match` geen verloren updates (412). / "
            "Fields left out get their default. With `If-Match`, no lost updates (412)."
        ),
        parameters=[IF_MATCH],
        request=InputSerializer,
        responses={200: InitiativeOutputSerializer, **ERROR_RESPONSES},
    )
    def put(self, request: Request, initiative_id: int) -> Response:
        return self._update(request, initiative_id, partial=False)

    @extend_schema(
        operation_id="initiatives_partial_update",
        tags=["initiatives"],
        summary="Initiatief deels wijzigen / Change some fields",
        parameters=[IF_MATCH],
        request=InputSerializer(partial=True),
        responses={200: InitiativeOutputSerializer, **ERROR_RESPONSES},
    )
    def patch(self, request: Request, initiative_id: int) -> Response:
        return self._update(request, initiative_id, partial=True)

    @extend_schema(
        operation_id="initiatives_destroy",
        tags=["initiatives"],
        summary="Initiatief archiveren / Archive an initiative",
        description="Zacht verwijderen: status wordt `archived`. / Soft delete: status becomes `archived`.",
        parameters=[IF_MATCH],
        responses={204: None, **ERROR_RESPONSES},
    )
    def delete(self, request: Request, initiative_id: int) -> Response:
        services.initiative_archive(initiative_id=initiative_id, actor=request.user, expected_versions=_if_match(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class InitiativeUpsertApi(APIView):
    InputSerializer = InitiativeInputSerializer

    @extend_schema(
        operation_id="initiatives_upsert",
        tags=["initiatives"],
        summary="Aanmaken of bijwerken op uw eigen id / Create or update by your own id",
        description=(
            "Idempotent: dezelfde aanroep twee keer geeft één initiatief. 201 bij aanmaken, 200 bij "
            "bijwerken. / Idempotent: the same call twice leaves one initiative. 201 when created, 200 "
            "when updated."
        ),
        parameters=[IF_MATCH],
        request=InputSerializer,
        responses={200: InitiativeOutputSerializer, 201: InitiativeOutputSerializer, **ERROR_RESPONSES},
        examples=[OpenApiExample("Fieldlab", value=_EXAMPLE_ROW, request_only=True)],
    )
    def put(self, request: Request, external_id: str) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        initiative, created = services.initiative_upsert(
            actor=request.user, external_id=external_id, data=serializer.validated_data,
            expected_versions=_if_match(request),
        )
        return _detail_response(
            _reload(request, initiative), status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
            request=request,
        )


class InitiativeBulkUpsertApi(APIView):
    class InputSerializer(StrictSerializer):
        class RowSerializer(InitiativeInputSerializer):
            external_id = TextField(max_length=100, allow_blank=False)

        items = serializers.ListField(child=serializers.JSONField(), max_length=services.BULK_MAX_ROWS,
                                      allow_empty=False, help_text="Maximaal/at most 1000")

    class OutputSerializer(serializers.Serializer):
        class ItemSerializer(serializers.Serializer):
            index = serializers.IntegerField()
            id = serializers.IntegerField()
            external_id = serializers.CharField()
            created = serializers.BooleanField()
            version = serializers.CharField()

        created = serializers.IntegerField()
        updated = serializers.IntegerField()
        items = ItemSerializer(many=True)

    @extend_schema(
        operation_id="initiatives_bulk_upsert",
        tags=["initiatives"],
        summary="Tot 1000 initiatieven in één keer / Up to 1000 initiatives at once",
        description=(
            "Alles of niets: bij een fout in één rij wordt niets opgeslagen en krijgt u per rij de fouten "
            "(`extra.rows[].index`). / All or nothing: if one row fails nothing is saved and you get the "
            "errors per row (`extra.rows[].index`)."
        ),
        parameters=[IDEMPOTENCY_KEY],
        request=InputSerializer,
        responses={200: OutputSerializer, **ERROR_RESPONSES},
        examples=[OpenApiExample("Twee rijen / two rows", request_only=True, value={"items": [
            _EXAMPLE_ROW, {**_EXAMPLE_ROW, "external_id": "CRM-2024-0018", "title": "Campus Zernike"}]})],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        envelope = self.InputSerializer(data=request.data)
        envelope.is_valid(raise_exception=True)
        raw_rows = envelope.validated_data["items"]
        references = _primed_references(raw_rows)
        rows: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for index, raw in enumerate(raw_rows):
            row = self.InputSerializer.RowSerializer(data=raw, context={"references": references})
            if row.is_valid():
                rows.append(row.validated_data)
            else:
                external_id = raw.get("external_id") if isinstance(raw, dict) else None
                errors.append({"index": index, "external_id": external_id if isinstance(external_id, str) else None,
                               "fields": row.errors})
        if errors:
            raise ApplicationError(services.BULK_FAILED_MSG, extra={"fields": {}, "rows": errors})
        results = services.initiative_bulk_upsert(actor=request.user, rows=rows)
        versions = dict(
            Initiative.objects.filter(id__in=[i.pk for i, _c in results]).values_list("id", "updated_at")
        )
        items = []
        for index, (initiative, created) in enumerate(results):
            initiative.updated_at = versions[initiative.pk]
            items.append({"index": index, "id": initiative.pk, "external_id": initiative.external_id,
                          "created": created, "version": selectors.initiative_version(initiative)})
        data = {"created": sum(1 for i in items if i["created"]), "updated": sum(1 for i in items if not i["created"]),
                "items": items}
        return Response(self.OutputSerializer(data).data)


def _primed_references(raw_rows: list[Any]) -> ReferenceCache:
    """Load every organisation slug named in the batch with one query."""
    from portal.models import Organisation

    slugs: set[str] = set()
    for raw in raw_rows:
        if not isinstance(raw, dict):
            continue
        if isinstance(raw.get("lead_organisation"), str):
            slugs.add(raw["lead_organisation"])
        if isinstance(raw.get("partners"), list):
            slugs.update(p for p in raw["partners"] if isinstance(p, str))
    cache = ReferenceCache()
    cache.prime(Organisation, "slug", slugs)
    return cache
