"""live_publish and user_is_online against the real Redis."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator

import pytest
import redis

from notification_service.live.presence import user_is_online
from notification_service.live.publish import live_publish
from notification_service.live.topics import FANOUT_CHANNEL, parse_topic, presence_key, seq_key, stream_key


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(redis_url)
    try:
        yield connection
    finally:
        connection.close()


def test_publish_numbers_messages_per_topic_and_keeps_them_for_replay(client: redis.Redis) -> None:
    topic = f"user:{uuid.uuid4()}"
    other = f"listing:{uuid.uuid4()}"
    assert live_publish(client, topic, "wallet.updated", {"cause": "deposit.detected"}) == 1
    assert live_publish(client, topic, "notifications.read", {"unread_count": 0}) == 2
    assert live_publish(client, other, "listing.updated", {"listing_id": "x", "version": 3}) == 1
    assert client.get(seq_key(topic)) == b"2"
    entries = client.xrange(stream_key(topic))
    assert [entry_id for entry_id, _ in entries] == [b"1-0", b"2-0"]
    frames = [json.loads(fields[b"f"]) for _, fields in entries]
    assert [(f["type"], f["topic"], f["seq"], f["event"], f["data"]) for f in frames] == [
        ("event", topic, 1, "wallet.updated", {"cause": "deposit.detected"}),
        ("event", topic, 2, "notifications.read", {"unread_count": 0}),
    ]
    assert sorted(frames[0]) == ["at", "data", "event", "seq", "topic", "type"]
    assert frames[0]["at"].endswith("Z")
    ttl = client.ttl(stream_key(topic))
    assert 86390 <= ttl <= 86400
    assert 86390 <= client.ttl(seq_key(topic)) <= 86400


def test_publish_sends_the_exact_frame_on_the_fanout_channel(client: redis.Redis) -> None:
    topic = f"user:{uuid.uuid4()}"
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(FANOUT_CHANNEL)
    try:
        time.sleep(0.05)
        seq = live_publish(client, topic, "notification.created", {"unread_count": 4, "text": "Déjà vu"})
        deadline = time.monotonic() + 5
        message = None
        while message is None and time.monotonic() < deadline:
            candidate = pubsub.get_message(timeout=1.0)
            if candidate and json.loads(candidate["data"])["topic"] == topic:
                message = candidate
    finally:
        pubsub.close()
    assert message is not None
    assert seq == 1
    stored = client.xrange(stream_key(topic))[0][1][b"f"]
    assert message["data"] == stored
    frame = json.loads(message["data"])
    assert frame["data"] == {"unread_count": 4, "text": "Déjà vu"}
    assert frame["seq"] == 1


def test_replay_stream_is_capped_at_the_window(client: redis.Redis) -> None:
    topic = f"listing:{uuid.uuid4()}"
    for n in range(1, 8):
        assert live_publish(client, topic, "listing.updated", {"n": n}, window=3, ttl_s=60) == n
    entries = client.xrange(stream_key(topic))
    assert [entry_id for entry_id, _ in entries] == [b"5-0", b"6-0", b"7-0"]
    assert 50 <= client.ttl(seq_key(topic)) <= 60


@pytest.mark.parametrize(
    "topic",
    ["user:not-a-uuid", "orders:" + str(uuid.uuid4()), "user:" + str(uuid.uuid4()).upper(), "", "user"],
)
def test_publish_refuses_what_is_not_a_topic(client: redis.Redis, topic: str) -> None:
    with pytest.raises(ValueError, match="not a live topic"):
        live_publish(client, topic, "wallet.updated", {})


def test_publish_refuses_bad_event_and_data(client: redis.Redis) -> None:
    topic = f"user:{uuid.uuid4()}"
    with pytest.raises(ValueError, match="event name"):
        live_publish(client, topic, "", {})
    with pytest.raises(ValueError, match="JSON"):
        live_publish(client, topic, "wallet.updated", {"when": object()})
    assert client.exists(seq_key(topic)) == 0


def test_parse_topic() -> None:
    ident = str(uuid.uuid4())
    parsed = parse_topic(f"listing:{ident}")
    assert parsed is not None and parsed.public and parsed.name == f"listing:{ident}"
    user = parse_topic(f"user:{ident}")
    assert user is not None and not user.public and user.id == ident
    assert parse_topic(None) is None
    assert parse_topic(f"user:{ident}:x") is None


def test_user_is_online_reads_live_deadlines(client: redis.Redis) -> None:
    user_id = str(uuid.uuid4())
    assert user_is_online(client, user_id) is False
    client.hset(presence_key(user_id), "instance-a", str(int(time.time()) - 5))
    assert user_is_online(client, user_id) is False
    client.hset(presence_key(user_id), "instance-b", str(int(time.time()) + 30))
    assert user_is_online(client, user_id) is True
    assert user_is_online(client, uuid.UUID(user_id)) is True  # type: ignore[arg-type]
    client.hdel(presence_key(user_id), "instance-b")
    assert user_is_online(client, user_id) is False
