"""Redis Streams transport: one stream for every event, one consumer group per consuming service.

Why Streams rather than pub/sub: a consumer group remembers what each service has read and what it
has not yet acknowledged, so a service that is down or crashes mid-handler catches up instead of
losing events, and several replicas of a service share the work without handling an entry twice
(except when one of them stalls past ``claim_idle_ms``; the inbox absorbs that).

Delivery lifecycle of one stream entry for one group:

1. ``XREADGROUP ... >`` hands a new entry to one consumer (delivery 1).
2. The handler returns -> ``XACK``. The handler raises -> nothing; the entry stays pending.
3. A pending entry idle for more than ``claim_idle_ms`` is taken over with ``XAUTOCLAIM`` by whichever
   consumer polls next (possibly the same one), which counts as another delivery, and retried.
4. When the handler fails on delivery number ``max_attempts`` (or an entry is claimed after more
   deliveries than that, meaning consumers crashed while handling it), the entry is copied to the
   dead-letter stream with the group, the consumer, the error and the attempt count, and acked,
   both in one ``MULTI``: it is never lost and never both dead-lettered and still pending.

Retention: the publisher trims the stream to about ``maxlen_approx`` entries; a group that falls that
far behind loses the oldest entries, so alert on group lag long before. The dead-letter stream is
never trimmed here: operators inspect and replay it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from dbay_common.events.envelope import Event
from dbay_common.transports.base import DEFAULT_STREAM, EventHandler

__all__ = ["DEFAULT_DEAD_LETTER_STREAM", "RedisStreamsConsumer", "RedisStreamsPublisher"]

logger = logging.getLogger(__name__)

DEFAULT_DEAD_LETTER_STREAM = "dbay:events:dead"
_MAX_ERROR_CHARS = 2000

StreamEntry = tuple[str, dict[str, str]]


def _client(redis_url: str, *, socket_timeout_s: float | None) -> redis.Redis:
    """A client with text responses (stream ids, field names and JSON bodies are all text).

    Connecting times out after 5 s so an unreachable Redis surfaces as an error instead of a hang.
    """
    return redis.Redis.from_url(
        redis_url,
        decode_responses=True,
        health_check_interval=30,
        socket_connect_timeout=5,
        socket_timeout=socket_timeout_s,
        socket_keepalive=True,
    )


class RedisStreamsPublisher:
    """Appends events to the stream in one ``MULTI``/``EXEC``, so a batch lands whole or raises.

    Commands time out after 5 s: the outbox relay publishes while holding row locks, and a stalled
    network must not keep that transaction open. A ``client`` passed in must use
    ``decode_responses=True``.
    """

    def __init__(
        self,
        *,
        redis_url: str,
        stream: str = DEFAULT_STREAM,
        maxlen_approx: int = 1_000_000,
        client: redis.Redis | None = None,
    ) -> None:
        self.stream = stream
        self.maxlen_approx = maxlen_approx
        self._redis = client if client is not None else _client(redis_url, socket_timeout_s=5)

    def publish(self, events: Sequence[Event]) -> None:
        if not events:
            return
        pipe = self._redis.pipeline(transaction=True)
        for event in events:
            # event_id and detail-type are duplicated outside the body so XRANGE output is readable.
            fields: dict[str, str] = {
                "event": event.to_json(),
                "event_id": event.event_id,
                "detail_type": event.detail_type,
            }
            pipe.xadd(self.stream, fields, maxlen=self.maxlen_approx, approximate=True)
        pipe.execute()

    def close(self) -> None:
        self._redis.close()


class RedisStreamsConsumer:
    """Reads the stream as ``consumer_name`` inside consumer group ``group`` (one group per service).

    See the module docstring for retries and dead-lettering. ``batch_size`` bounds how many entries
    one poll reads and how many idle entries one poll re-claims. Reads block server-side for
    ``block_ms``, so the socket has no read timeout; a ``client`` passed in must use
    ``decode_responses=True``.
    """

    def __init__(
        self,
        *,
        redis_url: str,
        group: str,
        consumer_name: str,
        stream: str = DEFAULT_STREAM,
        dead_letter_stream: str = DEFAULT_DEAD_LETTER_STREAM,
        max_attempts: int = 5,
        claim_idle_ms: int = 30_000,
        batch_size: int = 10,
        client: redis.Redis | None = None,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        self.stream = stream
        self.group = group
        self.consumer_name = consumer_name
        self.dead_letter_stream = dead_letter_stream
        self.max_attempts = max_attempts
        self.claim_idle_ms = claim_idle_ms
        self.batch_size = batch_size
        self._redis = client if client is not None else _client(redis_url, socket_timeout_s=None)
        self._stop_requested = threading.Event()
        self._claim_cursor = "0-0"

    # -- public API ---------------------------------------------------------------------------------
    def ensure_group(self) -> None:
        """Create the group (and the stream) if missing, starting at the beginning of the stream.

        Id ``0`` rather than ``$``: a service deployed after events were published still sees them,
        and events published between the group's creation and the first read are never skipped.
        """
        try:
            self._redis.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def consume(self, handler: EventHandler, *, max_batches: int | None = None, block_ms: int = 1000) -> None:
        """Poll until :meth:`stop` or ``max_batches`` polls. A poll first retries idle pending entries
        (``XAUTOCLAIM``), then waits up to ``block_ms`` for new ones (``XREADGROUP``).

        Redis outages do not end the loop: it logs, backs off (up to 5 s) and reconnects, so a
        consumer process survives a Redis restart.
        """
        self.ensure_group()
        polls = 0
        failures = 0
        while not self._stop_requested.is_set() and (max_batches is None or polls < max_batches):
            polls += 1
            try:
                self._poll(handler, block_ms=block_ms)
                failures = 0
            except (RedisConnectionError, RedisTimeoutError):
                failures += 1
                delay_s = min(5.0, 0.2 * 2**failures)
                logger.warning("event bus unreachable, retrying in %.1f s", delay_s, exc_info=True)
                self._stop_requested.wait(delay_s)
            except ResponseError as exc:
                if "NOGROUP" not in str(exc):
                    raise
                # The stream or group was deleted under us (a flush, an operator): recreate and go on.
                logger.warning("consumer group %s vanished from %s, recreating", self.group, self.stream)
                self.ensure_group()

    def stop(self) -> None:
        self._stop_requested.set()

    def close(self) -> None:
        self._redis.close()

    # -- one poll -----------------------------------------------------------------------------------
    def _poll(self, handler: EventHandler, *, block_ms: int) -> None:
        for entry_id, fields, deliveries in self._claim_idle():
            if self._stop_requested.is_set():
                return
            self._deliver(handler, entry_id, fields, deliveries)
        if self._stop_requested.is_set():
            return
        response = self._redis.xreadgroup(
            self.group, self.consumer_name, {self.stream: ">"}, count=self.batch_size, block=block_ms
        )
        for entry_id, fields in _entries_of(response):
            # Stop between entries, never in the middle of one: unhandled entries stay pending.
            if self._stop_requested.is_set():
                return
            self._deliver(handler, entry_id, fields, 1)

    def _claim_idle(self) -> list[tuple[str, dict[str, str], int]]:
        """Take over entries other consumers (or this one) left unacknowledged for too long.

        Returns ``(id, fields, delivery_number)``; ``XAUTOCLAIM`` itself counts the new delivery.
        """
        response: Any = self._redis.xautoclaim(
            self.stream,
            self.group,
            self.consumer_name,
            min_idle_time=self.claim_idle_ms,
            start_id=self._claim_cursor,
            count=self.batch_size,
        )
        self._claim_cursor = str(response[0])
        claimed: list[StreamEntry] = [(str(i), f) for i, f in response[1] if i is not None]
        if not claimed:
            return []
        pipe = self._redis.pipeline(transaction=False)
        for entry_id, _fields in claimed:
            pipe.xpending_range(self.stream, self.group, min=entry_id, max=entry_id, count=1)
        pending_rows: list[Any] = pipe.execute()
        result: list[tuple[str, dict[str, str], int]] = []
        for (entry_id, fields), rows in zip(claimed, pending_rows, strict=True):
            if not rows:
                continue  # acknowledged by someone else between the two commands
            deliveries = int(rows[0]["times_delivered"])
            if not fields:
                # Trimmed from the stream while pending (Redis < 7 reports these as empty entries).
                self._redis.xack(self.stream, self.group, entry_id)
                continue
            if deliveries > self.max_attempts:
                # Only reachable when handlers died mid-way (crash, OOM kill): no error was captured.
                self._dead_letter(
                    entry_id,
                    fields,
                    error=f"not acknowledged after {deliveries - 1} deliveries (consumer crashed or stalled)",
                    attempts=deliveries - 1,
                )
                continue
            result.append((entry_id, fields, deliveries))
        return result

    def _deliver(self, handler: EventHandler, entry_id: str, fields: dict[str, str], deliveries: int) -> None:
        try:
            event = Event.from_json(fields["event"])
        except Exception as exc:
            # Malformed entries can never succeed; retrying them only delays everything behind them.
            logger.error("unparseable event %s on %s: %s", entry_id, self.stream, exc)
            self._dead_letter(entry_id, fields, error=f"unparseable event: {exc!r}", attempts=deliveries)
            return
        try:
            handler(event)
        except Exception as exc:
            logger.exception(
                "handler failed for %s %s (delivery %d of %d) in group %s",
                event.detail_type,
                event.event_id,
                deliveries,
                self.max_attempts,
                self.group,
            )
            if deliveries >= self.max_attempts:
                self._dead_letter(entry_id, fields, error=repr(exc), attempts=deliveries)
            return
        self._redis.xack(self.stream, self.group, entry_id)

    def _dead_letter(self, entry_id: str, fields: dict[str, str], *, error: str, attempts: int) -> None:
        record: dict[str, str] = {
            **fields,
            "original_id": entry_id,
            "stream": self.stream,
            "group": self.group,
            "consumer": self.consumer_name,
            "error": error[:_MAX_ERROR_CHARS],
            "attempts": str(attempts),
            "dead_lettered_at": datetime.now(UTC).isoformat(),
        }
        pipe = self._redis.pipeline(transaction=True)
        pipe.xadd(self.dead_letter_stream, record)
        pipe.xack(self.stream, self.group, entry_id)
        pipe.execute()
        logger.error(
            "dead-lettered %s from %s for group %s after %d attempts: %s",
            entry_id,
            self.stream,
            self.group,
            attempts,
            error,
        )


def _entries_of(response: Any) -> list[StreamEntry]:
    """Flatten an ``XREADGROUP`` reply, whichever shape the client returns (RESP2 list or RESP3 dict)."""
    if not response:
        return []
    per_stream = response.values() if isinstance(response, dict) else (entries for _name, entries in response)
    flat: list[StreamEntry] = []
    for entries in per_stream:
        # RESP3 shape wraps the entry list once more.
        if entries and isinstance(entries[0], list) and entries[0] and isinstance(entries[0][0], tuple):
            entries = entries[0]
        flat.extend((str(entry_id), fields) for entry_id, fields in entries if entry_id is not None)
    return flat
