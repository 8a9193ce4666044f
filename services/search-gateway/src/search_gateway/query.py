"""What a search asks for (``SearchFilters``) and the Elasticsearch request that answers it.

Pure functions: no I/O, so the same filters drive the search API, the saved searches and the
matching of a new listing against them. User text only ever reaches Elasticsearch inside
``match``/``multi_match`` queries (never ``query_string``), so it cannot carry query syntax.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from dbay_common.errors import InvalidRequest
from dbay_common.money import Koinu
from dbay_common.pagination import decode_cursor, encode_cursor

CONDITIONS = ("new", "like_new", "very_good", "good", "acceptable", "for_parts")
FORMATS = ("auction", "fixed_price")
STATUSES = ("active", "ended", "sold")
ENDING_WITHIN_NAMED = {"1h": 60, "1d": 24 * 60, "7d": 7 * 24 * 60}
MAX_ENDING_WITHIN_MINUTES = 30 * 24 * 60
MAX_QUERY_CHARS = 200
#: Results reachable by paging: Elasticsearch's max_result_window; narrow the search beyond it.
MAX_RESULT_WINDOW = 10_000
DOGE = 100_000_000
#: Price facet bands in DOGE: [from, to).
PRICE_BANDS_DOGE: tuple[tuple[str, int | None, int | None], ...] = (
    ("under_10", None, 10),
    ("10_to_50", 10, 50),
    ("50_to_100", 50, 100),
    ("100_to_500", 100, 500),
    ("500_and_over", 500, None),
)

_TIEBREAK = {"listing_id": "asc"}
SORTS: dict[str, list[dict[str, Any]]] = {
    "best_match": [{"_score": "desc"}, {"published_at": {"order": "desc", "missing": "_last"}}, _TIEBREAK],
    "ending_soonest": [{"ends_at": {"order": "asc", "missing": "_last"}}, _TIEBREAK],
    "newly_listed": [{"published_at": {"order": "desc", "missing": "_last"}}, _TIEBREAK],
    "price_shipping_lowest": [{"total_koinu": "asc"}, _TIEBREAK],
    "price_shipping_highest": [{"total_koinu": "desc"}, _TIEBREAK],
    "most_bids": [{"bid_count": "desc"}, {"ends_at": {"order": "asc", "missing": "_last"}}, _TIEBREAK],
}

SOURCE_FIELDS = [
    "listing_id",
    "status",
    "title",
    "seller_username",
    "category_id",
    "category_path",
    "category_names",
    "condition",
    "format",
    "price_koinu",
    "buy_it_now_koinu",
    "has_buy_it_now",
    "has_reserve",
    "bid_count",
    "lowest_shipping_koinu",
    "total_koinu",
    "local_pickup",
    "location_country",
    "location_city",
    "thumbnail_url",
    "starts_at",
    "ends_at",
    "published_at",
]


@dataclass(frozen=True)
class SearchFilters:
    """One search's text and filters (amounts already in koinu), as stored in a saved search."""

    q: str = ""
    category: str | None = None
    price_min_koinu: int | None = None
    price_max_koinu: int | None = None
    conditions: tuple[str, ...] = field(default_factory=tuple)
    format: str | None = None
    ending_within_minutes: int | None = None
    seller: str | None = None
    ships_to: str | None = None
    location_country: str | None = None
    buy_it_now: bool | None = None
    status: str = "active"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["conditions"] = list(self.conditions)
        return {key: value for key, value in data.items() if value not in (None, "", [])}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SearchFilters:
        return cls(**{**data, "conditions": tuple(data.get("conditions") or ())})


def doge_to_koinu(value: str, *, param: str) -> int:
    try:
        return int(Koinu.from_doge(value))
    except (ValueError, TypeError):
        raise InvalidRequest(
            "Enter an amount in DOGE, such as 12.5 (at most 8 decimals).", code="invalid_amount", param=param
        ) from None


def ending_within_minutes(value: str) -> int:
    if value in ENDING_WITHIN_NAMED:
        return ENDING_WITHIN_NAMED[value]
    if value.isdigit() and 1 <= int(value) <= MAX_ENDING_WITHIN_MINUTES:
        return int(value)
    raise InvalidRequest(
        f"ending_within is 1h, 1d, 7d or a number of minutes from 1 to {MAX_ENDING_WITHIN_MINUTES}.",
        code="invalid_field",
        param="ending_within",
    )


