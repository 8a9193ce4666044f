"""The reference slice end to end on the real FerretDB and Redis Streams, kill tests included."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from flask.testing import FlaskClient
from pymongo.database import Database

from dbay_common.events.envelope import Event
from dbay_common.mongo import MongoInbox, outbox_relay
from dbay_common.testing.events import EventStreamNames
from dbay_common.transports.redis_streams import RedisStreamsConsumer, RedisStreamsPublisher
from dbay_common.transports.runner import run_consumer
from tests.flask_outbox_app.app import API_PREFIX, create_app
from tests.flask_outbox_app.events import CONSUMER, STATS_ID, consumer_handlers

URL = f"{API_PREFIX}/widgets"
LIB_ROOT = Path(__file__).resolve().parents[1]
Db = Database[dict[str, Any]]


@pytest.fixture
def database(mongo_db: Db) -> Db:
    mongo_db["widget_stats"].insert_one({"_id": STATS_ID, "count": 0, "total_koinu": 0})
    return mongo_db


@pytest.fixture
def client(database: Db) -> FlaskClient:
    return create_app(database).test_client()


@pytest.fixture
def publisher(events_redis_url: str, event_stream: EventStreamNames) -> Iterator[RedisStreamsPublisher]:
    bus = RedisStreamsPublisher(redis_url=events_redis_url, stream=event_stream.stream)
    yield bus
    bus.close()


def create(client: FlaskClient, name: str, price_koinu: int = 250, **headers: str) -> Any:
    body = json.dumps({"name": name, "price_koinu": str(price_koinu)})
    return client.post(URL, data=body, content_type="application/json", headers=headers)


def stream_events(events_redis: redis.Redis, stream: str) -> list[Event]:
    return [Event.from_json(fields["event"]) for _id, fields in events_redis.xrange(stream)]


def relay(database: Db, publisher: RedisStreamsPublisher, **kwargs: Any) -> int:
    return outbox_relay(database=database, collections=["widgets"], publisher=publisher, **kwargs)


def consume(database: Db, events_redis_url: str, stream: str, *, polls: int = 2) -> None:
    """Run the consumer as a worker does: the slice's handlers behind the Mongo inbox."""
    consumer = RedisStreamsConsumer(
        redis_url=events_redis_url, group=CONSUMER, consumer_name="c1", stream=stream, claim_idle_ms=60_000
    )
    inbox = MongoInbox(database["inbox"], consumer=CONSUMER)
    run_consumer(
        group=CONSUMER,
        handlers=consumer_handlers(database),
        dedupe=inbox.dedupe,
        consumer=consumer,
        max_batches=polls,
        block_ms=100,
    )
    consumer.close()


def assert_applied_once(database: Db, widget_id: str, price_koinu: int) -> None:
    receipts = list(database["widget_receipts"].find({}, {"_id": 0, "widget_id": 1, "price_koinu": 1}))
    assert receipts == [{"widget_id": widget_id, "price_koinu": str(price_koinu)}]
    stats = database["widget_stats"].find_one({"_id": STATS_ID})
    assert stats is not None
    assert (stats["count"], stats["total_koinu"], len(stats["applied_events"])) == (1, price_koinu, 1)


# -- producer: the happy path and the failures -------------------------------------------------------


def test_create_publishes_its_event_exactly_once(
    client: FlaskClient,
    database: Db,
    publisher: RedisStreamsPublisher,
    events_redis: redis.Redis,
    event_stream: EventStreamNames,
) -> None:
    response = create(client, "sprocket", 250, **{"X-Correlation-ID": "corr-1"})
    assert response.status_code == 201
    widget_id = response.get_json()["id"]
    assert response.get_json() == {"id": widget_id, "name": "sprocket", "price_koinu": "250"}
    stored = database["widgets"].find_one({"_id": widget_id})
    assert stored is not None
    assert (stored["outbox_pending"], len(stored["outbox"])) == (True, 1)

    assert relay(database, publisher) == 1
    assert relay(database, publisher) == 0

    [event] = stream_events(events_redis, event_stream.stream)
    assert (event.source, event.detail_type, event.version) == ("dbay.widget", "widget.created", 1)
    assert event.data == {"widget_id": widget_id, "name": "sprocket", "price_koinu": "250"}
    assert (event.metadata.producer, event.metadata.correlation_id, event.metadata.causation_id) == (
        "widget-service",
        "corr-1",
        None,
    )
    after = database["widgets"].find_one({"_id": widget_id})
    assert after is not None
    assert {"outbox", "outbox_pending", "outbox_attempts", "outbox_next_at"}.isdisjoint(after)
    assert database["document_locks"].count_documents({}) == 0


