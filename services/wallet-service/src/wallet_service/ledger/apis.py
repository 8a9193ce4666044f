"""HTTP API of the ledger: thin views that parse input, call one function, render output.

Two audiences:

* users (access tokens, ``JwtAuthentication``): ``GET balance`` and ``GET transfers``;
* other services (service tokens, :class:`~dbay_common.drf.service_auth.ServiceJwtAuthentication`):
  ``internal/holds`` and ``internal/transfers``, the contract in ``docs/api-contracts/wallet-internal.md``.

Internal writes are idempotent by the ids in their bodies (they are the ledger's transfer ids), so
retrying after a timeout is always safe and concurrent duplicates all get the same answer. They are
exempt from the shared Idempotency-Key middleware, whose "request in progress" 409 would break that;
an ``Idempotency-Key`` header is honoured instead by deriving the missing body id from it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dbay_common.django.idempotency.middleware import IDEMPOTENCY_HEADER, MAX_KEY_LENGTH
from dbay_common.drf.fields import KoinuField
from dbay_common.drf.permissions import roles_required
from dbay_common.drf.schema import ErrorResponseSerializer
from dbay_common.drf.service_auth import SERVICE_ROLE, ServiceJwtAuthentication
from dbay_common.errors import ApiError, AuthenticationFailed, InvalidRequest, PermissionDenied
from dbay_common.money import Koinu
from dbay_common.pagination import parse_page_params
from wallet_service.ledger import services
from wallet_service.ledger.chart import (
    EXPIRED_REASON,
    PLATFORM_ACCOUNT_IDS,
    PlatformAccount,
    idempotency_key_transfer_id,
    user_wallet_account_id,
)
from wallet_service.ledger.errors import AccountNotFound, InsufficientFunds
from wallet_service.ledger.models import Transfer
from wallet_service.ledger.selectors import (
    PendingTransferState,
    account_label,
    pending_state,
    pending_transfer_state,
    transfers_for_user,
    user_balances,
)
from wallet_service.ledger.services import MAX_TIMEOUT_S, REASON_PATTERN

#: Which holding account a hold's reason reserves into.
HOLD_ACCOUNTS: dict[str, PlatformAccount] = {
    "bid_hold": PlatformAccount.BID_HOLDS,
    "order_escrow": PlatformAccount.ORDER_ESCROW,
}
#: The platform accounts other services may name. Custody, network fees, withdrawals in flight and
#: suspense move only with the chain (deposits, withdrawals, corrections), inside this service.
INTERNAL_PLATFORM_ACCOUNTS = (
    PlatformAccount.BID_HOLDS,
    PlatformAccount.ORDER_ESCROW,
    PlatformAccount.FEE_REVENUE,
)
#: A hold's (pending transfer's) states; posted and voided also describe other transfers.
TRANSFER_STATES = ["pending", "posted", "voided", "expired"]
TRANSFER_KINDS = [kind.value for kind in Transfer.Kind]
TRANSFER_DIRECTIONS = ["in", "out"]
HOLD_REASONS = list(HOLD_ACCOUNTS)
INTERNAL_PLATFORM_CODES = [account.value for account in INTERNAL_PLATFORM_ACCOUNTS]
#: Reasons only this service's own code writes.
RESERVED_REASONS = frozenset({"deposit", "withdrawal", "network_fee", "correction", "expired"})

ERRORS = {
    400: OpenApiResponse(ErrorResponseSerializer, description="Invalid input or insufficient funds."),
    401: OpenApiResponse(ErrorResponseSerializer, description="No valid token."),
    403: OpenApiResponse(ErrorResponseSerializer, description="Not allowed, or the account is frozen."),
    404: OpenApiResponse(ErrorResponseSerializer, description="No such hold or account."),
    409: OpenApiResponse(ErrorResponseSerializer, description="Id reused differently, or hold resolved."),
}


# -- users ---------------------------------------------------------------------------------------------


def _user_id(request: Request) -> uuid.UUID:
    try:
        return uuid.UUID(str(request.user.pk))
    except ValueError:
        raise AuthenticationFailed("The token's subject is not a user.", code="invalid_token") from None


@extend_schema_serializer(component_name="WalletHold")
class HoldSummarySerializer(serializers.Serializer[Any]):
    hold_id = serializers.UUIDField()
    amount_koinu = KoinuField()
    amount = serializers.CharField(help_text="The amount in DOGE, 8 decimals (display only).")
    reason = serializers.CharField(help_text="Why the amount is held: bid_hold, order_escrow, withdrawal...")
    reference = serializers.DictField(help_text="What holds it: auction_id, order_id, withdrawal_id...")
    holding_account = serializers.CharField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)


@extend_schema_serializer(component_name="WalletHeldByReason")
class HeldByReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField()
    amount_koinu = KoinuField()
    amount = serializers.CharField()


class WalletBalanceApi(APIView):
    """GET /api/v1/wallet/balance: the caller's available, held and incoming DOGE."""

    permission_classes = (IsAuthenticated,)

    @extend_schema_serializer(component_name="WalletBalance")
    class OutputSerializer(serializers.Serializer[Any]):
        user_id = serializers.UUIDField()
        available_koinu = KoinuField(help_text="Spendable now.")
        available = serializers.CharField()
        held_koinu = KoinuField(help_text="Reserved by bids, orders and withdrawals (see holds).")
        held = serializers.CharField()
        incoming_koinu = KoinuField(help_text="Deposits seen on chain, not yet confirmed; not spendable.")
        incoming = serializers.CharField()
        is_frozen = serializers.BooleanField(help_text="Frozen for review: can receive, cannot spend.")
        held_by_reason = HeldByReasonSerializer(many=True)
        holds = HoldSummarySerializer(many=True)

    @extend_schema(
        operation_id="wallet_balance",
        summary="My balances",
        description=(
            "Available, held (with the open holds behind it) and incoming, in koinu (digit strings) "
            "and DOGE (display strings). `held_koinu` is always the sum of `holds`."
        ),
        responses={200: OutputSerializer, 401: ERRORS[401]},
    )
    def get(self, request: Request) -> Response:
        balances = user_balances(user_id=_user_id(request))
        return Response(
            self.OutputSerializer(
                {
                    "user_id": balances.user_id,
                    "available_koinu": balances.available_koinu,
                    "available": Koinu(balances.available_koinu).to_doge(),
                    "held_koinu": balances.held_koinu,
                    "held": Koinu(balances.held_koinu).to_doge(),
                    "incoming_koinu": balances.incoming_koinu,
                    "incoming": Koinu(balances.incoming_koinu).to_doge(),
                    "is_frozen": balances.is_frozen,
                    "held_by_reason": [
                        {"reason": reason, "amount_koinu": amount, "amount": Koinu(amount).to_doge()}
                        for reason, amount in sorted(balances.held_by_reason.items())
                    ],
                    "holds": [
                        {
                            "hold_id": hold.transfer_id,
                            "amount_koinu": hold.amount_koinu,
                            "amount": Koinu(hold.amount_koinu).to_doge(),
                            "reason": hold.reason,
                            "reference": hold.reference,
                            "holding_account": hold.holding_account,
                            "created_at": hold.created_at,
                            "expires_at": hold.expires_at,
                        }
                        for hold in balances.holds
                    ],
                }
            ).data
        )


