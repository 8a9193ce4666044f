"""The outbox relay process of a Flask service: ``python -m <service>.relay``.

:func:`run_relay` loops over :func:`~dbay_common.mongo.outbox.outbox_relay` until SIGTERM/SIGINT:
it drains (batch after batch while batches come back full), then waits up to ``interval_s`` for a
:class:`RelayKick`, so an event written by a request leaves within milliseconds when the kick
arrives and within ``interval_s`` when it does not (the poll is the safety net, as beat is for the
Django relay). Several relay processes may run: document locks keep their work disjoint.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

import redis
from pymongo.database import Database

from dbay_common.mongo.locks import DEFAULT_LEASE_S, DEFAULT_LOCKS_COLLECTION
from dbay_common.mongo.outbox import outbox_relay
from dbay_common.shutdown import stop_on_signals
from dbay_common.transports.base import EventPublisher, build_publisher_from_env

__all__ = ["RelayKick", "run_relay"]

logger = logging.getLogger(__name__)


class RelayKick:
    """A wake-up call from producers to the relay, on the service's own Redis (a one-item list).

    ``kick`` is best effort: a failure is logged and ignored, because the relay polls anyway. Kicks
    coalesce (the list is trimmed to one item), so a burst of writes wakes the relay once.
    """

    def __init__(self, *, redis_url: str, service: str, client: redis.Redis | None = None) -> None:
        self.key = f"dbay:outbox-kick:{service}"
        self._redis = client if client is not None else redis.Redis.from_url(redis_url, socket_timeout=2)

    def kick(self) -> None:
        try:
            pipe = self._redis.pipeline(transaction=True)
            pipe.lpush(self.key, "1")
            pipe.ltrim(self.key, 0, 0)
            pipe.execute()
        except redis.RedisError:
            logger.warning("could not kick the outbox relay; it will poll", exc_info=True)

    def wait(self, timeout_s: float) -> bool:
        """Block until a kick or ``timeout_s``; True when kicked. Redis errors count as a timeout."""
        try:
            return self._redis.blpop([self.key], timeout=max(timeout_s, 0.01)) is not None
        except redis.RedisError:
            logger.warning("relay kick unavailable; polling", exc_info=True)
            return False


def run_relay(
    *,
    database: Database[Any],
    collections: Sequence[str],
    publisher: EventPublisher | None = None,
    kick: RelayKick | None = None,
    interval_s: float = 1.0,
    batch_size: int = 100,
    lease_s: float = DEFAULT_LEASE_S,
    locks_collection: str = DEFAULT_LOCKS_COLLECTION,
    max_passes: int | None = None,
) -> int:
    """Relay until SIGTERM/SIGINT (or ``max_passes`` waits, for tests); return how many were published.

    A signal lets the batch in hand finish. An exception from the store (FerretDB restarting) is
    logged and retried after ``interval_s``, so the process outlives a store restart.
    """
    if publisher is None:
        publisher = build_publisher_from_env()
    stop = threading.Event()
    total = 0
    passes = 0
    logger.info("relaying the outboxes of %s", ", ".join(collections))
    with stop_on_signals(stop.set):
        while not stop.is_set() and (max_passes is None or passes < max_passes):
            passes += 1
            try:
                while not stop.is_set():
                    published = outbox_relay(
                        database=database,
                        collections=collections,
                        publisher=publisher,
                        batch_size=batch_size,
                        lease_s=lease_s,
                        locks_collection=locks_collection,
                    )
                    total += published
                    if published < batch_size:
                        break
            except Exception:
                logger.exception("outbox relay pass failed; retrying in %.1f s", interval_s)
                stop.wait(interval_s)
                continue
            if kick is None:
                stop.wait(interval_s)
            else:
                kick.wait(interval_s)
    return total
