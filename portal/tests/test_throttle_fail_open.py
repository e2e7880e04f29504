"""API throttling fails open when Redis is unreachable (found by the Redis drill: every API call was a 500)."""

from __future__ import annotations

from django.core.cache import caches
from django.test import override_settings

from portal.api.throttling import _count

DEAD_REDIS = {
    "default": {"BACKEND": "portal.cache.FailOpenRedisCache", "LOCATION": "redis://127.0.0.1:1/0",
                "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}},
}


def test_throttle_counter_allows_the_request_without_redis() -> None:
    with override_settings(CACHES=DEAD_REDIS):
        assert type(caches["default"]).__name__ == "FailOpenRedisCache"
        assert _count("api-throttle:test:1") == 0


def test_throttle_counter_counts_with_redis() -> None:
    # The real Redis of the test run: the same key counts up.
    key = "api-throttle:test-live:1"
    caches["default"].delete(key)
    assert (_count(key), _count(key)) == (1, 2)
