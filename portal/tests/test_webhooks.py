"""Webhooks: signing, the retry schedule, the SSRF guard, delivery against a real local HTTP
server, 410 handling, the outbox sweeper and the two domain events."""

from __future__ import annotations

import datetime as dt
import socket
import time

import pytest
from django.utils import timezone

from initiatives import overlap_services
from initiatives.tests.factories import InitiativeFactory
from portal import webhook_services as svc
from portal.tests import api_support, webhook_receiver
from portal.tests.api_support import World
from portal.tests.factories import UserFactory
from portal.tests.webhook_receiver import Receiver
from portal.webhook_signing import (
    MAX_ATTEMPTS,
    UnsafeUrl,
    backoff_seconds,
    check_url,
    sign,
    verify,
)
from portal.webhooks import WebhookDelivery, WebhookEndpoint, WebhookEvent
from selection import services as selection_services
from selection.tests.factories import SelectionRoundFactory

world = api_support.world
receiver = webhook_receiver.receiver

# --- signing and schedule (pure) ---------------------------------------------------------------


def test_signature_verifies_and_rejects_tampering_and_stale_timestamps() -> None:
    body, now = b'{"id":"1"}', int(time.time())
    signature = sign("whsec_x", now, body)
    assert signature.startswith("sha256=") and len(signature) == 7 + 64
    assert verify("whsec_x", str(now), body, signature, now=now)
    assert not verify("whsec_x", str(now), body + b" ", signature, now=now)
    assert not verify("whsec_other", str(now), body, signature, now=now)
    assert not verify("whsec_x", str(now), body, signature, now=now + 301)  # replayed later
    assert not verify("whsec_x", "not-a-number", body, signature, now=now)


def test_backoff_schedule_grows_exponentially_with_bounded_jitter_and_stops_after_six() -> None:
    middle = [backoff_seconds(n, rand=lambda: 0.5) for n in range(1, MAX_ATTEMPTS + 1)]
    assert middle == [60, 240, 960, 3840, 15360, None]
    assert MAX_ATTEMPTS == 6
    assert sum(m for m in middle if m) / 3600 == pytest.approx(5.68, abs=0.01)  # "over ~hours"
    assert backoff_seconds(1, rand=lambda: 0.0) == pytest.approx(48)
    assert backoff_seconds(1, rand=lambda: 1.0) == pytest.approx(72)


@pytest.mark.parametrize("url", [
    "ftp://example.org/x", "file:///etc/passwd", "gopher://example.org", "http://", "http://user:pw@example.org/",
    "http://localhost/hook", "http://api.localhost/hook", "http://127.0.0.1:8000/", "http://10.1.2.3/",
    "http://192.168.0.1/", "http://172.16.5.4/", "http://169.254.169.254/latest/meta-data/", "http://[::1]/",
    "http://[::ffff:127.0.0.1]/", "http://0.0.0.0/", "http://100.64.0.1/", "http://[fe80::1]/",
    "http://example.org:99999/",
])
def test_ssrf_guard_refuses_unsafe_urls(url: str) -> None:
    with pytest.raises(UnsafeUrl):
        check_url(url, allow_private=False, resolve=lambda *a, **k: [(0, 0, 0, "", ("93.184.216.34", 80))])


def test_ssrf_guard_resolves_names_and_refuses_any_private_address() -> None:
    def resolves_to(*addresses: str):
        return lambda *a, **k: [(0, 0, 0, "", (addr, 443)) for addr in addresses]

    check_url("https://hooks.example.org/x", allow_private=False, resolve=resolves_to("93.184.216.34"))
    with pytest.raises(UnsafeUrl):
        # One public and one internal address (DNS rebinding style): refused.
        check_url("https://hooks.example.org/x", allow_private=False, resolve=resolves_to("93.184.216.34", "10.0.0.5"))
    # WEBHOOK_ALLOW_PRIVATE (tests, development) lets loopback through, never another scheme.
    check_url("http://127.0.0.1:18060/", allow_private=True)
    with pytest.raises(UnsafeUrl):
        check_url("ftp://127.0.0.1/", allow_private=True)