def test_a_repeated_idempotency_key_replays_without_a_second_widget_or_event(
    client: FlaskClient,
    database: Db,
    publisher: RedisStreamsPublisher,
    events_redis: redis.Redis,
    event_stream: EventStreamNames,
) -> None:
    first = create(client, "gear", **{"Idempotency-Key": "k-1"})
    second = create(client, "gear", **{"Idempotency-Key": "k-1"})

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.get_json() == first.get_json()
    assert database["widgets"].count_documents({}) == 1
    assert relay(database, publisher) == 1
    assert [e.data["widget_id"] for e in stream_events(events_redis, event_stream.stream)] == [
        first.get_json()["id"]
    ]


def test_a_refused_write_publishes_nothing(
    client: FlaskClient,
    database: Db,
    publisher: RedisStreamsPublisher,
    events_redis: redis.Redis,
    event_stream: EventStreamNames,
) -> None:
    first = create(client, "cog")
    taken = create(client, "cog", 999)
    invalid = create(client, "nut", 0)

    assert taken.status_code == 409
    assert taken.get_json()["error"]["code"] == "widget_name_taken"
    assert invalid.status_code == 400
    assert database["widgets"].count_documents({}) == 1
    assert relay(database, publisher) == 1
    assert [e.data["widget_id"] for e in stream_events(events_redis, event_stream.stream)] == [
        first.get_json()["id"]
    ]


def test_an_unreachable_bus_backs_off_and_publishes_later(
    client: FlaskClient,
    database: Db,
    publisher: RedisStreamsPublisher,
    events_redis: redis.Redis,
    event_stream: EventStreamNames,
    closed_port: int,
) -> None:
    widget_id = create(client, "bolt").get_json()["id"]
    broken = RedisStreamsPublisher(redis_url=f"redis://127.0.0.1:{closed_port}/0", stream=event_stream.stream)

    assert relay(database, broken) == 0
    failed = database["widgets"].find_one({"_id": widget_id})
    assert failed is not None
    assert (failed["outbox_attempts"], len(failed["outbox"])) == (1, 1)
    assert "ConnectionError" in failed["outbox_last_error"]
    assert relay(database, publisher) == 0  # not due yet: next_at is 0.5-1 s ahead
    database["widgets"].update_one({"_id": widget_id}, {"$set": {"outbox_next_at": failed["created_at"]}})

    assert relay(database, publisher) == 1
    assert [e.data["widget_id"] for e in stream_events(events_redis, event_stream.stream)] == [widget_id]


# -- kill tests ---------------------------------------------------------------------------------------


def start_relay(database: Db, mode: str, lease_s: float, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.flask_outbox_app.relay_process",
            "--database",
            database.name,
            "--mode",
            mode,
            "--lease-s",
            str(lease_s),
        ],
        cwd=LIB_ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def bus_env(events_redis_url: str, event_stream: EventStreamNames) -> dict[str, str]:
    return {
        "EVENT_BUS": "redis",
        "EVENT_BUS_REDIS_URL": events_redis_url,
        "EVENT_BUS_STREAM": event_stream.stream,
    }


def kill_at(process: subprocess.Popen[str], expected_line: str) -> None:
    assert process.stdout is not None
    assert process.stdout.readline().strip() == expected_line
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=10) == -signal.SIGKILL


