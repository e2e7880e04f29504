"""The webhook API: contract, who may do what, validation in the API's error shape."""

from __future__ import annotations

import pytest

from portal.tests import api_support
from portal.tests.api_support import World
from portal.webhooks import WebhookDelivery, WebhookEndpoint

world = api_support.world

URL = "https://hooks.example.org/portal"


def _create(world: World, who: str = "rom", **data: object) -> object:
    body = {"url": URL, "events": ["overlap.found", "decision.taken"], **data}
    return world.client(who).post("/api/v1/webhooks/", body, format="json")


def test_rom_registers_an_endpoint_and_sees_the_secret_only_once(world: World) -> None:
    response = _create(world, description="CRM")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 40
    assert body["secret_prefix"] == body["secret"][:10]
    assert body["organisation"] == "rom-een" and body["active"] is True
    assert body["events"] == ["decision.taken", "overlap.found"]
    assert response["Location"] == f"/api/v1/webhooks/{body['id']}/"
    detail = world.client("rom").get(f"/api/v1/webhooks/{body['id']}/")
    assert detail.status_code == 200
    assert "secret" not in detail.json() and detail.json()["secret_prefix"] == body["secret_prefix"]
    listed = world.client("rom").get("/api/v1/webhooks/").json()
    assert [e["id"] for e in listed["results"]] == [body["id"]]
    assert all("secret" not in e for e in listed["results"])


def test_update_and_delete(world: World) -> None:
    endpoint_id = _create(world).json()["id"]
    client = world.client("rom")
    response = client.patch(f"/api/v1/webhooks/{endpoint_id}/", {"active": False, "events": ["decision.taken"]},
                            format="json")
    assert response.status_code == 200
    assert response.json()["active"] is False and response.json()["events"] == ["decision.taken"]
    assert client.delete(f"/api/v1/webhooks/{endpoint_id}/").status_code == 204
    assert not WebhookEndpoint.objects.filter(pk=endpoint_id).exists()
    assert client.get(f"/api/v1/webhooks/{endpoint_id}/").status_code == 404


def test_another_roms_endpoint_is_not_found(world: World) -> None:
    endpoint_id = _create(world).json()["id"]
    other = world.client("rom_other")
    url = f"/api/v1/webhooks/{endpoint_id}/"
    assert other.get(url).status_code == 404
    assert other.patch(url, {"active": False}, format="json").status_code == 404
    assert other.delete(url).status_code == 404
    assert other.post(f"{url}ping/").status_code == 404
    assert other.get("/api/v1/webhooks/").json()["results"] == []
    assert other.get(f"/api/v1/webhooks/deliveries/?endpoint={endpoint_id}").json()["results"] == []
    response = other.get(url)
    assert response.json() == {"message": response.json()["message"], "extra": {}}
    assert WebhookEndpoint.objects.get(pk=endpoint_id).active is True


def test_staff_read_everything_but_write_nothing(world: World) -> None:
    endpoint_id = _create(world).json()["id"]
    staff = world.client("staff")
    assert [e["id"] for e in staff.get("/api/v1/webhooks/").json()["results"]] == [endpoint_id]
    assert staff.get(f"/api/v1/webhooks/{endpoint_id}/").status_code == 200
    assert staff.get("/api/v1/webhooks/deliveries/").status_code == 200
    assert _create(world, "staff").status_code == 403
    assert staff.patch(f"/api/v1/webhooks/{endpoint_id}/", {"active": False}, format="json").status_code == 403
    assert staff.delete(f"/api/v1/webhooks/{endpoint_id}/").status_code == 403
    assert staff.post(f"/api/v1/webhooks/{endpoint_id}/ping/").status_code == 403


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/api/v1/webhooks/"), ("post", "/api/v1/webhooks/"), ("get", "/api/v1/webhooks/deliveries/"),
    ("get", "/api/v1/webhooks/{id}/"), ("patch", "/api/v1/webhooks/{id}/"), ("delete", "/api/v1/webhooks/{id}/"),
    ("post", "/api/v1/webhooks/{id}/ping/"),
])
def test_boards_are_forbidden_and_anonymous_unauthorised(world: World, method: str, path: str) -> None:
    endpoint_id = _create(world).json()["id"]
    path = path.format(id=endpoint_id)
    board = getattr(world.client("board"), method)(path, {"url": URL, "events": ["overlap.found"]}, format="json")
    assert board.status_code == 403
    assert set(board.json()) == {"message", "extra"}
    assert getattr(world.client(None), method)(path, format="json").status_code == 401
    assert WebhookEndpoint.objects.filter(pk=endpoint_id, active=True).exists()