def filters_from_input(data: dict[str, Any]) -> SearchFilters:
    """Filters from the API's validated input (``schemas.FilterArgs``): DOGE and names converted."""
    price_min = doge_to_koinu(data["price_min"], param="price_min") if data.get("price_min") else None
    price_max = doge_to_koinu(data["price_max"], param="price_max") if data.get("price_max") else None
    if price_min is not None and price_max is not None and price_min > price_max:
        raise InvalidRequest(
            "price_min must not be more than price_max.", code="invalid_price_range", param="price_min"
        )
    conditions = tuple(sorted(set(data.get("condition") or ()), key=CONDITIONS.index))
    return SearchFilters(
        q=" ".join((data.get("q") or "").split()),
        category=data.get("category") or None,
        price_min_koinu=price_min,
        price_max_koinu=price_max,
        conditions=conditions,
        format=data.get("format") or None,
        ending_within_minutes=ending_within_minutes(data["ending_within"])
        if data.get("ending_within")
        else None,
        seller=(data.get("seller") or "").lower() or None,
        ships_to=(data.get("ships_to") or "").upper() or None,
        location_country=(data.get("location_country") or "").upper() or None,
        buy_it_now=data.get("buy_it_now"),
        status=data.get("status") or "active",
    )


# -- the Elasticsearch request ---------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def visibility_clauses(status: str, now: datetime) -> list[dict[str, Any]]:
    """Which documents a status shows. ``active`` also shows a scheduled listing whose start has
    passed (before its listing.published arrives) and hides one whose end has passed."""
    if status != "active":
        return [{"term": {"status": status}}, {"term": {"is_tombstone": False}}]
    started = {
        "bool": {"filter": [{"term": {"status": "scheduled"}}, {"range": {"starts_at": {"lte": _iso(now)}}}]}
    }
    return [
        {"bool": {"should": [{"term": {"status": "active"}}, started], "minimum_should_match": 1}},
        {"bool": {"must_not": [{"range": {"ends_at": {"lte": _iso(now)}}}]}},
    ]


def filter_clauses(filters: SearchFilters, now: datetime) -> list[dict[str, Any]]:
    clauses = visibility_clauses(filters.status, now)
    if filters.category:
        clauses.append({"term": {"category_path": filters.category}})
    if filters.price_min_koinu is not None or filters.price_max_koinu is not None:
        bounds: dict[str, int] = {}
        if filters.price_min_koinu is not None:
            bounds["gte"] = filters.price_min_koinu
        if filters.price_max_koinu is not None:
            bounds["lte"] = filters.price_max_koinu
        clauses.append({"range": {"price_koinu": bounds}})
    if filters.conditions:
        clauses.append({"terms": {"condition": list(filters.conditions)}})
    if filters.format:
        clauses.append({"term": {"format": filters.format}})
    if filters.ending_within_minutes is not None:
        until = now + timedelta(minutes=filters.ending_within_minutes)
        clauses.append({"range": {"ends_at": {"gt": _iso(now), "lte": _iso(until)}}})
    if filters.seller:
        clauses.append({"term": {"seller_username": filters.seller}})
    if filters.ships_to:
        clauses.append({"terms": {"ships_to": [filters.ships_to, "WORLDWIDE"]}})
    if filters.location_country:
        clauses.append({"term": {"location_country": filters.location_country}})
    if filters.buy_it_now is not None:
        clauses.append({"term": {"has_buy_it_now": filters.buy_it_now}})
    return clauses


def text_query(q: str) -> dict[str, Any]:
    """Exact words (stemmed, folded, synonyms) score highest, then typos, then word prefixes."""
    return {
        "bool": {
            "should": [
                {
                    "multi_match": {
                        "query": q,
                        "type": "cross_fields",
                        "fields": ["title^3", "category_names^2", "item_specifics", "description"],
                        "operator": "and",
                        "boost": 3,
                    }
                },
                {
                    "multi_match": {
                        "query": q,
                        "type": "best_fields",
                        "fields": ["title.words^2", "item_specifics"],
                        "analyzer": "dbay_prefix_search",
                        "fuzziness": "AUTO",
                        "prefix_length": 1,
                        "max_expansions": 20,
                        "operator": "and",
                    }
                },
                {"match": {"title.prefix": {"query": q, "operator": "and", "boost": 0.5}}},
            ],
            "minimum_should_match": 1,
        }
    }


