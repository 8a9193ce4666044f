"""The proxy-bidding rules (`proxy.apply_bid`) against a simple model, on random bid sequences.

The model knows nothing of increments' history: each bidder's maximum is their highest accepted one
(stamped with when it was set), the leader is the highest maximum (earliest on a tie), the price is
the runner-up's maximum plus one increment, at least the start price, raised to the reserve once the
leader's maximum reaches it, never above the leader's maximum.
"""

from __future__ import annotations

import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from auction_service.auctions import proxy

DOGE = proxy.KOINU_PER_DOGE
BIDDERS = [uuid.UUID(int=number) for number in range(1, 6)]


def model(
    start: int, reserve: int | None, accepted: list[tuple[uuid.UUID, int]]
) -> tuple[uuid.UUID | None, int]:
    best: dict[uuid.UUID, tuple[int, int]] = {}
    for order, (bidder, maximum) in enumerate(accepted):
        if bidder not in best or maximum > best[bidder][0]:
            best[bidder] = (maximum, order)
    if not best:
        return None, start
    leader = min(best, key=lambda bidder: (-best[bidder][0], best[bidder][1]))
    leader_max = best[leader][0]
    others = [maximum for bidder, (maximum, _) in best.items() if bidder != leader]
    price = start
    if others:
        runner_up = max(others)
        price = max(price, runner_up + proxy.increment_for(runner_up))
    if reserve is not None and leader_max >= reserve:
        price = max(price, reserve)
    return leader, min(price, leader_max)


@settings(max_examples=400, deadline=None)
@given(
    start=st.integers(min_value=1, max_value=3000 * DOGE),
    reserve=st.one_of(st.none(), st.integers(min_value=1, max_value=6000 * DOGE)),
    bids=st.lists(
        st.tuples(st.sampled_from(BIDDERS), st.integers(min_value=1, max_value=8000 * DOGE)), max_size=30
    ),
)
def test_the_engine_agrees_with_the_model_after_every_bid(
    start: int, reserve: int | None, bids: list[tuple[uuid.UUID, int]]
) -> None:
    state = proxy.State(start_price=start, reserve=reserve)
    accepted: list[tuple[uuid.UUID, int]] = []
    for bidder, maximum in bids:
        before_price = proxy.current_price(state)
        minimum = (
            state.leader_max + 1
            if state.leader == bidder and state.leader_max is not None
            else proxy.next_minimum(state)
        )
        decision = proxy.apply_bid(state, bidder, maximum)
        assert decision.accepted == (maximum >= minimum)
        if not decision.accepted:
            assert decision.state == state and decision.minimum == minimum
            continue
        accepted.append((bidder, maximum))
        state = decision.state
        leader, price = model(start, reserve, accepted)
        assert (state.leader, proxy.current_price(state)) == (leader, price)
        assert proxy.current_price(state) >= before_price  # the price never goes down
        assert decision.leads == (state.leader == bidder)
        assert state.bid_count == len(accepted)
    assert proxy.replay(start, reserve, bids) == state


def test_increments_follow_the_price_bands() -> None:
    assert [
        proxy.increment_for(price) for price in (0, DOGE - 1, DOGE, 99 * DOGE, 100 * DOGE, 10**6 * DOGE)
    ] == [
        5_000_000,
        5_000_000,
        25_000_000,
        DOGE,
        250_000_000,
        100 * DOGE,
    ]
    assert proxy.parse_increments("100:5,*:10") == ((100, 5), (None, 10))


def test_a_tie_goes_to_the_earlier_maximum_at_that_price() -> None:
    a, b = BIDDERS[:2]
    state = proxy.replay(DOGE, None, [(a, 10 * DOGE), (b, 10 * DOGE)])
    assert (state.leader, proxy.current_price(state)) == (a, 10 * DOGE)


def test_the_leader_alone_pays_the_start_price_or_the_reserve_once_met() -> None:
    a = BIDDERS[0]
    assert proxy.current_price(proxy.replay(DOGE, None, [(a, 50 * DOGE)])) == DOGE
    assert proxy.current_price(proxy.replay(DOGE, 20 * DOGE, [(a, 50 * DOGE)])) == 20 * DOGE
    assert proxy.reserve_status(proxy.replay(DOGE, 80 * DOGE, [(a, 50 * DOGE)])) == "not_met"
