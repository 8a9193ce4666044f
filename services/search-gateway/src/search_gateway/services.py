"""Writes for search-gateway: `<entity>_<action>` functions with keyword-only arguments.

Each one documents its invariants and the events it emits. Routes and event handlers call these;
they hold no logic themselves.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from elasticsearch import ConflictError, NotFoundError

from dbay_common.errors import Conflict, NotFound
from dbay_common.transports.base import build_publisher_from_env
from search_gateway.events import EVENTS, SearchMatchedV1
from search_gateway.query import SearchFilters, search_query
from search_gateway.store import SearchIndex, listing_document, search_index, store_errors

logger = logging.getLogger(__name__)

MAX_SAVED_SEARCHES = 50
MATCH_BATCH = 100
#: Namespace of the deterministic event ids of ``search.matched`` (one id per saved search and listing).
MATCH_EVENT_NAMESPACE = uuid.UUID("6f1f3c2e-2b7a-4d55-9a41-5c1e0d7b9e10")


def listing_index_snapshot(
    *, config: Mapping[str, Any], snapshot: Mapping[str, Any], is_new: bool = False
) -> bool:
    """Index one listing snapshot (from a listing event); True when it became the stored version.

    Invariants: the stored document is always the highest ``version`` seen (external versioning; an
    older or repeated snapshot is a no-op, not an error); drafts, cancelled and withdrawn listings
    are stored as tombstones, never shown. A listing that just became active (``is_new`` and active,
    or active now and scheduled in the index until this snapshot) is made searchable before this
    returns and matched against every saved search, publishing ``search.matched`` once per match
    (see :func:`saved_search_match_listing`).

    The auction issue's price and bid-count changes belong here too: they arrive as the listing's
    next version from listing-service, or, if auction-service sends them itself, as a partial update
    guarded by the same version rule.
    """
    index = search_index(config)
    document = listing_document(snapshot)
    with store_errors():
        became_active = document["status"] == "active" and (
            is_new or index.stored_status(document["listing_id"]) == "scheduled"
        )
        match_saved_searches = became_active and not document["is_tombstone"]
        stored = index.put_listing(document, refresh=match_saved_searches)
    if match_saved_searches:
        # Also when the write was refused as not newer: a redelivery after a crash between the write
        # and the matching must still match (the guards keep each announcement single), and a
        # listing superseded meanwhile (ended, withdrawn) fails every query's visibility filter.
        saved_search_match_listing(index=index, document=document)
    return stored


# -- saved searches ----------------------------------------------------------------------------------


def saved_search_create(
    *, index: SearchIndex, user_id: str, name: str, filters: SearchFilters
) -> dict[str, Any]:
    """Save a search for ``user_id``; 409 ``too_many_saved_searches`` beyond ``MAX_SAVED_SEARCHES``.

    The document is searchable when this returns (the user's list shows it at once).
    """
    with store_errors():
        count = index.client.count(index=index.saved_searches, query={"term": {"user_id": user_id}})["count"]
        if count >= MAX_SAVED_SEARCHES:
            raise Conflict(
                f"You can keep at most {MAX_SAVED_SEARCHES} saved searches; delete one first.",
                code="too_many_saved_searches",
            )
        document = {
            "saved_search_id": str(uuid.uuid4()),
            "user_id": user_id,
            "name": name,
            "params": filters.to_json(),
            "created_at": datetime.now(UTC).isoformat(),
        }
        index.client.index(
            index=index.saved_searches,
            id=str(document["saved_search_id"]),
            document=document,
            op_type="create",
            refresh=True,  # a small index written rarely: visible to the user's next list at once
        )
    return document


def saved_search_delete(*, index: SearchIndex, user_id: str, saved_search_id: str) -> None:
    """Delete one of the user's saved searches; 404 when it is not theirs (or does not exist)."""
    with store_errors():
        try:
            stored = index.client.get(index=index.saved_searches, id=saved_search_id)
        except NotFoundError:
            stored = None
        if stored is None or stored["_source"]["user_id"] != user_id:
            raise NotFound("No saved search with this id.", code="saved_search_not_found")
        with contextlib.suppress(NotFoundError):  # deleted concurrently: the outcome asked for
            index.client.delete(index=index.saved_searches, id=saved_search_id, refresh=True)


def _all_saved_searches(index: SearchIndex) -> Iterator[dict[str, Any]]:
    after: list[Any] | None = None
    while True:
        response = index.client.search(
            index=index.saved_searches,
            query={"match_all": {}},
            sort=[{"saved_search_id": "asc"}],
            size=500,
            search_after=after,
        )
        hits = response["hits"]["hits"]
        yield from (hit["_source"] for hit in hits)
        if len(hits) < 500:
            return
        after = hits[-1]["sort"]


def saved_search_match_listing(*, index: SearchIndex, document: Mapping[str, Any]) -> list[str]:
    """Match a new active listing (already searchable) against every saved search; announce matches.

    Each saved search's query runs restricted to this one listing (an ids filter), in batches of
    ``MATCH_BATCH`` per multi-search. For each match a guard document ``<saved_search_id>:<listing_id>``
    is created with ``op_type=create`` before ``search.matched`` is published and marked published
    after: a redelivered event finds the guard marked and publishes nothing; a crash between the two
    publishes again with the same deterministic ``event_id``, which consumers' inboxes drop. A
    seller's own listing never matches their saved searches. Returns the saved search ids announced.
    """
    listing_id = document["listing_id"]
    now = datetime.now(UTC)
    candidates = [s for s in _all_saved_searches(index) if s["user_id"] != document.get("seller_id")]
    matched: list[dict[str, Any]] = []
    for start in range(0, len(candidates), MATCH_BATCH):
        batch = candidates[start : start + MATCH_BATCH]
        searches: list[dict[str, Any]] = []
        for saved in batch:
            query = search_query(SearchFilters.from_json(saved["params"]), now)
            query["bool"]["filter"].append({"ids": {"values": [listing_id]}})
            searches += [{"index": index.alias}, {"query": query, "size": 0, "track_total_hits": 1}]
        responses = index.client.msearch(searches=searches)["responses"]
        for saved, response in zip(batch, responses, strict=True):
            if "error" in response:
                logger.warning(
                    "saved search %s failed to run: %s", saved["saved_search_id"], response["error"]
                )
            elif response["hits"]["total"]["value"] > 0:
                matched.append(saved)
    announced = []
    for saved in matched:
        if _announce_match(index=index, saved=saved, listing_id=listing_id, title=document["title"]):
            announced.append(saved["saved_search_id"])
    return announced


def _announce_match(*, index: SearchIndex, saved: Mapping[str, Any], listing_id: str, title: str) -> bool:
    guard_id = f"{saved['saved_search_id']}:{listing_id}"
    event_id = str(uuid.uuid5(MATCH_EVENT_NAMESPACE, guard_id))
    try:
        index.client.index(
            index=index.saved_search_matches,
            id=guard_id,
            op_type="create",
            document={
                "saved_search_id": saved["saved_search_id"],
                "listing_id": listing_id,
                "event_id": event_id,
                "is_published": False,
                "matched_at": datetime.now(UTC).isoformat(),
            },
        )
    except ConflictError:
        guard = index.client.get(index=index.saved_search_matches, id=guard_id)
        if guard["_source"]["is_published"]:
            return False
    event = EVENTS.event(
        "search.matched",
        SearchMatchedV1(
            user_id=saved["user_id"],
            saved_search_id=saved["saved_search_id"],
            saved_search_name=saved["name"],
            listing_id=listing_id,
            title=title,
        ),
    )
    metadata = event.detail.metadata.model_copy(update={"event_id": event_id})
    event = event.model_copy(update={"detail": event.detail.model_copy(update={"metadata": metadata})})
    build_publisher_from_env().publish([event])
    index.client.update(index=index.saved_search_matches, id=guard_id, doc={"is_published": True})
    return True
