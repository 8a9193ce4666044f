"""Authentication of user-service's own account endpoints (``me/...``).

Other services accept any unexpired access token: revoking a session there takes effect when its
access token expires (at most ``ACCESS_TOKEN_TTL_S``). user-service owns the sessions, so for the
account endpoints it also checks that the token's session (``sid``) is still live: a signed-out or
revoked session cannot change the password or 2FA with a leftover access token.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.request import Request

from dbay_common.drf.authentication import JwtAuthentication, TokenUser
from user_service.accounts.selectors import session_is_active


class SessionJwtAuthentication(JwtAuthentication):
    """:class:`~dbay_common.drf.JwtAuthentication` plus "the session is still live" (401
    ``session_revoked`` otherwise)."""

    def authenticate(self, request: Request) -> tuple[TokenUser, str] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user, _token = result
        if not session_is_active(session_id=str(user.claims.get("sid", "")), user_id=user.id):
            raise exceptions.AuthenticationFailed(
                "This session has ended; sign in again.", code="session_revoked"
            )
        return result


class SessionJwtAuthenticationScheme(OpenApiAuthenticationExtension):
    """Documents :class:`SessionJwtAuthentication` as the same HTTP bearer scheme as the shared class."""

    target_class = "user_service.accounts.authentication.SessionJwtAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
