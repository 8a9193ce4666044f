"""Events listing-service publishes (typed payloads) and consumes (`HANDLERS`).

Every ``listing.*`` event carries the listing's whole public snapshot after the change
(``snapshots.listing_snapshot``, the shape of docs/api-contracts and the search contract), so a
consumer never calls back; ``listing.ended`` adds ``reason`` and ``listing.withdrawn`` adds ``reason``
and ``withdrawn_by``. Each event is built in exactly one function here, called by a service function
inside its transaction (``dbay_common.django.events.publish`` writes the outbox row with the change).

Consumed: ``user.registered`` and ``user.profile_updated`` keep the ``Seller`` copy of members'
names that fills ``seller_username``.
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
    """A listing ended: its time ran out, its seller ended it early, or it sold out."""

    reason: Literal["duration_elapsed", "ended_by_seller", "sold_out"]


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


EndReasonName = Literal["duration_elapsed", "ended_by_seller", "sold_out"]


def listing_ended_publish(listing: Listing, *, reason: EndReasonName) -> Event:
    return publish("listing.ended", ListingEndedV1(**_snapshot(listing), reason=reason))


def listing_withdrawn_publish(listing: Listing, *, reason: str) -> Event:
    return publish(
        "listing.withdrawn", ListingWithdrawnV1(**_snapshot(listing), reason=reason, withdrawn_by="staff")
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


HANDLERS: dict[str, Callable[[Event], None]] = {
    "user.registered": on_user_registered,
    "user.profile_updated": on_user_profile_updated,
}
