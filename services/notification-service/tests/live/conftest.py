"""Live channel servers for tests: real websockets servers on loopback, real Redis, real JWKS over HTTP.

Each server runs ``run_server`` in its own thread with its own event loop, exactly as the process
does (``python -m notification_service.live`` is tested too, in test_process.py). Tests talk to
it with the synchronous websockets client.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import redis
from websockets.asyncio.server import Server
from websockets.sync.client import ClientConnection, connect

from dbay_common.jwt import DEV_AUDIENCE, DEV_ISSUER, JwtVerifier
from notification_service.live.hub import Hub
from notification_service.live.server import run_server
from notification_service.live.settings import LiveSettings

#: Replay window of the test servers (live_publish in tests is given the same).
WINDOW = 500
MAX_TOPICS = 3
AUTH_TIMEOUT_S = 2
CHECK_S = 1.0


@dataclass
class LiveServer:
    """A running server: its URL, its hub (read-only in tests) and how to stop it."""

    port: int
    hub: Hub
    loop: asyncio.AbstractEventLoop
    stop_event: asyncio.Event
    thread: threading.Thread
    clients: list[ClientConnection] = field(default_factory=list)
    sockets: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/"

    def connect(self) -> ClientConnection:
        ws = self.sockets.enter_context(connect(self.url, open_timeout=5, close_timeout=2))
        self.clients.append(ws)
        return ws

    def close_clients(self) -> None:
        self.sockets.close()
        self.clients.clear()

    def stop(self) -> None:
        self.close_clients()
        self.loop.call_soon_threadsafe(self.stop_event.set)
        self.thread.join(timeout=15)


def live_settings(redis_url: str, **overrides: Any) -> LiveSettings:
    values: dict[str, Any] = {
        "redis_url": redis_url,
        "host": "127.0.0.1",
        "port": 0,
        "replay_window": WINDOW,
        "replay_ttl_s": 300,
        "max_topics": MAX_TOPICS,
        "max_frame_bytes": 16384,
        "auth_timeout_s": AUTH_TIMEOUT_S,
        "presence_ttl_s": 3,
        "revocation_check_s": CHECK_S,
        "jwt": {},
    }
    values.update(overrides)
    return LiveSettings(**values)


def start_server(settings: LiveSettings, verifier: JwtVerifier) -> LiveServer:
    ready = threading.Event()
    box: dict[str, Any] = {}

    def main() -> None:
        async def serve() -> None:
            box["stop"] = asyncio.Event()
            box["loop"] = asyncio.get_running_loop()

            def on_ready(server: Server, hub: Hub) -> None:
                box["port"] = server.sockets[0].getsockname()[1]
                box["hub"] = hub
                ready.set()

            await run_server(settings, stop=box["stop"], verifier=verifier, on_ready=on_ready)

        asyncio.run(serve())

    thread = threading.Thread(target=main, name="live-server", daemon=True)
    thread.start()
    assert ready.wait(15), "the live server did not start"
    return LiveServer(
        port=box["port"], hub=box["hub"], loop=box["loop"], stop_event=box["stop"], thread=thread
    )


@pytest.fixture(scope="session")
def verifier(jwks_server: Any) -> JwtVerifier:
    """Verifies like production: keys fetched over HTTP from a JWKS endpoint (and cached)."""
    return JwtVerifier(issuer=DEV_ISSUER, audience=DEV_AUDIENCE, jwks_url=jwks_server.url)


@pytest.fixture(scope="session")
def servers(redis_url: str, verifier: JwtVerifier) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Two independent server instances on the same Redis (like two processes behind the gateway)."""
    first = start_server(live_settings(redis_url), verifier)
    second = start_server(live_settings(redis_url), verifier)
    try:
        yield first, second
    finally:
        first.stop()
        second.stop()


@pytest.fixture
def server(servers: tuple[LiveServer, LiveServer]) -> Iterator[LiveServer]:
    live = servers[0]
    yield live
    live.close_clients()


@pytest.fixture
def other_server(servers: tuple[LiveServer, LiveServer]) -> Iterator[LiveServer]:
    live = servers[1]
    yield live
    live.close_clients()


@pytest.fixture
def rclient(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    try:
        yield client
    finally:
        client.close()


@dataclass(frozen=True)
class User:
    id: str
    sid: str
    token: str


@pytest.fixture
def make_user(make_token: Callable[..., str]) -> Callable[..., User]:
    """A user-service-style access token (sub, sid, roles, amr, ...) for a new user."""

    def make(user_id: str | None = None, sid: str | None = None, ttl_s: int = 300) -> User:
        user_id = user_id or str(uuid.uuid4())
        sid = sid or str(uuid.uuid4())
        now = int(time.time())
        token = make_token(
            sub=user_id,
            sid=sid,
            roles=[],
            amr=["pwd"],
            auth_time=now,
            email_verified=True,
            nbf=now,
            iat=now,
            exp=now + ttl_s,
            jti=uuid.uuid4().hex,
        )
        return User(id=user_id, sid=sid, token=token)

    return make


def recv(ws: ClientConnection, timeout: float = 3.0) -> dict[str, Any]:
    """The next frame, parsed."""
    message = ws.recv(timeout=timeout)
    assert isinstance(message, str)
    parsed: dict[str, Any] = json.loads(message)
    return parsed


def send(ws: ClientConnection, payload: dict[str, Any]) -> None:
    ws.send(json.dumps(payload))


def sign_in(ws: ClientConnection, user: User) -> dict[str, Any]:
    send(ws, {"op": "auth", "token": user.token})
    answer = recv(ws)
    assert answer["type"] == "authenticated", answer
    return answer
