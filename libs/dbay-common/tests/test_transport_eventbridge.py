"""EventBridge transport end to end on a moto server: PutEvents -> rule -> SQS -> consumer."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from dbay_common.events import Event
from dbay_common.testing.aws import EventBridgeBus
from dbay_common.transports.base import EventPublishError
from dbay_common.transports.eventbridge import EventBridgePublisher, SqsEventConsumer


def make_event(n: int, *, source: str = "dbay.test", detail_type: str = "thing.happened") -> Event:
    return Event.new(source=source, detail_type=detail_type, data={"n": n})


def queue_depth(bus: EventBridgeBus) -> int:
    attributes = bus.sqs_client.get_queue_attributes(
        QueueUrl=bus.queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return sum(int(value) for value in attributes.values())


def drain(consumer: SqsEventConsumer, *, expected: int, timeout_s: float = 10) -> list[Event]:
    received: list[Event] = []
    deadline = time.monotonic() + timeout_s
    while len(received) < expected and time.monotonic() < deadline:
        consumer.consume(received.append, max_batches=1, block_ms=0)
    return received


class CountingClient:
    """The real moto-backed client, recording each PutEvents request."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.requests: list[list[dict[str, Any]]] = []

    def put_events(self, *, Entries: list[dict[str, Any]]) -> Any:  # noqa: N803 - boto3's name
        self.requests.append(list(Entries))
        return self.client.put_events(Entries=Entries)


def test_rule_routes_only_matching_events_to_the_queue(eventbridge_bus: EventBridgeBus) -> None:
    matching = [make_event(n) for n in range(3)]
    wrong_type = make_event(10, detail_type="thing.vanished")
    wrong_source = make_event(11, source="dbay.elsewhere")
    publisher = EventBridgePublisher(bus_name=eventbridge_bus.bus_name, client=eventbridge_bus.events_client)
    consumer = SqsEventConsumer(queue_url=eventbridge_bus.queue_url, client=eventbridge_bus.sqs_client)

    publisher.publish([matching[0], wrong_type, matching[1], wrong_source, matching[2]])
    received = drain(consumer, expected=3)
    consumer.consume(received.append, max_batches=2, block_ms=0)

    assert sorted(received, key=lambda e: e.data["n"]) == matching
    assert queue_depth(eventbridge_bus) == 0


def test_publisher_sends_batches_of_ten(eventbridge_bus: EventBridgeBus) -> None:
    events = [make_event(n) for n in range(23)]
    client = CountingClient(eventbridge_bus.events_client)
    publisher = EventBridgePublisher(bus_name=eventbridge_bus.bus_name, client=client)  # type: ignore[arg-type]

    publisher.publish(events)

    assert [len(request) for request in client.requests] == [10, 10, 3]
    assert all(entry["EventBusName"] == eventbridge_bus.bus_name for r in client.requests for entry in r)
    consumer = SqsEventConsumer(queue_url=eventbridge_bus.queue_url, client=eventbridge_bus.sqs_client)
    received = drain(consumer, expected=23)
    assert {e.event_id for e in received} == {e.event_id for e in events}
    assert len(received) == 23


class PartlyFailingClient(CountingClient):
    """Rejects the entries at ``reject_positions`` of the first ``failing_calls`` requests, the way
    PutEvents reports throttled entries, and sends the rest to moto."""

    def __init__(self, client: Any, *, reject_positions: set[int], failing_calls: int) -> None:
        super().__init__(client)
        self.reject_positions = reject_positions
        self.failing_calls = failing_calls

    def put_events(self, *, Entries: list[dict[str, Any]]) -> Any:  # noqa: N803 - boto3's name
        self.requests.append(list(Entries))
        if len(self.requests) > self.failing_calls:
            return self.client.put_events(Entries=Entries)
        accepted = [e for i, e in enumerate(Entries) if i not in self.reject_positions]
        real = iter(self.client.put_events(Entries=accepted)["Entries"] if accepted else [])
        results = [
            {"ErrorCode": "ThrottlingException", "ErrorMessage": "Rate exceeded"}
            if i in self.reject_positions
            else next(real)
            for i in range(len(Entries))
        ]
        return {"FailedEntryCount": len(self.reject_positions & set(range(len(Entries)))), "Entries": results}


