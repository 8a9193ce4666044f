"""The MongoDB-wire outbox, inbox, document locks, relay loop and schedules on the real FerretDB."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis
from pymongo.database import Database

from dbay_common.events.envelope import Event
from dbay_common.flask.schedules import run_schedules
from dbay_common.mongo import (
    EventSource,
    LockTimeoutError,
    MongoInbox,
    RelayKick,
    document_lock,
    inbox_document_id,
    inbox_insert_one,
    inbox_update_one,
    outbox_fields,
    outbox_insert_one,
    outbox_push,
    outbox_update_one,
    run_relay,
)
from dbay_common.mongo.locks import try_lock
from dbay_common.schedules import PeriodicJob
from dbay_common.testing.events import EventStreamNames
from dbay_common.transports.redis_streams import RedisStreamsPublisher

Db = Database[dict[str, Any]]
SOURCE = EventSource(source="dbay.test", producer="test-service")


def an_event(n: int = 1) -> Event:
    return SOURCE.event("thing.happened", {"n": n})


def run_threads(count: int, target: Any) -> list[Any]:
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        results[index] = target(index)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


# -- producer helpers ---------------------------------------------------------------------------------


def test_outbox_fields_and_push_carry_the_envelope_text() -> None:
    first, second = an_event(1), an_event(2)

    assert outbox_fields(first, second) == {
        "outbox": [first.to_json(), second.to_json()],
        "outbox_pending": True,
    }
    assert outbox_push(first) == {
        "$push": {"outbox": {"$each": [first.to_json()]}},
        "$set": {"outbox_pending": True},
    }
    assert outbox_fields() == {} and outbox_push() == {}


def test_event_source_takes_ids_from_the_handled_event() -> None:
    from dbay_common.events.context import handling_event

    cause = Event.new(source="dbay.other", detail_type="thing.started", data={}, correlation_id="corr-9")
    with handling_event(cause):
        event = an_event()

    assert (event.source, event.metadata.producer) == ("dbay.test", "test-service")
    assert (event.metadata.correlation_id, event.metadata.causation_id) == ("corr-9", cause.event_id)


def test_writes_to_outbox_fields_are_refused(mongo_db: Db) -> None:
    with pytest.raises(ValueError, match="outbox"):
        outbox_insert_one(mongo_db["things"], {"_id": "a", "outbox": []}, an_event())
    mongo_db["things"].insert_one({"_id": "b"})
    with pytest.raises(ValueError, match="outbox_pending"):
        outbox_update_one(
            mongo_db["things"], "b", {"$set": {"outbox_pending": False}}, locks=mongo_db["locks"]
        )
    assert mongo_db["things"].count_documents({"_id": "a"}) == 0


def test_update_writes_the_change_and_the_event_together_or_neither(mongo_db: Db) -> None:
    things, locks = mongo_db["things"], mongo_db["locks"]
    things.insert_one({"_id": "a", "state": "open", "n": 0})
    event = an_event()

    applied = outbox_update_one(
        things, "a", {"$set": {"state": "closed"}}, event, locks=locks, conditions={"state": "open"}
    )
    refused = outbox_update_one(
        things, "a", {"$set": {"state": "open"}}, an_event(2), locks=locks, conditions={"state": "open"}
    )

    assert (applied.matched_count, refused.matched_count) == (1, 0)
    assert things.find_one({"_id": "a"}) == {
        "_id": "a",
        "state": "closed",
        "n": 0,
        "outbox": [event.to_json()],
        "outbox_pending": True,
    }
    assert locks.count_documents({}) == 0


def test_concurrent_updates_under_the_lock_lose_nothing(mongo_db: Db) -> None:
    """FerretDB alone loses concurrent updates of one document; the lock serializes them."""
    things, locks = mongo_db["things"], mongo_db["locks"]
    things.insert_one({"_id": "a", "n": 0})

    run_threads(12, lambda i: outbox_update_one(things, "a", {"$inc": {"n": 1}}, an_event(i), locks=locks))

    document = things.find_one({"_id": "a"})
    assert document is not None
    assert (document["n"], len(document["outbox"]), len(set(document["outbox"]))) == (12, 12, 12)


# -- locks -------------------------------------------------------------------------------------------


def test_a_lock_is_exclusive_until_released_or_expired(mongo_db: Db) -> None:
    locks = mongo_db["locks"]
    held = try_lock(locks, "things:a", lease_s=30)
    assert held is not None
    assert try_lock(locks, "things:a") is None
    with pytest.raises(LockTimeoutError), document_lock(locks, mongo_db["things"], "a", wait_s=0.1):
        pass
    held.release()
    short = try_lock(locks, "things:a", lease_s=0.2)
    assert short is not None
    time.sleep(0.3)

    taken = try_lock(locks, "things:a")

    assert taken is not None and taken.token != short.token
    short.release()  # the expired holder's release must not free the new holder's lock
    assert taken.is_held()
    assert not short.is_held()


def test_one_of_many_racing_acquirers_gets_the_lock(mongo_db: Db) -> None:
    results = run_threads(12, lambda _i: try_lock(mongo_db["locks"], "things:z"))

    assert sum(result is not None for result in results) == 1


# -- inbox -------------------------------------------------------------------------------------------


def test_inbox_insert_creates_the_document_once(mongo_db: Db) -> None:
    notes = mongo_db["notes"]
    notes.create_index("text", unique=True)
    event = an_event()

    results = run_threads(6, lambda _i: inbox_insert_one(notes, {"text": "hi"}, consumer="c", event=event))

    assert sorted(results) == [False] * 5 + [True]
    assert list(notes.find()) == [{"_id": inbox_document_id(consumer="c", event=event), "text": "hi"}]
    with pytest.raises(Exception, match="duplicate key"):  # another unique index: a real conflict
        inbox_insert_one(notes, {"text": "hi"}, consumer="c", event=an_event(2))


def test_inbox_update_applies_once_per_consumer_even_when_raced(mongo_db: Db) -> None:
    totals, locks = mongo_db["totals"], mongo_db["locks"]
    totals.insert_one({"_id": "t", "n": 0})
    event = an_event()

    def apply(_i: int) -> bool:
        return inbox_update_one(totals, "t", {"$inc": {"n": 1}}, consumer="c", event=event, locks=locks)

    results = run_threads(8, apply)
    other_consumer = inbox_update_one(
        totals, "t", {"$inc": {"n": 10}}, consumer="d", event=event, locks=locks
    )

    assert sorted(results) == [False] * 7 + [True]
    assert other_consumer is True
    assert totals.find_one({"_id": "t"}) == {
        "_id": "t",
        "n": 11,
        "applied_events": [f"c:{event.event_id}", f"d:{event.event_id}"],
    }
    with pytest.raises(LookupError):
        inbox_update_one(totals, "missing", {"$inc": {"n": 1}}, consumer="c", event=event, locks=locks)


def test_mongo_inbox_runs_a_handler_once_and_not_after_a_failure_record(mongo_db: Db) -> None:
    inbox = MongoInbox(mongo_db["inbox"], consumer="c")
    event = an_event()
    seen: list[str] = []

    def failing(_event: Event) -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        inbox.dedupe(event, failing)
    assert not inbox.is_handled(event)
    assert inbox.dedupe(event, lambda e: seen.append(e.event_id)) is True
    assert inbox.dedupe(event, lambda e: seen.append(e.event_id)) is False

    assert seen == [event.event_id]
    mongo_db["inbox"].update_one(
        {"_id": f"c:{event.event_id}"}, {"$set": {"handled_at": datetime.now(UTC) - timedelta(days=8)}}
    )
    assert inbox.purge(older_than=timedelta(days=7)) == 1


# -- relay loop and kick ---------------------------------------------------------------------------


def test_a_kick_wakes_the_relay_loop_long_before_its_interval(
    mongo_db: Db,
    events_redis_url: str,
    events_redis: redis.Redis,
    event_stream: EventStreamNames,
    redis_key_prefix: str,
) -> None:
    kick = RelayKick(redis_url=events_redis_url, service=f"{redis_key_prefix}svc")
    publisher = RedisStreamsPublisher(redis_url=events_redis_url, stream=event_stream.stream)
    totals: list[int] = []
    loop = threading.Thread(
        target=lambda: totals.append(
            run_relay(
                database=mongo_db,
                collections=["things"],
                publisher=publisher,
                kick=kick,
                interval_s=30,
                max_passes=2,
            )
        )
    )
    loop.start()
    time.sleep(0.3)
    started = time.monotonic()

    outbox_insert_one(mongo_db["things"], {"_id": "a"}, an_event(), kick=kick)
    loop.join(timeout=10)

    assert not loop.is_alive()
    assert time.monotonic() - started < 5
    assert totals == [1]
    assert events_redis.xlen(event_stream.stream) == 1
    events_redis.delete(kick.key)
    publisher.close()


# -- schedules -----------------------------------------------------------------------------------------


CALLS: list[str] = []


def often() -> None:
    CALLS.append("often")


def failing() -> None:
    CALLS.append("failing")
    raise RuntimeError("job failed")


def rarely() -> None:
    CALLS.append("rarely")


def _job(name: str, every_s: float) -> PeriodicJob:
    return PeriodicJob(task=f"{__name__}.{name}", every_s=every_s)


def test_schedules_run_each_job_when_due_and_survive_a_failing_job() -> None:
    CALLS.clear()

    ran = run_schedules([_job("often", 0.1), _job("failing", 0.25), _job("rarely", 3600)], max_runs=6)

    short = [name.rsplit(".", 1)[-1] for name in ran]
    assert short == ["often", "failing", "rarely", "often", "often", "failing"]
    assert short == CALLS


def test_schedules_refuse_duplicates_cron_and_names_that_are_not_functions() -> None:
    with pytest.raises(ValueError, match="unique"):
        run_schedules([_job("often", 1), _job("often", 2)], max_runs=0)
    with pytest.raises(ValueError, match="not cron"):
        run_schedules([PeriodicJob(task=f"{__name__}.often", cron="0 3 * * *")], max_runs=0)
    with pytest.raises(ValueError, match="does not name a function"):
        run_schedules([_job("CALLS", 1)], max_runs=0)


def test_a_scheduler_without_jobs_waits_for_its_stop_signal() -> None:
    import os
    import signal
    import threading

    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGTERM))
    started = time.monotonic()
    timer.start()
    assert run_schedules([]) == []
    assert time.monotonic() - started >= 0.25
