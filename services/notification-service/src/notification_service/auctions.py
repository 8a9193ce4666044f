"""What the worker does with auction-service's events besides notifications: the live messages.

``auction.updated`` on the public ``listing:<id>`` topic (docs/live-channel.md) after
``bid.placed``, ``auction.extended``, ``auction.closed`` and ``auction.ended_unsold``::

    {"listing_id", "current_price_koinu", "bid_count", "leader_masked_name" | null,
     "reserve": "none" | "met" | "not_met", "ends_at", "status", "last_bid":
     {"masked_name", "amount_koinu", "placed_at"} | null}

and ``wallet.updated`` on ``user:<id>`` for every bidder whose hold changed (the bidder of
``bid.placed``, the outbid bidder of ``bid.outbid``, every bidder of a closed or unsold auction).

The auction events carry only what changed, so this service keeps a copy per listing in
``auction_copies``: the title, whether there is a reserve and the prices from the listing events
(newest ``version`` wins), and the auction's state from the auction events (``bid.placed`` by its
``seq``, the end time only later, the end once). Each write is conditional on those orders, so a
redelivered or late event changes nothing; the live message is built from the copy after the write
(at least once, as every live message: the web app may refetch the auction on it). Bidders' names are
masked as a marketplace does (``d***e``) from the directory of ``user.*`` events.
"""

from __future__ import annotations

import contextlib
import logging
import time
from datetime import datetime
from typing import Any

import redis
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from dbay_common.events.envelope import Event
from notification_service.db import RECIPIENTS, Db
from notification_service.services import live_send

logger = logging.getLogger(__name__)

AUCTION_COPIES = "auction_copies"
AUCTION_LIVE_EVENTS = ("bid.placed", "auction.extended", "auction.closed", "auction.ended_unsold")
AUCTION_EVENTS = (*AUCTION_LIVE_EVENTS, "bid.outbid")
_ENDED_STATUS = {"auction.closed": "closed", "auction.ended_unsold": "ended_unsold"}


def masked_name(username: str | None) -> str | None:
    """``"doge_fan"`` -> ``"d***n"``; None for no name (a member this service has not heard of)."""
    if not username:
        return None
    return f"{username[0]}***{username[-1]}"


