"""The hub's delivery rules, frame by frame: no frame twice, none missing, whatever the timing."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import redis.asyncio as aioredis

from notification_service.live.hub import Client, Hub, parse_event_head
from notification_service.live.publish import build_frame_parts

from .conftest import live_settings


class Sock:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


def frame(topic: str, seq: int) -> bytes:
    prefix, suffix = build_frame_parts(topic, "listing.updated", {"seq": seq}, "2026-12-07T21:00:00Z")
    return f"{prefix}{seq}{suffix}".encode()


def make_hub(redis_url: str) -> tuple[Hub, list[tuple[list[str], int]]]:
    hub = Hub(aioredis.Redis.from_url(redis_url), live_settings(redis_url), "test")
    sent: list[tuple[list[str], int]] = []

    def record(sockets: Iterable[Any], data: bytes) -> None:
        head = parse_event_head(data)
        assert head is not None
        sent.append((sorted(str(s) for s in sockets), head[1]))

    hub.broadcast = record  # type: ignore[method-assign]
    return hub, sent


def test_frames_in_flight_during_a_replay_reach_each_socket_once(redis_url: str) -> None:
    topic = f"listing:{uuid.uuid4()}"
    hub, sent = make_hub(redis_url)
    early, late = Client(Sock("early")), Client(Sock("late"))  # type: ignore[arg-type]

    hub.start_replay(early, topic)
    hub.go_live(early, topic, 5)  # read seq 5; frame 5 may still be on its way
    hub.dispatch(frame(topic, 5))  # it was: early already has it
    assert sent == []
    hub.dispatch(frame(topic, 6))
    assert sent == [(["early"], 6)]

    hub.start_replay(late, topic)
    hub.dispatch(frame(topic, 7))  # while late replays: buffered for it
    assert late.pending[topic] == [(7, frame(topic, 7))]
    assert hub.take_pending(late, topic) == [(7, frame(topic, 7))]
    hub.go_live(late, topic, 8)  # late's replay read up to 8; frame 8 is still in flight
    hub.dispatch(frame(topic, 8))  # early needs it, late has it
    hub.dispatch(frame(topic, 9))
    hub.dispatch(frame(topic, 9))  # a catch-up overlapping the pub/sub
    hub.dispatch(frame(topic, 8))
    assert sent == [(["early"], 6), (["early"], 7), (["early"], 8), (["early", "late"], 9)]
    assert hub.catching == {}


def test_a_topic_nobody_follows_here_is_ignored_and_forgotten(redis_url: str) -> None:
    topic = f"listing:{uuid.uuid4()}"
    hub, sent = make_hub(redis_url)
    client = Client(Sock("only"))  # type: ignore[arg-type]
    hub.dispatch(frame(topic, 1))
    hub.start_replay(client, topic)
    hub.go_live(client, topic, 1)
    hub.dispatch(frame(topic, 2))
    hub.unfollow(client, topic)
    hub.dispatch(frame(topic, 3))
    assert sent == [(["only"], 2)]
    assert (hub.live, hub.catching, hub.replaying, hub.last_seq) == ({}, {}, {}, {})


def test_parse_event_head_reads_topic_and_seq_without_parsing_the_data() -> None:
    topic = f"user:{uuid.uuid4()}"
    assert parse_event_head(frame(topic, 42)) == (topic, 42)
    assert parse_event_head(b'{"type":"pong"}') is None
    assert parse_event_head(b'{"type":"event","topic":"x","seq":abc,') is None
    assert parse_event_head(b'{"type":"event","topic":"x"') is None
