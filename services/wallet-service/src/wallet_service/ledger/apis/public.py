"""The ledger's API for users (access tokens): their balances and their transfers."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dbay_common.drf import request_user_id
from dbay_common.drf.fields import KoinuField
from dbay_common.drf.schema import page_parameters
from dbay_common.money import Koinu
from dbay_common.pagination import parse_page_params
from wallet_service.ledger.apis._schema import ERRORS
from wallet_service.ledger.policy import TRANSFER_DIRECTIONS, TRANSFER_KINDS, TRANSFER_STATES
from wallet_service.ledger.selectors import transfer_history, user_balances


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
        balances = user_balances(user_id=request_user_id(request))
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
    signed_amount_koinu = serializers.RegexField(
        r"^-?[0-9]+$",
        help_text="The row's effect on the wallet in koinu, signed (a digit string, `-` for money out), "
        "each koinu on one row: a void is 0; a hold is -amount while pending, then 0 (its post carries "
        "the amount), or with activity=true the posted amount once posted and 0 once voided or expired.",
    )


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
            *page_parameters("transfer"),
            OpenApiParameter("reason", str, description="Only transfers with this reason."),
            OpenApiParameter(
                "activity",
                bool,
                description="One row per movement: a hold and the post or void that resolved it are one "
                "row, with the hold's state (a withdrawal is one row). Default false: every transfer.",
            ),
        ],
        responses={200: TransferPageSerializer, 400: ERRORS[400], 401: ERRORS[401]},
    )
    def get(self, request: Request) -> Response:
        user_id = request_user_id(request)
        page_params = parse_page_params(request.query_params)
        page = transfer_history(
            user_id=user_id,
            limit=page_params.limit,
            starting_after=page_params.starting_after,
            ending_before=page_params.ending_before,
            reason=request.query_params.get("reason"),
            now=timezone.now(),
            is_activity=request.query_params.get("activity", "").lower() in ("true", "1"),
        )
        data = [
            {
                "id": entry.id,
                "kind": entry.kind,
                "direction": entry.direction,
                "amount_koinu": entry.amount_koinu,
                "amount": Koinu(entry.amount_koinu).to_doge(),
                "status": entry.status,
                "reason": entry.reason,
                "reference": entry.reference,
                "counterparty": entry.counterparty,
                "pending_id": entry.pending_id,
                "created_at": entry.created_at,
                "signed_amount_koinu": str(entry.signed_amount_koinu),
            }
            for entry in page.data
        ]
        return Response(TransferPageSerializer({"data": data, "has_more": page.has_more}).data)