def _history_status(transfer: Transfer, *, now: datetime) -> str:
    if transfer.kind == Transfer.Kind.PENDING:
        return pending_state(
            timeout_at=transfer.timeout_at,
            resolution_kind=getattr(transfer, "resolution_kind", None),
            resolution_reason=getattr(transfer, "resolution_reason", None),
            now=now,
        )
    if transfer.kind == Transfer.Kind.VOID_PENDING:
        return "expired" if transfer.reason == EXPIRED_REASON else "voided"
    return "posted"


@extend_schema_serializer(component_name="WalletTransfer")
class TransferHistorySerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=TRANSFER_KINDS)
    direction = serializers.ChoiceField(
        choices=TRANSFER_DIRECTIONS, help_text="in: credited to the wallet; out: debited from it."
    )
    amount_koinu = KoinuField()
    amount = serializers.CharField()
    status = serializers.ChoiceField(
        choices=TRANSFER_STATES,
        help_text="For a hold (kind pending): still pending, posted, voided or expired.",
    )
    reason = serializers.CharField()
    reference = serializers.DictField()
    counterparty = serializers.CharField(help_text="The other side: a platform account, or `user`.")
    pending_id = serializers.UUIDField(allow_null=True, help_text="For a post or void: the hold.")
    created_at = serializers.DateTimeField()


@extend_schema_serializer(component_name="WalletTransferPage")
class TransferPageSerializer(serializers.Serializer[Any]):
    # A field named like Serializer.data: DRF moves declared fields off the class, so it is safe.
    data = TransferHistorySerializer(many=True)  # type: ignore[assignment]
    has_more = serializers.BooleanField()


