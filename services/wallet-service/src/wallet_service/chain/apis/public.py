"""HTTP API of the chain side for users: deposit addresses, deposits, withdrawals (thin views)."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dbay_common.django.idempotency.middleware import IDEMPOTENCY_HEADER, REPLAYED_HEADER
from dbay_common.drf import CursorPagination, KoinuField, request_user_id, session_now
from dbay_common.drf.schema import error_responses, idempotency_key_parameter
from dbay_common.errors import InvalidRequest, NotFound
from dbay_common.jwt import require_fresh_mfa
from wallet_service.amounts import MAX_BALANCE_KOINU, AmountField
from wallet_service.chain import selectors, services
from wallet_service.chain.keys import dogecoin_uri
from wallet_service.chain.models import WalletAddress, Withdrawal
from wallet_service.testing_hooks import test_pause


def _tip_height() -> int | None:
    tip = selectors.chain_tip()
    return tip.height if tip is not None else None


# -- deposit address -----------------------------------------------------------------------------------


class DepositAddressOutput(serializers.Serializer[dict[str, Any]]):
    address = serializers.CharField()
    uri = serializers.CharField(
        help_text="BIP21 `dogecoin:` URI, for a clickable link and a QR code; with `?amount=` in DOGE when "
        "an amount was asked for"
    )
    network = serializers.CharField()
    created_at = serializers.DateTimeField()


def _address_document(address: WalletAddress, amount_koinu: int | None = None) -> dict[str, Any]:
    return {
        "address": address.address,
        "uri": dogecoin_uri(address.address, amount_koinu or None),
        "network": settings.DOGECOIN_NETWORK,
        "created_at": address.created_at,
    }


class DepositAddressApi(APIView):
    """The caller's current deposit address; POST gives a fresh one (older ones still credit)."""

    permission_classes = (IsAuthenticated,)

    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        amount_koinu = AmountField(required=False)

    @extend_schema(
        operation_id="wallet_deposit_address_get",
        summary="Current deposit address",
        description="The caller's deposit address (created on the first call), with a BIP21 dogecoin: URI "
        "(carrying `amount_koinu` as `?amount=` in DOGE when given).",
        parameters=[
            OpenApiParameter(
                "amount_koinu",
                str,
                description="optional amount for the URI, in koinu",
                pattern="^[0-9]{1,19}$",
            )
        ],
        responses={
            200: DepositAddressOutput,
            **error_responses(400, 401, descriptions={400: "Invalid amount."}),
        },
    )
    def get(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        address = services.deposit_address_get_or_create(user_id=request_user_id(request))
        return Response(
            DepositAddressOutput(_address_document(address, data.validated_data.get("amount_koinu"))).data
        )

    @extend_schema(
        operation_id="wallet_deposit_address_rotate",
        summary="New deposit address",
        description="Replace the caller's current deposit address with a fresh one. Payments to older "
        "addresses are still credited.",
        request=None,
        responses={201: DepositAddressOutput, **error_responses(401)},
    )
    def post(self, request: Request) -> Response:
        address = services.deposit_address_rotate(user_id=request_user_id(request))
        return Response(DepositAddressOutput(_address_document(address)).data, status=status.HTTP_201_CREATED)


# -- deposits ------------------------------------------------------------------------------------------


#: A withdrawal's states (``Withdrawal.Status``).
WITHDRAWAL_STATUSES = list(Withdrawal.Status.values)

#: What the API shows of a deposit (dropped ones are hidden).
DEPOSIT_STATUSES = ["pending", "confirming", "credited"]


class DepositOutput(serializers.Serializer[selectors.DepositState]):
    id = serializers.CharField()
    address = serializers.CharField()
    txid = serializers.CharField()
    vout = serializers.IntegerField()
    amount_koinu = KoinuField()
    status = serializers.ChoiceField(choices=DEPOSIT_STATUSES)
    confirmations = serializers.IntegerField()
    required_confirmations = serializers.IntegerField()
    block_height = serializers.IntegerField(allow_null=True)
    first_seen_at = serializers.DateTimeField()
    credited_at = serializers.DateTimeField(allow_null=True)


class DepositListApi(APIView):
    """The caller's deposits: incoming (pending in the mempool, confirming) and credited, newest first."""

    permission_classes = (IsAuthenticated,)
    pagination_class = CursorPagination
    cursor_ordering = ("-first_seen_at", "-id")
    cursor_field = "id"

    @extend_schema(
        operation_id="wallet_deposits_list",
        summary="Deposits",
        description="Incoming and credited deposits with their live confirmation counts.",
        responses={
            200: DepositOutput(many=True),
            **error_responses(400, 401, descriptions={400: "Invalid cursor or limit."}),
        },
    )
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            selectors.deposits_for_user(user_id=request_user_id(request)), request, view=self
        )
        tip_height = _tip_height()
        states = [selectors.deposit_state(deposit, tip_height=tip_height) for deposit in page]
        return paginator.get_paginated_response([DepositOutput(state).data for state in states])


