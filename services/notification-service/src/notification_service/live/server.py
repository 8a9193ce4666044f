"""The live channel server: ``python -m notification_service.live`` (asyncio + websockets).

Serves WebSocket connections on ``LIVE_HOST:LIVE_PORT`` at ``/ws/`` and a health check at
``GET /ws/health`` (200 ``{"status": "ok", ...}`` when the fan-out subscription is up and Redis
answers, else 503). SIGTERM/SIGINT close every socket with 1001 and stop the process.
"""

from __future__ import annotations

import asyncio
import http
import json
import logging
import os
import signal
import socket
import time
import uuid
from collections.abc import Callable

import redis.asyncio as aioredis
from redis.exceptions import RedisError
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from dbay_common.jwt import JwtVerifier, verifier_for
from notification_service.live import protocol
from notification_service.live.connection import Session
from notification_service.live.hub import Hub
from notification_service.live.settings import LiveSettings

__all__ = ["HEALTH_PATH", "WS_PATHS", "run_server"]

logger = logging.getLogger(__name__)

WS_PATHS = frozenset({"/ws/", "/ws"})
HEALTH_PATH = "/ws/health"
PING_INTERVAL_S = 20
PING_TIMEOUT_S = 20
CLOSE_TIMEOUT_S = 5
HEALTH_TIMEOUT_S = 2
SERVICE_NAME = "notification-service-live"
REDIS_POOL_SIZE = 16
REDIS_POOL_WAIT_S = 5


def _json_response(status: http.HTTPStatus, body: dict[str, object]) -> Response:
    data = json.dumps(body).encode()
    headers = Headers(
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(data))),
            ("Cache-Control", "no-store"),
        ]
    )
    return Response(status.value, status.phrase, headers, data)


def instance_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class LiveServer:
    """The websockets server wired to one :class:`Hub`."""

    def __init__(self, hub: Hub, verifier: JwtVerifier) -> None:
        self.hub = hub
        self.verifier = verifier

    async def process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        """Health check and path routing before the WebSocket handshake."""
        path = request.path.split("?", 1)[0]
        if path == HEALTH_PATH:
            return await self.health()
        if path not in WS_PATHS:
            return _json_response(
                http.HTTPStatus.NOT_FOUND,
                {"error": {"code": "not_found", "message": "Live updates are served at /ws/."}},
            )
        return None

    async def health(self) -> Response:
        """The shared health shape (dbay_common.health): Redis answers PING, the fan-out is subscribed."""
        started = time.perf_counter()
        redis_check: dict[str, object]
        try:
            await asyncio.wait_for(self.hub.redis.ping(), timeout=HEALTH_TIMEOUT_S)
            redis_check = {"status": "ok", "latency_ms": round((time.perf_counter() - started) * 1000, 1)}
        except (RedisError, OSError, TimeoutError) as error:
            redis_check = {"status": "error", "error": f"{type(error).__name__}: {error}"[:200]}
        fanout_check: dict[str, object] = (
            {"status": "ok"}
            if self.hub.fanout_ready.is_set()
            else {"status": "error", "error": "not subscribed to the fan-out channel"}
        )
        ok = redis_check["status"] == "ok" and fanout_check["status"] == "ok"
        return _json_response(
            http.HTTPStatus.OK if ok else http.HTTPStatus.SERVICE_UNAVAILABLE,
            {
                "status": "ok" if ok else "unavailable",
                "service": SERVICE_NAME,
                "checks": {"redis": redis_check, "fanout": fanout_check},
                "connections": len(self.hub.clients),
                "instance": self.hub.instance_id,
            },
        )

    async def handler(self, ws: ServerConnection) -> None:
        await Session(self.hub, self.verifier, ws).run()


async def run_server(
    settings: LiveSettings,
    *,
    stop: asyncio.Event,
    verifier: JwtVerifier | None = None,
    on_ready: Callable[[Server, Hub], None] | None = None,
) -> None:
    """Serve until ``stop`` is set, then close every socket with 1001 and clean up."""
    # A bounded pool that waits for a free connection: a burst of thousands of subscribes (every
    # browser reconnecting after a deploy) queues on a few Redis connections instead of opening one each.
    instance = instance_name()
    pool: aioredis.BlockingConnectionPool = aioredis.BlockingConnectionPool.from_url(
        settings.redis_url,
        client_name=f"dbay-live:{instance}",
        max_connections=REDIS_POOL_SIZE,
        timeout=REDIS_POOL_WAIT_S,
        socket_connect_timeout=2,
        socket_keepalive=True,
        health_check_interval=15,
    )
    redis_client = aioredis.Redis(connection_pool=pool)
    hub = Hub(redis_client, settings, instance)
    live = LiveServer(hub, verifier or verifier_for(**settings.jwt))
    fanout = asyncio.create_task(hub.run_fanout(), name="live-fanout")
    checks = asyncio.create_task(hub.run_checks(), name="live-checks")
    # Sockets are served at once: a topic followed before the fan-out is subscribed is caught up
    # from its replay stream when the subscription comes up (Hub.catch_up).
    try:
        async with serve(
            live.handler,
            settings.host,
            settings.port,
            process_request=live.process_request,
            compression=None,
            max_size=settings.max_frame_bytes,
            max_queue=8,
            ping_interval=PING_INTERVAL_S,
            ping_timeout=PING_TIMEOUT_S,
            close_timeout=CLOSE_TIMEOUT_S,
            server_header=None,
            backlog=4096,
        ) as server:
            logger.info(
                "live channel listening on %s:%s (instance %s)", settings.host, settings.port, hub.instance_id
            )
            if on_ready is not None:
                on_ready(server, hub)
            await stop.wait()
            server.close(code=protocol.CLOSE_GOING_AWAY, reason=protocol.GOING_AWAY_REASON)
            await server.wait_closed()
    finally:
        for task in (fanout, checks):
            task.cancel()
        await asyncio.gather(fanout, checks, return_exceptions=True)
        try:
            await hub.clear_presence()
        except (RedisError, OSError) as error:
            logger.warning("could not clear presence marks on shutdown: %s", error)
        await redis_client.aclose()  # type: ignore[attr-defined]  # the stubs predate aclose
        await pool.disconnect()
        logger.info("live channel stopped")


async def serve_until_signalled(settings: LiveSettings) -> None:
    """``run_server`` stopped by SIGTERM or SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await run_server(settings, stop=stop)
