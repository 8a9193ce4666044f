"""Placing a bid: hold first (outside the lock), decide under the auction's row lock, release after.

The order, and why (docs/auctions.md, "Funding and ordering"):

1. Cheap checks without a lock (auction open, not the seller, not blocked or suspended, at least
   the minimum) so a hopeless bid never touches the wallet.
2. Write-ahead: a ``WalletHold`` row (state ``placing``) is committed *before* the wallet is called,
   so a crash after the wallet call leaves a record the sweep finds (it voids the orphan).
3. The wallet hold for the whole maximum (id derived from the bid id, itself derived from the
   caller's Idempotency-Key: retries never hold twice). A leader raising their own maximum replaces
   their hold (``replaces_hold_id``). Short funds refuse the bid here: nothing changed.
4. One short transaction: lock the auction row, re-check everything with the server's clock, apply
   the proxy rules (`proxy.apply_bid`), write the bid, move the leader, extend a soft close, emit
   the events. No network call inside it: the hot row is locked for a few milliseconds only.
5. After commit: void the hold that lost (the old leader's, or this bid's if it was outbid at once),
   and write the live view to Redis. A crash here leaves ``releasing`` rows the sweep finishes.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from auction_service.auctions import clients, errors, events, live, proxy, relay
from auction_service.auctions.models import Auction, Bid, WalletHold
from auction_service.testing_hooks import test_pause
from dbay_common.errors import ApiError

H = WalletHold.State
logger = logging.getLogger(__name__)


def state_of(auction: Auction) -> proxy.State:
    return proxy.State(
        start_price=auction.start_price_koinu,
        reserve=auction.reserve_price_koinu,
        leader=auction.leader_id,
        leader_max=auction.leader_max_koinu,
        second_max=auction.second_max_koinu,
        bid_count=auction.bid_count,
    )


def is_running(auction: Auction, now: dt.datetime) -> bool:
    """Taking bids by the server's clock: opened (or scheduled and due) and not yet at its end."""
    return auction.status in ("open", "scheduled") and auction.starts_at <= now < auction.ends_at


def _check_open(auction: Auction, now: dt.datetime) -> None:
    if auction.status in ("open", "scheduled"):
        if now < auction.starts_at:
            raise errors.auction_not_open()
        if now >= auction.ends_at:
            raise errors.auction_ended()
        return
    raise errors.auction_ended()


