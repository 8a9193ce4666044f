"""The signed-in member: ``me``, ``me/session``, ``me/profile``, ``me/password``, ``me/sessions``."""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from dbay_common.drf.authentication import request_user_id
from dbay_common.drf.pagination import CursorPagination
from dbay_common.drf.schema import error_responses
from dbay_common.errors import AuthenticationFailed
from dbay_common.principal import NOT_AUTHENTICATED_CODE
from user_service.accounts import selectors, services
from user_service.accounts.apis.common import (
    NO_STORE,
    AccountApi,
    ProfileOutputSerializer,
    UserEnvelopeSerializer,
    UserOutputSerializer,
    new_password_field,
    password_field,
    request_session_id,
)
from user_service.accounts.models import Profile
from user_service.accounts.selectors import LiveSession
from user_service.accounts.throttling import enforce, limit


class MeApi(AccountApi):
    @extend_schema(
        operation_id="me_get",
        summary="The signed-in member",
        description="Account, roles, 2FA state and profile of the member the access token belongs to.",
        responses={200: UserEnvelopeSerializer, **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        user = selectors.user_get(user_id=request_user_id(request))
        return Response({"user": UserOutputSerializer(user).data})


class SessionCurrentApi(AccountApi):
    @extend_schema_serializer(component_name="SessionStatus")
    class OutputSerializer(serializers.Serializer[Any]):
        session_id = serializers.UUIDField()
        user_id = serializers.UUIDField()
        active = serializers.BooleanField(help_text="Always true: an ended session answers 401.")
        email_verified = serializers.BooleanField(help_text="The account's value now, not the token's.")
        mfa_enabled = serializers.BooleanField(help_text="Whether the account has 2FA on now.")

    @extend_schema(
        operation_id="me_session_get",
        summary="The caller's session, now (introspection)",
        description=(
            "Whether the session of the access token is live at this moment, read from user-service's "
            "database, with the account's current `email_verified` and `mfa_enabled`. Other services "
            "call it with the caller's `Authorization` header before anything that moves money or "
            "changes security settings. 401 `session_revoked` once the session was signed out, "
            "revoked (by the member, a password reset or change, refresh-token reuse or staff), has "
            "expired, or the account is disabled; 401 `invalid_token`/`not_authenticated` for a "
            "missing or bad token. One indexed query; not rate-limited."
        ),
        responses={200: OutputSerializer, **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        live = request.auth
        if not isinstance(live, LiveSession):  # SessionJwtAuthentication always sets one
            raise AuthenticationFailed("Sign in to continue.", code=NOT_AUTHENTICATED_CODE)
        body = {
            "session_id": str(live.session_id),
            "user_id": str(live.user_id),
            "active": True,
            "email_verified": live.email_verified,
            "mfa_enabled": live.mfa_enabled,
        }
        return Response(body, headers=NO_STORE)


@extend_schema_field(
    {
        "type": "string",
        "nullable": True,
        "maxLength": Profile.AVATAR_URL_MAX_LENGTH,
        "pattern": r"^https://\S+$",
        "description": "An https URL; blank or null clears it.",
    }
)
class HttpsUrlField(serializers.CharField):
    """The avatar URL: checked by ``policy.profile_changes_clean``; the document states the rule."""


def _optional_text_field(max_length: int) -> serializers.CharField:
    """A profile field a PATCH may leave out, clear (blank or null) or set, up to ``max_length``.

    Only the shape: what the text may contain is ``policy.profile_changes_clean``'s to say.
    """
    return serializers.CharField(max_length=max_length, allow_blank=True, allow_null=True, required=False)


class ProfileUpdateApi(AccountApi):
    @extend_schema_serializer(component_name="ProfileUpdate")
    class InputSerializer(serializers.Serializer[Any]):
        display_name = _optional_text_field(Profile.DISPLAY_NAME_MAX_LENGTH)
        avatar_url = HttpsUrlField(
            max_length=Profile.AVATAR_URL_MAX_LENGTH, allow_blank=True, allow_null=True, required=False
        )
        location = _optional_text_field(Profile.LOCATION_MAX_LENGTH)
        bio = _optional_text_field(Profile.BIO_MAX_LENGTH)

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
        responses={200: OutputSerializer, **error_responses(400, 401)},
    )
    def patch(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        profile = services.profile_update(user_id=request_user_id(request), changes=data.validated_data)
        return Response({"profile": ProfileOutputSerializer(profile).data})


class PasswordChangeApi(AccountApi):
    @extend_schema_serializer(component_name="PasswordChange")
    class InputSerializer(serializers.Serializer[Any]):
        current_password = password_field()
        new_password = new_password_field()

    @extend_schema(
        operation_id="me_password_change",
        summary="Change the password",
        description=(
            "Signs out every other session (this one stays). 400 `invalid_credentials` (param "
            "`current_password`), `weak_password`."
        ),
        request=InputSerializer,
        responses={204: None, **error_responses(400, 401, 429)},
    )
    def post(self, request: Request) -> Response:
        enforce(
            limit("password-change-account", request_user_id(request)),
            message="Too many attempts; try again later.",
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_password_change(
            user_id=request_user_id(request), session_id=request_session_id(request), **data.validated_data
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
        responses={200: OutputSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        current = str(request_session_id(request))
        paginator = SessionPagination()
        page = paginator.paginate_queryset(
            selectors.session_list(user_id=request_user_id(request)), request, view=self
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
        responses={204: None, **error_responses(401, 404)},
    )
    def delete(self, request: Request, session_id: uuid.UUID) -> Response:
        services.session_revoke(user_id=request_user_id(request), session_id=session_id)
        return Response(status=204)
