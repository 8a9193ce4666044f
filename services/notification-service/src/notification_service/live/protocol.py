"""The live channel's frames (docs/live-channel.md): the server's answers and its close codes.

Every frame is a JSON text frame. Messages a user could read are plain words.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

__all__ = ["CLOSES", "authenticated", "error", "frame", "pong", "reset", "subscribed"]

CLOSE_GOING_AWAY = 1001
CLOSE_POLICY = 1008
CLOSE_TRY_AGAIN = 1013
CLOSE_UNAUTHORIZED = 4401
CLOSE_FORBIDDEN = 4403

#: Why a socket is closed → (close code, plain-words reason; ≤ 123 bytes, the close frame's limit).
CLOSES: dict[str, tuple[int, str]] = {
    "token_invalid": (CLOSE_UNAUTHORIZED, "Your sign-in could not be verified. Sign in again."),
    "token_expired": (CLOSE_UNAUTHORIZED, "Your sign-in has expired. Refresh it and reconnect."),
    "session_revoked": (CLOSE_FORBIDDEN, "This session has ended. Sign in again."),
    "user_mismatch": (
        CLOSE_FORBIDDEN,
        "This connection belongs to another account. Reconnect to switch accounts.",
    ),
    "idle": (CLOSE_POLICY, "Nothing was sent in time after connecting. Reconnect when needed."),
    "unavailable": (CLOSE_TRY_AGAIN, "Live updates are briefly unavailable. Reconnect in a few seconds."),
}
GOING_AWAY_REASON = "The server is restarting. Reconnect in a moment."


def frame(payload: dict[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def iso(epoch_s: float) -> str:
    return datetime.fromtimestamp(epoch_s, UTC).isoformat().replace("+00:00", "Z")


def error(code: str, message: str, topic: str | None = None) -> str:
    payload: dict[str, Any] = {"type": "error", "code": code}
    if topic is not None:
        payload["topic"] = topic
    payload["message"] = message
    return frame(payload)


def authenticated(user_id: str, expires_at: float) -> str:
    return frame({"type": "authenticated", "user_id": user_id, "expires_at": iso(expires_at)})


def subscribed(topic: str, seq: int) -> str:
    return frame({"type": "subscribed", "topic": topic, "seq": seq})


def reset(topic: str, seq: int) -> str:
    return frame({"type": "reset", "topic": topic, "seq": seq})


def pong() -> str:
    return '{"type":"pong"}'