@pytest.mark.parametrize(("body", "field"), [
    ({"url": "ftp://example.org/x", "events": ["overlap.found"]}, "url"),
    ({"url": "http://127.0.0.1:8000/hook", "events": ["overlap.found"]}, "url"),
    ({"url": "http://169.254.169.254/latest", "events": ["overlap.found"]}, "url"),
    ({"url": "http://localhost/hook", "events": ["overlap.found"]}, "url"),
    ({"url": "not a url", "events": ["overlap.found"]}, "url"),
    ({"url": 5, "events": ["overlap.found"]}, "url"),
    ({"url": URL, "events": ["initiative.deleted"]}, "events"),
    ({"url": URL, "events": []}, "events"),
    ({"url": URL, "events": "overlap.found"}, "events"),
    ({"url": URL}, "events"),
    ({"url": URL, "events": ["overlap.found"], "secret": "mine"}, "secret"),
    ({"url": "https://" + "a" * 600 + ".org/", "events": ["overlap.found"]}, "url"),
])
def test_invalid_input_is_a_400_naming_the_field(world: World, body: dict, field: str) -> None:
    response = world.client("rom").post("/api/v1/webhooks/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["extra"]["fields"]
    assert not WebhookEndpoint.objects.exists()


def test_private_urls_are_allowed_when_the_setting_says_so(world: World, settings: object) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE = True  # type: ignore[attr-defined]
    assert _create(world, url="http://127.0.0.1:18060/hook").status_code == 201


def test_ping_queues_a_delivery_and_the_log_filters_by_status(world: World) -> None:
    endpoint_id = _create(world).json()["id"]
    client = world.client("rom")
    response = client.post(f"/api/v1/webhooks/{endpoint_id}/ping/")
    assert response.status_code == 202
    ping = response.json()
    assert ping["event_type"] == "ping" and ping["status"] == "pending" and ping["endpoint"] == endpoint_id
    assert ping["payload"]["type"] == "ping" and ping["payload"]["id"] == ping["event_id"]
    WebhookDelivery.objects.create(
        endpoint_id=endpoint_id, event_type="decision.taken", event_id="7d9c0f4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f",
        payload={}, status=WebhookDelivery.Status.FAILED, attempts=6, last_response_code=500,
        last_error="HTTP 500", next_attempt_at=None,
    )
    log = client.get("/api/v1/webhooks/deliveries/").json()["results"]
    assert [d["event_type"] for d in log] == ["decision.taken", "ping"]  # newest first
    failed = client.get("/api/v1/webhooks/deliveries/?status=failed").json()["results"]
    assert [(d["status"], d["attempts"], d["last_response_code"]) for d in failed] == [("failed", 6, 500)]
    assert [d["id"] for d in client.get("/api/v1/webhooks/deliveries/?event_type=ping").json()["results"]] == [ping["id"]]
    assert client.get(f"/api/v1/webhooks/deliveries/?endpoint={endpoint_id}&status=pending").json()["results"][0][
        "id"] == ping["id"]


@pytest.mark.parametrize("query", ["status=done", "event_type=x", "endpoint=abc", "endpoint=0", "endpoint=99999999999"])
def test_bad_log_filters_are_a_400(world: World, query: str) -> None:
    response = world.client("rom").get(f"/api/v1/webhooks/deliveries/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()["extra"]["fields"]


def test_a_rom_can_register_at_most_ten_endpoints(world: World) -> None:
    for n in range(10):
        assert _create(world, url=f"{URL}/{n}").status_code == 201
    response = _create(world, url=f"{URL}/11")
    assert response.status_code == 400 and "10" in response.json()["message"]


def test_create_honours_the_idempotency_key(world: World) -> None:
    client = world.client("rom")
    body = {"url": URL, "events": ["overlap.found"]}
    first = client.post("/api/v1/webhooks/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    again = client.post("/api/v1/webhooks/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and WebhookEndpoint.objects.count() == 1


def test_the_schema_documents_the_webhook_operations(world: World) -> None:
    schema = world.client("rom").get("/api/schema/?format=json").json()
    operations = {
        op["operationId"] for path, item in schema["paths"].items() if path.startswith("/api/v1/webhooks")
        for op in item.values()
    }
    assert operations == {
        "webhooks_list", "webhooks_create", "webhooks_retrieve", "webhooks_partial_update", "webhooks_destroy",
        "webhooks_ping", "webhooks_deliveries_list",
    }
    create = schema["paths"]["/api/v1/webhooks/"]["post"]
    assert create["description"] and "400" in create["responses"]
