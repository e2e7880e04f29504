"""Webhooks: endpoints, the events that fan out to them, and delivery with retries.

Flow: a domain service (overlap detection, a selection decision) calls an ``*_emit`` function
inside its own transaction. That writes one WebhookDelivery per subscribed endpoint (the outbox)
and, on commit, enqueues ``webhook_delivery_send`` per delivery. If Redis is down the rows wait;
the beat task ``webhook_deliveries_sweep`` (every minute) enqueues every pending delivery whose
next_attempt_at has passed. Retries go the same way: a failed attempt sets next_attempt_at by
the backoff schedule in webhook_signing.

At-least-once: a worker that dies mid-request leaves a lease (next_attempt_at a few minutes
ahead) that the sweeper picks up again. Receivers deduplicate on X-Portal-Delivery / event id.
A send task carries the attempt count it expects; a duplicate task for the same attempt (the
on-commit task and the sweeper racing) finds the count moved on and does nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import secrets
import socket
import time
import uuid
from collections.abc import Iterable
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import permissions
from portal.exceptions import ApplicationError
from portal.models import Organisation, Region, User
from portal.services import activity_record
from portal.webhook_signing import UnsafeUrl, backoff_seconds, check_url, sign
from portal.webhooks import PING_EVENT, WebhookDelivery, WebhookEndpoint, WebhookEvent

SECRET_PREFIX = "whsec_"  # noqa: S105  (a prefix, not a secret)
# How long an attempt (or a sweep's hand-over to the queue) holds a delivery before the sweeper
# may take it again: well above the request timeout and a normal queue delay.
LEASE = dt.timedelta(minutes=5)
SWEEP_CHUNK = 500
MAX_ENDPOINTS_PER_ORGANISATION = 10
# Event ids derive from what the event is about, so a re-run emitting it again is a no-op.
_EVENT_NAMESPACE = uuid.UUID("5d0c7a3e-6f7e-4b1e-9f55-3c3f0e7c2a11")

UNSAFE_URL_MSG = _("This URL may not be used: %(reason)s.")
TOO_MANY_MSG = _("An organisation can register at most %(n)d webhook endpoints.")


# --- endpoints ---------------------------------------------------------------------------------


def _validate_url(url: str) -> None:
    try:
        check_url(url, allow_private=settings.WEBHOOK_ALLOW_PRIVATE, resolve=None)
    except UnsafeUrl as exc:
        raise ApplicationError(
            _("Invalid webhook URL."), extra={"fields": {"url": [UNSAFE_URL_MSG % {"reason": exc}]}}
        ) from None


def _validate_events(events: list[str]) -> list[str]:
    unknown = sorted(set(events) - set(WebhookEvent.values))
    if unknown or not events:
        raise ApplicationError(
            _("Invalid events."),
            extra={"fields": {"events": [_("Choose one or more of: %(choices)s.") % {
                "choices": ", ".join(WebhookEvent.values)}]}},
        )
    return sorted(set(events))


def webhook_endpoint_create(
    *, actor: User, url: str, events: list[str], description: str = "", active: bool = True,
) -> WebhookEndpoint:
    """Register a URL for the actor's organisation (a ROM). The secret is in the returned row;
    callers show it once."""
    if not permissions.can_manage_webhooks(actor):
        raise PermissionDenied
    _validate_url(url)
    events = _validate_events(events)
    with transaction.atomic():
        # Lock the organisation so two concurrent creates cannot both pass the limit.
        Organisation.objects.select_for_update().get(pk=actor.organisation_id)
        if WebhookEndpoint.objects.filter(organisation_id=actor.organisation_id).count() >= MAX_ENDPOINTS_PER_ORGANISATION:
            raise ApplicationError(TOO_MANY_MSG % {"n": MAX_ENDPOINTS_PER_ORGANISATION})
        endpoint = WebhookEndpoint(
            organisation_id=actor.organisation_id, url=url, events=events, description=description,
            active=active, secret=SECRET_PREFIX + secrets.token_urlsafe(32), created_by=actor,
        )
        endpoint.full_clean()
        endpoint.save()
        activity_record(actor=actor, verb="webhook.created", target=endpoint.organisation,
                        changes={"webhook": [None, url]})
    return endpoint


def webhook_endpoint_update(*, endpoint: WebhookEndpoint, actor: User, data: dict[str, Any]) -> WebhookEndpoint:
    permissions.access_write(actor, endpoint)
    fields: list[str] = []
    if "url" in data and data["url"] != endpoint.url:
        _validate_url(data["url"])
        endpoint.url = data["url"]
        fields.append("url")
    if "events" in data:
        events = _validate_events(data["events"])
        if events != endpoint.events:
            endpoint.events = events
            fields.append("events")
    if "description" in data and data["description"] != endpoint.description:
        endpoint.description = data["description"]
        fields.append("description")
    if "active" in data and data["active"] != endpoint.active:
        endpoint.active = data["active"]
        endpoint.disabled_reason = "" if endpoint.active else _("disabled by the organisation")
        fields += ["active", "disabled_reason"]
    if fields:
        endpoint.full_clean()
        endpoint.save(update_fields=[*fields, "updated_at"])
    return endpoint


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, actor: User) -> None:
    permissions.access_write(actor, endpoint)
    with transaction.atomic():
        activity_record(actor=actor, verb="webhook.deleted", target=endpoint.organisation,
                        changes={"webhook": [endpoint.url, None]})
        endpoint.delete()


# --- events ------------------------------------------------------------------------------------


def _event_id(*parts: object) -> uuid.UUID:
    return uuid.uuid5(_EVENT_NAMESPACE, "/".join(str(p) for p in parts))


def _api_url(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def _initiative_ref(initiative_id: int) -> dict[str, Any]:
    return {"id": initiative_id, "url": _api_url(f"/api/v1/initiatives/{initiative_id}/")}


def _subscribed_endpoints(event_type: str) -> list[WebhookEndpoint]:
    # A handful of rows; filtered in Python because SQLite (demo mode) has no JSON containment.
    return [e for e in WebhookEndpoint.objects.filter(active=True).order_by("id") if event_type in e.events]


def _writable_by(endpoints: list[WebhookEndpoint], initiative_ids: Iterable[int]) -> dict[int, set[int]]:
    """For each initiative, the ids of the endpoints whose ROM may write it (every region of the
    initiative lies in a province the ROM serves: permissions.rom_writable_initiative_ids)."""
    from initiatives.models import Initiative

    org_ids = {e.organisation_id for e in endpoints}
    served: dict[int, set[int]] = {}
    for org_id, region_id in Organisation.served_provinces.through.objects.filter(
        organisation_id__in=org_ids, organisation__kind=Organisation.Kind.ROM,
    ).values_list("organisation_id", "region_id"):
        served.setdefault(org_id, set()).add(region_id)
    provinces: dict[int, set[int]] = {}
    rows = Initiative.regions.through.objects.filter(initiative_id__in=set(initiative_ids)).values_list(
        "initiative_id", "region_id", "region__kind", "region__parent_id",
    )
    for initiative_id, region_id, kind, parent_id in rows:
        province = parent_id if kind == Region.Kind.COROP and parent_id else region_id
        provinces.setdefault(initiative_id, set()).add(province)
    result: dict[int, set[int]] = {}
    for initiative_id, needed in provinces.items():
        result[initiative_id] = {
            e.pk for e in endpoints if needed and needed <= served.get(e.organisation_id, set())
        }
    return result


def _payload(*, event_type: str, event_id: uuid.UUID, data: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(event_id), "type": event_type, "created": timezone.now().isoformat(), "data": data}


def _deliveries_create(rows: list[WebhookDelivery]) -> None:
    """Insert the outbox rows (a repeated event is skipped) and enqueue them on commit."""
    if not rows:
        return
    now = timezone.now()
    for row in rows:
        row.next_attempt_at = now
    WebhookDelivery.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    keys = [(r.endpoint_id, r.event_id) for r in rows]
    ids = list(
        WebhookDelivery.objects.filter(
            event_id__in={k[1] for k in keys}, status=WebhookDelivery.Status.PENDING, attempts=0,
        ).values_list("id", flat=True)
    )
    transaction.on_commit(functools.partial(_enqueue, ids))


def _enqueue(delivery_ids: list[int]) -> None:
    from portal.tasks import webhook_delivery_send as webhook_delivery_send_task

    for delivery_id in delivery_ids:
        try:
            webhook_delivery_send_task.delay(delivery_id, 0)
        except Exception:  # noqa: BLE001  the broker is down: the sweeper sends it later
            return


def overlap_found_emit(*, pairs: list[tuple[int, int]]) -> int:
    """`overlap.found` for newly created suggestions (a, b): one event per pair, to the endpoints
    of every ROM that may write either initiative. Call inside the transaction that inserted
    them. Returns the deliveries written."""
    from initiatives.models import OverlapSuggestion

    endpoints = _subscribed_endpoints(WebhookEvent.OVERLAP_FOUND)
    if not endpoints or not pairs:
        return 0
    wanted = set(pairs)
    suggestions = [
        s for s in OverlapSuggestion.objects.filter(
            a_id__in={a for a, _b in wanted}, b_id__in={b for _a, b in wanted},
        ).only("id", "a_id", "b_id", "score", "kind")
        if (s.a_id, s.b_id) in wanted
    ]
    writable = _writable_by(endpoints, {i for s in suggestions for i in (s.a_id, s.b_id)})
    rows: list[WebhookDelivery] = []
    for s in suggestions:
        targets = writable.get(s.a_id, set()) | writable.get(s.b_id, set())
        if not targets:
            continue
        event_id = _event_id(WebhookEvent.OVERLAP_FOUND, s.pk)
        payload = _payload(event_type=WebhookEvent.OVERLAP_FOUND, event_id=event_id, data={
            "overlap": {
                "id": s.pk, "score": round(float(s.score), 4), "kind": s.kind,
                "url": _api_url("/api/v1/overlaps/"),
            },
            "initiatives": [_initiative_ref(s.a_id), _initiative_ref(s.b_id)],
        })
        rows += [
            WebhookDelivery(endpoint_id=endpoint_id, event_type=WebhookEvent.OVERLAP_FOUND, event_id=event_id,
                            payload=payload)
            for endpoint_id in sorted(targets)
        ]
    _deliveries_create(rows)
    return len(rows)


def decision_taken_emit(*, decision: Any) -> int:
    """`decision.taken` to the endpoints of the ROMs that may write the decided initiative.
    Call inside the transaction that recorded the decision. No rationale: it may name people."""
    endpoints = _subscribed_endpoints(WebhookEvent.DECISION_TAKEN)
    if not endpoints:
        return 0
    targets = _writable_by(endpoints, [decision.initiative_id]).get(decision.initiative_id, set())
    event_id = _event_id(WebhookEvent.DECISION_TAKEN, decision.pk, decision.decided_at.isoformat())
    payload = _payload(event_type=WebhookEvent.DECISION_TAKEN, event_id=event_id, data={
        "decision": {
            "id": decision.pk, "round": decision.round_id, "outcome": decision.outcome,
            "decided_at": decision.decided_at.isoformat(), "url": _api_url("/api/v1/decisions/"),
        },
        "initiative": _initiative_ref(decision.initiative_id),
    })
    rows = [
        WebhookDelivery(endpoint_id=endpoint_id, event_type=WebhookEvent.DECISION_TAKEN, event_id=event_id,
                        payload=payload)
        for endpoint_id in sorted(targets)
    ]
    _deliveries_create(rows)
    return len(rows)


def webhook_ping(*, endpoint: WebhookEndpoint, actor: User) -> WebhookDelivery:
    """A test event to one endpoint (also an inactive one: testing before switching on)."""
    permissions.access_write(actor, endpoint)
    event_id = uuid.uuid4()
    payload = _payload(event_type=PING_EVENT, event_id=event_id, data={"endpoint": endpoint.pk})
    delivery = WebhookDelivery(endpoint=endpoint, event_type=PING_EVENT, event_id=event_id, payload=payload)
    with transaction.atomic():
        _deliveries_create([delivery])
    return WebhookDelivery.objects.get(endpoint=endpoint, event_id=event_id)


def webhook_delivery_redeliver(*, delivery: WebhookDelivery, actor: User | None) -> None:
    """Send a delivery again from scratch (admin action): back to pending with fresh attempts."""
    with transaction.atomic():
        updated = WebhookDelivery.objects.filter(pk=delivery.pk).exclude(
            status=WebhookDelivery.Status.PENDING,
        ).update(
            status=WebhookDelivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now(),
            updated_at=timezone.now(),
        )
        if updated:
            transaction.on_commit(functools.partial(_enqueue, [delivery.pk]))


# --- delivery ----------------------------------------------------------------------------------


def _claim(delivery_id: int, expected_attempts: int | None) -> WebhookDelivery | None:
    """Take the delivery for one attempt: bump attempts and set a lease, in a short transaction
    (never hold a row lock during the HTTP request)."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("endpoint")
            .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
            .first()
        )
        if delivery is None:
            return None
        if expected_attempts is not None and delivery.attempts != expected_attempts:
            return None  # another task already made this attempt
        if not delivery.endpoint.active and delivery.event_type != PING_EVENT:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.last_error = _("The endpoint is disabled.")
            delivery.next_attempt_at = None
            delivery.save(update_fields=["status", "last_error", "next_attempt_at", "updated_at"])
            return None
        delivery.attempts += 1
        delivery.next_attempt_at = now + LEASE
        delivery.save(update_fields=["attempts", "next_attempt_at", "updated_at"])
    return delivery


