"""The listing's public snapshot: the one shape events, the feed, search and the detail page share.

``listing_snapshot(listing)`` builds it (the contract in docs/event-catalog.md, ``listing.*``);
``listing_snapshots(listings)`` builds many with one query per related table. The hidden reserve
amount is never in it (only ``has_reserve``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from listing_service.listings.models import Category, Listing, ListingFormat, Seller


class CategoryNode:
    """A category with its path from the root, read once per process (the tree changes by migration)."""

    __slots__ = (
        "children",
        "id",
        "name",
        "parent_id",
        "path",
        "path_names",
        "position",
        "suggested_specifics",
    )

    def __init__(self, category: Category) -> None:
        self.id: str = category.id
        self.name: str = category.name
        self.parent_id: str | None = category.parent_id
        self.position: int = category.position
        self.suggested_specifics: list[str] = list(category.suggested_specifics)
        self.children: list[CategoryNode] = []
        self.path: list[str] = []
        self.path_names: list[str] = []

    @property
    def is_leaf(self) -> bool:
        return not self.children


_CATEGORIES: dict[str, CategoryNode] | None = None


def category_index() -> dict[str, CategoryNode]:
    """Every category by id, with children and root-to-node paths."""
    global _CATEGORIES
    if _CATEGORIES is None:
        nodes = {
            category.id: CategoryNode(category) for category in Category.objects.order_by("position", "id")
        }
        for node in nodes.values():
            if node.parent_id is not None:
                nodes[node.parent_id].children.append(node)
        for node in nodes.values():
            chain: list[CategoryNode] = []
            current: CategoryNode | None = node
            while current is not None:
                chain.append(current)
                current = nodes[current.parent_id] if current.parent_id is not None else None
            chain.reverse()
            node.path = [link.id for link in chain]
            node.path_names = [link.name for link in chain]
        _CATEGORIES = nodes
    return _CATEGORIES


def category_index_reset() -> None:
    """Forget the process's copy of the tree (after a migration changed it, and in tests)."""
    global _CATEGORIES
    _CATEGORIES = None


def photo_summaries(listing_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, tuple[str | None, int]]:
    """``{listing_id: (thumbnail_url, photo_count)}`` from the photos app (no photos: ``(None, 0)``)."""
    from listing_service.photos.selectors import photo_summaries as summaries_of_photos

    return summaries_of_photos(listing_ids)


def _koinu(value: int | None) -> str | None:
    return None if value is None else str(int(value))


def _snapshot(
    listing: Listing,
    *,
    seller_username: str,
    photos: tuple[str | None, int],
    categories: dict[str, CategoryNode],
) -> dict[str, Any]:
    category = categories.get(listing.category_id) if listing.category_id else None
    is_auction = listing.format == ListingFormat.AUCTION
    shipping = [
        {
            "service": option["service"],
            "price_koinu": str(option["price_koinu"]),
            "ships_to": list(option["ships_to"]),
        }
        for option in listing.shipping_options
    ]
    lowest = min((int(option["price_koinu"]) for option in listing.shipping_options), default=None)
    thumbnail_url, photo_count = photos
    return {
        "listing_id": str(listing.id),
        "version": listing.version,
        "seller_id": str(listing.seller_id),
        "seller_username": seller_username,
        "status": listing.status,
        "title": listing.title,
        "description": listing.description,
        "category_id": listing.category_id or "",
        "category_path": list(category.path) if category else [],
        "category_names": list(category.path_names) if category else [],
        "condition": listing.condition,
        "item_specifics": [{"name": s["name"], "value": s["value"]} for s in listing.item_specifics],
        "format": listing.format,
        "price_koinu": _koinu(listing.start_price_koinu if is_auction else listing.price_koinu),
        "buy_it_now_koinu": _koinu(listing.buy_it_now_koinu) if is_auction else None,
        "has_reserve": listing.reserve_price_koinu is not None,
        "quantity_available": listing.quantity - listing.quantity_sold,
        "bid_count": listing.bid_count,
        "current_price_koinu": _koinu(
            (listing.current_price_koinu or listing.start_price_koinu) if is_auction else listing.price_koinu
        ),
        "reserve_met": (
            None if not is_auction or listing.reserve_price_koinu is None else bool(listing.reserve_met)
        ),
        "shipping_options": shipping,
        "local_pickup": listing.local_pickup,
        "lowest_shipping_koinu": _koinu(lowest),
        "location": {
            "country": listing.location_country,
            "postal_code": listing.location_postal_code,
            "city": listing.location_city,
        },
        "thumbnail_url": thumbnail_url,
        "photo_count": photo_count,
        "starts_at": listing.starts_at,
        "ends_at": listing.ends_at,
        "created_at": listing.created_at,
        "updated_at": listing.updated_at,
        "published_at": listing.published_at,
    }


def listing_snapshot(listing: Listing) -> dict[str, Any]:
    """The public snapshot of one listing (datetimes as ``datetime``; JSON renders them ISO 8601)."""
    return listing_snapshots([listing])[0]


def listing_snapshots(listings: Iterable[Listing]) -> list[dict[str, Any]]:
    """The public snapshots of ``listings``, in their order: one query for the sellers' names, two
    for the photo summaries, the category tree from the process's copy."""
    listings = list(listings)
    if not listings:
        return []
    seller_ids = {listing.seller_id for listing in listings}
    usernames = dict(Seller.objects.filter(user_id__in=seller_ids).values_list("user_id", "username"))
    photos = photo_summaries([listing.id for listing in listings])
    categories = category_index()
    return [
        _snapshot(
            listing,
            seller_username=usernames.get(listing.seller_id, ""),
            photos=photos.get(listing.id, (None, 0)),
            categories=categories,
        )
        for listing in listings
    ]
