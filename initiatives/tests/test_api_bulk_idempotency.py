"""Bulk upserts (all or nothing, errors per row) and Idempotency-Key on POST."""

from __future__ import annotations

from typing import Any

import pytest

from initiatives.models import Initiative
from initiatives.tests.test_api import URL, assert_error_shape, payload
from portal.tests import api_support
from portal.tests.api_support import World
from portal.tokens import IdempotencyRecord

world = api_support.world
pytestmark = pytest.mark.django_db

BULK = f"{URL}bulk/"


def rows(world: World, n: int, **overrides: Any) -> list[dict[str, Any]]:
    return [payload(world, external_id=f"B-{i}", title=f"Rij {i}", **overrides) for i in range(n)]


def test_bulk_creates_then_updates(world: World) -> None:
    client = world.client("rom")
    response = client.post(BULK, {"items": rows(world, 3)}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["created"] == 3
    assert [item["index"] for item in response.json()["items"]] == [0, 1, 2]
    again = client.post(BULK, {"items": rows(world, 4, stage="scaling")}, format="json")
    assert again.json()["created"] == 1
    assert again.json()["updated"] == 3
    assert Initiative.objects.filter(owner_organisation=world.rom_org, stage="scaling").count() == 4


def test_bulk_is_all_or_nothing_with_errors_per_row(world: World) -> None:
    items = rows(world, 5)
    items[1]["type"] = "spaceship"
    items[3]["titel"] = "typo"
    response = world.client("rom").post(BULK, {"items": items}, format="json")
    body = assert_error_shape(response, 400)
    assert [(r["index"], r["external_id"], sorted(r["fields"])) for r in body["extra"]["rows"]] == [
        (1, "B-1", ["type"]), (3, "B-3", ["titel"])]
    assert not Initiative.objects.exists()


def test_bulk_rolls_back_when_a_later_row_is_not_allowed(world: World) -> None:
    items = rows(world, 3)
    items[2]["regions"] = [world.p2.code]  # a province this ROM does not serve
    items.append(dict(items[0]))  # and a duplicate id within the batch
    response = world.client("rom").post(BULK, {"items": items}, format="json")
    body = assert_error_shape(response, 400)
    assert [r["index"] for r in body["extra"]["rows"]] == [2, 3]
    assert not Initiative.objects.exists()


@pytest.mark.parametrize("body", [{"items": []}, {"items": "x"}, {}, {"items": [1]}, {"items": [{}], "x": 1}])
def test_bulk_bad_envelopes_are_400(world: World, body: dict[str, Any]) -> None:
    assert_error_shape(world.client("rom").post(BULK, body, format="json"), 400)


def test_bulk_refuses_more_than_1000_rows(world: World) -> None:
    response = world.client("rom").post(BULK, {"items": [{}] * 1001}, format="json")
    assert "items" in assert_error_shape(response, 400)["extra"]["fields"]


def test_bulk_of_1000_rows_runs_with_a_bounded_number_of_queries(world: World) -> None:
    # Not constant (every row is written), but linear with a fixed cost per row: reference codes
    # are resolved once per request, not per row. Counted with an execute wrapper because
    # Django's query log keeps only the last 9000 statements.
    from django.db import connection

    counted = [0]

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        counted[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = world.client("rom").post(BULK, {"items": rows(world, 1000)}, format="json")
    assert response.status_code == 200
    assert Initiative.objects.count() == 1000
    created_per_row = counted[0] / 1000
    counted[0] = 0
    with connection.execute_wrapper(count):
        response = world.client("rom").post(BULK, {"items": rows(world, 1000, stage="scaling")}, format="json")
    assert response.status_code == 200
    updated_per_row = counted[0] / 1000
    assert created_per_row <= 35, created_per_row
    assert updated_per_row <= 40, updated_per_row


# --- Idempotency-Key -------------------------------------------------------------------------


def test_repeat_with_same_key_returns_first_response_without_second_write(world: World) -> None:
    client = world.client("rom")
    first = client.post(URL, payload(world), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    second = client.post(URL, payload(world), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Location"] == first["Location"]
    assert second["Idempotent-Replayed"] == "true"
    assert Initiative.objects.count() == 1


def test_same_key_different_body_is_422(world: World) -> None:
    client = world.client("rom")
    client.post(URL, payload(world), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    response = client.post(URL, payload(world, title="Anders"), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert_error_shape(response, 422)
    assert Initiative.objects.count() == 1


def test_keys_are_per_client(world: World) -> None:
    world.client("rom").post(URL, payload(world), format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    other = world.client("rom_other").post(
        URL, payload(world, regions=[world.p2.code]), format="json", HTTP_IDEMPOTENCY_KEY="k-3"
    )
    assert other.status_code == 201
    assert Initiative.objects.count() == 2


def test_failed_request_is_not_stored_and_can_be_retried(world: World) -> None:
    client = world.client("rom")
    bad = client.post(URL, payload(world, type="x"), format="json", HTTP_IDEMPOTENCY_KEY="k-4")
    assert bad.status_code == 400
    assert not IdempotencyRecord.objects.exists()
    assert client.post(URL, payload(world, type="x"), format="json", HTTP_IDEMPOTENCY_KEY="k-4").status_code == 400


def test_key_in_progress_is_409(world: World) -> None:
    client = world.client("rom")
    user = world.user("rom")
    first = client.post(URL, payload(world), format="json", HTTP_IDEMPOTENCY_KEY="k-5")
    assert first.status_code == 201
    IdempotencyRecord.objects.filter(user=user, key="k-5").update(response_status=None, response_body=None)
    assert_error_shape(client.post(URL, payload(world), format="json", HTTP_IDEMPOTENCY_KEY="k-5"), 409)


def test_bulk_honours_idempotency_key(world: World) -> None:
    client = world.client("rom")
    first = client.post(BULK, {"items": rows(world, 2)}, format="json", HTTP_IDEMPOTENCY_KEY="b-1")
    Initiative.objects.update(title="changed elsewhere")
    second = client.post(BULK, {"items": rows(world, 2)}, format="json", HTTP_IDEMPOTENCY_KEY="b-1")
    assert second.json() == first.json()
    assert set(Initiative.objects.values_list("title", flat=True)) == {"changed elsewhere"}


@pytest.mark.parametrize("key", ["", "x" * 256])
def test_bad_idempotency_keys_are_400(world: World, key: str) -> None:
    response = world.client("rom").post(URL, payload(world), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert "Idempotency-Key" in assert_error_shape(response, 400)["extra"]["fields"]
