"""The public view of an auction (`Auction` in the API) and its live copy in Redis.

After every change the service writes the view to Redis (`auction:live:<listing_id>`, JSON), only
if its `seq` is newer than the stored one (a compare-and-set script, so two writers finishing out
of order never put an older view back). `GET /api/v1/auctions/<id>` reads Redis first and falls
back to PostgreSQL. The live channel itself is fed by notification-service from our events.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import uuid
from functools import cache
from typing import Any

import redis
from django.conf import settings
from django.utils import timezone

from auction_service.auctions import proxy
from auction_service.auctions.models import Auction, Bid, Member
from dbay_common.money import Koinu

KEY = "auction:live:{}"
_CAS = """
local current = redis.call('GET', KEYS[1])
if current then
  local stored = cjson.decode(current)['seq']
  if stored and tonumber(stored) >= tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1
"""


@cache
def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)


def mask(username: str) -> str:
    """``dogefan`` → ``d***n``: first and last character only (``***`` for an unknown name)."""
    if not username:
        return "***"
    if len(username) == 1:
        return f"{username}***"
    return f"{username[0]}***{username[-1]}"


def public_name(user_id: uuid.UUID | None) -> dict[str, Any] | None:
    if user_id is None:
        return None
    member = Member.objects.filter(user_id=user_id).only("username", "feedback_score").first()
    return {
        "masked_name": mask(member.username if member else ""),
        "feedback_score": member.feedback_score if member else None,
    }


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def public_status(auction: Auction, now: dt.datetime | None = None) -> str:
    if auction.status == "scheduled" and auction.starts_at <= (now or timezone.now()):
        return "open"
    return str(auction.status)


def auction_view(auction: Auction) -> dict[str, Any]:
    """The public `Auction` object (no caller-specific fields)."""
    from auction_service.auctions.bidding import state_of

    state = state_of(auction)
    table = settings.AUCTION_INCREMENTS
    running = auction.status in ("open", "scheduled")
    leader = public_name(auction.leader_id)
    winner = public_name(auction.winner_id) if auction.winner_id else None
    return {
        "listing_id": str(auction.listing_id),
        "status": public_status(auction),
        "start_price_koinu": str(auction.start_price_koinu),
        "current_price_koinu": str(auction.current_price_koinu),
        "current_price": Koinu(auction.current_price_koinu).to_doge(),
        "next_minimum_bid_koinu": str(proxy.next_minimum(state, table)) if running else None,
        "bid_count": auction.bid_count,
        "bidder_count": Bid.objects.filter(auction_id=auction.listing_id)
        .values("bidder_id")
        .distinct()
        .count(),
        "leader": leader,
        "reserve": proxy.reserve_status(state),
        "buy_it_now_koinu": None
        if auction.buy_it_now_koinu is None or not running
        else str(auction.buy_it_now_koinu),
        "starts_at": _iso(auction.starts_at),
        "ends_at": _iso(auction.ends_at),
        "soft_close_minutes": auction.soft_close_minutes,
        "extended": auction.ends_at != auction.original_ends_at,
        "winner_masked_name": winner["masked_name"] if winner else None,
        "closed_at": _iso(auction.closed_at),
        "seq": auction.seq,
    }


def auction_live_write(auction: Auction) -> dict[str, Any]:
    """Write the view to Redis if it is newer than the stored one; return the view."""
    view = auction_view(auction)
    # On a Redis error the view is rebuilt from PostgreSQL on the next read.
    with contextlib.suppress(redis.RedisError):
        _redis().eval(
            _CAS,
            1,
            KEY.format(auction.listing_id),
            json.dumps(view),
            view["seq"],
            settings.AUCTION_LIVE_TTL_S,
        )
    return view


def auction_live_read(listing_id: uuid.UUID) -> dict[str, Any] | None:
    """The view: Redis when it has it (and the auction is not due to close), else PostgreSQL."""
    try:
        raw = _redis().get(KEY.format(listing_id))
    except redis.RedisError:
        raw = None
    if raw is not None:
        view: dict[str, Any] = json.loads(raw)
        if view["status"] == "scheduled" and view["starts_at"] <= _iso(timezone.now()):
            view["status"] = "open"
        return view
    auction = Auction.objects.filter(pk=listing_id).first()
    if auction is None:
        return None
    return auction_live_write(auction)


def my_fields(listing_id: uuid.UUID, view: dict[str, Any], user_id: uuid.UUID) -> dict[str, Any]:
    """The caller's own maximum and standing on this auction."""
    mine = (
        Bid.objects.filter(auction_id=listing_id, bidder_id=user_id, retracted=False)
        .order_by("-max_amount_koinu")
        .values_list("max_amount_koinu", flat=True)
        .first()
    )
    auction = Auction.objects.only("leader_id", "winner_id", "status").get(pk=listing_id)
    status = None
    if auction.status == "closed" and auction.winner_id == user_id:
        status = "won"  # also a Buy It Now purchase, without a bid
    elif mine is not None:
        if auction.status in ("closed", "ended_unsold", "cancelled"):
            status = "lost"
        else:
            status = "leading" if auction.leader_id == user_id else "outbid"
    return {"my_max_bid_koinu": None if mine is None else str(mine), "my_status": status}
