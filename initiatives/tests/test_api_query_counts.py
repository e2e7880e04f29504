"""Query counts of the initiatives API: constant per request, whatever the page size."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from initiatives.api.serializers import InitiativeOutputSerializer
from initiatives.models import Initiative
from initiatives.selectors import initiative_api_attach_relations
from initiatives.tests.factories import InitiativeFactory
from portal.models import Priority
from portal.tests import api_support
from portal.tests.api_support import World

world = api_support.world
pytestmark = pytest.mark.django_db

URL = "/api/v1/initiatives/"
# Token lookup, its last-used stamp (at most once a minute) and the page's one SELECT.
MAX_LIST_QUERIES = 3


@pytest.fixture
def many(world: World) -> list[Initiative]:
    partner = world.other_rom_org
    priorities = list(Priority.objects.all()[:2])
    rows = InitiativeFactory.create_batch(
        70, ecosystem=world.ecosystem, owner_organisation=world.rom_org, regions=[world.p1, world.c1],
        budget=Decimal("1250.50"),
    )
    for initiative in rows[:10]:
        initiative.partners.set([partner])
        if priorities:
            initiative.priorities.set(priorities)
    return rows


def _count(client, path: str) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), response.json()


def test_list_queries_do_not_grow_with_page_size(world: World, many: list[Initiative],
                                                 django_assert_max_num_queries) -> None:
    client = world.client("staff")
    client.get(URL)  # stamps last_used_at, so both measured requests skip that write
    small, small_body = _count(client, f"{URL}?page_size=5")
    large, large_body = _count(client, f"{URL}?page_size=500")
    assert len(small_body["results"]) == 5
    assert len(large_body["results"]) == 70
    assert small == large
    with django_assert_max_num_queries(MAX_LIST_QUERIES):
        client.get(f"{URL}?page_size=500&region={world.p1.code}&stage=pilot")


def test_detail_is_one_select_after_authentication(world: World, many: list[Initiative],
                                                   django_assert_max_num_queries) -> None:
    client = world.client("staff")
    client.get(URL)
    with django_assert_max_num_queries(2):
        response = client.get(f"{URL}{many[0].pk}/")
    assert response.status_code == 200


def test_row_path_matches_instance_path(world: World, many: list[Initiative]) -> None:
    """The one-SELECT rows give exactly what the model-instance path gives (schema, values)."""
    client = world.client("staff")
    body = client.get(f"{URL}?page_size=500&ordering=id").json()["results"]
    instances = initiative_api_attach_relations(list(Initiative.objects.order_by("id")))
    # The staff token's user sees contact details; the instance path needs the same requester.
    context = {"request": SimpleNamespace(user=world.user("staff"))}
    expected = [InitiativeOutputSerializer(i, context=context).data for i in instances]
    assert body == expected
    assert any(row["partners"] for row in body) and all(row["regions"] == ["TC01", "TP01"] for row in body)
    assert body[0]["budget"] == "1250.50"