class WalletTransferListApi(APIView):
    """GET /api/v1/wallet/transfers: every transfer touching the caller's wallet, newest first."""

    permission_classes = (IsAuthenticated,)

    @extend_schema(
        operation_id="wallet_transfers_list",
        summary="My transfers",
        description="Cursor-paginated history of the caller's wallet, optionally filtered by reason.",
        parameters=[
            OpenApiParameter("limit", int, description="Items to return (1 to 100, default 20)."),
            OpenApiParameter("starting_after", str, description="Items after this transfer id."),
            OpenApiParameter("ending_before", str, description="Items before this transfer id."),
            OpenApiParameter("reason", str, description="Only transfers with this reason."),
        ],
        responses={200: TransferPageSerializer, 400: ERRORS[400], 401: ERRORS[401]},
    )
    def get(self, request: Request) -> Response:
        user_id = _user_id(request)
        page_params = parse_page_params(request.query_params)
        reason = request.query_params.get("reason")
        if reason is not None and not REASON_PATTERN.fullmatch(reason):
            raise InvalidRequest("reason must be a reason code.", code="invalid_reason", param="reason")
        page = transfers_for_user(
            user_id=user_id,
            limit=page_params.limit,
            starting_after=page_params.starting_after,
            ending_before=page_params.ending_before,
            reason=reason,
        )
        wallet_id = user_wallet_account_id(user_id)
        now = timezone.now()
        data = [
            {
                "id": transfer.id,
                "kind": transfer.kind,
                "direction": "in" if transfer.credit_account_id == wallet_id else "out",
                "amount_koinu": transfer.amount_koinu,
                "amount": Koinu(transfer.amount_koinu).to_doge(),
                "status": _history_status(transfer, now=now),
                "reason": transfer.reason,
                "reference": transfer.reference,
                "counterparty": account_label(
                    transfer.debit_account_id
                    if transfer.credit_account_id == wallet_id
                    else transfer.credit_account_id
                ),
                "pending_id": transfer.pending_id,
                "created_at": transfer.created_at,
            }
            for transfer in page.data
        ]
        return Response(TransferPageSerializer({"data": data, "has_more": page.has_more}).data)


# -- other services -------------------------------------------------------------------------------------


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

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, dict) and len(data) == 1:
            if "user_id" in data:
                try:
                    return {"user_id": uuid.UUID(str(data["user_id"]))}
                except ValueError:
                    pass
            elif data.get("platform") in INTERNAL_PLATFORM_CODES:
                return {"platform": data["platform"]}
        self.fail("invalid_account", codes=", ".join(INTERNAL_PLATFORM_CODES))
        raise AssertionError("unreachable")

    def to_representation(self, value: dict[str, Any]) -> dict[str, str]:
        return {key: str(item) for key, item in value.items()}


DATETIME_FIELD = serializers.DateTimeField()


def _account_ref_body(ref: dict[str, Any]) -> dict[str, str]:
    return {"user_id": str(ref["user_id"])} if "user_id" in ref else {"platform": str(ref["platform"])}


def account_ref(account_id: uuid.UUID, user_id: uuid.UUID | None) -> dict[str, str]:
    if user_id is not None:
        return {"user_id": str(user_id)}
    return {"platform": account_label(account_id)}


def _account_id(ref: dict[str, Any], *, create_wallet: bool) -> uuid.UUID:
    if "platform" in ref:
        return PLATFORM_ACCOUNT_IDS[ref["platform"]]
    if create_wallet:
        return services.account_user_wallet_get_or_create(user_id=ref["user_id"]).id
    return user_wallet_account_id(ref["user_id"])


def _body_id(request: Request, data: dict[str, Any], name: str) -> uuid.UUID:
    """The request's idempotency id: ``name`` from the body, else derived from ``Idempotency-Key``.

    Deriving is scoped to the calling service and the path, so two services' keys never meet.
    """
    given = data.get(name)
    if given is not None:
        return uuid.UUID(str(given))
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        raise InvalidRequest(
            f"{name} is required (or send an {IDEMPOTENCY_HEADER} header).", code="required", param=name
        )
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise InvalidRequest(
            f"The {IDEMPOTENCY_HEADER} header must be 1 to {MAX_KEY_LENGTH} printable characters.",
            code="invalid_idempotency_key",
            param=IDEMPOTENCY_HEADER,
        )
    return idempotency_key_transfer_id(caller=str(request.user.pk), path=request.path, key=key)


def _check_reason(reason: str) -> str:
    if not REASON_PATTERN.fullmatch(reason):
        raise InvalidRequest("reason must be a short lowercase code.", code="invalid_reason", param="reason")
    if reason in RESERVED_REASONS:
        raise PermissionDenied(
            f"reason {reason!r} is reserved for the wallet itself.", code="reason_reserved"
        )
    return reason


def _rename_param(error: ApiError, names: dict[str, str]) -> ApiError:
    if error.param is not None:
        head, _, rest = error.param.partition(".")
        error.param = names.get(head, head) + (f".{rest}" if rest else "")
    return error


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


