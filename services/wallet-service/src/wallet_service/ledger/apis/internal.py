"""The ledger's internal API for other services (service tokens): holds and transfers.

Internal writes are idempotent by the ids in their bodies (they are the ledger's transfer ids), so
retrying after a timeout is always safe and concurrent duplicates all get the same answer. They are
exempt from the shared Idempotency-Key middleware, whose "request in progress" 409 would break that;
an ``Idempotency-Key`` header is honoured instead: the service functions derive the missing body id
from it (:func:`wallet_service.ledger.policy.caller_transfer_id`).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dbay_common.django.idempotency.middleware import IDEMPOTENCY_HEADER
from dbay_common.drf.fields import KoinuField
from dbay_common.drf.permissions import roles_required
from dbay_common.drf.service_auth import SERVICE_ROLE, ServiceJwtAuthentication
from dbay_common.money import Koinu
from wallet_service.ledger import services
from wallet_service.ledger.apis._schema import ERRORS
from wallet_service.ledger.policy import (
    HOLD_REASONS,
    INTERNAL_PLATFORM_CODES,
    TRANSFER_STATES,
    AccountRef,
    Caller,
)
from wallet_service.ledger.selectors import PendingTransferState, account_label, pending_transfer_state


@extend_schema_serializer(component_name="WalletAccountRef")
class AccountRefSerializer(serializers.Serializer[Any]):
    """``{"user_id": "<uuid>"}`` (that user's wallet) or ``{"platform": "<code>"}``; exactly one."""

    user_id = serializers.UUIDField(required=False)
    platform = serializers.ChoiceField(choices=INTERNAL_PLATFORM_CODES, required=False)


@extend_schema_field(AccountRefSerializer)
class AccountRefField(serializers.Field):
    """An account named by the caller: exactly one of ``user_id`` and ``platform`` (the platform
    accounts other services may use). Any other shape is a 400 ``invalid_account`` on this field."""

    default_error_messages = {
        "invalid_account": (
            'An account is {{"user_id": "<uuid>"}} or {{"platform": "<code>"}} with code one of: {codes}.'
        )
    }

    def to_internal_value(self, data: Any) -> AccountRef:
        if isinstance(data, dict) and len(data) == 1:
            if "user_id" in data:
                try:
                    return AccountRef(user_id=uuid.UUID(str(data["user_id"])))
                except ValueError:
                    pass
            elif data.get("platform") in INTERNAL_PLATFORM_CODES:
                return AccountRef(platform=data["platform"])
        self.fail("invalid_account", codes=", ".join(INTERNAL_PLATFORM_CODES))
        raise AssertionError("unreachable")

    def to_representation(self, value: AccountRef) -> dict[str, str]:
        return account_ref_body(value)


DATETIME_FIELD = serializers.DateTimeField()


def account_ref_body(ref: AccountRef) -> dict[str, str]:
    return {"user_id": str(ref.user_id)} if ref.user_id is not None else {"platform": str(ref.platform)}


def account_ref(account_id: uuid.UUID, user_id: uuid.UUID | None) -> dict[str, str]:
    if user_id is not None:
        return {"user_id": str(user_id)}
    return {"platform": account_label(account_id)}


@extend_schema_serializer(component_name="WalletInternalHold")
class HoldSerializer(serializers.Serializer[Any]):
    hold_id = serializers.UUIDField()
    user_id = serializers.UUIDField()
    amount_koinu = KoinuField()
    amount = serializers.CharField()
    reason = serializers.CharField()
    reference = serializers.DictField()
    holding_account = serializers.CharField()
    status = serializers.ChoiceField(choices=TRANSFER_STATES)
    posted_koinu = KoinuField(help_text="Amount posted (0 unless posted).")
    released_koinu = KoinuField(help_text="Amount returned to the user's available balance.")
    resolution_id = serializers.UUIDField(allow_null=True, help_text="The post or void transfer.")
    destination = AccountRefSerializer(allow_null=True, help_text="Where the posted amount went.")
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)


