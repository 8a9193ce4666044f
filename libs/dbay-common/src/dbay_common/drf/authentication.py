"""DRF authentication with dBay access tokens (``Authorization: Bearer <JWT>``).

Services do not keep user tables for authentication: ``request.user`` is a :class:`TokenUser` built
from the verified claims, so no query runs per request and no service imports user-service's models.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from dbay_common.jwt import JwtVerifier, TokenInvalid, bearer_token, jwt_settings_from_env, verifier_for
from dbay_common.principal import user_id_from_claims
from dbay_common.sessions import SessionStatus, revoked_sessions, session_check_now

AUTHENTICATE_HEADER = 'Bearer realm="api"'


class TokenUser:
    """The caller as described by a verified access token: ``id`` (the ``sub``), ``roles``, ``claims``.

    Quacks enough like ``django.contrib.auth`` users for DRF's permissions and throttles
    (``is_authenticated``, ``pk``) without a database row.
    """

    is_authenticated = True
    is_anonymous = False
    is_active = True

    def __init__(self, claims: dict[str, Any]) -> None:
        self.claims = claims
        self.id: str = str(claims["sub"])
        roles = claims.get("roles")
        self.roles: tuple[str, ...] = (
            tuple(role for role in roles if isinstance(role, str)) if isinstance(roles, list) else ()
        )

    @property
    def pk(self) -> str:
        return self.id

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def __str__(self) -> str:
        return self.id

    def __repr__(self) -> str:
        return f"TokenUser(id={self.id!r}, roles={self.roles!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TokenUser) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)


def request_user_id(request: Request) -> uuid.UUID:
    """The calling user's id (the token's ``sub``); 401 ``not_authenticated`` when there is none.

    The one accessor every DRF view uses, so a missing or non-user principal fails the same way in
    every service (see :mod:`dbay_common.principal`).
    """
    user = getattr(request, "user", None)
    return user_id_from_claims(user.claims if isinstance(user, TokenUser) else None)


def session_now(request: Request) -> SessionStatus:
    """The caller's session confirmed live by user-service at this moment (once per request).

    For views that move money or change security settings: 401 ``session_revoked`` the instant the
    session ends, 503 if user-service cannot tell (see :mod:`dbay_common.sessions`). The answer's
    ``email_verified`` is the account's current value, fresher than the token's claim.
    """
    cached = getattr(request, "_dbay_session_now", None)
    if isinstance(cached, SessionStatus):
        return cached
    user_id_from_claims(request.user.claims if isinstance(request.user, TokenUser) else None)
    status = session_check_now(
        authorization=request.headers.get("Authorization", ""),
        base_url=getattr(settings, "DBAY_USER_SERVICE_URL", None),
    )
    request._dbay_session_now = status  # type: ignore[attr-defined]
    return status


def django_jwt_verifier() -> JwtVerifier:
    """The verifier configured by Django settings.

    ``JWT_VERIFIER_FACTORY`` (a dotted path to a zero-argument callable) wins when set: user-service
    uses it to verify its own tokens with its own keys instead of fetching its own JWKS over HTTP.
    Otherwise ``JWT_ISSUER`` / ``JWT_AUDIENCE`` / ``JWT_JWKS_URL`` from settings (``common_settings``
    puts them there), falling back to the environment.
    """
    factory_path = getattr(settings, "JWT_VERIFIER_FACTORY", None)
    if factory_path:
        factory = import_string(factory_path)
        verifier = factory()
        if not isinstance(verifier, JwtVerifier):
            raise TypeError(f"{factory_path} must return a JwtVerifier")
        return verifier
    if all(hasattr(settings, name) for name in ("JWT_ISSUER", "JWT_AUDIENCE", "JWT_JWKS_URL")):
        return verifier_for(
            issuer=settings.JWT_ISSUER, audience=settings.JWT_AUDIENCE, jwks_url=settings.JWT_JWKS_URL
        )
    return verifier_for(**jwt_settings_from_env())


class JwtAuthentication(BaseAuthentication):
    """Authenticate ``Bearer`` access tokens; requests without one stay anonymous.

    A request without credentials is not rejected here: views opt in to authentication with
    ``permission_classes = [IsAuthenticated]``. A request *with* a bad token is rejected (401,
    ``invalid_token``) even on public views, so a client learns its token is broken, and so is a
    token whose session was revoked (401 ``session_revoked``, from this service's revocation list:
    :mod:`dbay_common.sessions`).
    """

    def authenticate(self, request: Request) -> tuple[TokenUser, object] | None:
        try:
            token = bearer_token(get_authorization_header(request))
            if token is None:
                return None
            claims = django_jwt_verifier().verify(token)
        except TokenInvalid as error:
            raise exceptions.AuthenticationFailed(str(error), code="invalid_token") from None
        redis_url = getattr(settings, "REDIS_URL", None)
        if redis_url:
            revoked_sessions(redis_url).check(claims)  # 401 session_revoked; 503 if unreadable
        return TokenUser(claims), token

    def authenticate_header(self, request: Request) -> str:
        return AUTHENTICATE_HEADER


# Register the OpenAPI description of this class with drf-spectacular (extensions register on import).
from dbay_common.drf import schema as _schema  # noqa: E402, F401
