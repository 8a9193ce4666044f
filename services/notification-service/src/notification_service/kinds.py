"""Every notification type, in one place: which bus events make it, who is told, the words, the link,
the default channels.

A type is one :class:`NotificationKind`. Its ``notices(event)`` reads the event's data (tolerantly:
only the fields it names, see docs/event-catalog.md) and returns one :class:`Notice` per member to
tell, already in plain words: amounts as DOGE, never koinu. The worker (``handlers.py``) turns each
notice into the in-app notification, an email or a digest entry as the member's preferences say.

Adding a type (orders come later): one entry in :data:`KINDS`; the worker subscribes to
its events and the preferences page lists it with no other change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dbay_common.events.envelope import Event
from dbay_common.money import Koinu

INSTANT, DAILY, OFF = "instant", "daily", "off"
#: A type members may batch into the daily digest, or turn off.
LOW_PRIORITY_CHOICES = (INSTANT, DAILY, OFF)
NORMAL_CHOICES = (INSTANT, OFF)
#: Security notices: always emailed at once.
REQUIRED_CHOICES = (INSTANT,)
EXCERPT_CHARS = 140


@dataclass(frozen=True)
class Notice:
    """What one member is told about one event."""

    user_id: str
    title: str
    body: str
    link: str | None
    #: Emails of the same ``group`` share one quiet period (a conversation), when the type has one.
    group: str | None = None


@dataclass(frozen=True)
class NotificationKind:
    type: str
    label: str
    description: str
    events: tuple[str, ...]
    notices: Callable[[Event], list[Notice]]
    email_default: str
    email_choices: tuple[str, ...]
    #: Security notices: neither channel can be turned off.
    required: bool = False
    #: Minutes-long quiet period per ``Notice.group`` for instant email (new messages only).
    quiet_period: bool = False

    @property
    def allows_digest(self) -> bool:
        return DAILY in self.email_choices


def doge(amount_koinu: Any) -> str:
    """``"150000000"`` -> ``"1.5 DOGE"``: 8 decimals, trailing zeros trimmed."""
    text = Koinu.parse(str(amount_koinu)).to_doge().rstrip("0").rstrip(".")
    return f"{text} DOGE"


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """``text`` on one line, cut at a word boundary to at most ``limit`` characters (with an ellipsis)."""
    flat = " ".join(str(text).split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0] or flat[: limit - 1]
    return f"{cut}…"


def _when(value: str | None) -> str:
    """An ISO time as ``7 Dec 2026, 18:00 UTC``."""
    if not value:
        return "just now"
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


def _data(event: Event) -> Mapping[str, Any]:
    return event.data


# -- wallet -------------------------------------------------------------------------------------------


def _deposit_seen(event: Event) -> list[Notice]:
    d = _data(event)
    amount = doge(d["amount_koinu"])
    return [
        Notice(
            d["user_id"],
            f"Incoming deposit of {amount}",
            f"We have seen your deposit of {amount} on the Dogecoin network. It is added to your "
            f"balance after {d['required_confirmations']} confirmations.",
            "/wallet",
        )
    ]


def _deposit_credited(event: Event) -> list[Notice]:
    d = _data(event)
    amount = doge(d["amount_koinu"])
    return [
        Notice(
            d["user_id"],
            f"Deposit of {amount} credited",
            f"{amount} is now in your dBay balance and ready to spend.",
            "/wallet",
        )
    ]


def _deposit_reversed(event: Event) -> list[Notice]:
    d = _data(event)
    amount = doge(d["amount_koinu"])
    after = (
        "Part of it had already been used, so your wallet is frozen until our staff review it."
        if d.get("account_frozen")
        else "If the network confirms the transaction again, it will be credited again."
    )
    return [
        Notice(
            d["user_id"],
            f"Deposit of {amount} reversed",
            "The block holding your deposit was replaced on the Dogecoin network, so its credit was "
            f"taken back. {after}",
            "/wallet",
        )
    ]


def _withdrawal_sent(event: Event) -> list[Notice]:
    d = _data(event)
    amount = doge(d["amount_koinu"])
    return [
        Notice(
            d["user_id"],
            f"Withdrawal of {amount} sent",
            f"Your withdrawal of {amount} (network fee {doge(d['fee_koinu'])}) is on its way on the "
            "Dogecoin network. If you did not ask for it, change your password and contact support now.",
            "/wallet",
        )
    ]


def _withdrawal_confirmed(event: Event) -> list[Notice]:
    d = _data(event)
    amount = doge(d["amount_koinu"])
    return [
        Notice(
            d["user_id"],
            f"Withdrawal of {amount} confirmed",
            f"Your withdrawal of {amount} is confirmed on the Dogecoin network and complete.",
            "/wallet",
        )
    ]


def _withdrawal_rejected(event: Event) -> list[Notice]:
    d = _data(event)
    amount = doge(d["amount_koinu"])
    held = doge(int(d["amount_koinu"]) + int(d["fee_koinu"]))
    if d.get("reason") == "rejected":
        title = f"Withdrawal of {amount} rejected"
        what = f"Our staff did not approve your withdrawal of {amount}."
    else:
        title = f"Withdrawal of {amount} failed"
        what = f"Your withdrawal of {amount} could not be completed on the Dogecoin network."
    return [
        Notice(
            d["user_id"],
            title,
            f"{what} The {held} held for it is available in your balance again.",
            "/wallet",
        )
    ]


def _withdrawal_held(event: Event) -> list[Notice]:
    d = _data(event)
    amount = doge(d["amount_koinu"])
    return [
        Notice(
            d["user_id"],
            f"Withdrawal of {amount} on hold",
            f"Your withdrawal of {amount} was not sent because your wallet is under review. Our staff "
            "will send or reject it after the review; the amount stays held until then.",
            "/wallet",
        )
    ]


# -- account ------------------------------------------------------------------------------------------


def _new_sign_in(event: Event) -> list[Notice]:
    d = _data(event)
    if not d.get("new_device"):
        return []
    device = excerpt(d.get("user_agent") or "an unknown browser", 120)
    where = f" (IP address {d['ip_address']})" if d.get("ip_address") else ""
    return [
        Notice(
            d["user_id"],
            "New sign-in to your account",
            f"Your account was signed in from a new device on {_when(d.get('started_at'))}: "
            f"{device}{where}. If this was not you, change your password now and sign out your other "
            "sessions.",
            "/account",
        )
    ]


# -- listings and search ------------------------------------------------------------------------------


def _listing_published(event: Event) -> list[Notice]:
    d = _data(event)
    if d.get("status") == "scheduled":
        body = f"“{d['title']}” is scheduled and goes live on {_when(d.get('starts_at'))}."
    else:
        body = f"“{d['title']}” is published and buyers can find it now."
    return [
        Notice(d["seller_id"], f"Your listing is live: {d['title']}", body, f"/listings/{d['listing_id']}")
    ]


_ENDED_BECAUSE = {
    "duration_elapsed": "reached its end time",
    "ended_by_seller": "was ended early by you",
    "sold_out": "sold out",
}


#: An auction's end is told by the auction kinds (``auction.sold`` / ``auction.unsold``).
_AUCTION_END_REASONS = ("sold", "no_bids", "reserve_not_met")


def _listing_ended(event: Event) -> list[Notice]:
    d = _data(event)
    if d.get("reason") in _AUCTION_END_REASONS:
        return []
    because = _ENDED_BECAUSE.get(str(d.get("reason")), "has ended")
    return [
        Notice(
            d["seller_id"],
            f"Your listing has ended: {d['title']}",
            f"“{d['title']}” {because}.",
            f"/listings/{d['listing_id']}",
        )
    ]


def _listing_taken_down(event: Event) -> list[Notice]:
    d = _data(event)
    return [
        Notice(
            d["seller_id"],
            f"Your listing was taken down: {d['title']}",
            f"Our staff removed “{d['title']}” from dBay. Reason: {d.get('reason') or 'not given'}",
            "/my-listings",
        )
    ]


def _search_match(event: Event) -> list[Notice]:
    d = _data(event)
    return [
        Notice(
            d["user_id"],
            f"New match for “{d['saved_search_name']}”",
            f"“{d['title']}” matches your saved search.",
            f"/listings/{d['listing_id']}",
        )
    ]


# -- bidding ------------------------------------------------------------------------------------------


def _item(d: Mapping[str, Any]) -> str:
    """The item's title in quotes, or words that stand for it when the title is not known yet."""
    return f"“{d['title']}”" if d.get("title") else "an item you bid on"


