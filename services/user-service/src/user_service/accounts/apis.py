"""Public HTTP API of user-service: thin views that parse input, call one function, render output.

Views also apply the request rate limits (per client IP and per account, ``throttling.py``): they
are about the HTTP request, not the domain. Token responses carry ``Cache-Control: no-store``; the
refresh token is also set as the ``dbay_refresh`` cookie (httpOnly, SameSite=Strict, path
``/api/v1/user/auth/``) so the web app never holds it in JavaScript. Views that issue tokens are
exempt from Idempotency-Key handling (so are those returning a TOTP secret or recovery codes): a
stored response would be a second copy of the secret.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator, URLValidator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dbay_common.django.idempotency import idempotency_exempt
from dbay_common.drf.authentication import TokenUser
from dbay_common.drf.pagination import CursorPagination
from dbay_common.drf.schema import ErrorResponseSerializer
from dbay_common.errors import ApiError, AuthenticationFailed
from dbay_common.jwt import TokenInvalid, bearer_token
from user_service.accounts import selectors, services
from user_service.accounts.authentication import SessionJwtAuthentication
from user_service.accounts.keys import local_verifier
from user_service.accounts.models import USERNAME_MAX_LENGTH, Profile, User
from user_service.accounts.throttling import account_key, client_ip, enforce, limit

PASSWORD_INPUT_MAX_LENGTH = 1024  # the validators say "too long" past PASSWORD_MAX_LENGTH
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _errors(*statuses: int) -> dict[int, OpenApiResponse]:
    descriptions = {
        400: "Invalid input (the error's `param` names the field).",
        401: "Not signed in, or the token/credentials are not valid.",
        403: "Not allowed.",
        404: "Not found.",
        409: "Conflicts with the current state.",
        422: "Idempotency-Key reused with a different body.",
        423: "Account locked after too many failed sign-ins (`account_locked`; see Retry-After).",
        429: "Too many requests (`rate_limited`; see Retry-After).",
        503: "A dependency is unavailable; retry later.",
    }
    return {
        status: OpenApiResponse(ErrorResponseSerializer, description=descriptions[status])
        for status in statuses
    }


def _client(request: Request) -> services.ClientInfo:
    return services.ClientInfo(
        ip_address=client_ip(request), user_agent=str(request.META.get("HTTP_USER_AGENT", ""))[:512]
    )


def _ip_limit(name: str, request: Request) -> Any:
    return limit(name, client_ip(request) or "unknown")


def _token_user(request: Request) -> TokenUser:
    user = request.user
    assert isinstance(user, TokenUser)  # AccountApi: SessionJwtAuthentication + IsAuthenticated
    return user


def _user_id(request: Request) -> uuid.UUID:
    return uuid.UUID(_token_user(request).id)


def _session_id(request: Request) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(_token_user(request).claims.get("sid")))
    except (TypeError, ValueError):
        return None


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


def _tokens_response(issued: services.IssuedTokens, *, status: int = 200) -> Response:
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


def _clear_refresh_cookie(response: Response) -> Response:
    response.delete_cookie(settings.REFRESH_COOKIE_NAME, path=settings.REFRESH_COOKIE_PATH, samesite="Strict")
    return response


def _refresh_token_from(request: Request, data: dict[str, Any]) -> str | None:
    return data.get("refresh_token") or request.COOKIES.get(settings.REFRESH_COOKIE_NAME) or None


def _password_field() -> serializers.CharField:
    return serializers.CharField(max_length=PASSWORD_INPUT_MAX_LENGTH, trim_whitespace=False)


def _code_field() -> serializers.CharField:
    return serializers.CharField(max_length=32, help_text="A 6-digit TOTP code, or a recovery code.")


class PublicApi(APIView):
    """Endpoints that need no token; a stale Authorization header is ignored rather than rejected."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]


class AccountApi(APIView):
    """Endpoints of the signed-in member; the token's session must still be live."""

    authentication_classes = [SessionJwtAuthentication]
    permission_classes = [IsAuthenticated]


# -- registration and email verification -------------------------------------------------------------------


