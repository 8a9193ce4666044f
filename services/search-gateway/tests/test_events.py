"""Listing events keep the index current: redelivered and out-of-order events never go backwards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dbay_common.transports.base import build_publisher_from_env
from search_gateway import worker
from search_gateway.store import SearchIndex

from .factories import ids, listing_event, snapshot


def stored(index: SearchIndex, listing_id: str) -> dict[str, Any]:
    document = index.client.get(index=index.alias, id=listing_id)
    return {"version": document["_version"], **document["_source"]}


def consume(*events: Any) -> None:
    build_publisher_from_env().publish(list(events))
    worker.run(max_batches=1, block_ms=200)


def test_the_worker_indexes_listing_events_from_the_bus(
    event_bus_env: Any, index: SearchIndex, search: Callable[..., Any]
) -> None:
    listing = snapshot(title="Brass telescope")

    consume(listing_event("listing.published", listing))
    index.client.indices.refresh(index=index.alias)

    assert ids(search(q="telescope")) == [listing["listing_id"]]
    assert stored(index, listing["listing_id"])["version"] == 1


def test_an_older_event_after_a_newer_one_changes_nothing(event_bus_env: Any, index: SearchIndex) -> None:
    v1 = snapshot(title="First title", version=1)
    v2 = {**v1, "version": 2, "title": "Second title"}

    consume(listing_event("listing.updated", v2), listing_event("listing.created", v1))

    assert stored(index, v1["listing_id"])["title"] == "Second title"
    assert stored(index, v1["listing_id"])["version"] == 2


def test_a_redelivered_event_changes_nothing(event_bus_env: Any, index: SearchIndex) -> None:
    v1 = snapshot(title="Title", version=1)
    event = listing_event("listing.created", v1)
    v2 = {**v1, "version": 2, "title": "Edited"}

    consume(event, listing_event("listing.updated", v2), event)

    assert stored(index, v1["listing_id"])["title"] == "Edited"


def test_a_withdrawn_listing_stays_out_whatever_arrives_later(
    event_bus_env: Any, index: SearchIndex, search: Callable[..., Any]
) -> None:
    v1 = snapshot(title="Replica watch", version=1)
    withdrawn = {**v1, "version": 3, "status": "withdrawn"}

    consume(
        listing_event("listing.published", v1),
        listing_event("listing.withdrawn", withdrawn, reason="Counterfeit goods.", withdrawn_by="staff"),
        listing_event("listing.updated", {**v1, "version": 2, "title": "Replica watch, boxed"}),
        listing_event("listing.published", v1),
    )
    index.client.indices.refresh(index=index.alias)

    assert search(q="watch")["data"] == []
    assert stored(index, v1["listing_id"]) == {
        "version": 3,
        "listing_id": v1["listing_id"],
        "seller_id": v1["seller_id"],
        "status": "withdrawn",
        "is_tombstone": True,
    }


def test_drafts_are_never_shown(event_bus_env: Any, index: SearchIndex, search: Callable[..., Any]) -> None:
    draft = snapshot(title="Draft lamp", status="draft")

    consume(listing_event("listing.created", draft))
    index.client.indices.refresh(index=index.alias)

    assert search(q="lamp")["data"] == []
    assert search(q="lamp", status="ended")["data"] == []


def test_an_ended_listing_leaves_default_results_and_shows_under_ended(
    event_bus_env: Any, index: SearchIndex, search: Callable[..., Any]
) -> None:
    listing = snapshot(title="Oak desk")
    consume(
        listing_event("listing.published", listing),
        listing_event(
            "listing.ended", {**listing, "version": 2, "status": "ended"}, reason="duration_elapsed"
        ),
    )
    index.client.indices.refresh(index=index.alias)

    assert search(q="desk")["data"] == []
    assert ids(search(q="desk", status="ended")) == [listing["listing_id"]]


def test_a_failing_store_leaves_the_event_pending(
    event_bus_env: Any, events_redis: Any, closed_port: int, monkeypatch: Any
) -> None:
    monkeypatch.setenv("ELASTICSEARCH_URL", f"http://127.0.0.1:{closed_port}")

    consume(listing_event("listing.created", snapshot()))

    assert int(events_redis.xpending(event_bus_env.stream, "search-gateway")["pending"]) == 1
