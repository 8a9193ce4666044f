"""What the listing service functions share: locking a listing for its seller, recording a change."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.utils import timezone

from dbay_common.errors import InvalidRequest, NotFound, PermissionDenied
from listing_service.listings.models import Listing, ListingStatus
from listing_service.listings.read_cache import listing_cache_invalidate_on_commit
from listing_service.listings.snapshots import category_index

NOT_FOUND_MESSAGE = "No such listing."


def listing_not_found() -> NotFound:
    return NotFound(NOT_FOUND_MESSAGE, code="listing_not_found")


def listing_lock(listing_id: uuid.UUID) -> Listing:
    """The listing, locked FOR UPDATE (404 when it does not exist)."""
    listing = Listing.objects.select_for_update().filter(id=listing_id).first()
    if listing is None:
        raise listing_not_found()
    return listing


def listing_lock_for_seller(*, listing_id: uuid.UUID, seller_id: uuid.UUID) -> Listing:
    """The seller's listing, locked. Someone else's draft does not exist for the caller (404); someone
    else's published listing is visible but not theirs to change (403 ``not_listing_seller``)."""
    listing = listing_lock(listing_id)
    if listing.seller_id != seller_id:
        if listing.status in (ListingStatus.DRAFT, ListingStatus.CANCELLED) and listing.published_at is None:
            raise listing_not_found()
        raise PermissionDenied("Only the seller can change this listing.", code="not_listing_seller")
    return listing


def category_check(category_id: str) -> None:
    """Listings go in leaf categories of the tree."""
    node = category_index().get(category_id)
    if node is None:
        raise InvalidRequest("No such category.", code="unknown_category", param="category_id")
    if not node.is_leaf:
        raise InvalidRequest(
            "Choose a more specific category: listings go in the last level of the tree.",
            code="category_not_leaf",
            param="category_id",
        )


def listing_record_change(listing: Listing, *, fields: list[str], now: datetime | None = None) -> None:
    """Save ``fields`` of a locked listing as a new version (``version`` + 1, ``updated_at``) and
    drop its cached detail after commit. The caller publishes the event."""
    listing.version += 1
    listing.updated_at = now or timezone.now()
    listing.save(update_fields=[*fields, "version", "updated_at"])
    listing_cache_invalidate_on_commit(listing.id)
