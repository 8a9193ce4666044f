"""A listing: create (draft), read, edit, publish, end early, cancel, and staff takedown.

Thin views: parse, call one service or selector, render. The rules are in ``services`` and
``policy`` (docs/listing-rules.md); the shapes in ``apis.schemas``.
"""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dbay_common.drf import request_user_id, roles_required
from dbay_common.drf.schema import error_responses, idempotency_key_parameter
from listing_service.listings import selectors, services
from listing_service.listings.apis.common import ListingInput, caller, seller_detail
from listing_service.listings.apis.schemas import ListingDetailOutput
from listing_service.listings.models import WITHDRAWN_REASON_MAX_LENGTH
from listing_service.listings.view_counts import listing_view_record

NOT_FOUND = "No such listing, or not one you can see (`listing_not_found`)."
NOT_SELLER = "The listing is someone else's (`not_listing_seller`)."
TAGS = ["listings"]


class ListingCreateApi(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        operation_id="listing_create",
        summary="Start a listing (draft)",
        description=(
            "Creates a draft with whatever fields are given; each given value is checked now, completeness "
            "when publishing. Refusals: `invalid_field`, `invalid_amount`, `unknown_category`, "
            "`category_not_leaf`, `reserve_below_start_price`, `buy_it_now_below_start_price`, "
            "`buy_it_now_below_reserve`, `field_not_for_format`, `duration_and_end_time`."
        ),
        tags=TAGS,
        parameters=[idempotency_key_parameter()],
        request=ListingInput,
        responses={201: ListingDetailOutput, **error_responses(400)},
    )
    def post(self, request: Request) -> Response:
        data = ListingInput(data=request.data)
        data.is_valid(raise_exception=True)
        listing = services.listing_create_draft(
            seller_id=request_user_id(request), fields=data.validated_data
        )
        return Response(seller_detail(listing), status=status.HTTP_201_CREATED)


class ListingApi(APIView):
    def get_permissions(self) -> list[Any]:
        return [IsAuthenticated()] if self.request.method == "PATCH" else [AllowAny()]

    @extend_schema(
        operation_id="listing_get",
        summary="A listing",
        description=(
            "Anyone sees scheduled, active, ended and sold listings; a draft only its seller; a cancelled or "
            "withdrawn listing its seller and staff. `seller_view` (the hidden reserve, watchers, views, a "
            "takedown's reason) is filled for the seller only, else null. Views by others are counted."
        ),
        tags=TAGS,
        responses={200: ListingDetailOutput, **error_responses(404, descriptions={404: NOT_FOUND})},
    )
    def get(self, request: Request, listing_id: uuid.UUID) -> Response:
        user_id, is_staff = caller(request)
        cached, generation = selectors.listing_public_detail_cached(listing_id)
        if cached is not None and cached["seller_id"] != str(user_id):
            listing_view_record(listing_id=listing_id, viewer_id=user_id)
            return Response({**cached, "seller_view": None})
        listing = selectors.listing_visible_get(listing_id=listing_id, user_id=user_id, is_staff=is_staff)
        if listing.seller_id == user_id:
            return Response(seller_detail(listing))
        detail = selectors.listing_public_detail(listing)
        selectors.listing_public_detail_remember(listing, detail, generation=generation)
        if listing.status in selectors.PUBLIC_STATUSES:
            listing_view_record(listing_id=listing_id, viewer_id=user_id)
        return Response({**detail, "seller_view": None})

    @extend_schema(
        operation_id="listing_update",
        summary="Edit a listing (seller)",
        description=(
            "Changes the given fields. A draft or scheduled listing takes any change; an active listing "
            "keeps its format, duration, end time and start (409 `field_locked_after_start`) and an auction "
            "with bids "
            "its prices (409 `auction_has_bids`); an ended, sold, cancelled or withdrawn listing cannot be "
            "edited (409 `listing_not_editable`). Switching the format clears the other format's prices."
        ),
        tags=TAGS,
        request=ListingInput,
        responses={
            200: ListingDetailOutput,
            **error_responses(
                400,
                403,
                404,
                409,
                descriptions={
                    403: NOT_SELLER,
                    404: NOT_FOUND,
                    409: "The listing's state does not allow this change.",
                },
            ),
        },
    )
    def patch(self, request: Request, listing_id: uuid.UUID) -> Response:
        data = ListingInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        listing = services.listing_update(
            listing_id=listing_id, seller_id=request_user_id(request), changes=data.validated_data
        )
        return Response(seller_detail(listing))