class RegisterApi(PublicApi):
    @extend_schema_serializer(component_name="Register")
    class InputSerializer(serializers.Serializer[Any]):
        email = serializers.EmailField(max_length=254)
        username = serializers.CharField(
            min_length=3,
            max_length=USERNAME_MAX_LENGTH,
            validators=[
                RegexValidator(r"^[A-Za-z0-9_]+$", message="Use only letters, digits and underscores.")
            ],
        )
        password = _password_field()

    @extend_schema(
        operation_id="auth_register",
        summary="Create an account",
        description=(
            "Creates a member (roles buyer and seller) and emails a verification link "
            "(`/verify-email?token=...` on the web app). Fields other than email, username and password "
            "(`is_staff`, `roles`, ...) are ignored. Password: at least 10 characters, not common or "
            "predictable, not containing the username or email (error `weak_password`). Email and username "
            "are unique regardless of case (409 `email_taken` / `username_taken`). Accepts "
            "`Idempotency-Key`. Rate-limited per IP."
        ),
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=False,
                description="Retries with the same key and body replay the first response.",
            )
        ],
        request=InputSerializer,
        responses={201: UserEnvelopeSerializer, **_errors(400, 409, 422, 429)},
    )
    def post(self, request: Request) -> Response:
        enforce(
            _ip_limit("register-ip", request), message="Too many sign-ups from your network; try again later."
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_register(**data.validated_data)
        return Response({"user": UserOutputSerializer(user).data}, status=201)


class VerifyEmailApi(PublicApi):
    @extend_schema_serializer(component_name="VerifyEmail")
    class InputSerializer(serializers.Serializer[Any]):
        token = serializers.CharField(max_length=1000)

    @extend_schema(
        operation_id="auth_verify_email",
        summary="Verify the email address",
        description="With the token from the verification link. 400 `invalid_token` or `token_expired`.",
        request=InputSerializer,
        responses={200: UserEnvelopeSerializer, **_errors(400, 429)},
    )
    def post(self, request: Request) -> Response:
        enforce(_ip_limit("verify-ip", request), message="Too many attempts; try again later.")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_email_verify(token=data.validated_data["token"])
        return Response({"user": UserOutputSerializer(user).data})


@extend_schema_serializer(component_name="Empty")
class EmptySerializer(serializers.Serializer[Any]):
    pass


class ResendVerificationApi(PublicApi):
    @extend_schema_serializer(component_name="ResendVerification")
    class InputSerializer(serializers.Serializer[Any]):
        email = serializers.EmailField(max_length=254)

    @extend_schema(
        operation_id="auth_resend_verification",
        summary="Send the verification email again",
        description="Always 202, whether or not the address has an unverified account.",
        request=InputSerializer,
        responses={202: EmptySerializer, **_errors(400, 429)},
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        email = data.validated_data["email"]
        enforce(
            _ip_limit("resend-ip", request),
            limit("resend-account", account_key(email)),
            message="Too many verification emails requested; try again later.",
        )
        services.user_verification_resend(email=email)
        return Response({}, status=202)


# -- sign-in, refresh, sign-out ---------------------------------------------------------------------------


@idempotency_exempt
class LoginApi(PublicApi):
    @extend_schema_serializer(component_name="Login")
    class InputSerializer(serializers.Serializer[Any]):
        login = serializers.CharField(max_length=254, help_text="Email address or username.")
        password = _password_field()

    @extend_schema(
        operation_id="auth_login",
        summary="Sign in",
        description=(
            "With email or username and password. Without 2FA: tokens (and the `dbay_refresh` cookie). "
            "With 2FA on: `{mfa_required: true, mfa_token, expires_in}`; finish with auth/login/2fa. "
            "401 `invalid_credentials` (whether or not the account exists). "
            "A run of failures (by default 5 within 15 minutes, wrong 2FA codes included) locks the account "
            "(by default for 15 minutes): 423 `account_locked` with the unlock time in the message and "
            "Retry-After. An unverified email does not prevent "
            "signing in (`user.email_verified` is false; selling and withdrawing will require it). "
            "Rate-limited per IP and per account."
        ),
        request=InputSerializer,
        responses={
            200: PolymorphicProxySerializer(
                component_name="LoginResult",
                serializers=[TokensOutputSerializer, MfaChallengeOutputSerializer],
                resource_type_field_name=None,
            ),
            **_errors(400, 401, 403, 423, 429),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        login = data.validated_data["login"]
        enforce(
            _ip_limit("login-ip", request),
            limit("login-account", account_key(login)),
            message="Too many sign-in attempts; try again later.",
        )
        result = services.user_login(
            login=login, password=data.validated_data["password"], client=_client(request)
        )
        if isinstance(result, services.MfaChallengeIssued):
            return Response(
                {"mfa_required": True, "mfa_token": result.mfa_token, "expires_in": result.expires_in},
                headers=NO_STORE,
            )
        return _tokens_response(result)


@idempotency_exempt
class LoginMfaApi(PublicApi):
    @extend_schema_serializer(component_name="LoginMfa")
    class InputSerializer(serializers.Serializer[Any]):
        mfa_token = serializers.CharField(max_length=200)
        code = _code_field()

    @extend_schema(
        operation_id="auth_login_2fa",
        summary="Finish a sign-in with a 2FA code",
        description=(
            "A TOTP code or a recovery code (each recovery code works once). 400 `invalid_mfa_code`; after "
            "5 wrong codes, or once expired, the mfa_token is dead: 401 `invalid_token`/`token_expired` "
            '(sign in again). Tokens carry `amr: ["pwd", "otp"]` and `mfa_at`.'
        ),
        request=InputSerializer,
        responses={200: TokensOutputSerializer, **_errors(400, 401, 423, 429)},
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user_id = selectors.login_challenge_user_id(mfa_token=data.validated_data["mfa_token"])
        enforce(
            _ip_limit("mfa-ip", request),
            limit("mfa-account", user_id) if user_id else None,
            message="Too many codes tried; try again later.",
        )
        issued = services.user_login_mfa(
            mfa_token=data.validated_data["mfa_token"],
            code=data.validated_data["code"],
            client=_client(request),
        )
        return _tokens_response(issued)


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
        responses={200: TokensOutputSerializer, **_errors(400, 401, 429)},
    )
    def post(self, request: Request) -> Response:
        enforce(_ip_limit("refresh-ip", request), message="Too many refreshes; try again later.")
        data = RefreshTokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token = _refresh_token_from(request, data.validated_data)
        try:
            if token is None:
                raise AuthenticationFailed("No refresh token was sent; sign in again.", code="invalid_token")
            issued = services.session_refresh(refresh_token=token, client=_client(request))
        except ApiError as error:
            # Rendered here rather than by the exception handler so a dead cookie is also cleared.
            response = Response(error.to_body(), status=error.status, headers=error.headers)
            return _clear_refresh_cookie(response) if error.status == 401 else response
        return _tokens_response(issued)


def _optional_claims(request: Request) -> dict[str, Any] | None:
    try:
        token = bearer_token(request.META.get("HTTP_AUTHORIZATION"))
        return local_verifier().verify(token) if token else None
    except TokenInvalid:
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
        responses={204: None, **_errors(400)},
    )
    def post(self, request: Request) -> Response:
        data = RefreshTokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claims = _optional_claims(request)
        session_id = None
        if claims is not None:
            try:
                session_id = uuid.UUID(str(claims.get("sid")))
            except ValueError:
                session_id = None
        services.session_logout(
            refresh_token=_refresh_token_from(request, data.validated_data), session_id=session_id
        )
        return _clear_refresh_cookie(Response(status=204))


# -- passwords ----------------------------------------------------------------------------------------------


class PasswordForgotApi(PublicApi):
    @extend_schema_serializer(component_name="PasswordForgot")
    class InputSerializer(serializers.Serializer[Any]):
        email = serializers.EmailField(max_length=254)

    @extend_schema(
        operation_id="auth_password_forgot",
        summary="Email a password-reset link",
        description=(
            "Always 202: the answer never says whether the address has an account. The link "
            "(`/reset-password?token=...`) works for an hour and once. Rate-limited per IP and per address."
        ),
        request=InputSerializer,
        responses={202: EmptySerializer, **_errors(400, 429)},
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        email = data.validated_data["email"]
        enforce(
            _ip_limit("forgot-ip", request),
            limit("forgot-account", account_key(email)),
            message="Too many reset emails requested; try again later.",
        )
        services.user_password_forgot(email=email)
        return Response({}, status=202)


class PasswordResetApi(PublicApi):
    @extend_schema_serializer(component_name="PasswordReset")
    class InputSerializer(serializers.Serializer[Any]):
        token = serializers.CharField(max_length=1000)
        new_password = _password_field()

    @extend_schema(
        operation_id="auth_password_reset",
        summary="Set a new password from a reset link",
        description=(
            "Signs out every session and lifts a sign-in lockout. 400 `invalid_token` (also for a link "
            "already used), `token_expired`, `weak_password`."
        ),
        request=InputSerializer,
        responses={204: None, **_errors(400, 429)},
    )
    def post(self, request: Request) -> Response:
        enforce(_ip_limit("reset-ip", request), message="Too many attempts; try again later.")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_password_reset(**data.validated_data)
        return Response(status=204)


# -- the signed-in member ---------------------------------------------------------------------------------


class MeApi(AccountApi):
    @extend_schema(
        operation_id="me_get",
        summary="The signed-in member",
        description="Account, roles, 2FA state and profile of the member the access token belongs to.",
        responses={200: UserEnvelopeSerializer, **_errors(401)},
    )
    def get(self, request: Request) -> Response:
        user = selectors.user_get(user_id=_user_id(request))
        return Response({"user": UserOutputSerializer(user).data})


def _validate_avatar_url(value: str) -> None:
    if not value:
        return
    try:
        URLValidator(schemes=["https"])(value)
    except DjangoValidationError:
        raise serializers.ValidationError("Enter an https:// URL.") from None
    parts = urlsplit(value)
    if parts.username or parts.password:
        raise serializers.ValidationError("The URL must not contain a user name or password.")


def _validate_single_line(value: str) -> None:
    if any(unicodedata.category(character) in ("Cc", "Cf") for character in value):
        raise serializers.ValidationError("Control characters are not allowed.")


def _validate_text(value: str) -> None:
    if any(unicodedata.category(character) == "Cc" and character not in "\n\t" for character in value):
        raise serializers.ValidationError("Control characters are not allowed.")


def _optional_text_field(max_length: int, validator: Callable[[str], None]) -> serializers.CharField:
    """A profile field a PATCH may leave out, clear (blank or null) or set, up to ``max_length``."""
    return serializers.CharField(
        max_length=max_length, allow_blank=True, allow_null=True, required=False, validators=[validator]
    )


class ProfileUpdateApi(AccountApi):
    @extend_schema_serializer(component_name="ProfileUpdate")
    class InputSerializer(serializers.Serializer[Any]):
        display_name = _optional_text_field(Profile.DISPLAY_NAME_MAX_LENGTH, _validate_single_line)
        avatar_url = _optional_text_field(Profile.AVATAR_URL_MAX_LENGTH, _validate_avatar_url)
        location = _optional_text_field(Profile.LOCATION_MAX_LENGTH, _validate_single_line)
        bio = _optional_text_field(Profile.BIO_MAX_LENGTH, _validate_text)

    @extend_schema_serializer(component_name="ProfileEnvelope")
    class OutputSerializer(serializers.Serializer[Any]):
        profile = ProfileOutputSerializer()

    @extend_schema(
        operation_id="me_profile_update",
        summary="Change the public profile",
        description=(
            "Only the fields sent change; empty string or null clears one. Limits: display_name 50, "
            "avatar_url 500 (https only), location 100, bio 1000 characters."
        ),
        request=InputSerializer,
        responses={200: OutputSerializer, **_errors(400, 401)},
    )
    def patch(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = {name: value or "" for name, value in data.validated_data.items()}
        profile = services.profile_update(user_id=_user_id(request), changes=changes)
        return Response({"profile": ProfileOutputSerializer(profile).data})


class PasswordChangeApi(AccountApi):
    @extend_schema_serializer(component_name="PasswordChange")
    class InputSerializer(serializers.Serializer[Any]):
        current_password = _password_field()
        new_password = _password_field()

    @extend_schema(
        operation_id="me_password_change",
        summary="Change the password",
        description=(
            "Signs out every other session (this one stays). 400 `invalid_credentials` (param "
            "`current_password`), `weak_password`."
        ),
        request=InputSerializer,
        responses={204: None, **_errors(400, 401, 429)},
    )
    def post(self, request: Request) -> Response:
        enforce(
            limit("password-change-account", _user_id(request)), message="Too many attempts; try again later."
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_password_change(
            user_id=_user_id(request), session_id=_session_id(request), **data.validated_data
        )
        return Response(status=204)


class SessionPagination(CursorPagination):
    ordering = ("-created_at", "-id")
    cursor_field = "id"


class SessionListApi(AccountApi):
    @extend_schema_serializer(component_name="Session")
    class OutputSerializer(serializers.Serializer[Any]):
        id = serializers.UUIDField()
        created_at = serializers.DateTimeField()
        last_used_at = serializers.DateTimeField()
        user_agent = serializers.CharField()
        ip_address = serializers.IPAddressField(allow_null=True)
        current = serializers.SerializerMethodField()

        def get_current(self, session: Any) -> bool:
            return str(session.id) == self.context.get("current_session_id")

    pagination_class = SessionPagination

    @extend_schema(
        operation_id="me_sessions_list",
        summary="Active sessions",
        description=(
            "Signed-in sessions (refresh-token families) that are not revoked or expired, newest first."
        ),
        responses={200: OutputSerializer(many=True), **_errors(400, 401)},
    )
    def get(self, request: Request) -> Response:
        current = str(_session_id(request))
        paginator = SessionPagination()
        page = paginator.paginate_queryset(
            selectors.session_list(user_id=_user_id(request)), request, view=self
        )
        data = self.OutputSerializer(page, many=True, context={"current_session_id": current}).data
        return paginator.get_paginated_response(data)


class SessionRevokeApi(AccountApi):
    @extend_schema(
        operation_id="me_sessions_revoke",
        summary="Revoke a session",
        description=(
            "Signs that session out (its refresh token stops working). 404 for anyone else's session."
        ),
        responses={204: None, **_errors(401, 404)},
    )
    def delete(self, request: Request, session_id: uuid.UUID) -> Response:
        services.session_revoke(user_id=_user_id(request), session_id=session_id)
        return Response(status=204)


# -- two-factor authentication -----------------------------------------------------------------------------


def _mfa_limits(request: Request) -> None:
    enforce(
        _ip_limit("mfa-ip", request),
        limit("mfa-account", _user_id(request)),
        message="Too many codes tried; try again later.",
    )


@extend_schema_serializer(component_name="Code")
class CodeInputSerializer(serializers.Serializer[Any]):
    code = _code_field()


@extend_schema_serializer(component_name="RecoveryCodes")
class RecoveryCodesOutputSerializer(serializers.Serializer[Any]):
    recovery_codes = serializers.ListField(
        child=serializers.CharField(), help_text="Ten one-time codes; shown only now."
    )


@idempotency_exempt
class TotpEnrollApi(AccountApi):
    @extend_schema_serializer(component_name="TotpEnrolment")
    class OutputSerializer(serializers.Serializer[Any]):
        secret = serializers.CharField(help_text="Base32, for typing into an authenticator app.")
        otpauth_uri = serializers.CharField(help_text="otpauth://totp/... (issuer dBay), for a QR code.")

    @extend_schema(
        operation_id="me_2fa_enroll",
        summary="Start enabling 2FA",
        description=(
            "A new TOTP secret; 2FA is on only after me/2fa/confirm. 409 `two_factor_already_enabled`."
        ),
        request=None,
        responses={200: OutputSerializer, **_errors(401, 409, 429)},
    )
    def post(self, request: Request) -> Response:
        _mfa_limits(request)
        enrolment = services.totp_enroll(user_id=_user_id(request))
        return Response(self.OutputSerializer(enrolment).data, headers=NO_STORE)


@idempotency_exempt
class TotpConfirmApi(AccountApi):
    @extend_schema(
        operation_id="me_2fa_confirm",
        summary="Turn 2FA on",
        description=(
            "With a code from the enrolled secret. Returns 10 recovery codes (only this once). 400 "
            "`invalid_mfa_code`, 409 `two_factor_not_pending`/`two_factor_already_enabled`."
        ),
        request=CodeInputSerializer,
        responses={200: RecoveryCodesOutputSerializer, **_errors(400, 401, 409, 423, 429)},
    )
    def post(self, request: Request) -> Response:
        _mfa_limits(request)
        data = CodeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        codes = services.totp_confirm(user_id=_user_id(request), code=data.validated_data["code"])
        return Response({"recovery_codes": codes}, headers=NO_STORE)


class TotpDisableApi(AccountApi):
    @extend_schema(
        operation_id="me_2fa_disable",
        summary="Turn 2FA off",
        description="With a TOTP or recovery code. 400 `invalid_mfa_code`, 409 `two_factor_not_enabled`.",
        request=CodeInputSerializer,
        responses={204: None, **_errors(400, 401, 409, 423, 429)},
    )
    def post(self, request: Request) -> Response:
        _mfa_limits(request)
        data = CodeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.totp_disable(user_id=_user_id(request), code=data.validated_data["code"])
        return Response(status=204)


@idempotency_exempt
class RecoveryCodesApi(AccountApi):
    @extend_schema(
        operation_id="me_2fa_recovery_codes",
        summary="New recovery codes",
        description="Replaces all recovery codes after a TOTP or recovery code.",
        request=CodeInputSerializer,
        responses={200: RecoveryCodesOutputSerializer, **_errors(400, 401, 409, 423, 429)},
    )
    def post(self, request: Request) -> Response:
        _mfa_limits(request)
        data = CodeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        codes = services.recovery_codes_regenerate(
            user_id=_user_id(request), code=data.validated_data["code"]
        )
        return Response({"recovery_codes": codes}, headers=NO_STORE)


@idempotency_exempt
class TotpVerifyApi(AccountApi):
    @extend_schema(
        operation_id="me_2fa_verify",
        summary="Step-up: prove 2FA now",
        description=(
            "For actions other services guard with a *fresh* second factor (withdrawals: "
            "`dbay_common.jwt.require_fresh_mfa`, 403 `mfa_required`). Returns new tokens for this "
            'session (and the `dbay_refresh` cookie): the access token has `amr: ["pwd", "otp"]` and '
            "`mfa_at` = now; the refresh token rotates (the previous one is spent) and later refreshes keep "
            "`mfa_at`. 400 `invalid_mfa_code`, 409 `two_factor_not_enabled`."
        ),
        request=CodeInputSerializer,
        responses={200: TokensOutputSerializer, **_errors(400, 401, 409, 423, 429)},
    )
    def post(self, request: Request) -> Response:
        _mfa_limits(request)
        data = CodeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session_id = _session_id(request)
        assert session_id is not None  # SessionJwtAuthentication checked the session
        issued = services.session_mfa_verify(
            user_id=_user_id(request), session_id=session_id, code=data.validated_data["code"]
        )
        return _tokens_response(issued)


# -- public ------------------------------------------------------------------------------------------------


class SellerProfileApi(PublicApi):
    @extend_schema_serializer(component_name="SellerProfile")
    class OutputSerializer(serializers.Serializer[Any]):
        username = serializers.CharField()
        display_name = serializers.CharField()
        avatar_url = serializers.CharField()
        location = serializers.CharField()
        bio = serializers.CharField()
        member_since = serializers.DateTimeField()
        rating = inline_serializer(
            "SellerRating",
            fields={
                "count": serializers.IntegerField(),
                "average": serializers.FloatField(allow_null=True),
            },
        )
        listing_count = serializers.IntegerField()

    @extend_schema(
        operation_id="sellers_get",
        summary="A seller's public profile",
        description=(
            "No sign-in needed. `rating` and `listing_count` are placeholders (0 / null) until orders and "
            "listings feed them."
        ),
        responses={200: OutputSerializer, **_errors(404)},
    )
    def get(self, request: Request, username: str) -> Response:
        seller = selectors.seller_profile_get(username=username)
        return Response(self.OutputSerializer(seller).data)


class JwksApi(PublicApi):
    @extend_schema(
        operation_id="jwks",
        summary="Public keys of the access tokens (JWKS)",
        description=(
            "RFC 7517 key set: the current signing key, the previous one (tokens it signed still "
            "verify) and a new one about to activate. Cacheable for 5 minutes; refetch on an unknown `kid`."
        ),
        responses={
            200: inline_serializer(
                "Jwks",
                fields={"keys": serializers.ListField(child=serializers.DictField())},
            )
        },
        examples=[
            OpenApiExample(
                "One key",
                value={
                    "keys": [
                        {"kty": "RSA", "kid": "Xq3...", "use": "sig", "alg": "RS256", "n": "...", "e": "AQAB"}
                    ]
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        return Response(selectors.jwks_document(), headers={"Cache-Control": "public, max-age=300"})