# --- delivery against a real local server --------------------------------------------------------


def _endpoint(world: World, url: str, events: list[str] | None = None) -> WebhookEndpoint:
    return svc.webhook_endpoint_create(
        actor=world.user("rom"), url=url, events=events or list(WebhookEvent.values),
    )


def _delivery(endpoint: WebhookEndpoint) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        endpoint=endpoint, event_type="ping", event_id="3f1d8a9e-2b5c-4e1f-9a7d-0c6b5e4d3a21",
        payload={"id": "3f1d8a9e-2b5c-4e1f-9a7d-0c6b5e4d3a21", "type": "ping", "data": {}},
        next_attempt_at=timezone.now(),
    )


@pytest.fixture
def allow_private(settings: object) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE = True  # type: ignore[attr-defined]


def test_delivery_is_signed_and_a_2xx_marks_it_succeeded(world: World, receiver: Receiver, allow_private: None) -> None:
    endpoint = _endpoint(world, receiver.url)
    receiver.secret = endpoint.secret
    delivery = _delivery(endpoint)
    assert svc.webhook_delivery_send(delivery_id=delivery.pk) == WebhookDelivery.Status.SUCCEEDED
    [got] = receiver.requests
    assert got.signature_ok
    assert got.headers["X-Portal-Event"] == "ping"
    assert got.headers["X-Portal-Delivery"] == str(delivery.pk)
    assert got.json["id"] == "3f1d8a9e-2b5c-4e1f-9a7d-0c6b5e4d3a21"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_response_code) == ("succeeded", 1, 200)
    assert delivery.delivered_at is not None and delivery.next_attempt_at is None
    # A finished delivery is not sent again by a late duplicate task.
    assert svc.webhook_delivery_send(delivery_id=delivery.pk) is None
    assert len(receiver.requests) == 1


def test_a_wrong_secret_is_caught_by_the_receiver(world: World, receiver: Receiver, allow_private: None) -> None:
    endpoint = _endpoint(world, receiver.url)
    receiver.secret = "whsec_not-the-right-one"
    delivery = _delivery(endpoint)
    svc.webhook_delivery_send(delivery_id=delivery.pk)
    assert receiver.requests[0].signature_ok is False
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_response_code) == ("pending", 401)


def test_failures_retry_by_the_backoff_schedule_until_the_sixth_attempt_fails(
    world: World, receiver: Receiver, allow_private: None, django_capture_on_commit_callbacks: object,
) -> None:
    endpoint = _endpoint(world, receiver.url)
    receiver.secret, receiver.statuses = endpoint.secret, [500]
    delivery = _delivery(endpoint)
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        before = timezone.now()
        # The sweeper finds the due delivery and (eager Celery) sends it.
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            assert svc.webhook_deliveries_sweep() == 1
        delivery.refresh_from_db()
        assert delivery.attempts == attempt and delivery.last_response_code == 500
        if attempt < MAX_ATTEMPTS:
            assert delivery.status == "pending"
            waits.append((delivery.next_attempt_at - before).total_seconds())
            # Not due yet: the sweeper leaves it alone.
            assert svc.webhook_deliveries_sweep() == 0
            WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert delivery.status == "failed" and delivery.next_attempt_at is None
    assert len(receiver.requests) == MAX_ATTEMPTS
    for wait, base in zip(waits, [60, 240, 960, 3840, 15360], strict=True):
        assert base * 0.8 - 1 <= wait <= base * 1.2 + 1


def test_410_gone_disables_the_endpoint_and_fails_its_pending_deliveries(
    world: World, receiver: Receiver, allow_private: None,
) -> None:
    endpoint = _endpoint(world, receiver.url)
    receiver.secret, receiver.statuses = endpoint.secret, [410]
    first = _delivery(endpoint)
    second = WebhookDelivery.objects.create(
        endpoint=endpoint, event_type=WebhookEvent.DECISION_TAKEN, event_id="9b1c1f52-6a5e-4f8e-8d0b-1a2b3c4d5e6f",
        payload={}, next_attempt_at=timezone.now(),
    )
    assert svc.webhook_delivery_send(delivery_id=first.pk) == "failed"
    endpoint.refresh_from_db()
    assert endpoint.active is False and "410" in endpoint.disabled_reason
    assert svc.webhook_delivery_send(delivery_id=second.pk) is None
    second.refresh_from_db()
    assert second.status == "failed" and second.attempts == 0
    assert len(receiver.requests) == 1


