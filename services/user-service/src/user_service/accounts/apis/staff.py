"""Staff actions on members: suspend and reinstate (the ``staff`` role; also ``manage.py suspend_user``
/ ``reinstate_user``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from dbay_common.drf import roles_required
from dbay_common.drf.schema import error_responses
from user_service.accounts import services
from user_service.accounts.apis.common import AccountApi
from user_service.accounts.models import User
from user_service.accounts.services.suspensions import SUSPENSION_REASON_MAX_LENGTH

TAGS = ["staff"]


@extend_schema_serializer(component_name="MemberSuspension")
class SuspensionOutputSerializer(serializers.Serializer[Any]):
    user_id = serializers.UUIDField(source="id")
    username = serializers.CharField()
    suspended = serializers.BooleanField(source="is_suspended")
    suspended_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField(source="suspension_reason", help_text='`""` when not suspended.')


class StaffApi(AccountApi):
    permission_classes = [roles_required("staff")]


def _body(user: User) -> dict[str, Any]:
    return dict(SuspensionOutputSerializer(user).data)


class MemberSuspendApi(StaffApi):
    class InputSerializer(serializers.Serializer[Any]):
        reason = serializers.CharField(
            max_length=SUSPENSION_REASON_MAX_LENGTH, help_text="Why (kept for staff, sent to the services)."
        )

    @extend_schema(
        operation_id="staff_member_suspend",
        summary="Suspend a member (staff)",
        description=(
            "Every session of the member ends (`session.revoked`), they cannot sign in (403 "
            "`account_suspended`), and `user.suspended` tells the services that act for members to refuse "
            "them (bids, messages, publishing)."
        ),
        tags=TAGS,
        request=InputSerializer,
        responses={
            200: SuspensionOutputSerializer,
            **error_responses(
                400,
                401,
                403,
                404,
                409,
                descriptions={
                    403: "The `staff` role is required.",
                    404: "No such member (`user_not_found`).",
                    409: "Already suspended (`already_suspended`).",
                },
            ),
        },
    )
    def post(self, request: Request, username: str) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user, _ = services.user_suspend(username=username, reason=data.validated_data["reason"])
        return Response(_body(user))


class MemberReinstateApi(StaffApi):
    @extend_schema(
        operation_id="staff_member_reinstate",
        summary="Reinstate a suspended member (staff)",
        description="The member may sign in and act again (`user.reinstated`).",
        tags=TAGS,
        request=None,
        responses={
            200: SuspensionOutputSerializer,
            **error_responses(
                401,
                403,
                404,
                409,
                descriptions={
                    403: "The `staff` role is required.",
                    404: "No such member (`user_not_found`).",
                    409: "Not suspended (`not_suspended`).",
                },
            ),
        },
    )
    def post(self, request: Request, username: str) -> Response:
        return Response(_body(services.user_reinstate(username=username)))
