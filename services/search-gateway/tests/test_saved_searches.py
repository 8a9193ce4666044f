"""Saved searches: create, list, delete; a new matching listing publishes search.matched once."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from dbay_common.events.envelope import Event
from dbay_common.transports.base import build_publisher_from_env
from search_gateway import worker
from search_gateway.services import MAX_SAVED_SEARCHES
from search_gateway.store import listing_document

from .factories import DOGE, listing_event, snapshot

SAVED = "/api/v1/search/saved"


@pytest.fixture
def user_id() -> str:
    return str(uuid.uuid4())


def save(client: FlaskClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = client.post(SAVED, json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    created: dict[str, Any] = response.get_json()
    return created


def published(events_redis: Any, stream: str) -> list[Event]:
    return [Event.from_json(fields["event"]) for _id, fields in events_redis.xrange(stream)]


def matched_events(events_redis: Any, stream: str) -> list[Event]:
    return [event for event in published(events_redis, stream) if event.detail_type == "search.matched"]


def test_create_list_delete(client: FlaskClient, auth: Callable[[str], dict[str, str]], user_id: str) -> None:
    headers = auth(user_id)
    first = save(client, headers, name="Cheap cameras", q="camera", price_max="50", condition=["new", "good"])
    second = save(client, headers, name="Lenses", category="cameras-photo.lenses")

    assert first["name"] == "Cheap cameras"
    assert first["filters"] == {
        "q": "camera",
        "price_max_koinu": str(50 * DOGE),
        "conditions": ["new", "good"],
        "status": "active",
    }
    listed = client.get(SAVED, headers=headers).get_json()
    assert [item["id"] for item in listed["data"]] == [second["id"], first["id"]]
    assert client.get(SAVED, headers=auth(str(uuid.uuid4()))).get_json() == {"data": [], "has_more": False}

    assert client.delete(f"{SAVED}/{first['id']}", headers=auth(str(uuid.uuid4()))).status_code == 404
    assert client.delete(f"{SAVED}/{first['id']}", headers=headers).status_code == 204
    assert [item["id"] for item in client.get(SAVED, headers=headers).get_json()["data"]] == [second["id"]]
    assert client.delete(f"{SAVED}/{first['id']}", headers=headers).status_code == 404


def test_saved_searches_need_a_signed_in_user(client: FlaskClient) -> None:
    assert client.get(SAVED).status_code == 401
    assert client.post(SAVED, json={"name": "x"}).status_code == 401


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x", "price_min": "abc"}, "price_min"),
        ({"name": "x", "condition": ["mint"]}, "condition.0"),
        ({"name": "x", "colour": "red"}, "colour"),
        ({"name": "x", "price_min": "5", "price_max": "1"}, "price_min"),
    ],
)
def test_bad_saved_search_is_a_400(
    client: FlaskClient, auth: Callable[[str], dict[str, str]], user_id: str, body: dict[str, Any], param: str
) -> None:
    response = client.post(SAVED, json=body, headers=auth(user_id))

    assert response.status_code == 400
    assert response.get_json()["error"]["param"] == param
    assert client.get(SAVED, headers=auth(user_id)).get_json()["data"] == []


def test_at_most_fifty_saved_searches(
    client: FlaskClient, auth: Callable[[str], dict[str, str]], user_id: str
) -> None:
    headers = auth(user_id)
    for number in range(MAX_SAVED_SEARCHES):
        save(client, headers, name=f"search {number}")

    response = client.post(SAVED, json={"name": "one too many"}, headers=headers)

    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "too_many_saved_searches"


def test_a_new_matching_listing_publishes_one_event_per_saved_search(
    client: FlaskClient,
    auth: Callable[[str], dict[str, str]],
    user_id: str,
    event_bus_env: Any,
    events_redis: Any,
) -> None:
    cameras = save(client, auth(user_id), name="Cameras", q="cameras", price_max="20")
    other_user = str(uuid.uuid4())
    lenses = save(client, auth(other_user), name="Any lens", q="lens")
    save(client, auth(str(uuid.uuid4())), name="Too cheap", q="camera", price_max="1")
    listing = snapshot(title="Compact camera with lens", price_koinu=str(15 * DOGE))
    published_event = listing_event("listing.published", listing)

    build_publisher_from_env().publish([published_event, published_event])
    worker.run(max_batches=1, block_ms=200)
    build_publisher_from_env().publish([listing_event("listing.updated", {**listing, "version": 2})])
    worker.run(max_batches=1, block_ms=200)

    events = matched_events(events_redis, event_bus_env.stream)
    assert sorted((event.data["saved_search_id"], event.data["user_id"]) for event in events) == sorted(
        [(cameras["id"], user_id), (lenses["id"], other_user)]
    )
    by_search = {event.data["saved_search_id"]: event for event in events}
    assert by_search[cameras["id"]].data == {
        "user_id": user_id,
        "saved_search_id": cameras["id"],
        "saved_search_name": "Cameras",
        "listing_id": listing["listing_id"],
        "title": "Compact camera with lens",
    }
    assert by_search[cameras["id"]].source == "dbay.search"
    assert by_search[cameras["id"]].metadata.event_id == str(
        uuid.uuid5(
            uuid.UUID("6f1f3c2e-2b7a-4d55-9a41-5c1e0d7b9e10"), f"{cameras['id']}:{listing['listing_id']}"
        )
    )


def test_a_draft_or_the_sellers_own_listing_matches_nothing(
    client: FlaskClient,
    auth: Callable[[str], dict[str, str]],
    user_id: str,
    event_bus_env: Any,
    events_redis: Any,
) -> None:
    save(client, auth(user_id), name="Lamps", q="lamp")
    build_publisher_from_env().publish(
        [
            listing_event("listing.created", snapshot(title="Desk lamp", status="draft")),
            listing_event("listing.published", snapshot(title="Floor lamp", seller_id=user_id)),
            listing_event("listing.updated", snapshot(title="Table lamp")),
        ]
    )
    worker.run(max_batches=1, block_ms=200)

    assert matched_events(events_redis, event_bus_env.stream) == []


def test_a_scheduled_listing_matches_when_it_starts(
    client: FlaskClient,
    auth: Callable[[str], dict[str, str]],
    user_id: str,
    event_bus_env: Any,
    events_redis: Any,
) -> None:
    saved = save(client, auth(user_id), name="Globes", q="globe")
    scheduled = snapshot(title="Antique globe", status="scheduled")
    build_publisher_from_env().publish([listing_event("listing.published", scheduled)])
    worker.run(max_batches=1, block_ms=200)
    assert matched_events(events_redis, event_bus_env.stream) == []

    started = {**scheduled, "version": 2, "status": "active"}
    build_publisher_from_env().publish([listing_event("listing.updated", started)])
    worker.run(max_batches=1, block_ms=200)
    build_publisher_from_env().publish([listing_event("listing.updated", {**started, "version": 3})])
    worker.run(max_batches=1, block_ms=200)

    assert [
        event.data["saved_search_id"] for event in matched_events(events_redis, event_bus_env.stream)
    ] == [saved["id"]]


def test_a_redelivery_after_a_crash_before_matching_still_announces_once(
    client: FlaskClient,
    auth: Callable[[str], dict[str, str]],
    user_id: str,
    event_bus_env: Any,
    events_redis: Any,
    index: Any,
) -> None:
    saved = save(client, auth(user_id), name="Clocks", q="clock")
    listing = snapshot(title="Carriage clock")
    # The first delivery wrote the listing, then the process died before matching.
    index.put_listing(listing_document(listing), refresh=True)
    event = listing_event("listing.published", listing)

    build_publisher_from_env().publish([event])
    worker.run(max_batches=1, block_ms=200)
    build_publisher_from_env().publish([event])
    worker.run(max_batches=1, block_ms=200)

    assert [
        event.data["saved_search_id"] for event in matched_events(events_redis, event_bus_env.stream)
    ] == [saved["id"]]
