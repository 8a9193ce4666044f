"""Lists and small reads: my listings, a seller's listings, the feed, the watchlist and watching,
the category tree and the fee policy."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dbay_common.drf import CursorPagination, KoinuField, request_user_id
from dbay_common.drf.schema import error_responses, page_parameters
from dbay_common.errors import InvalidRequest
from dbay_common.pagination import decode_cursor, encode_cursor
from listing_service.listings import selectors, services
from listing_service.listings.apis.common import seller_documents
from listing_service.listings.apis.schemas import (
    CategoryOutput,
    ListingSnapshotOutput,
    SellerListingOutput,
    WatchlistItemOutput,
)
from listing_service.listings.models import ListingStatus
from listing_service.listings.snapshots import listing_snapshots

TAGS = ["listings"]
PAGE_ERRORS = error_responses(400, descriptions={400: "Invalid cursor, limit or filter."})
FEED_MAX_LIMIT = 500
FEED_DEFAULT_LIMIT = 200


class MyListingsApi(APIView):
    permission_classes = (IsAuthenticated,)
    pagination_class = CursorPagination
    cursor_ordering = ("-created_at", "-id")
    cursor_field = "id"

    class InputSerializer(serializers.Serializer[Any]):
        status = serializers.ChoiceField(choices=ListingStatus.values, required=False)

    @extend_schema(
        operation_id="listings_mine",
        summary="My listings (seller)",
        description="Every listing of the caller, newest first, each with its `seller_view`; `status` "
        "filters.",
        tags=TAGS,
        parameters=[
            OpenApiParameter(
                "status", str, enum=ListingStatus.values, description="Only listings in this state."
            ),
            *page_parameters("listing"),
        ],
        responses={200: SellerListingOutput(many=True), **PAGE_ERRORS},
    )
    def get(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        wanted = data.validated_data.get("status")
        queryset = selectors.listings_of_seller(
            seller_id=request_user_id(request), statuses=[wanted] if wanted else None
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(seller_documents(page))


class SellerListingsApi(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)
    pagination_class = CursorPagination
    cursor_ordering = ("-published_at", "-id")
    cursor_field = "id"

    class InputSerializer(serializers.Serializer[Any]):
        status = serializers.ChoiceField(
            choices=list(selectors.SELLER_PAGE_STATUSES), default=ListingStatus.ACTIVE
        )

    @extend_schema(
        operation_id="seller_listings",
        summary="A seller's listings",
        description="No sign-in needed. Active listings (or `status=ended` / `sold`), newest first.",
        tags=TAGS,
        parameters=[
            OpenApiParameter(
                "status",
                str,
                enum=list(selectors.SELLER_PAGE_STATUSES),
                default="active",
                description="Which ones.",
            ),
            *page_parameters("listing"),
        ],
        responses={
            200: ListingSnapshotOutput(many=True),
            **error_responses(
                400,
                404,
                descriptions={400: "Invalid cursor, limit or filter.", 404: "Not a seller id (a UUID)."},
            ),
        },
    )
    def get(self, request: Request, seller_id: uuid.UUID) -> Response:
        data = self.InputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        queryset = selectors.listings_public_of_seller(
            seller_id=seller_id, status=data.validated_data["status"]
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(listing_snapshots(page))


class FeedApi(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    class InputSerializer(serializers.Serializer[Any]):
        limit = serializers.IntegerField(min_value=1, max_value=FEED_MAX_LIMIT, default=FEED_DEFAULT_LIMIT)
        cursor = serializers.CharField(max_length=200, required=False)
        starting_after = serializers.UUIDField(required=False)

    @extend_schema(
        operation_id="listing_feed",
        summary="Every listing past draft, for index rebuilds",
        description=(
            "No sign-in needed. Listings that are not drafts, by id, each in the snapshot shape of the "
            "`listing.*` events. Pass `next_cursor` back as `cursor` (or the last id as `starting_after`) "
            "until `has_more` is false."
        ),
        tags=TAGS,
        parameters=[
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": FEED_MAX_LIMIT, "default": FEED_DEFAULT_LIMIT},
                description="Listings per page.",
            ),
            OpenApiParameter(
                "cursor",
                {"type": "string", "minLength": 1, "maxLength": 200},
                description="`next_cursor` of the last page.",
            ),
            OpenApiParameter(
                "starting_after",
                {"type": "string", "format": "uuid"},
                description="The id of the last listing you have.",
            ),
        ],
        responses={
            200: inline_serializer(
                "ListingFeedPage",
                fields={
                    "data": ListingSnapshotOutput(many=True),
                    "has_more": serializers.BooleanField(),
                    "next_cursor": serializers.CharField(allow_null=True, help_text="null on the last page."),
                },
            ),
            **error_responses(400, descriptions={400: "Invalid cursor or limit."}),
        },
    )
    def get(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        after_id = data.validated_data.get("starting_after")
        if "cursor" in data.validated_data:
            position = decode_cursor(data.validated_data["cursor"], param="cursor")
            try:
                after_id = uuid.UUID(str(position["after"]))
            except (TypeError, KeyError, ValueError):
                raise InvalidRequest("Invalid cursor.", code="invalid_cursor", param="cursor") from None
        limit = data.validated_data["limit"]
        rows = list(selectors.listings_feed(after_id=after_id)[: limit + 1])
        has_more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = encode_cursor({"after": str(rows[-1].id)}) if has_more else None
        return Response({"data": listing_snapshots(rows), "has_more": has_more, "next_cursor": next_cursor})


class WatchlistApi(APIView):
    permission_classes = (IsAuthenticated,)
    pagination_class = CursorPagination
    cursor_ordering = ("-id",)
    cursor_field = "listing_id"

    @extend_schema(
        operation_id="watchlist_list",
        summary="My watchlist",
        description="Listings the caller watches, most recently watched first; the cursor is a listing id.",
        tags=TAGS,
        parameters=page_parameters("listing"),
        responses={200: WatchlistItemOutput(many=True), **PAGE_ERRORS},
    )
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            selectors.watchlist(user_id=request_user_id(request)), request, view=self
        )
        snapshots = listing_snapshots([watch.listing for watch in page])
        return paginator.get_paginated_response(
            [
                {"id": str(watch.listing_id), "watched_at": watch.created_at, "listing": snapshot}
                for watch, snapshot in zip(page, snapshots, strict=True)
            ]
        )


class WatchApi(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        operation_id="listing_watch",
        summary="Watch a listing",
        description="Idempotent. Only someone else's scheduled or active listing.",
        tags=TAGS,
        request=None,
        responses={
            200: inline_serializer(
                "Watching",
                fields={"listing_id": serializers.UUIDField(), "watching": serializers.BooleanField()},
            ),
            **error_responses(
                403,
                404,
                409,
                descriptions={
                    403: "Your own listing (`own_listing`).",
                    404: "No such listing.",
                    409: "The listing has ended (`listing_not_watchable`).",
                },
            ),
        },
    )
    def put(self, request: Request, listing_id: uuid.UUID) -> Response:
        services.listing_watch(listing_id=listing_id, user_id=request_user_id(request))
        return Response({"listing_id": str(listing_id), "watching": True})

    @extend_schema(
        operation_id="listing_unwatch",
        summary="Stop watching a listing",
        description="Idempotent; works whatever the listing's state.",
        tags=TAGS,
        request=None,
        responses={204: None, **error_responses(404, descriptions={404: "No such listing."})},
    )
    def delete(self, request: Request, listing_id: uuid.UUID) -> Response:
        services.listing_unwatch(listing_id=listing_id, user_id=request_user_id(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CategoriesApi(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        operation_id="listing_categories",
        summary="The category tree",
        description="No sign-in needed. Top categories with their leaf categories (listings go in leaves).",
        tags=TAGS,
        responses={200: inline_serializer("CategoryTree", fields={"data": CategoryOutput(many=True)})},
    )
    def get(self, request: Request) -> Response:
        return Response({"data": selectors.category_tree()}, headers={"Cache-Control": "public, max-age=300"})


class FeesApi(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        operation_id="listing_fees",
        summary="The fees a seller pays",
        description=(
            "No sign-in needed. Listing costs `insertion_fee_koinu` (0: free); a sale costs "
            "`final_value_fee_bps` basis points of the sale price (500 = 5 %), rounded down to a whole koinu."
        ),
        tags=TAGS,
        responses={
            200: inline_serializer(
                "ListingFees",
                fields={
                    "final_value_fee_bps": serializers.IntegerField(min_value=0, max_value=10_000),
                    "insertion_fee_koinu": KoinuField(),
                    "summary": serializers.CharField(),
                },
            )
        },
    )
    def get(self, request: Request) -> Response:
        bps = int(settings.LISTING_FINAL_VALUE_FEE_BPS)
        insertion = int(settings.LISTING_INSERTION_FEE_KOINU)
        percent = f"{bps / 100:g}"
        listing_words = "free" if insertion == 0 else f"{insertion / 100_000_000:g} DOGE"
        return Response(
            {
                "final_value_fee_bps": bps,
                "insertion_fee_koinu": str(insertion),
                "summary": f"Listing is {listing_words}. When an item sells, the fee is {percent}% "
                "of the sale price.",
            }
        )
