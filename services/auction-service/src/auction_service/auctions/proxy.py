"""Proxy bidding: the rules, as pure functions of the auction's state (no database, no clock).

A bidder sets a maximum; the auction shows the *current price*: the second-highest maximum plus one
increment, capped at the leader's maximum, never below the start price, and raised to the reserve
once the leader's maximum reaches it. Ties go to the earlier maximum. docs/auctions.md has the
rules in words and the increment table.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace

KOINU_PER_DOGE = 100_000_000

# (price below, increment), in koinu: the increment applies while the price is below the bound.
DEFAULT_INCREMENTS: tuple[tuple[int | None, int], ...] = (
    (1 * KOINU_PER_DOGE, 5_000_000),
    (5 * KOINU_PER_DOGE, 25_000_000),
    (25 * KOINU_PER_DOGE, 50_000_000),
    (100 * KOINU_PER_DOGE, 1 * KOINU_PER_DOGE),
    (250 * KOINU_PER_DOGE, 250_000_000),
    (500 * KOINU_PER_DOGE, 5 * KOINU_PER_DOGE),
    (1_000 * KOINU_PER_DOGE, 10 * KOINU_PER_DOGE),
    (2_500 * KOINU_PER_DOGE, 25 * KOINU_PER_DOGE),
    (5_000 * KOINU_PER_DOGE, 50 * KOINU_PER_DOGE),
    (None, 100 * KOINU_PER_DOGE),
)

Increments = Sequence[tuple[int | None, int]]


def increment_for(price_koinu: int, table: Increments = DEFAULT_INCREMENTS) -> int:
    """The bid increment at ``price_koinu``: the first band whose bound is above the price."""
    for bound, step in table:
        if bound is None or price_koinu < bound:
            return step
    return table[-1][1]


def parse_increments(text: str) -> tuple[tuple[int | None, int], ...]:
    """``"100000000:5000000,500000000:25000000,*:10000000000"`` → the table (bounds ascending, last ``*``)."""
    rows: list[tuple[int | None, int]] = []
    for item in text.split(","):
        bound_text, _, step_text = item.strip().partition(":")
        bound = None if bound_text.strip() == "*" else int(bound_text)
        step = int(step_text)
        if step <= 0 or (bound is not None and rows and (rows[-1][0] is None or bound <= (rows[-1][0] or 0))):
            raise ValueError(f"bad increment band {item!r}")
        rows.append((bound, step))
    if not rows or rows[-1][0] is not None:
        raise ValueError("the last increment band must be '*:<increment>'")
    return tuple(rows)


@dataclass(frozen=True)
class State:
    """What the rules need of an auction. ``second_max`` is the highest maximum of anyone but the leader."""

    start_price: int
    reserve: int | None = None
    leader: uuid.UUID | None = None
    leader_max: int | None = None
    second_max: int | None = None
    bid_count: int = 0

    @property
    def has_bids(self) -> bool:
        return self.leader is not None


def current_price(state: State, table: Increments = DEFAULT_INCREMENTS) -> int:
    if state.leader_max is None:
        return state.start_price
    price = state.start_price
    if state.second_max is not None:
        price = max(price, state.second_max + increment_for(state.second_max, table))
    if state.reserve is not None and state.leader_max >= state.reserve:
        price = max(price, state.reserve)
    return min(price, state.leader_max)


def next_minimum(state: State, table: Increments = DEFAULT_INCREMENTS) -> int:
    """The least maximum a newcomer may set: the start price, else the price plus one increment."""
    if not state.has_bids:
        return state.start_price
    price = current_price(state, table)
    return price + increment_for(price, table)


def reserve_status(state: State) -> str:
    if state.reserve is None:
        return "none"
    return "met" if state.leader_max is not None and state.leader_max >= state.reserve else "not_met"


@dataclass(frozen=True)
class Decision:
    accepted: bool
    state: State
    leads: bool = False  # the bidder leads after this bid
    refusal: str = ""  # bid_too_low when not accepted
    minimum: int = 0


def apply_bid(
    state: State, bidder: uuid.UUID, maximum: int, table: Increments = DEFAULT_INCREMENTS
) -> Decision:
    """The auction after ``bidder`` sets ``maximum`` (refused below the minimum; never partly applied).

    The leader may only raise their own maximum (above it). Anyone else needs at least
    :func:`next_minimum`; a maximum above the leader's takes the lead (the old leader's maximum
    becomes the second), one at or below it is outbid at once (ties go to the earlier maximum) and
    raises the second-highest maximum, so the price.
    """
    if state.leader == bidder:
        assert state.leader_max is not None
        if maximum <= state.leader_max:
            return Decision(False, state, refusal="bid_too_low", minimum=state.leader_max + 1)
        return Decision(True, replace(state, leader_max=maximum, bid_count=state.bid_count + 1), leads=True)
    minimum = next_minimum(state, table)
    if maximum < minimum:
        return Decision(False, state, refusal="bid_too_low", minimum=minimum)
    if state.leader_max is None or maximum > state.leader_max:
        new = replace(
            state,
            leader=bidder,
            leader_max=maximum,
            second_max=state.leader_max if state.leader_max is not None else state.second_max,
            bid_count=state.bid_count + 1,
        )
        return Decision(True, new, leads=True)
    second = maximum if state.second_max is None else max(state.second_max, maximum)
    return Decision(True, replace(state, second_max=second, bid_count=state.bid_count + 1), leads=False)


def replay(
    start_price: int,
    reserve: int | None,
    bids: Sequence[tuple[uuid.UUID, int]],
    table: Increments = DEFAULT_INCREMENTS,
) -> State:
    """The state after ``bids`` (bidder, maximum) in order, refused ones skipped (e.g. after a retraction)."""
    state = State(start_price=start_price, reserve=reserve)
    for bidder, maximum in bids:
        decision = apply_bid(state, bidder, maximum, table)
        if decision.accepted:
            state = decision.state
    return state
