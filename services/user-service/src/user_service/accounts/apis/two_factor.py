"""Two-factor authentication of the signed-in member: ``me/2fa/enroll``, ``confirm``, ``disable``,
``recovery-codes`` and the step-up ``verify``.

Views returning a TOTP secret, recovery codes or tokens are exempt from Idempotency-Key handling: a
stored response would be a second copy of the secret.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from dbay_common.django.idempotency import idempotency_exempt
from dbay_common.drf.authentication import request_user_id
from dbay_common.drf.schema import error_responses
from user_service.accounts import services
from user_service.accounts.apis.common import (
    NO_STORE,
    AccountApi,
    TokensOutputSerializer,
    client_info,
    code_field,
    ip_limit,
    request_session_id,
    tokens_response,
)
from user_service.accounts.throttling import enforce, limit


def _mfa_limits(request: Request) -> None:
    enforce(
        ip_limit("mfa-ip", request),
        limit("mfa-account", request_user_id(request)),
        message="Too many codes tried; try again later.",
    )


@extend_schema_serializer(component_name="Code")
class CodeInputSerializer(serializers.Serializer[Any]):
    code = code_field()


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
        responses={200: OutputSerializer, **error_responses(401, 409, 429)},
    )
    def post(self, request: Request) -> Response:
        _mfa_limits(request)
        enrolment = services.totp_enroll(user_id=request_user_id(request))
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
        responses={200: RecoveryCodesOutputSerializer, **error_responses(400, 401, 409, 429)},
    )
    def post(self, request: Request) -> Response:
        _mfa_limits(request)
        data = CodeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        codes = services.totp_confirm(
            user_id=request_user_id(request), code=data.validated_data["code"], client=client_info(request)
        )
        return Response({"recovery_codes": codes}, headers=NO_STORE)


class TotpDisableApi(AccountApi):
    @extend_schema(
        operation_id="me_2fa_disable",
        summary="Turn 2FA off",
        description="With a TOTP or recovery code. 400 `invalid_mfa_code`, 409 `two_factor_not_enabled`.",
        request=CodeInputSerializer,
        responses={204: None, **error_responses(400, 401, 409, 429)},
    )
    def post(self, request: Request) -> Response:
        _mfa_limits(request)
        data = CodeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.totp_disable(
            user_id=request_user_id(request), code=data.validated_data["code"], client=client_info(request)
        )
        return Response(status=204)


@idempotency_exempt
class RecoveryCodesApi(AccountApi):
    @extend_schema(
        operation_id="me_2fa_recovery_codes",
        summary="New recovery codes",
        description="Replaces all recovery codes after a TOTP or recovery code.",
        request=CodeInputSerializer,
        responses={200: RecoveryCodesOutputSerializer, **error_responses(400, 401, 409, 429)},
    )
    def post(self, request: Request) -> Response:
        _mfa_limits(request)
        data = CodeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        codes = services.recovery_codes_regenerate(
            user_id=request_user_id(request), code=data.validated_data["code"], client=client_info(request)
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
        responses={200: TokensOutputSerializer, **error_responses(400, 401, 409, 429)},
    )
    def post(self, request: Request) -> Response:
        _mfa_limits(request)
        data = CodeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        issued = services.session_mfa_verify(
            user_id=request_user_id(request),
            session_id=request_session_id(request),
            code=data.validated_data["code"],
            client=client_info(request),
        )
        return tokens_response(issued)
