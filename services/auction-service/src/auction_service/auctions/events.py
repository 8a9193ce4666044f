"""Events auction-service publishes (typed payloads) and consumes (`HANDLERS`).

Publishing: each payload is a pydantic model registered with `register_event` (`extra="forbid"`),
built in exactly one function here that the service functions call inside their transaction
(`dbay_common.django.events.publish` writes the outbox row; it is relayed after commit). The
catalogue is docs/event-catalog.md, "auction-service".

Consuming: `HANDLERS` maps a detail-type to a handler; `manage.py consume_events` runs each once per
event (inbox); each handler parses the few fields it reads and calls one service function.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from auction_service.auctions.relay import publish
from dbay_common.events.envelope import Event
from dbay_common.events.schemas import register_event


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")


@register_event("bid.placed", 1)
class BidPlacedV1(_Payload):
    bid_id: str
    listing_id: str
    seller_id: str
    bidder_id: str
    amount_koinu: str
    bid_count: int
    leader_id: str
    previous_leader_id: str | None
    reserve_met: bool | None
    ends_at: datetime
    placed_at: datetime
    seq: int


@register_event("bid.outbid", 1)
class BidOutbidV1(_Payload):
    listing_id: str
    title: str
    bidder_id: str
    current_price_koinu: str
    outbid_at: datetime


@register_event("auction.extended", 1)
class AuctionExtendedV1(_Payload):
    listing_id: str
    ends_at: datetime
    previous_ends_at: datetime
    extended_at: datetime


@register_event("auction.closed", 1)
class AuctionClosedV1(_Payload):
    listing_id: str
    seller_id: str
    winner_id: str
    price_koinu: str
    escrow_hold_id: str
    via: str
    bidder_ids: list[str]
    closed_at: datetime


@register_event("auction.ended_unsold", 1)
class AuctionEndedUnsoldV1(_Payload):
    listing_id: str
    seller_id: str
    reason: str
    bidder_ids: list[str]
    ended_at: datetime


def _id(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


def bid_placed_publish(
    *,
    bid_id: uuid.UUID,
    listing_id: uuid.UUID,
    seller_id: uuid.UUID,
    bidder_id: uuid.UUID,
    amount_koinu: int,
    bid_count: int,
    leader_id: uuid.UUID,
    previous_leader_id: uuid.UUID | None,
    reserve_met: bool | None,
    ends_at: datetime,
    placed_at: datetime,
    seq: int,
) -> None:
    publish(
        "bid.placed",
        BidPlacedV1(
            bid_id=str(bid_id),
            listing_id=str(listing_id),
            seller_id=str(seller_id),
            bidder_id=str(bidder_id),
            amount_koinu=str(amount_koinu),
            bid_count=bid_count,
            leader_id=str(leader_id),
            previous_leader_id=_id(previous_leader_id),
            reserve_met=reserve_met,
            ends_at=ends_at,
            placed_at=placed_at,
            seq=seq,
        ),
    )


def bid_outbid_publish(
    *, listing_id: uuid.UUID, title: str, bidder_id: uuid.UUID, current_price_koinu: int, at: datetime
) -> None:
    publish(
        "bid.outbid",
        BidOutbidV1(
            listing_id=str(listing_id),
            title=title,
            bidder_id=str(bidder_id),
            current_price_koinu=str(current_price_koinu),
            outbid_at=at,
        ),
    )


def auction_extended_publish(
    *, listing_id: uuid.UUID, ends_at: datetime, previous_ends_at: datetime, at: datetime
) -> None:
    publish(
        "auction.extended",
        AuctionExtendedV1(
            listing_id=str(listing_id), ends_at=ends_at, previous_ends_at=previous_ends_at, extended_at=at
        ),
    )


def auction_closed_publish(
    *,
    listing_id: uuid.UUID,
    seller_id: uuid.UUID,
    winner_id: uuid.UUID,
    price_koinu: int,
    escrow_hold_id: uuid.UUID,
    via: str,
    bidder_ids: list[uuid.UUID],
    at: datetime,
) -> None:
    publish(
        "auction.closed",
        AuctionClosedV1(
            listing_id=str(listing_id),
            seller_id=str(seller_id),
            winner_id=str(winner_id),
            price_koinu=str(price_koinu),
            escrow_hold_id=str(escrow_hold_id),
            via=via,
            bidder_ids=[str(bidder) for bidder in bidder_ids],
            closed_at=at,
        ),
    )


def auction_ended_unsold_publish(
    *, listing_id: uuid.UUID, seller_id: uuid.UUID, reason: str, bidder_ids: list[uuid.UUID], at: datetime
) -> None:
    publish(
        "auction.ended_unsold",
        AuctionEndedUnsoldV1(
            listing_id=str(listing_id),
            seller_id=str(seller_id),
            reason=reason,
            bidder_ids=[str(bidder) for bidder in bidder_ids],
            ended_at=at,
        ),
    )


# -- consumed ------------------------------------------------------------------------------------------


class ListingRead(BaseModel):
    listing_id: uuid.UUID
    version: int = 0
    format: str = ""
    status: str = ""
    title: str = ""
    thumbnail_url: str | None = None
    reason: str = ""


class MemberRead(BaseModel):
    user_id: uuid.UUID
    username: str = ""


class MemberIdRead(BaseModel):
    user_id: uuid.UUID


def on_listing_changed(event: Event) -> None:
    from auction_service.auctions.lifecycle import auction_sync_from_listing

    data = event.parse_data(ListingRead)
    if data.format != "auction" or (
        event.detail_type == "listing.ended" and data.reason != "ended_by_seller"
    ):
        return
    auction_sync_from_listing(
        listing_id=data.listing_id,
        version=data.version,
        status=data.status,
        title=data.title,
        photo_url=data.thumbnail_url,
        ended_reason=data.reason if event.detail_type in ("listing.ended", "listing.withdrawn") else "",
        # Ended early by the seller (only possible without bids) or taken down by staff. An end for
        # any other reason (sold, time up) follows our own close: nothing to do.
        removed=event.detail_type == "listing.withdrawn"
        or (event.detail_type == "listing.ended" and data.reason == "ended_by_seller"),
    )


def on_member_named(event: Event) -> None:
    from auction_service.auctions.lifecycle import member_name_set

    data = event.parse_data(MemberRead)
    member_name_set(user_id=data.user_id, username=data.username)


def on_member_suspended(event: Event) -> None:
    from auction_service.auctions.lifecycle import member_suspension_set

    member_suspension_set(user_id=event.parse_data(MemberIdRead).user_id, suspended=True)


def on_member_reinstated(event: Event) -> None:
    from auction_service.auctions.lifecycle import member_suspension_set

    member_suspension_set(user_id=event.parse_data(MemberIdRead).user_id, suspended=False)


HANDLERS: dict[str, Callable[[Event], None]] = {
    "listing.published": on_listing_changed,
    "listing.updated": on_listing_changed,
    "listing.ended": on_listing_changed,
    "listing.withdrawn": on_listing_changed,
    "user.registered": on_member_named,
    "user.profile_updated": on_member_named,
    "user.suspended": on_member_suspended,
    "user.reinstated": on_member_reinstated,
}
