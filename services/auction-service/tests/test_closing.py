"""Closing exactly once (the winner's price into escrow, everything else released), reserve not
met, no bids, Buy It Now, retractions, and auctions stopped by listing-service."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from auction_service.auctions.closing import auctions_close_due, holds_sweep
from auction_service.auctions.lifecycle import auction_sync_from_listing
from auction_service.auctions.models import Auction, Member
from dbay_common.django.outbox.models import OutboxEvent

from .conftest import DOGE, Bidder
from .peers import ListingPeer, WalletPeer

Peers = tuple[WalletPeer, ListingPeer]


def events(detail_type: str, listing_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = OutboxEvent.objects.filter(detail_type=detail_type).order_by("id")
    found = [row.payload["detail"]["data"] for row in rows]
    return [data for data in found if data["listing_id"] == str(listing_id)]


def end_now(listing_id: uuid.UUID) -> None:
    Auction.objects.filter(pk=listing_id).update(ends_at=timezone.now() - dt.timedelta(milliseconds=1))


def test_the_winner_pays_the_final_price_into_escrow_and_everyone_else_is_released_once(
    peers: Peers, member: Callable[..., Bidder], open_auction: Callable[..., uuid.UUID]
) -> None:
    wallet, _ = peers
    seller, ada, bob = member(), member(100 * DOGE), member(100 * DOGE)
    listing_id = open_auction(seller.user_id)
    assert ada.bid(listing_id, 30 * DOGE).status_code == 201
    assert bob.bid(listing_id, 20 * DOGE).status_code == 201
    end_now(listing_id)
    late = bob.bid(listing_id, 50 * DOGE)
    assert (late.status_code, late.json()["error"]["code"]) == (409, "auction_ended")

    assert auctions_close_due() == [listing_id]
    final = 20 * DOGE + 50_000_000
    auction = Auction.objects.get(pk=listing_id)
    assert (auction.status, auction.winner_id, auction.final_price_koinu, auction.escrow_pending) == (
        "closed",
        ada.user_id,
        final,
        False,
    )
    [(hold_id, amount, reason)] = wallet.open_holds()[str(ada.user_id)]
    assert (uuid.UUID(hold_id), amount, reason) == (auction.escrow_hold_id, final, "order_escrow")
    assert wallet.hold(auction.escrow_hold_id)["expires_at"] is None  # waits for the order, never expires
    assert wallet.available(ada.user_id) == 100 * DOGE - final
    assert str(bob.user_id) not in wallet.open_holds() and wallet.available(bob.user_id) == 100 * DOGE
    [closed] = events("auction.closed", listing_id)
    assert (closed["winner_id"], closed["price_koinu"], closed["via"], closed["escrow_hold_id"]) == (
        str(ada.user_id),
        str(final),
        "ended",
        str(auction.escrow_hold_id),
    )
    assert closed["bidder_ids"] == [str(ada.user_id), str(bob.user_id)]

    # A late or repeated run changes nothing.
    assert auctions_close_due() == [] and holds_sweep(now=timezone.now() + dt.timedelta(hours=1)) == 0
    assert len(events("auction.closed", listing_id)) == 1
    assert wallet.open_holds()[str(ada.user_id)] == [(hold_id, final, "order_escrow")]
    view = ada.client.get(f"/api/v1/auctions/{listing_id}").json()
    assert (
        view["status"],
        view["my_status"],
        view["winner_masked_name"],
        view["next_minimum_bid_koinu"],
    ) == ("closed", "won", ada.username[0] + "***" + ada.username[-1], None)
    assert bob.client.get(f"/api/v1/auctions/{listing_id}").json()["my_status"] == "lost"
    mine = bob.client.get("/api/v1/auctions/me/bids?status=lost").json()["data"]
    assert [(row["listing_id"], row["status"], row["my_max_bid_koinu"]) for row in mine] == [
        (str(listing_id), "lost", str(20 * DOGE))
    ]


def test_reserve_not_met_or_no_bids_ends_unsold_with_every_hold_released(
    peers: Peers, member: Callable[..., Bidder], open_auction: Callable[..., uuid.UUID]
) -> None:
    wallet, _ = peers
    seller, ada = member(), member(100 * DOGE)
    reserved = open_auction(seller.user_id, reserve=50 * DOGE)
    empty = open_auction(seller.user_id)
    answer = ada.bid(reserved, 40 * DOGE)
    assert answer.json()["auction"]["reserve"] == "not_met"
    end_now(reserved)
    end_now(empty)
    assert sorted(auctions_close_due()) == sorted([reserved, empty])
    assert Auction.objects.get(pk=reserved).status == "ended_unsold"
    assert [event["reason"] for event in events("auction.ended_unsold", reserved)] == ["reserve_not_met"]
    assert [event["reason"] for event in events("auction.ended_unsold", empty)] == ["no_bids"]
    assert str(ada.user_id) not in wallet.open_holds() and wallet.available(ada.user_id) == 100 * DOGE


def test_buy_it_now_until_the_first_bid(
    peers: Peers, member: Callable[..., Bidder], open_auction: Callable[..., uuid.UUID]
) -> None:
    wallet, _ = peers
    seller, ada, bob = member(), member(100 * DOGE), member(100 * DOGE)
    listing_id = open_auction(seller.user_id, buy_it_now=60 * DOGE)
    bid_first = open_auction(seller.user_id, buy_it_now=60 * DOGE)
    url = f"/api/v1/auctions/{listing_id}/buy-it-now"
    bought = ada.client.post(url, headers={"Idempotency-Key": "bin-1"})
    assert bought.status_code == 201, bought.content
    assert (bought.json()["status"], bought.json()["my_status"], bought.json()["buy_it_now_koinu"]) == (
        "closed",
        "won",
        None,
    )
    again = ada.client.post(url, headers={"Idempotency-Key": "bin-1"})
    assert again.status_code == 201
    assert wallet.open_holds()[str(ada.user_id)] == [
        (str(Auction.objects.get(pk=listing_id).escrow_hold_id), 60 * DOGE, "order_escrow")
    ]
    assert [event["via"] for event in events("auction.closed", listing_id)] == ["buy_it_now"]
    late = bob.client.post(url, headers={"Idempotency-Key": "bin-2"})
    assert (late.status_code, late.json()["error"]["code"]) == (409, "auction_ended")

    assert bob.bid(bid_first, 2 * DOGE).json()["auction"]["buy_it_now_koinu"] is None
    gone = ada.client.post(f"/api/v1/auctions/{bid_first}/buy-it-now", headers={"Idempotency-Key": "bin-3"})
    assert (gone.status_code, gone.json()["error"]["code"]) == (409, "buy_it_now_unavailable")
    assert len(wallet.open_holds()[str(ada.user_id)]) == 1


def test_a_leader_retracts_and_the_runner_up_leads_on_a_fresh_hold(
    peers: Peers, member: Callable[..., Bidder], open_auction: Callable[..., uuid.UUID]
) -> None:
    wallet, _ = peers
    seller, ada, bob = member(), member(100 * DOGE), member(100 * DOGE)
    listing_id = open_auction(seller.user_id)
    assert bob.bid(listing_id, 20 * DOGE).status_code == 201
    wrong = ada.bid(listing_id, 90 * DOGE)
    assert wrong.json()["outcome"] == "leading"
    retracted = ada.client.post(
        f"/api/v1/auctions/{listing_id}/bids/{wrong.json()['bid']['id']}/retract",
        {"reason": "typed one zero too many"},
        content_type="application/json",
    )
    assert retracted.status_code == 200, retracted.content
    assert (retracted.json()["leader"]["masked_name"], retracted.json()["current_price_koinu"]) == (
        bob.username[0] + "***" + bob.username[-1],
        str(DOGE),
    )
    assert str(ada.user_id) not in wallet.open_holds()
    assert [amount for _, amount, _ in wallet.open_holds()[str(bob.user_id)]] == [20 * DOGE]
    assert Member.objects.get(user_id=ada.user_id).retraction_count == 1
    history = bob.client.get(f"/api/v1/auctions/{listing_id}/bids").json()["data"]
    assert [row["retracted"] for row in history] == [True, False]

    Auction.objects.filter(pk=listing_id).update(ends_at=timezone.now() + dt.timedelta(hours=11))
    late = ada.bid(listing_id, 30 * DOGE)
    too_late = ada.client.post(
        f"/api/v1/auctions/{listing_id}/bids/{late.json()['bid']['id']}/retract",
        {"reason": "changed my mind"},
        content_type="application/json",
    )
    assert (too_late.status_code, too_late.json()["error"]["code"]) == (409, "retraction_too_late")


def test_a_listing_taken_down_cancels_the_auction_and_releases_every_hold(
    peers: Peers, member: Callable[..., Bidder], open_auction: Callable[..., uuid.UUID]
) -> None:
    wallet, _ = peers
    seller, ada = member(), member(100 * DOGE)
    listing_id = open_auction(seller.user_id)
    assert ada.bid(listing_id, 10 * DOGE).status_code == 201
    auction_sync_from_listing(
        listing_id=listing_id,
        version=3,
        status="withdrawn",
        title="",
        photo_url=None,
        ended_reason="",
        removed=True,
    )
    assert Auction.objects.get(pk=listing_id).status == "cancelled"
    assert str(ada.user_id) not in wallet.open_holds()
    assert auctions_close_due() == []


def test_run_closer_once_closes_what_is_due_and_the_listing_events_open_and_stop_auctions(
    peers: Peers, member: Callable[..., Bidder]
) -> None:
    from django.core.management import call_command

    from auction_service.auctions.events import HANDLERS
    from dbay_common.events.envelope import Event

    _, listing_peer = peers
    seller, ada = member(), member(100 * DOGE)
    opened, stopped = uuid.uuid4(), uuid.uuid4()
    now = timezone.now()
    for listing_id in (opened, stopped):
        listing_peer.terms[str(listing_id)] = {
            "listing_id": str(listing_id),
            "seller_id": str(seller.user_id),
            "format": "auction",
            "status": "active",
            "start_price_koinu": str(DOGE),
            "reserve_price_koinu": None,
            "buy_it_now_koinu": None,
            "starts_at": now.isoformat(),
            "ends_at": (now + dt.timedelta(days=1)).isoformat(),
            "soft_close_minutes": 3,
        }

    def handle(detail_type: str, listing_id: uuid.UUID, **extra: Any) -> None:
        data = {
            "listing_id": str(listing_id),
            "version": 1,
            "format": "auction",
            "status": "active",
            "title": "Lamp",
            "thumbnail_url": None,
            **extra,
        }
        event = Event.new(source="dbay.listing", detail_type=detail_type, data=data)
        HANDLERS[detail_type](event)

    handle("listing.published", opened)
    handle("listing.published", stopped)
    auction = Auction.objects.get(pk=opened)
    assert (auction.status, auction.soft_close_minutes, auction.title, auction.seller_id) == (
        "open",
        3,
        "Lamp",
        seller.user_id,
    )
    assert listing_peer.authorizations[-1].startswith("Bearer ")  # a service token
    assert ada.bid(stopped, 2 * DOGE).status_code == 201
    handle("listing.ended", stopped, reason="duration_elapsed")  # our own close decides: ignored
    assert Auction.objects.get(pk=stopped).status == "open"
    handle("listing.ended", stopped, reason="ended_by_seller")
    assert Auction.objects.get(pk=stopped).status == "cancelled"
    assert str(ada.user_id) not in peers[0].open_holds()

    assert ada.bid(opened, 5 * DOGE).status_code == 201
    end_now(opened)
    call_command("run_closer", "--once")
    assert Auction.objects.get(pk=opened).status == "closed"
    assert [event["winner_id"] for event in events("auction.closed", opened)] == [str(ada.user_id)]