def _hold_response(hold_id: uuid.UUID, http_status: int) -> Response:
    return Response(
        hold_body(pending_transfer_state(transfer_id=hold_id, now=timezone.now())), status=http_status
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
        expires_in_s = serializers.IntegerField(required=False, min_value=1, max_value=MAX_TIMEOUT_S)
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
        data = self._validated(request)
        hold_id = _body_id(request, data, "hold_id")
        arguments = {
            "transfer_id": hold_id,
            "debit_account_id": user_wallet_account_id(data["user_id"]),
            "credit_account_id": HOLD_ACCOUNTS[data["reason"]].account_id,
            "amount_koinu": data["amount_koinu"],
            "reason": data["reason"],
            "reference": data["reference"],
            "timeout_s": data.get("expires_in_s"),
        }
        try:
            if "replaces_hold_id" in data:
                services.transfer_pending_replace(replaces_id=data["replaces_hold_id"], **arguments)
            else:
                services.transfer_create(pending=True, **arguments)
        except AccountNotFound as error:
            # A user without a wallet account has nothing to hold.
            raise InsufficientFunds(param="amount_koinu") from error
        except ApiError as error:
            names = {
                "transfer_id": "hold_id",
                "debit_account_id": "user_id",
                "timeout_s": "expires_in_s",
                "replaces_id": "replaces_hold_id",
            }
            raise _rename_param(error, names) from None
        return _hold_response(hold_id, status.HTTP_201_CREATED)

    def _validated(self, request: Request) -> dict[str, Any]:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


class InternalHoldDetailApi(InternalApi):
    """GET /api/v1/wallet/internal/holds/{hold_id}."""

    @extend_schema(
        operation_id="wallet_internal_hold_retrieve",
        summary="Look up a hold",
        responses={200: HoldSerializer, 401: ERRORS[401], 403: ERRORS[403], 404: ERRORS[404]},
        tags=["internal"],
    )
    def get(self, request: Request, hold_id: uuid.UUID) -> Response:
        return _hold_response(hold_id, status.HTTP_200_OK)


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
        data = dict(serializer.validated_data)
        post_id = _body_id(request, data, "post_id")
        destination = data.get("destination_account")
        try:
            services.transfer_post_pending(
                transfer_id=post_id,
                pending_id=hold_id,
                amount_koinu=data.get("amount_koinu"),
                credit_account_id=None
                if destination is None
                else _account_id(destination, create_wallet=True),
            )
        except ApiError as error:
            raise _rename_param(error, {"transfer_id": "post_id", "pending_id": "hold_id"}) from None
        return _hold_response(hold_id, status.HTTP_200_OK)


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
        void_id = _body_id(request, dict(serializer.validated_data), "void_id")
        try:
            services.transfer_void_pending(transfer_id=void_id, pending_id=hold_id)
        except ApiError as error:
            raise _rename_param(error, {"transfer_id": "void_id", "pending_id": "hold_id"}) from None
        return _hold_response(hold_id, status.HTTP_200_OK)


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
        data = dict(serializer.validated_data)
        transfer_id = _body_id(request, data, "transfer_id")
        reason = _check_reason(data["reason"])
        debit, credit = data["debit"], data["credit"]
        arguments = {
            "transfer_id": transfer_id,
            "debit_account_id": _account_id(debit, create_wallet=False),
            "credit_account_id": _account_id(credit, create_wallet=False),
            "amount_koinu": data["amount_koinu"],
            "reason": reason,
            "reference": data["reference"],
        }
        try:
            try:
                transfer = services.transfer_create(**arguments)
            except AccountNotFound as error:
                if error.param != "credit_account_id":
                    raise
                # A user receiving for the first time: open the wallet, then transfer (same id).
                arguments["credit_account_id"] = _account_id(credit, create_wallet=True)
                transfer = services.transfer_create(**arguments)
        except AccountNotFound as error:
            # A user with no wallet has nothing to pay with.
            raise InsufficientFunds(param="amount_koinu") from error
        except ApiError as error:
            raise _rename_param(error, {"debit_account_id": "debit", "credit_account_id": "credit"}) from None
        # The recorded transfer has exactly the requested accounts (else it was a conflict), so the
        # accounts are answered as the caller named them. Rendered by hand in TransferSerializer's
        # shape: this is the hottest route, and building serializer fields costs more than the SQL.
        return Response(
            {
                "transfer_id": str(transfer.id),
                "debit": _account_ref_body(debit),
                "credit": _account_ref_body(credit),
                "amount_koinu": str(transfer.amount_koinu),
                "amount": Koinu(transfer.amount_koinu).to_doge(),
                "reason": transfer.reason,
                "reference": transfer.reference,
                "created_at": DATETIME_FIELD.to_representation(transfer.created_at),
            },
            status=status.HTTP_201_CREATED,
        )
