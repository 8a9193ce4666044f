"""One socket's conversation: the ``auth``, ``subscribe``, ``unsubscribe`` and ``ping`` ops.

Frames of one socket are handled one after the other. A frame the server cannot use is answered
with an ``error`` frame (``bad_request``) and the socket stays open; only authentication failures
(4401/4403), a socket that says nothing after connecting (1008) and oversized frames (1009, by the
websockets library) close it. Nothing a client sends can raise out of the handler.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from typing import Any

from redis.exceptions import RedisError
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from dbay_common.errors import ServiceUnavailable
from dbay_common.jwt import JwtVerifier, TokenInvalid
from dbay_common.sessions import token_session_id
from notification_service.live import protocol
from notification_service.live.hub import Client, Hub
from notification_service.live.topics import parse_topic

__all__ = ["Session"]

logger = logging.getLogger(__name__)

EXPIRED_MESSAGE = "token has expired"
UNKNOWN_OP = "Unknown op. Use auth, subscribe, unsubscribe or ping."
BAD_TOPIC = "A topic is user:<id> or listing:<id>."
BAD_AFTER = "after must be a whole number of at least 0, or null."


class Session:
    """Serves one socket until it closes."""

    def __init__(self, hub: Hub, verifier: JwtVerifier, ws: ServerConnection) -> None:
        self.hub = hub
        self.verifier = verifier
        self.ws = ws
        self.client = Client(ws)

    async def run(self) -> None:
        hub = self.hub
        hub.clients.add(self.client)
        try:
            try:
                first = await asyncio.wait_for(self.ws.recv(), timeout=hub.settings.auth_timeout_s)
            except TimeoutError:
                await hub.close(self.client, "idle")
                return
            await self.handle(first)
            async for message in self.ws:
                if self.client.closing:
                    break
                await self.handle(message)
        except ConnectionClosed:
            pass
        finally:
            hub.remove(self.client)

    async def send(self, text: str | bytes) -> None:
        await self.ws.send(text, text=True)

    async def bad_request(self, message: str) -> None:
        await self.send(protocol.error("bad_request", message))

    async def handle(self, message: str | bytes) -> None:
        """Answer one frame; never raises (except when the socket itself closed)."""
        if self.client.closing:
            return
        if not isinstance(message, str):
            await self.bad_request("Send frames as JSON text, not binary.")
            return
        try:
            payload = json.loads(message)
        except ValueError:
            await self.bad_request("This frame is not valid JSON.")
            return
        if not isinstance(payload, dict):
            await self.bad_request("A frame is a JSON object with an op.")
            return
        op = payload.get("op")
        try:
            if op == "ping":
                await self.send(protocol.pong())
            elif op == "subscribe":
                await self.subscribe(payload)
            elif op == "unsubscribe":
                await self.unsubscribe(payload)
            elif op == "auth":
                await self.authenticate(payload)
            else:
                await self.bad_request(UNKNOWN_OP)
        except ConnectionClosed:
            raise
        except Exception:
            logger.exception("live frame %r failed", op)
            await self.send(
                protocol.error("server_error", "Something went wrong with that request. Try again.")
            )

    # -- auth -------------------------------------------------------------------------------------------

    async def authenticate(self, payload: dict[str, Any]) -> None:
        token = payload.get("token")
        if not isinstance(token, str) or not token:
            await self.hub.close(self.client, "token_invalid")
            return
        try:
            claims = await asyncio.to_thread(self.verifier.verify, token)
        except TokenInvalid as invalid:
            code = "token_expired" if str(invalid) == EXPIRED_MESSAGE else "token_invalid"
            await self.hub.close(self.client, code)
            return
        except ServiceUnavailable:
            await self.hub.close(self.client, "unavailable")
            return
        try:
            user_id = str(uuid.UUID(str(claims["sub"])))
        except ValueError:
            await self.hub.close(self.client, "token_invalid")
            return
        expires_at = float(claims["exp"])
        if expires_at <= time.time():
            await self.hub.close(self.client, "token_expired")
            return
        session_id = token_session_id(claims)
        try:
            if session_id is not None and await self.hub.session_revoked(session_id):
                await self.hub.close(self.client, "session_revoked")
                return
        except (RedisError, OSError) as error:
            logger.warning("revocation list unreadable during live auth: %s", error)
            await self.hub.close(self.client, "unavailable")
            return
        if self.client.user_id is not None and self.client.user_id != user_id:
            await self.hub.close(self.client, "user_mismatch")
            return
        if self.client.closing:
            return
        await self.hub.sign_in(self.client, user_id, session_id, expires_at)
        await self.send(protocol.authenticated(user_id, expires_at))

    # -- topics -----------------------------------------------------------------------------------------

    async def subscribe(self, payload: dict[str, Any]) -> None:
        name = payload.get("topic")
        topic = parse_topic(name)
        if topic is None:
            await self.bad_request(BAD_TOPIC)
            return
        after = payload.get("after")
        if after is not None and (not isinstance(after, int) or isinstance(after, bool) or after < 0):
            await self.bad_request(BAD_AFTER)
            return
        client = self.client
        if not topic.public:
            if client.user_id is None:
                await self.send(
                    protocol.error("forbidden_topic", "Sign in to follow your own updates.", topic.name)
                )
                return
            if topic.id != client.user_id:
                await self.send(
                    protocol.error("forbidden_topic", "You can only follow your own updates.", topic.name)
                )
                return
        limit = self.hub.settings.max_topics
        if topic.name not in client.topics and len(client.topics) >= limit:
            await self.send(
                protocol.error(
                    "too_many_topics",
                    f"One connection can follow at most {limit} topics. Unsubscribe from one first.",
                    topic.name,
                )
            )
            return
        await self.replay(topic.name, after)

    async def replay(self, topic: str, after: int | None) -> None:
        """Follow ``topic``: replay what came after ``after``, answer, then deliver live."""
        hub, client = self.hub, self.client
        hub.start_replay(client, topic)
        try:
            latest, frames = await hub.read_replay(topic, after)
        except (RedisError, OSError) as error:
            hub.unfollow(client, topic)
            logger.warning("live replay unreadable: %s", error)
            await self.send(
                protocol.error("unavailable", "Live updates are briefly unavailable. Try again.", topic)
            )
            return
        if frames is None:
            await self.send(protocol.reset(topic, latest))
        else:
            for text in frames:
                await self.send(text)
            await self.send(protocol.subscribed(topic, latest))
        while topic in client.pending:
            buffered = hub.take_pending(client, topic)
            if not buffered:
                hub.go_live(client, topic, latest)
                return
            for seq, text in buffered:
                if seq > latest:
                    latest = seq
                    await self.send(text)

    async def unsubscribe(self, payload: dict[str, Any]) -> None:
        topic = parse_topic(payload.get("topic"))
        if topic is None:
            await self.bad_request(BAD_TOPIC)
            return
        self.hub.unfollow(self.client, topic.name)
