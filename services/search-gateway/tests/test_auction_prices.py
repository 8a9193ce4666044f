"""Auctions are found, filtered and sorted by their current price; bids and extensions arrive as the
listing's next version and an older version never brings the old price back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from search_gateway.store import SearchIndex

from .factories import DOGE, NOW, ids, iso, snapshot


def test_an_auction_is_priced_by_its_current_price_and_follows_its_versions(
    put: Callable[..., None], search: Callable[..., Any], index: SearchIndex
) -> None:
    ends = NOW + timedelta(days=2)
    auction = snapshot(
        title="Brass sextant",
        format="auction",
        price_koinu=str(10 * DOGE),
        current_price_koinu=str(10 * DOGE),
        ends_at=iso(ends),
    )
    fixed = snapshot(title="Brass compass", price_koinu=str(30 * DOGE))
    bid = {
        **auction,
        "version": 3,
        "current_price_koinu": str(40 * DOGE),
        "bid_count": 4,
        "ends_at": iso(ends + timedelta(minutes=2)),
    }
    put(auction, fixed, bid, {**auction, "version": 2, "current_price_koinu": str(12 * DOGE), "bid_count": 1})

    [found] = [item for item in search(q="sextant")["data"]]
    assert (found["price_koinu"], found["total_koinu"], found["bid_count"], found["ends_at"]) == (
        str(40 * DOGE),
        str(41 * DOGE),
        4,
        iso(ends + timedelta(minutes=2)),
    )
    assert ids(search(q="brass", price_min="35")) == [auction["listing_id"]]
    assert ids(search(q="brass", price_max="35")) == [fixed["listing_id"]]
    assert ids(search(q="brass", sort="price_shipping_lowest")) == [
        fixed["listing_id"],
        auction["listing_id"],
    ]
    assert ids(search(q="brass", sort="most_bids")) == [auction["listing_id"], fixed["listing_id"]]


def test_a_snapshot_without_the_current_price_uses_its_price(
    put: Callable[..., None], search: Callable[..., Any]
) -> None:
    older = snapshot(
        title="Copper kettle", format="auction", price_koinu=str(7 * DOGE)
    )  # an event before issue 11
    put(older)

    assert search(q="kettle")["data"][0]["price_koinu"] == str(7 * DOGE)
