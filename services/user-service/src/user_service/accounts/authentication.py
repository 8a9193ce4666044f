"""Authentication of user-service's own account endpoints (``me/...``).

Other services refuse a revoked session's tokens once they read its ``session.revoked`` event, and
ask ``GET me/session`` before moving money or changing security settings. user-service owns the
sessions, so on the account endpoints it checks that the token's session (``sid``) is live in its
database on every request: a signed-out or revoked session cannot change the password or 2FA with a
leftover access token.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.request import Request

from dbay_common.drf.authentication import JwtAuthentication, TokenUser
from user_service.accounts.selectors import LiveSession, session_live_get


class SessionJwtAuthentication(JwtAuthentication):
    """:class:`~dbay_common.drf.JwtAuthentication` plus "the session is still live" (401
    ``session_revoked`` otherwise: signed out, revoked, expired, or the account disabled).

    ``request.auth`` is the :class:`~user_service.accounts.selectors.LiveSession` read by that one
    query, so a view needing the session's current facts (``me/session``) reads no more.
    """

    def authenticate(self, request: Request) -> tuple[TokenUser, LiveSession] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user, _token = result
        live = session_live_get(session_id=str(user.claims.get("sid", "")), user_id=user.id)
        if live is None:
            raise exceptions.AuthenticationFailed(
                "This session has ended; sign in again.", code="session_revoked"
            )
        return user, live


class SessionJwtAuthenticationScheme(OpenApiAuthenticationExtension):
    """Documents :class:`SessionJwtAuthentication` as the same HTTP bearer scheme as the shared class."""

    target_class = "user_service.accounts.authentication.SessionJwtAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
