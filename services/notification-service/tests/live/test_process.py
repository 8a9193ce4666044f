"""``python -m notification_service.live`` as a process: health check, serving, SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
import requests
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from notification_service.live.presence import user_is_online
from notification_service.live.publish import live_publish

from .conftest import User, recv, send, sign_in


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def live_process(redis_url: str, jwks_server: Any) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = free_port()
    env = {
        **os.environ,
        "DBAY_ENV": "test",
        "REDIS_URL": redis_url,
        "LIVE_PORT": str(port),
        "JWT_JWKS_URL": jwks_server.url,
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen([sys.executable, "-m", "notification_service.live"], env=env)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if requests.get(f"http://127.0.0.1:{port}/ws/health", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert process.poll() is None, "the live server exited at start"
            assert time.monotonic() < deadline, "the live server did not answer its health check"
            time.sleep(0.1)
        yield process, port
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_the_process_serves_health_and_sockets_and_stops_on_sigterm(
    live_process: tuple[subprocess.Popen[bytes], int], make_user: Callable[..., User], rclient: redis.Redis
) -> None:
    process, port = live_process
    health = requests.get(f"http://127.0.0.1:{port}/ws/health", timeout=2)
    assert health.status_code == 200
    assert health.headers["Content-Type"] == "application/json"
    body = health.json()
    assert sorted(body) == ["checks", "connections", "instance", "service", "status"]
    assert (body["status"], body["service"], body["connections"]) == ("ok", "notification-service-live", 0)
    assert body["checks"]["redis"]["status"] == "ok"
    assert body["checks"]["fanout"] == {"status": "ok"}
    missing = requests.get(f"http://127.0.0.1:{port}/elsewhere", timeout=2)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    plain = requests.get(f"http://127.0.0.1:{port}/ws/", timeout=2)
    assert plain.status_code == 426  # a WebSocket endpoint: plain HTTP is told to upgrade

    user = make_user()
    with connect(f"ws://127.0.0.1:{port}/ws/", open_timeout=5) as ws:
        sign_in(ws, user)
        send(ws, {"op": "subscribe", "topic": f"user:{user.id}"})
        assert recv(ws)["type"] == "subscribed"
        assert requests.get(f"http://127.0.0.1:{port}/ws/health", timeout=2).json()["connections"] == 1
        live_publish(rclient, f"user:{user.id}", "notifications.read", {"unread_count": 1})
        assert recv(ws)["data"] == {"unread_count": 1}
        assert user_is_online(rclient, user.id) is True
        process.send_signal(signal.SIGTERM)
        with pytest.raises(ConnectionClosed) as info:
            recv(ws, timeout=5)
    assert info.value.rcvd is not None
    assert (info.value.rcvd.code, info.value.rcvd.reason) == (
        1001,
        "The server is restarting. Reconnect in a moment.",
    )
    assert process.wait(timeout=10) == 0
    assert user_is_online(rclient, user.id) is False


def test_health_answers_503_when_redis_is_down(jwks_server: Any, closed_port: int) -> None:
    port = free_port()
    env = {
        **os.environ,
        "DBAY_ENV": "test",
        "REDIS_URL": f"redis://127.0.0.1:{closed_port}/6",
        "LIVE_PORT": str(port),
        "JWT_JWKS_URL": jwks_server.url,
        "LOG_LEVEL": "CRITICAL",
    }
    process = subprocess.Popen([sys.executable, "-m", "notification_service.live"], env=env)
    try:
        deadline = time.monotonic() + 25
        response = None
        while response is None and time.monotonic() < deadline:
            try:
                response = requests.get(f"http://127.0.0.1:{port}/ws/health", timeout=3)
            except requests.ConnectionError:
                time.sleep(0.2)
        assert response is not None
        assert response.status_code == 503
        assert response.json()["status"] == "unavailable"
        checks = response.json()["checks"]
        assert checks["redis"]["status"] == "error"
        assert "Connect" in checks["redis"]["error"]
        assert checks["fanout"] == {"status": "error", "error": "not subscribed to the fan-out channel"}
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


def test_unknown_ids_are_not_online(rclient: redis.Redis) -> None:
    assert user_is_online(rclient, str(uuid.uuid4())) is False
