"""A suspended member cannot send messages (their copy of user.suspended), until reinstated."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from .support import Db, Member, deliver, outbox_events, send, start

SUSPENDED = {
    "type": "permission_error",
    "code": "account_suspended",
    "message": "Your account is suspended, so you cannot send messages. Contact support to find out more.",
}


def test_a_suspended_member_cannot_start_or_send_until_reinstated(
    client: FlaskClient, member: Callable[..., Member], listing: Callable[..., str], database: Db
) -> None:
    buyer, seller = member(), member()
    conversation_id = start(client, buyer, listing_id=listing(seller.id), body="Hi").get_json()["id"]
    sent_before = len(outbox_events(database, "message.sent"))

    deliver(
        "user.suspended",
        {"user_id": buyer.id, "reason": "spam", "suspended_at": "2026-12-07T22:00:00+00:00"},
        source="dbay.user",
    )
    # An older reinstatement arriving late changes nothing.
    deliver(
        "user.reinstated",
        {"user_id": buyer.id, "reinstated_at": "2026-12-07T21:00:00+00:00"},
        source="dbay.user",
    )

    refused_send = send(client, buyer, conversation_id, "Still there?")
    refused_start = start(client, buyer, recipient_id=member().id, body="Hello")
    for response in (refused_send, refused_start):
        assert (response.status_code, response.get_json()) == (403, {"error": SUSPENDED})
    assert len(outbox_events(database, "message.sent")) == sent_before
    assert send(client, seller, conversation_id, "The seller can still answer").status_code == 201

    deliver(
        "user.reinstated",
        {"user_id": buyer.id, "reinstated_at": "2026-12-07T23:00:00+00:00"},
        source="dbay.user",
    )
    assert send(client, buyer, conversation_id, "Back again").status_code == 201
