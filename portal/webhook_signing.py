"""Pure pieces of webhook delivery (no Django): signing, the retry schedule and the address guard.

Receivers verify `X-Portal-Signature: sha256=<hex>` where hex = HMAC-SHA256(secret,
f"{X-Portal-Timestamp}.{raw body}"); see docs/api.md.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import random
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

SIGNATURE_PREFIX = "sha256="
MAX_ATTEMPTS = 6
# Delay before retry n (after attempt n failed): 1 min, 4, 16, 64, 256 min: about 5.7 hours in all.
BACKOFF_BASE_SECONDS = 60
BACKOFF_FACTOR = 4
JITTER = 0.2  # ±20 %, so many endpoints failing at once do not retry in lockstep


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return SIGNATURE_PREFIX + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, now: float, tolerance: int = 300) -> bool:
    """What a receiver does: constant-time compare, and refuse stale timestamps (replays)."""
    try:
        ts = int(timestamp)
    except ValueError:
        return False
    if abs(now - ts) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, ts, body), signature)


def backoff_seconds(attempts: int, *, rand: Callable[[], float] = random.random) -> float | None:
    """Seconds to wait after `attempts` failed attempts, or None when there is no retry left."""
    if attempts >= MAX_ATTEMPTS:
        return None
    base = BACKOFF_BASE_SECONDS * BACKOFF_FACTOR ** (attempts - 1)
    return base * (1 + JITTER * (2 * rand() - 1))


class UnsafeUrl(ValueError):
    """The URL may not be called: wrong scheme, or it points into a private network."""


def url_shape_problem(url: str) -> str | None:
    """Checks that need no DNS (used when a URL is registered). None when the URL is fine."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a bad port)
    except ValueError:
        return "not a valid URL"
    if parts.scheme not in ("http", "https"):
        return "only http and https URLs are allowed"
    if not parts.hostname:
        return "the URL has no host"
    if parts.username or parts.password:
        return "credentials in the URL are not allowed"
    return None


def _address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str, *, allow_private: bool, resolve: Callable[..., list] | None = socket.getaddrinfo) -> None:
    """Raise UnsafeUrl unless the URL is http(s) and every address its host resolves to is public.

    Called right before each attempt (DNS can change after registration). A socket.gaierror
    (unknown host, DNS down) passes through: that is a transient failure, not a refusal.
    With resolve=None only the URL itself is checked (IP literals, localhost): no DNS lookup,
    for validating a URL when it is registered.
    """
    problem = url_shape_problem(url)
    if problem:
        raise UnsafeUrl(problem)
    if allow_private:
        return
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        addresses = [ipaddress.ip_address(host).compressed]
    except ValueError:
        if host.lower() == "localhost" or host.lower().endswith(".localhost"):
            raise UnsafeUrl("the host is a private, loopback or link-local address") from None
        if resolve is None:
            return
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = [info[4][0] for info in resolve(host, port, type=socket.SOCK_STREAM)]
    if not addresses or not all(_address_is_public(a.split("%")[0]) for a in addresses):
        raise UnsafeUrl("the host is a private, loopback or link-local address")