def hold_body(state: PendingTransferState) -> dict[str, Any]:
    pending = state.pending
    destination = None
    if state.state == "posted":
        if state.onward is not None:
            destination = account_ref(state.onward.credit_account_id, state.onward.credit_account.user_id)
        else:
            destination = account_ref(pending.credit_account_id, pending.credit_account.user_id)
    return HoldSerializer(
        {
            "hold_id": pending.id,
            "user_id": pending.debit_account.user_id,
            "amount_koinu": pending.amount_koinu,
            "amount": Koinu(pending.amount_koinu).to_doge(),
            "reason": pending.reason,
            "reference": pending.reference,
            "holding_account": account_label(pending.credit_account_id),
            "status": state.state,
            "posted_koinu": state.posted_koinu,
            "released_koinu": state.released_koinu,
            "resolution_id": state.resolution.id if state.resolution else None,
            "destination": destination,
            "created_at": pending.created_at,
            "expires_at": pending.timeout_at,
            "resolved_at": state.resolution.created_at if state.resolution else None,
        }
    ).data


def _caller(request: Request) -> Caller:
    return Caller(
        service=str(request.user.pk),
        path=request.path,
        idempotency_key=request.headers.get(IDEMPOTENCY_HEADER),
    )


class InternalApi(APIView):
    """Base of the service-to-service views: service tokens only, body ids as idempotency keys."""

    authentication_classes = (ServiceJwtAuthentication,)
    permission_classes = (IsAuthenticated, roles_required(SERVICE_ROLE))
    # Not the shared Idempotency-Key middleware: see the module docstring.
    idempotency_exempt = True


IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    str,
    OpenApiParameter.HEADER,
    description="Optional. Stands in for the body's id when that is absent (the id is derived from it).",
)


class InternalHoldCreateApi(InternalApi):
    """POST /api/v1/wallet/internal/holds: reserve a user's funds (a pending transfer)."""

    @extend_schema_serializer(component_name="WalletInternalHoldCreate")
    class InputSerializer(serializers.Serializer[Any]):
        hold_id = serializers.UUIDField(
            required=False, help_text="Chosen by the caller; the idempotency key."
        )
        user_id = serializers.UUIDField()
        amount_koinu = KoinuField()
        reason = serializers.ChoiceField(choices=HOLD_REASONS)
        reference = serializers.DictField(required=False, default=dict)
        expires_in_s = serializers.IntegerField(required=False, min_value=1, max_value=services.MAX_TIMEOUT_S)
        replaces_hold_id = serializers.UUIDField(
            required=False,
            help_text=(
                "A pending hold of the same user to release in the same step (a raised bid): the old "
                "hold is voided and the new one placed, both or neither."
            ),
        )

    @extend_schema(
        operation_id="wallet_internal_hold_create",
        summary="Create a hold",
        description=(
            "Reserve `amount_koinu` of the user's available balance into bid_holds (reason bid_hold) "
            "or order_escrow (reason order_escrow); with `replaces_hold_id`, release that hold in the "
            "same step. Idempotent on `hold_id`: a retry returns the hold as it is now, with the same "
            "status code."
        ),
        request=InputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: HoldSerializer, **ERRORS},
        tags=["internal"],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        state = services.hold_create(
            caller=_caller(request),
            hold_id=data.get("hold_id"),
            user_id=data["user_id"],
            amount_koinu=data["amount_koinu"],
            reason=data["reason"],
            reference=data["reference"],
            expires_in_s=data.get("expires_in_s"),
            replaces_hold_id=data.get("replaces_hold_id"),
        )
        return Response(hold_body(state), status=status.HTTP_201_CREATED)


class InternalHoldDetailApi(InternalApi):
    """GET /api/v1/wallet/internal/holds/{hold_id}."""

    @extend_schema(
        operation_id="wallet_internal_hold_retrieve",
        summary="Look up a hold",
        responses={200: HoldSerializer, 401: ERRORS[401], 403: ERRORS[403], 404: ERRORS[404]},
        tags=["internal"],
    )
    def get(self, request: Request, hold_id: uuid.UUID) -> Response:
        return Response(hold_body(pending_transfer_state(transfer_id=hold_id, now=timezone.now())))


