"""The read cache keeps its Memcached connection between requests (one connect per thread, not per hit)."""

from __future__ import annotations

from django.core.cache import cache
from django.core.signals import request_finished


def _sockets() -> list[object]:
    clients = cache._cache.clients.values()  # type: ignore[attr-defined]
    return [client.sock for client in clients]


def test_the_connection_outlives_the_end_of_a_request() -> None:
    cache.set("listing-test:persistent", "kept", timeout=30)
    before = _sockets()
    assert all(sock is not None for sock in before)

    request_finished.send(sender=None)  # what Django sends after every response

    assert _sockets() == before
    assert cache.get("listing-test:persistent") == "kept"
    assert _sockets() == before