def _action_schema(operation_id: str, summary: str, description: str, conflicts: str) -> Any:
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        description=description,
        tags=TAGS,
        request=None,
        responses={
            200: ListingDetailOutput,
            **error_responses(403, 404, 409, descriptions={403: NOT_SELLER, 404: NOT_FOUND, 409: conflicts}),
        },
    )


class ListingPublishApi(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        operation_id="listing_publish",
        summary="Publish a draft (seller)",
        description=(
            "The draft becomes `active`, or `scheduled` until its scheduled start. 400 `listing_incomplete` "
            "names what is missing (`param`: the first field); 400 `scheduled_start_in_past`, "
            "`scheduled_start_too_far`, `end_time_too_soon`, `end_time_too_late` for times off the rules."
        ),
        tags=TAGS,
        request=None,
        responses={
            200: ListingDetailOutput,
            **error_responses(
                400,
                403,
                404,
                409,
                descriptions={
                    400: "The draft is incomplete or its times break the rules.",
                    403: NOT_SELLER + " Or the seller's account is suspended (`account_suspended`).",
                    404: NOT_FOUND,
                    409: "Not a draft (`listing_not_draft`).",
                },
            ),
        },
    )
    def post(self, request: Request, listing_id: uuid.UUID) -> Response:
        listing = services.listing_publish(listing_id=listing_id, seller_id=request_user_id(request))
        return Response(seller_detail(listing))


class ListingEndApi(APIView):
    permission_classes = (IsAuthenticated,)

    @_action_schema(
        "listing_end",
        "End a listing early (seller)",
        "Ends an active listing now (`listing.ended`, reason `ended_by_seller`); not an auction with bids.",
        "Not active (`listing_not_active`) or an auction with bids (`auction_has_bids`).",
    )
    def post(self, request: Request, listing_id: uuid.UUID) -> Response:
        listing = services.listing_end_early(listing_id=listing_id, seller_id=request_user_id(request))
        return Response(seller_detail(listing))


class ListingCancelApi(APIView):
    permission_classes = (IsAuthenticated,)

    @_action_schema(
        "listing_cancel",
        "Cancel a draft or scheduled listing (seller)",
        "A draft or a listing waiting for its scheduled start becomes `cancelled`; an active one is ended "
        "instead.",
        "Not a draft or scheduled (`listing_not_cancellable`).",
    )
    def post(self, request: Request, listing_id: uuid.UUID) -> Response:
        listing = services.listing_cancel(listing_id=listing_id, seller_id=request_user_id(request))
        return Response(seller_detail(listing))


class ListingWithdrawApi(APIView):
    permission_classes = (roles_required("staff"),)

    class WithdrawInputSerializer(serializers.Serializer[Any]):
        reason = serializers.CharField(
            max_length=WITHDRAWN_REASON_MAX_LENGTH, help_text="Shown to the seller on their listing."
        )

    @extend_schema(
        operation_id="listing_withdraw",
        summary="Take a listing down (staff)",
        description=(
            "A scheduled, active, ended or sold listing becomes `withdrawn` (`listing.withdrawn`); its "
            "seller "
            "reads the reason on their listing."
        ),
        tags=TAGS,
        request=WithdrawInputSerializer,
        responses={
            200: ListingDetailOutput,
            **error_responses(
                400,
                403,
                404,
                409,
                descriptions={
                    403: "The `staff` role is required.",
                    404: NOT_FOUND,
                    409: "Already withdrawn or cancelled (`listing_not_withdrawable`).",
                },
            ),
        },
    )
    def post(self, request: Request, listing_id: uuid.UUID) -> Response:
        data = self.WithdrawInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        listing = services.listing_withdraw(
            listing_id=listing_id, staff_id=request_user_id(request), reason=data.validated_data["reason"]
        )
        return Response({**selectors.listing_public_detail(listing), "seller_view": None})
