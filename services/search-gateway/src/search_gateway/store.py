"""search-gateway's Elasticsearch: the client, the index names, and the listing documents.

Names, for a prefix P (``ELASTICSEARCH_INDEX_PREFIX``, default ``listings``):

- ``P``: the alias every search reads and every event writes through; it points at exactly one
  concrete index ``P-v<MAPPING_VERSION>-<stamp>``, so the mapping changes by rebuilding into a new
  index and swapping the alias (``services.listing_index_rebuild``).
- ``P-rebuilding``: during a rebuild only, an alias on the index being filled; events are written
  through it too, so the new index misses nothing that happens while the feed is read.
- ``P-saved-searches`` and ``P-saved-search-matches``: saved searches, and the once-only record of
  each (saved search, listing) match that was announced.

Every listing write carries the listing's ``version`` as an external version: Elasticsearch keeps a
document only if its version is higher than the stored one, so redelivered and out-of-order events
cannot move a listing backwards. A listing that leaves search (draft, cancelled, withdrawn) is
overwritten by a *tombstone* (``is_tombstone: true``, no text) rather than deleted, so its version
stays known for good (a delete's version is forgotten after ``index.gc_deletes``, 60 s).
"""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from elasticsearch import ApiError, ConflictError, Elasticsearch, NotFoundError, TransportError

from dbay_common.request_body import StoreUnavailable
from search_gateway.analysis import (
    LISTING_MAPPING,
    MAPPING_VERSION,
    SAVED_SEARCH_MAPPING,
    SAVED_SEARCH_MATCH_MAPPING,
    listing_index_settings,
)

logger = logging.getLogger(__name__)

#: Statuses kept as searchable documents; every other status becomes a tombstone.
SEARCHABLE_STATUSES = frozenset({"active", "scheduled", "ended", "sold"})
REQUEST_TIMEOUT_S = 10.0
#: Creating an index and moving an alias wait for the cluster state to change: slower under load.
ADMIN_TIMEOUT_S = 60.0


@functools.cache
def es_client(url: str) -> Elasticsearch:
    """One client (and connection pool) per URL and process."""
    return Elasticsearch(url, request_timeout=REQUEST_TIMEOUT_S, max_retries=1, retry_on_timeout=False)


@contextmanager
def store_errors() -> Iterator[None]:
    """Elasticsearch not answering (or answering 5xx) becomes the shared 503 with Retry-After.

    4xx answers are bugs of ours or conflicts the caller handles: they pass through unchanged.
    """
    try:
        yield
    except TransportError as error:
        logger.warning("elasticsearch unavailable: %s", error)
        raise StoreUnavailable() from None
    except ApiError as error:
        if error.meta.status >= 500 or error.meta.status == 429:
            logger.warning("elasticsearch answered %s: %s", error.meta.status, error.message)
            raise StoreUnavailable() from None
        raise


@dataclass(frozen=True)
class SearchIndex:
    """The indices of one prefix on one cluster."""

    client: Elasticsearch
    prefix: str

    @property
    def alias(self) -> str:
        return self.prefix

    @property
    def rebuilding_alias(self) -> str:
        return f"{self.prefix}-rebuilding"

    @property
    def saved_searches(self) -> str:
        return f"{self.prefix}-saved-searches"

    @property
    def saved_search_matches(self) -> str:
        return f"{self.prefix}-saved-search-matches"

    def new_index_name(self) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        return f"{self.prefix}-v{MAPPING_VERSION}-{stamp}-{secrets.token_hex(3)}"

    # -- creation ---------------------------------------------------------------------------------

    def create_listing_index(self, *, aliases: Mapping[str, Any] | None = None) -> str:
        """A new, empty listing index (with ``aliases`` if given); returns its name."""
        name = self.new_index_name()
        self.client.options(request_timeout=ADMIN_TIMEOUT_S).indices.create(
            index=name,
            settings=listing_index_settings(),
            mappings=LISTING_MAPPING,
            aliases=dict(aliases or {}),
        )
        return name

    def ensure(self) -> None:
        """Create whatever index is missing: the aliased listing index and the saved-search ones.

        Safe to race: when two processes create the alias's first index at once, every one but the
        first by name deletes its own.
        """
        if not self.client.indices.exists_alias(name=self.alias):
            name = self.create_listing_index(aliases={self.alias: {}})
            behind = sorted(self.client.indices.get_alias(name=self.alias))
            if len(behind) > 1 and name != behind[0]:
                # Another process created one at the same moment: the first name (in order) wins.
                self.client.indices.delete(index=name)
        for name, mapping in (
            (self.saved_searches, SAVED_SEARCH_MAPPING),
            (self.saved_search_matches, SAVED_SEARCH_MATCH_MAPPING),
        ):
            if not self.client.indices.exists(index=name):
                try:
                    self.client.options(request_timeout=ADMIN_TIMEOUT_S).indices.create(
                        index=name,
                        settings={"number_of_shards": 1, "number_of_replicas": 0},
                        mappings=mapping,
                    )
                except ApiError as error:
                    if error.meta.status != 400 or "already_exists" not in str(error.message):
                        raise

    def listing_indices(self) -> list[str]:
        """The concrete indices behind the alias (one, except for a moment in a racing ``ensure``)."""
        try:
            return sorted(self.client.indices.get_alias(name=self.alias))
        except NotFoundError:
            return []

    def write_targets(self) -> list[str]:
        """Where a listing write goes: the live alias, plus the rebuilding one while it exists."""
        if self.client.indices.exists_alias(name=self.rebuilding_alias):
            return [self.alias, self.rebuilding_alias]
        return [self.alias]

    # -- listing writes ---------------------------------------------------------------------------

    def stored_status(self, listing_id: str) -> str | None:
        """The status of the listing's indexed version (None when it is not indexed)."""
        try:
            found = self.client.get(index=self.alias, id=listing_id, source_includes=["status"])
        except NotFoundError:
            return None
        status: str | None = found["_source"].get("status")
        return status

    def put_listing(self, document: dict[str, Any], *, refresh: bool = False) -> bool:
        """Write one listing document under its version; False when a newer (or equal) one is stored.

        ``require_alias`` makes a write through an alias that just disappeared (a finished rebuild)
        fail instead of creating a stray index of that name.
        """
        stored = False
        for target in self.write_targets():
            try:
                self.client.index(
                    index=target,
                    id=document["listing_id"],
                    document=document,
                    version=document["version"],
                    version_type="external",
                    require_alias=True,
                    # Only the live index: the one being rebuilt has refreshes off until it is full.
                    refresh="wait_for" if refresh and target == self.alias else None,
                )
                stored = stored or target == self.alias
            except ConflictError:
                logger.info(
                    "listing %s v%s: a newer version is indexed", document["listing_id"], document["version"]
                )
            except NotFoundError:
                if target == self.alias:
                    raise
        return stored


