"""Live-channel topics and the Redis keys behind them.

A topic names what a client follows: ``user:<uuid>`` (one user's wallet, notifications and messages;
only that user may follow it) or ``listing:<uuid>`` (a listing's public live state; anybody may).
Ids are canonical lowercase UUIDs, so one topic has one spelling everywhere.

Keys carry the topic in a hash tag (``{...}``) so a topic's sequence counter and replay stream stay
on one node of a Redis cluster (the Lua script of :mod:`.publish` touches both).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

__all__ = [
    "FANOUT_CHANNEL",
    "PUBLIC_KINDS",
    "Topic",
    "parse_topic",
    "presence_key",
    "seq_key",
    "stream_key",
]

#: The one Redis pub/sub channel every published frame goes through (every live server listens).
FANOUT_CHANNEL = "dbay:live:fanout"
#: Topic kinds anybody may follow, signed in or not.
PUBLIC_KINDS = frozenset({"listing"})
#: Topic kinds followed only by the user they name.
USER_KINDS = frozenset({"user"})
MAX_TOPIC_LENGTH = 64


@dataclass(frozen=True)
class Topic:
    """A parsed topic: ``kind`` (``user`` or ``listing``) and ``id`` (a canonical UUID string)."""

    kind: str
    id: str

    @property
    def name(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def public(self) -> bool:
        return self.kind in PUBLIC_KINDS


def parse_topic(value: object) -> Topic | None:
    """The topic named by ``value``; None when it is not ``user:<uuid>`` / ``listing:<uuid>`` exactly."""
    if not isinstance(value, str) or len(value) > MAX_TOPIC_LENGTH:
        return None
    kind, sep, ident = value.partition(":")
    if not sep or kind not in PUBLIC_KINDS | USER_KINDS:
        return None
    try:
        canonical = str(uuid.UUID(ident))
    except ValueError:
        return None
    if canonical != ident:
        return None
    return Topic(kind=kind, id=canonical)


def seq_key(topic: str) -> str:
    """The topic's sequence counter (INCR gives the next seq)."""
    return f"dbay:live:{{{topic}}}:seq"


def stream_key(topic: str) -> str:
    """The topic's replay stream: the last frames, entry id ``<seq>-0``, field ``f`` the frame text."""
    return f"dbay:live:{{{topic}}}:replay"


def presence_key(user_id: str) -> str:
    """A signed-in user's presence hash: one field per live server instance, value its deadline."""
    return f"dbay:live:online:{user_id}"
