"""An auction's state as auction-service decides it: bids, extensions, the end (from its events).

auction-service owns what happens to an auction once published (docs/listing-rules.md, "Auctions");
these functions keep the listing's copy (``bid_count``, ``current_price_koinu``, ``reserve_met``,
``ends_at``, the end) so the listing page, its events and search show it. Each locks the listing row
and is idempotent: an event delivered twice, or an older one arriving after a newer one, changes
nothing (``bid.placed`` carries the auction's ``seq``; an end time only moves later; an ended
listing stays ended). A change is a new version with ``listing.updated`` (or ``listing.ended``).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Literal

from django.db import transaction
from django.utils import timezone

from listing_service.listings import events
from listing_service.listings.models import Listing, ListingEndReason, ListingFormat, ListingStatus, Watch
from listing_service.listings.services.common import listing_record_change

ENDING_SOON_LEAD = timedelta(hours=1)
ENDING_SOON_BATCH_SIZE = 200
#: States in which auction-service's news still changes the listing (a scheduled auction cannot take
#: bids; a withdrawn one is staff's decision and stays as it is).
_FOLLOWED = (ListingStatus.ACTIVE, ListingStatus.ENDED, ListingStatus.SOLD)


def _auction_lock(listing_id: uuid.UUID) -> Listing | None:
    return (
        Listing.objects.select_for_update()
        .filter(id=listing_id, format=ListingFormat.AUCTION, status__in=_FOLLOWED)
        .first()
    )


@transaction.atomic
def auction_bid_apply(
    *,
    listing_id: uuid.UUID,
    price_koinu: int,
    bid_count: int,
    reserve_met: bool | None,
    ends_at: datetime,
    seq: int,
) -> bool:
    """A bid was placed (``bid.placed``): the current price, bid count and reserve state of the
    auction's ``seq`` (kept only when newer than the one applied), and its end time if later (a bid
    in the soft-close window extends it). Heard after the auction ended (events may arrive out of
    order), only a higher bid count is kept. True when the listing changed (``listing.updated``)."""
    listing = _auction_lock(listing_id)
    if listing is None:
        return False
    fields: list[str] = []
    is_active = listing.status == ListingStatus.ACTIVE
    if seq > listing.auction_seq:
        listing.auction_seq = seq
        fields.append("auction_seq")
        if bid_count > listing.bid_count:
            listing.bid_count = bid_count
            fields.append("bid_count")
        if is_active:  # once ended, the price is the one the end set
            listing.current_price_koinu = price_koinu
            listing.reserve_met = reserve_met if listing.reserve_price_koinu is not None else None
            fields += ["current_price_koinu", "reserve_met"]
    if is_active and (listing.ends_at is None or ends_at > listing.ends_at):
        listing.ends_at = ends_at
        fields.append("ends_at")
    if fields == ["auction_seq"]:
        Listing.objects.filter(id=listing.id).update(auction_seq=seq)
        return False
    if not fields:
        return False
    listing_record_change(listing, fields=fields)
    events.listing_updated_publish(listing)
    return True


@transaction.atomic
def auction_extend_apply(*, listing_id: uuid.UUID, ends_at: datetime) -> bool:
    """The soft close moved the auction's end (``auction.extended``): kept when later than the one
    the listing has and the listing is still active. True when it changed (``listing.updated``)."""
    listing = _auction_lock(listing_id)
    if listing is None or listing.status != ListingStatus.ACTIVE:
        return False
    if listing.ends_at is not None and ends_at <= listing.ends_at:
        return False
    listing.ends_at = ends_at
    listing_record_change(listing, fields=["ends_at"])
    events.listing_updated_publish(listing)
    return True


AuctionEndReason = Literal["sold", "no_bids", "reserve_not_met"]


@transaction.atomic
def auction_end_apply(
    *, listing_id: uuid.UUID, reason: AuctionEndReason, price_koinu: int | None, at: datetime
) -> bool:
    """auction-service ended the auction: ``sold`` (``auction.closed``: status ``sold``, the final
    price becomes the current price) or ``no_bids`` / ``reserve_not_met`` (``auction.ended_unsold``:
    status ``ended``). Only an active auction ends (a repeated event, or one for a listing staff took
    down, changes nothing). Ended before its end time (Buy It Now), ``ends_at`` becomes the moment it
    ended. True when it ended (``listing.ended`` with the reason)."""
    listing = _auction_lock(listing_id)
    if listing is None or listing.status != ListingStatus.ACTIVE:
        return False
    listing.status = ListingStatus.SOLD if reason == "sold" else ListingStatus.ENDED
    listing.end_reason = ListingEndReason(reason)
    listing.ended_at = at
    fields = ["status", "end_reason", "ended_at"]
    if price_koinu is not None:
        listing.current_price_koinu = price_koinu
        fields.append("current_price_koinu")
    if (
        listing.ends_at is not None
        and at < listing.ends_at
        and (listing.starts_at is None or at > listing.starts_at)
    ):
        listing.ends_at = at
        fields.append("ends_at")
    listing_record_change(listing, fields=fields)
    events.listing_ended_publish(listing, reason=reason)
    return True


def listings_ending_soon_publish(
    *, now: datetime | None = None, batch_size: int = ENDING_SOON_BATCH_SIZE
) -> int:
    """Tell the watchers of every active listing ending within the hour (the periodic job).

    Each listing once (``ending_soon_at`` marks it; the listing's version does not change: nothing
    public did): ``listing.ending_soon`` with its watchers' ids, in batches each its own transaction,
    ``FOR UPDATE SKIP LOCKED`` so two runs at once never tell anyone twice. Listings nobody watches
    are not looked at (one watched later, still before its end, is told then). Returns how many
    listings went out.
    """
    done = 0
    while True:
        moment = now or timezone.now()
        with transaction.atomic():
            batch = list(
                Listing.objects.select_for_update(skip_locked=True)
                .filter(
                    status=ListingStatus.ACTIVE,
                    ending_soon_at__isnull=True,
                    watch_count__gt=0,
                    ends_at__gt=moment,
                    ends_at__lte=moment + ENDING_SOON_LEAD,
                )
                .order_by("ends_at", "id")[:batch_size]
            )
            for listing in batch:
                watcher_ids = [
                    str(user_id)
                    for user_id in Watch.objects.filter(listing_id=listing.id)
                    .order_by("id")
                    .values_list("user_id", flat=True)
                ]
                Listing.objects.filter(id=listing.id).update(ending_soon_at=moment)
                if watcher_ids:
                    events.listing_ending_soon_publish(listing, watcher_ids=watcher_ids)
                    done += 1
        if len(batch) < batch_size:
            return done