def _listing_link(d: Mapping[str, Any]) -> str:
    return f"/listings/{d['listing_id']}"


def _bid_outbid(event: Event) -> list[Notice]:
    d = _data(event)
    return [
        Notice(
            d["bidder_id"],
            f"You've been outbid on {_item(d)}",
            f"Another bidder's maximum is higher than yours: the current price is "
            f"{doge(d['current_price_koinu'])}. The money held for your bid is available again. Bid "
            "again before the auction ends to win it.",
            _listing_link(d),
        )
    ]


def _auction_won(event: Event) -> list[Notice]:
    d = _data(event)
    price = doge(d["price_koinu"])
    how = "with Buy It Now" if d.get("via") == "buy_it_now" else "the auction"
    return [
        Notice(
            d["winner_id"],
            f"You won {_item(d)}",
            f"You won {how} for {price}. The {price} is held in escrow from your wallet until the sale "
            "is complete; anything you had held above it is available again.",
            _listing_link(d),
        )
    ]


def _auction_lost(event: Event) -> list[Notice]:
    d = _data(event)
    winner = d.get("winner_id")
    losers = [bidder for bidder in d.get("bidder_ids") or [] if bidder != winner]
    if event.detail_type == "auction.closed":
        body = f"Another bidder won {_item(d)} for {doge(d['price_koinu'])}."
    elif d.get("reason") == "reserve_not_met":
        body = f"The auction for {_item(d)} ended below the seller's reserve price, so nobody won it."
    else:
        body = f"The auction for {_item(d)} ended without a winner."
    return [
        Notice(
            bidder,
            f"Auction ended: {_item(d)}",
            f"{body} The money held for your bid is available again.",
            _listing_link(d),
        )
        for bidder in dict.fromkeys(losers)
    ]


