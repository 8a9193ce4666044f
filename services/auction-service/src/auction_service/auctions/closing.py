"""Closing auctions exactly once and on time, and settling every hold with the wallet.

`auctions_close_due` (run by `manage.py run_closer`, several at once if wanted) takes due auctions
one at a time by the indexed `ends_at` with `FOR UPDATE SKIP LOCKED` and decides the outcome in one
short transaction (status, winner, price, events). A closed auction is no longer due, so a late or
repeated run finds nothing to do. The money moves after commit (`auction_settle`), idempotently:
the winner's hold becomes the sale's escrow (a new `order_escrow` hold for the final price that
replaces the bid hold in one wallet step, so the rest is released), every other hold is voided.

`holds_sweep` finishes what a crash interrupted: orphaned holds (recorded ``placing`` long ago, the
bid never committed) are voided, ``releasing`` holds voided, pending escrows made.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from auction_service.auctions import clients, events, live
from auction_service.auctions.bidding import holds_release
from auction_service.auctions.models import Auction, Bid, WalletHold
from dbay_common.errors import ApiError

logger = logging.getLogger(__name__)
H = WalletHold.State


def bidder_ids(listing_id: uuid.UUID) -> list[uuid.UUID]:
    rows = Bid.objects.filter(auction_id=listing_id).order_by("seq").values_list("bidder_id", flat=True)
    return list(dict.fromkeys(rows))


def release_all_but(listing_id: uuid.UUID, keep: uuid.UUID | None) -> None:
    """At the end of an auction every hold but the winner's goes back: the active ones, those of
    requests still in flight (their decision finds them taken and releases them too) and any a void
    once found absent (a late wallet call may have placed it since). Not the winner's own raise in
    flight: it replaced the winning hold, and its refusal makes it the winning hold instead."""
    WalletHold.objects.filter(
        listing_id=listing_id, state__in=[H.ACTIVE, H.PLACING, H.ABSENT], reason="bid_hold"
    ).exclude(hold_id=keep).exclude(
        state=H.PLACING, replaces_hold_id=keep, replaces_hold_id__isnull=False
    ).update(state=H.RELEASING)


def auction_close(auction: Auction, *, now: dt.datetime) -> None:
    """Decide a due auction's outcome (the caller holds its row lock); money moves after commit."""
    bidders = bidder_ids(auction.listing_id)
    auction.closed_at = now
    auction.seq += 1
    if auction.leader_id is None or (
        auction.reserve_price_koinu is not None
        and (auction.leader_max_koinu or 0) < auction.reserve_price_koinu
    ):
        reason = "no_bids" if auction.leader_id is None else "reserve_not_met"
        auction.status = Auction.Status.ENDED_UNSOLD
        auction.close_via = reason
        auction.save()
        release_all_but(auction.listing_id, None)
        events.auction_ended_unsold_publish(
            listing_id=auction.listing_id,
            seller_id=auction.seller_id,
            reason=reason,
            bidder_ids=bidders,
            at=now,
        )
        return
    auction.status = Auction.Status.CLOSED
    auction.close_via = "ended"
    auction.winner_id = auction.leader_id
    auction.final_price_koinu = auction.current_price_koinu
    auction.escrow_hold_id = clients.uuid_for("escrow", auction.listing_id)
    auction.escrow_pending = True
    auction.save()
    release_all_but(auction.listing_id, auction.leader_hold_id)
    events.auction_closed_publish(
        listing_id=auction.listing_id,
        seller_id=auction.seller_id,
        winner_id=auction.leader_id,
        price_koinu=auction.current_price_koinu,
        escrow_hold_id=auction.escrow_hold_id,
        via="ended",
        bidder_ids=bidders,
        at=now,
    )


