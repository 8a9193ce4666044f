"""Helpers of the messaging-service tests: events handed to the worker's handlers, API calls."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient
from pymongo.database import Database

from dbay_common.events.envelope import Event
from messaging_service.db import STORE
from messaging_service.events import HANDLERS

Db = Database[dict[str, Any]]


def deliver(detail_type: str, data: dict[str, Any], *, source: str) -> Event:
    """Hand an event to the worker's handler, as the consumer would; returns it (to redeliver)."""
    event = Event.new(source=source, detail_type=detail_type, data=data)
    HANDLERS[detail_type](event)
    return event


@dataclass
class Member:
    id: str
    username: str
    headers: dict[str, str]


def listing_data(listing_id: str, seller_id: str, **changes: Any) -> dict[str, Any]:
    """The part of a listing event's snapshot this service reads, plus a few fields it ignores."""
    return {
        "listing_id": listing_id,
        "version": 1,
        "seller_id": seller_id,
        "seller_username": "",
        "status": "active",
        "title": "Canon EOS 5D Mark IV body",
        "description": "Shutter count 12,000.",
        "format": "auction",
        "price_koinu": "10000000000",
        "thumbnail_url": "/api/v1/listings/photos/0c9d8e7f/thumb",
        "photo_count": 1,
        **changes,
    }


def outbox_events(database: Db, detail_type: str | None = None) -> list[Event]:
    """Every event waiting in the service's outboxes (what the relay will publish), oldest first."""
    events = [
        Event.from_json(text)
        for name in STORE.outbox_collections
        for doc in database[name].find({"outbox_pending": True})
        for text in doc.get("outbox", [])
    ]
    events.sort(key=lambda e: e.metadata.occurred_at)
    return [e for e in events if detail_type is None or e.detail_type == detail_type]


PREFIX = "/api/v1/messaging"


def start(client: FlaskClient, who: Member, *, body: str = "Is it still available?", **target: Any) -> Any:
    """POST conversations; returns the response."""
    return client.post(f"{PREFIX}/conversations", json={"body": body, **target}, headers=who.headers)


def send(client: FlaskClient, who: Member, conversation_id: str, body: str) -> Any:
    return client.post(
        f"{PREFIX}/conversations/{conversation_id}/messages", json={"body": body}, headers=who.headers
    )
