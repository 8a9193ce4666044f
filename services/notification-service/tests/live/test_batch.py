"""The Redis batcher and the fan-out's recovery from a lost subscription, against the real Redis."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
import redis
import redis.asyncio as aioredis
from redis.exceptions import ResponseError

from notification_service.live.batch import RedisBatcher
from notification_service.live.publish import live_publish

from .conftest import LiveServer, recv, send


def test_concurrent_requests_share_pipelines_and_get_their_own_answers(redis_url: str) -> None:
    prefix = f"test:{uuid.uuid4().hex}:"

    async def scenario() -> tuple[list[list[object]], int]:
        client = aioredis.Redis.from_url(redis_url)
        batcher = RedisBatcher(client)
        try:
            answers = await asyncio.gather(
                *(
                    batcher.run([("set", (f"{prefix}{n}", str(n)), {}), ("get", (f"{prefix}{n}",), {})])
                    for n in range(300)
                )
            )
            return list(answers), batcher.batches
        finally:
            await client.aclose()

    answers, batches = asyncio.run(scenario())
    assert answers == [[True, str(n).encode()] for n in range(300)]
    assert 1 <= batches <= 3


def test_a_failing_batch_fails_its_requests_and_the_next_one_works(redis_url: str) -> None:
    key = f"test:{uuid.uuid4().hex}"

    async def scenario() -> list[object]:
        client = aioredis.Redis.from_url(redis_url)
        batcher = RedisBatcher(client)
        try:
            await client.set(key, "text")
            with pytest.raises(ResponseError):
                await batcher.run([("incr", (key,), {})])
            return await batcher.run([("get", (key,), {})])
        finally:
            await client.aclose()

    assert asyncio.run(scenario()) == [b"text"]


def test_a_lost_fanout_subscription_is_restored_without_losing_messages(
    server: LiveServer, rclient: redis.Redis
) -> None:
    topic = f"listing:{uuid.uuid4()}"
    ws = server.connect()
    send(ws, {"op": "subscribe", "topic": topic})
    assert recv(ws)["type"] == "subscribed"
    live_publish(rclient, topic, "listing.updated", {"n": 1})
    assert recv(ws)["seq"] == 1
    name = f"dbay-live:{server.hub.instance_id}"
    subscribers = [c for c in rclient.client_list() if c["name"] == name and int(c["sub"]) > 0]
    assert len(subscribers) == 1
    rclient.client_kill_filter(_id=subscribers[0]["id"])
    for n in range(2, 6):
        live_publish(rclient, topic, "listing.updated", {"n": n})
    assert [recv(ws, timeout=5)["seq"] for _ in range(4)] == [2, 3, 4, 5]
    deadline = time.monotonic() + 5
    while not [c for c in rclient.client_list() if c["name"] == name and int(c["sub"]) > 0]:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    live_publish(rclient, topic, "listing.updated", {"n": 6})
    assert recv(ws)["seq"] == 6
    send(ws, {"op": "ping"})
    assert recv(ws) == {"type": "pong"}
