"""Core Celery tasks. Thin: they take ids and call a service (STYLE.md P9)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError


@shared_task(
    name="portal.ecosystem_statistics_recompute",
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def ecosystem_statistics_recompute(ecosystem_id: int) -> None:
    from portal.services import ecosystem_statistics_compute

    ecosystem_statistics_compute(ecosystem_id=ecosystem_id)


@shared_task(name="portal.ecosystem_statistics_recompute_all", ignore_result=True)
def ecosystem_statistics_recompute_all() -> int:
    """Dispatcher: one task per ecosystem (there are tens, not thousands)."""
    from portal.models import Ecosystem

    ids = list(Ecosystem.objects.order_by("id").values_list("id", flat=True))
    for ecosystem_id in ids:
        ecosystem_statistics_recompute.delay(ecosystem_id)
    return len(ids)


@shared_task(name="portal.worker_heartbeat", ignore_result=True)
def worker_heartbeat() -> None:
    """Proves to /healthz that a worker is consuming the queue."""
    from portal.health import record_worker_heartbeat

    record_worker_heartbeat()
@shared_task(
    name="portal.open_data_generate_all",
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def open_data_generate_all() -> None:
    """Regenerate the public open-data files (idempotent: each file is overwritten)."""
    from portal.open_data_services import open_data_generate_all as generate

    generate()


@shared_task(
    name="portal.idempotency_records_purge",
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def idempotency_records_purge() -> None:
    """Forget API Idempotency-Keys older than a day (idempotent: deleting twice is harmless)."""
    from portal.api.idempotency import idempotency_records_purge as purge

    purge()


@shared_task(
    name="portal.webhook_delivery_send",
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def webhook_delivery_send(delivery_id: int, expected_attempts: int | None = None) -> None:
    """One attempt; the receiver's failures are recorded and retried by the sweeper, not here."""
    from portal.webhook_services import webhook_delivery_send as send

    send(delivery_id=delivery_id, expected_attempts=expected_attempts)


@shared_task(name="portal.webhook_deliveries_sweep", ignore_result=True)
def webhook_deliveries_sweep() -> int:
    from portal.webhook_services import webhook_deliveries_sweep as sweep

    return sweep()
