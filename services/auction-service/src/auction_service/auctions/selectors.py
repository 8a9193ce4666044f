"""Reads for auction-service: functions that query and return data, never change it."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Max, Q

from auction_service.auctions.live import _iso
from auction_service.auctions.models import Auction, Bid
from dbay_common.errors import InvalidRequest
from dbay_common.pagination import DEFAULT_LIMIT, MAX_LIMIT

RUNNING = ("open", "scheduled")


def _status(auction: Auction, user_id: uuid.UUID) -> str:
    if auction.status in RUNNING:
        return "leading" if auction.leader_id == user_id else "outbid"
    return "won" if auction.status == "closed" and auction.winner_id == user_id else "lost"


def my_bids(
    *, user_id: uuid.UUID, status: str | None, limit: str | None, starting_after: str | None
) -> tuple[list[dict[str, Any]], bool]:
    """The caller's auctions ("My bids"), latest end first: their maximum, the price, their standing."""
    if status not in (None, "active", "won", "lost"):
        raise InvalidRequest("status is one of: active, won, lost.", code="invalid_status", param="status")
    try:
        size = DEFAULT_LIMIT if limit in (None, "") else int(str(limit))
    except ValueError:
        size = 0
    if not 1 <= size <= MAX_LIMIT:
        raise InvalidRequest(
            f"limit must be a whole number from 1 to {MAX_LIMIT}.", code="invalid_limit", param="limit"
        )
    maxima = dict(
        Bid.objects.filter(bidder_id=user_id, retracted=False)
        .values("auction_id")
        .annotate(top=Max("max_amount_koinu"))
        .values_list("auction_id", "top")
    )
    auctions = Auction.objects.filter(pk__in=list(maxima))
    if status == "active":
        auctions = auctions.filter(status__in=RUNNING)
    elif status == "won":
        auctions = auctions.filter(status="closed", winner_id=user_id)
    elif status == "lost":
        auctions = auctions.exclude(status__in=RUNNING).exclude(status="closed", winner_id=user_id)
    if starting_after:
        try:
            anchor = auctions.filter(pk=uuid.UUID(starting_after)).values("ends_at", "listing_id").first()
        except ValueError:
            anchor = None
        if anchor is None:
            raise InvalidRequest(
                "starting_after must be the id of an item in this list.",
                code="invalid_cursor",
                param="starting_after",
            )
        auctions = auctions.filter(
            Q(ends_at__lt=anchor["ends_at"])
            | Q(ends_at=anchor["ends_at"], listing_id__lt=anchor["listing_id"])
        )
    rows = list(auctions.order_by("-ends_at", "-listing_id")[: size + 1])
    return [
        {
            "listing_id": str(auction.listing_id),
            "title": auction.title,
            "photo_url": auction.photo_url,
            "my_max_bid_koinu": str(maxima[auction.listing_id]),
            "current_price_koinu": str(auction.current_price_koinu),
            "status": _status(auction, user_id),
            "ends_at": _iso(auction.ends_at),
            "closed_at": _iso(auction.closed_at),
        }
        for auction in rows[:size]
    ], len(rows) > size
