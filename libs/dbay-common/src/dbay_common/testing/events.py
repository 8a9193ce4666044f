"""pytest fixtures for code that publishes or consumes events over Redis Streams.

Each test gets its own stream and dead-letter stream names (so tests never see each other's events,
even in parallel) on the dev stack's Redis, db ``DBAY_TEST_EVENTS_REDIS_DB`` (default 14, inside the
9-15 range reserved for tests), and both keys are deleted afterwards.

``events_redis_url``   URL of that Redis database.
``events_redis``       a client on it (``decode_responses=True``).
``event_stream``       an :class:`EventStreamNames` with unique ``stream`` / ``dead_letter_stream``.
``event_bus_env``      sets ``EVENT_BUS=redis``, ``EVENT_BUS_REDIS_URL`` and ``EVENT_BUS_STREAM`` so
                       ``build_publisher_from_env`` / ``build_consumer_from_env`` (and the
                       ``relay_outbox`` / ``consume_events`` commands) use the test stream.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import redis

from dbay_common.settings import dev_url, env_int

__all__ = ["EventStreamNames", "event_bus_env", "event_stream", "events_redis", "events_redis_url"]


@dataclass(frozen=True)
class EventStreamNames:
    stream: str
    dead_letter_stream: str


@pytest.fixture(scope="session")
def events_redis_url() -> str:
    return dev_url("redis", name=str(env_int("DBAY_TEST_EVENTS_REDIS_DB", default=14)))


@pytest.fixture
def events_redis(events_redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(events_redis_url, decode_responses=True)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def event_stream(events_redis: redis.Redis) -> Iterator[EventStreamNames]:
    suffix = uuid.uuid4().hex[:12]
    names = EventStreamNames(stream=f"test:events:{suffix}", dead_letter_stream=f"test:events:{suffix}:dead")
    try:
        yield names
    finally:
        events_redis.delete(names.stream, names.dead_letter_stream)


@pytest.fixture
def event_bus_env(
    events_redis_url: str, event_stream: EventStreamNames, monkeypatch: pytest.MonkeyPatch
) -> EventStreamNames:
    monkeypatch.setenv("EVENT_BUS", "redis")
    monkeypatch.setenv("EVENT_BUS_REDIS_URL", events_redis_url)
    monkeypatch.setenv("EVENT_BUS_STREAM", event_stream.stream)
    return event_stream