class InternalHoldPostApi(InternalApi):
    """POST /api/v1/wallet/internal/holds/{hold_id}/post: capture all or part of a hold."""

    @extend_schema_serializer(component_name="WalletInternalHoldPost")
    class InputSerializer(serializers.Serializer[Any]):
        post_id = serializers.UUIDField(
            required=False, help_text="Chosen by the caller; the idempotency key."
        )
        amount_koinu = KoinuField(required=False, help_text="Default: the whole hold. The rest is released.")
        destination_account = AccountRefField(
            required=False, help_text="Move the posted amount on to this account (linked, all or none)."
        )

    @extend_schema(
        operation_id="wallet_internal_hold_post",
        summary="Post (capture) a hold",
        description=(
            "Post the hold for `amount_koinu` (default all of it) into its holding account, releasing "
            "the rest to the user; with `destination_account`, the posted amount moves on to that "
            "account in a linked transfer (both or neither). Idempotent on `post_id`."
        ),
        request=InputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: HoldSerializer, **ERRORS},
        tags=["internal"],
    )
    def post(self, request: Request, hold_id: uuid.UUID) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        state = services.hold_post(
            caller=_caller(request),
            hold_id=hold_id,
            post_id=data.get("post_id"),
            amount_koinu=data.get("amount_koinu"),
            destination=data.get("destination_account"),
        )
        return Response(hold_body(state))


class InternalHoldVoidApi(InternalApi):
    """POST /api/v1/wallet/internal/holds/{hold_id}/void: release a hold."""

    @extend_schema_serializer(component_name="WalletInternalHoldVoid")
    class InputSerializer(serializers.Serializer[Any]):
        void_id = serializers.UUIDField(
            required=False, help_text="Chosen by the caller; the idempotency key."
        )

    @extend_schema(
        operation_id="wallet_internal_hold_void",
        summary="Void (release) a hold",
        request=InputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: HoldSerializer, **ERRORS},
        tags=["internal"],
    )
    def post(self, request: Request, hold_id: uuid.UUID) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        state = services.hold_void(
            caller=_caller(request), hold_id=hold_id, void_id=serializer.validated_data.get("void_id")
        )
        return Response(hold_body(state))


@extend_schema_serializer(component_name="WalletInternalTransfer")
class TransferSerializer(serializers.Serializer[Any]):
    transfer_id = serializers.UUIDField()
    debit = AccountRefSerializer()
    credit = AccountRefSerializer()
    amount_koinu = KoinuField()
    amount = serializers.CharField()
    reason = serializers.CharField()
    reference = serializers.DictField()
    created_at = serializers.DateTimeField()


class InternalTransferCreateApi(InternalApi):
    """POST /api/v1/wallet/internal/transfers: move money between two accounts at once."""

    @extend_schema_serializer(component_name="WalletInternalTransferCreate")
    class InputSerializer(serializers.Serializer[Any]):
        transfer_id = serializers.UUIDField(
            required=False, help_text="Chosen by the caller; the idempotency key."
        )
        debit = AccountRefField()
        credit = AccountRefField()
        amount_koinu = KoinuField()
        reason = serializers.CharField(max_length=32)
        reference = serializers.DictField(required=False, default=dict)

    @extend_schema(
        operation_id="wallet_internal_transfer_create",
        summary="Transfer between accounts",
        description=(
            "Move `amount_koinu` from `debit` to `credit` (a user's wallet or bid_holds, order_escrow, "
            "fee_revenue). A debited wallet never goes below zero. Idempotent on `transfer_id`."
        ),
        request=InputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: TransferSerializer, **ERRORS},
        tags=["internal"],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        debit, credit = data["debit"], data["credit"]
        transfer = services.service_transfer_create(
            caller=_caller(request),
            transfer_id=data.get("transfer_id"),
            debit=debit,
            credit=credit,
            amount_koinu=data["amount_koinu"],
            reason=data["reason"],
            reference=data["reference"],
        )
        # The recorded transfer has exactly the requested accounts (else it was a conflict), so the
        # accounts are answered as the caller named them. Rendered by hand in TransferSerializer's
        # shape: this is the hottest route, and building serializer fields costs more than the SQL.
        return Response(
            {
                "transfer_id": str(transfer.id),
                "debit": account_ref_body(debit),
                "credit": account_ref_body(credit),
                "amount_koinu": Koinu(transfer.amount_koinu).to_json(),
                "amount": Koinu(transfer.amount_koinu).to_doge(),
                "reason": transfer.reason,
                "reference": transfer.reference,
                "created_at": DATETIME_FIELD.to_representation(transfer.created_at),
            },
            status=status.HTTP_201_CREATED,
        )
