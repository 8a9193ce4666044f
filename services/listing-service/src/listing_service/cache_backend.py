"""The read cache's Django backend: pymemcache, with each thread's connection kept between requests.

Django's memcached backends close their connections at the end of every request
(``request_finished`` calls ``close()``), so a cache hit paid for a TCP connect and close each time:
most of what a cached listing detail cost over the wire. A gunicorn thread keeps its own client
(Django's caches are per thread), so keeping the socket is safe; a connection that died meanwhile
(Memcached restarted) fails one call, which the read cache treats as a miss, and pymemcache connects
again on the next.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.memcached import PyMemcacheCache


class PersistentPyMemcacheCache(PyMemcacheCache):
    """``PyMemcacheCache`` that keeps its connections open across requests."""

    def close(self, **kwargs: Any) -> None:
        """Keep the connection: the next request on this thread reuses it."""
