"""Events listing-service publishes (typed payloads) and consumes (`HANDLERS`).

Every ``listing.*`` event carries the listing's whole public snapshot after the change
(``snapshots.listing_snapshot``, the shape of docs/api-contracts and the search contract), so a
consumer never calls back; ``listing.ended`` adds ``reason`` and ``listing.withdrawn`` adds ``reason``
and ``withdrawn_by``. Each event is built in exactly one function here, called by a service function
inside its transaction (``dbay_common.django.events.publish`` writes the outbox row with the change).

Consumed: ``user.registered`` and ``user.profile_updated`` keep the ``Seller`` copy of members'
names that fills ``seller_username``; ``user.suspended`` / ``user.reinstated`` keep whether the member
may publish. auction-service's ``bid.placed``, ``auction.extended``, ``auction.closed`` and
``auction.ended_unsold`` move an auction's price, bid count, end time and end (``services.auctions``).
The models of what is read from other services' events are this service's own (``*Read``, lenient,
not registered: the producer registers the schema).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict

from dbay_common.django.events import publish
from dbay_common.events.envelope import Event
from dbay_common.events.schemas import register_event

if TYPE_CHECKING:
    from listing_service.listings.models import Listing

ListingStatusName = Literal["draft", "scheduled", "active", "ended", "sold", "cancelled", "withdrawn"]


class ItemSpecificV1(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    value: str


class ShippingOptionV1(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    service: str
    price_koinu: str
    ships_to: list[str]


class LocationV1(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    country: str
    postal_code: str
    city: str


class ListingSnapshotV1(BaseModel):
    """A listing's whole public state after a change (never the reserve amount)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    listing_id: str
    version: int
    seller_id: str
    seller_username: str
    status: ListingStatusName
    title: str
    description: str
    category_id: str
    category_path: list[str]
    category_names: list[str]
    condition: Literal["new", "like_new", "very_good", "good", "acceptable", "for_parts", ""]
    item_specifics: list[ItemSpecificV1]
    format: Literal["auction", "fixed_price"]
    price_koinu: str | None
    buy_it_now_koinu: str | None
    has_reserve: bool
    quantity_available: int
    bid_count: int
    # Added compatibly to version 1 (consumers ignore fields they do not know): an auction's current
    # price (the start price before any bid), a fixed-price listing's price; whether the hidden reserve
    # is met (null without a reserve).
    current_price_koinu: str | None = None
    reserve_met: bool | None = None
    shipping_options: list[ShippingOptionV1]
    local_pickup: bool
    lowest_shipping_koinu: str | None
    location: LocationV1
    thumbnail_url: str | None
    photo_count: int
    starts_at: AwareDatetime | None
    ends_at: AwareDatetime | None
    created_at: AwareDatetime
    updated_at: AwareDatetime
    published_at: AwareDatetime | None


@register_event("listing.created", 1)
class ListingCreatedV1(ListingSnapshotV1):
    """A seller started a listing (a draft: search ignores drafts)."""


@register_event("listing.updated", 1)
class ListingUpdatedV1(ListingSnapshotV1):
    """A listing changed: the seller edited it or cancelled it, a scheduled listing started, its
    photos or its seller's username changed."""


@register_event("listing.published", 1)
class ListingPublishedV1(ListingSnapshotV1):
    """A draft was published: ``status`` is ``active``, or ``scheduled`` until ``starts_at``."""


@register_event("listing.ended", 1)
class ListingEndedV1(ListingSnapshotV1):
    """A listing ended: its time ran out, its seller ended it early, it sold out, or (an auction, as
    auction-service decided) it sold, or ended with no bids or below its reserve."""

    reason: Literal["duration_elapsed", "ended_by_seller", "sold_out", "sold", "no_bids", "reserve_not_met"]