def search_query(filters: SearchFilters, now: datetime) -> dict[str, Any]:
    query: dict[str, Any] = {"bool": {"filter": filter_clauses(filters, now)}}
    if filters.q:
        query["bool"]["must"] = [text_query(filters.q)]
    return query


def facet_aggregations() -> dict[str, Any]:
    ranges = []
    for key, low, high in PRICE_BANDS_DOGE:
        band: dict[str, Any] = {"key": key}
        if low is not None:
            band["from"] = low * DOGE
        if high is not None:
            band["to"] = high * DOGE
        ranges.append(band)
    return {
        "categories": {"terms": {"field": "category_labels", "size": 50}},
        "conditions": {"terms": {"field": "condition", "size": len(CONDITIONS)}},
        "formats": {"terms": {"field": "format", "size": len(FORMATS)}},
        "price_bands": {"range": {"field": "price_koinu", "ranges": ranges}},
        "buy_it_now": {"filter": {"term": {"has_buy_it_now": True}}},
    }


SNIPPET_CHARS = 160
HIGHLIGHT = {
    "encoder": "html",  # the text around the marks is HTML-escaped: safe to render as HTML
    "pre_tags": ["<mark>"],
    "post_tags": ["</mark>"],
    "require_field_match": False,
    "fields": {
        "title": {"number_of_fragments": 0, "no_match_size": 200},
        "description": {
            "fragment_size": SNIPPET_CHARS,
            "number_of_fragments": 1,
            "no_match_size": SNIPPET_CHARS,
        },
    },
}


@dataclass(frozen=True)
class Page:
    """Where a page starts: after ``after`` (sort values), having served ``served`` results."""

    after: list[Any] | None = None
    served: int = 0


def page_from_cursor(cursor: str | None, *, sort: str, limit: int) -> Page:
    if not cursor:
        return Page()
    position = decode_cursor(cursor, param="cursor")
    if (
        not isinstance(position, dict)
        or position.get("sort") != sort
        or not isinstance(position.get("after"), list)
        or len(position["after"]) != len(SORTS[sort])
        or not all(isinstance(value, str | int | float) or value is None for value in position["after"])
        or not isinstance(position.get("served"), int)
        or position["served"] < 0
    ):
        raise InvalidRequest(
            "This cursor does not belong to this search; start again from the first page.",
            code="invalid_cursor",
            param="cursor",
        )
    if position["served"] + limit > MAX_RESULT_WINDOW:
        raise InvalidRequest(
            f"Search pages reach the first {MAX_RESULT_WINDOW} results; narrow the search to see more.",
            code="paging_too_deep",
            param="cursor",
        )
    return Page(after=position["after"], served=position["served"])


def next_cursor(*, sort: str, after: list[Any], served: int) -> str:
    return encode_cursor({"sort": sort, "after": after, "served": served})


def search_body(
    filters: SearchFilters, *, sort: str, limit: int, page: Page, now: datetime, with_facets: bool
) -> dict[str, Any]:
    """The body of the search request: one more hit than asked, to tell whether more follow."""
    body: dict[str, Any] = {
        "query": search_query(filters, now),
        "sort": SORTS[sort],
        "size": limit + 1,
        "track_total_hits": True,
        "_source": SOURCE_FIELDS,
    }
    if filters.q:
        body["highlight"] = HIGHLIGHT
    else:
        # Nothing to mark: the snippets are cut from the source (selectors.listing_result), which
        # spares Elasticsearch the highlighter on browsing pages.
        body["_source"] = [*SOURCE_FIELDS, "description"]
    if page.after is not None:
        body["search_after"] = page.after
    if with_facets:
        body["aggs"] = facet_aggregations()
    return body


def suggest_body(q: str, now: datetime, *, size: int) -> dict[str, Any]:
    """Titles starting with the typed words, and categories whose names do."""
    words = {"query": q, "operator": "and"}
    return {
        "query": {
            "bool": {
                "filter": visibility_clauses("active", now),
                "should": [
                    {"match": {"title.prefix": {**words, "_name": "title"}}},
                    {"match": {"category_names.prefix": words}},
                ],
                "minimum_should_match": 1,
            }
        },
        "size": size,
        "_source": ["title"],
        "aggs": {
            "categories": {
                "filter": {"match": {"category_names.prefix": words}},
                "aggs": {"labels": {"terms": {"field": "category_leaf_label", "size": size}}},
            }
        },
    }
