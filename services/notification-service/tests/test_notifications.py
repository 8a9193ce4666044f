"""Each consumed event → the exact notification, live messages, email intents and digest entries,
against the real FerretDB and Redis (the handlers as the worker calls them)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import redis

from dbay_common.events.envelope import Event
from notification_service.db import DIGEST_ITEMS, EMAILS, NOTIFICATIONS
from notification_service.events import HANDLERS
from notification_service.live.topics import presence_key
from notification_service.preferences import preferences_update

Make = Callable[[str, dict[str, Any]], Event]
Frames = Callable[[str], list[dict[str, Any]]]
LISTING_ID = "8f0e3c1a-4b6d-4c2e-9a7f-1d2e3f4a5b6c"
CONVERSATION_ID = "c0c0c0c0-1111-4222-8333-444455556666"


def handle(event: Event) -> None:
    HANDLERS[event.detail_type](event)


def listing(seller_id: str, **extra: Any) -> dict[str, Any]:
    """The part of a listing snapshot the handlers read (they ignore the rest)."""
    return {
        "listing_id": LISTING_ID,
        "version": 3,
        "seller_id": seller_id,
        "status": "active",
        "title": "Canon EOS 5D Mark IV body",
        "starts_at": "2026-12-08T09:30:00Z",
        **extra,
    }


def message(
    sender_id: str, recipient_id: str, body: str = "Is it still available?", **extra: Any
) -> dict[str, Any]:
    return {
        "message_id": str(uuid.uuid4()),
        "conversation_id": CONVERSATION_ID,
        "listing_id": LISTING_ID,
        "listing_title": "Canon EOS 5D Mark IV body",
        "sender_id": sender_id,
        "sender_name": "Bob",
        "recipient_id": recipient_id,
        "body": body,
        "sent_at": "2026-12-07T18:00:00.000Z",
        **extra,
    }


WINNER = "0a0a0a0a-1111-4222-8333-444455556666"
SELLER = "0b0b0b0b-1111-4222-8333-444455556666"


def closed(**extra: Any) -> dict[str, Any]:
    """An ``auction.closed`` (auction-service) nobody in the directory took part in unless told."""
    return {
        "listing_id": LISTING_ID,
        "seller_id": SELLER,
        "winner_id": WINNER,
        "price_koinu": "13000000000",
        "escrow_hold_id": str(uuid.uuid4()),
        "via": "ended",
        "bidder_ids": [WINNER],
        "closed_at": "2026-12-14T18:00:01Z",
        **extra,
    }


def unsold(**extra: Any) -> dict[str, Any]:
    return {
        "listing_id": LISTING_ID,
        "seller_id": SELLER,
        "reason": "no_bids",
        "bidder_ids": [],
        "ended_at": "2026-12-14T18:00:01Z",
        **extra,
    }


def cases(u: str) -> list[tuple[str, dict[str, Any], str, str, str | None, str]]:
    """(event, data, title, body, link, type) for every notification type."""
    wallet = {"user_id": u, "deposit_id": "d-1", "txid": "ab" * 32, "vout": 1}
    out = {"user_id": u, "withdrawal_id": "w-1"}
    return [
        (
            "deposit.detected",
            {
                **wallet,
                "address": "D1",
                "amount_koinu": "150000000",
                "confirmations": 0,
                "required_confirmations": 20,
            },
            "Incoming deposit of 1.5 DOGE",
            "We have seen your deposit of 1.5 DOGE on the Dogecoin network. It is added to your balance "
            "after 20 confirmations.",
            "/wallet",
            "deposit.seen",
        ),
        (
            "deposit.confirmed",
            {
                **wallet,
                "amount_koinu": "100000000",
                "block_height": 5,
                "block_hash": "00",
                "confirmations": 20,
                "transfer_id": "t-1",
                "credit_number": 1,
            },
            "Deposit of 1 DOGE credited",
            "1 DOGE is now in your dBay balance and ready to spend.",
            "/wallet",
            "deposit.credited",
        ),
        (
            "deposit.reversed",
            {
                **wallet,
                "amount_koinu": "300000000",
                "orphaned_block_hash": "00",
                "recovered_koinu": "50000000",
                "shortfall_koinu": "250000000",
                "account_frozen": True,
            },
            "Deposit of 3 DOGE reversed",
            "The block holding your deposit was replaced on the Dogecoin network, so its credit was taken "
            "back. Part of it had already been used, so your wallet is frozen until our staff review it.",
            "/wallet",
            "deposit.reversed",
        ),
        (
            "withdrawal.broadcast",
            {**out, "txid": "cd" * 32, "amount_koinu": "200000000", "fee_koinu": "1000000"},
            "Withdrawal of 2 DOGE sent",
            "Your withdrawal of 2 DOGE (network fee 0.01 DOGE) is on its way on the Dogecoin network. If "
            "you did not ask for it, change your password and contact support now.",
            "/wallet",
            "withdrawal.sent",
        ),
        (
            "withdrawal.confirmed",
            {
                **out,
                "txid": "cd" * 32,
                "block_height": 9,
                "confirmations": 6,
                "amount_koinu": "200000000",
                "fee_koinu": "1000000",
            },
            "Withdrawal of 2 DOGE confirmed",
            "Your withdrawal of 2 DOGE is confirmed on the Dogecoin network and complete.",
            "/wallet",
            "withdrawal.confirmed",
        ),
        (
            "withdrawal.failed",
            {
                **out,
                "amount_koinu": "200000000",
                "fee_koinu": "1000000",
                "reason": "rejected",
                "message": "rejected by staff",
                "txid": None,
            },
            "Withdrawal of 2 DOGE rejected",
            "Our staff did not approve your withdrawal of 2 DOGE. The 2.01 DOGE held for it is available in "
            "your balance again.",
            "/wallet",
            "withdrawal.rejected",
        ),
        (
            "withdrawal.failed",
            {
                **out,
                "amount_koinu": "12345678",
                "fee_koinu": "1000000",
                "reason": "transaction_failed",
                "message": "inputs spent",
                "txid": "ef" * 32,
            },
            "Withdrawal of 0.12345678 DOGE failed",
            "Your withdrawal of 0.12345678 DOGE could not be completed on the Dogecoin network. The "
            "0.13345678 DOGE held for it is available in your balance again.",
            "/wallet",
            "withdrawal.rejected",
        ),
        (
            "withdrawal.held",
            {**out, "amount_koinu": "200000000", "fee_koinu": "1000000", "reason": "account_frozen"},
            "Withdrawal of 2 DOGE on hold",
            "Your withdrawal of 2 DOGE was not sent because your wallet is under review. Our staff will "
            "send or reject it after the review; the amount stays held until then.",
            "/wallet",
            "withdrawal.held",
        ),
        (
            "session.started",
            {
                "session_id": "s-1",
                "user_id": u,
                "new_device": True,
                "ip_address": "203.0.113.9",
                "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
                "started_at": "2026-12-07T18:05:00Z",
            },
            "New sign-in to your account",
            "Your account was signed in from a new device on 7 Dec 2026, 18:05 UTC: Mozilla/5.0 (X11; Linux "
            "x86_64) Firefox/133.0 (IP address 203.0.113.9). If this was not you, change your password now "
            "and sign out your other sessions.",
            "/account",
            "security.new_sign_in",
        ),
        (
            "listing.published",
            listing(u),
            "Your listing is live: Canon EOS 5D Mark IV body",
            "“Canon EOS 5D Mark IV body” is published and buyers can find it now.",
            f"/listings/{LISTING_ID}",
            "listing.published",
        ),
        (
            "listing.published",
            listing(u, status="scheduled"),
            "Your listing is live: Canon EOS 5D Mark IV body",
            "“Canon EOS 5D Mark IV body” is scheduled and goes live on 8 Dec 2026, 09:30 UTC.",
            f"/listings/{LISTING_ID}",
            "listing.published",
        ),
        (
            "listing.ended",
            listing(u, status="ended", reason="duration_elapsed"),
            "Your listing has ended: Canon EOS 5D Mark IV body",
            "“Canon EOS 5D Mark IV body” reached its end time.",
            f"/listings/{LISTING_ID}",
            "listing.ended",
        ),
        (
            "listing.withdrawn",
            listing(u, status="withdrawn", reason="Counterfeit branded item.", withdrawn_by="staff"),
            "Your listing was taken down: Canon EOS 5D Mark IV body",
            "Our staff removed “Canon EOS 5D Mark IV body” from dBay. Reason: Counterfeit branded item.",
            "/my-listings",
            "listing.taken_down",
        ),
        (
            "search.matched",
            {
                "user_id": u,
                "saved_search_id": "ss-1",
                "saved_search_name": "Cheap cameras",
                "listing_id": LISTING_ID,
                "title": "Compact camera with lens",
            },
            "New match for “Cheap cameras”",
            "“Compact camera with lens” matches your saved search.",
            f"/listings/{LISTING_ID}",
            "search.match",
        ),
        (
            "bid.outbid",
            {
                "listing_id": LISTING_ID,
                "title": "Canon EOS 5D Mark IV body",
                "bidder_id": u,
                "current_price_koinu": "12550000000",
                "outbid_at": "2026-12-07T18:00:00Z",
            },
            "You've been outbid on “Canon EOS 5D Mark IV body”",
            "Another bidder's maximum is higher than yours: the current price is 125.5 DOGE. The money "
            "held for your bid is available again. Bid again before the auction ends to win it.",
            f"/listings/{LISTING_ID}",
            "bid.outbid",
        ),
        (
            "auction.closed",
            closed(winner_id=u),
            "You won an item you bid on",
            "You won the auction for 130 DOGE. The 130 DOGE is held in escrow from your wallet until the "
            "sale is complete; anything you had held above it is available again.",
            f"/listings/{LISTING_ID}",
            "auction.won",
        ),
        (
            "auction.closed",
            closed(bidder_ids=[WINNER, u, u]),
            "Auction ended: an item you bid on",
            "Another bidder won an item you bid on for 130 DOGE. The money held for your bid is available "
            "again.",
            f"/listings/{LISTING_ID}",
            "auction.lost",
        ),
        (
            "auction.closed",
            closed(seller_id=u, via="buy_it_now"),
            "Your auction sold for 130 DOGE",
            "Your item sold with Buy It Now for 130 DOGE. The buyer's 130 DOGE is held in escrow until the "
            "sale is complete.",
            f"/listings/{LISTING_ID}",
            "auction.sold",
        ),
        (
            "auction.ended_unsold",
            unsold(seller_id=u, reason="reserve_not_met", title="Brass sextant"),
            "Not sold: “Brass sextant”",
            "Your auction for “Brass sextant” ended below your reserve price, so it did not sell. You can "
            "list it again.",
            f"/listings/{LISTING_ID}",
            "auction.unsold",
        ),
        (
            "listing.ending_soon",
            {
                "listing_id": LISTING_ID,
                "title": "Canon EOS 5D Mark IV body",
                "ends_at": "2026-12-14T18:00:00Z",
                "watcher_ids": [u],
            },
            "Ending soon: “Canon EOS 5D Mark IV body”",
            "“Canon EOS 5D Mark IV body”, which you are watching, ends in about an hour (14 Dec 2026, 18:00 "
            "UTC).",
            f"/listings/{LISTING_ID}",
            "auction.ending_soon",
        ),
        (
            "message.sent",
            message(str(uuid.uuid4()), u, body="Hello!\n\nIs the   battery included?"),
            "New message from Bob",
            "About “Canon EOS 5D Mark IV body”: Hello! Is the battery included?",
            f"/messages/{CONVERSATION_ID}",
            "message.new",
        ),
    ]


@pytest.mark.parametrize("index", range(21))
def test_each_event_makes_its_exact_notification(
    index: int, db: Any, event: Make, member: Callable[..., str]
) -> None:
    user_id = member()
    name, data, title, body, link, type_ = cases(user_id)[index]

    handle(event(name, data))

    rows = list(
        db[NOTIFICATIONS].find(
            {"user_id": user_id}, {"_id": 0, "user_id": 1, "type": 1, "title": 1, "body": 1, "link": 1}
        )
    )
    assert rows == [{"user_id": user_id, "type": type_, "title": title, "body": body, "link": link}]


def test_every_type_is_covered_by_the_cases() -> None:
    from notification_service.kinds import KINDS

    assert {case[5] for case in cases("u")} == {kind.type for kind in KINDS}


def test_a_sign_in_from_a_known_device_tells_nobody(db: Any, event: Make, member: Callable[..., str]) -> None:
    user_id = member()
    handle(
        event(
            "session.started",
            {
                "session_id": "s",
                "user_id": user_id,
                "new_device": False,
                "ip_address": None,
                "user_agent": "x",
                "started_at": "2026-12-07T18:05:00Z",
            },
        )
    )
    assert (db[NOTIFICATIONS].count_documents({}), db[EMAILS].count_documents({})) == (0, 0)


def test_a_redelivered_event_creates_nothing_twice(db: Any, event: Make, member: Callable[..., str]) -> None:
    user_id = member()
    name, data, *_ = cases(user_id)[1]  # deposit credited: in-app and instant email
    delivered = event(name, data)

    handle(delivered)
    handle(delivered)

    assert db[NOTIFICATIONS].count_documents({"user_id": user_id}) == 1
    assert [e["subject"] for e in db[EMAILS].find()] == ["Deposit of 1 DOGE credited"]


def test_live_messages_go_out_with_the_notification(
    db: Any, event: Make, member: Callable[..., str], frames: Frames
) -> None:
    user_id = member()
    name, data, *_ = cases(user_id)[1]
    handle(event(name, data))
    handle(
        event(
            "withdrawal.requested",
            {
                "withdrawal_id": "w-9",
                "user_id": user_id,
                "address": "D",
                "amount_koinu": "1",
                "fee_koinu": "1",
                "status": "approved",
            },
        )
    )

    got = [(f["seq"], f["event"], f["data"]) for f in frames(f"user:{user_id}")]
    [notification] = db[NOTIFICATIONS].find()
    assert got == [
        (1, "wallet.updated", {"cause": "deposit.confirmed", "deposit_id": "d-1"}),
        (
            2,
            "notification.created",
            {
                "notification": {
                    "id": notification["_id"],
                    "type": "deposit.credited",
                    "title": "Deposit of 1 DOGE credited",
                    "body": "1 DOGE is now in your dBay balance and ready to spend.",
                    "link": "/wallet",
                    "created_at": got[1][2]["notification"]["created_at"],
                    "read_at": None,
                },
                "unread_count": 1,
            },
        ),
        (3, "wallet.updated", {"cause": "withdrawal.requested", "withdrawal_id": "w-9"}),
    ]


def test_a_message_goes_live_to_both_parties_and_a_read_receipt_to_the_other(
    event: Make, member: Callable[..., str], frames: Frames
) -> None:
    buyer, seller = member(), member()
    data = message(buyer, seller)
    handle(event("message.sent", data))
    handle(
        event(
            "conversation.read",
            {
                "conversation_id": CONVERSATION_ID,
                "reader_id": seller,
                "other_id": buyer,
                "last_read_message_id": data["message_id"],
                "read_at": "2026-12-07T18:01:00.000Z",
            },
        )
    )

    shaped = {
        "id": data["message_id"],
        "conversation_id": CONVERSATION_ID,
        "sender_id": buyer,
        "body": "Is it still available?",
        "sent_at": "2026-12-07T18:00:00.000Z",
    }
    created = {"conversation_id": CONVERSATION_ID, "message": shaped}
    assert [(f["event"], f["data"]) for f in frames(f"user:{buyer}")] == [
        ("message.created", created),
        (
            "conversation.read",
            {
                "conversation_id": CONVERSATION_ID,
                "reader_id": seller,
                "last_read_message_id": data["message_id"],
                "read_at": "2026-12-07T18:01:00.000Z",
            },
        ),
    ]
    assert [f["event"] for f in frames(f"user:{seller}")] == ["message.created", "notification.created"]


def test_listing_events_update_the_public_listing_topic(
    event: Make, member: Callable[..., str], frames: Frames
) -> None:
    listing_id = str(uuid.uuid4())
    handle(event("listing.updated", listing(member(), version=7, listing_id=listing_id)))
    assert [(f["event"], f["data"]) for f in frames(f"listing:{listing_id}")] == [
        ("listing.updated", {"listing_id": listing_id, "status": "active", "version": 7})
    ]


def test_preferences_off_means_nothing_is_created(db: Any, event: Make, member: Callable[..., str]) -> None:
    user_id = member()
    preferences_update(
        db,
        user_id=user_id,
        changes=[{"type": "deposit.credited", "in_app": False, "email": "off"}],
        default_hour=8,
    )
    name, data, *_ = cases(user_id)[1]
    handle(event(name, data))
    assert [db[c].count_documents({}) for c in (NOTIFICATIONS, EMAILS, DIGEST_ITEMS)] == [0, 0, 0]


def test_email_goes_to_verified_addresses_only(db: Any, event: Make, member: Callable[..., str]) -> None:
    unverified = member(verified=False)
    name, data, *_ = cases(unverified)[1]
    handle(event(name, data))
    assert (db[NOTIFICATIONS].count_documents({}), db[EMAILS].count_documents({})) == (1, 0)


def test_the_directory_follows_user_events(db: Any, event: Make) -> None:
    user_id = str(uuid.uuid4())
    # Verification first (out of order), then registration, then a profile.
    handle(
        event(
            "user.email_verified",
            {"user_id": user_id, "email": "ada@new.example", "verified_at": "2026-12-07T18:00:00Z"},
        )
    )
    handle(
        event(
            "user.registered",
            {
                "user_id": user_id,
                "username": "ada_l",
                "email": "ada@old.example",
                "roles": ["buyer", "seller"],
                "registered_at": "2026-12-07T17:00:00Z",
            },
        )
    )
    profile = {
        "user_id": user_id,
        "username": "ada_l",
        "display_name": "Ada L.",
        "avatar_url": "",
        "location": "",
        "bio": "",
        "changed_fields": ["display_name"],
    }
    handle(event("user.profile_updated", {**profile, "updated_at": "2026-12-07T19:00:00Z"}))
    handle(
        event(
            "user.profile_updated", {**profile, "display_name": "Old", "updated_at": "2026-12-07T18:30:00Z"}
        )
    )

    name, data, *_ = cases(user_id)[1]
    handle(event(name, data))
    [email] = db[EMAILS].find()
    assert (email["to"], email["name"]) == ("ada@new.example", "Ada L.")


def test_daily_types_wait_for_the_digest(db: Any, event: Make, member: Callable[..., str]) -> None:
    user_id = member()
    name, data, *_ = cases(user_id)[13]  # search match: daily by default
    handle(event(name, data))
    assert [(i["type"], i["title"]) for i in db[DIGEST_ITEMS].find()] == [
        ("search.match", "New match for “Cheap cameras”")
    ]
    assert db[EMAILS].count_documents({}) == 0


# -- new-message email: offline recipients, one per conversation per quiet period ----------------------


def test_message_email_once_per_conversation_per_quiet_period(
    db: Any, event: Make, member: Callable[..., str]
) -> None:
    buyer, seller = member(), member()
    for body in ("one", "two", "three"):
        handle(event("message.sent", message(buyer, seller, body=body)))
    handle(
        event("message.sent", {**message(buyer, seller, body="elsewhere"), "conversation_id": "other-conv"})
    )

    assert db[NOTIFICATIONS].count_documents({"user_id": seller}) == 4
    assert sorted(e["body"] for e in db[EMAILS].find()) == [
        "About “Canon EOS 5D Mark IV body”: elsewhere",
        "About “Canon EOS 5D Mark IV body”: one",
    ]


def test_an_online_recipient_gets_no_message_email(
    db: Any, event: Make, member: Callable[..., str], live: redis.Redis
) -> None:
    buyer, seller = member(), member()
    live.hset(presence_key(seller), "test-instance", str(time.time() + 60))
    handle(event("message.sent", message(buyer, seller)))
    assert (db[NOTIFICATIONS].count_documents({}), db[EMAILS].count_documents({})) == (1, 0)
    live.delete(presence_key(seller))


def test_the_next_quiet_period_emails_again(
    db: Any, event: Make, member: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MESSAGE_EMAIL_QUIET_MINUTES", "1")
    buyer, seller = member(), member()
    first = event("message.sent", message(buyer, seller, body="first"))
    handle(first)
    later = Event.model_validate(
        {
            **first.model_dump(by_alias=True),
            "detail": {
                "metadata": {
                    **first.detail.metadata.model_dump(),
                    "event_id": str(uuid.uuid4()),
                    "occurred_at": first.metadata.occurred_at.replace(microsecond=0).timestamp() + 61,
                },
                "data": {**first.data, "message_id": str(uuid.uuid4()), "body": "a minute later"},
            },
        }
    )
    handle(later)
    assert db[EMAILS].count_documents({}) == 2


def test_an_id_the_live_channel_refuses_still_makes_the_notification(
    db: Any, event: Make, member: Callable[..., str]
) -> None:
    seller = member()
    handle(
        event(
            "listing.withdrawn",
            listing(seller, listing_id="not-a-uuid", reason="Fake.", withdrawn_by="staff"),
        )
    )
    assert [n["title"] for n in db[NOTIFICATIONS].find()] == [
        "Your listing was taken down: Canon EOS 5D Mark IV body"
    ]
