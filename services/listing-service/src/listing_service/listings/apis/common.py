"""What the listing views share: the caller, the input shape of a listing, the detail document."""

from __future__ import annotations

import uuid
from typing import Any

from rest_framework import serializers
from rest_framework.request import Request

from dbay_common.drf import KoinuField, request_user_id
from listing_service.listings import policy, selectors
from listing_service.listings.models import (
    DESCRIPTION_MAX_LENGTH,
    DURATION_DAYS,
    TITLE_MAX_LENGTH,
    Listing,
    ListingCondition,
    ListingFormat,
)
from listing_service.listings.snapshots import listing_snapshots

COUNTRY_PATTERN = r"^[A-Za-z]{2}$"
SHIPS_TO_PATTERN = r"^([A-Z]{2}|WORLDWIDE)$"


def caller(request: Request) -> tuple[uuid.UUID | None, bool]:
    """``(user id or None when anonymous, has the staff role)``; a token without a UUID ``sub`` is a 401."""
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return None, False
    return request_user_id(request), bool(getattr(user, "has_role", lambda _role: False)("staff"))


class ItemSpecificInput(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=policy.SPECIFIC_NAME_MAX_LENGTH)
    value = serializers.CharField(max_length=policy.SPECIFIC_VALUE_MAX_LENGTH)


class ShippingOptionInput(serializers.Serializer[Any]):
    service = serializers.CharField(
        max_length=policy.SHIPPING_SERVICE_MAX_LENGTH, help_text="e.g. `Standard post`"
    )
    price_koinu = KoinuField(help_text="0 for free shipping.")
    ships_to = serializers.ListField(
        child=serializers.RegexField(SHIPS_TO_PATTERN, max_length=9),
        min_length=1,
        max_length=policy.SHIPS_TO_MAX,
        help_text='ISO 3166-1 alpha-2 country codes, or `["WORLDWIDE"]` alone.',
    )


class LocationInput(serializers.Serializer[Any]):
    country = serializers.RegexField(
        COUNTRY_PATTERN, max_length=2, required=False, allow_blank=True, help_text="ISO 3166-1 alpha-2."
    )
    postal_code = serializers.CharField(
        max_length=policy.POSTAL_CODE_MAX_LENGTH, required=False, allow_blank=True, trim_whitespace=False
    )
    city = serializers.CharField(max_length=policy.CITY_MAX_LENGTH, required=False, allow_blank=True)


class ListingInput(serializers.Serializer[Any]):
    """A listing's fields as the seller writes them; every one optional until publishing."""

    title = serializers.CharField(max_length=TITLE_MAX_LENGTH, required=False, allow_blank=True)
    description = serializers.CharField(
        max_length=DESCRIPTION_MAX_LENGTH, required=False, allow_blank=True, help_text="Plain text."
    )
    category_id = serializers.CharField(
        max_length=120, required=False, allow_null=True, help_text="A leaf category's id (GET categories)."
    )
    condition = serializers.ChoiceField(choices=[*ListingCondition.values, ""], required=False)
    item_specifics = ItemSpecificInput(many=True, required=False, max_length=policy.ITEM_SPECIFICS_MAX)  # type: ignore[call-arg]
    format = serializers.ChoiceField(
        choices=ListingFormat.values, required=False, help_text="Default `auction`."
    )
    start_price_koinu = KoinuField(required=False, allow_null=True, help_text="Auction only.")
    reserve_price_koinu = KoinuField(
        required=False,
        allow_null=True,
        help_text="Auction only; hidden from buyers; at least the start price.",
    )
    buy_it_now_koinu = KoinuField(
        required=False, allow_null=True, help_text="Auction only; at least the start price and the reserve."
    )
    price_koinu = KoinuField(required=False, allow_null=True, help_text="Fixed price only.")
    quantity = serializers.IntegerField(
        min_value=1,
        max_value=policy.QUANTITY_MAX,
        required=False,
        help_text="Fixed price; an auction sells 1.",
    )
    duration_days = serializers.ChoiceField(choices=list(DURATION_DAYS), required=False, allow_null=True)
    end_time = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="Instead of a duration: 1 hour to 10 days (fixed price 30) after the start.",
    )
    scheduled_start_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Start later: in the future, at most 30 days ahead."
    )
    shipping_options = ShippingOptionInput(many=True, required=False, max_length=policy.SHIPPING_OPTIONS_MAX)  # type: ignore[call-arg]
    local_pickup = serializers.BooleanField(required=False)
    location = LocationInput(required=False)

    def to_internal_value(self, data: Any) -> Any:
        values = super().to_internal_value(data)
        for name in ("item_specifics", "shipping_options"):
            if name in values:
                values[name] = [dict(entry) for entry in values[name]]
        if "location" in values:
            values["location"] = dict(values["location"])
        return values


def seller_document(listing: Listing, snapshot: dict[str, Any]) -> dict[str, Any]:
    return {**snapshot, "seller_view": selectors.listing_seller_view(listing)}


def seller_detail(listing: Listing) -> dict[str, Any]:
    """The detail the seller is shown: snapshot, photos and the seller's view."""
    return {**selectors.listing_public_detail(listing), "seller_view": selectors.listing_seller_view(listing)}


def seller_documents(listings: list[Listing]) -> list[dict[str, Any]]:
    return [
        seller_document(listing, snapshot)
        for listing, snapshot in zip(listings, listing_snapshots(listings), strict=True)
    ]
