"""/healthz: is the portal able to serve and to run jobs? 200 when all parts work, 503 naming the failing part.

/livez: is the process serving at all? Touches neither database nor Redis (liveness probes, and
the baseline of bench/load.py).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

HEARTBEAT_KEY = "portal:worker-heartbeat"
HEARTBEAT_MAX_AGE_SECONDS = 180  # the worker beats every 60 s (portal/schedules.py)


def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy", reported by class name
        return False, type(exc).__name__
    return True, "ok"


def check_redis() -> tuple[bool, str]:
    if not settings.REDIS_URL:
        return True, "not configured (tasks run in-process)"
    try:
        _redis().ping()
    except Exception as exc:  # noqa: BLE001
        return False, type(exc).__name__
    return True, "ok"


def check_worker() -> tuple[bool, str]:
    if not settings.REDIS_URL:
        return True, "not configured (tasks run in-process)"
    try:
        raw = _redis().get(HEARTBEAT_KEY)
    except Exception as exc:  # noqa: BLE001
        return False, type(exc).__name__
    if raw is None:
        return False, "no heartbeat from a Celery worker"
    age = time.time() - float(raw)
    if age > HEARTBEAT_MAX_AGE_SECONDS:
        return False, f"last worker heartbeat {int(age)} s ago"
    return True, f"heartbeat {int(age)} s ago"


def record_worker_heartbeat() -> None:
    """Called by the worker (a beat task and at worker start)."""
    if settings.REDIS_URL:
        _redis().set(HEARTBEAT_KEY, str(time.time()), ex=HEARTBEAT_MAX_AGE_SECONDS * 10)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": check_database(), "redis": check_redis(), "worker": check_worker()}
    healthy = all(ok for ok, _detail in checks.values())
    body = {
        "status": "ok" if healthy else "unavailable",
        "checks": {name: {"ok": ok, "detail": detail} for name, (ok, detail) in checks.items()},
    }
    return JsonResponse(body, status=200 if healthy else 503)


@never_cache
def livez(request: HttpRequest) -> HttpResponse:
    # Liveness only: a restart cannot fix a database outage, so this checks nothing behind us.
    return HttpResponse("ok", content_type="text/plain")
