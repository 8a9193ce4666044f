"""Choosing and configuring the transport from the environment."""

from __future__ import annotations

import os
import socket

import pytest

from dbay_common.events import Event
from dbay_common.settings import InvalidSetting, MissingSetting
from dbay_common.testing.events import EventStreamNames
from dbay_common.transports import (
    EventConsumer,
    EventPublisher,
    build_consumer_from_env,
    build_publisher_from_env,
)
from dbay_common.transports.redis_streams import RedisStreamsConsumer, RedisStreamsPublisher


def test_redis_is_the_default(event_bus_env: EventStreamNames, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EVENT_BUS")
    monkeypatch.delenv("EVENT_CONSUMER_NAME", raising=False)
    monkeypatch.setenv("EVENT_MAX_ATTEMPTS", "7")
    monkeypatch.setenv("EVENT_CLAIM_IDLE_MS", "1234")

    publisher = build_publisher_from_env()
    consumer = build_consumer_from_env("order-service")

    assert isinstance(publisher, RedisStreamsPublisher)
    assert isinstance(publisher, EventPublisher)
    assert isinstance(consumer, RedisStreamsConsumer)
    assert isinstance(consumer, EventConsumer)
    assert publisher.stream == event_bus_env.stream
    assert consumer.stream == event_bus_env.stream
    assert consumer.dead_letter_stream == event_bus_env.dead_letter_stream
    assert consumer.group == "order-service"
    assert consumer.consumer_name == f"{socket.gethostname()}-{os.getpid()}"
    assert consumer.max_attempts == 7
    assert consumer.claim_idle_ms == 1234

    event = Event.new(source="dbay.test", detail_type="thing.happened", data={})
    publisher.publish([event])
    received: list[Event] = []
    consumer.consume(received.append, max_batches=1, block_ms=20)
    assert received == [event]


def test_dev_default_is_db_0_of_the_dev_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBAY_ENV", "development")
    monkeypatch.delenv("EVENT_BUS", raising=False)
    monkeypatch.delenv("EVENT_BUS_REDIS_URL", raising=False)
    monkeypatch.delenv("EVENT_BUS_STREAM", raising=False)
    monkeypatch.setenv("DBAY_REDIS_PORT", "56379")
    publisher = build_publisher_from_env()
    assert isinstance(publisher, RedisStreamsPublisher)
    assert publisher.stream == "dbay:events"
    kwargs = publisher._redis.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["db"]) == ("127.0.0.1", 56379, 0)


def test_unknown_bus_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVENT_BUS", "kafka")
    with pytest.raises(InvalidSetting, match="EVENT_BUS"):
        build_publisher_from_env()
    with pytest.raises(InvalidSetting, match="EVENT_BUS"):
        build_consumer_from_env("svc")


def test_production_requires_an_explicit_redis_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVENT_BUS", "redis")
    monkeypatch.setenv("DBAY_ENV", "production")
    monkeypatch.delenv("EVENT_BUS_REDIS_URL", raising=False)
    with pytest.raises(MissingSetting, match="EVENT_BUS_REDIS_URL"):
        build_publisher_from_env()


def test_eventbridge_requires_its_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVENT_BUS", "eventbridge")
    monkeypatch.delenv("EVENT_BUS_NAME", raising=False)
    monkeypatch.delenv("EVENT_QUEUE_URL", raising=False)
    with pytest.raises(MissingSetting, match="EVENT_BUS_NAME"):
        build_publisher_from_env()
    with pytest.raises(MissingSetting, match="EVENT_QUEUE_URL"):
        build_consumer_from_env("svc")
