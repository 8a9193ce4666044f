"""A bidding war: 200 concurrent bids from 20 funded members on one auction, against the real wallet.

The final state equals a serial replay of the accepted bids in commit order (`seq`), every accepted
answer is a stored bid (none lost), the wallet holds exactly one bid hold (the leader's maximum)
once the losers' releases have run, and the ledger sums to zero.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Callable

from django.conf import settings
from django.db import connection

from auction_service.auctions import proxy
from auction_service.auctions.closing import holds_sweep
from auction_service.auctions.models import Auction, Bid, WalletHold

from .conftest import DOGE, Bidder
from .peers import ListingPeer, WalletPeer


def test_two_hundred_concurrent_bids_replay_serially_with_one_hold_per_active_maximum(
    peers: tuple[WalletPeer, ListingPeer],
    member: Callable[..., Bidder],
    open_auction: Callable[..., uuid.UUID],
) -> None:
    wallet, _ = peers
    seller = member()
    bidders = [member(10_000 * DOGE) for _ in range(20)]
    listing_id = open_auction(seller.user_id, start=DOGE)
    accepted: dict[str, int] = {}
    refusals: dict[str, int] = {}
    lock = threading.Lock()
    start = threading.Barrier(len(bidders))

    def war(index: int, bidder: Bidder) -> None:
        rng = random.Random(index)
        start.wait()
        try:
            for step in range(10):
                maximum = (step * 40 + rng.randint(1, 120)) * DOGE + rng.randint(0, DOGE)
                answer = bidder.bid(listing_id, maximum)
                with lock:
                    if answer.status_code == 201:
                        accepted[answer.json()["bid"]["id"]] = maximum
                    else:
                        code = answer.json()["error"]["code"]
                        refusals[code] = refusals.get(code, 0) + 1
        finally:
            connection.close()

    threads = [threading.Thread(target=war, args=(index, bidder)) for index, bidder in enumerate(bidders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert len(accepted) + sum(refusals.values()) == 200
    assert set(refusals) <= {"bid_too_low"}, refusals
    assert len(accepted) >= 10  # a real war: many bids accepted (typically 20-40), the rest too low

    bids = list(Bid.objects.filter(auction_id=listing_id).order_by("seq"))
    assert {str(bid.id): bid.max_amount_koinu for bid in bids} == accepted  # no bid lost, none invented
    assert [bid.seq for bid in bids] == list(range(bids[0].seq, bids[0].seq + len(bids)))
    state = proxy.State(start_price=DOGE)
    for bid in bids:  # the serial replay, in commit order: every bid was accepted and set that price
        decision = proxy.apply_bid(state, bid.bidder_id, bid.max_amount_koinu, settings.AUCTION_INCREMENTS)
        assert decision.accepted, bid.seq
        state = decision.state
        assert bid.amount_koinu == proxy.current_price(state, settings.AUCTION_INCREMENTS)
    auction = Auction.objects.get(pk=listing_id)
    assert (auction.leader_id, auction.leader_max_koinu, auction.second_max_koinu, auction.bid_count) == (
        state.leader,
        state.leader_max,
        state.second_max,
        state.bid_count,
    )
    assert auction.current_price_koinu == proxy.current_price(state, settings.AUCTION_INCREMENTS)

    holds_sweep()  # nothing left over, but a release that failed would be finished here
    assert not WalletHold.objects.filter(listing_id=listing_id, state__in=["placing", "releasing"]).exists()
    ours = {str(bidder.user_id) for bidder in bidders}  # the wallet is shared by the whole test session
    open_holds = {user: rows for user, rows in wallet.open_holds().items() if user in ours}
    held = [
        (user, amount)
        for user, rows in open_holds.items()
        for _, amount, reason in rows
        if reason == "bid_hold"
    ]
    assert held == [(str(auction.leader_id), auction.leader_max_koinu)]
    assert [str(auction.leader_hold_id)] == [hold_id for hold_id, _, _ in open_holds[str(auction.leader_id)]]
    audit = wallet.audit()
    assert (audit["sum"], audit["pending_sum"], audit["findings"]) == (0, 0, [])
