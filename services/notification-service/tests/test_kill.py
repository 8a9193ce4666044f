"""Kill the consumer between receiving an event and acknowledging it: the notification and its email
are created once (the worker runs as a subprocess and is SIGKILLed; real FerretDB and Redis Streams)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from dbay_common.events.envelope import Event
from dbay_common.testing.events import EventStreamNames
from dbay_common.transports.redis_streams import RedisStreamsPublisher
from notification_service import worker
from notification_service.config import SERVICE
from notification_service.db import EMAILS, NOTIFICATIONS

SERVICE_ROOT = Path(__file__).resolve().parents[1]
CLAIM_IDLE_MS = 300


@pytest.fixture
def bus_env(
    service_env: dict[str, str],
    events_redis_url: str,
    event_stream: EventStreamNames,
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, str]:
    env = {
        **service_env,
        "EVENT_BUS": "redis",
        "EVENT_BUS_REDIS_URL": events_redis_url,
        "EVENT_BUS_STREAM": event_stream.stream,
        "EVENT_BUS_DEAD_LETTER_STREAM": event_stream.dead_letter_stream,
        "EVENT_CLAIM_IDLE_MS": str(CLAIM_IDLE_MS),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def publisher(events_redis_url: str, event_stream: EventStreamNames) -> Iterator[RedisStreamsPublisher]:
    bus = RedisStreamsPublisher(redis_url=events_redis_url, stream=event_stream.stream)
    yield bus
    bus.close()


def kill_at(mode: str, line: str, env: dict[str, str]) -> None:
    process = subprocess.Popen(
        [sys.executable, "tests/kill_worker.py", mode],
        cwd=SERVICE_ROOT,
        env={**os.environ, **env, "EVENT_CONSUMER_NAME": "doomed"},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == line
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=10) == -signal.SIGKILL


@pytest.mark.parametrize(
    ("mode", "line", "emails_before_restart"),
    [("after-handler", "HANDLED", 1), ("before-email", "NOTIFIED", 0)],
)
def test_a_worker_killed_before_acknowledging_creates_everything_once(
    mode: str,
    line: str,
    emails_before_restart: int,
    db: Any,
    event: Callable[[str, dict[str, Any]], Event],
    member: Callable[..., str],
    bus_env: dict[str, str],
    publisher: RedisStreamsPublisher,
    events_redis: redis.Redis,
    event_stream: EventStreamNames,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user_id = member()
    publisher.publish(
        [
            event(
                "withdrawal.broadcast",
                {
                    "withdrawal_id": "w-1",
                    "user_id": user_id,
                    "txid": "cd" * 32,
                    "amount_koinu": "200000000",
                    "fee_koinu": "1000000",
                },
            )
        ]
    )

    kill_at(mode, line, bus_env)

    assert db[NOTIFICATIONS].count_documents({}) == 1
    assert db[EMAILS].count_documents({}) == emails_before_restart
    assert events_redis.xpending(event_stream.stream, SERVICE)["pending"] == 1  # never acknowledged

    time.sleep(CLAIM_IDLE_MS / 1000 + 0.2)
    monkeypatch.setenv("EVENT_CONSUMER_NAME", "survivor")
    worker.run(max_batches=3, block_ms=100)

    assert [n["title"] for n in db[NOTIFICATIONS].find()] == ["Withdrawal of 2 DOGE sent"]
    assert [e["subject"] for e in db[EMAILS].find()] == ["Withdrawal of 2 DOGE sent"]
    assert events_redis.xpending(event_stream.stream, SERVICE)["pending"] == 0
