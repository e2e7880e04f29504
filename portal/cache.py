"""A Redis cache that fails open: with Redis down the portal keeps serving (bench/drills.py).

The cache only holds things we can recompute or do without (throttle counters, cached fragments),
so a Redis outage turns every read into a miss and every write into a no-op, logged once per
request-ish burst at WARNING, instead of a 500 on every page. /healthz still answers 503 naming
redis, so the outage is visible to the load balancer and to monitoring.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)


def _warn(operation: str, exc: BaseException) -> None:
    logger.warning("cache %s failed open: Redis unavailable (%s)", operation, exc)


class FailOpenRedisCache(RedisCache):
    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except _DOWN as exc:
            _warn("get", exc)
            return default

    def get_many(self, keys: Any, version: int | None = None) -> dict:
        try:
            return super().get_many(keys, version)
        except _DOWN as exc:
            _warn("get_many", exc)
            return {}

    def has_key(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().has_key(key, version)
        except _DOWN as exc:
            _warn("has_key", exc)
            return False

    def add(self, key: Any, value: Any, timeout: Any = None, version: int | None = None) -> bool:
        try:
            return super().add(key, value, timeout, version) if timeout is not None else super().add(
                key, value, version=version
            )
        except _DOWN as exc:
            _warn("add", exc)
            return False

    def set(self, key: Any, value: Any, timeout: Any = None, version: int | None = None) -> None:
        try:
            if timeout is None:
                super().set(key, value, version=version)
            else:
                super().set(key, value, timeout, version)
        except _DOWN as exc:
            _warn("set", exc)

    def set_many(self, data: dict, timeout: Any = None, version: int | None = None) -> list:
        try:
            if timeout is None:
                return super().set_many(data, version=version)
            return super().set_many(data, timeout, version)
        except _DOWN as exc:
            _warn("set_many", exc)
            return list(data)

    def touch(self, key: Any, timeout: Any = None, version: int | None = None) -> bool:
        try:
            return super().touch(key, timeout, version) if timeout is not None else super().touch(
                key, version=version
            )
        except _DOWN as exc:
            _warn("touch", exc)
            return False

    def delete(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().delete(key, version)
        except _DOWN as exc:
            _warn("delete", exc)
            return False

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        try:
            super().delete_many(keys, version)
        except _DOWN as exc:
            _warn("delete_many", exc)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        try:
            return super().incr(key, delta, version)
        except _DOWN as exc:
            # Callers treat a missing key as ValueError (Django's contract); a throttle then
            # starts a fresh count, i.e. lets the request through.
            _warn("incr", exc)
            raise ValueError("cache unavailable") from exc
