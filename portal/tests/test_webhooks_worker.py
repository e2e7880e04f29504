"""End to end: a decision commits, the delivery goes through Redis to a real Celery worker,
which posts it to a real HTTP server on 127.0.0.1 that verifies the signature."""

from __future__ import annotations

import pytest

from initiatives.tests.factories import InitiativeFactory
from portal import webhook_services
from portal.tests import webhook_receiver
from portal.tests.factories import EcosystemFactory, OrganisationFactory, RegionFactory, UserFactory
from portal.tests.support import wait_for
from portal.tests.webhook_receiver import Receiver
from portal.webhooks import WebhookDelivery
from selection import services as selection_services
from selection.tests.factories import SelectionRoundFactory

receiver = webhook_receiver.receiver


@pytest.mark.worker
@pytest.mark.xdist_group("celery")
def test_decision_is_delivered_signed_through_a_real_worker(
    live_worker: object, receiver: Receiver, settings: object,
) -> None:
    from portal.celery import app

    assert not app.conf.task_always_eager  # the task goes through Redis to the worker thread
    settings.WEBHOOK_ALLOW_PRIVATE = True  # type: ignore[attr-defined]  # the receiver is on loopback
    province = RegionFactory(code="TW01", name="Provincie Webhook")
    rom = OrganisationFactory(rom=True, slug="rom-webhook")
    rom.served_provinces.set([province])
    rom_user = UserFactory(role="rom", organisation=rom)
    endpoint = webhook_services.webhook_endpoint_create(actor=rom_user, url=receiver.url, events=["decision.taken"])
    receiver.secret = endpoint.secret
    receiver.statuses = [503, 200]  # the first attempt fails; the sweeper's retry succeeds
    initiative = InitiativeFactory(ecosystem=EcosystemFactory(regions=[province]))

    decision = selection_services.decision_record(
        selection_round=SelectionRoundFactory(), initiative=initiative, actor=UserFactory(staff=True),
        outcome="select_for_national_push", rationale="Nationaal relevant.",
    )

    def attempted() -> bool:
        return WebhookDelivery.objects.filter(attempts=1, last_response_code=503).exists()

    assert wait_for(attempted, timeout=30)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.next_attempt_at is not None
    # Time passes: the retry is due; the beat task (run here, enqueueing to the worker) sends it.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=delivery.created_at)
    from portal.tasks import webhook_deliveries_sweep

    webhook_deliveries_sweep.delay()
    assert wait_for(lambda: WebhookDelivery.objects.get(pk=delivery.pk).status == "succeeded", timeout=30)

    assert [r.signature_ok for r in receiver.requests] == [True, True]
    last = receiver.requests[-1]
    assert last.headers["X-Portal-Event"] == "decision.taken"
    assert last.headers["X-Portal-Delivery"] == str(delivery.pk)
    assert last.json["type"] == "decision.taken"
    assert last.json["data"]["decision"]["id"] == decision.pk
    assert last.json["data"]["initiative"]["id"] == initiative.pk
    # Both attempts carried the same event and body; the receiver can deduplicate on the id.
    assert receiver.requests[0].body == last.body
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_response_code) == (2, 200)
