"""GET /api/v1/decisions/: outcomes and rationales for the initiatives the caller may see."""

from __future__ import annotations

import pytest

from initiatives.tests.factories import InitiativeFactory
from portal.tests import api_support
from portal.tests.api_support import World
from selection.tests.factories import DecisionFactory

world = api_support.world
API = "/api/v1/decisions/"


@pytest.fixture
def decisions(world: World) -> dict[str, object]:
    own = InitiativeFactory(ecosystem=world.ecosystem, regions=[world.c1], title="In provincie een")
    other = InitiativeFactory(ecosystem=world.other_ecosystem, regions=[world.p2], title="In provincie twee")
    return {
        "own": DecisionFactory(initiative=own, rationale="Opschalen: nationaal relevant."),
        "other": DecisionFactory(initiative=other, outcome="stop", rationale="Dubbel met elders."),
    }


def _titles(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["initiative"]["title"] for row in response.json()["results"]}


@pytest.mark.django_db
class TestDecisionApi:
    def test_rom_sees_decisions_about_its_provinces_only(self, world, decisions):
        assert _titles(world.client("rom").get(API)) == {"In provincie een"}
        assert _titles(world.client("rom_other").get(API)) == {"In provincie twee"}

    def test_board_sees_its_own_and_staff_sees_all(self, world, decisions):
        assert _titles(world.client("board").get(API)) == {"In provincie een"}
        assert _titles(world.client("staff").get(API)) == {"In provincie een", "In provincie twee"}

    def test_contract_has_outcome_and_rationale_but_no_scores(self, world, decisions):
        row = world.client("rom").get(API).json()["results"][0]
        assert set(row) == {"id", "round", "initiative", "outcome", "rationale", "decided_at"}
        assert row["outcome"] == "select_for_national_push"
        assert row["rationale"] == "Opschalen: nationaal relevant."

    def test_filter_and_bad_filter(self, world, decisions):
        assert _titles(world.client("staff").get(API, {"outcome": "stop"})) == {"In provincie twee"}
        response = world.client("staff").get(API, {"outcome": "maybe"})
        assert response.status_code == 400
        assert "outcome" in response.json()["extra"]["fields"]

    def test_anonymous_gets_401(self, world, decisions):
        assert api_support.client_for(None).get(API).status_code == 401

    def test_query_count_does_not_grow_with_the_page(self, world, decisions, django_assert_max_num_queries):
        for _n in range(6):
            DecisionFactory(initiative=InitiativeFactory(ecosystem=world.ecosystem, regions=[world.c1]))
        client = world.client("staff")
        with django_assert_max_num_queries(8) as small:
            client.get(API, {"page_size": 2})
        with django_assert_max_num_queries(len(small.captured_queries)):
            client.get(API, {"page_size": 50})
