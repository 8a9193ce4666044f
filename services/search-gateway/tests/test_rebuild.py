"""The rebuild: a new versioned index filled from listing-service's feed, then an atomic alias swap."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from search_gateway.rebuild import feed_pages, listing_index_rebuild
from search_gateway.services import listing_index_snapshot
from search_gateway.store import SearchIndex

from .factories import ids, snapshot


@pytest.fixture
def feed_server() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A stand-in for listing-service's GET /api/v1/listings/feed over ``listings`` (cursor = offset)."""
    listings: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlparse(self.path)
            assert url.path == "/api/v1/listings/feed"
            query = parse_qs(url.query)
            start = int(query.get("cursor", ["0"])[0])
            limit = int(query["limit"][0])
            page = sorted(listings, key=lambda item: item["listing_id"])[start : start + limit]
            more = start + limit < len(listings)
            body = json.dumps({"data": page, "next_cursor": str(start + limit) if more else None}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", listings
    finally:
        server.shutdown()
        server.server_close()


def test_feed_pages_follow_the_cursor(feed_server: tuple[str, list[dict[str, Any]]]) -> None:
    url, listings = feed_server
    listings += [snapshot() for _ in range(5)]

    pages = list(feed_pages(url, limit=2))

    assert [len(page) for page in pages] == [2, 2, 1]
    assert sorted(item["listing_id"] for page in pages for item in page) == sorted(
        i["listing_id"] for i in listings
    )


def test_rebuild_swaps_the_alias_and_searches_answer_throughout(
    feed_server: tuple[str, list[dict[str, Any]]],
    index: SearchIndex,
    put: Callable[..., None],
    search: Callable[..., Any],
    config: dict[str, Any],
) -> None:
    url, listings = feed_server
    kept = snapshot(title="Kept lamp", version=4)
    gone = snapshot(title="Gone lamp")
    changed_during = snapshot(title="Lamp shade", version=1)
    put(kept, gone)
    [old_index] = index.listing_indices()
    listings += [
        kept,
        snapshot(title="New lamp"),
        changed_during,
        snapshot(title="Withdrawn lamp", status="withdrawn"),
    ]
    answers_during: list[list[str]] = []
    published_during = snapshot(title="Desk lamp")
    seconds_to_publish: list[float] = []

    def pages() -> Iterator[list[dict[str, Any]]]:
        for number, page in enumerate(feed_pages(url, limit=2)):
            if number == 1:
                # Mid-rebuild: the old index still answers, and an event lands in both indices.
                answers_during.append(sorted(ids(search(q="lamp"))))
                listing_index_snapshot(
                    config=config, snapshot={**changed_during, "version": 2, "title": "Lamp shade, red"}
                )
                # A new listing now: searchable at once in the live index, without waiting for the
                # rebuilt one (its refreshes are off until it is full).
                started = time.monotonic()
                listing_index_snapshot(config=config, snapshot=published_during, is_new=True)
                seconds_to_publish.append(time.monotonic() - started)
                answers_during.append(sorted(ids(search(q="lamp"))))
            yield page

    result = listing_index_rebuild(index=index, pages=pages)

    assert answers_during == [
        sorted([kept["listing_id"], gone["listing_id"]]),
        sorted(
            [
                kept["listing_id"],
                gone["listing_id"],
                published_during["listing_id"],
                changed_during["listing_id"],
            ]
        ),
    ]
    assert seconds_to_publish[0] < 5
    assert result["replaced"] == [old_index]
    assert result["documents"] == 4
    assert index.listing_indices() == [result["index"]]
    assert result["index"].startswith(f"{index.alias}-v1-")
    assert not index.client.indices.exists(index=old_index)
    assert not index.client.indices.exists_alias(name=index.rebuilding_alias)
    body = search(q="lamp")
    assert sorted(item["title"] for item in body["data"]) == [
        "Desk lamp",
        "Kept lamp",
        "Lamp shade, red",
        "New lamp",
    ]


def test_a_failed_rebuild_leaves_the_live_index_alone(
    index: SearchIndex, put: Callable[..., None], search: Callable[..., Any]
) -> None:
    listing = snapshot(title="Stool")
    put(listing)
    [live] = index.listing_indices()

    def pages() -> Iterator[list[dict[str, Any]]]:
        yield [snapshot()]
        raise ConnectionError("listing-service went away")

    with pytest.raises(ConnectionError):
        listing_index_rebuild(index=index, pages=pages)

    assert index.listing_indices() == [live]
    assert not index.client.indices.exists_alias(name=index.rebuilding_alias)
    assert ids(search(q="stool")) == [listing["listing_id"]]
    indices = index.client.cat.indices(index=f"{index.alias}-v*", format="json")
    assert [entry["index"] for entry in indices] == [live]
