"""Signing in and out: ``auth/login``, ``auth/login/2fa``, ``auth/refresh``, ``auth/logout``.

These views issue tokens, so they are exempt from Idempotency-Key handling: a stored response would
be a second copy of the tokens.
"""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from dbay_common.django.idempotency import idempotency_exempt
from dbay_common.drf.schema import error_responses
from dbay_common.errors import ApiError, AuthenticationFailed
from dbay_common.jwt import TokenInvalid, bearer_token
from user_service.accounts import selectors, services
from user_service.accounts.apis.common import (
    NO_STORE,
    MfaChallengeOutputSerializer,
    PublicApi,
    TokensOutputSerializer,
    clear_refresh_cookie,
    client_info,
    code_field,
    ip_limit,
    known_device_remember,
    password_field,
    refresh_token_from,
    tokens_response,
)
from user_service.accounts.keys import local_verifier
from user_service.accounts.throttling import enforce, limit


@idempotency_exempt
class LoginApi(PublicApi):
    @extend_schema_serializer(component_name="Login")
    class InputSerializer(serializers.Serializer[Any]):
        login = serializers.CharField(max_length=254, help_text="Email address or username.")
        password = password_field()

    @extend_schema(
        operation_id="auth_login",
        summary="Sign in",
        description=(
            "With email or username and password. Without 2FA: tokens (and the `dbay_refresh` cookie). "
            "With 2FA on: `{mfa_required: true, mfa_token, expires_in}`; finish with auth/login/2fa. "
            "401 `invalid_credentials` (whether or not the account exists). "
            "Failed attempts slow down the place they come from, never lock the account: after 5 "
            "failures (wrong 2FA codes included) from one device or network on one account, each "
            "further attempt from there must wait 2, 4, 8, ... seconds (at most 15 minutes): 429 "
            "`rate_limited` with Retry-After. Failures from devices and networks the account has "
            "not signed in from also add up per account (50 before delays start), so many networks "
            "together are slowed too; a device with the `known_device` cookie (set on each successful "
            "sign-in) or a network the account signed in from before is not affected by them. The "
            "owner is emailed when an unfamiliar place is slowed down (at most once an hour). An "
            "unverified email does not prevent signing in (`user.email_verified` is false). A "
            "suspended member is refused once the password is right: 403 `account_suspended`. "
            "Also rate-limited per IP."
        ),
        request=InputSerializer,
        responses={
            200: PolymorphicProxySerializer(
                component_name="LoginResult",
                serializers=[TokensOutputSerializer, MfaChallengeOutputSerializer],
                resource_type_field_name=None,
            ),
            **error_responses(400, 401, 403, 429),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        enforce(ip_limit("login-ip", request), message="Too many sign-in attempts; try again later.")
        result = services.user_login(
            login=data.validated_data["login"],
            password=data.validated_data["password"],
            client=client_info(request),
        )
        if isinstance(result, services.MfaChallengeIssued):
            return Response(
                {"mfa_required": True, "mfa_token": result.mfa_token, "expires_in": result.expires_in},
                headers=NO_STORE,
            )
        return known_device_remember(tokens_response(result), request, user_id=result.user.id)


@idempotency_exempt
class LoginMfaApi(PublicApi):
    @extend_schema_serializer(component_name="LoginMfa")
    class InputSerializer(serializers.Serializer[Any]):
        mfa_token = serializers.CharField(max_length=200)
        code = code_field()

    @extend_schema(
        operation_id="auth_login_2fa",
        summary="Finish a sign-in with a 2FA code",
        description=(
            "A TOTP code or a recovery code (each recovery code works once). 400 `invalid_mfa_code`; after "
            "5 wrong codes, or once expired, the mfa_token is dead: 401 `invalid_token`/`token_expired` "
            '(sign in again). Tokens carry `amr: ["pwd", "otp"]` and `mfa_at`.'
        ),
        request=InputSerializer,
        responses={200: TokensOutputSerializer, **error_responses(400, 401, 403, 429)},
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user_id = selectors.login_challenge_user_id(mfa_token=data.validated_data["mfa_token"])
        enforce(
            ip_limit("mfa-ip", request),
            limit("mfa-account", user_id) if user_id else None,
            message="Too many codes tried; try again later.",
        )
        issued = services.user_login_mfa(
            mfa_token=data.validated_data["mfa_token"],
            code=data.validated_data["code"],
            client=client_info(request),
        )
        return known_device_remember(tokens_response(issued), request, user_id=issued.user.id)


@extend_schema_serializer(component_name="RefreshTokenInput")
class RefreshTokenInputSerializer(serializers.Serializer[Any]):
    refresh_token = serializers.CharField(
        max_length=200, required=False, help_text="Omit to use the `dbay_refresh` cookie."
    )


@idempotency_exempt
class RefreshApi(PublicApi):
    @extend_schema(
        operation_id="auth_refresh",
        summary="Rotate the refresh token",
        description=(
            "Spends the refresh token (body, else the `dbay_refresh` cookie) and returns new tokens. "
            "401 `refresh_token_reused` when it was already spent: the whole session is revoked. "
            "401 `session_revoked` (signed out/revoked), `session_expired`, `invalid_token`. "
            "Refresh one token at a time: two concurrent refreshes with the same token count as reuse."
        ),
        request=RefreshTokenInputSerializer,
        responses={200: TokensOutputSerializer, **error_responses(400, 401, 403, 429)},
    )
    def post(self, request: Request) -> Response:
        enforce(ip_limit("refresh-ip", request), message="Too many refreshes; try again later.")
        data = RefreshTokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token = refresh_token_from(request, data.validated_data)
        try:
            if token is None:
                raise AuthenticationFailed("No refresh token was sent; sign in again.", code="invalid_token")
            issued = services.session_refresh(refresh_token=token, client=client_info(request))
        except ApiError as error:
            # Rendered here rather than by the exception handler so a dead cookie is also cleared.
            response = Response(error.to_body(), status=error.status, headers=error.headers)
            return clear_refresh_cookie(response) if error.status == 401 else response
        return tokens_response(issued)


def _bearer_session_id(request: Request) -> uuid.UUID | None:
    """The session of a valid Bearer access token, if the request carries one (signing out with a
    stale or broken token still succeeds, so nothing here fails)."""
    try:
        token = bearer_token(request.META.get("HTTP_AUTHORIZATION"))
        claims = local_verifier().verify(token) if token else None
    except TokenInvalid:
        return None
    try:
        return uuid.UUID(str(claims.get("sid"))) if claims is not None else None
    except ValueError:
        return None


@idempotency_exempt
class LogoutApi(PublicApi):
    @extend_schema(
        operation_id="auth_logout",
        summary="Sign out",
        description=(
            "Revokes the session of the refresh token (body, else the cookie; without either, the "
            "session of the Bearer access token) and clears the cookie. Always 204."
        ),
        request=RefreshTokenInputSerializer,
        responses={204: None, **error_responses(400)},
    )
    def post(self, request: Request) -> Response:
        data = RefreshTokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.session_logout(
            refresh_token=refresh_token_from(request, data.validated_data),
            session_id=_bearer_session_id(request),
        )
        return clear_refresh_cookie(Response(status=204))
