"""Outbox and inbox on the real PostgreSQL (and the real Redis bus where events leave the process)."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import timedelta

import pytest
import redis
from django.db import connection, transaction
from django.utils import timezone

from dbay_common.django.outbox import inbox_handle, outbox_publish, outbox_relay
from dbay_common.django.outbox.models import InboxEvent, OutboxEvent
from dbay_common.django.outbox.services import OutboxNotInTransactionError, outbox_retry_delay_s
from dbay_common.events import Event
from dbay_common.testing.events import EventStreamNames
from dbay_common.transports.redis_streams import RedisStreamsPublisher


def make_event(n: int, detail_type: str = "thing.happened") -> Event:
    return Event.new(source="dbay.test", detail_type=detail_type, data={"n": n})


def stream_events(client: redis.Redis, stream: str) -> list[Event]:
    return [Event.from_json(fields["event"]) for _id, fields in client.xrange(stream)]


class BrokenPublisher:
    """A bus that is down."""

    def __init__(self) -> None:
        self.calls = 0

    def publish(self, events: Sequence[Event]) -> None:
        self.calls += 1
        raise ConnectionError("bus unreachable")


@pytest.fixture
def publisher(events_redis_url: str, event_stream: EventStreamNames) -> RedisStreamsPublisher:
    return RedisStreamsPublisher(redis_url=events_redis_url, stream=event_stream.stream)


# -- outbox_publish ------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_outbox_row_commits_with_the_transaction() -> None:
    event = make_event(1)
    with transaction.atomic():
        outbox_publish(event)

    row = OutboxEvent.objects.get()
    assert row.event_id == uuid.UUID(event.event_id)
    assert row.source == "dbay.test"
    assert row.detail_type == "thing.happened"
    assert row.payload == event.to_dict()
    assert Event.model_validate(row.payload) == event
    assert row.published_at is None
    assert row.attempts == 0
    assert row.last_error == ""
    assert row.next_attempt_at <= timezone.now()


@pytest.mark.django_db(transaction=True)
def test_outbox_row_rolls_back_with_the_transaction() -> None:
    with pytest.raises(RuntimeError, match="change failed"), transaction.atomic():
        outbox_publish(make_event(1))
        raise RuntimeError("change failed")

    assert OutboxEvent.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_outbox_publish_outside_a_transaction_raises() -> None:
    assert not connection.in_atomic_block
    with pytest.raises(OutboxNotInTransactionError, match=r"transaction\.atomic"):
        outbox_publish(make_event(1))

    assert OutboxEvent.objects.count() == 0


# -- outbox_relay --------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_relay_publishes_in_created_order_and_marks(
    publisher: RedisStreamsPublisher, events_redis: redis.Redis, event_stream: EventStreamNames
) -> None:
    events = [make_event(n) for n in range(5)]
    for event in events:
        with transaction.atomic():
            outbox_publish(event)
    before = timezone.now()

    assert outbox_relay(publisher=publisher) == 5

    assert stream_events(events_redis, event_stream.stream) == events
    rows = list(OutboxEvent.objects.order_by("id"))
    assert [str(row.event_id) for row in rows] == [e.event_id for e in events]
    for row in rows:
        assert row.published_at is not None
        assert before <= row.published_at <= timezone.now()
        assert row.attempts == 1
        assert row.last_error == ""
    # Nothing is due any more: nothing is published twice.
    assert outbox_relay(publisher=publisher) == 0
    assert len(stream_events(events_redis, event_stream.stream)) == 5


@pytest.mark.django_db(transaction=True)
def test_relay_respects_the_batch_size(
    publisher: RedisStreamsPublisher, events_redis: redis.Redis, event_stream: EventStreamNames
) -> None:
    events = [make_event(n) for n in range(5)]
    with transaction.atomic():
        for event in events:
            outbox_publish(event)

    assert [outbox_relay(publisher=publisher, batch_size=2) for _ in range(4)] == [2, 2, 1, 0]
    assert stream_events(events_redis, event_stream.stream) == events


@pytest.mark.django_db(transaction=True)
def test_failing_publisher_backs_off_then_good_publisher_publishes_once(
    publisher: RedisStreamsPublisher, events_redis: redis.Redis, event_stream: EventStreamNames
) -> None:
    events = [make_event(n) for n in range(3)]
    with transaction.atomic():
        for event in events:
            outbox_publish(event)
    broken = BrokenPublisher()
    before = timezone.now()

    assert outbox_relay(publisher=broken) == 0

    assert broken.calls == 1
    for row in OutboxEvent.objects.all():
        assert row.published_at is None
        assert row.attempts == 1
        assert row.last_error == "ConnectionError('bus unreachable')"
        # First retry: between 0.5 s and 1 s after the failure.
        assert before + timedelta(seconds=0.5) <= row.next_attempt_at <= timezone.now() + timedelta(seconds=1)
    # Not due yet: even a working bus gets nothing.
    assert outbox_relay(publisher=publisher) == 0
    assert events_redis.exists(event_stream.stream) == 0

    # Time passes.
    OutboxEvent.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert outbox_relay(publisher=publisher) == 3
    assert outbox_relay(publisher=publisher) == 0

    assert stream_events(events_redis, event_stream.stream) == events
    for row in OutboxEvent.objects.all():
        assert row.published_at is not None
        assert row.attempts == 2
        assert row.last_error == "ConnectionError('bus unreachable')"  # kept as history


@pytest.mark.django_db(transaction=True)
def test_retry_delay_grows_and_is_capped_at_five_minutes() -> None:
    for attempts, low, high in [(1, 0.5, 1), (2, 1, 2), (3, 2, 4), (6, 16, 32), (9, 128, 256)]:
        for _ in range(50):
            assert low <= outbox_retry_delay_s(attempts) <= high
    for attempts in (10, 11, 20, 100):
        assert all(150 <= outbox_retry_delay_s(attempts) <= 300 for _ in range(50))
    assert len({outbox_retry_delay_s(5) for _ in range(20)}) > 1  # jittered


@pytest.mark.django_db(transaction=True)
def test_a_row_that_does_not_parse_fails_alone(
    publisher: RedisStreamsPublisher, events_redis: redis.Redis, event_stream: EventStreamNames
) -> None:
    bad = OutboxEvent.objects.create(
        event_id=uuid.uuid4(), source="dbay.test", detail_type="thing.happened", payload={"source": "?"}
    )
    good = make_event(1)
    with transaction.atomic():
        outbox_publish(good)

    assert outbox_relay(publisher=publisher) == 1

    assert stream_events(events_redis, event_stream.stream) == [good]
    bad.refresh_from_db()
    assert bad.published_at is None
    assert bad.attempts == 1
    assert bad.last_error.startswith("invalid payload:")
    assert bad.next_attempt_at > timezone.now()


class SlowRecordingPublisher:
    """The real Redis publisher, slowed down so concurrent relays overlap, remembering who sent what."""

    def __init__(self, inner: RedisStreamsPublisher) -> None:
        self.inner = inner
        self.sent_by: dict[str, list[str]] = {}
        self.lock = threading.Lock()

    def publish(self, events: Sequence[Event]) -> None:
        time.sleep(0.02)
        self.inner.publish(events)
        with self.lock:
            self.sent_by.setdefault(threading.current_thread().name, []).extend(e.event_id for e in events)


@pytest.mark.django_db(transaction=True)
def test_concurrent_relays_publish_each_event_exactly_once(
    publisher: RedisStreamsPublisher, events_redis: redis.Redis, event_stream: EventStreamNames
) -> None:
    events = [make_event(n) for n in range(120)]
    with transaction.atomic():
        for event in events:
            outbox_publish(event)
    recording = SlowRecordingPublisher(publisher)
    totals: dict[str, int] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def relay_until_empty() -> None:
        name = threading.current_thread().name
        try:
            start.wait()
            total = 0
            while published := outbox_relay(publisher=recording, batch_size=10):
                total += published
            totals[name] = total
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=relay_until_empty, name=f"relay-{i}") for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sum(totals.values()) == 120
    assert all(totals[name] > 0 for name in ("relay-0", "relay-1"))  # both really worked
    published_ids = [e.event_id for e in stream_events(events_redis, event_stream.stream)]
    assert Counter(published_ids) == Counter(e.event_id for e in events)
    assert sorted(published_ids) == sorted(i for ids in recording.sent_by.values() for i in ids)
    assert OutboxEvent.objects.filter(published_at__isnull=True).count() == 0
    assert set(OutboxEvent.objects.values_list("attempts", flat=True)) == {1}


# -- inbox_handle -------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_inbox_runs_the_handler_once_per_consumer() -> None:
    event = make_event(1)
    handled: list[tuple[str, Event]] = []

    def handler_for(consumer: str):  # type: ignore[no-untyped-def]
        return lambda e: handled.append((consumer, e))

    assert inbox_handle(consumer="order-service", event=event, handler=handler_for("order-service")) is True
    assert inbox_handle(consumer="order-service", event=event, handler=handler_for("order-service")) is False
    assert inbox_handle(consumer="wallet-service", event=event, handler=handler_for("wallet-service")) is True

    assert handled == [("order-service", event), ("wallet-service", event)]
    rows = sorted(InboxEvent.objects.values_list("consumer", "event_id"))
    event_uuid = uuid.UUID(event.event_id)
    assert rows == [("order-service", event_uuid), ("wallet-service", event_uuid)]


@pytest.mark.django_db(transaction=True)
def test_inbox_records_nothing_when_the_handler_fails() -> None:
    event = make_event(1)
    reaction = make_event(2, "reaction.made")
    calls: list[Event] = []

    def reacts_then_fails(e: Event) -> None:
        calls.append(e)
        outbox_publish(reaction)  # the handler's own effect, in the inbox transaction
        if len(calls) == 1:
            raise RuntimeError("downstream hiccup")

    with pytest.raises(RuntimeError, match="downstream hiccup"):
        inbox_handle(consumer="order-service", event=event, handler=reacts_then_fails)

    assert InboxEvent.objects.count() == 0
    assert OutboxEvent.objects.count() == 0  # the effect rolled back with it

    assert inbox_handle(consumer="order-service", event=event, handler=reacts_then_fails) is True
    assert inbox_handle(consumer="order-service", event=event, handler=reacts_then_fails) is False

    assert calls == [event, event]
    assert InboxEvent.objects.count() == 1
    assert [str(i) for i in OutboxEvent.objects.values_list("event_id", flat=True)] == [reaction.event_id]


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_deliveries_run_the_handler_once() -> None:
    event = make_event(1)
    calls: list[str] = []
    results: dict[str, bool] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def slow_handler(_e: Event) -> None:
        calls.append(threading.current_thread().name)
        time.sleep(0.3)  # the duplicate arrives while this transaction is still open

    def deliver() -> None:
        try:
            start.wait()
            results[threading.current_thread().name] = inbox_handle(
                consumer="order-service", event=event, handler=slow_handler
            )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, name=f"delivery-{i}") for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(results.values()) == [False, True]
    assert len(calls) == 1
    assert results[calls[0]] is True
    assert InboxEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_duplicate_delivery_after_a_failed_first_attempt_runs_the_handler() -> None:
    event = make_event(1)
    first_inside = threading.Event()
    release_first = threading.Event()
    outcomes: dict[str, object] = {}

    def first_handler(_e: Event) -> None:
        first_inside.set()
        release_first.wait(5)
        raise RuntimeError("first attempt fails")

    def first() -> None:
        try:
            inbox_handle(consumer="order-service", event=event, handler=first_handler)
        except RuntimeError as exc:
            outcomes["first"] = exc
        finally:
            connection.close()

    second_calls: list[Event] = []

    def second() -> None:
        try:
            outcomes["second"] = inbox_handle(
                consumer="order-service", event=event, handler=second_calls.append
            )
        finally:
            connection.close()

    t1 = threading.Thread(target=first)
    t1.start()
    assert first_inside.wait(5)
    t2 = threading.Thread(target=second)
    t2.start()
    time.sleep(0.2)  # second is now blocked on the unique index held by the first
    assert second_calls == []
    release_first.set()
    t1.join(10)
    t2.join(10)

    assert isinstance(outcomes["first"], RuntimeError)
    assert outcomes["second"] is True
    assert second_calls == [event]
    assert InboxEvent.objects.count() == 1
