"""What the views of user-service share: output shapes, the token response, auth and limit helpers.

Views also apply the request rate limits (per client IP and per account, ``throttling.py``): they
are about the HTTP request, not the domain. Token responses carry ``Cache-Control: no-store``; the
refresh token is also set as the ``dbay_refresh`` cookie (httpOnly, SameSite=Strict, path
``/api/v1/user/auth/``) so the web app never holds it in JavaScript.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dbay_common.drf.authentication import TokenUser
from dbay_common.errors import AuthenticationFailed
from dbay_common.principal import NOT_AUTHENTICATED_CODE
from user_service.accounts import services
from user_service.accounts.authentication import SessionJwtAuthentication
from user_service.accounts.known_devices import known_device_cookie_value, known_device_read
from user_service.accounts.models import Profile, User
from user_service.accounts.throttling import client_ip, limit

PASSWORD_INPUT_MAX_LENGTH = 1024  # the validators say "too long" past PASSWORD_MAX_LENGTH
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def client_info(request: Request) -> services.ClientInfo:
    """Who is calling: the client IP (``throttling.client_ip``), agent, and the device the
    ``known_device`` cookie vouches for (sign-in throttling)."""
    return services.ClientInfo(
        ip_address=client_ip(request),
        user_agent=str(request.META.get("HTTP_USER_AGENT", ""))[:512],
        known_device=known_device_read(request.COOKIES.get(settings.KNOWN_DEVICE_COOKIE_NAME)),
    )


def known_device_remember(response: Response, request: Request, *, user_id: uuid.UUID) -> Response:
    """Set the long-lived ``known_device`` cookie after a successful sign-in (``known_devices.py``)."""
    device = known_device_read(request.COOKIES.get(settings.KNOWN_DEVICE_COOKIE_NAME))
    response.set_cookie(
        settings.KNOWN_DEVICE_COOKIE_NAME,
        known_device_cookie_value(device, user_id=str(user_id)),
        max_age=settings.KNOWN_DEVICE_TTL_S,
        path=settings.REFRESH_COOKIE_PATH,
        secure=settings.REFRESH_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )
    return response


def ip_limit(name: str, request: Request) -> Any:
    """The rate limit ``name`` (``settings.RATE_LIMITS``) for the caller's IP address."""
    return limit(name, client_ip(request) or "unknown")


def request_session_id(request: Request) -> uuid.UUID:
    """The session (``sid``) of the caller's access token; 401 ``not_authenticated`` without one.

    On account endpoints ``SessionJwtAuthentication`` has already checked that the session is live;
    this only reads it, and fails like ``request_user_id`` for a principal that has none.
    """
    user = getattr(request, "user", None)
    claims = user.claims if isinstance(user, TokenUser) else {}
    try:
        return uuid.UUID(str(claims.get("sid")))
    except ValueError:
        raise AuthenticationFailed("Sign in to continue.", code=NOT_AUTHENTICATED_CODE) from None


# -- shared output shapes -------------------------------------------------------------------------


@extend_schema_serializer(component_name="Profile")
class ProfileOutputSerializer(serializers.Serializer[Profile]):
    display_name = serializers.CharField()
    avatar_url = serializers.CharField(help_text="An https URL, or empty.")
    location = serializers.CharField()
    bio = serializers.CharField()


@extend_schema_serializer(component_name="User")
class UserOutputSerializer(serializers.Serializer[User]):
    id = serializers.UUIDField()
    email = serializers.EmailField()
    username = serializers.CharField()
    email_verified = serializers.BooleanField(source="is_email_verified")
    roles = serializers.ListField(
        child=serializers.CharField(), help_text='["buyer", "seller"], plus "staff".'
    )
    two_factor_enabled = serializers.BooleanField(source="is_two_factor_enabled")
    created_at = serializers.DateTimeField()
    profile = ProfileOutputSerializer()


@extend_schema_serializer(component_name="UserEnvelope")
class UserEnvelopeSerializer(serializers.Serializer[Any]):
    user = UserOutputSerializer()


@extend_schema_serializer(component_name="Tokens")
class TokensOutputSerializer(serializers.Serializer[Any]):
    access_token = serializers.CharField(help_text="RS256 JWT, valid `expires_in` seconds (at most 900).")
    token_type = serializers.CharField(help_text='Always "Bearer".')
    expires_in = serializers.IntegerField()
    refresh_token = serializers.CharField(
        help_text="Opaque; single use (each refresh returns a new one). Also set as the httpOnly "
        "`dbay_refresh` cookie."
    )
    user = UserOutputSerializer()


@extend_schema_serializer(component_name="MfaChallenge")
class MfaChallengeOutputSerializer(serializers.Serializer[Any]):
    mfa_required = serializers.BooleanField(help_text="Always true: send a code to auth/login/2fa.")
    mfa_token = serializers.CharField()
    expires_in = serializers.IntegerField()


def tokens_response(issued: services.IssuedTokens, *, status: int = 200) -> Response:
    body = {
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
        "refresh_token": issued.refresh_token,
        "user": UserOutputSerializer(issued.user).data,
    }
    response = Response(body, status=status, headers=NO_STORE)
    response.set_cookie(
        settings.REFRESH_COOKIE_NAME,
        issued.refresh_token,
        max_age=settings.REFRESH_TOKEN_TTL_S,
        path=settings.REFRESH_COOKIE_PATH,
        secure=settings.REFRESH_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )
    return response


def clear_refresh_cookie(response: Response) -> Response:
    response.delete_cookie(settings.REFRESH_COOKIE_NAME, path=settings.REFRESH_COOKIE_PATH, samesite="Strict")
    return response


def refresh_token_from(request: Request, data: dict[str, Any]) -> str | None:
    return data.get("refresh_token") or request.COOKIES.get(settings.REFRESH_COOKIE_NAME) or None


def password_field() -> serializers.CharField:
    return serializers.CharField(max_length=PASSWORD_INPUT_MAX_LENGTH, trim_whitespace=False)


@extend_schema_field(
    {
        "type": "string",
        "minLength": settings.PASSWORD_MIN_LENGTH,
        "maxLength": settings.PASSWORD_MAX_LENGTH,
        "description": f"{settings.PASSWORD_MIN_LENGTH} to {settings.PASSWORD_MAX_LENGTH} characters, not "
        "common or predictable, not containing the username or email (`weak_password`).",
    }
)
class NewPasswordField(serializers.CharField):
    """A password being chosen. It reads up to ``PASSWORD_INPUT_MAX_LENGTH`` so that the password
    validators answer ``weak_password`` in their own words; the document states the lengths they accept."""


def new_password_field() -> serializers.CharField:
    return NewPasswordField(max_length=PASSWORD_INPUT_MAX_LENGTH, trim_whitespace=False)


def code_field() -> serializers.CharField:
    return serializers.CharField(max_length=32, help_text="A 6-digit TOTP code, or a recovery code.")


class PublicApi(APIView):
    """Endpoints that need no token; a stale Authorization header is ignored rather than rejected."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]


class AccountApi(APIView):
    """Endpoints of the signed-in member; the token's session must still be live."""

    authentication_classes = [SessionJwtAuthentication]
    permission_classes = [IsAuthenticated]


@extend_schema_serializer(component_name="Empty")
class EmptySerializer(serializers.Serializer[Any]):
    pass
