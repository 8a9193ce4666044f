"""Frames the server cannot use are answered with an error; the socket keeps working."""

from __future__ import annotations

import json
import uuid

import pytest
from websockets.exceptions import ConnectionClosed

from .conftest import LiveServer, recv, send

BAD_TOPIC = "A topic is user:<id> or listing:<id>."
BAD_AFTER = "after must be a whole number of at least 0, or null."


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\x00\x01", "Send frames as JSON text, not binary."),
        ("{not json", "This frame is not valid JSON."),
        ("[1, 2]", "A frame is a JSON object with an op."),
        ('"ping"', "A frame is a JSON object with an op."),
        ("{}", "Unknown op. Use auth, subscribe, unsubscribe or ping."),
        ('{"op": "publish", "topic": "x"}', "Unknown op. Use auth, subscribe, unsubscribe or ping."),
        ('{"op": ["ping"]}', "Unknown op. Use auth, subscribe, unsubscribe or ping."),
        ('{"op": "subscribe"}', BAD_TOPIC),
        ('{"op": "subscribe", "topic": "listing:42"}', BAD_TOPIC),
        ('{"op": "subscribe", "topic": "orders:' + str(uuid.uuid4()) + '"}', BAD_TOPIC),
        ('{"op": "subscribe", "topic": 7}', BAD_TOPIC),
        ('{"op": "subscribe", "topic": "listing:' + str(uuid.uuid4()) + '", "after": -1}', BAD_AFTER),
        ('{"op": "subscribe", "topic": "listing:' + str(uuid.uuid4()) + '", "after": "3"}', BAD_AFTER),
        ('{"op": "subscribe", "topic": "listing:' + str(uuid.uuid4()) + '", "after": true}', BAD_AFTER),
        ('{"op": "subscribe", "topic": "listing:' + str(uuid.uuid4()) + '", "after": 1.5}', BAD_AFTER),
        ('{"op": "unsubscribe", "topic": null}', BAD_TOPIC),
        ("1e999999", "A frame is a JSON object with an op."),
    ],
)
def test_bad_frames_are_answered_with_bad_request(server: LiveServer, raw: str | bytes, message: str) -> None:
    ws = server.connect()
    ws.send(raw)
    assert recv(ws) == {"type": "error", "code": "bad_request", "message": message}
    send(ws, {"op": "ping"})
    assert recv(ws) == {"type": "pong"}


def test_a_stream_of_garbage_never_breaks_the_socket(server: LiveServer) -> None:
    ws = server.connect()
    garbage = ["", " ", "null", '{"op": null}', "{" * 5000, '{"op": "subscribe", "topic": {"a": 1}}']
    for raw in garbage:
        ws.send(raw)
    answers = [recv(ws) for _ in garbage]
    assert [a["code"] for a in answers] == ["bad_request"] * len(garbage)
    send(ws, {"op": "ping"})
    assert recv(ws) == {"type": "pong"}


def test_a_frame_over_the_size_limit_closes_1009(server: LiveServer) -> None:
    ws = server.connect()
    ws.send(json.dumps({"op": "ping", "pad": "x" * 20000}))
    with pytest.raises(ConnectionClosed) as info:
        recv(ws)
    assert info.value.rcvd is not None and info.value.rcvd.code == 1009