def _check_bidder(auction: Auction, bidder_id: uuid.UUID) -> None:
    """The seller, a suspended member (our copy of user-service's events) or one the seller blocked
    may not bid. Checked when the bid arrives (one query), not again under the lock."""
    if bidder_id == auction.seller_id:
        raise errors.own_auction()
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT EXISTS (SELECT 1 FROM auctions_member WHERE user_id = %s AND suspended),
                      EXISTS (SELECT 1 FROM auctions_blockedbidder WHERE seller_id = %s AND user_id = %s)""",
            [bidder_id, auction.seller_id, bidder_id],
        )
        suspended, blocked = cursor.fetchone() or (False, False)
    if suspended:
        raise errors.member_suspended()
    if blocked:
        raise errors.bidder_blocked()


def _check_amount(auction: Auction, bidder_id: uuid.UUID, maximum: int) -> None:
    decision = proxy.apply_bid(state_of(auction), bidder_id, maximum, settings.AUCTION_INCREMENTS)
    if not decision.accepted:
        raise errors.bid_too_low(decision.minimum, raise_own=auction.leader_id == bidder_id)


def intent_record(
    *, hold_id: uuid.UUID, listing_id: uuid.UUID, user_id: uuid.UUID, amount: int, replaces: uuid.UUID | None
) -> tuple[str, uuid.UUID | None]:
    """Write the hold's record (``placing``) unless it exists; return its state and replaced hold."""
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO auctions_wallethold (hold_id, listing_id, user_id, amount_koinu, reason,
                   replaces_hold_id, state, attempts, created_at, updated_at)
               VALUES (%s, %s, %s, %s, 'bid_hold', %s, 'placing', 0, now(), now())
               ON CONFLICT (hold_id) DO UPDATE SET hold_id = EXCLUDED.hold_id
               RETURNING state, replaces_hold_id""",
            [hold_id, listing_id, user_id, amount, replaces],
        )
        row = cursor.fetchone()
    assert row is not None
    return str(row[0]), row[1]


@dataclass(frozen=True)
class BidResult:
    bid: Bid
    auction: Auction
    leads: bool
    view: dict[str, Any] = field(default_factory=dict)  # the public Auction view after it


def bid_id_for(*, listing_id: uuid.UUID, bidder_id: uuid.UUID, idempotency_key: str) -> uuid.UUID:
    return clients.uuid_for("bid", listing_id, bidder_id, idempotency_key)


def _replay(bid: Bid) -> BidResult:
    auction = Auction.objects.get(pk=bid.auction_id)
    return BidResult(bid, auction, auction.leader_id == bid.bidder_id, live.auction_view(auction))


def bid_place(
    *, listing_id: uuid.UUID, bidder_id: uuid.UUID, max_amount_koinu: int, idempotency_key: str
) -> BidResult:
    """Place (or raise) ``bidder_id``'s maximum on the auction; see the module docstring for the steps.

    Refusals (nothing changed, any hold made for it released): ``auction_not_found``,
    ``auction_not_open``, ``auction_ended``, ``own_auction``, ``member_suspended``,
    ``bidder_blocked``, ``bid_too_low``, ``insufficient_funds``. The same Idempotency-Key again
    answers the same bid as it is now. Locks the auction row (step 4 only) and this bid's hold row.
    """
    bid_id = bid_id_for(listing_id=listing_id, bidder_id=bidder_id, idempotency_key=idempotency_key)
    existing = Bid.objects.filter(id=bid_id).first()
    if existing is not None:
        return _replay(existing)
    auction = Auction.objects.filter(pk=listing_id).first()
    if auction is None:
        raise errors.auction_not_found()
    _check_open(auction, timezone.now())
    _check_bidder(auction, bidder_id)
    _check_amount(auction, bidder_id, max_amount_koinu)

    hold_id = clients.uuid_for("hold", bid_id)
    replaces = auction.leader_hold_id if auction.leader_id == bidder_id else None
    state, replaces = intent_record(
        hold_id=hold_id, listing_id=listing_id, user_id=bidder_id, amount=max_amount_koinu, replaces=replaces
    )
    if state != H.PLACING:
        # This request was decided (replayed above) or abandoned and swept: its key is spent.
        raise errors.busy()
    test_pause("after_intent")
    reference = {"listing_id": str(listing_id), "bid_id": str(bid_id)}
    try:
        try:
            clients.hold_place(
                hold_id=hold_id,
                user_id=bidder_id,
                amount_koinu=max_amount_koinu,
                reference=reference,
                replaces_hold_id=replaces,
            )
        except clients.PeerError as error:
            if replaces is None or error.code not in clients.RESOLVED_CODES:
                raise
            # The hold this raise meant to replace was released meanwhile (outbid, or closed):
            # this maximum stands on its own hold.
            replaces = None
            WalletHold.objects.filter(hold_id=hold_id).update(replaces_hold_id=None)
            clients.hold_place(
                hold_id=hold_id, user_id=bidder_id, amount_koinu=max_amount_koinu, reference=reference
            )
    except ApiError:
        # Refused by the wallet: no hold exists (a refused id leaves no trace), nothing to release.
        WalletHold.objects.filter(hold_id=hold_id, state=H.PLACING).update(state=H.RELEASED)
        raise
    except clients.PeerError:
        raise errors.busy() from None
    test_pause("after_hold")

    release: list[uuid.UUID] = []
    try:
        result = _decide(
            listing_id=listing_id,
            bid_id=bid_id,
            bidder_id=bidder_id,
            maximum=max_amount_koinu,
            hold_id=hold_id,
            replaces=replaces,
            release=release,
        )
    finally:
        # Runs after the decision's commit (or its refusal's commit): the losing holds go back.
        test_pause("after_commit")
        holds_release(release)
    return replace(result, view=live.auction_live_write(result.auction))


@transaction.atomic
def _refuse(
    *, hold_id: uuid.UUID, replaces: uuid.UUID | None, auction: Auction, bidder_id: uuid.UUID
) -> bool:
    """This bid is refused after its hold exists. Returns True when the hold is to be released.

    A leader's raise has already released their old hold (the wallet replaced it): if the old
    maximum still leads (or won), the new, larger hold keeps backing it instead of being voided.
    """
    intent = WalletHold.objects.get(hold_id=hold_id)
    if intent.state != H.PLACING:
        WalletHold.objects.filter(hold_id=hold_id).update(state=H.RELEASING)
        return True
    if replaces is not None and auction.leader_id == bidder_id and auction.leader_hold_id == replaces:
        Auction.objects.filter(pk=auction.pk).update(leader_hold_id=hold_id)
        WalletHold.objects.filter(hold_id=hold_id).update(state=H.ACTIVE)
        WalletHold.objects.filter(hold_id=replaces).update(state=H.RELEASED)
        return False
    WalletHold.objects.filter(hold_id=hold_id).update(state=H.RELEASING)
    return True


def _decide(
    *,
    listing_id: uuid.UUID,
    bid_id: uuid.UUID,
    bidder_id: uuid.UUID,
    maximum: int,
    hold_id: uuid.UUID,
    replaces: uuid.UUID | None,
    release: list[uuid.UUID],
) -> BidResult:
    refusal: ApiError | None = None
    with transaction.atomic():
        auction, intent_state, first_bid = _lock(listing_id=listing_id, hold_id=hold_id, bidder_id=bidder_id)
        if intent_state != H.PLACING:
            existing = Bid.objects.filter(id=bid_id).first()
            if existing is not None:  # a concurrent duplicate of this request decided first
                return BidResult(bid=existing, auction=auction, leads=auction.leader_id == existing.bidder_id)
        now = timezone.now()
        try:
            if intent_state != H.PLACING:
                # The sweep took this hold for an orphan (the request was too slow): it goes back.
                raise errors.busy()
            _check_open(auction, now)
        except ApiError as error:
            refusal = error
        decision = None
        if refusal is None:
            decision = proxy.apply_bid(state_of(auction), bidder_id, maximum, settings.AUCTION_INCREMENTS)
            if not decision.accepted:
                refusal = errors.bid_too_low(decision.minimum, raise_own=auction.leader_id == bidder_id)
        if refusal is not None or decision is None:
            if _refuse(hold_id=hold_id, replaces=replaces, auction=auction, bidder_id=bidder_id):
                release.append(hold_id)
        else:
            bid = _accept(
                auction, decision, bid_id, bidder_id, maximum, hold_id, replaces, now, release, first_bid
            )
            return BidResult(bid=bid, auction=auction, leads=decision.leads)
    assert refusal is not None
    raise refusal


def _lock(*, listing_id: uuid.UUID, hold_id: uuid.UUID, bidder_id: uuid.UUID) -> tuple[Auction, str, bool]:
    """Lock the auction row and this bid's hold record in one statement (auction first, as the closer
    and the sweep do); also say whether this is the bidder's first bid on it."""
    rows = list(
        Auction.objects.raw(
            """SELECT a.*, h.state AS intent_state,
                      NOT EXISTS (SELECT 1 FROM auctions_bid b WHERE b.auction_id = a.listing_id
                                  AND b.bidder_id = %s) AS first_bid
               FROM auctions_auction a JOIN auctions_wallethold h ON h.hold_id = %s
               WHERE a.listing_id = %s FOR UPDATE OF a, h""",
            [bidder_id, hold_id, listing_id],
        )
    )
    if not rows:
        raise errors.auction_not_found()
    auction = rows[0]
    return auction, str(auction.intent_state), bool(auction.first_bid)  # type: ignore[attr-defined]


