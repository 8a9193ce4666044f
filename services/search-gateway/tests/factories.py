"""Listing snapshots in the shape listing-service publishes (docs/event-catalog.md, listing events)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from dbay_common.events.envelope import Event

NOW = datetime.now(UTC).replace(microsecond=0)
DOGE = 100_000_000


def iso(moment: datetime) -> str:
    return moment.isoformat()


def snapshot(**overrides: Any) -> dict[str, Any]:
    """An active fixed-price listing in Collectibles > Other, shipping to GB; override any field."""
    data: dict[str, Any] = {
        "listing_id": str(uuid.uuid4()),
        "version": 1,
        "seller_id": str(uuid.uuid4()),
        "seller_username": "shibe_seller",
        "status": "active",
        "title": "Plain item",
        "description": "Nothing special.",
        "category_id": "collectibles.other",
        "category_path": ["collectibles", "collectibles.other"],
        "category_names": ["Collectibles", "Other"],
        "condition": "good",
        "item_specifics": [{"name": "Brand", "value": "Acme"}],
        "format": "fixed_price",
        "price_koinu": str(10 * DOGE),
        "buy_it_now_koinu": None,
        "has_reserve": False,
        "quantity_available": 1,
        "bid_count": 0,
        "shipping_options": [{"service": "Post", "price_koinu": str(DOGE), "ships_to": ["GB"]}],
        "local_pickup": False,
        "lowest_shipping_koinu": str(DOGE),
        "location": {"country": "GB", "postal_code": "SW1A 1AA", "city": "London"},
        "thumbnail_url": None,
        "photo_count": 0,
        "starts_at": iso(NOW - timedelta(days=1)),
        "ends_at": None,
        "created_at": iso(NOW - timedelta(days=1)),
        "updated_at": iso(NOW - timedelta(days=1)),
        "published_at": iso(NOW - timedelta(days=1)),
    }
    data.update(overrides)
    return data


def listing_event(detail_type: str, data: dict[str, Any], **extras: Any) -> Event:
    return Event.new(source="dbay.listing", detail_type=detail_type, data={**data, **extras})


def ids(body: dict[str, Any]) -> list[str]:
    return [item["listing_id"] for item in body["data"]]