def auctions_close_due(*, now: dt.datetime | None = None, limit: int = 500) -> list[uuid.UUID]:
    """Close up to ``limit`` auctions whose end has passed; return their ids (then settled)."""
    closed: list[uuid.UUID] = []
    while len(closed) < limit:
        at = now or timezone.now()
        with transaction.atomic():
            auction = (
                Auction.objects.select_for_update(skip_locked=True)
                .filter(status__in=["open", "scheduled"], ends_at__lte=at)
                .order_by("ends_at")
                .first()
            )
            if auction is None:
                break
            auction_close(auction, now=at)
        closed.append(auction.listing_id)
        live.auction_live_write(auction)
    for listing_id in closed:
        auction_settle(listing_id)
    return closed


def escrow_make(listing_id: uuid.UUID) -> bool:
    """Turn the winner's bid hold into the sale's escrow (final price; the rest released). Idempotent."""
    auction = Auction.objects.get(pk=listing_id)
    if not auction.escrow_pending:
        return True
    assert auction.winner_id and auction.escrow_hold_id and auction.final_price_koinu is not None
    reference = {"listing_id": str(listing_id), "sale": "auction"}
    try:
        clients.hold_place(
            hold_id=auction.escrow_hold_id,
            user_id=auction.winner_id,
            amount_koinu=auction.final_price_koinu,
            reason="order_escrow",
            reference=reference,
            replaces_hold_id=auction.leader_hold_id,
        )
    except (ApiError, clients.PeerError) as error:
        logger.warning("escrow for %s not made yet: %r", listing_id, error)
        Auction.objects.filter(pk=listing_id).update(escrow_pending=True)
        return False
    Auction.objects.filter(pk=listing_id).update(escrow_pending=False)
    WalletHold.objects.filter(hold_id=auction.leader_hold_id).update(state=H.ESCROWED)
    return True


def auction_settle(listing_id: uuid.UUID) -> None:
    """After a close: make the escrow, void the other holds (retried by the sweep on failure)."""
    escrow_make(listing_id)
    holds_release(
        list(
            WalletHold.objects.filter(listing_id=listing_id, state=H.RELEASING).values_list(
                "hold_id", flat=True
            )
        )
    )


def _orphan_take(hold: WalletHold) -> None:
    """A ``placing`` hold whose request died: void it, unless it is a raise whose replaced hold the
    wallet already released while that maximum still leads (then it backs the maximum instead)."""
    with transaction.atomic():
        auction = Auction.objects.select_for_update().filter(pk=hold.listing_id).first()
        locked = WalletHold.objects.select_for_update().get(hold_id=hold.hold_id)
        if locked.state != H.PLACING:
            return
        replaced = locked.replaces_hold_id
        if (
            auction is not None
            and replaced is not None
            and auction.leader_hold_id == replaced
            and clients.hold_status(hold_id=locked.hold_id) == "pending"
            and clients.hold_status(hold_id=replaced) != "pending"
        ):
            Auction.objects.filter(pk=auction.pk).update(leader_hold_id=locked.hold_id)
            locked.state = H.ACTIVE
            WalletHold.objects.filter(hold_id=replaced).update(state=H.RELEASED)
        else:
            locked.state = H.RELEASING
        locked.save(update_fields=["state", "updated_at"])


def holds_sweep(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Take orphaned holds, void ``releasing`` ones, make pending escrows; return how many were handled."""
    now = now or timezone.now()
    orphans = WalletHold.objects.filter(
        state=H.PLACING, created_at__lt=now - dt.timedelta(seconds=settings.AUCTION_ORPHAN_HOLD_AFTER_S)
    ).order_by("created_at")[:limit]
    handled = 0
    for hold in list(orphans):
        _orphan_take(hold)
        handled += 1
    releasing = list(
        WalletHold.objects.filter(state=H.RELEASING, updated_at__lt=now - dt.timedelta(seconds=2))
        .order_by("updated_at")
        .values_list("hold_id", flat=True)[:limit]
    )
    WalletHold.objects.filter(hold_id__in=releasing).update(updated_at=now, attempts=F("attempts") + 1)
    holds_release(releasing)
    handled += len(releasing)
    for listing_id in Auction.objects.filter(escrow_pending=True).values_list("listing_id", flat=True)[
        :limit
    ]:
        escrow_make(listing_id)
        handled += 1
    return handled
