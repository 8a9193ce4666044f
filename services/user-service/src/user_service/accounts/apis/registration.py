"""Registration and email verification: ``auth/register``, ``auth/verify-email``,
``auth/resend-verification``."""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from dbay_common.drf.schema import error_responses, idempotency_key_parameter
from user_service.accounts import services
from user_service.accounts.apis.common import (
    EmptySerializer,
    PublicApi,
    UserEnvelopeSerializer,
    UserOutputSerializer,
    ip_limit,
    new_password_field,
)
from user_service.accounts.models import USERNAME_MAX_LENGTH
from user_service.accounts.policy import USERNAME_MIN_LENGTH, USERNAME_PATTERN, USERNAME_PATTERN_MESSAGE
from user_service.accounts.throttling import account_key, enforce, limit


class RegisterApi(PublicApi):
    @extend_schema_serializer(component_name="Register")
    class InputSerializer(serializers.Serializer[Any]):
        email = serializers.EmailField(max_length=254)
        username = serializers.CharField(
            min_length=USERNAME_MIN_LENGTH,
            max_length=USERNAME_MAX_LENGTH,
            validators=[RegexValidator(USERNAME_PATTERN, message=USERNAME_PATTERN_MESSAGE)],
        )
        password = new_password_field()

    @extend_schema_serializer(component_name="RegistrationAccepted")
    class OutputSerializer(serializers.Serializer[Any]):
        status = serializers.CharField(
            help_text='Always "check_your_email": the same answer whether or not the address had an account.'
        )

    @extend_schema(
        operation_id="auth_register",
        summary="Create an account",
        description=(
            "Creates a member (roles buyer and seller) and emails a verification link "
            '(`/verify-email?token=...` on the web app). Always 202 `{"status": "check_your_email"}` '
            "once the input is valid, whether or not the address already has an account: when it does, "
            "no account is made and the owner is emailed that someone tried to register with it "
            "(at most once an hour). Usernames are public, so a taken one is still 409 `username_taken` "
            "(checked before the address). Fields other than email, username and password (`is_staff`, "
            "`roles`, ...) are ignored. Password: at least 10 characters, not common or predictable, not "
            "containing the username or email (error `weak_password`). Email and username are unique "
            "regardless of case. Accepts `Idempotency-Key`. Rate-limited per IP."
        ),
        parameters=[idempotency_key_parameter()],
        request=InputSerializer,
        responses={202: OutputSerializer, **error_responses(400, 409, 422, 429)},
    )
    def post(self, request: Request) -> Response:
        enforce(
            ip_limit("register-ip", request), message="Too many sign-ups from your network; try again later."
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_register(**data.validated_data)
        return Response({"status": "check_your_email"}, status=202)


class VerifyEmailApi(PublicApi):
    @extend_schema_serializer(component_name="VerifyEmail")
    class InputSerializer(serializers.Serializer[Any]):
        token = serializers.CharField(max_length=1000)

    @extend_schema(
        operation_id="auth_verify_email",
        summary="Verify the email address",
        description="With the token from the verification link. 400 `invalid_token` or `token_expired`.",
        request=InputSerializer,
        responses={200: UserEnvelopeSerializer, **error_responses(400, 429)},
    )
    def post(self, request: Request) -> Response:
        enforce(ip_limit("verify-ip", request), message="Too many attempts; try again later.")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_email_verify(token=data.validated_data["token"])
        return Response({"user": UserOutputSerializer(user).data})


class ResendVerificationApi(PublicApi):
    @extend_schema_serializer(component_name="ResendVerification")
    class InputSerializer(serializers.Serializer[Any]):
        email = serializers.EmailField(max_length=254)

    @extend_schema(
        operation_id="auth_resend_verification",
        summary="Send the verification email again",
        description=(
            "Always 202, whether or not the address has an unverified account: the address is looked "
            "up after the answer, by the mail worker."
        ),
        request=InputSerializer,
        responses={202: EmptySerializer, **error_responses(400, 429)},
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        email = data.validated_data["email"]
        enforce(
            ip_limit("resend-ip", request),
            limit("resend-account", account_key(email)),
            message="Too many verification emails requested; try again later.",
        )
        services.user_verification_resend(email=email)
        return Response({}, status=202)
