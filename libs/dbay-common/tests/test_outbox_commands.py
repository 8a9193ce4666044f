"""The outbox's processes: ``consume_events``, ``relay_outbox`` and the Celery relay task."""

from __future__ import annotations

import io
import logging
import os
import signal
import threading
import time
import uuid
from datetime import timedelta
from typing import Any

import pytest
import redis
from celery.schedules import crontab
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from dbay_common.django import celery as dbay_celery
from dbay_common.django.idempotency.models import IdempotencyRecord
from dbay_common.django.outbox import outbox_publish
from dbay_common.django.outbox.models import InboxEvent, OutboxEvent
from dbay_common.events import Event
from dbay_common.testing.events import EventStreamNames
from dbay_common.transports.redis_streams import RedisStreamsPublisher

handled: list[tuple[str, Event]] = []


def on_bid_placed(event: Event) -> None:
    handled.append(("bid.placed", event))
    # A consumer's effect: here, emitting a follow-up event through its own outbox.
    outbox_publish(
        Event.new(source="dbay.order", detail_type="order.noted", data={"bid_event_id": event.event_id})
    )


def on_auction_closed(event: Event) -> None:
    handled.append(("auction.closed", event))
    if event.data.get("explode"):
        raise RuntimeError("cannot close")


HANDLERS = {"bid.placed": on_bid_placed, "auction.closed": on_auction_closed}


@pytest.fixture(autouse=True)
def _reset_handled() -> None:
    handled.clear()


@pytest.fixture
def service_settings(settings: Any) -> Any:
    settings.DBAY_SERVICE = "order-service"
    settings.DBAY_EVENT_HANDLERS = f"{__name__}:HANDLERS"
    return settings


def stream_events(client: redis.Redis, stream: str) -> list[Event]:
    return [Event.from_json(fields["event"]) for _id, fields in client.xrange(stream)]


# -- consume_events -----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_consume_events_end_to_end_over_redis_streams(
    service_settings: Any,
    event_bus_env: EventStreamNames,
    events_redis_url: str,
    events_redis: redis.Redis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("EVENT_CONSUMER_NAME", "order-1")
    bid = Event.new(source="dbay.auction", detail_type="bid.placed", data={"amount_koinu": "5"})
    closed = Event.new(source="dbay.auction", detail_type="auction.closed", data={"auction_id": "a1"})
    unrelated = Event.new(source="dbay.user", detail_type="user.registered", data={})
    publisher = RedisStreamsPublisher(redis_url=events_redis_url, stream=event_bus_env.stream)
    # The bus delivers at least once: the same bid arrives twice.
    publisher.publish([bid, unrelated, closed, bid])

    call_command("consume_events", max_batches=2, block_ms=50)

    assert handled == [("bid.placed", bid), ("auction.closed", closed)]
    assert sorted(InboxEvent.objects.values_list("consumer", "event_id")) == sorted(
        [("order-service", uuid.UUID(bid.event_id)), ("order-service", uuid.UUID(closed.event_id))]
    )
    [follow_up] = OutboxEvent.objects.all()
    assert follow_up.detail_type == "order.noted"
    assert follow_up.payload["detail"]["data"] == {"bid_event_id": bid.event_id}
    # Everything, including the event nobody here handles, is acknowledged; nothing dead-lettered.
    assert events_redis.xpending(event_bus_env.stream, "order-service")["pending"] == 0
    assert events_redis.exists(event_bus_env.dead_letter_stream) == 0
    groups = events_redis.xinfo_groups(event_bus_env.stream)
    assert [(g["name"], g["consumers"]) for g in groups] == [("order-service", 1)]


@pytest.mark.django_db(transaction=True)
def test_consume_events_leaves_failed_events_pending(
    service_settings: Any,
    event_bus_env: EventStreamNames,
    events_redis_url: str,
    events_redis: redis.Redis,
) -> None:
    failing = Event.new(source="dbay.auction", detail_type="auction.closed", data={"explode": True})
    RedisStreamsPublisher(redis_url=events_redis_url, stream=event_bus_env.stream).publish([failing])

    call_command("consume_events", max_batches=1, block_ms=50)

    assert handled == [("auction.closed", failing)]
    assert InboxEvent.objects.count() == 0
    assert events_redis.xpending(event_bus_env.stream, "order-service")["pending"] == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("handlers", "message"),
    [
        ("", "DBAY_EVENT_HANDLERS are required"),
        ("no_colon_here", "pkg.module:HANDLERS"),
        (f"{__name__}:handled", "must be a dict"),
    ],
)
def test_consume_events_rejects_bad_handler_settings(
    service_settings: Any, event_bus_env: EventStreamNames, handlers: str, message: str
) -> None:
    service_settings.DBAY_EVENT_HANDLERS = handlers
    with pytest.raises(CommandError, match=message):
        call_command("consume_events", max_batches=1, block_ms=10)


# -- relay_outbox -------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_relay_outbox_once_publishes_everything_due(
    event_bus_env: EventStreamNames, events_redis: redis.Redis
) -> None:
    events = [Event.new(source="dbay.test", detail_type="thing.happened", data={"n": n}) for n in range(7)]
    with transaction.atomic():
        for event in events:
            outbox_publish(event)
    out = io.StringIO()

    call_command("relay_outbox", once=True, batch_size=3, stdout=out)

    assert out.getvalue().strip() == "published 7 events"
    assert stream_events(events_redis, event_bus_env.stream) == events
    assert OutboxEvent.objects.filter(published_at__isnull=True).count() == 0


