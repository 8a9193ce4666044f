"""``@jwt_required()``: dBay access tokens for Flask views."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import current_app, g, request

from dbay_common.errors import AuthenticationFailed, PermissionDenied
from dbay_common.jwt import (
    FRESH_MFA_MAX_AGE_S,
    JwtVerifier,
    TokenInvalid,
    bearer_token,
    require_fresh_mfa,
    verifier_for,
    verifier_from_settings,
)
from dbay_common.principal import user_id_from_claims
from dbay_common.sessions import SessionStatus, revoked_sessions, session_check_now

F = TypeVar("F", bound=Callable[..., Any])

VERIFIER_EXTENSION = "dbay_jwt_verifier"


def flask_jwt_verifier() -> JwtVerifier:
    """The app's verifier: ``app.extensions["dbay_jwt_verifier"]`` if set, else from ``app.config``.

    The extension slot lets a service (or a test) use a verifier with a static key set or another
    audience, e.g. for internal service-to-service tokens.
    """
    verifier = current_app.extensions.get(VERIFIER_EXTENSION)
    if isinstance(verifier, JwtVerifier):
        return verifier
    config = current_app.config
    if all(config.get(name) for name in ("JWT_ISSUER", "JWT_AUDIENCE", "JWT_JWKS_URL")):
        return verifier_for(
            issuer=config["JWT_ISSUER"], audience=config["JWT_AUDIENCE"], jwks_url=config["JWT_JWKS_URL"]
        )
    return verifier_from_settings()


def request_claims() -> dict[str, Any] | None:
    """Verified claims of the current request's Bearer token; None without one; raises if it is bad.

    A token whose session was revoked is bad too: 401 ``session_revoked`` from this service's
    revocation list in its Redis (``REDIS_URL``; see :mod:`dbay_common.sessions`). Verified once per
    request: the app's token check stores the claims on ``flask.g``.
    """
    cached = g.get("claims")
    if isinstance(cached, dict):
        return cached
    try:
        token = bearer_token(request.headers.get("Authorization"))
        if token is None:
            return None
        claims = flask_jwt_verifier().verify(token)
    except TokenInvalid as error:
        raise AuthenticationFailed(str(error), code="invalid_token") from None
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        revoked_sessions(redis_url).check(claims)
    return claims


def session_now() -> SessionStatus:
    """The caller's session confirmed live by user-service now (once per request); see
    :func:`dbay_common.drf.session_now`. 401 ``session_revoked``, or 503 if it cannot be told."""
    cached = g.get("dbay_session_now")
    if isinstance(cached, SessionStatus):
        return cached
    request_user_id()
    status = session_check_now(
        authorization=request.headers.get("Authorization", ""),
        base_url=current_app.config.get("DBAY_USER_SERVICE_URL"),
    )
    g.dbay_session_now = status
    return status


def request_user_id() -> uuid.UUID:
    """The calling user's id; 401 ``not_authenticated`` when the request names no user.

    Uses the claims ``jwt_required`` put on ``flask.g``, or verifies the Bearer token itself, so it
    also works in a view that authenticates optionally (see :mod:`dbay_common.principal`).
    """
    claims = g.get("claims")
    return user_id_from_claims(claims if claims is not None else request_claims())


def jwt_required(*, roles: tuple[str, ...] = ()) -> Callable[[F], F]:
    """Require a valid access token (401) carrying every role in ``roles`` (403).

    Sets ``flask.g.claims`` (the verified claims) and ``flask.g.user_id`` (``sub``) for the view.
    Errors are raised as :class:`~dbay_common.errors.ApiError` so the app's handlers render them.
    """
    required = frozenset(roles)

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            claims = request_claims()
            if claims is None:
                raise AuthenticationFailed(
                    "Authentication credentials were not provided.", code="not_authenticated"
                )
            token_roles = claims.get("roles")
            granted = (
                {role for role in token_roles if isinstance(role, str)}
                if isinstance(token_roles, list)
                else set()
            )
            if not required <= granted:
                raise PermissionDenied(
                    f"This action requires the role(s): {', '.join(sorted(required))}.", code="missing_role"
                )
            g.claims = claims
            g.user_id = claims["sub"]
            return view(*args, **kwargs)

        # Document the requirement in the OpenAPI spec (flask-smorest reads ``_apidoc``).
        apidoc = dict(getattr(wrapper, "_apidoc", {}))
        manual_doc = dict(apidoc.get("manual_doc", {}))
        manual_doc.setdefault("security", [{"bearerAuth": []}])
        apidoc["manual_doc"] = manual_doc
        wrapper._apidoc = apidoc  # type: ignore[attr-defined]
        return cast(F, wrapper)

    return decorator


def fresh_mfa_required(*, max_age_s: int = FRESH_MFA_MAX_AGE_S) -> Callable[[F], F]:
    """Require a valid access token (401) showing a TOTP check within ``max_age_s`` seconds (403).

    The Flask twin of :func:`dbay_common.drf.fresh_mfa_required` (see
    :func:`dbay_common.jwt.require_fresh_mfa`); the 403 has code ``mfa_required``. Use it on its own
    or under ``@jwt_required(roles=...)``; it sets ``flask.g.claims`` and ``flask.g.user_id`` too.
    """

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            claims = getattr(g, "claims", None) or request_claims()
            if claims is None:
                raise AuthenticationFailed(
                    "Authentication credentials were not provided.", code="not_authenticated"
                )
            require_fresh_mfa(claims, max_age_s=max_age_s)
            g.claims = claims
            g.user_id = claims["sub"]
            return view(*args, **kwargs)

        apidoc = dict(getattr(wrapper, "_apidoc", {}))
        manual_doc = dict(apidoc.get("manual_doc", {}))
        manual_doc.setdefault("security", [{"bearerAuth": []}])
        apidoc["manual_doc"] = manual_doc
        wrapper._apidoc = apidoc  # type: ignore[attr-defined]
        return cast(F, wrapper)

    return decorator
