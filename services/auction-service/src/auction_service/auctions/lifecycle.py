"""Everything around the bids: auctions opened from listing events, members, Buy It Now, retractions,
seller blocks. Bids themselves are in `bidding.py`, closing in `closing.py`."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from auction_service.auctions import clients, errors, events, live, proxy
from auction_service.auctions.bidding import _check_bidder, _check_open, holds_release, state_of
from auction_service.auctions.closing import auction_settle, release_all_but
from auction_service.auctions.models import Auction, Bid, BlockedBidder, Member, WalletHold
from dbay_common.errors import ApiError, Conflict, PermissionDenied

H = WalletHold.State


def _when(value: object) -> dt.datetime:
    parsed = parse_datetime(str(value))
    if parsed is None:
        raise ValueError(f"not a date-time: {value!r}")
    return parsed


def _optional(value: object) -> int | None:
    return None if value in (None, "") else int(str(value))


def auction_sync_from_listing(
    *,
    listing_id: uuid.UUID,
    version: int,
    status: str,
    title: str,
    photo_url: str | None,
    ended_reason: str,
    removed: bool,
) -> None:
    """Follow listing-service: open (or schedule) the auction on publish, keep its terms while it has
    no bids, cancel it (voiding every hold) when the listing is ended early or taken down.

    Terms come from listing-service's internal ``auction-terms`` (the hidden reserve never travels in
    a public event). Versions only move forward: an older event changes nothing.
    """
    if removed:
        auction_cancel(listing_id=listing_id)
        return
    if status not in ("active", "scheduled"):
        return
    terms = clients.auction_terms(listing_id)
    if terms.get("format") != "auction":
        return
    start_price = int(terms["start_price_koinu"])
    fields = {
        "seller_id": uuid.UUID(str(terms["seller_id"])),
        "title": title,
        "photo_url": photo_url,
        "reserve_price_koinu": _optional(terms.get("reserve_price_koinu")),
        "buy_it_now_koinu": _optional(terms.get("buy_it_now_koinu")),
        "starts_at": _when(terms["starts_at"]),
        "ends_at": _when(terms["ends_at"]),
        "original_ends_at": _when(terms["ends_at"]),
        "soft_close_minutes": int(terms.get("soft_close_minutes") or settings.AUCTION_SOFT_CLOSE_MINUTES),
        "start_price_koinu": start_price,
    }
    with transaction.atomic():
        auction = Auction.objects.select_for_update().filter(pk=listing_id).first()
        if auction is None:
            auction = Auction.objects.create(
                listing_id=listing_id,
                status="scheduled" if status == "scheduled" else "open",
                current_price_koinu=start_price,
                listing_version=version,
                **fields,
            )
        else:
            if version <= auction.listing_version or auction.status not in ("open", "scheduled"):
                return
            auction.listing_version = version
            auction.title, auction.photo_url = title, photo_url
            if auction.bid_count == 0:
                for name, value in fields.items():
                    setattr(auction, name, value)
                auction.current_price_koinu = start_price
            auction.seq += 1
            auction.save()
    live.auction_live_write(auction)


def auction_cancel(*, listing_id: uuid.UUID) -> None:
    """The listing ended early or was taken down: the auction stops, every hold is voided."""
    with transaction.atomic():
        auction = Auction.objects.select_for_update().filter(pk=listing_id).first()
        if auction is None or auction.status not in ("open", "scheduled"):
            return
        auction.status = Auction.Status.CANCELLED
        auction.closed_at = timezone.now()
        auction.seq += 1
        auction.save()
        release_all_but(listing_id, None)
    auction_settle(listing_id)
    live.auction_live_write(auction)


def member_name_set(*, user_id: uuid.UUID, username: str) -> None:
    Member.objects.update_or_create(user_id=user_id, defaults={"username": username})


def member_suspension_set(*, user_id: uuid.UUID, suspended: bool) -> None:
    Member.objects.update_or_create(user_id=user_id, defaults={"suspended": suspended})


def buy_it_now(*, listing_id: uuid.UUID, buyer_id: uuid.UUID, idempotency_key: str) -> Auction:
    """Buy the item at the Buy It Now price (offered until the first bid): the buyer's funds go
    straight into escrow for the sale (an ``order_escrow`` hold), the auction closes with them as
    winner. Hold first, then the locked decision; a refusal after the hold voids it."""
    hold_id = clients.uuid_for("buy_it_now", listing_id, buyer_id, idempotency_key)
    auction = Auction.objects.filter(pk=listing_id).first()
    if auction is None:
        raise errors.auction_not_found()
    if auction.escrow_hold_id == hold_id:
        return auction  # this very purchase, repeated
    _check_open(auction, timezone.now())
    _check_bidder(auction, buyer_id)
    if auction.buy_it_now_koinu is None or auction.bid_count:
        raise Conflict("Buy It Now is no longer available on this auction.", code="buy_it_now_unavailable")
    price = auction.buy_it_now_koinu
    WalletHold.objects.get_or_create(
        hold_id=hold_id,
        defaults={
            "listing_id": listing_id,
            "user_id": buyer_id,
            "amount_koinu": price,
            "reason": "order_escrow",
            "state": H.PLACING,
        },
    )
    try:
        clients.hold_place(
            hold_id=hold_id,
            user_id=buyer_id,
            amount_koinu=price,
            reason="order_escrow",
            reference={"listing_id": str(listing_id), "sale": "buy_it_now"},
        )
    except ApiError:
        WalletHold.objects.filter(hold_id=hold_id, state=H.PLACING).update(state=H.RELEASED)
        raise
    refusal: ApiError | None = None
    with transaction.atomic():
        auction = Auction.objects.select_for_update().get(pk=listing_id)
        intent = WalletHold.objects.select_for_update().get(hold_id=hold_id)
        now = timezone.now()
        try:
            if intent.state != H.PLACING:
                raise errors.busy()
            _check_open(auction, now)
            _check_bidder(auction, buyer_id)
            if auction.buy_it_now_koinu != price or auction.bid_count:
                raise Conflict(
                    "Buy It Now is no longer available on this auction.", code="buy_it_now_unavailable"
                )
        except ApiError as error:
            refusal = error
            if intent.state == H.PLACING:
                WalletHold.objects.filter(hold_id=hold_id).update(state=H.RELEASING)
        if refusal is None:
            auction.status = Auction.Status.CLOSED
            auction.close_via = "buy_it_now"
            auction.winner_id = buyer_id
            auction.final_price_koinu = price
            auction.current_price_koinu = price
            auction.escrow_hold_id = hold_id
            auction.closed_at = now
            auction.seq += 1
            auction.save()
            WalletHold.objects.filter(hold_id=hold_id).update(state=H.ESCROWED)
            events.auction_closed_publish(
                listing_id=listing_id,
                seller_id=auction.seller_id,
                winner_id=buyer_id,
                price_koinu=price,
                escrow_hold_id=hold_id,
                via="buy_it_now",
                bidder_ids=[],
                at=now,
            )
    if refusal is not None:
        holds_release([hold_id])
        raise refusal
    live.auction_live_write(auction)
    return auction


def bid_retract(*, listing_id: uuid.UUID, bid_id: uuid.UUID, bidder_id: uuid.UUID, reason: str) -> Auction:
    """Withdraw a bidder's maxima on this auction (docs/auctions.md, "Retractions").

    Allowed within ``AUCTION_RETRACT_WITHIN_S`` of the bid and while more than
    ``AUCTION_RETRACT_MIN_REMAINING_S`` remain; counted on the bidder's record. The auction is
    replayed without that bidder's maxima. When the leader retracts, the new leader's maximum needs
    a hold again: it is placed before the locked step (a runner-up who can no longer cover it is
    left out of the replay too); if the auction moved meanwhile, the caller is asked to retry.
    """
    bid = Bid.objects.filter(id=bid_id, auction_id=listing_id).select_related("auction").first()
    if bid is None or bid.bidder_id != bidder_id:
        raise (
            errors.auction_not_found()
            if bid is None
            else PermissionDenied("You can only retract your own bid.", code="not_your_bid")
        )
    now = timezone.now()
    auction = bid.auction
    if bid.retracted:
        return auction
    if auction.status not in ("open", "scheduled") or now >= auction.ends_at:
        raise errors.auction_ended()
    if (now - bid.placed_at).total_seconds() > settings.AUCTION_RETRACT_WITHIN_S:
        raise Conflict(
            "A bid can only be retracted within an hour of placing it.", code="retraction_too_late"
        )
    if (auction.ends_at - now).total_seconds() <= settings.AUCTION_RETRACT_MIN_REMAINING_S:
        raise Conflict(
            "A bid can no longer be retracted when 12 hours or less remain.", code="retraction_too_late"
        )
    seq_seen = auction.seq
    excluded = {bidder_id}
    rehold: tuple[uuid.UUID, uuid.UUID] | None = None  # (bidder, hold id)
    state = state_of(auction)
    while True:
        rows = (
            Bid.objects.filter(auction_id=listing_id, retracted=False)
            .exclude(bidder_id__in=excluded)
            .order_by("seq")
            .values_list("bidder_id", "max_amount_koinu")
        )
        state = proxy.replay(
            auction.start_price_koinu, auction.reserve_price_koinu, list(rows), settings.AUCTION_INCREMENTS
        )
        if state.leader is None or state.leader == auction.leader_id:
            break
        hold_id = clients.uuid_for("rehold", bid_id, state.leader, state.leader_max)
        WalletHold.objects.get_or_create(
            hold_id=hold_id,
            defaults={
                "listing_id": listing_id,
                "user_id": state.leader,
                "amount_koinu": state.leader_max or 0,
                "state": H.PLACING,
            },
        )
        try:
            clients.hold_place(
                hold_id=hold_id,
                user_id=state.leader,
                amount_koinu=state.leader_max or 0,
                reference={"listing_id": str(listing_id), "after_retraction": str(bid_id)},
            )
        except ApiError:
            WalletHold.objects.filter(hold_id=hold_id, state=H.PLACING).update(state=H.RELEASED)
            excluded.add(state.leader)
            continue
        rehold = (state.leader, hold_id)
        break
    release: list[uuid.UUID] = []
    with transaction.atomic():
        auction = Auction.objects.select_for_update().get(pk=listing_id)
        if auction.seq != seq_seen:
            if rehold:
                WalletHold.objects.filter(hold_id=rehold[1]).update(state=H.RELEASING)
                release.append(rehold[1])
            refused = True
        else:
            refused = False
            Bid.objects.filter(auction_id=listing_id, bidder_id=bidder_id).update(
                retracted=True, retracted_reason=reason[:200]
            )
            Member.objects.get_or_create(user_id=bidder_id)
            Member.objects.filter(user_id=bidder_id).update(retraction_count=F("retraction_count") + 1)
            if auction.leader_id == bidder_id and auction.leader_hold_id:
                WalletHold.objects.filter(hold_id=auction.leader_hold_id).update(state=H.RELEASING)
                release.append(auction.leader_hold_id)
            if state.leader != auction.leader_id:
                new_hold = rehold[1] if rehold else None
                leader_bid = (
                    Bid.objects.filter(auction_id=listing_id, bidder_id=state.leader, retracted=False)
                    .order_by("-max_amount_koinu", "seq")
                    .first()
                )
                auction.leader_id = state.leader
                auction.leader_bid_id = leader_bid.id if leader_bid else None
                auction.leader_hold_id = new_hold
                if new_hold:
                    WalletHold.objects.filter(hold_id=new_hold).update(state=H.ACTIVE)
            auction.leader_max_koinu = state.leader_max
            auction.second_max_koinu = state.second_max
            auction.bid_count = state.bid_count
            auction.bidder_count = (
                Bid.objects.filter(auction_id=listing_id, retracted=False)
                .values("bidder_id")
                .distinct()
                .count()
            )
            auction.current_price_koinu = proxy.current_price(state, settings.AUCTION_INCREMENTS)
            auction.seq += 1
            auction.save()
    holds_release(release)
    if refused:
        raise errors.busy()
    live.auction_live_write(auction)
    return auction


def blocked_bidder_set(
    *, listing_id: uuid.UUID, seller_id: uuid.UUID, user_id: uuid.UUID, blocked: bool
) -> None:
    """The seller of this auction blocks (or unblocks) a member from bidding on their auctions."""
    auction = Auction.objects.filter(pk=listing_id).first()
    if auction is None:
        raise errors.auction_not_found()
    if auction.seller_id != seller_id:
        raise PermissionDenied("Only the seller can block bidders on this auction.", code="not_seller")
    if blocked:
        BlockedBidder.objects.get_or_create(seller_id=seller_id, user_id=user_id)
    else:
        BlockedBidder.objects.filter(seller_id=seller_id, user_id=user_id).delete()