def test_ssrf_guard_refuses_at_delivery_time_without_a_request(world: World, receiver: Receiver) -> None:
    # Registered while private hosts were allowed (or DNS changed since): refused when sending.
    endpoint = WebhookEndpoint.objects.create(
        organisation=world.rom_org, url=receiver.url, secret="whsec_x", events=["decision.taken"],
    )
    delivery = _delivery(endpoint)
    assert svc.webhook_delivery_send(delivery_id=delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert delivery.last_error.startswith("refused:") and delivery.last_response_code is None
    assert receiver.requests == []


def test_registration_refuses_private_urls(world: World) -> None:
    from portal.exceptions import ApplicationError

    with pytest.raises(ApplicationError) as exc:
        _endpoint(world, "http://127.0.0.1:18060/hook")
    assert "url" in exc.value.extra["fields"]


def test_an_unreachable_host_is_a_transient_failure(world: World, allow_private: None) -> None:
    endpoint = _endpoint(world, "http://127.0.0.1:18069/nobody-listens")
    delivery = _delivery(endpoint)
    with socket.socket() as probe:  # the port is free: nothing answers there
        probe.bind(("127.0.0.1", 18069))
    assert svc.webhook_delivery_send(delivery_id=delivery.pk) == "pending"
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and "ConnectionError" in delivery.last_error


def test_duplicate_tasks_for_the_same_attempt_send_once(world: World, receiver: Receiver, allow_private: None) -> None:
    endpoint = _endpoint(world, receiver.url)
    receiver.secret, receiver.statuses = endpoint.secret, [503]
    delivery = _delivery(endpoint)
    assert svc.webhook_delivery_send(delivery_id=delivery.pk, expected_attempts=0) == "pending"
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert svc.webhook_delivery_send(delivery_id=delivery.pk, expected_attempts=0) is None
    assert len(receiver.requests) == 1


def test_sweeper_works_in_chunks_and_leases_what_it_enqueued(world: World) -> None:
    endpoint = WebhookEndpoint.objects.create(
        organisation=world.rom_org, url="https://hooks.example.org/x", secret="whsec_x", events=["decision.taken"],
    )
    past = timezone.now() - dt.timedelta(minutes=1)
    for n in range(5):
        WebhookDelivery.objects.create(
            endpoint=endpoint, event_type="ping", event_id=f"00000000-0000-4000-8000-00000000000{n}", payload={},
            next_attempt_at=past,
        )
    WebhookDelivery.objects.create(
        endpoint=endpoint, event_type="ping", event_id="00000000-0000-4000-8000-000000000009", payload={},
        next_attempt_at=timezone.now() + dt.timedelta(hours=1),
    )
    # No on-commit execution here: the test transaction never commits, so nothing is sent.
    assert svc.webhook_deliveries_sweep(chunk=2) == 5
    assert svc.webhook_deliveries_sweep(chunk=2) == 0  # leased: not handed out twice
    soon = timezone.now()
    leased = WebhookDelivery.objects.filter(
        next_attempt_at__range=(soon + dt.timedelta(minutes=4), soon + dt.timedelta(minutes=6)),
    )
    assert leased.count() == 5


# --- events --------------------------------------------------------------------------------------


def test_decision_taken_goes_to_the_rom_that_may_write_the_initiative_only(world: World) -> None:
    mine = _endpoint(world, "https://hooks.example.org/rom-een")
    other = WebhookEndpoint.objects.create(
        organisation=world.other_rom_org, url="https://hooks.example.org/rom-twee", secret="whsec_y",
        events=["decision.taken"],
    )
    only_overlaps = WebhookEndpoint.objects.create(
        organisation=world.rom_org, url="https://hooks.example.org/overlaps", secret="whsec_z",
        events=["overlap.found"],
    )
    initiative = InitiativeFactory(ecosystem=world.ecosystem)  # in p1, served by rom_org
    staff = UserFactory(staff=True)
    round_ = SelectionRoundFactory()
    decision = selection_services.decision_record(
        selection_round=round_, initiative=initiative, actor=staff, outcome="stop", rationale="Te smal, zegt Jan.",
    )
    [delivery] = WebhookDelivery.objects.all()
    assert delivery.endpoint_id == mine.pk and delivery.status == "pending"
    assert delivery.event_type == "decision.taken"
    data = delivery.payload["data"]
    assert data["decision"]["id"] == decision.pk and data["decision"]["outcome"] == "stop"
    assert data["initiative"] == {"id": initiative.pk, "url": f"http://127.0.0.1:8000/api/v1/initiatives/{initiative.pk}/"}
    assert "Jan" not in str(delivery.payload)  # the rationale (and who decided) stays out
    assert delivery.payload["id"] == str(delivery.event_id) and delivery.payload["type"] == "decision.taken"
    assert not WebhookDelivery.objects.filter(endpoint__in=[other, only_overlaps]).exists()
    # Recording the same decision again is no new event; changing it is.
    selection_services.decision_record(
        selection_round=round_, initiative=initiative, actor=staff, outcome="stop", rationale="Te smal, zegt Jan.",
    )
    assert WebhookDelivery.objects.count() == 1
    selection_services.decision_record(
        selection_round=round_, initiative=initiative, actor=staff, outcome="park", rationale="Later.",
    )
    assert WebhookDelivery.objects.count() == 2


def test_overlap_found_only_for_new_pairs(world: World) -> None:
    endpoint = _endpoint(world, "https://hooks.example.org/rom-een", events=["overlap.found"])
    text = "Fieldlab groene waterstof in de haven met elektrolyser, opslag en tankstation voor zwaar transport."
    mine = InitiativeFactory(ecosystem=world.ecosystem, title="Waterstofhaven fieldlab", description=text)
    theirs = InitiativeFactory(ecosystem=world.other_ecosystem, title="Fieldlab waterstofhaven", description=text)
    overlap_services._INCREMENTAL_INDEX.clear()
    assert overlap_services.overlap_check_initiative(initiative_id=theirs.pk) >= 1
    [delivery] = WebhookDelivery.objects.filter(endpoint=endpoint)
    data = delivery.payload["data"]
    assert delivery.event_type == "overlap.found"
    assert {i["id"] for i in data["initiatives"]} == {mine.pk, theirs.pk}
    # The same pair found again (a re-run or another check) sends nothing new.
    overlap_services.overlap_check_initiative(initiative_id=mine.pk)
    overlap_services.overlap_check_initiative(initiative_id=theirs.pk)
    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 1
    # The other ROM (p2) may write `theirs`, but has no endpoint: nothing for it either.
    assert WebhookDelivery.objects.count() == 1


def test_the_outbox_keeps_the_event_when_the_broker_is_down(
    world: World, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: object,
) -> None:
    from kombu.exceptions import OperationalError

    from portal import tasks

    def broker_down(*args: object, **kwargs: object) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.webhook_delivery_send, "delay", broker_down)
    _endpoint(world, "https://hooks.example.org/rom-een")
    initiative = InitiativeFactory(ecosystem=world.ecosystem)
    # The decision commits although enqueueing fails (the error is not raised to the caller)...
    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # type: ignore[operator]
        selection_services.decision_record(
            selection_round=SelectionRoundFactory(), initiative=initiative, actor=UserFactory(staff=True),
            outcome="park", rationale="Later.",
        )
    assert len(callbacks) == 1
    [delivery] = WebhookDelivery.objects.all()
    assert delivery.status == "pending" and delivery.attempts == 0
    # ...and the delivery waits in the outbox, due, for the sweeper.
    assert delivery.next_attempt_at <= timezone.now()
    monkeypatch.undo()
    assert svc.webhook_deliveries_sweep() == 1