# The decision's writes in one statement (the auction row is locked): the bid, the holds' states,
# the outbox rows and the auction. One round trip instead of one per row keeps the lock short.
_DECISION_SQL = """
WITH new_bid AS (
    INSERT INTO auctions_bid (id, auction_id, bidder_id, max_amount_koinu, amount_koinu, hold_id, placed_at,
                              seq, retracted, retracted_reason)
    VALUES (%(bid_id)s, %(listing_id)s, %(bidder_id)s, %(maximum)s, %(price)s, %(hold_id)s, %(now)s,
            %(seq)s, false, '')
), holds AS (
    UPDATE auctions_wallethold AS h SET state = c.state, updated_at = %(now)s
    FROM jsonb_to_recordset(%(holds)s::jsonb) AS c(hold_id uuid, state text)
    WHERE h.hold_id = c.hold_id
), outbox AS (
    INSERT INTO dbay_outbox_event (event_id, source, detail_type, payload, created_at, published_at, attempts,
                                   next_attempt_at, last_error)
    SELECT e.event_id, e.source, e.detail_type, e.payload, %(now)s, NULL, 0, %(now)s, ''
    FROM jsonb_to_recordset(%(events)s::jsonb)
         AS e(event_id uuid, source text, detail_type text, payload jsonb)
)
UPDATE auctions_auction SET status = %(status)s, current_price_koinu = %(price)s, bid_count = %(bid_count)s,
    bidder_count = %(bidder_count)s, leader_id = %(leader_id)s, leader_max_koinu = %(leader_max)s,
    leader_bid_id = %(leader_bid_id)s, leader_hold_id = %(leader_hold_id)s, second_max_koinu = %(second_max)s,
    seq = %(seq)s, buy_it_now_koinu = %(buy_it_now)s, ends_at = %(ends_at)s
WHERE listing_id = %(listing_id)s
"""