def listing_document(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """The index document of a listing snapshot (the contract's shape), or its tombstone."""
    status = snapshot["status"]
    base = {
        "listing_id": snapshot["listing_id"],
        "version": int(snapshot["version"]),
        "status": status,
        "seller_id": snapshot.get("seller_id"),
    }
    if status not in SEARCHABLE_STATUSES:
        return {**base, "is_tombstone": True}
    # The price a buyer pays now: an auction's current price (its start price before any bid, from
    # listing-service's snapshot), a fixed-price listing's price. Filters, facets and sorts use it.
    price = int(snapshot.get("current_price_koinu") or snapshot.get("price_koinu") or 0)
    buy_it_now = snapshot.get("buy_it_now_koinu")
    shipping = snapshot.get("lowest_shipping_koinu")
    path = list(snapshot.get("category_path") or [])
    names = list(snapshot.get("category_names") or [])
    labels = [f"{category}\t{name}" for category, name in zip(path, names, strict=False)]
    ships_to = sorted(
        {
            country
            for option in snapshot.get("shipping_options") or []
            for country in option.get("ships_to") or []
        }
    )
    location = snapshot.get("location") or {}
    return {
        **base,
        "is_tombstone": False,
        "seller_username": snapshot.get("seller_username") or "",
        "title": snapshot.get("title") or "",
        "description": snapshot.get("description") or "",
        "category_id": snapshot.get("category_id"),
        "category_path": path,
        "category_names": names,
        "category_labels": labels,
        "category_leaf_label": labels[-1] if labels else None,
        "condition": snapshot.get("condition"),
        "item_specifics": [
            f"{item.get('name', '')} {item.get('value', '')}" for item in snapshot.get("item_specifics") or []
        ],
        "format": snapshot.get("format"),
        "price_koinu": price,
        "buy_it_now_koinu": int(buy_it_now) if buy_it_now is not None else None,
        # A fixed-price listing is bought at once; an auction only when it offers Buy It Now.
        "has_buy_it_now": snapshot.get("format") == "fixed_price" or buy_it_now is not None,
        "has_reserve": bool(snapshot.get("has_reserve")),
        "quantity_available": snapshot.get("quantity_available"),
        "bid_count": int(snapshot.get("bid_count") or 0),
        "lowest_shipping_koinu": int(shipping) if shipping is not None else None,
        "total_koinu": price + (int(shipping) if shipping is not None else 0),
        "ships_to": ships_to,
        "local_pickup": bool(snapshot.get("local_pickup")),
        "location_country": location.get("country"),
        "location_city": location.get("city"),
        "thumbnail_url": snapshot.get("thumbnail_url"),
        "photo_count": snapshot.get("photo_count"),
        "starts_at": snapshot.get("starts_at"),
        "ends_at": snapshot.get("ends_at"),
        "created_at": snapshot.get("created_at"),
        "updated_at": snapshot.get("updated_at"),
        "published_at": snapshot.get("published_at"),
    }


@functools.cache
def _ensured(url: str, prefix: str) -> SearchIndex:
    index = SearchIndex(client=es_client(url), prefix=prefix)
    with store_errors():
        index.ensure()
    return index


def search_index(config: Mapping[str, Any]) -> SearchIndex:
    """The indices named by ``config`` (an app.config or load_config()), created on first use."""
    return _ensured(config["ELASTICSEARCH_URL"], config["ELASTICSEARCH_INDEX_PREFIX"])


def forget_search_index() -> None:
    """Drop the per-process memory of created indices (a test deleted them)."""
    _ensured.cache_clear()


__all__ = [
    "SEARCHABLE_STATUSES",
    "ConflictError",
    "SearchIndex",
    "es_client",
    "forget_search_index",
    "listing_document",
    "search_index",
    "store_errors",
]