@pytest.mark.django_db(transaction=True)
def test_relay_outbox_loop_publishes_new_rows_and_stops_on_sigterm(
    event_bus_env: EventStreamNames, events_redis: redis.Redis
) -> None:
    event = Event.new(source="dbay.test", detail_type="thing.happened", data={})
    out = io.StringIO()

    def produce_then_terminate() -> None:
        with transaction.atomic():
            outbox_publish(event)
        deadline = threading.Event()
        for _ in range(100):
            if events_redis.xlen(event_bus_env.stream):
                break
            deadline.wait(0.05)
        os.kill(os.getpid(), signal.SIGTERM)

    worker = threading.Thread(target=produce_then_terminate)
    previous = signal.getsignal(signal.SIGTERM)
    threading.Timer(0.3, worker.start).start()
    call_command("relay_outbox", idle_sleep_s=0.05, stdout=out)  # returns on SIGTERM
    worker.join(5)

    assert signal.getsignal(signal.SIGTERM) is previous  # handler restored
    assert out.getvalue().strip() == "published 1 events"
    assert stream_events(events_redis, event_bus_env.stream) == [event]


# -- Celery -------------------------------------------------------------------------------------------


@pytest.fixture
def celery_app(event_bus_env: EventStreamNames) -> Any:
    dbay_celery.relay_publisher.cache_clear()  # built from this test's environment
    app = dbay_celery.create_celery_app("test-service", settings_module="unused.settings")
    app.conf.task_always_eager = True
    yield app
    dbay_celery.relay_publisher.cache_clear()


def test_celery_app_registers_the_relay_and_its_schedule(celery_app: Any) -> None:
    assert dbay_celery.RELAY_TASK_NAME in celery_app.tasks
    assert celery_app.conf.task_serializer == "json"
    assert celery_app.conf.result_serializer == "json"
    assert celery_app.conf.accept_content == ["json"]
    assert celery_app.conf.broker_connection_retry_on_startup is True
    entry = celery_app.conf.beat_schedule[dbay_celery.RELAY_TASK_NAME]
    assert entry["task"] == dbay_celery.RELAY_TASK_NAME
    assert entry["schedule"] == 5.0
    assert entry["options"]["expires"] == 5.0


def test_celery_app_purges_idempotency_records_daily(celery_app: Any) -> None:
    assert dbay_celery.PURGE_TASK_NAME in celery_app.tasks
    entry = celery_app.conf.beat_schedule[dbay_celery.PURGE_TASK_NAME]
    assert entry["task"] == dbay_celery.PURGE_TASK_NAME
    assert entry["schedule"] == crontab(hour=3, minute=30)


@pytest.mark.django_db
def test_purge_task_deletes_exactly_the_records_past_their_ttl(celery_app: Any, settings: Any) -> None:
    settings.DBAY_IDEMPOTENCY_TTL_S = 3600
    now = timezone.now()
    ages_s = {"expired-long-ago": 90_000, "just-expired": 3_610, "about-to-expire": 3_590, "fresh": 0}
    for key, age_s in ages_s.items():
        IdempotencyRecord.objects.create(
            principal="user-1",
            method="POST",
            path="/api/things",
            key=key,
            request_fingerprint="f" * 64,
            created_at=now - timedelta(seconds=age_s),
        )

    purged = celery_app.tasks[dbay_celery.PURGE_TASK_NAME].apply().get()

    assert purged == 2
    assert set(IdempotencyRecord.objects.values_list("key", flat=True)) == {"about-to-expire", "fresh"}


@pytest.mark.django_db(transaction=True)
def test_relay_runs_right_after_commit(
    celery_app: Any, event_bus_env: EventStreamNames, events_redis: redis.Redis
) -> None:
    event = Event.new(source="dbay.test", detail_type="thing.happened", data={})
    with transaction.atomic():
        outbox_publish(event)
        dbay_celery.schedule_outbox_relay_on_commit()
        assert events_redis.exists(event_bus_env.stream) == 0  # nothing leaves before the commit

    assert stream_events(events_redis, event_bus_env.stream) == [event]
    assert OutboxEvent.objects.get().published_at is not None


@pytest.mark.django_db(transaction=True)
def test_nothing_is_relayed_for_a_rolled_back_change(
    celery_app: Any,
    event_bus_env: EventStreamNames,
    events_redis: redis.Redis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    enqueued: list[int] = []
    monkeypatch.setattr(dbay_celery, "enqueue_now", lambda task: enqueued.append(1))
    with pytest.raises(RuntimeError, match="rolled back"), transaction.atomic():
        outbox_publish(Event.new(source="dbay.test", detail_type="thing.happened", data={}))
        dbay_celery.schedule_outbox_relay_on_commit()
        raise RuntimeError("rolled back")

    assert enqueued == []
    assert OutboxEvent.objects.count() == 0
    assert events_redis.exists(event_bus_env.stream) == 0


@pytest.mark.django_db(transaction=True)
def test_unreachable_broker_does_not_fail_the_committed_request(
    celery_app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="dbay_common.django.celery"), transaction.atomic():
        outbox_publish(Event.new(source="dbay.test", detail_type="thing.happened", data={}))
        dbay_celery.schedule_outbox_relay_on_commit()

    assert OutboxEvent.objects.filter(published_at__isnull=True).count() == 1  # beat will relay it
    assert f"could not queue {dbay_celery.RELAY_TASK_NAME}" in caplog.text
    assert time.monotonic() - started < 2  # the request is not held hostage by the broker
