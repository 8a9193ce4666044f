"""Rebuild the listing index from listing-service: ``python -m search_gateway.rebuild``.

Reads every listing from listing-service's public feed (``GET /api/v1/listings/feed``, through
``LISTING_SERVICE_URL``), bulk-indexes it into a new versioned index, then swaps the alias to it in
one atomic alias update and deletes the old index. Searches keep answering from the old index until
the swap. While it runs, the event consumer writes every listing change to both indices (through the
``<prefix>-rebuilding`` alias), and every write carries the listing's version, so whichever of the
feed and an event comes last, the newer version stays. Run it after changing the mapping, the
analyzers or synonyms.txt (docs/search.md, "Reindex").
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import requests
from elasticsearch.helpers import streaming_bulk

from dbay_common.logging import configure_logging
from search_gateway.config import SERVICE, listing_service_url, load_config
from search_gateway.store import ADMIN_TIMEOUT_S, SearchIndex, listing_document, search_index

logger = logging.getLogger(__name__)

FEED_PATH = "/api/v1/listings/feed"
FEED_PAGE = 500

#: A feed reader: yields pages (lists of listing snapshots).
FeedPages = Callable[[], Iterable[list[dict[str, Any]]]]


def feed_pages(
    base_url: str, *, limit: int = FEED_PAGE, timeout_s: float = 30.0
) -> Iterator[list[dict[str, Any]]]:
    """Pages of listing-service's feed, following its cursor until the last page.

    The envelope is dbay_common's list shape: ``{"data": [...], "next_cursor": ...}`` followed with
    ``cursor=``, or ``{"data": [...], "has_more": bool}`` followed with ``starting_after=<last id>``.
    """
    params: dict[str, Any] = {"limit": limit}
    with requests.Session() as session:
        while True:
            response = session.get(base_url.rstrip("/") + FEED_PATH, params=params, timeout=timeout_s)
            response.raise_for_status()
            body = response.json()
            page = body["data"]
            yield page
            if body.get("next_cursor"):
                params = {"limit": limit, "cursor": body["next_cursor"]}
            elif body.get("has_more") and page:
                params = {"limit": limit, "starting_after": page[-1]["listing_id"]}
            else:
                return


def _actions(pages: Iterable[list[dict[str, Any]]], target: str) -> Iterator[dict[str, Any]]:
    for page in pages:
        for snapshot in page:
            document = listing_document(snapshot)
            yield {
                "_op_type": "index",
                "_index": target,
                "_id": document["listing_id"],
                "_version": document["version"],
                "_version_type": "external",
                "_source": document,
            }


def bulk_index(
    index: SearchIndex, target: str, pages: Iterable[list[dict[str, Any]]], *, chunk: int = 1000
) -> int:
    """Index every snapshot of ``pages`` into ``target``; a version conflict (an event already wrote
    a newer version) counts as done. Returns the documents written or already newer."""
    written = 0
    for ok, item in streaming_bulk(
        index.client.options(request_timeout=120),
        _actions(pages, target),
        chunk_size=chunk,
        raise_on_error=False,
        max_retries=2,
    ):
        status = item["index"].get("status")
        if ok or status == 409:
            written += 1
        else:
            raise RuntimeError(f"bulk indexing failed: {item['index'].get('error')}")
    return written


def listing_index_rebuild(*, index: SearchIndex, pages: FeedPages) -> dict[str, Any]:
    """Fill a new index from ``pages()``, swap the alias to it atomically, delete the old index.

    The old index answers every search until the swap; the new index gets every event from the
    moment it exists (``<prefix>-rebuilding`` alias). On failure the new index is deleted and the
    live alias is untouched.
    """
    index.ensure()
    admin = index.client.options(request_timeout=ADMIN_TIMEOUT_S)
    started = time.monotonic()
    old = index.listing_indices()
    new = index.create_listing_index(aliases={index.rebuilding_alias: {}})
    try:
        # Replicas and refreshes off while filling; restored before the swap.
        admin.indices.put_settings(index=new, settings={"refresh_interval": "-1"})
        written = bulk_index(index, new, pages())
        admin.indices.put_settings(index=new, settings={"refresh_interval": "500ms"})
        admin.indices.refresh(index=new)
        actions: list[dict[str, Any]] = [{"remove": {"index": name, "alias": index.alias}} for name in old]
        actions += [
            {"add": {"index": new, "alias": index.alias}},
            {"remove": {"index": new, "alias": index.rebuilding_alias}},
        ]
        admin.indices.update_aliases(actions=actions)
    except BaseException:
        admin.indices.delete(index=new, ignore_unavailable=True)
        raise
    for name in old:
        admin.indices.delete(index=name, ignore_unavailable=True)
    result = {
        "index": new,
        "replaced": old,
        "documents": written,
        "seconds": round(time.monotonic() - started, 1),
    }
    logger.info("listing index rebuilt: %s", result)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.parse_args(argv)
    config = load_config()
    configure_logging(service=SERVICE, level="INFO")
    result = listing_index_rebuild(
        index=search_index(config), pages=lambda: feed_pages(listing_service_url())
    )
    print(
        f"rebuilt {result['index']} with {result['documents']} listings in {result['seconds']} s; "
        f"deleted {', '.join(result['replaced']) or 'nothing'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
