"""Abuse controls of user-service: who the client is and request rate limits (the sign-in throttle
is ``sign_in_throttle.py``).

Built on :mod:`dbay_common.ratelimit` (Redis, ``RATELIMIT_REDIS_URL``, keys under
``RATELIMIT_KEY_PREFIX``). Limits are per client IP and per account (the email or username the
request names), with the rates in ``settings.RATE_LIMITS``.

The client IP is the peer address, except when the peer is a trusted proxy (``TRUSTED_PROXY_CIDRS``,
the gateway): then it is the right-most ``X-Forwarded-For`` entry that is not itself a trusted
proxy. Entries left of that were written by the client and are never believed, so a client cannot
pick its own rate-limit bucket by sending the header.
"""

from __future__ import annotations

import functools
import ipaddress
import threading
from typing import Any

import redis
from django.conf import settings
from django.http import HttpRequest

from dbay_common.ratelimit import Limit, Rate, RateLimiter

_clients: dict[str, redis.Redis] = {}
_clients_lock = threading.Lock()

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=8)
def _trusted_networks(cidrs: tuple[str, ...]) -> tuple[IpNetwork, ...]:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def _parse_ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address (see the module docstring for when ``X-Forwarded-For`` counts)."""
    peer = _parse_ip(str(request.META.get("REMOTE_ADDR", "")))
    if peer is None:
        return None
    trusted = _trusted_networks(tuple(settings.TRUSTED_PROXY_CIDRS))

    def is_trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        return any(address in network for network in trusted)

    if not is_trusted(peer):
        return str(peer)
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    for entry in reversed([part for part in forwarded.split(",") if part.strip()]):
        address = _parse_ip(entry)
        if address is None:
            break  # garbage from beyond the gateway: stop believing the header
        if not is_trusted(address):
            return str(address)
    return str(peer)


def _redis_client(url: str) -> redis.Redis:
    with _clients_lock:
        client = _clients.get(url)
        if client is None:
            client = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
            _clients[url] = client
        return client


def rate_limiter() -> RateLimiter:
    """The limiter on ``RATELIMIT_REDIS_URL`` (fails closed: 503 when Redis is down)."""
    return RateLimiter(_redis_client(settings.RATELIMIT_REDIS_URL), prefix=settings.RATELIMIT_KEY_PREFIX)


def redis_client() -> redis.Redis:
    """The client of the rate-limit Redis (``RATELIMIT_REDIS_URL``), shared per process."""
    return _redis_client(settings.RATELIMIT_REDIS_URL)


def limit(name: str, key: Any) -> Limit:
    """The limit ``name`` of ``settings.RATE_LIMITS`` applied to ``key``."""
    return Limit(name, str(key), Rate.parse(settings.RATE_LIMITS[name]))


def enforce(*limits: Limit | None, message: str) -> None:
    """Count this request against ``limits`` (None entries skipped); 429 + Retry-After when over."""
    rate_limiter().enforce(*[item for item in limits if item is not None], message=message)


def account_key(value: str) -> str:
    """The per-account rate-limit key of an email or username as a client typed it."""
    return value.strip().lower()


def notice_once(key: str, *, ttl_s: int) -> bool:
    """True the first time ``key`` is noticed within ``ttl_s`` seconds (Redis ``SET NX``), else False:
    for "at most one mail an hour" rules."""
    client = _redis_client(settings.RATELIMIT_REDIS_URL)
    return bool(client.set(f"{settings.RATELIMIT_KEY_PREFIX}notice:{key}", "1", nx=True, ex=ttl_s))


def notice_forget(key: str) -> None:
    """Forget ``key`` (the mail it guarded could not be sent; the retry must send it)."""
    _redis_client(settings.RATELIMIT_REDIS_URL).delete(f"{settings.RATELIMIT_KEY_PREFIX}notice:{key}")
