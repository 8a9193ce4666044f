"""user-service's ``GET /api/v1/user/me/session``, answered from the token, for other services' tests.

Money and security actions in every service confirm the caller's session with user-service at once
(``dbay_common.sessions.session_check_now``). A service's own test suite does not run user-service,
so this stand-in serves the same contract on a real loopback HTTP port: 200 with the token's
``sid``/``sub`` and its ``email_verified`` claim (or an override), 401 ``session_revoked`` for a
session the test revoked, 401 ``not_authenticated`` without a token. user-service's own tests cover
the real endpoint; the browser tests and ``scripts/bench/revocation_lag.py`` the two together.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from dbay_common.settings import DEV_HOST

__all__ = ["UserSessions", "user_sessions_server"]


@dataclass
class UserSessions:
    """What the stand-in answers: revoked sessions and email-verified overrides, per user id."""

    url: str = ""
    revoked: set[str] = field(default_factory=set)
    email_verified: dict[str, bool] = field(default_factory=dict)
    calls: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def revoke(self, session_id: str) -> None:
        with self._lock:
            self.revoked.add(session_id)

    def set_email_verified(self, user_id: str, verified: bool) -> None:
        with self._lock:
            self.email_verified[str(user_id)] = verified

    def reset(self) -> None:
        with self._lock:
            self.revoked.clear()
            self.email_verified.clear()
            self.calls = 0

    def answer(self, authorization: str) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.calls += 1
            claims = _unverified_claims(authorization)
            if claims is None:
                return 401, {
                    "error": {
                        "type": "authentication_error",
                        "code": "not_authenticated",
                        "message": "Sign in to continue.",
                    }
                }
            session_id = str(claims.get("sid", ""))
            user_id = str(claims.get("sub", ""))
            if session_id in self.revoked:
                return 401, {
                    "error": {
                        "type": "authentication_error",
                        "code": "session_revoked",
                        "message": "This session has ended; sign in again.",
                    }
                }
            verified = self.email_verified.get(user_id, bool(claims.get("email_verified", True)))
            return 200, {
                "session_id": session_id,
                "user_id": user_id,
                "active": True,
                "email_verified": verified,
                "mfa_enabled": "otp" in (claims.get("amr") or []),
            }


def _unverified_claims(authorization: str) -> dict[str, Any] | None:
    """The token's payload, unverified (the service under test has verified it already)."""
    if not authorization.startswith("Bearer "):
        return None
    parts = authorization.removeprefix("Bearer ").split(".")
    if len(parts) != 3:
        return None
    try:
        payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = json.loads(payload)
    except ValueError:
        return None
    return claims if isinstance(claims, dict) else None


@pytest.fixture(scope="session")
def user_sessions_server() -> Iterator[UserSessions]:
    """The stand-in, started once per test session on a free loopback port."""
    state = UserSessions()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, document = state.answer(self.headers.get("Authorization", ""))
            body = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer((DEV_HOST, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="user-sessions", daemon=True)
    thread.start()
    state.url = f"http://{DEV_HOST}:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def user_sessions(user_sessions_server: UserSessions, settings: Any) -> Iterator[UserSessions]:
    """Django: the stand-in, reset, with ``settings.DBAY_USER_SERVICE_URL`` pointing at it."""
    user_sessions_server.reset()
    settings.DBAY_USER_SERVICE_URL = user_sessions_server.url
    yield user_sessions_server
    user_sessions_server.reset()