def _accept(
    auction: Auction,
    decision: proxy.Decision,
    bid_id: uuid.UUID,
    bidder_id: uuid.UUID,
    maximum: int,
    hold_id: uuid.UUID,
    replaces: uuid.UUID | None,
    now: dt.datetime,
    release: list[uuid.UUID],
    first_bid: bool,
) -> Bid:
    table = settings.AUCTION_INCREMENTS
    before_price = proxy.current_price(state_of(auction), table) if auction.bid_count else None
    previous_leader, previous_hold = auction.leader_id, auction.leader_hold_id
    new = decision.state
    price = proxy.current_price(new, table)
    auction.seq += 1
    holds: dict[uuid.UUID, str] = {}
    if decision.leads:
        if previous_leader is not None and previous_leader != bidder_id and previous_hold is not None:
            holds[previous_hold] = H.RELEASING
            release.append(previous_hold)
        elif previous_leader == bidder_id and previous_hold is not None and previous_hold != hold_id:
            # A raise: the wallet released the old hold when it placed this one (replaces_hold_id);
            # without the replacement (old hold already gone) the old one is released here.
            holds[previous_hold] = H.RELEASED if replaces else H.RELEASING
            if replaces is None:
                release.append(previous_hold)
        auction.leader_id, auction.leader_max_koinu = bidder_id, new.leader_max
        auction.leader_bid_id, auction.leader_hold_id = bid_id, hold_id
        holds[hold_id] = H.ACTIVE
    else:
        holds[hold_id] = H.RELEASING
        release.append(hold_id)
    auction.second_max_koinu = new.second_max
    auction.bid_count = new.bid_count
    auction.bidder_count += int(first_bid)
    auction.current_price_koinu = price
    if auction.status == "scheduled":
        auction.status = "open"
    auction.buy_it_now_koinu = None  # Buy It Now is offered until the first bid
    changed = price != before_price or auction.leader_id != previous_leader
    previous_ends_at = auction.ends_at
    window = dt.timedelta(minutes=auction.soft_close_minutes)
    if changed and auction.ends_at - now < window:
        auction.ends_at = now + window
    with relay.collected() as outbox:
        _decision_events(auction, bid_id, bidder_id, price, previous_leader, previous_ends_at, now, decision)
    with connection.cursor() as cursor:
        cursor.execute(
            _DECISION_SQL,
            {
                "bid_id": bid_id,
                "listing_id": auction.listing_id,
                "bidder_id": bidder_id,
                "maximum": maximum,
                "price": price,
                "hold_id": hold_id,
                "now": now,
                "seq": auction.seq,
                "holds": json.dumps(
                    [{"hold_id": str(key), "state": str(value)} for key, value in holds.items()]
                ),
                "events": relay.outbox_rows_json(outbox),
                "status": auction.status,
                "bid_count": auction.bid_count,
                "bidder_count": auction.bidder_count,
                "leader_id": auction.leader_id,
                "leader_max": auction.leader_max_koinu,
                "leader_bid_id": auction.leader_bid_id,
                "leader_hold_id": auction.leader_hold_id,
                "second_max": auction.second_max_koinu,
                "buy_it_now": auction.buy_it_now_koinu,
                "ends_at": auction.ends_at,
            },
        )
    return Bid(
        id=bid_id,
        auction=auction,
        bidder_id=bidder_id,
        max_amount_koinu=maximum,
        amount_koinu=price,
        hold_id=hold_id,
        placed_at=now,
        seq=auction.seq,
    )


