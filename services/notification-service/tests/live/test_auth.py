"""Signing in on the live channel: good, bad, expired and revoked tokens, re-authentication."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import redis
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection

from dbay_common.sessions import RevokedSessions
from dbay_common.testing.plugin import generate_rsa_keypair, sign_token
from notification_service.live.presence import user_is_online

from .conftest import AUTH_TIMEOUT_S, LiveServer, User, recv, send, sign_in

INVALID = "Your sign-in could not be verified. Sign in again."
EXPIRED = "Your sign-in has expired. Refresh it and reconnect."
REVOKED = "This session has ended. Sign in again."
MISMATCH = "This connection belongs to another account. Reconnect to switch accounts."


def closed(ws: ClientConnection, timeout: float = 3.0) -> tuple[int, str]:
    """Wait for the server to close ``ws``; its close code and reason."""
    with pytest.raises(ConnectionClosed) as info:
        while True:
            ws.recv(timeout=timeout)
    assert info.value.rcvd is not None
    return info.value.rcvd.code, info.value.rcvd.reason


def test_a_valid_token_signs_in_and_reports_its_expiry(
    server: LiveServer, make_user: Callable[..., User], rclient: redis.Redis
) -> None:
    user = make_user(ttl_s=600)
    ws = server.connect()
    answer = sign_in(ws, user)
    expires_at = datetime.fromisoformat(answer["expires_at"].replace("Z", "+00:00"))
    assert answer == {"type": "authenticated", "user_id": user.id, "expires_at": answer["expires_at"]}
    assert abs(expires_at.timestamp() - (time.time() + 600)) < 5
    assert expires_at.tzinfo == UTC
    assert user_is_online(rclient, user.id) is True
    ws.close()
    deadline = time.monotonic() + 3
    while user_is_online(rclient, user.id) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert user_is_online(rclient, user.id) is False


@pytest.mark.parametrize(
    "token",
    ["not-a-token", "", None, "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."],
)
def test_a_bad_token_closes_4401(server: LiveServer, token: object) -> None:
    ws = server.connect()
    send(ws, {"op": "auth", "token": token})
    assert recv(ws) == {"type": "error", "code": "token_invalid", "message": INVALID}
    assert closed(ws) == (4401, INVALID)


def test_a_token_signed_by_another_key_closes_4401(server: LiveServer) -> None:
    forged = sign_token(generate_rsa_keypair(), sub=str(uuid.uuid4()), sid=str(uuid.uuid4()))
    ws = server.connect()
    send(ws, {"op": "auth", "token": forged})
    assert recv(ws)["code"] == "token_invalid"
    assert closed(ws) == (4401, INVALID)


def test_a_token_whose_subject_is_not_a_user_closes_4401(
    server: LiveServer, make_token: Callable[..., str]
) -> None:
    ws = server.connect()
    send(ws, {"op": "auth", "token": make_token(sub="service:search-gateway")})
    assert recv(ws)["code"] == "token_invalid"
    assert closed(ws) == (4401, INVALID)


def test_an_expired_token_closes_4401_token_expired(
    server: LiveServer, make_token: Callable[..., str]
) -> None:
    now = int(time.time())
    token = make_token(sub=str(uuid.uuid4()), sid=str(uuid.uuid4()), iat=now - 900, exp=now - 120)
    ws = server.connect()
    send(ws, {"op": "auth", "token": token})
    assert recv(ws) == {"type": "error", "code": "token_expired", "message": EXPIRED}
    assert closed(ws) == (4401, EXPIRED)


def test_a_token_expired_within_the_clock_leeway_is_refused_too(
    server: LiveServer, make_token: Callable[..., str]
) -> None:
    now = int(time.time())
    token = make_token(sub=str(uuid.uuid4()), iat=now - 300, exp=now - 5)
    ws = server.connect()
    send(ws, {"op": "auth", "token": token})
    assert recv(ws)["code"] == "token_expired"
    assert closed(ws) == (4401, EXPIRED)


def test_a_revoked_session_is_refused_4403(
    server: LiveServer, make_user: Callable[..., User], rclient: redis.Redis
) -> None:
    user = make_user()
    RevokedSessions(rclient).revoke(user.sid)
    ws = server.connect()
    send(ws, {"op": "auth", "token": user.token})
    assert recv(ws) == {"type": "error", "code": "session_revoked", "message": REVOKED}
    assert closed(ws) == (4403, REVOKED)


def test_a_session_revoked_while_connected_is_closed_within_two_seconds(
    server: LiveServer, make_user: Callable[..., User], rclient: redis.Redis
) -> None:
    user = make_user()
    bystander = make_user()
    ws = server.connect()
    other = server.connect()
    sign_in(ws, user)
    sign_in(other, bystander)
    send(ws, {"op": "subscribe", "topic": f"user:{user.id}", "after": None})
    assert recv(ws)["type"] == "subscribed"
    revoked_at = time.monotonic()
    RevokedSessions(rclient).revoke(user.sid)
    assert recv(ws, timeout=2.5) == {"type": "error", "code": "session_revoked", "message": REVOKED}
    assert closed(ws) == (4403, REVOKED)
    assert time.monotonic() - revoked_at < 2.0
    send(other, {"op": "ping"})
    assert recv(other) == {"type": "pong"}


def test_a_token_that_expires_without_reauth_closes_the_socket(
    server: LiveServer, make_user: Callable[..., User]
) -> None:
    user = make_user(ttl_s=2)
    ws = server.connect()
    sign_in(ws, user)
    started = time.monotonic()
    assert recv(ws, timeout=4) == {"type": "error", "code": "token_expired", "message": EXPIRED}
    assert closed(ws) == (4401, EXPIRED)
    assert 0.5 < time.monotonic() - started < 3.5


def test_reauth_with_a_fresh_token_keeps_the_socket_and_its_topics(
    server: LiveServer, make_user: Callable[..., User], rclient: redis.Redis
) -> None:
    from notification_service.live.publish import live_publish

    first = make_user(ttl_s=2)
    refreshed = make_user(user_id=first.id, sid=first.sid, ttl_s=300)
    ws = server.connect()
    sign_in(ws, first)
    send(ws, {"op": "subscribe", "topic": f"user:{first.id}", "after": None})
    assert recv(ws) == {"type": "subscribed", "topic": f"user:{first.id}", "seq": 0}
    answer = sign_in(ws, refreshed)
    assert answer["user_id"] == first.id
    time.sleep(3.2)
    seq = live_publish(rclient, f"user:{first.id}", "notifications.read", {"unread_count": 0})
    event = recv(ws)
    assert (event["type"], event["seq"], event["event"], event["data"]) == (
        "event",
        seq,
        "notifications.read",
        {"unread_count": 0},
    )


def test_reauth_as_another_user_is_refused_4403(server: LiveServer, make_user: Callable[..., User]) -> None:
    ws = server.connect()
    sign_in(ws, make_user())
    send(ws, {"op": "auth", "token": make_user().token})
    assert recv(ws) == {"type": "error", "code": "user_mismatch", "message": MISMATCH}
    assert closed(ws) == (4403, MISMATCH)


def test_a_socket_that_says_nothing_is_closed(server: LiveServer) -> None:
    ws = server.connect()
    started = time.monotonic()
    frame = recv(ws, timeout=AUTH_TIMEOUT_S + 2)
    assert frame["type"] == "error" and frame["code"] == "idle"
    assert closed(ws)[0] == 1008
    assert AUTH_TIMEOUT_S - 0.2 < time.monotonic() - started < AUTH_TIMEOUT_S + 1.5
