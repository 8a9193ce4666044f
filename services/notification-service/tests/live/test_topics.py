"""Subscribing: who may follow what, replay after a reconnect, reset, fan-out across instances."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import redis
from websockets.sync.client import ClientConnection

from notification_service.live.publish import live_publish

from .conftest import MAX_TOPICS, WINDOW, LiveServer, User, recv, send, sign_in


def publish(client: redis.Redis, topic: str, n: int) -> int:
    return live_publish(client, topic, "listing.updated", {"n": n}, window=WINDOW, ttl_s=300)


def events(ws: ClientConnection, count: int) -> list[dict[str, Any]]:
    return [recv(ws) for _ in range(count)]


def nothing_more(ws: ClientConnection) -> None:
    """The next frame is the answer to a ping: nothing else was queued."""
    send(ws, {"op": "ping"})
    assert recv(ws) == {"type": "pong"}


def test_own_user_topic_delivers_events_with_exact_frames(
    server: LiveServer, make_user: Callable[..., User], rclient: redis.Redis
) -> None:
    user = make_user()
    topic = f"user:{user.id}"
    ws = server.connect()
    sign_in(ws, user)
    send(ws, {"op": "subscribe", "topic": topic, "after": None})
    assert recv(ws) == {"type": "subscribed", "topic": topic, "seq": 0}
    seq = live_publish(rclient, topic, "wallet.updated", {"cause": "deposit.detected", "deposit_id": "d-1"})
    frame = recv(ws)
    assert frame == {
        "type": "event",
        "topic": topic,
        "seq": seq,
        "event": "wallet.updated",
        "data": {"cause": "deposit.detected", "deposit_id": "d-1"},
        "at": frame["at"],
    }
    assert seq == 1 and frame["at"].endswith("Z")
    nothing_more(ws)


def test_user_topics_are_only_for_their_own_user(server: LiveServer, make_user: Callable[..., User]) -> None:
    someone = str(uuid.uuid4())
    anonymous = server.connect()
    send(anonymous, {"op": "subscribe", "topic": f"user:{someone}"})
    assert recv(anonymous) == {
        "type": "error",
        "code": "forbidden_topic",
        "topic": f"user:{someone}",
        "message": "Sign in to follow your own updates.",
    }
    signed_in = server.connect()
    sign_in(signed_in, make_user())
    send(signed_in, {"op": "subscribe", "topic": f"user:{someone}", "after": 0})
    assert recv(signed_in) == {
        "type": "error",
        "code": "forbidden_topic",
        "topic": f"user:{someone}",
        "message": "You can only follow your own updates.",
    }
    nothing_more(signed_in)


def test_anonymous_sockets_follow_public_topics(server: LiveServer, rclient: redis.Redis) -> None:
    topic = f"listing:{uuid.uuid4()}"
    publish(rclient, topic, 1)
    ws = server.connect()
    send(ws, {"op": "subscribe", "topic": topic, "after": None})
    assert recv(ws) == {"type": "subscribed", "topic": topic, "seq": 1}
    publish(rclient, topic, 2)
    frame = recv(ws)
    assert (frame["topic"], frame["seq"], frame["data"]) == (topic, 2, {"n": 2})


def test_reconnect_with_after_replays_exactly_what_was_missed_in_order(
    server: LiveServer, make_user: Callable[..., User], rclient: redis.Redis
) -> None:
    user = make_user()
    topic = f"user:{user.id}"
    ws = server.connect()
    sign_in(ws, user)
    send(ws, {"op": "subscribe", "topic": topic, "after": None})
    assert recv(ws)["seq"] == 0
    publish(rclient, topic, 1)
    publish(rclient, topic, 2)
    seen = events(ws, 2)
    assert [f["seq"] for f in seen] == [1, 2]
    ws.close()
    for n in range(3, 8):
        publish(rclient, topic, n)
    again = server.connect()
    sign_in(again, user)
    send(again, {"op": "subscribe", "topic": topic, "after": seen[-1]["seq"]})
    replayed = events(again, 5)
    assert [(f["type"], f["seq"], f["data"]["n"]) for f in replayed] == [("event", n, n) for n in range(3, 8)]
    assert recv(again) == {"type": "subscribed", "topic": topic, "seq": 7}
    publish(rclient, topic, 8)
    assert recv(again)["seq"] == 8
    nothing_more(again)


def test_after_equal_to_latest_replays_nothing(server: LiveServer, rclient: redis.Redis) -> None:
    topic = f"listing:{uuid.uuid4()}"
    for n in range(1, 4):
        publish(rclient, topic, n)
    ws = server.connect()
    send(ws, {"op": "subscribe", "topic": topic, "after": 3})
    assert recv(ws) == {"type": "subscribed", "topic": topic, "seq": 3}
    nothing_more(ws)


def test_after_beyond_the_replay_window_answers_reset(server: LiveServer, rclient: redis.Redis) -> None:
    topic = f"listing:{uuid.uuid4()}"
    for n in range(1, 9):
        live_publish(rclient, topic, "listing.updated", {"n": n}, window=5, ttl_s=300)
    ws = server.connect()
    send(ws, {"op": "subscribe", "topic": topic, "after": 2})
    assert recv(ws) == {"type": "reset", "topic": topic, "seq": 8}
    live_publish(rclient, topic, "listing.updated", {"n": 9}, window=5, ttl_s=300)
    assert recv(ws)["seq"] == 9
    send(ws, {"op": "subscribe", "topic": topic, "after": 3})
    assert recv(ws) == {"type": "reset", "topic": topic, "seq": 9}
    send(ws, {"op": "subscribe", "topic": topic, "after": 4})
    assert [f["seq"] for f in events(ws, 5)] == [5, 6, 7, 8, 9]
    assert recv(ws) == {"type": "subscribed", "topic": topic, "seq": 9}
    nothing_more(ws)


def test_after_ahead_of_the_topic_answers_reset(server: LiveServer) -> None:
    topic = f"listing:{uuid.uuid4()}"
    ws = server.connect()
    send(ws, {"op": "subscribe", "topic": topic, "after": 12})
    assert recv(ws) == {"type": "reset", "topic": topic, "seq": 0}


def test_unsubscribe_stops_delivery(server: LiveServer, rclient: redis.Redis) -> None:
    topic = f"listing:{uuid.uuid4()}"
    ws = server.connect()
    send(ws, {"op": "subscribe", "topic": topic})
    assert recv(ws)["type"] == "subscribed"
    send(ws, {"op": "unsubscribe", "topic": topic})
    nothing_more(ws)
    publish(rclient, topic, 1)
    time.sleep(0.2)
    nothing_more(ws)
    assert topic not in server.hub.live


def test_a_connection_follows_a_limited_number_of_topics(server: LiveServer) -> None:
    ws = server.connect()
    topics = [f"listing:{uuid.uuid4()}" for _ in range(MAX_TOPICS + 1)]
    for topic in topics[:MAX_TOPICS]:
        send(ws, {"op": "subscribe", "topic": topic})
        assert recv(ws)["type"] == "subscribed"
    send(ws, {"op": "subscribe", "topic": topics[0], "after": 0})
    assert recv(ws) == {"type": "subscribed", "topic": topics[0], "seq": 0}
    send(ws, {"op": "subscribe", "topic": topics[-1]})
    assert recv(ws) == {
        "type": "error",
        "code": "too_many_topics",
        "topic": topics[-1],
        "message": f"One connection can follow at most {MAX_TOPICS} topics. Unsubscribe from one first.",
    }
    send(ws, {"op": "unsubscribe", "topic": topics[1]})
    send(ws, {"op": "subscribe", "topic": topics[-1]})
    assert recv(ws)["type"] == "subscribed"


def test_any_instance_delivers_any_message(
    server: LiveServer, other_server: LiveServer, make_user: Callable[..., User], rclient: redis.Redis
) -> None:
    listing = f"listing:{uuid.uuid4()}"
    user = make_user()
    on_first = server.connect()
    on_second = server.connect()
    on_other = other_server.connect()
    sign_in(on_other, user)
    for ws in (on_first, on_second, on_other):
        send(ws, {"op": "subscribe", "topic": listing})
        assert recv(ws)["type"] == "subscribed"
    send(on_other, {"op": "subscribe", "topic": f"user:{user.id}"})
    assert recv(on_other)["type"] == "subscribed"
    publish(rclient, listing, 1)
    live_publish(rclient, f"user:{user.id}", "notifications.read", {"unread_count": 2})
    for ws in (on_first, on_second):
        frame = recv(ws)
        assert (frame["topic"], frame["seq"], frame["data"]) == (listing, 1, {"n": 1})
        nothing_more(ws)
    first, second = recv(on_other), recv(on_other)
    assert (first["topic"], first["seq"]) == (listing, 1)
    assert (second["topic"], second["seq"], second["data"]) == (f"user:{user.id}", 1, {"unread_count": 2})
    nothing_more(on_other)


def test_subscribing_while_messages_flow_loses_and_repeats_nothing(
    server: LiveServer, redis_url: str
) -> None:
    topic = f"listing:{uuid.uuid4()}"
    total = 300
    publisher = redis.Redis.from_url(redis_url)
    started = threading.Event()

    def flood() -> None:
        for n in range(1, total + 1):
            publish(publisher, topic, n)
            if n == 20:
                started.set()

    thread = threading.Thread(target=flood)
    thread.start()
    try:
        assert started.wait(5)
        ws = server.connect()
        send(ws, {"op": "subscribe", "topic": topic, "after": 0})
        seqs: list[int] = []
        subscribed_at: int | None = None
        while len(seqs) < total:
            frame = json.loads(ws.recv(timeout=5))
            if frame["type"] == "subscribed":
                subscribed_at = frame["seq"]
            else:
                seqs.append(frame["seq"])
    finally:
        thread.join()
        publisher.close()
    assert seqs == list(range(1, total + 1))
    assert subscribed_at is not None and 20 <= subscribed_at <= total
    nothing_more(ws)


def test_an_anonymous_socket_can_sign_in_later_and_then_follow_its_user_topic(
    server: LiveServer, make_user: Callable[..., User], rclient: redis.Redis
) -> None:
    user = make_user()
    listing = f"listing:{uuid.uuid4()}"
    ws = server.connect()
    send(ws, {"op": "subscribe", "topic": listing})
    assert recv(ws)["type"] == "subscribed"
    sign_in(ws, user)
    send(ws, {"op": "subscribe", "topic": f"user:{user.id}"})
    assert recv(ws) == {"type": "subscribed", "topic": f"user:{user.id}", "seq": 0}
    publish(rclient, listing, 1)
    live_publish(rclient, f"user:{user.id}", "wallet.updated", {"cause": "deposit.confirmed"})
    assert [(f["topic"], f["seq"]) for f in events(ws, 2)] == [(listing, 1), (f"user:{user.id}", 1)]
