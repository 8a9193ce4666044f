"""Creating and editing listings: ``listing_create_draft`` and ``listing_update``."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from dbay_common.errors import Conflict, InvalidRequest
from listing_service.listings import events, policy
from listing_service.listings.models import Listing, ListingFormat, ListingStatus
from listing_service.listings.services.common import (
    category_check,
    listing_lock_for_seller,
    listing_record_change,
)

# Fields that cannot change once a listing has started (its format and its clock).
LOCKED_AFTER_START = ("format", "duration_days", "end_time", "scheduled_start_at")


def _column_values(cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """API field values -> model column values."""
    values: dict[str, Any] = {}
    for name, value in cleaned.items():
        if name == "location":
            values["location_country"] = value["country"]
            values["location_postal_code"] = value["postal_code"]
            values["location_city"] = value["city"]
        elif name == "category_id":
            values["category_id"] = value
        else:
            values[policy.COLUMN_OF.get(name, name)] = value
    return values


def _prices_check(listing: Listing) -> None:
    policy.listing_prices_check(
        format=listing.format,
        start_price_koinu=listing.start_price_koinu,
        reserve_price_koinu=listing.reserve_price_koinu,
        buy_it_now_koinu=listing.buy_it_now_koinu,
        price_koinu=listing.price_koinu,
        quantity=listing.quantity,
    )


@transaction.atomic
def listing_create_draft(*, seller_id: uuid.UUID, fields: Mapping[str, Any]) -> Listing:
    """Start a listing as a draft with whatever ``fields`` the seller has so far (API names, see
    ``policy.EDITABLE_FIELDS``: title, description, category_id, condition, item_specifics, format,
    start_price_koinu, reserve_price_koinu, buy_it_now_koinu, price_koinu, quantity, duration_days,
    end_time, scheduled_start_at, shipping_options, local_pickup, location). Every given value is
    checked (``policy.listing_fields_clean``, the price rules, a leaf category); nothing is required
    until ``listing_publish``. ``format`` defaults to ``auction``. Emits ``listing.created`` (status
    ``draft``)."""
    cleaned = policy.listing_fields_clean(fields)
    if cleaned.get("category_id") is not None:
        category_check(cleaned["category_id"])
    now = timezone.now()
    values = _column_values(cleaned)
    values.setdefault("format", ListingFormat.AUCTION)
    listing = Listing(
        seller_id=seller_id, status=ListingStatus.DRAFT, version=1, created_at=now, updated_at=now
    )
    for column, value in values.items():
        setattr(listing, column, value)
    _prices_check(listing)
    listing.save(force_insert=True)
    events.listing_created_publish(listing)
    return listing


def _refuse_locked(listing: Listing, cleaned: Mapping[str, Any]) -> None:
    if listing.status in (ListingStatus.DRAFT, ListingStatus.SCHEDULED):
        if (
            listing.status == ListingStatus.SCHEDULED
            and "scheduled_start_at" in cleaned
            and cleaned["scheduled_start_at"] is None
        ):
            raise InvalidRequest(
                "A scheduled listing keeps a start time: change it, or cancel the listing.",
                code="scheduled_start_required",
                param="scheduled_start_at",
            )
        return
    if listing.status != ListingStatus.ACTIVE:
        raise Conflict(f"A listing that is {listing.status} cannot be edited.", code="listing_not_editable")
    for name in LOCKED_AFTER_START:
        if name in cleaned and cleaned[name] != _current(listing, name):
            raise Conflict(
                "The format, duration, end time and start time cannot change once a listing has started.",
                code="field_locked_after_start",
                param=name,
            )
    if listing.bid_count > 0:
        for name in policy.AUCTION_PRICE_FIELDS:
            if name in cleaned and cleaned[name] != getattr(listing, name):
                raise Conflict(
                    "Prices cannot change once an auction has bids.", code="auction_has_bids", param=name
                )
    if "quantity" in cleaned and cleaned["quantity"] <= listing.quantity_sold:
        raise Conflict(
            f"The quantity must be more than the {listing.quantity_sold} already sold.",
            code="quantity_below_sold",
            param="quantity",
        )


def _current(listing: Listing, name: str) -> Any:
    if name == "location":
        return {
            "country": listing.location_country,
            "postal_code": listing.location_postal_code,
            "city": listing.location_city,
        }
    return getattr(listing, policy.COLUMN_OF.get(name, name))


@transaction.atomic
def listing_update(*, listing_id: uuid.UUID, seller_id: uuid.UUID, changes: Mapping[str, Any]) -> Listing:
    """Change some fields of the seller's listing (API names, as ``listing_create_draft``).

    Drafts and scheduled listings take any change; an active listing keeps its format, duration,
    end time and start time (409 ``field_locked_after_start``), and an auction with bids its prices
    (409 ``auction_has_bids``); an ended, sold, cancelled or withdrawn listing cannot be edited (409
    ``listing_not_editable``); a published listing stays complete (400 ``field_required``).
    Switching the format clears the other format's prices (an auction sells one item). Setting a
    duration clears an end time and the reverse. A scheduled listing's
    times are planned again (``policy.listing_times_plan``). Locks the listing row; a change that
    changes nothing writes nothing and emits nothing; otherwise ``version`` + 1 and ``listing.updated``.
    """
    cleaned = policy.listing_fields_clean(changes)
    listing = listing_lock_for_seller(listing_id=listing_id, seller_id=seller_id)
    _refuse_locked(listing, cleaned)
    if cleaned.get("category_id") is not None and cleaned["category_id"] != listing.category_id:
        category_check(cleaned["category_id"])
    values = _column_values(cleaned)
    new_format = values.get("format", listing.format)
    if new_format != listing.format:
        if new_format == ListingFormat.FIXED_PRICE:
            for name in policy.AUCTION_PRICE_FIELDS:
                values.setdefault(name, None)
        else:
            values.setdefault("price_koinu", None)
            values.setdefault("quantity", 1)
    if values.get("duration_days") is not None:
        values.setdefault("requested_ends_at", None)
    if values.get("requested_ends_at") is not None:
        values.setdefault("duration_days", None)
    changed = [column for column, value in values.items() if getattr(listing, column) != value]
    if not changed:
        return listing
    for column in changed:
        setattr(listing, column, values[column])
    _prices_check(listing)
    if listing.status != ListingStatus.DRAFT:
        missing = policy.listing_missing_for_publish(listing)
        if missing:
            raise policy.listing_field_required_error(missing, format=listing.format)
    now = timezone.now()
    if listing.status == ListingStatus.SCHEDULED and {
        "duration_days",
        "requested_ends_at",
        "scheduled_start_at",
    } & set(changed):
        times = policy.listing_times_plan(
            format=listing.format,
            duration_days=listing.duration_days,
            requested_ends_at=listing.requested_ends_at,
            scheduled_start_at=listing.scheduled_start_at,
            now=now,
        )
        listing.starts_at, listing.ends_at = times.starts_at, times.ends_at
        changed += ["starts_at", "ends_at"]
    listing_record_change(listing, fields=changed, now=now)
    events.listing_updated_publish(listing)
    return listing


@transaction.atomic
def listing_photos_changed(*, listing_id: uuid.UUID) -> Listing:
    """Record that the listing's photos changed (the photos app calls this in its transaction): a
    new version whose snapshot has the new thumbnail and count. Locks the listing row; emits
    ``listing.updated``; drops the cached detail after commit."""
    from listing_service.listings.services.common import listing_lock

    listing = listing_lock(listing_id)
    listing_record_change(listing, fields=[])
    events.listing_updated_publish(listing)
    return listing