def _moment(value: Any) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def _apply(db: Db, listing_id: str, condition: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """``update`` the listing's copy where ``condition`` holds; the copy as it is afterwards. One
    round trip when the copy exists (the usual case); a first event for a listing creates it."""
    copies = db[AUCTION_COPIES]
    for _attempt in range(2):
        after = copies.find_one_and_update(
            {"_id": listing_id, **condition}, update, return_document=ReturnDocument.AFTER
        )
        if after is not None:
            return dict(after)
        current = copies.find_one({"_id": listing_id})
        if current is not None:
            return dict(current)  # the condition does not hold: an older or repeated event
        with contextlib.suppress(DuplicateKeyError):
            copies.insert_one({"_id": listing_id})
    return dict(copies.find_one({"_id": listing_id}) or {"_id": listing_id})


def listing_copy_keep(db: Db, data: dict[str, Any]) -> None:
    """A listing event's snapshot: the title, the reserve flag and the prices, newest version wins."""
    fields: dict[str, Any] = {
        "listing_version": int(data["version"]),
        "title": data.get("title") or "",
        "has_reserve": bool(data.get("has_reserve")),
        "listing_price_koinu": data.get("current_price_koinu") or data.get("price_koinu"),
    }
    if data.get("ends_at"):
        fields["listing_ends_at"] = _moment(data["ends_at"])
    newer = {"$or": [{"listing_version": {"$lt": fields["listing_version"]}}, {"listing_version": None}]}
    _apply(db, str(data["listing_id"]), newer, {"$set": fields})


def _auction_apply(db: Db, event: Event) -> dict[str, Any]:
    """Apply one auction event to the listing's copy (each in its order); the copy afterwards."""
    name, d = event.detail_type, event.data
    listing_id = str(d["listing_id"])
    if name == "bid.placed":
        # A newer seq's end time is never earlier than one applied before (ends only move later).
        state: dict[str, Any] = {
            "seq": int(d["seq"]),
            "current_price_koinu": str(d["amount_koinu"]),
            "bid_count": int(d["bid_count"]),
            "leader_id": d.get("leader_id"),
            "reserve_met": d.get("reserve_met"),
            "last_bid": {
                "bidder_id": d.get("bidder_id"),
                "amount_koinu": str(d["amount_koinu"]),
                "placed_at": d.get("placed_at"),
            },
        }
        if d.get("ends_at"):
            state["ends_at"] = _moment(d["ends_at"])
        # Once ended, the copy keeps the end's price (a bid heard late changes nothing).
        newer = {"status": None, "$or": [{"seq": {"$lt": state["seq"]}}, {"seq": None}]}
        return _apply(db, listing_id, newer, {"$set": state})
    if name == "auction.extended":
        ends_at = _moment(d["ends_at"])
        later = {"$or": [{"ends_at": {"$lt": ends_at}}, {"ends_at": None}]}
        return _apply(db, listing_id, later, {"$set": {"ends_at": ends_at}})
    ended: dict[str, Any] = {"status": _ENDED_STATUS[name]}
    if name == "auction.closed":
        ended.update(current_price_koinu=str(d["price_koinu"]), leader_id=d.get("winner_id"))
    return _apply(db, listing_id, {"status": None}, {"$set": ended})


_USERNAMES: dict[str, tuple[str, float]] = {}
USERNAME_TTL_S = 60.0


def _usernames(db: Db, user_ids: list[str]) -> dict[str, str]:
    """Usernames by id, from the directory, kept in the process for a minute (a hot auction's
    bidders are looked up once, not on every bid; a new name shows within the minute)."""
    now = time.monotonic()
    found = {u: entry[0] for u in user_ids if u and (entry := _USERNAMES.get(u)) and entry[1] > now}
    missing = [u for u in dict.fromkeys(user_ids) if u and u not in found]
    if missing:
        for row in db[RECIPIENTS].find({"_id": {"$in": missing}}, {"username": 1}):
            found[str(row["_id"])] = username = str(row.get("username") or "")
            if len(_USERNAMES) > 10_000:
                _USERNAMES.clear()
            _USERNAMES[str(row["_id"])] = (username, now + USERNAME_TTL_S)
    return found


def auction_live_data(db: Db, copy: dict[str, Any]) -> dict[str, Any]:
    """The ``auction.updated`` data of a listing, from its copy."""
    last = copy.get("last_bid")
    names = _usernames(db, [copy.get("leader_id") or "", (last or {}).get("bidder_id") or ""])
    reserve_met = copy.get("reserve_met")
    if reserve_met is None:
        reserve = "not_met" if copy.get("has_reserve") else "none"
    else:
        reserve = "met" if reserve_met else "not_met"
    ends_at = copy.get("ends_at") or copy.get("listing_ends_at")
    return {
        "listing_id": str(copy["_id"]),
        "current_price_koinu": copy.get("current_price_koinu") or copy.get("listing_price_koinu"),
        "bid_count": int(copy.get("bid_count") or 0),
        "leader_masked_name": masked_name(names.get(copy.get("leader_id") or "")),
        "reserve": reserve,
        "ends_at": _iso(ends_at),
        "status": copy.get("status") or "open",
        "last_bid": None
        if not last
        else {
            "masked_name": masked_name(names.get(last.get("bidder_id") or "")),
            "amount_koinu": last["amount_koinu"],
            "placed_at": last.get("placed_at"),
        },
    }


def _wallet_users(event: Event) -> list[str]:
    d = event.data
    if event.detail_type == "bid.placed" or event.detail_type == "bid.outbid":
        users = [d.get("bidder_id")]
    elif event.detail_type in _ENDED_STATUS:
        users = [d.get("winner_id"), *(d.get("bidder_ids") or [])]
    else:
        users = []
    return [str(user) for user in dict.fromkeys(users) if user]


def auction_event_apply(*, db: Db, live: redis.Redis, event: Event) -> None:
    """Keep the copy, then the live messages: ``auction.updated`` on the listing's topic and
    ``wallet.updated`` to each bidder whose hold changed."""
    listing_id = str(event.data["listing_id"])
    if event.detail_type in AUCTION_LIVE_EVENTS:
        copy = _auction_apply(db, event)
        live_send(live, f"listing:{listing_id}", "auction.updated", auction_live_data(db, copy))
    for user_id in _wallet_users(event):
        live_send(
            live, f"user:{user_id}", "wallet.updated", {"cause": event.detail_type, "listing_id": listing_id}
        )


def event_with_title(db: Db, event: Event) -> Event:
    """``event`` with the listing's ``title`` in its data when the event has none (the notices name
    the item); unchanged when the title is not known yet."""
    if event.data.get("title") or "listing_id" not in event.data:
        return event
    copy = db[AUCTION_COPIES].find_one({"_id": str(event.data["listing_id"])}, {"title": 1}) or {}
    if not copy.get("title"):
        return event
    detail = event.detail.model_copy(update={"data": {**event.data, "title": copy["title"]}})
    return event.model_copy(update={"detail": detail})
