"""HTTP API of the chain side: deposit addresses, deposits, withdrawals (thin views over services)."""

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

from dbay_common.django.idempotency.middleware import IDEMPOTENCY_HEADER
from dbay_common.drf import CursorPagination, KoinuField, request_user_id, roles_required
from dbay_common.errors import InvalidRequest, NotFound
from dbay_common.jwt import require_fresh_mfa
from wallet_service.chain import selectors, services
from wallet_service.chain.keys import dogecoin_uri
from wallet_service.chain.models import WalletAddress, Withdrawal


def _tip_height() -> int | None:
    tip = selectors.chain_tip()
    return tip.height if tip is not None else None


# -- deposit address -----------------------------------------------------------------------------------


class DepositAddressOutput(serializers.Serializer[dict[str, Any]]):
    address = serializers.CharField()
    uri = serializers.CharField(help_text="dogecoin: URI (BIP21 style), for a QR code")
    network = serializers.CharField()
    created_at = serializers.DateTimeField()


def _address_document(address: WalletAddress) -> dict[str, Any]:
    return {
        "address": address.address,
        "uri": dogecoin_uri(address.address),
        "network": settings.DOGECOIN_NETWORK,
        "created_at": address.created_at,
    }


class DepositAddressApi(APIView):
    """The caller's current deposit address; POST gives a fresh one (older ones still credit)."""

    permission_classes = (IsAuthenticated,)

    @extend_schema(
        operation_id="wallet_deposit_address_get",
        summary="Current deposit address",
        description="The caller's deposit address (created on the first call), with a dogecoin: URI.",
        responses={200: DepositAddressOutput},
    )
    def get(self, request: Request) -> Response:
        address = services.deposit_address_get_or_create(user_id=request_user_id(request))
        return Response(DepositAddressOutput(_address_document(address)).data)

    @extend_schema(
        operation_id="wallet_deposit_address_rotate",
        summary="New deposit address",
        description="Replace the caller's current deposit address with a fresh one. Payments to older "
        "addresses are still credited.",
        request=None,
        responses={201: DepositAddressOutput},
    )
    def post(self, request: Request) -> Response:
        address = services.deposit_address_rotate(user_id=request_user_id(request))
        return Response(DepositAddressOutput(_address_document(address)).data, status=status.HTTP_201_CREATED)


# -- deposits ------------------------------------------------------------------------------------------


class DepositOutput(serializers.Serializer[selectors.DepositState]):
    id = serializers.CharField()
    address = serializers.CharField()
    txid = serializers.CharField()
    vout = serializers.IntegerField()
    amount_koinu = KoinuField()
    status = serializers.ChoiceField(choices=["pending", "confirming", "credited"])
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
        responses={200: DepositOutput(many=True)},
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
    status = serializers.ChoiceField(choices=Withdrawal.Status.values)
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
    permission_classes = (IsAuthenticated,)

    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        amount_koinu = KoinuField()

    @extend_schema(
        operation_id="wallet_withdrawal_quote",
        summary="Withdrawal fee quote",
        description="The network fee a withdrawal of this amount is charged (0.01 DOGE per started kB of "
        "the estimated transaction size), and the total held from the wallet.",
        parameters=[OpenApiParameter("amount_koinu", str, required=True, description="amount in koinu")],
        responses={200: WithdrawalQuoteOutput},
    )
    def get(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        quote = selectors.withdrawal_quote(amount_koinu=data.validated_data["amount_koinu"])
        return Response(WithdrawalQuoteOutput(quote).data)


class WithdrawalListApi(APIView):
    """POST requests a withdrawal (fresh 2FA, Idempotency-Key); GET lists the caller's withdrawals."""

    permission_classes = (IsAuthenticated,)
    pagination_class = CursorPagination
    cursor_ordering = ("-created_at", "-id")
    cursor_field = "id"

    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        address = serializers.CharField(max_length=64)
        amount_koinu = KoinuField()

    @extend_schema(
        operation_id="wallet_withdrawals_list",
        summary="Withdrawals",
        responses={200: WithdrawalOutput(many=True)},
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
        "from the last 5 minutes (403 mfa_required otherwise) and an Idempotency-Key. Amount plus fee are "
        "held at once; above the approval threshold the withdrawal waits for staff (awaiting_approval).",
        parameters=[OpenApiParameter(IDEMPOTENCY_HEADER, str, OpenApiParameter.HEADER, required=True)],
        request=InputSerializer,
        responses={201: WithdrawalOutput},
    )
    def post(self, request: Request) -> Response:
        user_id = request_user_id(request)
        require_fresh_mfa(
            getattr(request.user, "claims", {}), max_age_s=int(settings.WITHDRAWAL_MFA_MAX_AGE_S)
        )
        if not request.headers.get(IDEMPOTENCY_HEADER):
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
        )
        state = selectors.withdrawal_state(withdrawal, tip_height=_tip_height())
        return Response(WithdrawalOutput(state).data, status=status.HTTP_201_CREATED)


class WithdrawalDetailApi(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        operation_id="wallet_withdrawal_get", summary="One withdrawal", responses={200: WithdrawalOutput}
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


class WithdrawalReviewInput(serializers.Serializer[dict[str, Any]]):
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class WithdrawalApproveApi(APIView):
    """Staff: approve a withdrawal above the threshold (it joins the signer's queue)."""

    permission_classes = (roles_required("staff"),)

    @extend_schema(
        operation_id="wallet_withdrawal_approve",
        summary="Approve a withdrawal (staff)",
        request=WithdrawalReviewInput,
        responses={200: WithdrawalOutput},
    )
    def post(self, request: Request, withdrawal_id: uuid.UUID) -> Response:
        data = WithdrawalReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        withdrawal = services.withdrawal_approve(
            withdrawal_id=withdrawal_id, staff_id=request_user_id(request), note=data.validated_data["note"]
        )
        return Response(
            WithdrawalOutput(selectors.withdrawal_state(withdrawal, tip_height=_tip_height())).data
        )


class WithdrawalRejectApi(APIView):
    """Staff: reject a withdrawal above the threshold (its hold is voided)."""

    permission_classes = (roles_required("staff"),)

    @extend_schema(
        operation_id="wallet_withdrawal_reject",
        summary="Reject a withdrawal (staff)",
        request=WithdrawalReviewInput,
        responses={200: WithdrawalOutput},
    )
    def post(self, request: Request, withdrawal_id: uuid.UUID) -> Response:
        data = WithdrawalReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        withdrawal = services.withdrawal_reject(
            withdrawal_id=withdrawal_id, staff_id=request_user_id(request), note=data.validated_data["note"]
        )
        return Response(
            WithdrawalOutput(selectors.withdrawal_state(withdrawal, tip_height=_tip_height())).data
        )
