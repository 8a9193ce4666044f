"""Bids against the real wallet-service: holds for every active maximum, outbid holds released,
refusals that change nothing, soft close, idempotent retries."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from django.utils import timezone

from auction_service.auctions.models import Auction, Bid, BlockedBidder, Member, WalletHold

from .conftest import DOGE, Bidder
from .peers import ListingPeer, WalletPeer

Peers = tuple[WalletPeer, ListingPeer]


def bid_holds(wallet: WalletPeer, user_id: uuid.UUID) -> list[int]:
    return sorted(
        amount for _, amount, reason in wallet.open_holds().get(str(user_id), []) if reason == "bid_hold"
    )


def test_a_bid_holds_the_maximum_and_being_outbid_releases_it(
    peers: Peers, member: Callable[..., Bidder], open_auction: Callable[..., uuid.UUID]
) -> None:
    wallet, _ = peers
    seller, ada, bob = member(), member(100 * DOGE, username="dogefan"), member(100 * DOGE)
    listing_id = open_auction(seller.user_id, start=DOGE)

    first = ada.bid(listing_id, 10 * DOGE)
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["outcome"], body["auction"]["current_price_koinu"], body["auction"]["bid_count"]) == (
        "leading",
        str(DOGE),
        1,
    )
    assert body["auction"]["leader"] == {"masked_name": "d***n", "feedback_score": None}
    assert body["auction"]["my_max_bid_koinu"] == str(10 * DOGE)
    assert bid_holds(wallet, ada.user_id) == [10 * DOGE]
    assert wallet.available(ada.user_id) == 90 * DOGE

    second = bob.bid(listing_id, 20 * DOGE)
    assert second.status_code == 201, second.content
    # 10 DOGE + the 10-25 DOGE band's increment (0.5 DOGE)
    assert second.json()["auction"]["current_price_koinu"] == str(10 * DOGE + 50_000_000)
    assert second.json()["outcome"] == "leading"
    assert bid_holds(wallet, ada.user_id) == []
    assert wallet.available(ada.user_id) == 100 * DOGE
    assert bid_holds(wallet, bob.user_id) == [20 * DOGE]

    # Below bob's maximum: accepted, outbid at once, its hold released; the price rises to it + 1 increment.
    third = ada.bid(listing_id, 15 * DOGE)
    assert third.status_code == 201, third.content
    assert (third.json()["outcome"], third.json()["auction"]["current_price_koinu"]) == (
        "outbid",
        str(15 * DOGE + 50_000_000),
    )
    assert third.json()["auction"]["my_status"] == "outbid"
    assert bid_holds(wallet, ada.user_id) == []
    history = ada.client.get(f"/api/v1/auctions/{listing_id}/bids").json()["data"]
    assert [row["amount_koinu"] for row in history] == [
        str(15 * DOGE + 50_000_000),
        str(10 * DOGE + 50_000_000),
        str(DOGE),
    ]
    assert "max_amount_koinu" not in history[0]
    assert WalletHold.objects.filter(listing_id=listing_id, state="active").count() == 1


def test_raising_a_leading_maximum_replaces_its_hold(
    peers: Peers, member: Callable[..., Bidder], open_auction: Callable[..., uuid.UUID]
) -> None:
    wallet, _ = peers
    seller, ada = member(), member(50 * DOGE)
    listing_id = open_auction(seller.user_id)
    assert ada.bid(listing_id, 10 * DOGE).status_code == 201
    raised = ada.bid(listing_id, 40 * DOGE)  # needs 40 available after releasing the 10: not 50
    assert raised.status_code == 201, raised.content
    assert bid_holds(wallet, ada.user_id) == [40 * DOGE]
    assert wallet.available(ada.user_id) == 10 * DOGE
    lower = ada.bid(listing_id, 30 * DOGE)
    assert (lower.status_code, lower.json()["error"]["code"]) == (400, "bid_too_low")
    assert bid_holds(wallet, ada.user_id) == [40 * DOGE]


def test_short_funds_refuse_the_bid_and_change_nothing(
    peers: Peers, member: Callable[..., Bidder], open_auction: Callable[..., uuid.UUID]
) -> None:
    wallet, _ = peers
    seller, ada, bob = member(), member(10 * DOGE), member(5 * DOGE)
    listing_id = open_auction(seller.user_id)
    assert ada.bid(listing_id, 8 * DOGE).status_code == 201
    refused = bob.bid(listing_id, 9 * DOGE)
    assert (refused.status_code, refused.json()["error"]["code"]) == (400, "insufficient_funds")
    assert "available balance" in refused.json()["error"]["message"]
    auction = Auction.objects.get(pk=listing_id)
    assert (auction.bid_count, auction.leader_id, auction.current_price_koinu) == (1, ada.user_id, DOGE)
    assert bid_holds(wallet, bob.user_id) == [] and wallet.available(bob.user_id) == 5 * DOGE
    assert not Bid.objects.filter(bidder_id=bob.user_id).exists()


def test_the_same_idempotency_key_is_the_same_bid(
    peers: Peers, member: Callable[..., Bidder], open_auction: Callable[..., uuid.UUID]
) -> None:
    wallet, _ = peers
    seller, ada = member(), member(30 * DOGE)
    listing_id = open_auction(seller.user_id)
    first = ada.bid(listing_id, 10 * DOGE, key="k-1")
    again = ada.bid(listing_id, 10 * DOGE, key="k-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["bid"]["id"] == again.json()["bid"]["id"]
    assert Bid.objects.filter(auction_id=listing_id).count() == 1
    assert bid_holds(wallet, ada.user_id) == [10 * DOGE]
    missing = ada.client.post(
        f"/api/v1/auctions/{listing_id}/bids", {"max_amount_koinu": "100"}, content_type="application/json"
    )
    assert (missing.status_code, missing.json()["error"]["code"]) == (400, "required")


def test_who_may_not_bid(
    peers: Peers, member: Callable[..., Bidder], open_auction: Callable[..., uuid.UUID]
) -> None:
    wallet, _ = peers
    seller, ada = member(10 * DOGE), member(10 * DOGE)
    listing_id = open_auction(seller.user_id, start=2 * DOGE)

    def refused(bidder: Bidder, koinu: int = 3 * DOGE) -> tuple[int, str]:
        answer = bidder.bid(listing_id, koinu)
        return answer.status_code, answer.json()["error"]["code"]

    assert refused(seller) == (403, "own_auction")
    assert refused(member(10 * DOGE, verified=False)) == (403, "email_unverified")
    assert refused(ada, DOGE) == (400, "bid_too_low")
    Member.objects.filter(user_id=ada.user_id).update(suspended=True)
    assert refused(ada) == (403, "member_suspended")
    Member.objects.filter(user_id=ada.user_id).update(suspended=False)
    BlockedBidder.objects.create(seller_id=seller.user_id, user_id=ada.user_id)
    assert refused(ada) == (403, "bidder_blocked")
    later = open_auction(seller.user_id, starts_in=dt.timedelta(hours=1))
    answer = member(10 * DOGE).bid(later, 3 * DOGE)
    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "auction_not_open")
    Auction.objects.filter(pk=listing_id).update(ends_at=timezone.now() - dt.timedelta(seconds=1))
    BlockedBidder.objects.all().delete()
    assert refused(ada) == (409, "auction_ended")
    assert wallet.open_holds().get(str(ada.user_id)) is None
    assert not Bid.objects.exists()


def test_seller_blocks_and_unblocks_through_the_api(
    peers: Peers, member: Callable[..., Bidder], open_auction: Callable[..., uuid.UUID]
) -> None:
    seller, ada = member(), member(10 * DOGE)
    listing_id = open_auction(seller.user_id)
    url = f"/api/v1/auctions/{listing_id}/blocked-bidders"
    not_seller = ada.client.post(url, {"user_id": str(seller.user_id)}, content_type="application/json")
    assert (not_seller.status_code, not_seller.json()["error"]["code"]) == (403, "not_seller")
    assert (
        seller.client.post(url, {"user_id": str(ada.user_id)}, content_type="application/json").status_code
        == 204
    )
    assert ada.bid(listing_id, 2 * DOGE).json()["error"]["code"] == "bidder_blocked"
    assert seller.client.delete(f"{url}/{ada.user_id}").status_code == 204
    assert ada.bid(listing_id, 2 * DOGE).status_code == 201


def test_soft_close_extends_only_for_a_bid_that_changes_the_price_or_leader(
    peers: Peers, member: Callable[..., Bidder], open_auction: Callable[..., uuid.UUID]
) -> None:
    seller, ada, bob = member(), member(50 * DOGE), member(50 * DOGE)
    listing_id = open_auction(seller.user_id, ends_in=dt.timedelta(days=1))
    assert ada.bid(listing_id, 10 * DOGE).status_code == 201
    ends_at = timezone.now() + dt.timedelta(seconds=60)
    Auction.objects.filter(pk=listing_id).update(ends_at=ends_at)
    # The leader raising their own maximum changes neither the price nor the leader: no extension.
    assert ada.bid(listing_id, 12 * DOGE).status_code == 201
    assert Auction.objects.get(pk=listing_id).ends_at == ends_at
    before = timezone.now()
    answer = bob.bid(listing_id, 5 * DOGE)  # outbid at once, but the price moves: extended
    assert answer.status_code == 201
    auction = Auction.objects.get(pk=listing_id)
    assert before + dt.timedelta(minutes=2) <= auction.ends_at <= timezone.now() + dt.timedelta(minutes=2)
    assert answer.json()["auction"]["extended"] is True
