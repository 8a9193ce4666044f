"""Events: what messaging-service publishes (exactly once, exact data) and the copies it keeps."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from dbay_common.events.envelope import Event
from dbay_common.transports.base import build_publisher_from_env
from messaging_service import relay, worker
from messaging_service.events import HANDLERS

from .support import PREFIX, Db, Member, deliver, listing_data, outbox_events, send, start


def test_message_sent_carries_the_message_once(
    client: FlaskClient, member: Callable[..., Member], listing: Callable[..., str], database: Db
) -> None:
    buyer, seller = member(display_name="Bob B."), member()
    listing_id = listing(seller.id)
    conversation = start(client, buyer, listing_id=listing_id, body=" Hi there ").get_json()
    message = conversation["last_message"]

    (event,) = outbox_events(database, "message.sent")

    assert (event.source, event.version, event.metadata.producer) == (
        "dbay.messaging",
        1,
        "messaging-service",
    )
    assert event.data == {
        "message_id": message["id"],
        "conversation_id": conversation["id"],
        "listing_id": listing_id,
        "listing_title": "Canon EOS 5D Mark IV body",
        "sender_id": buyer.id,
        "sender_name": "Bob B.",
        "recipient_id": seller.id,
        "body": "Hi there",
        "sent_at": message["sent_at"],
    }
    direct = start(client, seller, recipient_id=buyer.id, body="Direct").get_json()
    (direct_event,) = [
        e for e in outbox_events(database, "message.sent") if e.data["conversation_id"] == direct["id"]
    ]
    assert (direct_event.data["listing_id"], direct_event.data["listing_title"]) == (None, None)
    assert direct_event.data["sender_name"] == seller.username


def test_conversation_read_tells_the_other_party(
    client: FlaskClient, member: Callable[..., Member], listing: Callable[..., str], database: Db
) -> None:
    buyer, seller = member(), member()
    conversation = start(client, buyer, listing_id=listing(seller.id)).get_json()
    message_id = conversation["last_message"]["id"]
    url = f"{PREFIX}/conversations/{conversation['id']}/read"
    client.post(url, json={"last_read_message_id": message_id}, headers=seller.headers)
    client.post(url, json={"last_read_message_id": message_id}, headers=seller.headers)  # no move: no event

    (event,) = outbox_events(database, "conversation.read")

    stored = database["conversations"].find_one({"_id": conversation["id"]})
    assert stored is not None
    assert event.data == {
        "conversation_id": conversation["id"],
        "reader_id": seller.id,
        "other_id": buyer.id,
        "last_read_message_id": message_id,
        "read_at": stored["read_at"][seller.id].isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }


def test_the_relay_publishes_each_event_once(
    client: FlaskClient,
    member: Callable[..., Member],
    listing: Callable[..., str],
    database: Db,
    event_bus_env: Any,
    events_redis: Any,
    event_stream: Any,
) -> None:
    buyer, seller = member(), member()
    conversation = start(client, buyer, listing_id=listing(seller.id)).get_json()
    send(client, seller, conversation["id"], "Yes")
    client.post(
        f"{PREFIX}/conversations/{conversation['id']}/read",
        json={"last_read_message_id": conversation["last_message"]["id"]},
        headers=seller.headers,
    )
    expected = {e.event_id for e in outbox_events(database)}

    assert relay.run(max_passes=2) == 3
    assert relay.run(max_passes=1) == 0

    published = [
        Event.from_json(fields["event"]) if "event" in fields else None
        for _id, fields in events_redis.xrange(event_stream.stream)
    ]
    published_ids = [e.event_id for e in published if e is not None]
    assert sorted(published_ids) == sorted(expected) and len(expected) == 3
    assert outbox_events(database) == []


def test_listing_copies_keep_the_newest_version(database: Db) -> None:
    listing_id, seller_id = str(uuid.uuid4()), str(uuid.uuid4())
    created = deliver(
        "listing.created", listing_data(listing_id, seller_id, status="draft"), source="dbay.listing"
    )
    deliver(
        "listing.published",
        listing_data(listing_id, seller_id, version=3, title="Renamed", thumbnail_url=None),
        source="dbay.listing",
    )
    # An older version arriving late, and a redelivery, change nothing.
    deliver(
        "listing.updated", listing_data(listing_id, seller_id, version=2, title="Old"), source="dbay.listing"
    )
    HANDLERS["listing.created"](created)

    copy = database["listings"].find_one({"_id": listing_id}, {"applied_events": 0})
    assert copy == {
        "_id": listing_id,
        "seller_id": seller_id,
        "title": "Renamed",
        "status": "active",
        "photo_url": None,
        "version": 3,
    }
    deliver(
        "listing.withdrawn",
        listing_data(listing_id, seller_id, version=4, status="withdrawn"),
        source="dbay.listing",
    )
    copy = database["listings"].find_one({"_id": listing_id})
    assert copy is not None and (copy["status"], copy["version"]) == ("withdrawn", 4)


def _profile(user_id: str, display_name: str, updated_at: str) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "username": "ada_l",
        "display_name": display_name,
        "avatar_url": "",
        "location": "",
        "bio": "",
        "changed_fields": ["display_name"],
        "updated_at": updated_at,
    }


def test_member_copies_keep_the_newest_names(database: Db) -> None:
    user_id = str(uuid.uuid4())
    registered = {
        "user_id": user_id,
        "username": "ada_l",
        "email": "ada@example.com",
        "roles": ["buyer", "seller"],
        "registered_at": "2026-12-01T10:00:00Z",
    }
    # The profile arrives before the registration (the bus does not order across producers' events).
    deliver("user.profile_updated", _profile(user_id, "Ada L.", "2026-12-02T10:00:00Z"), source="dbay.user")
    deliver("user.registered", registered, source="dbay.user")
    deliver("user.profile_updated", _profile(user_id, "Older", "2026-12-01T11:00:00Z"), source="dbay.user")
    newer = deliver(
        "user.profile_updated", _profile(user_id, "Ada Lovelace", "2026-12-03T10:00:00Z"), source="dbay.user"
    )
    HANDLERS["user.profile_updated"](newer)

    copy = database["members"].find_one({"_id": user_id})
    assert copy is not None
    assert (copy["username"], copy["display_name"]) == ("ada_l", "Ada Lovelace")
    assert len(copy["applied_events"]) == 2  # the first insert's key and the newer profile's


def test_the_worker_consumes_the_bus(database: Db, event_bus_env: Any) -> None:
    listing_id, seller_id = str(uuid.uuid4()), str(uuid.uuid4())
    event = Event.new(
        source="dbay.listing", detail_type="listing.created", data=listing_data(listing_id, seller_id)
    )
    publisher = build_publisher_from_env()
    publisher.publish([event, event])

    worker.run(max_batches=2, block_ms=200)

    copy = database["listings"].find_one({"_id": listing_id})
    assert copy is not None and copy["title"] == "Canon EOS 5D Mark IV body"


def test_a_lost_inbox_move_is_caught_up_from_message_sent(
    client: FlaskClient, member: Callable[..., Member], listing: Callable[..., str], database: Db
) -> None:
    buyer, seller = member(), member()
    conversation = start(client, buyer, listing_id=listing(seller.id)).get_json()
    reply = send(client, seller, conversation["id"], "Yes").get_json()
    # As if the process had died between storing the reply and moving the conversation up.
    first = conversation["last_message"]["id"]
    database["conversations"].update_one({"_id": conversation["id"]}, {"$set": {"activity": first}})
    (event,) = [e for e in outbox_events(database, "message.sent") if e.data["message_id"] == reply["id"]]

    HANDLERS["message.sent"](event)
    HANDLERS["message.sent"](event)

    stored = database["conversations"].find_one({"_id": conversation["id"]})
    assert stored is not None and stored["activity"] == reply["id"]
