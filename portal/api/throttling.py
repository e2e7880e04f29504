"""Per-token rate limiting: a fixed one-minute window counted atomically in the cache (Redis)."""

from __future__ import annotations

import logging
import time
from typing import Any

import redis
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from portal.tokens import ApiToken

WINDOW_SECONDS = 60

logger = logging.getLogger(__name__)


def _count(key: str) -> int:
    """Add one to the window's counter and return it."""
    backend = caches["default"]  # `cache` is a proxy; the backend itself tells us it is Redis
    if isinstance(backend, RedisCache):
        # One pipelined round trip: INCR creates the key at 1; EXPIRE lets the window lapse.
        # (The key names the window, so renewing its expiry on every request is harmless.)
        full_key = backend.make_and_validate_key(key)
        try:
            client = backend._cache.get_client(full_key, write=True)
            pipe = client.pipeline(transaction=False)
            pipe.incr(full_key)
            pipe.expire(full_key, WINDOW_SECONDS * 2)
            count, _expiry_set = pipe.execute()
        except redis.RedisError as error:
            # Fail open like the cache (portal.cache): without Redis the API keeps answering,
            # unthrottled, rather than turning every request into a 500.
            logger.warning("API throttle without Redis (%s): request allowed", type(error).__name__)
            return 0
        return int(count)
    # Other caches (local memory without Redis): add() is a no-op when the key exists.
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=WINDOW_SECONDS * 2)
        return 1


class TokenRateThrottle(BaseThrottle):
    """Counts requests per token (or per user / IP without one) in the current minute.

    INCR is atomic in Redis, so concurrent gunicorn workers cannot both slip under the limit
    (DRF's SimpleRateThrottle reads and rewrites a list and can).
    """

    def __init__(self) -> None:
        self._wait: float | None = None

    def _identity(self, request: Request) -> tuple[str, int]:
        default = settings.API_RATE_LIMIT_PER_MINUTE
        token = request.auth
        if isinstance(token, ApiToken):
            # The prefix is random, so keys never collide with another database's token ids.
            return f"token:{token.pk}:{token.prefix}", token.rate_limit or default
        if request.user and request.user.is_authenticated:
            return f"user:{request.user.pk}", default
        return f"ip:{self.get_ident(request)}", default

    def allow_request(self, request: Request, view: Any) -> bool:
        identity, limit = self._identity(request)
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        count = _count(f"api-throttle:{identity}:{window}")
        if count > limit:
            self._wait = (window + 1) * WINDOW_SECONDS - now
            return False
        return True

    def wait(self) -> float | None:
        return self._wait
