"""``run_consumer``: routing by detail type, dedupe, and stopping on SIGTERM/SIGINT (real Redis)."""

from __future__ import annotations

import signal
from types import FrameType

import pytest
import redis

from dbay_common.events import Event
from dbay_common.shutdown import STOP_SIGNALS
from dbay_common.testing.events import EventStreamNames
from dbay_common.transports.base import EventHandler, build_publisher_from_env
from dbay_common.transports.runner import run_consumer

GROUP = "runner-tests"


def publish(*detail_types: str) -> list[Event]:
    events = [
        Event.new(source="dbay.test", detail_type=kind, data={"n": n}) for n, kind in enumerate(detail_types)
    ]
    build_publisher_from_env().publish(events)
    return events


def pending(client: redis.Redis, stream: str) -> int:
    return int(client.xpending(stream, GROUP)["pending"])


def test_each_event_goes_to_the_handler_of_its_type_and_others_are_acknowledged(
    event_bus_env: EventStreamNames, events_redis: redis.Redis
) -> None:
    placed, _closed, also_placed = publish("bid.placed", "auction.closed", "bid.placed")
    seen: list[Event] = []

    run_consumer(group=GROUP, handlers={"bid.placed": seen.append}, max_batches=1, block_ms=200)

    assert seen == [placed, also_placed]
    assert pending(events_redis, event_bus_env.stream) == 0
    assert events_redis.exists(event_bus_env.dead_letter_stream) == 0


def test_dedupe_wraps_every_handled_event_and_only_those(
    event_bus_env: EventStreamNames, events_redis: redis.Redis
) -> None:
    placed, _closed = publish("bid.placed", "auction.closed")
    seen: list[Event] = []
    deduped: list[tuple[Event, EventHandler]] = []

    def dedupe(event: Event, handler: EventHandler) -> None:
        deduped.append((event, handler))
        handler(event)

    run_consumer(
        group=GROUP, handlers={"bid.placed": seen.append}, dedupe=dedupe, max_batches=1, block_ms=200
    )

    assert deduped == [(placed, seen.append)]
    assert seen == [placed]
    assert pending(events_redis, event_bus_env.stream) == 0


def test_an_event_whose_handler_fails_stays_pending(
    event_bus_env: EventStreamNames, events_redis: redis.Redis
) -> None:
    publish("bid.placed")

    def fail(_event: Event) -> None:
        raise RuntimeError("handler failed")

    run_consumer(group=GROUP, handlers={"bid.placed": fail}, max_batches=1, block_ms=200)

    assert pending(events_redis, event_bus_env.stream) == 1
    assert events_redis.exists(event_bus_env.dead_letter_stream) == 0


@pytest.mark.parametrize("stop_signal", STOP_SIGNALS, ids=lambda sig: signal.Signals(sig).name)
def test_a_stop_signal_finishes_the_event_in_hand_then_returns(
    stop_signal: int, event_bus_env: EventStreamNames, events_redis: redis.Redis
) -> None:
    first, _second = publish("bid.placed", "bid.placed")
    seen: list[Event] = []
    leaked: list[int] = []

    def handle_then_signal(event: Event) -> None:
        seen.append(event)
        signal.raise_signal(stop_signal)  # as Kubernetes would, while a handler runs

    def guard(signum: int, _frame: FrameType | None) -> None:
        leaked.append(signum)  # reached only if run_consumer did not install its own handler

    previous = signal.signal(stop_signal, guard)
    try:
        run_consumer(group=GROUP, handlers={"bid.placed": handle_then_signal}, max_batches=5, block_ms=200)
        restored = signal.getsignal(stop_signal)
    finally:
        signal.signal(stop_signal, previous)

    assert seen == [first]  # the event in hand finished; the next one was not started
    assert leaked == []
    assert restored is guard
    # The first was acknowledged; the second, read in the same batch, waits for the next consumer.
    assert pending(events_redis, event_bus_env.stream) == 1
