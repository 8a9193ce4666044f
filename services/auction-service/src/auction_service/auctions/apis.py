"""Public HTTP API of auction-service (`/api/v1/auctions/`): thin views over bidding / lifecycle.

Bids and Buy It Now take an ``Idempotency-Key``: the bid's id (and its wallet hold's id) is derived
from it, so a retry, even concurrent, is the same bid. Those views are exempt from the shared
Idempotency-Key middleware (its "in progress" 409 would only get in the way): the ids give the
stronger guarantee. Money moves only after ``session_now`` (the session is live, the address
verified), as the wallet does for withdrawals.
"""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from auction_service.auctions import bidding, errors, lifecycle, live
from auction_service.auctions.models import Auction, Bid
from auction_service.auctions.selectors import my_bids
from dbay_common.django.idempotency.middleware import IDEMPOTENCY_HEADER
from dbay_common.drf import CursorPagination, KoinuField, request_user_id, session_now
from dbay_common.drf.authentication import TokenUser
from dbay_common.drf.schema import error_responses
from dbay_common.errors import InvalidRequest

AUCTION_STATUSES = ["scheduled", "open", "closed", "ended_unsold", "cancelled"]
MY_STATUSES = ["leading", "outbid", "won", "lost"]
OUTCOMES = ["leading", "outbid"]

KEY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="The bid's identity: the same key again is the same bid.",
)


class MaskedNameSerializer(serializers.Serializer[Any]):
    masked_name = serializers.CharField()
    feedback_score = serializers.IntegerField(allow_null=True)


@extend_schema_serializer(component_name="Auction")
class AuctionSerializer(serializers.Serializer[Any]):
    listing_id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=AUCTION_STATUSES)
    start_price_koinu = KoinuField()
    current_price_koinu = KoinuField()
    current_price = serializers.CharField(help_text="The current price in DOGE, for display.")
    next_minimum_bid_koinu = KoinuField(allow_null=True, help_text="Null once the auction is over.")
    bid_count = serializers.IntegerField()
    bidder_count = serializers.IntegerField()
    leader = MaskedNameSerializer(allow_null=True)
    reserve = serializers.ChoiceField(choices=["none", "met", "not_met"])
    buy_it_now_koinu = KoinuField(allow_null=True, help_text="Null once Buy It Now is no longer offered.")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    soft_close_minutes = serializers.IntegerField()
    extended = serializers.BooleanField()
    winner_masked_name = serializers.CharField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    seq = serializers.IntegerField()
    my_max_bid_koinu = KoinuField(required=False, allow_null=True, help_text="Signed in only.")
    my_status = serializers.ChoiceField(
        choices=["leading", "outbid", "won", "lost"],
        required=False,
        allow_null=True,
        help_text="Signed in only.",
    )


@extend_schema_serializer(component_name="PublicBid")
class BidSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    bidder = MaskedNameSerializer()
    amount_koinu = KoinuField(help_text="The price this bid set (never the hidden maximum).")
    placed_at = serializers.DateTimeField()
    retracted = serializers.BooleanField()


@extend_schema_serializer(component_name="PublicBidPage")
class BidPageSerializer(serializers.Serializer[Any]):
    data = BidSerializer(many=True)  # type: ignore[assignment]  # the list's field, not Serializer.data
    has_more = serializers.BooleanField()


PAGE_PARAMETERS = [
    OpenApiParameter("limit", int, required=False, description="Number of items (1 to 100)."),
    OpenApiParameter("starting_after", str, required=False, description="The id of the last item you have."),
]


def bid_body(bid: Bid) -> dict[str, Any]:
    return {
        "id": str(bid.id),
        "bidder": live.public_name(bid.bidder_id),
        "amount_koinu": str(bid.amount_koinu),
        "placed_at": live._iso(bid.placed_at),
        "retracted": bid.retracted,
    }


