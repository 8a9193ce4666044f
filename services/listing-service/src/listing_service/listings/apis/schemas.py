"""The shapes the listing API answers with (documentation serializers: the views render the same
dicts ``snapshots`` and ``selectors`` build, so events, the feed and the API never differ)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from dbay_common.drf import KoinuField
from listing_service.listings.models import (
    ListingCondition,
    ListingEndReason,
    ListingFormat,
    ListingStatus,
)
from listing_service.listings.policy import PUBLISH_REQUIREMENTS


@extend_schema_serializer(component_name="ItemSpecific")
class ItemSpecificOutput(serializers.Serializer[Any]):
    name = serializers.CharField()
    value = serializers.CharField()


@extend_schema_serializer(component_name="ShippingOption")
class ShippingOptionOutput(serializers.Serializer[Any]):
    service = serializers.CharField()
    price_koinu = KoinuField()
    ships_to = serializers.ListField(
        child=serializers.CharField(), help_text='ISO 3166-1 alpha-2 codes, or `["WORLDWIDE"]`.'
    )


@extend_schema_serializer(component_name="ItemLocation")
class LocationOutput(serializers.Serializer[Any]):
    country = serializers.CharField(help_text="ISO 3166-1 alpha-2; empty on a draft without one.")
    postal_code = serializers.CharField()
    city = serializers.CharField()


@extend_schema_serializer(component_name="ListingSnapshot")
class ListingSnapshotOutput(serializers.Serializer[Any]):
    """A listing's public state: the same object the `listing.*` events carry (never the reserve)."""

    listing_id = serializers.UUIDField()
    version = serializers.IntegerField(help_text="+1 on every change; keep the highest.")
    seller_id = serializers.UUIDField()
    seller_username = serializers.CharField(help_text='`""` until listing-service has heard of the seller.')
    status = serializers.ChoiceField(choices=ListingStatus.values)
    title = serializers.CharField()
    description = serializers.CharField()
    category_id = serializers.CharField(help_text='The leaf category; `""` on a draft without one.')
    category_path = serializers.ListField(child=serializers.CharField())
    category_names = serializers.ListField(child=serializers.CharField())
    condition = serializers.ChoiceField(choices=[*ListingCondition.values, ""])
    item_specifics = ItemSpecificOutput(many=True)
    format = serializers.ChoiceField(choices=ListingFormat.values)
    price_koinu = KoinuField(allow_null=True, help_text="Auction: the start price; fixed price: the price.")
    buy_it_now_koinu = KoinuField(allow_null=True)
    has_reserve = serializers.BooleanField()
    quantity_available = serializers.IntegerField()
    bid_count = serializers.IntegerField()
    current_price_koinu = KoinuField(
        allow_null=True,
        help_text="Auction: the current price (the start price before any bid); fixed price: the price.",
    )
    reserve_met = serializers.BooleanField(
        allow_null=True, help_text="Whether the hidden reserve is met; null when there is no reserve."
    )
    shipping_options = ShippingOptionOutput(many=True)
    local_pickup = serializers.BooleanField()
    lowest_shipping_koinu = KoinuField(allow_null=True)
    location = LocationOutput()
    thumbnail_url = serializers.CharField(allow_null=True)
    photo_count = serializers.IntegerField()
    starts_at = serializers.DateTimeField(allow_null=True)
    ends_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField(allow_null=True)


@extend_schema_serializer(component_name="ListingSellerView")
class SellerViewOutput(serializers.Serializer[Any]):
    """Only the seller sees this."""

    reserve_price_koinu = KoinuField(allow_null=True, help_text="The hidden reserve.")
    quantity = serializers.IntegerField()
    quantity_sold = serializers.IntegerField()
    duration_days = serializers.IntegerField(allow_null=True)
    end_time = serializers.DateTimeField(allow_null=True)
    scheduled_start_at = serializers.DateTimeField(allow_null=True)
    watch_count = serializers.IntegerField(help_text="Members watching the listing.")
    view_count = serializers.IntegerField(help_text="Views by others (counted within a minute or so).")
    end_reason = serializers.ChoiceField(choices=[*ListingEndReason.values, ""])
    withdrawn_reason = serializers.CharField(help_text="Why staff took the listing down (empty otherwise).")
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    missing_for_publish = serializers.ListField(
        child=serializers.ChoiceField(choices=[key for key, _ in PUBLISH_REQUIREMENTS]),
        help_text="What a draft still needs before it can be published.",
    )


@extend_schema_serializer(component_name="ListingPhotoUrls")
class PhotoUrlsOutput(serializers.Serializer[Any]):
    thumb = serializers.CharField(allow_null=True)
    display = serializers.CharField(allow_null=True)
    original = serializers.CharField()


@extend_schema_serializer(component_name="ListingDetailPhoto")
class PhotoOutput(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    position = serializers.IntegerField()
    state = serializers.CharField()
    urls = PhotoUrlsOutput()


@extend_schema_serializer(component_name="ListingDetail")
class ListingDetailOutput(ListingSnapshotOutput):
    """The snapshot, the photos, and (for the seller only, else null) the seller's view."""

    photos = PhotoOutput(many=True)
    seller_view = SellerViewOutput(allow_null=True)


@extend_schema_serializer(component_name="SellerListing")
class SellerListingOutput(ListingSnapshotOutput):
    seller_view = SellerViewOutput()


@extend_schema_serializer(component_name="WatchlistItem")
class WatchlistItemOutput(serializers.Serializer[Any]):
    id = serializers.UUIDField(help_text="The listing's id (the cursor of this list).")
    watched_at = serializers.DateTimeField()
    listing = ListingSnapshotOutput()


@extend_schema_serializer(component_name="LeafCategory")
class LeafCategoryOutput(serializers.Serializer[Any]):
    id = serializers.CharField(help_text="Stable slug path, e.g. `cameras-photo.digital-cameras`.")
    name = serializers.CharField()
    suggested_specifics = serializers.ListField(
        child=serializers.CharField(), help_text="Item-specific names the sell form suggests."
    )
    children = serializers.ListField(child=serializers.DictField(), max_length=0, help_text="Always empty.")


@extend_schema_serializer(component_name="Category")
class CategoryOutput(serializers.Serializer[Any]):
    id = serializers.CharField()
    name = serializers.CharField()
    suggested_specifics = serializers.ListField(child=serializers.CharField())
    children = LeafCategoryOutput(many=True, help_text="Listings go in these.")
