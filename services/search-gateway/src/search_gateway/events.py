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


class ListingSnapshot(BaseModel):
    """What the handlers read of a listing event: the whole public snapshot (docs/event-catalog.md)."""

    model_config = ConfigDict(extra="allow")

    listing_id: str
    version: int
    status: str


def on_listing_event(event: Event) -> None:
    """Index the snapshot; a listing that just became active is matched against saved searches."""
    from search_gateway.services import listing_index_snapshot

    snapshot = event.parse_data(ListingSnapshot).model_dump()
    is_new_and_active = snapshot["status"] == "active" and event.detail_type in (
        "listing.created",
        "listing.published",
    )
    listing_index_snapshot(config=load_config(), snapshot=snapshot, match_saved_searches=is_new_and_active)


# detail-type -> handler; each parses the event's data and calls one function of services.py.
# The auction issue adds its price and bid-count events here (a partial update under the same
# listing version rule: see services.listing_index_snapshot).
HANDLERS: dict[str, EventHandler] = {detail_type: on_listing_event for detail_type in LISTING_EVENTS}
