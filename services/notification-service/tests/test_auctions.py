"""Auction events → the live ``auction.updated`` on the listing's topic, ``wallet.updated`` to the
bidders whose holds changed, and the bidding notifications naming the item (its title from the
listing events), against the real FerretDB and Redis."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from dbay_common.events.envelope import Event
from notification_service.auctions import masked_name
from notification_service.db import NOTIFICATIONS, RECIPIENTS
from notification_service.events import HANDLERS

Make = Callable[[str, dict[str, Any]], Event]
Frames = Callable[[str], list[dict[str, Any]]]
TITLE = "Canon EOS 5D Mark IV body"


def handle(event: Event) -> None:
    HANDLERS[event.detail_type](event)


@pytest.fixture
def people(db: Any) -> dict[str, str]:
    """A seller and two bidders in the directory, by username."""
    ids = {}
    for username in ("sam_seller", "doge_fan", "kabosu"):
        ids[username] = str(uuid.uuid4())
        db[RECIPIENTS].insert_one(
            {
                "_id": ids[username],
                "username": username,
                "display_name": "",
                "email": "",
                "email_verified": False,
            }
        )
    return ids


def _bid(
    listing_id: str, seller: str, bidder: str, *, seq: int, amount: str, leader: str, **extra: Any
) -> dict[str, Any]:
    return {
        "bid_id": str(uuid.uuid4()),
        "listing_id": listing_id,
        "seller_id": seller,
        "bidder_id": bidder,
        "amount_koinu": amount,
        "bid_count": seq,
        "leader_id": leader,
        "previous_leader_id": None,
        "reserve_met": False,
        "ends_at": "2026-12-14T18:00:00Z",
        "placed_at": f"2026-12-14T17:0{seq}:00Z",
        "seq": seq,
        **extra,
    }


def _auction_frames(frames: Frames, listing_id: str) -> list[dict[str, Any]]:
    return [f["data"] for f in frames(f"listing:{listing_id}") if f["event"] == "auction.updated"]


def _wallet_frames(frames: Frames, user_id: str) -> list[dict[str, Any]]:
    return [f["data"] for f in frames(f"user:{user_id}") if f["event"] == "wallet.updated"]


def test_masked_names() -> None:
    assert [masked_name(n) for n in ("doge_fan", "ab", "x", "", None)] == [
        "d***n",
        "a***b",
        "x***x",
        None,
        None,
    ]


def test_a_bidding_war_goes_live_and_tells_the_outbid_bidder(
    db: Any, event: Make, frames: Frames, people: dict[str, str]
) -> None:
    listing_id = str(uuid.uuid4())
    seller, ada, bob = people["sam_seller"], people["doge_fan"], people["kabosu"]
    handle(
        event(
            "listing.published",
            {
                "listing_id": listing_id,
                "version": 2,
                "seller_id": seller,
                "status": "active",
                "title": TITLE,
                "has_reserve": True,
                "price_koinu": "10000000000",
                "current_price_koinu": "10000000000",
                "ends_at": "2026-12-14T18:00:00Z",
            },
        )
    )
    first = event("bid.placed", _bid(listing_id, seller, ada, seq=1, amount="10000000000", leader=ada))
    handle(first)
    handle(
        event(
            "bid.placed",
            _bid(
                listing_id,
                seller,
                bob,
                seq=2,
                amount="15000000000",
                leader=bob,
                previous_leader_id=ada,
                reserve_met=True,
                ends_at="2026-12-14T18:01:00Z",
            ),
        )
    )
    handle(
        event(
            "bid.outbid",
            {
                "listing_id": listing_id,
                "bidder_id": ada,
                "current_price_koinu": "15000000000",
                "outbid_at": "2026-12-14T17:02:00Z",
            },
        )
    )
    handle(first)  # redelivered after the newer bid: the state stays the newer one
    handle(
        event(
            "auction.extended",
            {
                "listing_id": listing_id,
                "ends_at": "2026-12-14T18:03:00Z",
                "previous_ends_at": "2026-12-14T18:01:00Z",
                "extended_at": "2026-12-14T17:58:00Z",
            },
        )
    )

    leading_bob = {
        "listing_id": listing_id,
        "current_price_koinu": "15000000000",
        "bid_count": 2,
        "leader_masked_name": "k***u",
        "reserve": "met",
        "ends_at": "2026-12-14T18:01:00Z",
        "status": "open",
        "last_bid": {
            "masked_name": "k***u",
            "amount_koinu": "15000000000",
            "placed_at": "2026-12-14T17:02:00Z",
        },
    }
    assert _auction_frames(frames, listing_id) == [
        {
            "listing_id": listing_id,
            "current_price_koinu": "10000000000",
            "bid_count": 1,
            "leader_masked_name": "d***n",
            "reserve": "not_met",
            "ends_at": "2026-12-14T18:00:00Z",
            "status": "open",
            "last_bid": {
                "masked_name": "d***n",
                "amount_koinu": "10000000000",
                "placed_at": "2026-12-14T17:01:00Z",
            },
        },
        leading_bob,
        leading_bob,
        {**leading_bob, "ends_at": "2026-12-14T18:03:00Z"},
    ]
    assert _wallet_frames(frames, ada) == [
        {"cause": "bid.placed", "listing_id": listing_id},
        {"cause": "bid.outbid", "listing_id": listing_id},
        {"cause": "bid.placed", "listing_id": listing_id},
    ]
    assert _wallet_frames(frames, bob) == [{"cause": "bid.placed", "listing_id": listing_id}]
    bidders = {"user_id": {"$in": [ada, bob]}}
    assert [(n["user_id"], n["type"], n["title"]) for n in db[NOTIFICATIONS].find(bidders, {"_id": 0})] == [
        (ada, "bid.outbid", f"You've been outbid on “{TITLE}”")
    ]


def test_the_close_goes_live_and_tells_winner_losers_and_seller_once(
    db: Any, event: Make, frames: Frames, people: dict[str, str]
) -> None:
    listing_id = str(uuid.uuid4())
    seller, ada, bob = people["sam_seller"], people["doge_fan"], people["kabosu"]
    snapshot = {
        "listing_id": listing_id,
        "version": 3,
        "seller_id": seller,
        "status": "active",
        "title": TITLE,
        "has_reserve": False,
        "price_koinu": "10000000000",
        "ends_at": "2026-12-14T18:00:00Z",
    }
    handle(event("listing.updated", snapshot))
    handle(
        event(
            "bid.placed",
            _bid(listing_id, seller, bob, seq=4, amount="13000000000", leader=bob, reserve_met=None),
        )
    )
    close = event(
        "auction.closed",
        {
            "listing_id": listing_id,
            "seller_id": seller,
            "winner_id": bob,
            "price_koinu": "13000000000",
            "escrow_hold_id": str(uuid.uuid4()),
            "via": "ended",
            "bidder_ids": [ada, bob],
            "closed_at": "2026-12-14T18:00:01Z",
        },
    )
    handle(close)
    handle(close)  # redelivered: nothing twice but the live messages (at least once)
    handle(event("listing.ended", {**snapshot, "version": 5, "status": "sold", "reason": "sold"}))

    assert _auction_frames(frames, listing_id)[-1] == {
        "listing_id": listing_id,
        "current_price_koinu": "13000000000",
        "bid_count": 4,
        "leader_masked_name": "k***u",
        "reserve": "none",
        "ends_at": "2026-12-14T18:00:00Z",
        "status": "closed",
        "last_bid": {
            "masked_name": "k***u",
            "amount_koinu": "13000000000",
            "placed_at": "2026-12-14T17:04:00Z",
        },
    }
    assert _wallet_frames(frames, ada)[-1] == {"cause": "auction.closed", "listing_id": listing_id}
    notices = sorted((n["type"], n["user_id"], n["title"], n["body"]) for n in db[NOTIFICATIONS].find({}))
    assert notices == sorted(
        [
            (
                "auction.won",
                bob,
                f"You won “{TITLE}”",
                "You won the auction for 130 DOGE. The 130 DOGE is held in escrow from your wallet until "
                "the sale is complete; anything you had held above it is available again.",
            ),
            (
                "auction.lost",
                ada,
                f"Auction ended: “{TITLE}”",
                f"Another bidder won “{TITLE}” for 130 DOGE. The money held for your bid is available again.",
            ),
            (
                "auction.sold",
                seller,
                f"Sold: “{TITLE}” for 130 DOGE",
                f"“{TITLE}” sold at the end of the auction for 130 DOGE. The buyer's 130 DOGE is held in "
                "escrow until the sale is complete.",
            ),
        ]
    )  # and no "Your listing has ended" beside "Sold"