def test_only_failed_entries_are_retried(eventbridge_bus: EventBridgeBus) -> None:
    events = [make_event(n) for n in range(4)]
    client = PartlyFailingClient(eventbridge_bus.events_client, reject_positions={1, 3}, failing_calls=1)
    publisher = EventBridgePublisher(
        bus_name=eventbridge_bus.bus_name,
        client=client,  # type: ignore[arg-type]
        retry_base_delay_s=0.01,
    )

    publisher.publish(events)

    assert len(client.requests) == 2
    assert [json.loads(e["Detail"])["data"]["n"] for e in client.requests[1]] == [1, 3]
    consumer = SqsEventConsumer(queue_url=eventbridge_bus.queue_url, client=eventbridge_bus.sqs_client)
    received = drain(consumer, expected=4)
    assert sorted(e.data["n"] for e in received) == [0, 1, 2, 3]


def test_persistent_rejection_raises_after_the_retries(eventbridge_bus: EventBridgeBus) -> None:
    events = [make_event(n) for n in range(3)]
    client = PartlyFailingClient(eventbridge_bus.events_client, reject_positions={0}, failing_calls=100)
    publisher = EventBridgePublisher(
        bus_name=eventbridge_bus.bus_name,
        client=client,  # type: ignore[arg-type]
        max_retries=2,
        retry_base_delay_s=0.01,
    )

    with pytest.raises(EventPublishError, match="rejected 1 entries after 3 attempts"):
        publisher.publish(events)

    assert [len(r) for r in client.requests] == [3, 1, 1]
    # The entries that were accepted stay published: the caller's retry makes them duplicates, which
    # consumers absorb through the inbox.
    consumer = SqsEventConsumer(queue_url=eventbridge_bus.queue_url, client=eventbridge_bus.sqs_client)
    assert sorted(e.data["n"] for e in drain(consumer, expected=2)) == [1, 2]


def test_failed_handler_leaves_the_message_for_redelivery(eventbridge_bus: EventBridgeBus) -> None:
    event = make_event(1)
    publisher = EventBridgePublisher(bus_name=eventbridge_bus.bus_name, client=eventbridge_bus.events_client)
    publisher.publish([event])
    consumer = SqsEventConsumer(
        queue_url=eventbridge_bus.queue_url, client=eventbridge_bus.sqs_client, visibility_timeout_s=1
    )
    calls: list[Event] = []

    def fails_once(received: Event) -> None:
        calls.append(received)
        if len(calls) == 1:
            raise RuntimeError("transient")

    consumer.consume(fails_once, max_batches=1, block_ms=0)
    consumer.consume(fails_once, max_batches=1, block_ms=0)  # still invisible
    assert calls == [event]
    assert queue_depth(eventbridge_bus) == 1

    time.sleep(1.2)
    consumer.consume(fails_once, max_batches=1, block_ms=0)

    assert calls == [event, event]
    assert queue_depth(eventbridge_bus) == 0


def test_env_factories_select_eventbridge(
    eventbridge_bus: EventBridgeBus, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dbay_common.transports import build_consumer_from_env, build_publisher_from_env

    monkeypatch.setenv("EVENT_BUS", "eventbridge")
    monkeypatch.setenv("EVENT_BUS_NAME", eventbridge_bus.bus_name)
    monkeypatch.setenv("EVENT_QUEUE_URL", eventbridge_bus.queue_url)
    publisher = build_publisher_from_env()
    consumer = build_consumer_from_env("test-service")
    assert isinstance(publisher, EventBridgePublisher)
    assert isinstance(consumer, SqsEventConsumer)
    event = make_event(7)

    publisher.publish([event])  # default boto3 clients, pointed at moto by AWS_ENDPOINT_URL

    received: list[Event] = []
    consumer.consume(received.append, max_batches=1, block_ms=1000)
    assert received == [event]
