"""The worker (inbox), the relay (outbox) and the scheduler of notification-service, on the real stores."""

from typing import Any

import pytest
import redis
from pymongo import MongoClient

from dbay_common.events.envelope import Event
from dbay_common.flask.schedules import job_callable
from dbay_common.mongo import EventSource, outbox_insert_one
from dbay_common.testing.events import EventStreamNames
from dbay_common.transports.base import build_publisher_from_env
from notification_service import relay, schedules, worker
from notification_service.config import SERVICE


def database(uri: str) -> Any:
    return MongoClient(uri, tz_aware=True).get_default_database()


def test_worker_handles_a_redelivered_event_once_and_records_it(
    event_bus_env: EventStreamNames, mongodb_uri: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    monkeypatch.setitem(worker.HANDLERS, "test.happened", lambda event: seen.append(event.event_id))
    event = Event.new(source="dbay.test", detail_type="test.happened", data={})
    build_publisher_from_env().publish([event, event])

    worker.run(max_batches=1, block_ms=200)

    assert seen == [event.event_id]
    assert [record["_id"] for record in database(mongodb_uri)["inbox"].find()] == [
        f"{SERVICE}:{event.event_id}"
    ]


def test_relay_publishes_the_outbox_of_the_declared_collections(
    event_bus_env: EventStreamNames,
    events_redis: redis.Redis,
    mongodb_uri: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(relay, "OUTBOX_COLLECTIONS", ("things",))
    event = EventSource(source="dbay.test", producer=SERVICE).event("thing.happened", {"n": 1})
    outbox_insert_one(database(mongodb_uri)["things"], {"_id": "a"}, event)

    assert relay.run(max_passes=1) == 1
    assert [fields["event_id"] for _id, fields in events_redis.xrange(event_bus_env.stream)] == [
        event.event_id
    ]


def test_schedules_declare_the_purges_and_each_runs() -> None:
    assert [(job.task, job.every_s) for job in schedules.JOBS] == [
        ("notification_service.schedules.idempotency_records_purge", 86400),
        ("notification_service.schedules.inbox_records_purge", 86400),
    ]
    assert [job_callable(job)() for job in schedules.JOBS] == [0, 0]
