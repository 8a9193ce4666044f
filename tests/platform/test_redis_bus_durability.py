"""The event bus's Redis keeps what it acknowledged across a crash (docs/local-stack.md, "stores")."""

from __future__ import annotations

import redis

from dbay_common.events import Event
from dbay_common.transports.redis_streams import RedisStreamsConsumer, RedisStreamsPublisher
from tests.platform.conftest import Server, kill

STREAM = "dbay:events"


def _consumer(url: str, group: str) -> RedisStreamsConsumer:
    return RedisStreamsConsumer(
        redis_url=url, group=group, consumer_name=f"{group}-1", stream=STREAM, claim_idle_ms=0, batch_size=50
    )


def test_events_published_before_a_redis_crash_are_consumed_after_it(private_redis: Server) -> None:
    url = f"redis://127.0.0.1:{private_redis.port}/0"
    events = [Event.new(source="dbay.auction", detail_type="bid.placed", data={"n": n}) for n in range(30)]
    # The group exists before the crash and has taken (not acknowledged) the first ten.
    seen_before: list[str] = []

    def fail_after_reading(event: Event) -> None:
        seen_before.append(event.event_id)
        raise RuntimeError("the worker dies before acknowledging")

    publisher = RedisStreamsPublisher(redis_url=url, stream=STREAM)
    publisher.publish(events[:10])
    consumer = _consumer(url, "order-service")
    consumer.consume(fail_after_reading, max_batches=1, block_ms=10)
    publisher.publish(events[10:])
    assert len(seen_before) == 10

    kill(private_redis)  # SIGKILL, right after the last acknowledged write: no clean shutdown
    private_redis.start()

    client = redis.Redis.from_url(url)
    assert client.xlen(STREAM) == 30
    assert client.xpending(STREAM, "order-service")["pending"] == 10  # the group and its pending list
    handled: list[str] = []
    consumer = _consumer(url, "order-service")
    consumer.consume(lambda event: handled.append(event.event_id), max_batches=3, block_ms=10)
    assert sorted(handled) == sorted(event.event_id for event in events)
    assert client.xpending(STREAM, "order-service")["pending"] == 0


def test_the_bus_redis_runs_with_an_append_only_file(private_redis: Server) -> None:
    client = redis.Redis(port=private_redis.port)
    assert client.config_get("appendonly") == {"appendonly": "yes"}
    assert client.config_get("appendfsync") == {"appendfsync": "everysec"}
