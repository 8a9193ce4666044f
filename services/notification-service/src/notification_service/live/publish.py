"""Publishing on the live channel: ``live_publish(redis_client, topic, event, data) -> seq``.

One atomic Lua script per message, so the sequence number, the replay stream and the fan-out always
agree and messages of one topic are published in seq order:

1. ``INCR`` the topic's counter: the message's ``seq`` (1, 2, 3, ... per topic);
2. ``XADD`` the frame to the topic's replay stream with entry id ``<seq>-0``, trimmed to the last
   ``LIVE_REPLAY_WINDOW`` entries; counter and stream expire ``LIVE_REPLAY_TTL_S`` after the last
   message (a topic quiet for longer starts again at seq 1, and a client that asks to resume from
   an old seq is told to ``reset``);
3. ``PUBLISH`` the frame on the one fan-out channel every live server listens to.

The frame is built here, once, as the exact text clients receive, so a live server forwards it
without parsing it again.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import redis

from notification_service.live.settings import replay_settings
from notification_service.live.topics import FANOUT_CHANNEL, parse_topic, seq_key, stream_key

__all__ = ["PUBLISH_SCRIPT", "build_frame_parts", "live_publish"]

#: KEYS: seq counter, replay stream. ARGV: frame text before the seq, frame text after the seq,
#: replay window (entries), replay ttl (s), fan-out channel.
PUBLISH_SCRIPT = """
local seq = redis.call('INCR', KEYS[1])
local frame = ARGV[1] .. seq .. ARGV[2]
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[3], seq .. '-0', 'f', frame)
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
redis.call('PUBLISH', ARGV[5], frame)
return seq
"""

MAX_EVENT_NAME_LENGTH = 64


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def build_frame_parts(topic: str, event: str, data: dict[str, Any], at: str) -> tuple[str, str]:
    """The event frame's text split around its seq: ``prefix + str(seq) + suffix`` is the frame."""
    head = json.dumps({"type": "event", "topic": topic}, separators=(",", ":"))
    tail = json.dumps({"event": event, "data": data, "at": at}, separators=(",", ":"), ensure_ascii=False)
    return f'{head[:-1]},"seq":', f",{tail[1:]}"


def live_publish(
    redis_client: redis.Redis,
    topic: str,
    event: str,
    data: dict[str, Any],
    *,
    window: int | None = None,
    ttl_s: int | None = None,
) -> int:
    """Publish ``event`` with ``data`` on ``topic``; return the message's seq.

    ``topic`` is ``user:<uuid>`` or ``listing:<uuid>``; ``data`` must be JSON-serialisable. A bad
    topic, event name or data raises :class:`ValueError` (a programming error, not user input).
    ``window`` and ``ttl_s`` override ``LIVE_REPLAY_WINDOW`` / ``LIVE_REPLAY_TTL_S`` (tests).
    Redis errors propagate (the caller decides whether a lost live message matters: the web app
    refetches on reconnect, so a notification worker may log and go on).
    """
    parsed = parse_topic(topic)
    if parsed is None:
        raise ValueError(f"not a live topic: {topic!r}")
    if not isinstance(event, str) or not event or len(event) > MAX_EVENT_NAME_LENGTH:
        raise ValueError(f"not a live event name: {event!r}")
    if not isinstance(data, dict):
        raise ValueError("live event data must be a dict")
    try:
        prefix, suffix = build_frame_parts(parsed.name, event, data, _now_iso())
    except (TypeError, ValueError) as error:
        raise ValueError(f"live event data is not JSON-serialisable: {error}") from None
    configured_window, configured_ttl = replay_settings()
    script = redis_client.register_script(PUBLISH_SCRIPT)
    seq = script(
        keys=[seq_key(parsed.name), stream_key(parsed.name)],
        args=[
            prefix,
            suffix,
            window if window is not None else configured_window,
            ttl_s if ttl_s is not None else configured_ttl,
            FANOUT_CHANNEL,
        ],
    )
    return int(seq)
