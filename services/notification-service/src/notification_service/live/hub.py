"""One live server process's shared state: who follows which topic, the fan-out, presence, checks.

* **Fan-out.** The process holds one Redis pub/sub subscription (the fan-out channel every
  :func:`~notification_service.live.publish.live_publish` writes to) and hands each frame to the
  local sockets following its topic with :func:`websockets.asyncio.server.broadcast` (no per-socket
  task, no re-serialisation: the frame published is the frame sent). Any instance delivers any
  message because every instance receives every frame.
* **No gaps, no duplicates.** Frames of a topic arrive in seq order (the publish script is atomic).
  The hub remembers the last seq it delivered per followed topic; a frame at or below it is dropped.
  When the pub/sub connection is lost, the hub re-subscribes and then catches up from each followed
  topic's replay stream, so a Redis blip loses nothing that is still in the window.
* **Subscriptions in progress.** While a socket replays a topic's history, new frames of that topic
  are buffered for it and sent after the replay (those already replayed are skipped).
* **Checks** (every ``LIVE_REVOCATION_CHECK_MS``): sockets whose token expired are closed 4401, and
  one pipelined ``EXISTS`` over the distinct session ids of open sockets finds revoked sessions,
  closed 4403. Every third of ``LIVE_PRESENCE_TTL_S`` the presence marks of signed-in users are
  pushed forward.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Iterable
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError
from websockets.asyncio.server import ServerConnection, broadcast

from notification_service.live import protocol
from notification_service.live.batch import Command, RedisBatcher
from notification_service.live.settings import LiveSettings
from notification_service.live.topics import FANOUT_CHANNEL, presence_key, seq_key, stream_key

__all__ = ["REVOKED_SESSION_KEY", "Client", "Hub", "parse_event_head"]

logger = logging.getLogger(__name__)

#: The revocation list dbay_common.sessions.RevokedSessions keeps in this service's Redis.
REVOKED_SESSION_KEY = "dbay:revoked-session:{}"
_HEAD = b'{"type":"event","topic":"'
_SEQ = b',"seq":'
FANOUT_RETRY_MAX_S = 5.0


class Client:
    """One open socket: who is signed in on it and what it follows."""

    __slots__ = ("closing", "expires_at", "pending", "session_id", "topics", "user_id", "ws")

    def __init__(self, ws: ServerConnection) -> None:
        self.ws = ws
        self.user_id: str | None = None
        self.session_id: str | None = None
        self.expires_at: float | None = None
        #: Topics followed, live or still replaying.
        self.topics: set[str] = set()
        #: Topic → frames (seq, text) that arrived while the topic was replaying.
        self.pending: dict[str, list[tuple[int, bytes]]] = {}
        self.closing = False


def parse_event_head(frame: bytes) -> tuple[str, int] | None:
    """``(topic, seq)`` of a published event frame (read from its fixed head, no JSON parse)."""
    if not frame.startswith(_HEAD):
        return None
    end = frame.find(b'"', len(_HEAD))
    if end < 0 or not frame.startswith(_SEQ, end + 1):
        return None
    start = end + 1 + len(_SEQ)
    stop = frame.find(b",", start)
    digits = frame[start:stop] if stop > 0 else b""
    if not digits.isdigit():
        return None
    try:
        return frame[len(_HEAD) : end].decode("ascii"), int(digits)
    except UnicodeDecodeError:
        return None


class Hub:
    """Subscriptions, fan-out and periodic checks of one live server process."""

    def __init__(self, redis_client: aioredis.Redis, settings: LiveSettings, instance_id: str) -> None:
        self.redis = redis_client
        self.settings = settings
        self.instance_id = instance_id
        self.clients: set[Client] = set()
        self.live: dict[str, set[ServerConnection]] = {}
        self.replaying: dict[str, set[Client]] = {}
        #: Topic → sockets that finished their replay at a seq above the topic's delivered seq, with
        #: that seq (they get frames above it, then join :attr:`live`).
        self.catching: dict[str, dict[Client, int]] = {}
        self.last_seq: dict[str, int] = {}
        self.users: dict[str, int] = {}
        self.fanout_ready = asyncio.Event()
        self.delivered = 0
        self._tasks: set[asyncio.Task[Any]] = set()
        self.batch = RedisBatcher(redis_client)

    # -- background work --------------------------------------------------------------------------------

    def spawn(self, coroutine: Awaitable[Any]) -> None:
        """Run ``coroutine`` in the background, keeping a reference until it ends."""
        task: asyncio.Task[Any] = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- subscriptions ----------------------------------------------------------------------------------

    def start_replay(self, client: Client, topic: str) -> None:
        """Follow ``topic``, buffering its frames until :meth:`go_live`."""
        self.unfollow(client, topic)
        client.topics.add(topic)
        client.pending[topic] = []
        self.replaying.setdefault(topic, set()).add(client)

    def take_pending(self, client: Client, topic: str) -> list[tuple[int, bytes]]:
        """The frames buffered so far for ``client`` on ``topic`` (the buffer is emptied)."""
        buffered = client.pending.get(topic)
        if not buffered:
            return []
        client.pending[topic] = []
        return buffered

    def go_live(self, client: Client, topic: str, latest: int) -> None:
        """Replay done (and the buffer empty): later frames go straight to the socket.

        Frames up to ``latest`` may still be on their way through the pub/sub (published before
        the replay read them, not dispatched yet): until the topic's delivered seq reaches
        ``latest``, the socket waits in :attr:`catching` and gets only frames above ``latest``.
        """
        client.pending.pop(topic, None)
        waiting = self.replaying.get(topic)
        if waiting is not None:
            waiting.discard(client)
            if not waiting:
                del self.replaying[topic]
        delivered = self.last_seq.get(topic)
        if delivered is not None and delivered >= latest:
            self.live.setdefault(topic, set()).add(client.ws)
        else:
            self.catching.setdefault(topic, {})[client] = latest

    def unfollow(self, client: Client, topic: str) -> None:
        client.topics.discard(topic)
        client.pending.pop(topic, None)
        sockets = self.live.get(topic)
        if sockets is not None:
            sockets.discard(client.ws)
            if not sockets:
                del self.live[topic]
        waiting = self.replaying.get(topic)
        if waiting is not None:
            waiting.discard(client)
            if not waiting:
                del self.replaying[topic]
        catching = self.catching.get(topic)
        if catching is not None:
            catching.pop(client, None)
            if not catching:
                del self.catching[topic]
        if not self.followed(topic):
            self.last_seq.pop(topic, None)

    def followed(self, topic: str) -> bool:
        """Whether any local socket follows ``topic`` (live, catching up or replaying)."""
        return topic in self.live or topic in self.catching or topic in self.replaying

    async def read_replay(self, topic: str, after: int | None) -> tuple[int, list[bytes] | None]:
        """``(latest seq, frames after ``after``)``; frames None when ``after`` is out of the window.

        ``after`` None asks for nothing (frames ``[]``). Counter and stream are read together
        (atomically), so the frames are exactly seqs ``after+1 .. latest`` or the answer is a reset.
        """
        commands: list[Command] = [("get", (seq_key(topic),), {})]
        if after is not None:
            commands.append(
                (
                    "xrange",
                    (stream_key(topic),),
                    {"min": f"{after + 1}-0", "max": "+", "count": self.settings.replay_window},
                )
            )
        results = await self.batch.run(commands)
        latest = int(results[0]) if results[0] is not None else 0
        if after is None or after == latest:
            return latest, []
        if after > latest:
            return latest, None
        entries: list[tuple[bytes, dict[bytes, bytes]]] = results[1]
        expected = list(range(after + 1, latest + 1))
        seqs = [int(entry_id.split(b"-", 1)[0]) for entry_id, _ in entries]
        if seqs != expected:
            return latest, None
        return latest, [fields[b"f"] for _, fields in entries]

    async def session_revoked(self, session_id: str) -> bool:
        """Whether ``session_id`` is on the revocation list (batched with other sockets' checks)."""
        results = await self.batch.run([("exists", (REVOKED_SESSION_KEY.format(session_id),), {})])
        return bool(results[0])

    # -- fan-out ----------------------------------------------------------------------------------------

    def dispatch(self, frame: bytes) -> None:
        """Deliver one published frame to the local sockets following its topic."""
        head = parse_event_head(frame)
        if head is None:
            logger.warning("ignoring a fan-out message that is not an event frame")
            return
        topic, seq = head
        if not self.followed(topic):
            return
        last = self.last_seq.get(topic)
        if last is not None and seq <= last and not (seq == 1 and last > 1):
            return  # already delivered (a catch-up overlapping the pub/sub), or stale
        self.last_seq[topic] = seq
        live = self.live.get(topic)
        if live:
            self.broadcast(live, frame)
            self.delivered += len(live)
        catching = self.catching.get(topic)
        if catching:
            self._catch(topic, catching, seq, frame)
        waiting = self.replaying.get(topic)
        if waiting:
            for client in waiting:
                client.pending[topic].append((seq, frame))

    def _catch(self, topic: str, catching: dict[Client, int], seq: int, frame: bytes) -> None:
        """Frames for sockets that went live above the delivered seq: only what they lack, then live."""
        newer = [client.ws for client, floor in catching.items() if seq > floor]
        if newer:
            self.broadcast(newer, frame)
            self.delivered += len(newer)
        caught = [client for client, floor in catching.items() if seq >= floor]
        if caught:
            live = self.live.setdefault(topic, set())
            for client in caught:
                del catching[client]
                live.add(client.ws)
            if not catching:
                del self.catching[topic]

    @staticmethod
    def broadcast(sockets: Iterable[ServerConnection], frame: bytes) -> None:
        """Write ``frame`` to every socket's buffer at once (a text frame; sockets closing are skipped)."""
        broadcast(sockets, frame, text=True)

    async def catch_up(self) -> None:
        """After (re)subscribing: deliver what was published on followed topics while not listening."""
        for topic in dict.fromkeys([*self.live, *self.catching]):
            last = self.last_seq.get(topic)
            if last is None:
                floors = self.catching.get(topic)
                if not floors:
                    continue
                last = min(floors.values())
            entries = await self.redis.xrange(stream_key(topic), min=f"{last + 1}-0", max="+")
            for _, fields in entries:
                self.dispatch(fields[b"f"])

    async def run_fanout(self) -> None:
        """Listen to the fan-out channel for ever, re-subscribing (and catching up) after a failure."""
        delay = 0.2
        while True:
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(FANOUT_CHANNEL)
                await self.catch_up()
                self.fanout_ready.set()
                delay = 0.2
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        self.dispatch(message["data"])
            except (RedisError, OSError) as error:
                logger.warning(
                    "live fan-out lost its Redis subscription (%s); retrying in %.1fs", error, delay
                )
            finally:
                self.fanout_ready.clear()
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()  # type: ignore[attr-defined]  # the stubs predate aclose
            await asyncio.sleep(delay)
            delay = min(delay * 2, FANOUT_RETRY_MAX_S)

    # -- signed-in users --------------------------------------------------------------------------------

    async def sign_in(self, client: Client, user_id: str, session_id: str | None, expires_at: float) -> None:
        """Record ``client`` as signed in (or re-authenticated); mark the user present."""
        first = client.user_id is None
        client.user_id = user_id
        client.session_id = session_id
        client.expires_at = expires_at
        if first:
            self.users[user_id] = self.users.get(user_id, 0) + 1
            if self.users[user_id] == 1:
                ttl = self.settings.presence_ttl_s
                key = presence_key(user_id)
                try:
                    await self.batch.run(
                        [
                            ("hset", (key, self.instance_id, str(int(time.time()) + ttl)), {}),
                            ("expire", (key, ttl), {}),
                        ]
                    )
                except (RedisError, OSError) as error:
                    logger.warning("could not mark a user present (%s); the next refresh retries", error)

    async def _mark_present(self, user_ids: Iterable[str]) -> None:
        ttl = self.settings.presence_ttl_s
        deadline = str(int(time.time()) + ttl)
        async with self.redis.pipeline(transaction=False) as pipe:
            for user_id in user_ids:
                pipe.hset(presence_key(user_id), self.instance_id, deadline)
                pipe.expire(presence_key(user_id), ttl)
            await pipe.execute()

    async def _mark_absent(self, user_ids: Iterable[str]) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            for user_id in user_ids:
                pipe.hdel(presence_key(user_id), self.instance_id)
            await pipe.execute()

    def remove(self, client: Client) -> None:
        """The socket is gone: forget its topics and, for its user's last socket here, the presence."""
        self.clients.discard(client)
        for topic in list(client.topics):
            self.unfollow(client, topic)
        user_id = client.user_id
        if user_id is not None:
            left = self.users.get(user_id, 1) - 1
            if left > 0:
                self.users[user_id] = left
            else:
                self.users.pop(user_id, None)
                self.spawn(self._absent_quietly(user_id))

    async def _absent_quietly(self, user_id: str) -> None:
        if user_id in self.users:
            return  # signed in again meanwhile
        try:
            await self._mark_absent([user_id])
        except (RedisError, OSError) as error:
            logger.warning("could not clear a presence mark (%s); it expires by itself", error)

    async def clear_presence(self) -> None:
        """On shutdown: this instance's presence marks go (other instances keep theirs)."""
        if self.users:
            await self._mark_absent(list(self.users))

    # -- periodic checks --------------------------------------------------------------------------------

    async def close(self, client: Client, code: str) -> None:
        """Tell the client why (an error frame) and close its socket with the code's close code."""
        if client.closing:
            return
        client.closing = True
        close_code, message = protocol.CLOSES[code]
        try:
            await client.ws.send(protocol.error(code, message))
            await client.ws.close(close_code, message)
        except Exception:
            logger.debug("closing a live socket failed", exc_info=True)

    async def check_once(self) -> None:
        """Close sockets whose token expired or whose session was revoked."""
        now = time.time()
        sessions: dict[str, list[Client]] = {}
        for client in list(self.clients):
            if client.closing:
                continue
            if client.expires_at is not None and client.expires_at <= now:
                self.spawn(self.close(client, "token_expired"))
            elif client.session_id is not None:
                sessions.setdefault(client.session_id, []).append(client)
        if not sessions:
            return
        session_ids = list(sessions)
        async with self.redis.pipeline(transaction=False) as pipe:
            for session_id in session_ids:
                pipe.exists(REVOKED_SESSION_KEY.format(session_id))
            results = await pipe.execute()
        for session_id, listed in zip(session_ids, results, strict=True):
            if listed:
                for client in sessions[session_id]:
                    if client.session_id == session_id:
                        self.spawn(self.close(client, "session_revoked"))

    async def run_checks(self) -> None:
        """Token expiry and revocation checks, and presence refreshes, until cancelled."""
        interval = self.settings.revocation_check_s
        presence_every = max(self.settings.presence_ttl_s / 3, interval)
        next_presence = time.monotonic() + presence_every
        while True:
            await asyncio.sleep(interval)
            try:
                await self.check_once()
                if time.monotonic() >= next_presence:
                    next_presence = time.monotonic() + presence_every
                    if self.users:
                        await self._mark_present(list(self.users))
            except (RedisError, OSError) as error:
                logger.warning("live checks could not read Redis (%s); retrying", error)