def _decision_events(
    auction: Auction,
    bid_id: uuid.UUID,
    bidder_id: uuid.UUID,
    price: int,
    previous_leader: uuid.UUID | None,
    previous_ends_at: dt.datetime,
    now: dt.datetime,
    decision: proxy.Decision,
) -> None:
    reserve = proxy.reserve_status(decision.state)
    events.bid_placed_publish(
        bid_id=bid_id,
        listing_id=auction.listing_id,
        seller_id=auction.seller_id,
        bidder_id=bidder_id,
        amount_koinu=price,
        bid_count=auction.bid_count,
        leader_id=auction.leader_id or bidder_id,
        previous_leader_id=previous_leader,
        reserve_met=None if reserve == "none" else reserve == "met",
        ends_at=auction.ends_at,
        placed_at=now,
        seq=auction.seq,
    )
    if decision.leads and previous_leader is not None and previous_leader != bidder_id:
        events.bid_outbid_publish(
            listing_id=auction.listing_id,
            title=auction.title,
            bidder_id=previous_leader,
            current_price_koinu=price,
            at=now,
        )
    if auction.ends_at != previous_ends_at:
        events.auction_extended_publish(
            listing_id=auction.listing_id, ends_at=auction.ends_at, previous_ends_at=previous_ends_at, at=now
        )


def holds_release(hold_ids: list[uuid.UUID]) -> None:
    """Void each hold at the wallet and mark it released; a failure is left to the sweep."""
    for hold_id in hold_ids:
        try:
            status = clients.hold_void(hold_id=hold_id)
        except (ApiError, clients.PeerError) as error:
            logger.warning("hold %s not released yet (the sweep retries): %r", hold_id, error)
            WalletHold.objects.filter(hold_id=hold_id).update(attempts=F("attempts") + 1)
            continue
        WalletHold.objects.filter(hold_id=hold_id, state=H.RELEASING).update(
            state=H.ABSENT if status == "absent" else H.RELEASED
        )