# -- withdrawals ---------------------------------------------------------------------------------------


class WithdrawalOutput(serializers.Serializer[selectors.WithdrawalState]):
    id = serializers.CharField()
    address = serializers.CharField()
    amount_koinu = KoinuField()
    fee_koinu = KoinuField()
    status = serializers.ChoiceField(choices=WITHDRAWAL_STATUSES)
    txid = serializers.CharField(allow_null=True)
    confirmations = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    failure_reason = serializers.CharField(allow_null=True)


class WithdrawalQuoteOutput(serializers.Serializer[selectors.WithdrawalQuote]):
    amount_koinu = KoinuField()
    fee_koinu = KoinuField()
    total_koinu = KoinuField()
    estimated_size_bytes = serializers.IntegerField()
    fee_per_kb_koinu = KoinuField()


class WithdrawalQuoteApi(APIView):
    """The fee and total of a withdrawal of an amount, or of the largest one the caller can make."""

    permission_classes = (IsAuthenticated,)

    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        amount_koinu = AmountField(required=False)
        max = serializers.BooleanField(required=False, default=False)
        address = serializers.CharField(required=False, max_length=64)

    @extend_schema(
        operation_id="wallet_withdrawal_quote",
        summary="Withdrawal fee quote",
        description="The network fee a withdrawal of this amount is charged (0.01 DOGE per started kB of "
        "the estimated transaction size), and the total held from the wallet. With `max=true` instead of "
        "an amount: the largest withdrawal the caller can make now (available balance minus the fee). "
        "With `address`, the address is checked too (as `withdrawals/address-check`).",
        parameters=[
            OpenApiParameter(
                "amount_koinu",
                str,
                description=f"amount in koinu (digits); required unless max=true; amount plus fee at most "
                f"{MAX_BALANCE_KOINU}",
                pattern="^[0-9]{1,19}$",
            ),
            OpenApiParameter("max", bool, description="quote the largest withdrawal possible now"),
            OpenApiParameter(
                "address",
                {"type": "string", "minLength": 1},
                description="also check this destination address",
            ),
        ],
        responses={
            200: WithdrawalQuoteOutput,
            **error_responses(
                400,
                401,
                descriptions={
                    400: "Missing or invalid amount (`invalid_amount`, `amount_too_large`, "
                    "`amount_below_dust`), nothing to withdraw with max (`insufficient_funds`), or an "
                    "invalid address (`invalid_address`)."
                },
            ),
        },
    )
    def get(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        user_id = request_user_id(request)
        if "address" in data.validated_data:
            services.withdrawal_address_check(data.validated_data["address"], user_id=user_id)
        if data.validated_data["max"]:
            quote = selectors.withdrawal_quote_max(user_id=user_id)
        elif "amount_koinu" in data.validated_data:
            quote = selectors.withdrawal_quote(amount_koinu=data.validated_data["amount_koinu"])
        else:
            raise InvalidRequest(
                "Give an amount, or ask for the largest withdrawal possible with max=true.",
                code="required",
                param="amount_koinu",
            )
        return Response(WithdrawalQuoteOutput(quote).data)


class WithdrawalAddressCheckOutput(serializers.Serializer[dict[str, Any]]):
    address = serializers.CharField()
    network = serializers.CharField()


class WithdrawalAddressCheckApi(APIView):
    """Check a destination before the 2FA step, with the same rules as the withdrawal itself."""

    permission_classes = (IsAuthenticated,)

    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        address = serializers.CharField(max_length=64)

    @extend_schema(
        operation_id="wallet_withdrawal_address_check",
        summary="Check a withdrawal address",
        description="200 when a withdrawal to this address would be accepted. Otherwise 400 "
        "`invalid_address` with a message saying why: not a Dogecoin address, an invalid checksum (a "
        "typo), an address of another Dogecoin network, one of the caller's own deposit addresses, or "
        "one of the platform's addresses. Call it before asking for a 2FA code.",
        parameters=[
            OpenApiParameter(
                "address", {"type": "string", "minLength": 1}, required=True, description="the destination"
            )
        ],
        responses={200: WithdrawalAddressCheckOutput, **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        address = services.withdrawal_address_check(
            data.validated_data["address"], user_id=request_user_id(request)
        )
        return Response(
            WithdrawalAddressCheckOutput({"address": address, "network": settings.DOGECOIN_NETWORK}).data
        )


class WithdrawalListApi(APIView):
    """POST requests a withdrawal (fresh 2FA, Idempotency-Key); GET lists the caller's withdrawals."""

    permission_classes = (IsAuthenticated,)
    pagination_class = CursorPagination
    cursor_ordering = ("-created_at", "-id")
    cursor_field = "id"

    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        address = serializers.CharField(max_length=64)
        amount_koinu = AmountField()

    @extend_schema(
        operation_id="wallet_withdrawals_list",
        summary="Withdrawals",
        responses={
            200: WithdrawalOutput(many=True),
            **error_responses(400, 401, descriptions={400: "Invalid cursor or limit."}),
        },
    )
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            selectors.withdrawals_for_user(user_id=request_user_id(request)), request, view=self
        )
        tip_height = _tip_height()
        states = [selectors.withdrawal_state(withdrawal, tip_height=tip_height) for withdrawal in page]
        return paginator.get_paginated_response([WithdrawalOutput(state).data for state in states])

    @extend_schema(
        operation_id="wallet_withdrawal_request",
        summary="Request a withdrawal",
        description="Sends DOGE to an address of the configured network. Needs a token with a TOTP check "
        "from the last 5 minutes (403 mfa_required otherwise) and an Idempotency-Key (400 "
        "idempotency_key_required without one). Amount plus fee are held at once; above the approval "
        "threshold the withdrawal waits for staff (awaiting_approval). The key is the withdrawal's "
        "identity: a retry with the same key and body answers 201 with the same withdrawal (its current "
        "state) and `Idempotent-Replayed: true`, even after the server crashed mid-request; never a "
        "second withdrawal.",
        parameters=[
            idempotency_key_parameter(
                "The withdrawal's identity: a retry with the same key and body answers with the same "
                "withdrawal.",
                required=True,
            )
        ],
        request=InputSerializer,
        responses={
            201: WithdrawalOutput,
            **error_responses(
                400,
                401,
                403,
                409,
                422,
                descriptions={
                    400: "Invalid address or amount, dust, too large, over the daily limit, insufficient "
                    "funds, or no Idempotency-Key.",
                    401: "Not signed in, or the session has ended (`session_revoked`).",
                    403: "No fresh 2FA check (`mfa_required`), the email address is not verified "
                    "(`email_unverified`), or the wallet is frozen.",
                    409: "A request with this Idempotency-Key is still running; retry shortly.",
                },
            ),
        },
    )
    def post(self, request: Request) -> Response:
        user_id = request_user_id(request)
        # Money leaves: the session must be live at user-service right now (ADR 0006), and its
        # answer carries the account's current email verification.
        session = session_now(request)
        require_fresh_mfa(
            getattr(request.user, "claims", {}), max_age_s=int(settings.WITHDRAWAL_MFA_MAX_AGE_S)
        )
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if not key:
            raise InvalidRequest(
                "Withdrawals need an Idempotency-Key header.",
                code="idempotency_key_required",
                param=IDEMPOTENCY_HEADER,
            )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        withdrawal = services.withdrawal_request(
            user_id=user_id,
            address=data.validated_data["address"],
            amount_koinu=data.validated_data["amount_koinu"],
            idempotency_key=key,
            email_verified=session.email_verified,
        )
        test_pause("after_withdrawal_commit")
        state = selectors.withdrawal_state(withdrawal, tip_height=_tip_height())
        headers = {REPLAYED_HEADER: "true"} if withdrawal.is_replayed else {}
        return Response(WithdrawalOutput(state).data, status=status.HTTP_201_CREATED, headers=headers)


class WithdrawalDetailApi(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        operation_id="wallet_withdrawal_get",
        summary="One withdrawal",
        responses={200: WithdrawalOutput, **error_responses(401, 404)},
    )
    def get(self, request: Request, withdrawal_id: uuid.UUID) -> Response:
        withdrawal = (
            selectors.withdrawals_for_user(user_id=request_user_id(request)).filter(id=withdrawal_id).first()
        )
        if withdrawal is None:
            raise NotFound("No such withdrawal.", code="withdrawal_not_found")
        return Response(
            WithdrawalOutput(selectors.withdrawal_state(withdrawal, tip_height=_tip_height())).data
        )