def _body(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, cls=DjangoJSONEncoder, separators=(",", ":"), sort_keys=True).encode()


def webhook_request_headers(*, delivery: WebhookDelivery, body: bytes, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": "Regio-innovatieportaal-Webhooks/1",
        "X-Portal-Event": delivery.event_type,
        "X-Portal-Delivery": str(delivery.pk),
        "X-Portal-Timestamp": str(timestamp),
        "X-Portal-Signature": sign(delivery.endpoint.secret, timestamp, body),
    }


def webhook_delivery_send(*, delivery_id: int, expected_attempts: int | None = None) -> str | None:
    """One attempt at a delivery. Returns the resulting status, or None when there was nothing
    to do (not pending, locked by another worker, or a duplicate task). Never raises for the
    receiver's failures: they are recorded and retried by the sweeper."""
    delivery = _claim(delivery_id, expected_attempts)
    if delivery is None:
        return None
    endpoint = delivery.endpoint
    body = _body(delivery)
    code: int | None = None
    permanent = False
    try:
        check_url(endpoint.url, allow_private=settings.WEBHOOK_ALLOW_PRIVATE)
        response = requests.post(
            endpoint.url, data=body,
            headers=webhook_request_headers(delivery=delivery, body=body, timestamp=int(time.time())),
            timeout=(settings.WEBHOOK_CONNECT_TIMEOUT, settings.WEBHOOK_READ_TIMEOUT),
            # A redirect could point anywhere, also inside our network: treat it as a failure.
            allow_redirects=False, stream=True,
        )
        code = response.status_code
        response.close()  # the body is not needed
        error = "" if 200 <= code < 300 else f"HTTP {code}"
    except UnsafeUrl as exc:
        error, permanent = f"refused: {exc}", True
    except (requests.RequestException, socket.gaierror, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    return _record_attempt(delivery=delivery, code=code, error=error, permanent=permanent)


def _record_attempt(*, delivery: WebhookDelivery, code: int | None, error: str, permanent: bool) -> str:
    now = timezone.now()
    delivery.last_response_code = code
    delivery.last_error = error[:500]
    if not error:
        delivery.status, delivery.next_attempt_at, delivery.delivered_at = WebhookDelivery.Status.SUCCEEDED, None, now
    else:
        wait = None if permanent or code == 410 else backoff_seconds(delivery.attempts)
        if wait is None:
            delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, None
        else:
            delivery.next_attempt_at = now + dt.timedelta(seconds=wait)
    with transaction.atomic():
        delivery.save(update_fields=[
            "status", "next_attempt_at", "delivered_at", "last_response_code", "last_error", "updated_at",
        ])
        if code == 410:
            # "Gone": the receiver asks us to stop. Disable the endpoint; its pending deliveries fail
            # when their turn comes.
            WebhookEndpoint.objects.filter(pk=delivery.endpoint_id, active=True).update(
                active=False, disabled_reason=_("The receiver answered 410 Gone."), updated_at=now,
            )
    return delivery.status


def webhook_deliveries_sweep(*, chunk: int = SWEEP_CHUNK, max_chunks: int = 20) -> int:
    """Enqueue pending deliveries whose next attempt is due (beat, every minute).

    Each chunk is claimed with SELECT … FOR UPDATE SKIP LOCKED and leased (next_attempt_at moved
    ahead) before its tasks are enqueued on commit, so concurrent sweeps never pick the same row
    and a lost task is picked up again when the lease runs out. Returns the deliveries enqueued.
    """
    total = 0
    for _i in range(max_chunks):
        now = timezone.now()
        with transaction.atomic():
            due = list(
                WebhookDelivery.objects.select_for_update(skip_locked=True)
                .filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
                .order_by("next_attempt_at", "id")
                .values_list("id", "attempts")[:chunk]
            )
            if not due:
                break
            WebhookDelivery.objects.filter(id__in=[d[0] for d in due]).update(next_attempt_at=now + LEASE)
            transaction.on_commit(functools.partial(_enqueue_attempts, due))
        total += len(due)
        if len(due) < chunk:
            break
    return total


def _enqueue_attempts(due: list[tuple[int, int]]) -> None:
    from portal.tasks import webhook_delivery_send as webhook_delivery_send_task

    for delivery_id, attempts in due:
        try:
            webhook_delivery_send_task.delay(delivery_id, attempts)
        except Exception:  # noqa: BLE001  broker down: the lease runs out and the next sweep retries
            return
