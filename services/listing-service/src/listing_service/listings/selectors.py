"""Reads for listing-service: functions that query and return data, never change it.

Who sees what: a draft only its seller; a cancelled or withdrawn listing its seller and staff; every
other listing (scheduled, active, ended, sold) anyone. The hidden reserve, the watcher and view
counts and a takedown's reason are in ``listing_seller_view``, which only the seller is shown.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from listing_service.listings import policy
from listing_service.listings.models import Listing, ListingStatus, Watch
from listing_service.listings.read_cache import (
    CATEGORY_TREE_KEY,
    cache_add,
    cache_get,
    cache_get_many,
    cache_set,
    listing_cache_key,
    listing_generation_key,
)
from listing_service.listings.services.common import listing_not_found
from listing_service.listings.snapshots import CategoryNode, category_index, listing_snapshot
from listing_service.listings.view_counts import listing_views_pending

PUBLIC_STATUSES = (ListingStatus.SCHEDULED, ListingStatus.ACTIVE, ListingStatus.ENDED, ListingStatus.SOLD)
STAFF_STATUSES = (*PUBLIC_STATUSES, ListingStatus.CANCELLED, ListingStatus.WITHDRAWN)
SELLER_PAGE_STATUSES = (ListingStatus.ACTIVE, ListingStatus.ENDED, ListingStatus.SOLD)


def _category_document(node: CategoryNode) -> dict[str, Any]:
    return {
        "id": node.id,
        "name": node.name,
        "suggested_specifics": list(node.suggested_specifics),
        "children": [_category_document(child) for child in node.children],
    }


def category_tree() -> list[dict[str, Any]]:
    """The whole tree, top categories first in their order (cached in Memcached)."""
    cached = cache_get(CATEGORY_TREE_KEY)
    if cached is not None:
        return list(cached)
    roots = [node for node in category_index().values() if node.parent_id is None]
    tree = [_category_document(node) for node in sorted(roots, key=lambda node: (node.position, node.id))]
    cache_add(CATEGORY_TREE_KEY, tree, ttl_s=settings.LISTING_CACHE_TTL_S)
    return tree


def listing_visible_get(*, listing_id: uuid.UUID, user_id: uuid.UUID | None, is_staff: bool) -> Listing:
    """The listing if the caller may see it, else 404 ``listing_not_found`` (never a 403: a hidden
    listing does not exist for the caller)."""
    listing = Listing.objects.filter(id=listing_id).first()
    if listing is None:
        raise listing_not_found()
    if listing.seller_id == user_id or listing.status in PUBLIC_STATUSES:
        return listing
    if is_staff and listing.status in STAFF_STATUSES:
        return listing
    raise listing_not_found()


def _photos(listing_id: uuid.UUID) -> list[dict[str, Any]]:
    from listing_service.photos.selectors import photos_for_listing

    return [
        {"id": str(photo.id), "position": photo.position, "state": photo.state, "urls": dict(photo.urls)}
        for photo in photos_for_listing(listing_id)
    ]


def listing_public_detail(listing: Listing) -> dict[str, Any]:
    """The snapshot and photos of a listing (what everyone is shown), built from ``listing``."""
    return {**listing_snapshot(listing), "photos": _photos(listing.id)}


def listing_public_detail_cached(listing_id: uuid.UUID) -> tuple[dict[str, Any] | None, str]:
    """``(the cached public detail or None, the listing's current cache generation)``: an entry
    stored under an older generation is a miss (see read_cache)."""
    detail_key, generation_key = listing_cache_key(listing_id), listing_generation_key(listing_id)
    found = cache_get_many([detail_key, generation_key])
    generation = str(found.get(generation_key) or "")
    entry = found.get(detail_key)
    if isinstance(entry, dict) and entry.get("generation") == generation:
        return dict(entry["detail"]), generation
    return None, generation


def listing_public_detail_remember(listing: Listing, detail: dict[str, Any], *, generation: str) -> None:
    """Keep a publicly visible listing's detail, stamped with the generation read before the row."""
    if listing.status in PUBLIC_STATUSES:
        cache_set(
            listing_cache_key(listing.id),
            {"generation": generation, "detail": detail},
            ttl_s=int(settings.LISTING_CACHE_TTL_S),
        )


def listing_seller_view(listing: Listing) -> dict[str, Any]:
    """What only the seller sees: the hidden reserve, counters (views include those not yet flushed),
    the choices behind the times, a takedown's reason, and what a draft still needs."""
    return {
        "reserve_price_koinu": None
        if listing.reserve_price_koinu is None
        else str(listing.reserve_price_koinu),
        "quantity": listing.quantity,
        "quantity_sold": listing.quantity_sold,
        "duration_days": listing.duration_days,
        "end_time": listing.requested_ends_at,
        "scheduled_start_at": listing.scheduled_start_at,
        "watch_count": listing.watch_count,
        "view_count": listing.view_count + listing_views_pending(listing.id),
        "end_reason": listing.end_reason,
        "withdrawn_reason": listing.withdrawn_reason,
        "withdrawn_at": listing.withdrawn_at,
        "missing_for_publish": policy.listing_missing_for_publish(listing)
        if listing.status == ListingStatus.DRAFT
        else [],
    }


def listings_of_seller(*, seller_id: uuid.UUID, statuses: list[str] | None) -> QuerySet[Listing]:
    """The seller's own listings (every status, or those in ``statuses``)."""
    queryset = Listing.objects.filter(seller_id=seller_id)
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    return queryset


def listings_public_of_seller(*, seller_id: uuid.UUID, status: str) -> QuerySet[Listing]:
    """A seller's listings anyone may see on their page: active (default), ended or sold."""
    return Listing.objects.filter(seller_id=seller_id, status=status)


def listings_feed(*, after_id: uuid.UUID | None) -> QuerySet[Listing]:
    """Every listing past draft, by id (the feed search rebuilds its index from)."""
    queryset = Listing.objects.exclude(status=ListingStatus.DRAFT).order_by("id")
    if after_id is not None:
        queryset = queryset.filter(id__gt=after_id)
    return queryset


def watchlist(*, user_id: uuid.UUID) -> QuerySet[Watch]:
    """The user's watches with their listings, newest first."""
    return Watch.objects.filter(user_id=user_id).select_related("listing")


SOFT_CLOSE_MINUTES = 2


def listing_auction_terms(listing_id: uuid.UUID) -> dict[str, Any]:
    """A published listing's auction terms for auction-service (the internal API), read from
    PostgreSQL (never the cache: the terms decide money). 404 for a draft or no listing."""
    listing = Listing.objects.filter(id=listing_id, published_at__isnull=False).first()
    if listing is None:
        raise listing_not_found()
    return {
        "listing_id": listing.id,
        "seller_id": listing.seller_id,
        "format": listing.format,
        "status": listing.status,
        "start_price_koinu": listing.start_price_koinu,
        "reserve_price_koinu": listing.reserve_price_koinu,
        "buy_it_now_koinu": listing.buy_it_now_koinu,
        "starts_at": listing.starts_at,
        "ends_at": listing.ends_at,
        "soft_close_minutes": SOFT_CLOSE_MINUTES,
    }
