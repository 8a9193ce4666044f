import pytest
from dbay_common.events.envelope import Event
from dbay_common.transports.base import build_publisher_from_env
from search_gateway import worker

GROUP = "search-gateway"


def publish(detail_type: str) -> Event:
    event = Event.new(source="dbay.test", detail_type=detail_type, data={"n": 1})
    build_publisher_from_env().publish([event])
    return event


@pytest.fixture
def handled(monkeypatch):
    """Register a recording handler for "test.happened" for the duration of the test."""
    seen: list[Event] = []
    monkeypatch.setitem(worker.HANDLERS, "test.happened", seen.append)
    return seen


def test_worker_hands_each_event_to_the_handler_of_its_type(event_bus_env, events_redis, handled):
    event = publish("test.happened")

    worker.run(max_batches=1, block_ms=200)

    assert handled == [event]
    assert events_redis.xpending(event_bus_env.stream, GROUP)["pending"] == 0


def test_worker_acknowledges_and_ignores_types_it_has_no_handler_for(event_bus_env, events_redis, handled):
    publish("test.ignored")

    worker.run(max_batches=1, block_ms=200)

    assert handled == []
    assert events_redis.xpending(event_bus_env.stream, GROUP)["pending"] == 0
    assert events_redis.xlen(event_bus_env.dead_letter_stream) == 0


def test_worker_leaves_an_event_pending_when_its_handler_fails(event_bus_env, events_redis, monkeypatch):
    def fail(_event: Event) -> None:
        raise RuntimeError("handler failed")

    monkeypatch.setitem(worker.HANDLERS, "test.happened", fail)
    publish("test.happened")

    worker.run(max_batches=1, block_ms=200)

    assert events_redis.xpending(event_bus_env.stream, GROUP)["pending"] == 1
