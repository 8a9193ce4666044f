"""listing-service's internal API for other services (service tokens only).

``GET /api/v1/listings/internal/listings/<listing_id>/auction-terms``: an auction's terms as
auction-service needs them, the hidden reserve and Buy It Now price included (never in a public
event or page). Protected as wallet-service's internal API: ``ServiceJwtAuthentication`` (a user's
access token is a 401) and the ``service`` role (403 ``missing_role`` otherwise).
"""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dbay_common.drf.fields import KoinuField
from dbay_common.drf.permissions import roles_required
from dbay_common.drf.schema import error_responses
from dbay_common.drf.service_auth import SERVICE_ROLE, ServiceJwtAuthentication
from listing_service.listings import selectors
from listing_service.listings.models import ListingFormat, ListingStatus


@extend_schema_serializer(component_name="ListingAuctionTerms")
class AuctionTermsOutput(serializers.Serializer[Any]):
    listing_id = serializers.UUIDField()
    seller_id = serializers.UUIDField()
    format = serializers.ChoiceField(choices=ListingFormat.values)
    status = serializers.ChoiceField(choices=ListingStatus.values)
    start_price_koinu = KoinuField(allow_null=True, help_text="Null only for a fixed-price listing.")
    reserve_price_koinu = KoinuField(allow_null=True, help_text="The hidden reserve; null without one.")
    buy_it_now_koinu = KoinuField(allow_null=True)
    starts_at = serializers.DateTimeField(allow_null=True, help_text="Null while a draft.")
    ends_at = serializers.DateTimeField(allow_null=True)
    soft_close_minutes = serializers.IntegerField(
        help_text="A bid in this many last minutes extends the end to this many minutes after it."
    )


class AuctionTermsApi(APIView):
    authentication_classes = (ServiceJwtAuthentication,)
    permission_classes = (IsAuthenticated, roles_required(SERVICE_ROLE))

    @extend_schema(
        operation_id="listing_internal_auction_terms",
        summary="An auction's terms (hidden reserve included)",
        description=(
            "For auction-service: the listing's format, status, prices (the hidden reserve and Buy It "
            "Now included), times and soft-close window. Drafts are not auctions yet: 404."
        ),
        responses={
            200: AuctionTermsOutput,
            **error_responses(
                401, 403, 404, descriptions={404: "No such published listing (`listing_not_found`)."}
            ),
        },
        tags=["internal"],
    )
    def get(self, request: Request, listing_id: uuid.UUID) -> Response:
        return Response(AuctionTermsOutput(selectors.listing_auction_terms(listing_id)).data)