@register_event("listing.ending_soon", 1)
class ListingEndingSoonV1(BaseModel):
    """A watched listing ends in about an hour (once per listing): the watchers are told."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    listing_id: str
    title: str
    ends_at: AwareDatetime
    watcher_ids: list[str]


@register_event("listing.withdrawn", 1)
class ListingWithdrawnV1(ListingSnapshotV1):
    """Staff took a listing down; ``reason`` is the text its seller is shown."""

    reason: str
    withdrawn_by: Literal["staff"]


# -- publishing (inside the caller's transaction) ------------------------------------------------------


def _snapshot(listing: Listing) -> dict[str, Any]:
    from listing_service.listings.snapshots import listing_snapshot

    return listing_snapshot(listing)


def listing_created_publish(listing: Listing) -> Event:
    return publish("listing.created", ListingCreatedV1(**_snapshot(listing)))


def listing_updated_publish(listing: Listing) -> Event:
    return publish("listing.updated", ListingUpdatedV1(**_snapshot(listing)))


def listing_published_publish(listing: Listing) -> Event:
    return publish("listing.published", ListingPublishedV1(**_snapshot(listing)))


EndReasonName = Literal[
    "duration_elapsed", "ended_by_seller", "sold_out", "sold", "no_bids", "reserve_not_met"
]


def listing_ended_publish(listing: Listing, *, reason: EndReasonName) -> Event:
    return publish("listing.ended", ListingEndedV1(**_snapshot(listing), reason=reason))


def listing_withdrawn_publish(listing: Listing, *, reason: str) -> Event:
    return publish(
        "listing.withdrawn", ListingWithdrawnV1(**_snapshot(listing), reason=reason, withdrawn_by="staff")
    )


def listing_ending_soon_publish(listing: Listing, *, watcher_ids: list[str]) -> Event:
    return publish(
        "listing.ending_soon",
        ListingEndingSoonV1(
            listing_id=str(listing.id), title=listing.title, ends_at=listing.ends_at, watcher_ids=watcher_ids
        ),
    )


# -- consuming --------------------------------------------------------------------------------------------


def on_user_registered(event: Event) -> None:
    from listing_service.listings.services import seller_upsert

    data = event.data
    seller_upsert(user_id=uuid.UUID(str(data["user_id"])), username=str(data["username"]), display_name=None)


def on_user_profile_updated(event: Event) -> None:
    from listing_service.listings.services import seller_upsert

    data = event.data
    seller_upsert(
        user_id=uuid.UUID(str(data["user_id"])),
        username=str(data["username"]),
        display_name=str(data.get("display_name") or ""),
    )


class MemberSuspendedRead(BaseModel):
    user_id: uuid.UUID
    suspended_at: AwareDatetime


class MemberReinstatedRead(BaseModel):
    user_id: uuid.UUID
    reinstated_at: AwareDatetime


def on_user_suspended(event: Event) -> None:
    from listing_service.listings.services import seller_suspension_set

    data = event.parse_data(MemberSuspendedRead)
    seller_suspension_set(user_id=data.user_id, is_suspended=True, at=data.suspended_at)


def on_user_reinstated(event: Event) -> None:
    from listing_service.listings.services import seller_suspension_set

    data = event.parse_data(MemberReinstatedRead)
    seller_suspension_set(user_id=data.user_id, is_suspended=False, at=data.reinstated_at)


class BidPlacedRead(BaseModel):
    listing_id: uuid.UUID
    amount_koinu: int
    bid_count: int
    reserve_met: bool | None = None
    ends_at: AwareDatetime
    seq: int


class AuctionExtendedRead(BaseModel):
    listing_id: uuid.UUID
    ends_at: AwareDatetime


class AuctionClosedRead(BaseModel):
    listing_id: uuid.UUID
    price_koinu: int
    closed_at: AwareDatetime


class AuctionEndedUnsoldRead(BaseModel):
    listing_id: uuid.UUID
    reason: Literal["no_bids", "reserve_not_met"]
    ended_at: AwareDatetime


def on_bid_placed(event: Event) -> None:
    from listing_service.listings.services import auction_bid_apply

    data = event.parse_data(BidPlacedRead)
    auction_bid_apply(
        listing_id=data.listing_id,
        price_koinu=data.amount_koinu,
        bid_count=data.bid_count,
        reserve_met=data.reserve_met,
        ends_at=data.ends_at,
        seq=data.seq,
    )


def on_auction_extended(event: Event) -> None:
    from listing_service.listings.services import auction_extend_apply

    data = event.parse_data(AuctionExtendedRead)
    auction_extend_apply(listing_id=data.listing_id, ends_at=data.ends_at)


def on_auction_closed(event: Event) -> None:
    from listing_service.listings.services import auction_end_apply

    data = event.parse_data(AuctionClosedRead)
    auction_end_apply(
        listing_id=data.listing_id, reason="sold", price_koinu=data.price_koinu, at=data.closed_at
    )


def on_auction_ended_unsold(event: Event) -> None:
    from listing_service.listings.services import auction_end_apply

    data = event.parse_data(AuctionEndedUnsoldRead)
    auction_end_apply(listing_id=data.listing_id, reason=data.reason, price_koinu=None, at=data.ended_at)


HANDLERS: dict[str, Callable[[Event], None]] = {
    "user.registered": on_user_registered,
    "user.profile_updated": on_user_profile_updated,
    "user.suspended": on_user_suspended,
    "user.reinstated": on_user_reinstated,
    "bid.placed": on_bid_placed,
    "auction.extended": on_auction_extended,
    "auction.closed": on_auction_closed,
    "auction.ended_unsold": on_auction_ended_unsold,
}
