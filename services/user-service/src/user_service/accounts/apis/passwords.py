"""Forgotten passwords: ``auth/password/forgot`` and ``auth/password/reset`` (the signed-in change is
``me/password``, in ``me.py``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from dbay_common.drf.schema import error_responses
from user_service.accounts import services
from user_service.accounts.apis.common import (
    EmptySerializer,
    PublicApi,
    ip_limit,
    new_password_field,
)
from user_service.accounts.throttling import account_key, enforce, limit


class PasswordForgotApi(PublicApi):
    @extend_schema_serializer(component_name="PasswordForgot")
    class InputSerializer(serializers.Serializer[Any]):
        email = serializers.EmailField(max_length=254)

    @extend_schema(
        operation_id="auth_password_forgot",
        summary="Email a password-reset link",
        description=(
            "Always 202: the answer never says whether the address has an account, and takes the same "
            "time either way (the address is looked up after the answer, by the mail worker). The link "
            "(`/reset-password?token=...`) works for an hour and once. Rate-limited per IP and per address."
        ),
        request=InputSerializer,
        responses={202: EmptySerializer, **error_responses(400, 429)},
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        email = data.validated_data["email"]
        enforce(
            ip_limit("forgot-ip", request),
            limit("forgot-account", account_key(email)),
            message="Too many reset emails requested; try again later.",
        )
        services.user_password_forgot(email=email)
        return Response({}, status=202)


class PasswordResetApi(PublicApi):
    @extend_schema_serializer(component_name="PasswordReset")
    class InputSerializer(serializers.Serializer[Any]):
        token = serializers.CharField(max_length=1000)
        new_password = new_password_field()

    @extend_schema(
        operation_id="auth_password_reset",
        summary="Set a new password from a reset link",
        description=(
            "Signs out every session and lifts sign-in slow-downs. 400 `invalid_token` (also for a link "
            "already used), `token_expired`, `weak_password`."
        ),
        request=InputSerializer,
        responses={204: None, **error_responses(400, 429)},
    )
    def post(self, request: Request) -> Response:
        enforce(ip_limit("reset-ip", request), message="Too many attempts; try again later.")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_password_reset(**data.validated_data)
        return Response(status=204)
