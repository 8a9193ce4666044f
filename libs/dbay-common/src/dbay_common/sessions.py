"""Revoked sessions, refused in every service (docs/adr/0006-session-revocation.md).

user-service owns sessions; every other service verifies access tokens on its own, so a token of a
session that was signed out or revoked would otherwise keep working until it expires (15 minutes).
Two mechanisms close that window:

* **Reads: a revocation list in each service's own Redis.** user-service publishes
  ``session.revoked`` (through its outbox, in the revoking transaction). Every service's consumer
  records the session id here (:func:`session_revoked_handler`), with a time to live as long as any
  access token of that session can live; the token authentication of every service refuses a token
  whose ``sid`` is listed (401 ``session_revoked``). Lag: the outbox relay plus one stream read,
  well under 2 seconds.
* **Money and security: ask user-service now.** Before anything that moves money or changes security
  settings, the service forwards the caller's token to user-service's ``GET me/session``
  (:func:`session_check_now`), which looks the session up in its database. No lag; if user-service
  cannot answer, the request is refused with 503 (fail closed), never let through. The answer also
  carries the account's current facts (``email_verified``), fresher than the token's claims.

If the revocation list cannot be read (Redis down), authentication fails closed too: 503.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import redis
import requests

from dbay_common.errors import AuthenticationFailed
from dbay_common.events.envelope import Event
from dbay_common.request_body import StoreUnavailable
from dbay_common.settings import DEV_HOST, env_str

__all__ = [
    "REVOCATION_TTL_S",
    "SESSION_REVOKED",
    "RevokedSessions",
    "SessionEnded",
    "SessionStatus",
    "revoked_sessions",
    "session_check_now",
    "session_revoked_handler",
    "token_session_id",
    "user_service_url",
]

logger = logging.getLogger(__name__)

SESSION_REVOKED = "session.revoked"
#: Access tokens live at most 15 minutes (user-service refuses a longer ACCESS_TOKEN_TTL_S); a
#: revoked session's mark outlives the last of its tokens, with a minute for clocks that disagree.
REVOCATION_TTL_S = 15 * 60 + 60
_KEY = "dbay:revoked-session:{}"
#: user-service's own-session endpoint, below its base URL.
SESSION_PATH = "/api/v1/user/me/session"
SESSION_CHECK_TIMEOUT_S = 3.0
USER_SERVICE_DEV_PORT = 8004


class SessionEnded(AuthenticationFailed):
    """The token's session was signed out or revoked (401)."""

    default_code = "session_revoked"
    default_message = "This session has ended; sign in again."


class SessionCheckUnavailable(StoreUnavailable):
    """Whether the session is still live cannot be told right now (503 with Retry-After): refused,
    never let through."""

    default_message = "We could not confirm your sign-in just now; try again in a few seconds."


def token_session_id(claims: Mapping[str, Any]) -> str | None:
    """The session id (``sid``) of a user's access token, canonical; None for tokens without one."""
    sid = claims.get("sid")
    if not isinstance(sid, str):
        return None
    try:
        return str(uuid.UUID(sid))
    except ValueError:
        return None


class RevokedSessions:
    """The revocation list of one service, in that service's own Redis."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def revoke(self, session_id: str) -> None:
        """Mark ``session_id`` revoked for :data:`REVOCATION_TTL_S` (idempotent)."""
        self.client.set(_KEY.format(str(uuid.UUID(session_id))), "1", ex=REVOCATION_TTL_S)

    def is_revoked(self, session_id: str) -> bool:
        """Whether the session is listed; :class:`SessionCheckUnavailable` (503) if Redis cannot say."""
        try:
            return bool(self.client.exists(_KEY.format(session_id)))
        except redis.RedisError as error:
            logger.warning("revocation list unreadable: %s", error)
            raise SessionCheckUnavailable() from None

    def check(self, claims: Mapping[str, Any]) -> None:
        """Raise :class:`SessionEnded` when the token's session is revoked (tokens without one pass)."""
        session_id = token_session_id(claims)
        if session_id is not None and self.is_revoked(session_id):
            raise SessionEnded()


@functools.cache
def revoked_sessions(redis_url: str) -> RevokedSessions:
    """One list (one connection pool) per Redis URL per process."""
    return RevokedSessions(redis.Redis.from_url(redis_url, socket_connect_timeout=1.0, socket_timeout=1.0))


def session_revoked_handler(store: Callable[[], RevokedSessions]) -> Callable[[Event], None]:
    """The consumer's handler for ``session.revoked``: list the session (idempotent, so it needs no inbox)."""

    def handle(event: Event) -> None:
        session_id = event.data.get("session_id")
        if not isinstance(session_id, str):
            logger.error("session.revoked %s carries no session_id; ignored", event.event_id)
            return
        store().revoke(session_id)

    return handle


def user_service_url() -> str:
    """Base URL of user-service inside the platform (``USER_SERVICE_URL``; the gateway is not used)."""
    return env_str("USER_SERVICE_URL", dev_default=f"http://{DEV_HOST}:{USER_SERVICE_DEV_PORT}").rstrip("/")


@dataclass(frozen=True)
class SessionStatus:
    """The caller's session as user-service sees it at this moment."""

    session_id: str
    user_id: str
    email_verified: bool
    mfa_enabled: bool


def session_check_now(*, authorization: str, base_url: str | None = None) -> SessionStatus:
    """Ask user-service whether the session of the token in ``authorization`` is live, now.

    401 :class:`SessionEnded` when it is not; 503 :class:`SessionCheckUnavailable` when user-service
    does not answer or answers something else (fail closed: a money movement never proceeds on an
    unknown session).
    """
    url = f"{(base_url or user_service_url()).rstrip('/')}{SESSION_PATH}"
    try:
        response = requests.get(
            url, headers={"Authorization": authorization}, timeout=SESSION_CHECK_TIMEOUT_S
        )
    except requests.RequestException as error:
        logger.warning("session check failed: %s", error)
        raise SessionCheckUnavailable() from None
    if response.status_code == 401:
        raise SessionEnded()
    if response.status_code != 200:
        logger.warning("session check answered %s", response.status_code)
        raise SessionCheckUnavailable()
    try:
        body = response.json()
        return SessionStatus(
            session_id=str(body["session_id"]),
            user_id=str(body["user_id"]),
            email_verified=bool(body["email_verified"]),
            mfa_enabled=bool(body["mfa_enabled"]),
        )
    except (ValueError, KeyError, TypeError):
        logger.warning("session check answered an unexpected body")
        raise SessionCheckUnavailable() from None
