"""DRF authentication for service-to-service calls (``Authorization: Bearer <service JWT>``).

Internal endpoints (a wallet hold placed by auction-service, say) must not accept the access tokens
users hold, and user endpoints must not accept service tokens. Both kinds come from the same issuer
and key set; they differ in audience: a service token's ``aud`` is the internal audience
(``INTERNAL_JWT_AUDIENCE``, development default ``"dbay-internal"``) and its ``roles`` contain
``"service"``; its ``sub`` names the calling service. A user token (``aud`` ``JWT_AUDIENCE``) fails
verification here with a 401, so the two can never be confused even if a role were mis-issued.

Use on a view::

    authentication_classes = [ServiceJwtAuthentication]
    permission_classes = [IsAuthenticated, roles_required(SERVICE_ROLE)]
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from dbay_common.drf.authentication import AUTHENTICATE_HEADER, TokenUser
from dbay_common.jwt import (
    DEV_ISSUER,
    DEV_JWKS_URL,
    JwtVerifier,
    TokenInvalid,
    bearer_token,
    verifier_for,
)
from dbay_common.settings import env_str

__all__ = [
    "DEV_INTERNAL_AUDIENCE",
    "SERVICE_ROLE",
    "ServiceJwtAuthentication",
    "VerifiedTokenCache",
    "internal_jwt_audience",
    "service_jwt_verifier",
    "verified_service_tokens",
]

DEV_INTERNAL_AUDIENCE = "dbay-internal"
SERVICE_ROLE = "service"


def internal_jwt_audience() -> str:
    """``settings.INTERNAL_JWT_AUDIENCE``, else the environment variable (required in production)."""
    configured = getattr(settings, "INTERNAL_JWT_AUDIENCE", None)
    if configured:
        return str(configured)
    return env_str("INTERNAL_JWT_AUDIENCE", dev_default=DEV_INTERNAL_AUDIENCE)


def service_jwt_verifier() -> JwtVerifier:
    """The verifier of service tokens: the users' issuer and keys, the internal audience only."""
    return verifier_for(
        issuer=getattr(settings, "JWT_ISSUER", None) or env_str("JWT_ISSUER", dev_default=DEV_ISSUER),
        audience=internal_jwt_audience(),
        jwks_url=getattr(settings, "JWT_JWKS_URL", None) or env_str("JWT_JWKS_URL", dev_default=DEV_JWKS_URL),
    )


class VerifiedTokenCache:
    """Service tokens already verified, kept until they expire, so a busy caller's token (the same
    string on every request) is checked once rather than per request.

    Only tokens that passed :meth:`JwtVerifier.verify` are stored, keyed by the verifier's
    configuration and the exact token string; an entry is used only while ``now < exp + leeway``
    (the verifier's own rule). Consequence, accepted because service tokens are short-lived: a
    token whose signing key is withdrawn from the JWKS stays accepted until it expires. Bounded:
    when full, it is emptied.
    """

    def __init__(self, max_entries: int = 1024) -> None:
        self.max_entries = max_entries
        self._entries: dict[tuple[str, tuple[str, ...], str | None, str], tuple[float, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def verify(self, verifier: JwtVerifier, token: str) -> dict[str, Any]:
        key = (verifier.issuer, tuple(verifier.audience), verifier.jwks_url, token)
        entry = self._entries.get(key)
        if entry is not None and time.time() < entry[0]:
            return dict(entry[1])
        claims = verifier.verify(token)
        expires_at = float(claims["exp"]) + verifier.leeway_s
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key] = (expires_at, dict(claims))
        return claims

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


verified_service_tokens = VerifiedTokenCache()


class ServiceJwtAuthentication(BaseAuthentication):
    """Authenticate service tokens; requests without a token stay anonymous (then 401 by permission).

    ``request.user`` is a :class:`~dbay_common.drf.authentication.TokenUser` whose ``id`` is the
    calling service's name. Whether it holds the ``service`` role is the permission's business
    (``roles_required(SERVICE_ROLE)``: 403 ``missing_role`` otherwise).
    """

    def authenticate(self, request: Request) -> tuple[TokenUser, str] | None:
        try:
            token = bearer_token(get_authorization_header(request))
            if token is None:
                return None
            claims = verified_service_tokens.verify(service_jwt_verifier(), token)
        except TokenInvalid as error:
            raise exceptions.AuthenticationFailed(str(error), code="invalid_token") from None
        return TokenUser(claims), token

    def authenticate_header(self, request: Request) -> str:
        return AUTHENTICATE_HEADER


class ServiceJwtAuthenticationScheme(OpenApiAuthenticationExtension):
    """Documents :class:`ServiceJwtAuthentication` as its own HTTP bearer scheme."""

    target_class = "dbay_common.drf.service_auth.ServiceJwtAuthentication"
    name = "serviceBearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": (
                "A service token: RS256 JWT from the users' issuer with `aud` = the internal audience "
                f"(`INTERNAL_JWT_AUDIENCE`, `{DEV_INTERNAL_AUDIENCE}` in development) and `roles` "
                f'containing `"{SERVICE_ROLE}"`. User access tokens are refused (401).'
            ),
        }