@pytest.mark.parametrize(
    ("mode", "line", "published_before_restart"),
    [("hang-before-publish", "CLAIMED 1", 0), ("hang-after-publish", "PUBLISHED 1", 1)],
)
def test_a_relay_killed_mid_way_loses_nothing_and_the_consumer_applies_once(
    mode: str,
    line: str,
    published_before_restart: int,
    client: FlaskClient,
    database: Db,
    publisher: RedisStreamsPublisher,
    events_redis: redis.Redis,
    events_redis_url: str,
    event_stream: EventStreamNames,
    bus_env: dict[str, str],
) -> None:
    lease_s = 1.5
    widget_id = create(client, "spring", 700).get_json()["id"]

    kill_at(start_relay(database, mode, lease_s, bus_env), line)

    assert len(stream_events(events_redis, event_stream.stream)) == published_before_restart
    still = database["widgets"].find_one({"_id": widget_id})
    assert still is not None
    assert (still["outbox_pending"], len(still["outbox"])) == (True, 1)
    assert relay(database, publisher) == 0  # the dead relay's lock holds until its lease ends
    time.sleep(lease_s + 0.2)

    assert relay(database, publisher) == 1
    delivered = stream_events(events_redis, event_stream.stream)
    assert len(delivered) == published_before_restart + 1
    assert {event.event_id for event in delivered} == {delivered[0].event_id}
    assert delivered[-1].data["widget_id"] == widget_id

    consume(database, events_redis_url, event_stream.stream)
    assert_applied_once(database, widget_id, 700)
    assert events_redis.xpending(event_stream.stream, CONSUMER)["pending"] == 0
    assert database["inbox"].count_documents({}) == 1


def test_a_relay_killed_after_publishing_is_published_again_by_the_relay_process(
    client: FlaskClient,
    database: Db,
    events_redis: redis.Redis,
    event_stream: EventStreamNames,
    bus_env: dict[str, str],
) -> None:
    widget_id = create(client, "washer").get_json()["id"]
    kill_at(start_relay(database, "hang-after-publish", 1.0, bus_env), "PUBLISHED 1")
    time.sleep(1.2)

    again = start_relay(database, "pass", 1.0, bus_env)

    assert again.communicate(timeout=30)[0].strip() == "DONE 1"
    assert [e.data["widget_id"] for e in stream_events(events_redis, event_stream.stream)] == [widget_id] * 2


# -- consumer -----------------------------------------------------------------------------------------


def test_a_redelivered_event_has_no_second_effect(
    client: FlaskClient,
    database: Db,
    publisher: RedisStreamsPublisher,
    events_redis: redis.Redis,
    events_redis_url: str,
    event_stream: EventStreamNames,
) -> None:
    widget_id = create(client, "pin", 40).get_json()["id"]
    relay(database, publisher)
    [event] = stream_events(events_redis, event_stream.stream)
    publisher.publish([event])  # the bus delivering the same event again

    consume(database, events_redis_url, event_stream.stream)
    # A worker that died after the effect and before its inbox record: the handler runs again.
    database["inbox"].delete_many({})
    consumer_handlers(database)["widget.created"](event)

    assert_applied_once(database, widget_id, 40)


def test_concurrent_deliveries_of_one_event_apply_it_once(client: FlaskClient, database: Db) -> None:
    create(client, "clip", 5)
    [widget] = database["widgets"].find()
    event = Event.from_json(widget["outbox"][0])
    handler = consumer_handlers(database)["widget.created"]
    barrier = threading.Barrier(6)

    def deliver() -> None:
        barrier.wait()
        handler(event)

    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert_applied_once(database, widget["_id"], 5)


def test_concurrent_relays_publish_each_event_once(
    client: FlaskClient,
    database: Db,
    events_redis: redis.Redis,
    events_redis_url: str,
    event_stream: EventStreamNames,
) -> None:
    ids = {create(client, f"part-{n}", n + 1).get_json()["id"] for n in range(30)}
    barrier = threading.Barrier(4)
    counts: list[int] = []

    def run_relay() -> None:
        bus = RedisStreamsPublisher(redis_url=events_redis_url, stream=event_stream.stream)
        barrier.wait()
        total = 0
        while database["widgets"].count_documents({"outbox_pending": True}):
            total += relay(database, bus, batch_size=5)
        counts.append(total)
        bus.close()

    threads = [threading.Thread(target=run_relay) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    delivered = stream_events(events_redis, event_stream.stream)
    assert sum(counts) == 30
    assert sorted(e.data["widget_id"] for e in delivered) == sorted(ids)
    assert database["widgets"].count_documents({"outbox_pending": True}) == 0
