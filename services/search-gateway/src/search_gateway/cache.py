"""The query cache: anonymous search answers kept in Memcached for a few seconds.

Popular searches (the home page's categories, a trending word) are asked many times a second by
visitors who all get the same answer; a short TTL keeps them fresh enough while Elasticsearch
answers each one once per TTL. The key is a hash of the normalized request, so the order and
spelling of parameters do not split the cache. Memcached being down only costs the cache: every
error falls through to Elasticsearch.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any

from pymemcache.client.base import PooledClient

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 0.05
TIMEOUT_S = 0.1


@functools.cache
def _client(address: str) -> PooledClient:
    """One pool per process: gunicorn runs the app in several threads (``--threads 4``)."""
    host, _, port = address.rpartition(":")
    return PooledClient(
        (host, int(port)),
        max_pool_size=16,
        connect_timeout=CONNECT_TIMEOUT_S,
        timeout=TIMEOUT_S,
        no_delay=True,
        default_noreply=True,
    )


def cache_key(namespace: str, request: dict[str, Any]) -> str:
    normalized = json.dumps(request, sort_keys=True, separators=(",", ":"), default=str)
    return f"search:{namespace}:{hashlib.sha256(normalized.encode()).hexdigest()}"


def cached(*, address: str, ttl_s: int, key: str, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """``compute()``'s answer, from the cache when present; stored for ``ttl_s`` seconds."""
    if ttl_s <= 0:
        return compute()
    client = _client(address)
    try:
        raw = client.get(key)
    except Exception as error:  # the cache must never fail a search
        logger.info("query cache unavailable: %s", error)
        client.close()
        return compute()
    if raw is not None:
        cached_value: dict[str, Any] = json.loads(raw)
        return cached_value
    value = compute()
    try:
        client.set(key, json.dumps(value, separators=(",", ":")).encode(), expire=ttl_s)
    except Exception as error:  # the cache must never fail a search
        logger.info("query cache unavailable: %s", error)
        client.close()
    return value