def _auction_sold(event: Event) -> list[Notice]:
    d = _data(event)
    price = doge(d["price_koinu"])
    how = "with Buy It Now" if d.get("via") == "buy_it_now" else "at the end of the auction"
    title = f"Sold: “{d['title']}” for {price}" if d.get("title") else f"Your auction sold for {price}"
    what = f"“{d['title']}”" if d.get("title") else "Your item"
    return [
        Notice(
            d["seller_id"],
            title,
            f"{what} sold {how} for {price}. The buyer's {price} is held in escrow until the sale is "
            "complete.",
            _listing_link(d),
        )
    ]


_UNSOLD_BECAUSE = {
    "no_bids": "ended without any bids",
    "reserve_not_met": "ended below your reserve price, so it did not sell",
}


def _auction_unsold(event: Event) -> list[Notice]:
    d = _data(event)
    because = _UNSOLD_BECAUSE.get(str(d.get("reason")), "ended without a sale")
    title = f"Not sold: “{d['title']}”" if d.get("title") else "Your auction ended without a sale"
    what = f"Your auction for “{d['title']}”" if d.get("title") else "Your auction"
    return [Notice(d["seller_id"], title, f"{what} {because}. You can list it again.", _listing_link(d))]


def _auction_ending_soon(event: Event) -> list[Notice]:
    d = _data(event)
    return [
        Notice(
            str(watcher),
            f"Ending soon: {_item(d)}",
            f"{_item(d)}, which you are watching, ends in about an hour ({_when(d.get('ends_at'))}).",
            _listing_link(d),
        )
        for watcher in dict.fromkeys(d.get("watcher_ids") or [])
    ]


def _message_new(event: Event) -> list[Notice]:
    d = _data(event)
    about = f"About “{d['listing_title']}”: " if d.get("listing_title") else ""
    return [
        Notice(
            d["recipient_id"],
            f"New message from {d['sender_name']}",
            f"{about}{excerpt(d['body'])}",
            f"/messages/{d['conversation_id']}",
            group=d["conversation_id"],
        )
    ]