def _auction_body(request: Request, listing_id: uuid.UUID) -> dict[str, Any]:
    view = live.auction_live_read(listing_id)
    if view is None:
        raise errors.auction_not_found()
    if isinstance(request.user, TokenUser):
        view = {**view, **live.my_fields(listing_id, view, request_user_id(request))}
    return view


def _key(request: Request) -> str:
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if not key or len(key) > 255 or not key.isprintable():
        raise InvalidRequest(
            "Send an Idempotency-Key header (1 to 255 printable characters) with every bid.",
            code="required",
            param=IDEMPOTENCY_HEADER,
        )
    return key


def _money_caller(request: Request, listing_id: uuid.UUID) -> uuid.UUID:
    """The caller, once the auction exists and their session is live and verified now."""
    user_id = request_user_id(request)
    if not Auction.objects.filter(pk=listing_id).exists():
        raise errors.auction_not_found()
    if not session_now(request).email_verified:
        raise errors.email_unverified()
    return user_id


class AuctionDetailApi(APIView):
    @extend_schema(
        operation_id="auctions_retrieve",
        summary="An auction's live state",
        description="Public; signed in it adds the caller's maximum and standing.",
        responses={200: AuctionSerializer, **error_responses(404)},
    )
    def get(self, request: Request, listing_id: uuid.UUID) -> Response:
        return Response(_auction_body(request, listing_id))


class BidListCreateApi(APIView):
    pagination_class = CursorPagination
    cursor_ordering = ("-seq",)
    cursor_field = "id"
    idempotency_exempt = True

    def get_permissions(self) -> list[Any]:
        return [IsAuthenticated()] if self.request.method == "POST" else []

    @extend_schema_serializer(component_name="BidCreate")
    class InputSerializer(serializers.Serializer[Any]):
        max_amount_koinu = KoinuField(help_text="Your maximum: the system bids for you up to it.")

    @extend_schema_serializer(component_name="BidPlaced")
    class OutputSerializer(serializers.Serializer[Any]):
        bid = BidSerializer()
        auction = AuctionSerializer()
        outcome = serializers.ChoiceField(choices=OUTCOMES)

    @extend_schema(
        operation_id="auctions_bids_list",
        summary="Bid history",
        description="Public; bidders' names masked; maximums are never shown.",
        parameters=PAGE_PARAMETERS,
        responses={200: BidPageSerializer, **error_responses(400, 404)},
    )
    def get(self, request: Request, listing_id: uuid.UUID) -> Response:
        if not Auction.objects.filter(pk=listing_id).exists():
            raise errors.auction_not_found()
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(Bid.objects.filter(auction_id=listing_id), request, view=self)
        return paginator.get_paginated_response([bid_body(bid) for bid in page])

    @extend_schema(
        operation_id="auctions_bids_create",
        summary="Place or raise a maximum bid",
        description=(
            "Holds your maximum in your wallet (a raise replaces the hold). `outcome` is `outbid` "
            "when an earlier maximum is at least as high: the hold is released at once."
        ),
        request=InputSerializer,
        parameters=[KEY_PARAMETER],
        responses={201: OutputSerializer, **error_responses(400, 401, 403, 404, 409, 503)},
    )
    def post(self, request: Request, listing_id: uuid.UUID) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key = _key(request)
        bidder_id = _money_caller(request, listing_id)
        result = bidding.bid_place(
            listing_id=listing_id,
            bidder_id=bidder_id,
            max_amount_koinu=serializer.validated_data["max_amount_koinu"],
            idempotency_key=key,
        )
        # A bidder's new maximum is always their highest (an outbid bidder must go above the price).
        mine = {
            "my_max_bid_koinu": str(result.bid.max_amount_koinu),
            "my_status": "leading" if result.leads else "outbid",
        }
        if result.auction.leader_id == bidder_id:
            mine["my_max_bid_koinu"] = str(result.auction.leader_max_koinu)
        view = {**result.view, **mine}
        body = {
            "bid": bid_body(result.bid),
            "auction": view,
            "outcome": "leading" if result.leads else "outbid",
        }
        return Response(body, status=status.HTTP_201_CREATED)


