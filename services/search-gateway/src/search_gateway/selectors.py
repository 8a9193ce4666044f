"""Reads for search-gateway: functions that query and return data, never change it."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

from elasticsearch import NotFoundError

from search_gateway.query import (
    DOGE,
    PRICE_BANDS_DOGE,
    SNIPPET_CHARS,
    Page,
    SearchFilters,
    next_cursor,
    search_body,
    suggest_body,
)
from search_gateway.store import SearchIndex, store_errors

SUGGESTIONS = 8


def _snippet(text: str) -> str:
    """The description's start, HTML-escaped, cut at a word (the highlighter's no-match fragment)."""
    if len(text) > SNIPPET_CHARS:
        text = text[:SNIPPET_CHARS].rsplit(" ", 1)[0]
    return html.escape(text)


def _koinu(value: Any) -> str | None:
    return None if value is None else str(int(value))


def _doge_koinu(doge: int | None) -> str | None:
    return None if doge is None else str(doge * DOGE)


def _label(label: str) -> tuple[str, str]:
    category_id, _, name = label.partition("\t")
    return category_id, name


def listing_result(hit: dict[str, Any]) -> dict[str, Any]:
    """One search result: the listing's card fields, and HTML-safe highlighted snippets."""
    source = hit["_source"]
    highlight = hit.get("highlight") or {}
    return {
        "listing_id": source["listing_id"],
        "status": source["status"],
        "title": source["title"],
        "title_html": (highlight.get("title") or [html.escape(source["title"])])[0],
        "description_html": (highlight.get("description") or [_snippet(source.get("description") or "")])[0],
        "seller_username": source.get("seller_username") or "",
        "category_id": source.get("category_id"),
        "category_path": source.get("category_path") or [],
        "category_names": source.get("category_names") or [],
        "condition": source.get("condition"),
        "format": source.get("format"),
        "price_koinu": _koinu(source.get("price_koinu")),
        "buy_it_now_koinu": _koinu(source.get("buy_it_now_koinu")),
        "has_buy_it_now": bool(source.get("has_buy_it_now")),
        "has_reserve": bool(source.get("has_reserve")),
        "bid_count": int(source.get("bid_count") or 0),
        "lowest_shipping_koinu": _koinu(source.get("lowest_shipping_koinu")),
        "total_koinu": _koinu(source.get("total_koinu")),
        "local_pickup": bool(source.get("local_pickup")),
        "location": {"country": source.get("location_country"), "city": source.get("location_city")},
        "thumbnail_url": source.get("thumbnail_url"),
        "starts_at": source.get("starts_at"),
        "ends_at": source.get("ends_at"),
        "published_at": source.get("published_at"),
    }


def _facets(aggregations: dict[str, Any]) -> dict[str, Any]:
    categories = []
    for bucket in aggregations["categories"]["buckets"]:
        category_id, name = _label(bucket["key"])
        categories.append({"id": category_id, "name": name, "count": bucket["doc_count"]})
    bands = {key: (_doge_koinu(low), _doge_koinu(high)) for key, low, high in PRICE_BANDS_DOGE}
    return {
        "categories": categories,
        "conditions": [
            {"value": b["key"], "count": b["doc_count"]} for b in aggregations["conditions"]["buckets"]
        ],
        "formats": [{"value": b["key"], "count": b["doc_count"]} for b in aggregations["formats"]["buckets"]],
        "price_bands": [
            {
                "key": bucket["key"],
                "min_koinu": bands[bucket["key"]][0],
                "max_koinu": bands[bucket["key"]][1],
                "count": bucket["doc_count"],
            }
            for bucket in aggregations["price_bands"]["buckets"]
        ],
        "buy_it_now": {"count": aggregations["buy_it_now"]["doc_count"]},
    }


def listing_search(
    *, index: SearchIndex, filters: SearchFilters, sort: str, limit: int, page: Page, now: datetime
) -> dict[str, Any]:
    """A page of results in ``sort`` order; facets (counts over every match) on the first page only.

    ``next_cursor`` continues after the page's last result (``search_after``), so pages stay
    consistent while listings change, up to ``query.MAX_RESULT_WINDOW`` results deep.
    """
    with_facets = page.after is None
    body = search_body(filters, sort=sort, limit=limit, page=page, now=now, with_facets=with_facets)
    with store_errors():
        response = index.client.search(index=index.alias, body=body)
    hits = response["hits"]["hits"]
    has_more = len(hits) > limit
    hits = hits[:limit]
    served = page.served + len(hits)
    return {
        "data": [listing_result(hit) for hit in hits],
        "has_more": has_more,
        "next_cursor": next_cursor(sort=sort, after=hits[-1]["sort"], served=served) if has_more else None,
        "total": response["hits"]["total"]["value"],
        "facets": _facets(response["aggregations"]) if with_facets else None,
    }


def listing_suggest(*, index: SearchIndex, q: str, now: datetime) -> dict[str, Any]:
    """Search-box suggestions: distinct titles and leaf categories starting with the typed words."""
    with store_errors():
        response = index.client.search(
            index=index.alias, body=suggest_body(q, now, size=SUGGESTIONS), request_cache=True
        )
    titles: list[str] = []
    for hit in response["hits"]["hits"]:
        title = hit["_source"]["title"]
        if "title" in (hit.get("matched_queries") or []) and title not in titles:
            titles.append(title)
    categories = [
        {"id": _label(bucket["key"])[0], "name": _label(bucket["key"])[1], "count": bucket["doc_count"]}
        for bucket in response["aggregations"]["categories"]["labels"]["buckets"]
    ]
    return {"titles": titles, "categories": categories}


def saved_search_list(*, index: SearchIndex, user_id: str) -> list[dict[str, Any]]:
    """The user's saved searches, newest first (at most ``services.MAX_SAVED_SEARCHES``)."""
    with store_errors():
        try:
            response = index.client.search(
                index=index.saved_searches,
                query={"term": {"user_id": user_id}},
                sort=[{"created_at": "desc"}, {"saved_search_id": "asc"}],
                size=100,
            )
        except NotFoundError:
            return []
    return [hit["_source"] for hit in response["hits"]["hits"]]
