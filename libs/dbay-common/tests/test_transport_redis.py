"""Redis Streams transport against the real Redis of the dev stack."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
import redis

from dbay_common.events import Event
from dbay_common.testing.events import EventStreamNames
from dbay_common.transports.redis_streams import RedisStreamsConsumer, RedisStreamsPublisher


def make_event(n: int, detail_type: str = "thing.happened") -> Event:
    return Event.new(source="dbay.test", detail_type=detail_type, data={"n": n})


@pytest.fixture
def publisher(events_redis_url: str, event_stream: EventStreamNames) -> RedisStreamsPublisher:
    return RedisStreamsPublisher(redis_url=events_redis_url, stream=event_stream.stream)


@pytest.fixture
def make_consumer(
    events_redis_url: str, event_stream: EventStreamNames
) -> Callable[..., RedisStreamsConsumer]:
    def build(group: str = "svc", consumer_name: str = "c1", **options: int) -> RedisStreamsConsumer:
        return RedisStreamsConsumer(
            redis_url=events_redis_url,
            group=group,
            consumer_name=consumer_name,
            stream=event_stream.stream,
            dead_letter_stream=event_stream.dead_letter_stream,
            **options,
        )

    return build


def pending_count(client: redis.Redis, stream: str, group: str) -> int:
    return int(client.xpending(stream, group)["pending"])


def test_publish_appends_each_event_with_its_body(
    publisher: RedisStreamsPublisher, events_redis: redis.Redis, event_stream: EventStreamNames
) -> None:
    events = [make_event(1), make_event(2)]
    publisher.publish(events)
    publisher.publish([])

    entries = events_redis.xrange(event_stream.stream)
    assert len(entries) == 2
    for (_entry_id, fields), event in zip(entries, events, strict=True):
        expected = {"event": event.to_json(), "event_id": event.event_id, "detail_type": "thing.happened"}
        assert fields == expected
        assert Event.from_json(fields["event"]) == event


def test_publish_consume_ack(
    publisher: RedisStreamsPublisher,
    make_consumer: Callable[..., RedisStreamsConsumer],
    events_redis: redis.Redis,
    event_stream: EventStreamNames,
) -> None:
    events = [make_event(n) for n in range(3)]
    publisher.publish(events)
    consumer = make_consumer()
    handled: list[Event] = []

    consumer.consume(handled.append, max_batches=1, block_ms=50)

    assert handled == events
    assert pending_count(events_redis, event_stream.stream, "svc") == 0
    # Acknowledged entries are not delivered again.
    consumer.consume(handled.append, max_batches=2, block_ms=20)
    assert handled == events
    assert events_redis.exists(event_stream.dead_letter_stream) == 0


def test_group_starts_at_the_beginning_of_the_stream(
    publisher: RedisStreamsPublisher,
    make_consumer: Callable[..., RedisStreamsConsumer],
    events_redis: redis.Redis,
    event_stream: EventStreamNames,
) -> None:
    early = make_event(1)
    publisher.publish([early])  # before the group exists
    consumer = make_consumer(group="late-service")
    handled: list[Event] = []
    consumer.consume(handled.append, max_batches=1, block_ms=20)
    assert handled == [early]
    # Creating the group again (another replica starting) is harmless.
    consumer.ensure_group()
    assert [g["name"] for g in events_redis.xinfo_groups(event_stream.stream)] == ["late-service"]


def test_failed_handler_leaves_entry_pending_until_claim_idle(
    publisher: RedisStreamsPublisher,
    make_consumer: Callable[..., RedisStreamsConsumer],
    events_redis: redis.Redis,
    event_stream: EventStreamNames,
) -> None:
    event = make_event(1)
    publisher.publish([event])
    consumer = make_consumer(claim_idle_ms=60_000, max_attempts=3)
    calls: list[str] = []

    def failing(received: Event) -> None:
        calls.append(received.event_id)
        raise RuntimeError("boom")

    consumer.consume(failing, max_batches=3, block_ms=20)

    assert calls == [event.event_id]  # not retried before claim_idle_ms
    assert pending_count(events_redis, event_stream.stream, "svc") == 1
    assert events_redis.exists(event_stream.dead_letter_stream) == 0


def test_failed_handler_is_retried_after_claim_idle_and_then_acked(
    publisher: RedisStreamsPublisher,
    make_consumer: Callable[..., RedisStreamsConsumer],
    events_redis: redis.Redis,
    event_stream: EventStreamNames,
) -> None:
    event = make_event(1)
    publisher.publish([event])
    consumer = make_consumer(claim_idle_ms=100, max_attempts=3)
    calls: list[float] = []

    def fails_once(_received: Event) -> None:
        calls.append(time.monotonic())
        if len(calls) == 1:
            raise RuntimeError("transient")

    consumer.consume(fails_once, max_batches=1, block_ms=20)
    assert len(calls) == 1
    time.sleep(0.15)
    consumer.consume(fails_once, max_batches=1, block_ms=20)

    assert len(calls) == 2
    assert calls[1] - calls[0] >= 0.1
    assert pending_count(events_redis, event_stream.stream, "svc") == 0
    assert events_redis.exists(event_stream.dead_letter_stream) == 0


def test_dead_letter_after_max_attempts(
    publisher: RedisStreamsPublisher,
    make_consumer: Callable[..., RedisStreamsConsumer],
    events_redis: redis.Redis,
    event_stream: EventStreamNames,
) -> None:
    poison, fine = make_event(1, "thing.happened"), make_event(2, "other.happened")
    publisher.publish([poison, fine])
    entry_ids = [entry_id for entry_id, _ in events_redis.xrange(event_stream.stream)]
    consumer = make_consumer(claim_idle_ms=50, max_attempts=3)
    calls: list[str] = []

    def handler(received: Event) -> None:
        calls.append(received.detail_type)
        if received.detail_type == "thing.happened":
            raise ValueError("cannot handle this one")

    deadline = time.monotonic() + 10
    while not events_redis.exists(event_stream.dead_letter_stream) and time.monotonic() < deadline:
        consumer.consume(handler, max_batches=1, block_ms=60)
    # Keep polling past several claim delays: nothing more may happen.
    consumer.consume(handler, max_batches=4, block_ms=60)

    assert calls.count("thing.happened") == 3
    assert calls.count("other.happened") == 1
    assert pending_count(events_redis, event_stream.stream, "svc") == 0
    dead = events_redis.xrange(event_stream.dead_letter_stream)
    assert len(dead) == 1
    fields = dead[0][1]
    assert Event.from_json(fields.pop("event")) == poison
    assert fields.pop("dead_lettered_at")
    assert fields == {
        "event_id": poison.event_id,
        "detail_type": "thing.happened",
        "original_id": entry_ids[0],
        "stream": event_stream.stream,
        "group": "svc",
        "consumer": "c1",
        "error": "ValueError('cannot handle this one')",
        "attempts": "3",
    }


def test_entries_of_a_crashed_consumer_are_dead_lettered_once_over_the_limit(
    publisher: RedisStreamsPublisher,
    make_consumer: Callable[..., RedisStreamsConsumer],
    events_redis: redis.Redis,
    event_stream: EventStreamNames,
) -> None:
    event = make_event(1)
    publisher.publish([event])
    consumer = make_consumer(claim_idle_ms=50, max_attempts=2)
    consumer.ensure_group()
    # A consumer that dies mid-handler twice: two deliveries, never acknowledged, no error recorded.
    (_, [(entry_id, _fields)]), *_ = events_redis.xreadgroup("svc", "ghost", {event_stream.stream: ">"})
    events_redis.xclaim(event_stream.stream, "svc", "ghost", 0, [entry_id])
    time.sleep(0.06)
    calls: list[Event] = []

    consumer.consume(calls.append, max_batches=1, block_ms=20)

    assert calls == []
    assert pending_count(events_redis, event_stream.stream, "svc") == 0
    [(_dead_id, fields)] = events_redis.xrange(event_stream.dead_letter_stream)
    assert fields["attempts"] == "2"
    assert fields["consumer"] == "c1"
    assert "crashed or stalled" in fields["error"]


def test_unparseable_entry_is_dead_lettered_without_retries(
    make_consumer: Callable[..., RedisStreamsConsumer],
    events_redis: redis.Redis,
    event_stream: EventStreamNames,
) -> None:
    events_redis.xadd(event_stream.stream, {"event": '{"source": "nope"}'})
    consumer = make_consumer(max_attempts=5)
    calls: list[Event] = []

    consumer.consume(calls.append, max_batches=1, block_ms=20)

    assert calls == []
    assert pending_count(events_redis, event_stream.stream, "svc") == 0
    [(_dead_id, fields)] = events_redis.xrange(event_stream.dead_letter_stream)
    assert fields["attempts"] == "1"
    assert fields["error"].startswith("unparseable event")


def test_every_group_receives_every_event(
    publisher: RedisStreamsPublisher,
    make_consumer: Callable[..., RedisStreamsConsumer],
    events_redis: redis.Redis,
    event_stream: EventStreamNames,
) -> None:
    events = [make_event(n) for n in range(15)]
    orders, wallet = make_consumer(group="order-service"), make_consumer(group="wallet-service")
    orders.ensure_group()
    wallet.ensure_group()
    publisher.publish(events)
    seen: dict[str, list[Event]] = {"order-service": [], "wallet-service": []}

    orders.consume(seen["order-service"].append, max_batches=3, block_ms=20)
    wallet.consume(seen["wallet-service"].append, max_batches=3, block_ms=20)

    assert seen["order-service"] == events
    assert seen["wallet-service"] == events
    for group in seen:
        assert pending_count(events_redis, event_stream.stream, group) == 0


def test_consumers_of_one_group_split_the_work(
    publisher: RedisStreamsPublisher,
    make_consumer: Callable[..., RedisStreamsConsumer],
    events_redis: redis.Redis,
    event_stream: EventStreamNames,
) -> None:
    events = [make_event(n) for n in range(60)]
    consumers = [make_consumer(consumer_name=name, batch_size=5) for name in ("c1", "c2")]
    consumers[0].ensure_group()
    handled: list[tuple[str, str]] = []
    lock = threading.Lock()
    all_handled = threading.Event()

    def handler_for(name: str) -> Callable[[Event], None]:
        def handle(event: Event) -> None:
            time.sleep(0.005)  # long enough for the other consumer to read meanwhile
            with lock:
                handled.append((name, event.event_id))
                if len(handled) >= len(events):
                    all_handled.set()

        return handle

    threads = [
        threading.Thread(target=c.consume, args=(handler_for(c.consumer_name),), kwargs={"block_ms": 50})
        for c in consumers
    ]
    for thread in threads:
        thread.start()
    publisher.publish(events)
    assert all_handled.wait(timeout=20)
    time.sleep(0.2)  # a duplicate delivery, if any, would land now
    for consumer in consumers:
        consumer.stop()
    for thread in threads:
        thread.join(timeout=5)
        assert not thread.is_alive()

    handled_ids = [event_id for _name, event_id in handled]
    assert len(handled_ids) == len(events)
    assert set(handled_ids) == {e.event_id for e in events}
    by_consumer = {name: sum(1 for n, _ in handled if n == name) for name in ("c1", "c2")}
    assert by_consumer["c1"] > 0
    assert by_consumer["c2"] > 0
    assert pending_count(events_redis, event_stream.stream, "svc") == 0


def test_stop_from_another_thread_ends_a_blocking_consume(
    make_consumer: Callable[..., RedisStreamsConsumer],
) -> None:
    consumer = make_consumer()
    thread = threading.Thread(target=consumer.consume, args=(lambda _e: None,), kwargs={"block_ms": 100})
    thread.start()
    time.sleep(0.2)
    consumer.stop()
    thread.join(timeout=2)
    assert not thread.is_alive()


def test_recreates_a_group_deleted_under_it(
    publisher: RedisStreamsPublisher,
    make_consumer: Callable[..., RedisStreamsConsumer],
    events_redis: redis.Redis,
    event_stream: EventStreamNames,
) -> None:
    consumer = make_consumer()
    consumer.ensure_group()
    events_redis.xgroup_destroy(event_stream.stream, "svc")
    event = make_event(1)
    publisher.publish([event])
    handled: list[Event] = []

    consumer.consume(handled.append, max_batches=2, block_ms=20)

    assert handled == [event]