class BuyItNowApi(APIView):
    permission_classes = (IsAuthenticated,)
    idempotency_exempt = True

    @extend_schema(
        operation_id="auctions_buy_it_now",
        summary="Buy It Now",
        description="Offered until the first bid. The price goes into escrow for the sale at once.",
        request=None,
        parameters=[KEY_PARAMETER],
        responses={201: AuctionSerializer, **error_responses(400, 401, 403, 404, 409, 503)},
    )
    def post(self, request: Request, listing_id: uuid.UUID) -> Response:
        key = _key(request)
        buyer_id = _money_caller(request, listing_id)
        lifecycle.buy_it_now(listing_id=listing_id, buyer_id=buyer_id, idempotency_key=key)
        return Response(_auction_body(request, listing_id), status=status.HTTP_201_CREATED)


class BidRetractApi(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema_serializer(component_name="BidRetract")
    class InputSerializer(serializers.Serializer[Any]):
        reason = serializers.CharField(max_length=200)

    @extend_schema(
        operation_id="auctions_bid_retract",
        summary="Retract your bid",
        description="Within an hour of bidding and while more than 12 hours remain; shown on your record.",
        request=InputSerializer,
        responses={200: AuctionSerializer, **error_responses(400, 401, 403, 404, 409, 503)},
    )
    def post(self, request: Request, listing_id: uuid.UUID, bid_id: uuid.UUID) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lifecycle.bid_retract(
            listing_id=listing_id,
            bid_id=bid_id,
            bidder_id=request_user_id(request),
            reason=serializer.validated_data["reason"],
        )
        return Response(_auction_body(request, listing_id))


class BlockedBidderCreateApi(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema_serializer(component_name="BlockedBidderCreate")
    class InputSerializer(serializers.Serializer[Any]):
        user_id = serializers.UUIDField()

    @extend_schema(
        operation_id="auctions_blocked_bidders_create",
        summary="Block a bidder (seller only)",
        request=InputSerializer,
        responses={204: None, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, listing_id: uuid.UUID) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lifecycle.blocked_bidder_set(
            listing_id=listing_id,
            seller_id=request_user_id(request),
            user_id=serializer.validated_data["user_id"],
            blocked=True,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class BlockedBidderDeleteApi(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        operation_id="auctions_blocked_bidders_delete",
        summary="Unblock a bidder (seller only)",
        responses={204: None, **error_responses(401, 403, 404)},
    )
    def delete(self, request: Request, listing_id: uuid.UUID, user_id: uuid.UUID) -> Response:
        lifecycle.blocked_bidder_set(
            listing_id=listing_id, seller_id=request_user_id(request), user_id=user_id, blocked=False
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_serializer(component_name="MyBid")
class MyBidSerializer(serializers.Serializer[Any]):
    listing_id = serializers.UUIDField()
    title = serializers.CharField()
    photo_url = serializers.CharField(allow_null=True)
    my_max_bid_koinu = KoinuField()
    current_price_koinu = KoinuField()
    status = serializers.ChoiceField(choices=MY_STATUSES)
    ends_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)


@extend_schema_serializer(component_name="MyBidPage")
class MyBidPageSerializer(serializers.Serializer[Any]):
    data = MyBidSerializer(many=True)  # type: ignore[assignment]  # the list's field, not Serializer.data
    has_more = serializers.BooleanField()


class MyBidsApi(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        operation_id="auctions_my_bids",
        summary="My bids",
        parameters=[
            OpenApiParameter("status", str, enum=["active", "won", "lost"], required=False),
            *PAGE_PARAMETERS,
        ],
        responses={200: MyBidPageSerializer, **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        rows, has_more = my_bids(
            user_id=request_user_id(request),
            status=request.query_params.get("status") or None,
            limit=request.query_params.get("limit"),
            starting_after=request.query_params.get("starting_after"),
        )
        return Response({"data": rows, "has_more": has_more})
