"""Contract tests for /api/v1/initiatives/ (through the URL, with real tokens)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from initiatives.models import Initiative
from initiatives.selectors import initiative_version
from initiatives.tests.factories import InitiativeFactory
from portal.models import Activity
from portal.tests import api_support
from portal.tests.api_support import World

world = api_support.world
pytestmark = pytest.mark.django_db

URL = "/api/v1/initiatives/"


def payload(world: World, **overrides: Any) -> dict[str, Any]:
    data = {
        "title": "Fieldlab waterstof",
        "description": "Proeftuin.",
        "regions": [world.p1.code],
        "lead_organisation": world.rom_org.slug,
        "type": "field_lab",
        "stage": "pilot",
    }
    data.update(overrides)
    return data


def rom_initiative(world: World, **kwargs: Any) -> Initiative:
    defaults = {"ecosystem": None, "owner_organisation": world.rom_org, "regions": [world.p1]}
    defaults.update(kwargs)
    return InitiativeFactory(**defaults)


def assert_error_shape(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"message", "extra"}
    assert isinstance(body["message"], str)
    return body


# --- create ---------------------------------------------------------------------------------


def test_rom_creates_initiative_in_served_province(world: World) -> None:
    response = world.client("rom").post(URL, payload(world, external_id="X-1", partners=[world.other_rom_org.slug]),
                                        format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["regions"] == ["TP01"]
    assert body["owner_organisation"] == "rom-een"
    assert body["partners"] == ["rom-twee"]
    assert body["status"] == "draft"
    assert body["external_id"] == "X-1"
    assert response["ETag"] == f'"{body["version"]}"'
    assert response["Location"] == f"/api/v1/initiatives/{body['id']}/"
    initiative = Initiative.objects.get(pk=body["id"])
    assert initiative.created_by == world.user("rom")
    assert Activity.objects.filter(verb="initiative.created", target_id=initiative.pk).exists()


def test_rom_may_use_a_corop_region_inside_its_province(world: World) -> None:
    response = world.client("rom").post(URL, payload(world, regions=[world.c1.code]), format="json")
    assert response.status_code == 201


def test_rom_cannot_create_outside_its_provinces(world: World) -> None:
    response = world.client("rom").post(URL, payload(world, regions=[world.p2.code]), format="json")
    assert_error_shape(response, 403)
    assert not Initiative.objects.exists()


def test_create_validates_fields(world: World) -> None:
    response = world.client("rom").post(
        URL, payload(world, regions=["NOPE"], type="spaceship", budget="-1", start_date="2025-02-01",
                     end_date="2025-01-01"), format="json",
    )
    body = assert_error_shape(response, 400)
    assert set(body["extra"]["fields"]) == {"regions", "type", "budget"}


def test_end_before_start_is_a_field_error(world: World) -> None:
    response = world.client("rom").post(URL, payload(world, start_date="2025-02-01", end_date="2025-01-01"),
                                        format="json")
    assert assert_error_shape(response, 400)["extra"]["fields"] == {
        "end_date": ["The end date lies before the start date."]} or response.json()["extra"]["fields"]["end_date"]


def test_unknown_fields_are_rejected(world: World) -> None:
    response = world.client("rom").post(URL, payload(world, titel="typo"), format="json")
    body = assert_error_shape(response, 400)
    assert list(body["extra"]["fields"]) == ["titel"]


@pytest.mark.parametrize(
    "body",
    ['{"title": ', "[]", '"text"', "null", "1e999", '{"title": "\\ud800"}'],
)
def test_bad_json_and_wrong_types_are_400(world: World, body: str) -> None:
    response = world.client("rom").generic("POST", URL, body, content_type="application/json")
    assert_error_shape(response, 400)


@pytest.mark.parametrize(
    "field,value",
    [("title", 5), ("title", ["a"]), ("regions", "PV20"), ("regions", [1]), ("regions", []), ("budget", "abc"),
     ("budget", "1e20"), ("published", "maybe"), ("start_date", "2025-13-01"), ("lead_organisation", {"a": 1}),
     ("title", "x\x00y"), ("title", "x" * 201), ("website", "not a url"), ("contact_email", "nope")],
)
def test_wrong_types_are_field_errors(world: World, field: str, value: Any) -> None:
    response = world.client("rom").post(URL, payload(world, **{field: value}), format="json")
    body = assert_error_shape(response, 400)
    assert field in body["extra"]["fields"]


def test_too_large_body_is_413(world: World, settings: Any) -> None:
    settings.API_MAX_BODY_BYTES = 1000
    response = world.client("rom").post(URL, payload(world, description="x" * 2000), format="json")
    assert_error_shape(response, 413)


def test_non_json_content_type_is_415(world: World) -> None:
    response = world.client("rom").post(URL, "title=x", content_type="application/x-www-form-urlencoded")
    assert_error_shape(response, 415)


def test_duplicate_external_id_is_a_field_error(world: World) -> None:
    client = world.client("rom")
    assert client.post(URL, payload(world, external_id="D-1"), format="json").status_code == 201
    response = client.post(URL, payload(world, external_id="D-1"), format="json")
    assert_error_shape(response, 400)


# --- retrieve / update / delete --------------------------------------------------------------


def test_retrieve_has_etag_and_honours_if_none_match(world: World) -> None:
    initiative = rom_initiative(world)
    client = world.client("rom")
    response = client.get(f"{URL}{initiative.pk}/")
    assert response.status_code == 200
    etag = response["ETag"]
    assert etag == f'"{initiative_version(initiative)}"'
    assert client.get(f"{URL}{initiative.pk}/", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_unknown_or_invisible_initiative_is_404(world: World) -> None:
    hidden = InitiativeFactory(ecosystem=world.other_ecosystem, draft=True)
    assert_error_shape(world.client("rom").get(f"{URL}{hidden.pk}/"), 404)
    assert_error_shape(world.client("rom").get(f"{URL}999999999/"), 404)
    assert_error_shape(world.client("rom").get(f"{URL}99999999999999999999999/"), 404)


def test_put_replaces_and_patch_changes_some_fields(world: World) -> None:
    initiative = rom_initiative(world, budget=1000, contact_name="Piet", external_id="CRM-1")
    client = world.client("rom")
    response = client.put(f"{URL}{initiative.pk}/", payload(world, title="Nieuw"), format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["external_id"] == "CRM-1"  # the client's link survives a PUT without it
    assert response.json()["title"] == "Nieuw"
    assert response.json()["budget"] is None  # PUT replaces: omitted optional fields get their default
    assert response.json()["contact_name"] == ""
    response = client.patch(f"{URL}{initiative.pk}/", {"stage": "scaling"}, format="json")
    assert response.status_code == 200
    assert response.json()["stage"] == "scaling"
    assert response.json()["title"] == "Nieuw"


def test_changing_only_relations_moves_updated_at_and_version(world: World) -> None:
    initiative = rom_initiative(world)
    client = world.client("rom")
    before = client.get(f"{URL}{initiative.pk}/").json()
    response = client.patch(f"{URL}{initiative.pk}/", {"regions": [world.c1.code]}, format="json")
    assert response.status_code == 200
    assert response.json()["regions"] == ["TC01"]
    assert response.json()["updated_at"] > before["updated_at"]
    assert response.json()["version"] != before["version"]


def test_stale_if_match_is_412_and_current_one_succeeds(world: World) -> None:
    initiative = rom_initiative(world)
    client = world.client("rom")
    etag = client.get(f"{URL}{initiative.pk}/")["ETag"]
    first = client.patch(f"{URL}{initiative.pk}/", {"title": "Eerste"}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200
    second = client.patch(f"{URL}{initiative.pk}/", {"title": "Tweede"}, format="json", HTTP_IF_MATCH=etag)
    assert_error_shape(second, 412)
    initiative.refresh_from_db()
    assert initiative.title == "Eerste"
    third = client.patch(f"{URL}{initiative.pk}/", {"title": "Derde"}, format="json", HTTP_IF_MATCH=first["ETag"])
    assert third.status_code == 200
    assert_error_shape(client.delete(f"{URL}{initiative.pk}/", HTTP_IF_MATCH=etag), 412)


def test_rom_cannot_move_initiative_out_of_its_provinces(world: World) -> None:
    initiative = rom_initiative(world)
    response = world.client("rom").patch(f"{URL}{initiative.pk}/", {"regions": [world.p2.code]}, format="json")
    assert_error_shape(response, 403)


def test_delete_archives(world: World) -> None:
    initiative = rom_initiative(world)
    response = world.client("rom").delete(f"{URL}{initiative.pk}/")
    assert response.status_code == 204
    initiative.refresh_from_db()
    assert initiative.status == Initiative.Status.ARCHIVED
    assert world.client("rom").get(f"{URL}?status=archived").json()["results"][0]["id"] == initiative.pk


# --- upsert by external id ------------------------------------------------------------------


def test_upsert_creates_then_updates(world: World) -> None:
    client = world.client("rom")
    url = f"{URL}external/CRM-17/"
    first = client.put(url, payload(world), format="json")
    assert first.status_code == 201, first.json()
    second = client.put(url, payload(world, title="Anders"), format="json")
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert Initiative.objects.filter(external_id="CRM-17").count() == 1
    # The same external id of another organisation is another record.
    other = world.client("rom_other").put(url, payload(world, regions=[world.p2.code],
                                                       lead_organisation=world.other_rom_org.slug), format="json")
    assert other.status_code == 201
    assert other.json()["id"] != first.json()["id"]


def test_upsert_honours_if_match(world: World) -> None:
    client = world.client("rom")
    url = f"{URL}external/CRM-18/"
    assert_error_shape(client.put(url, payload(world), format="json", HTTP_IF_MATCH='"abc"'), 412)
    created = client.put(url, payload(world), format="json")
    assert_error_shape(client.put(url, payload(world), format="json", HTTP_IF_MATCH='"stale"'), 412)
    assert client.put(url, payload(world, title="B"), format="json", HTTP_IF_MATCH=created["ETag"]).status_code == 200


# --- list -----------------------------------------------------------------------------------


def test_list_filters(world: World) -> None:
    hydrogen = rom_initiative(world, stage=Initiative.Stage.SCALING, title="Waterstofhub")
    corop = rom_initiative(world, regions=[world.c1])
    InitiativeFactory(ecosystem=world.other_ecosystem)
    client = world.client("staff")

    def ids(query: str) -> set[int]:
        response = client.get(f"{URL}?{query}")
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids("region=TP01") == {hydrogen.pk, corop.pk}
    assert ids("region=TC01") == {corop.pk}
    assert ids("stage=scaling") == {hydrogen.pk}
    assert ids("search=waterstofhub") == {hydrogen.pk}
    assert ids("organisation=rom-een") == {hydrogen.pk, corop.pk}
    future = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    assert ids(f"updated_since={future.replace('+', '%2B')}") == set()


@pytest.mark.parametrize("query", ["stage=nope", "updated_since=yesterday", "ordering=budget", "published=maybe"])
def test_bad_filters_are_400(world: World, query: str) -> None:
    assert_error_shape(world.client("staff").get(f"{URL}?{query}"), 400)


def test_cursor_pagination_walks_all_rows_once(world: World) -> None:
    created = {rom_initiative(world).pk for _ in range(7)}
    client = world.client("rom")
    seen: list[int] = []
    url: str | None = f"{URL}?page_size=3&ordering=updated_at"
    while url:
        body = client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert sorted(seen) == sorted(created)


@pytest.mark.parametrize("page_size", [5, 50])
def test_list_query_count_is_constant(world: World, page_size: int, django_assert_max_num_queries: Any) -> None:
    for _ in range(50):
        rom_initiative(world).partners.set([world.other_rom_org])
    client = world.client("rom")
    client.get(f"{URL}?page_size=1")  # marks the token used, so no last-used write below
    with django_assert_max_num_queries(9):
        response = client.get(f"{URL}?page_size={page_size}")
    assert len(response.json()["results"]) == page_size


def test_fast_output_matches_the_declared_serializer(world: World) -> None:
    from rest_framework import serializers

    from initiatives.api.serializers import InitiativeOutputSerializer
    from initiatives.selectors import initiative_api_get
    from portal.models import Priority, Theme

    theme = Theme.objects.create(code="H2", name_nl="Waterstof", name_en="Hydrogen")
    priority = Priority.objects.create(code="P1", kind="mission", name_nl="Missie", name_en="Mission")
    initiative = rom_initiative(world, theme=theme, budget="1234.5", start_date=dt.date(2025, 1, 1),
                                regions=[world.p1, world.c1])
    initiative.partners.set([world.other_rom_org, world.rom_org])
    initiative.priorities.set([priority])
    fetched = initiative_api_get(user=world.user("staff"), initiative_id=initiative.pk)
    fast = InitiativeOutputSerializer(fetched).data
    generic = serializers.Serializer.to_representation(InitiativeOutputSerializer(), Initiative.objects.get(pk=initiative.pk))
    for name in ("regions", "partners", "priorities", "vision_windows"):
        generic[name] = sorted(generic[name])
    assert dict(fast) == dict(generic)
    assert fast["budget"] == "1234.50"
