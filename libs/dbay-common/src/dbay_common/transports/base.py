"""One interface over the event buses, chosen by configuration.

``EVENT_BUS=redis`` (the default: local, docker-compose, Kubernetes without AWS) uses Redis Streams
with a consumer group per service; ``EVENT_BUS=eventbridge`` publishes with ``PutEvents`` and each
service reads its own SQS queue that a rule targets. Services only ever see :class:`EventPublisher`
and :class:`EventConsumer`, so handlers and the outbox relay run unchanged on either bus.

Delivery is at least once on both buses: a publisher may deliver an event it then reports as failed
(the relay retries it), and a consumer may run a handler again after a crash. Consumers therefore
record what they handled (``dbay_common.django.outbox.inbox_handle``).

Environment (read only by the ``build_*_from_env`` factories):

- ``EVENT_BUS``: ``redis`` (default) or ``eventbridge``.
- ``EVENT_BUS_REDIS_URL``: Redis URL of the bus (db 0). Defaults to the dev stack's Redis outside
  production (``dbay_common.settings.dev_url("redis", name="0")``); required in production.
- ``EVENT_BUS_STREAM``: stream name, default ``dbay:events``.
- ``EVENT_BUS_DEAD_LETTER_STREAM``: default ``<stream>:dead`` (so ``dbay:events:dead``).
- ``EVENT_CONSUMER_NAME``: this process's name inside its group, default ``<hostname>-<pid>``.
- ``EVENT_MAX_ATTEMPTS``: deliveries before an event is dead-lettered, default 5.
- ``EVENT_CLAIM_IDLE_MS``: how long a delivery may stay unacknowledged before another consumer
  takes it over, default 30000.
- ``EVENT_BUS_NAME``: EventBridge bus to publish to (eventbridge; required).
- ``EVENT_QUEUE_URL``: this service's SQS queue URL (eventbridge; required for consumers).
- ``AWS_ENDPOINT_URL``: honoured by boto3 itself; points the clients at moto in tests.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

from dbay_common.events.envelope import Event
from dbay_common.settings import InvalidSetting, dev_url, env_int, env_str

__all__ = [
    "DEFAULT_STREAM",
    "EventConsumer",
    "EventHandler",
    "EventPublishError",
    "EventPublisher",
    "build_consumer_from_env",
    "build_publisher_from_env",
    "default_consumer_name",
]

DEFAULT_STREAM = "dbay:events"

EventHandler = Callable[[Event], None]


class EventPublishError(RuntimeError):
    """Raised by publishers when some events of a batch could not be published."""


@runtime_checkable
class EventPublisher(Protocol):
    """Publishes events to the bus.

    ``publish`` returns only when every event was accepted by the bus and raises otherwise. Raising
    does not mean nothing was delivered: part of the batch may have been, so the caller (the outbox
    relay) retries the whole batch and consumers deduplicate by ``event_id``. That is the whole
    contract: all accepted, or an exception.
    """

    def publish(self, events: Sequence[Event]) -> None: ...


@runtime_checkable
class EventConsumer(Protocol):
    """Delivers events to a handler, acknowledging each one only after the handler returned.

    A handler that raises leaves the event to be delivered again later (after a visibility timeout or
    claim delay); after too many attempts the bus dead-letters it. ``consume`` runs until ``stop()``
    is called or ``max_batches`` polls have been made; each poll waits up to ``block_ms`` for events.
    """

    def consume(
        self,
        handler: EventHandler,
        *,
        max_batches: int | None = None,
        block_ms: int = 1000,
    ) -> None: ...

    def stop(self) -> None:
        """Ask a running ``consume`` to return after the batch in hand (safe from a signal handler)."""
        ...


def _event_bus_kind() -> str:
    kind = env_str("EVENT_BUS", default="redis").lower()
    if kind not in {"redis", "eventbridge"}:
        raise InvalidSetting(f"EVENT_BUS must be 'redis' or 'eventbridge', not {kind!r}")
    return kind


def _redis_url() -> str:
    # Redis db 0 carries the event bus on the dev stack (docs/architecture.md).
    return env_str("EVENT_BUS_REDIS_URL", dev_default=dev_url("redis", name="0"))


def _stream() -> str:
    return env_str("EVENT_BUS_STREAM", default=DEFAULT_STREAM)


def default_consumer_name() -> str:
    """Unique per process and stable for its lifetime: a restarted process is a new consumer and
    the old one's unacknowledged entries are taken over by whoever claims them."""
    return env_str("EVENT_CONSUMER_NAME", default=f"{socket.gethostname()}-{os.getpid()}")


def build_publisher_from_env() -> EventPublisher:
    """The publisher for ``EVENT_BUS`` (see the module docstring for the variables read)."""
    if _event_bus_kind() == "eventbridge":
        from dbay_common.transports.eventbridge import EventBridgePublisher

        return EventBridgePublisher(bus_name=env_str("EVENT_BUS_NAME"))
    from dbay_common.transports.redis_streams import RedisStreamsPublisher

    return RedisStreamsPublisher(redis_url=_redis_url(), stream=_stream())


def build_consumer_from_env(group: str) -> EventConsumer:
    """The consumer for ``EVENT_BUS``; ``group`` is the consuming service (ignored on SQS, where the
    queue itself belongs to one service)."""
    max_attempts = env_int("EVENT_MAX_ATTEMPTS", default=5)
    if _event_bus_kind() == "eventbridge":
        from dbay_common.transports.eventbridge import SqsEventConsumer

        return SqsEventConsumer(queue_url=env_str("EVENT_QUEUE_URL"), max_attempts=max_attempts)
    from dbay_common.transports.redis_streams import RedisStreamsConsumer

    return RedisStreamsConsumer(
        redis_url=_redis_url(),
        group=group,
        consumer_name=default_consumer_name(),
        stream=_stream(),
        dead_letter_stream=env_str("EVENT_BUS_DEAD_LETTER_STREAM", default=f"{_stream()}:dead"),
        max_attempts=max_attempts,
        claim_idle_ms=env_int("EVENT_CLAIM_IDLE_MS", default=30_000),
    )