KINDS: tuple[NotificationKind, ...] = (
    NotificationKind(
        "deposit.seen",
        "Incoming deposit",
        "A deposit to your wallet was seen on the network (not spendable yet).",
        ("deposit.detected",),
        _deposit_seen,
        OFF,
        NORMAL_CHOICES,
    ),
    NotificationKind(
        "deposit.credited",
        "Deposit credited",
        "A deposit was confirmed and added to your balance.",
        ("deposit.confirmed",),
        _deposit_credited,
        INSTANT,
        NORMAL_CHOICES,
    ),
    NotificationKind(
        "deposit.reversed",
        "Deposit reversed",
        "A credited deposit was taken back because the network replaced its block.",
        ("deposit.reversed",),
        _deposit_reversed,
        INSTANT,
        NORMAL_CHOICES,
    ),
    NotificationKind(
        "withdrawal.sent",
        "Withdrawal sent",
        "Money left your wallet. Always emailed, for your security.",
        ("withdrawal.broadcast",),
        _withdrawal_sent,
        INSTANT,
        REQUIRED_CHOICES,
        required=True,
    ),
    NotificationKind(
        "withdrawal.confirmed",
        "Withdrawal confirmed",
        "A withdrawal is confirmed on the network.",
        ("withdrawal.confirmed",),
        _withdrawal_confirmed,
        INSTANT,
        NORMAL_CHOICES,
    ),
    NotificationKind(
        "withdrawal.rejected",
        "Withdrawal rejected or failed",
        "A withdrawal was not paid and its amount is available again.",
        ("withdrawal.failed",),
        _withdrawal_rejected,
        INSTANT,
        NORMAL_CHOICES,
    ),
    NotificationKind(
        "withdrawal.held",
        "Withdrawal on hold",
        "A withdrawal waits for a review of your wallet.",
        ("withdrawal.held",),
        _withdrawal_held,
        INSTANT,
        NORMAL_CHOICES,
    ),
    NotificationKind(
        "security.new_sign_in",
        "New sign-in",
        "Your account was signed in from a new device. Always emailed, for your security.",
        ("session.started",),
        _new_sign_in,
        INSTANT,
        REQUIRED_CHOICES,
        required=True,
    ),
    NotificationKind(
        "listing.published",
        "Listing published",
        "One of your listings went live or was scheduled.",
        ("listing.published",),
        _listing_published,
        OFF,
        LOW_PRIORITY_CHOICES,
    ),
    NotificationKind(
        "listing.ended",
        "Listing ended",
        "One of your listings ended.",
        ("listing.ended",),
        _listing_ended,
        DAILY,
        LOW_PRIORITY_CHOICES,
    ),
    NotificationKind(
        "listing.taken_down",
        "Listing taken down",
        "Our staff removed one of your listings.",
        ("listing.withdrawn",),
        _listing_taken_down,
        INSTANT,
        NORMAL_CHOICES,
    ),
    NotificationKind(
        "search.match",
        "Saved search match",
        "A new listing matches one of your saved searches.",
        ("search.matched",),
        _search_match,
        DAILY,
        LOW_PRIORITY_CHOICES,
    ),
    NotificationKind(
        "bid.outbid",
        "Outbid",
        "Another bidder's maximum beat yours on an auction you bid on.",
        ("bid.outbid",),
        _bid_outbid,
        INSTANT,
        NORMAL_CHOICES,
    ),
    NotificationKind(
        "auction.won",
        "Auction won",
        "You won an auction (or bought with Buy It Now).",
        ("auction.closed",),
        _auction_won,
        INSTANT,
        NORMAL_CHOICES,
    ),
    NotificationKind(
        "auction.lost",
        "Auction lost",
        "An auction you bid on ended and you did not win it.",
        ("auction.closed", "auction.ended_unsold"),
        _auction_lost,
        DAILY,
        LOW_PRIORITY_CHOICES,
    ),
    NotificationKind(
        "auction.sold",
        "Item sold",
        "One of your auctions sold.",
        ("auction.closed",),
        _auction_sold,
        INSTANT,
        NORMAL_CHOICES,
    ),
    NotificationKind(
        "auction.unsold",
        "Auction not sold",
        "One of your auctions ended without a sale.",
        ("auction.ended_unsold",),
        _auction_unsold,
        INSTANT,
        NORMAL_CHOICES,
    ),
    NotificationKind(
        "auction.ending_soon",
        "Watched item ending soon",
        "A listing you watch ends in about an hour.",
        ("listing.ending_soon",),
        _auction_ending_soon,
        INSTANT,
        LOW_PRIORITY_CHOICES,
    ),
    NotificationKind(
        "message.new",
        "New message",
        "A member sent you a message (emailed only while you are not on dBay, at most once per "
        "conversation in a quiet period).",
        ("message.sent",),
        _message_new,
        INSTANT,
        NORMAL_CHOICES,
        quiet_period=True,
    ),
)

KINDS_BY_TYPE: dict[str, NotificationKind] = {kind.type: kind for kind in KINDS}


def kinds_for_event(detail_type: str) -> list[NotificationKind]:
    """The types ``detail_type`` produces (usually one)."""
    return [kind for kind in KINDS if detail_type in kind.events]


NOTIFYING_EVENTS: frozenset[str] = frozenset(name for kind in KINDS for name in kind.events)
