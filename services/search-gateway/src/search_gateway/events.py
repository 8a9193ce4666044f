"""Events of search-gateway: ``search.matched`` (published) and the listing events it consumes.

search-gateway owns no MongoDB: its state is Elasticsearch, idempotent by construction (a listing is
indexed under its own id with the listing's version as an external version, so a redelivered or
older event changes nothing), so its worker needs no inbox. Its one event, ``search.matched``, is
published once per (saved search, listing) through a guard document in Elasticsearch instead of an
outbox (``services.saved_search_match_listing``; docs/search.md, "Saved searches").
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from dbay_common.events.envelope import Event
from dbay_common.events.schemas import register_event
from dbay_common.mongo import EventSource
from dbay_common.transports.base import EventHandler
from search_gateway.config import SERVICE, load_config

EVENT_SOURCE = "dbay.search"
EVENTS = EventSource(source=EVENT_SOURCE, producer=SERVICE)

LISTING_EVENTS = (
    "listing.created",
    "listing.updated",
    "listing.published",
    "listing.ended",
    "listing.withdrawn",
)


@register_event("search.matched", 1)
class SearchMatchedV1(BaseModel):
    """A new active listing matches a user's saved search."""

    model_config = ConfigDict(extra="forbid")

    user_id: str
    saved_search_id: str
    saved_search_name: str
    listing_id: str
    title: str


class ShippingOption(BaseModel):
    price_koinu: str | None = None
    ships_to: list[str] = []


class ItemSpecific(BaseModel):
    name: str = ""
    value: str = ""


class Location(BaseModel):
    country: str | None = None
    city: str | None = None


class ListingSnapshot(BaseModel):
    """What the handlers read of a listing event: the public snapshot (docs/event-catalog.md)."""

    listing_id: str
    version: int
    status: str
    seller_id: str | None = None
    seller_username: str = ""
    title: str = ""
    description: str = ""
    category_id: str | None = None
    category_path: list[str] = []
    category_names: list[str] = []
    condition: str | None = None
    item_specifics: list[ItemSpecific] = []
    format: str | None = None
    price_koinu: str | None = None
    buy_it_now_koinu: str | None = None
    has_reserve: bool = False
    quantity_available: int | None = None
    bid_count: int = 0
    current_price_koinu: str | None = None
    reserve_met: bool | None = None
    shipping_options: list[ShippingOption] = []
    local_pickup: bool = False
    lowest_shipping_koinu: str | None = None
    location: Location = Location()
    thumbnail_url: str | None = None
    photo_count: int | None = None
    starts_at: str | None = None
    ends_at: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    published_at: str | None = None


def on_listing_event(event: Event) -> None:
    """Index the snapshot; a listing that just became active is matched against saved searches
    (published or created active, or a scheduled listing whose start came: listing.updated)."""
    from search_gateway.services import listing_index_snapshot

    snapshot = event.parse_data(ListingSnapshot).model_dump()
    listing_index_snapshot(
        config=load_config(),
        snapshot=snapshot,
        is_new=event.detail_type in ("listing.created", "listing.published"),
    )


# detail-type -> handler; each parses the event's data and calls one function of services.py.
# An auction's bids, price, extensions and end arrive as the listing's next version from
# listing-service (which follows auction-service), so no auction event is consumed here.
HANDLERS: dict[str, EventHandler] = {detail_type: on_listing_event for detail_type in LISTING_EVENTS}
