"""Reference endpoints, rate limiting and the shared error shape."""

from __future__ import annotations

import json
from typing import Any

import pytest

from portal.models import EcosystemPartner, Organisation, Region
from portal.tests import api_support
from portal.tests.api_support import World, client_for, issue
from portal.tests.factories import OrganisationFactory

world = api_support.world
pytestmark = pytest.mark.django_db

REFERENCE_URLS = ["/api/v1/regions/", "/api/v1/organisations/", "/api/v1/ecosystems/", "/api/v1/priorities/",
                  "/api/v1/themes/", "/api/v1/vision-windows/", "/api/v1/token/"]


@pytest.mark.parametrize("url", REFERENCE_URLS)
def test_reference_endpoints_need_a_token(world: World, url: str) -> None:
    response = client_for(None).get(url)
    assert response.status_code == 401
    assert set(response.json()) == {"message", "extra"}


@pytest.mark.parametrize("role", ["rom", "rom_other", "board", "staff"])
@pytest.mark.parametrize("url", REFERENCE_URLS)
def test_reference_endpoints_are_readable_by_every_client(world: World, url: str, role: str) -> None:
    assert world.client(role).get(url).status_code == 200


def test_regions_json_and_geojson(world: World) -> None:
    Region.objects.filter(pk=world.p1.pk).update(
        geometry=json.dumps({"type": "Polygon", "coordinates": [[[5, 52], [6, 52], [6, 53], [5, 52]]]})
    )
    client = world.client("rom")
    rows = client.get("/api/v1/regions/?kind=corop").json()
    assert rows == [{"code": "TC01", "name": "Corop Een", "kind": "corop", "parent": "TP01", "population_decline": False}]
    for url in ("/api/v1/regions/?format=geojson&kind=province", "/api/v1/regions.geojson?kind=province"):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/geo+json")
        features = {f["id"]: f for f in response.json()["features"]}
        assert features["TP01"]["geometry"]["type"] == "Polygon"
        assert features["TP02"]["geometry"] is None
        assert features["TP01"]["properties"]["name"] == "Provincie Een"
    assert client.get("/api/v1/regions/?kind=planet").status_code == 400
    assert client.get("/api/v1/regions.xml").status_code == 404
    assert client.get("/api/v1/regions/?format=xml").status_code == 404


def test_organisations_paginated_and_filtered(world: World) -> None:
    client = world.client("rom")
    body = client.get("/api/v1/organisations/?kind=rom").json()
    assert [(o["slug"], o["provinces_served"]) for o in body["results"]] == [("rom-een", ["TP01"]), ("rom-twee", ["TP02"])]
    assert client.get("/api/v1/organisations/?search=twee").json()["results"][0]["slug"] == "rom-twee"
    assert client.get("/api/v1/organisations/?helix_role=nope").status_code == 400


def test_ecosystems_hide_unpublished_from_other_boards(world: World) -> None:
    world.other_ecosystem.published = False
    world.other_ecosystem.save()
    EcosystemPartner.objects.create(ecosystem=world.ecosystem, organisation=world.rom_org, helix_role="government")
    board = {e["slug"] for e in world.client("board").get("/api/v1/ecosystems/").json()}
    staff = {e["slug"] for e in world.client("staff").get("/api/v1/ecosystems/").json()}
    assert board == {"eco-een"}
    assert staff == {"eco-een", "eco-twee"}
    row = next(e for e in world.client("staff").get("/api/v1/ecosystems/").json() if e["slug"] == "eco-een")
    assert row["regions"] == ["TP01"]
    assert row["partners"] == [{"organisation": "rom-een", "helix_role": "government"}]


@pytest.mark.parametrize("url", ["/api/v1/organisations/?page_size={n}", "/api/v1/ecosystems/"])
@pytest.mark.parametrize("n", [5, 50])
def test_reference_query_count_is_constant(
    world: World, url: str, n: int, django_assert_max_num_queries: Any
) -> None:
    for i in range(50):
        org = OrganisationFactory(slug=f"org-{i:03d}", kind=Organisation.Kind.ROM)
        org.served_provinces.set([world.p1, world.p2])
    client = world.client("staff")
    client.get("/api/v1/token/")
    with django_assert_max_num_queries(6):
        assert client.get(url.format(n=n)).status_code == 200


def test_priorities_reference_data(reference_data: None, world: World) -> None:
    rows = world.client("rom").get("/api/v1/priorities/?kind=mission").json()
    assert rows
    assert all(r["kind"] == "mission" and r["parent"] for r in rows)


# --- rate limiting ---------------------------------------------------------------------------


def test_rate_limit_per_token_gives_429_with_retry_after(world: World) -> None:
    _token, raw = issue(world.rom_org, rate_limit=3)
    client = client_for(raw)
    statuses = [client.get("/api/v1/token/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/token/")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert set(response.json()) == {"message", "extra"}
    # Another token of the same organisation has its own budget.
    assert world.client("rom").get("/api/v1/token/").status_code == 200


def test_default_rate_limit_comes_from_settings(world: World, settings: Any) -> None:
    settings.API_RATE_LIMIT_PER_MINUTE = 2
    _token, raw = issue(world.rom_org)
    client = client_for(raw)
    assert [client.get("/api/v1/regions/").status_code for _ in range(3)] == [200, 200, 429]


@pytest.mark.parametrize("path", ["/api/v1/nope/", "/api/v1/initiatives/abc/", "/api/v1/initiatives/%0A1/"])
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_unknown_api_paths_are_json_404(world: World, path: str, method: str) -> None:
    response = getattr(world.client("rom"), method)(path)
    assert response.status_code == 404
    assert set(response.json()) == {"message", "extra"}
