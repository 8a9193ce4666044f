"""Filters, sorts, facets and cursor paging of GET /api/v1/search/listings."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from dbay_common.testing.plugin import delete_es_indices
from search_gateway import create_app
from search_gateway.config import load_config
from search_gateway.services import listing_index_snapshot
from search_gateway.store import search_index

from .factories import DOGE, NOW, ids, iso, snapshot

CAMERAS = {
    "category_id": "cameras-photo.digital-cameras",
    "category_path": ["cameras-photo", "cameras-photo.digital-cameras"],
    "category_names": ["Cameras & Photo", "Digital Cameras"],
}
LENSES = {
    "category_id": "cameras-photo.lenses",
    "category_path": ["cameras-photo", "cameras-photo.lenses"],
    "category_names": ["Cameras & Photo", "Lenses"],
}


@pytest.fixture(scope="module")
def catalogue_prefix(elasticsearch_url: str) -> Iterator[str]:
    """One index set for the whole module: its listings are only read."""
    prefix = f"test-{uuid.uuid4().hex[:12]}-"
    try:
        yield f"{prefix}listings"
    finally:
        delete_es_indices(elasticsearch_url, prefix)


@pytest.fixture(scope="module")
def catalogue(catalogue_prefix: str) -> dict[str, dict[str, Any]]:
    """Five active listings that differ in every filtered field, plus hidden ones."""
    listings = {
        "a": snapshot(
            **CAMERAS,
            title="Alpha",
            price_koinu=str(5 * DOGE),
            lowest_shipping_koinu=str(20 * DOGE),
            condition="new",
            format="auction",
            bid_count=7,
            buy_it_now_koinu=str(50 * DOGE),
            ends_at=iso(NOW + timedelta(minutes=30)),
            published_at=iso(NOW - timedelta(hours=5)),
            seller_username="Ada_L",
            shipping_options=[{"service": "Post", "price_koinu": str(20 * DOGE), "ships_to": ["WORLDWIDE"]}],
            location={"country": "DE", "postal_code": "10115", "city": "Berlin"},
        ),
        "b": snapshot(
            **CAMERAS,
            title="Bravo",
            price_koinu=str(12 * DOGE),
            lowest_shipping_koinu=str(1 * DOGE),
            condition="good",
            format="auction",
            bid_count=2,
            ends_at=iso(NOW + timedelta(hours=10)),
            published_at=iso(NOW - timedelta(hours=1)),
            shipping_options=[{"service": "Post", "price_koinu": str(DOGE), "ships_to": ["US", "CA"]}],
            location={"country": "US", "postal_code": "10001", "city": "New York"},
        ),
        "c": snapshot(
            **LENSES,
            title="Charlie",
            price_koinu=str(60 * DOGE),
            lowest_shipping_koinu=None,
            local_pickup=True,
            shipping_options=[],
            condition="like_new",
            ends_at=iso(NOW + timedelta(days=3)),
            published_at=iso(NOW - timedelta(hours=2)),
        ),
        "d": snapshot(
            title="Delta",
            price_koinu=str(150 * DOGE),
            lowest_shipping_koinu=str(5 * DOGE),
            condition="for_parts",
            ends_at=None,
            published_at=iso(NOW - timedelta(hours=3)),
        ),
        "e": snapshot(
            title="Echo",
            price_koinu=str(700 * DOGE),
            lowest_shipping_koinu=str(0),
            condition="good",
            ends_at=iso(NOW + timedelta(days=20)),
            published_at=iso(NOW - timedelta(hours=4)),
        ),
    }
    hidden = [
        snapshot(title="Alpha scheduled", status="scheduled", starts_at=iso(NOW + timedelta(days=1))),
        snapshot(title="Alpha ended", status="ended"),
        snapshot(title="Alpha past end", status="active", ends_at=iso(NOW - timedelta(minutes=1))),
        snapshot(title="Alpha draft", status="draft"),
        snapshot(title="Alpha withdrawn", status="withdrawn"),
    ]
    config = {**load_config(), "ELASTICSEARCH_INDEX_PREFIX": catalogue_prefix}
    for listing in [*listings.values(), *hidden]:
        listing_index_snapshot(config=config, snapshot=listing)
    index = search_index(config)
    index.client.indices.refresh(index=index.alias)
    return listings


@pytest.fixture
def catalogue_client(catalogue: dict[str, dict[str, Any]], catalogue_prefix: str) -> FlaskClient:
    return create_app({"ELASTICSEARCH_INDEX_PREFIX": catalogue_prefix, "SEARCH_CACHE_TTL_S": 0}).test_client()


@pytest.fixture
def catalogue_search(catalogue_client: FlaskClient) -> Callable[..., Any]:
    def search(**params: Any) -> Any:
        response = catalogue_client.get("/api/v1/search/listings", query_string=params)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    return search


def names(body: dict[str, Any], catalogue: dict[str, dict[str, Any]]) -> list[str]:
    by_id = {listing["listing_id"]: name for name, listing in catalogue.items()}
    return [by_id[listing_id] for listing_id in ids(body)]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["a", "b", "c", "d", "e"]),
        ({"category": "cameras-photo"}, ["a", "b", "c"]),
        ({"category": "cameras-photo.lenses"}, ["c"]),
        ({"price_min": "10"}, ["b", "c", "d", "e"]),
        ({"price_max": "12"}, ["a", "b"]),
        ({"price_min": "12.00000001", "price_max": "150"}, ["c", "d"]),
        ({"condition": "good"}, ["b", "e"]),
        ({"condition": "good,new"}, ["a", "b", "e"]),
        ({"format": "auction"}, ["a", "b"]),
        ({"format": "fixed_price"}, ["c", "d", "e"]),
        ({"ending_within": "1h"}, ["a"]),
        ({"ending_within": "1d"}, ["a", "b"]),
        ({"ending_within": "7d"}, ["a", "b", "c"]),
        ({"ending_within": "90"}, ["a"]),
        ({"seller": "ada_l"}, ["a"]),
        ({"ships_to": "CA"}, ["a", "b"]),
        ({"ships_to": "gb"}, ["a", "d", "e"]),
        ({"location_country": "US"}, ["b"]),
        ({"buy_it_now": "true"}, ["a", "c", "d", "e"]),
        ({"buy_it_now": "false"}, ["b"]),
        ({"q": "alpha"}, ["a"]),
    ],
)
def test_each_filter(
    catalogue: dict[str, dict[str, Any]],
    catalogue_search: Callable[..., Any],
    params: dict[str, str],
    expected: list[str],
) -> None:
    assert sorted(names(catalogue_search(**params), catalogue)) == expected


def test_status_ended_shows_ended_listings_only(
    catalogue: dict[str, dict[str, Any]], catalogue_search: Callable[..., Any]
) -> None:
    assert [item["title"] for item in catalogue_search(status="ended")["data"]] == ["Alpha ended"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("ending_soonest", ["a", "b", "c", "e", "d"]),
        ("newly_listed", ["b", "c", "d", "e", "a"]),
        ("price_shipping_lowest", ["b", "a", "c", "d", "e"]),
        ("price_shipping_highest", ["e", "d", "c", "a", "b"]),
        ("most_bids", ["a", "b", "c", "e", "d"]),
    ],
)
def test_each_sort(
    catalogue: dict[str, dict[str, Any]], catalogue_search: Callable[..., Any], sort: str, expected: list[str]
) -> None:
    assert names(catalogue_search(sort=sort), catalogue) == expected


def test_best_match_ranks_title_matches_first(put: Callable[..., None], search: Callable[..., Any]) -> None:
    in_title = snapshot(title="Tripod for cameras", published_at=iso(NOW - timedelta(days=2)))
    in_description = snapshot(title="Bag", description="Fits a tripod.", published_at=iso(NOW))
    put(in_description, in_title)

    assert ids(search(q="tripod")) == [in_title["listing_id"], in_description["listing_id"]]


def test_facets_count_every_match(
    catalogue: dict[str, dict[str, Any]], catalogue_search: Callable[..., Any]
) -> None:
    facets = catalogue_search()["facets"]

    assert facets["categories"] == [
        {"id": "cameras-photo", "name": "Cameras & Photo", "count": 3},
        {"id": "cameras-photo.digital-cameras", "name": "Digital Cameras", "count": 2},
        {"id": "collectibles", "name": "Collectibles", "count": 2},
        {"id": "collectibles.other", "name": "Other", "count": 2},
        {"id": "cameras-photo.lenses", "name": "Lenses", "count": 1},
    ]
    assert facets["conditions"] == [
        {"value": "good", "count": 2},
        {"value": "for_parts", "count": 1},
        {"value": "like_new", "count": 1},
        {"value": "new", "count": 1},
    ]
    assert facets["formats"] == [{"value": "fixed_price", "count": 3}, {"value": "auction", "count": 2}]
    assert [(band["key"], band["count"]) for band in facets["price_bands"]] == [
        ("under_10", 1),
        ("10_to_50", 1),
        ("50_to_100", 1),
        ("100_to_500", 1),
        ("500_and_over", 1),
    ]
    assert facets["price_bands"][1] == {
        "key": "10_to_50",
        "min_koinu": str(10 * DOGE),
        "max_koinu": str(50 * DOGE),
        "count": 1,
    }
    assert facets["buy_it_now"] == {"count": 4}
    assert catalogue_search(category="cameras-photo")["facets"]["formats"] == [
        {"value": "auction", "count": 2},
        {"value": "fixed_price", "count": 1},
    ]


def test_result_carries_amounts_as_koinu_strings(
    catalogue: dict[str, dict[str, Any]], catalogue_search: Callable[..., Any]
) -> None:
    [result] = catalogue_search(q="alpha")["data"]

    assert result["price_koinu"] == str(5 * DOGE)
    assert result["buy_it_now_koinu"] == str(50 * DOGE)
    assert result["lowest_shipping_koinu"] == str(20 * DOGE)
    assert result["total_koinu"] == str(25 * DOGE)
    assert result["bid_count"] == 7
    assert result["seller_username"] == "Ada_L"
    assert result["location"] == {"country": "DE", "city": "Berlin"}


def test_cursor_pages_through_every_result_once(
    catalogue: dict[str, dict[str, Any]], catalogue_search: Callable[..., Any]
) -> None:
    first = catalogue_search(sort="price_shipping_lowest", limit=2)
    second = catalogue_search(sort="price_shipping_lowest", limit=2, cursor=first["next_cursor"])
    third = catalogue_search(sort="price_shipping_lowest", limit=2, cursor=second["next_cursor"])

    assert [names(page, catalogue) for page in (first, second, third)] == [["b", "a"], ["c", "d"], ["e"]]
    assert [page["has_more"] for page in (first, second, third)] == [True, True, False]
    assert third["next_cursor"] is None
    assert first["total"] == second["total"] == 5
    assert first["facets"] is not None
    assert second["facets"] is None


def test_best_match_pages_with_equal_scores(
    catalogue: dict[str, dict[str, Any]], catalogue_search: Callable[..., Any]
) -> None:
    seen: list[str] = []
    body = catalogue_search(limit=2)
    seen += ids(body)
    while body["next_cursor"]:
        body = catalogue_search(limit=2, cursor=body["next_cursor"])
        seen += ids(body)

    assert sorted(seen) == sorted(listing["listing_id"] for listing in catalogue.values())
    assert len(seen) == 5


@pytest.mark.parametrize(
    ("params", "status", "code", "param"),
    [
        ({"limit": "101"}, 400, "invalid_field", "limit"),
        ({"limit": "0"}, 400, "invalid_field", "limit"),
        ({"limit": "ten"}, 400, "invalid_field", "limit"),
        ({"sort": "cheapest"}, 400, "invalid_field", "sort"),
        ({"price_min": "1,5"}, 400, "invalid_field", "price_min"),
        ({"price_min": "-1"}, 400, "invalid_field", "price_min"),
        ({"price_max": "1.123456789"}, 400, "invalid_field", "price_max"),
        ({"price_min": "20", "price_max": "10"}, 400, "invalid_price_range", "price_min"),
        ({"condition": "mint"}, 400, "invalid_field", "condition.0"),
        ({"format": "lottery"}, 400, "invalid_field", "format"),
        ({"ending_within": "2w"}, 400, "invalid_field", "ending_within"),
        ({"ending_within": "99999"}, 400, "invalid_field", "ending_within"),
        ({"ships_to": "GBR"}, 400, "invalid_field", "ships_to"),
        ({"seller": "a b"}, 400, "invalid_field", "seller"),
        ({"category": "../etc"}, 400, "invalid_field", "category"),
        ({"buy_it_now": "maybe"}, 400, "invalid_field", "buy_it_now"),
        ({"status": "draft"}, 400, "invalid_field", "status"),
        ({"q": "x" * 201}, 400, "invalid_field", "q"),
        ({"cursor": "not-a-cursor!"}, 400, "invalid_cursor", "cursor"),
        ({"q": "y" * 10_000}, 400, "query_too_long", None),
    ],
)
def test_bad_input_is_a_400_in_the_error_shape(
    client: FlaskClient, params: dict[str, str], status: int, code: str, param: str | None
) -> None:
    response = client.get("/api/v1/search/listings", query_string=params)

    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["code"] == code
    assert error.get("param") == param
    assert "elasticsearch" not in error["message"].lower()


def test_a_cursor_of_another_sort_is_refused(catalogue_client: FlaskClient) -> None:
    first = catalogue_client.get(
        "/api/v1/search/listings", query_string={"limit": 2, "sort": "newly_listed"}
    ).get_json()
    assert first["next_cursor"]

    response = catalogue_client.get(
        "/api/v1/search/listings",
        query_string={"limit": 2, "sort": "most_bids", "cursor": first["next_cursor"]},
    )

    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_cursor"


def test_paging_beyond_the_window_is_refused(client: FlaskClient) -> None:
    from search_gateway.query import next_cursor

    cursor = next_cursor(sort="newly_listed", after=[0, "x"], served=9_950)

    response = client.get(
        "/api/v1/search/listings", query_string={"sort": "newly_listed", "limit": 100, "cursor": cursor}
    )

    assert response.status_code == 400
    assert response.get_json()["error"] == {
        "type": "invalid_request",
        "code": "paging_too_deep",
        "message": "Search pages reach the first 10000 results; narrow the search to see more.",
        "param": "cursor",
    }


def test_query_syntax_is_searched_as_plain_words(
    put: Callable[..., None], search: Callable[..., Any]
) -> None:
    listing = snapshot(title="Camera (boxed) AND lens")
    put(listing, snapshot(title="Other"))

    assert ids(search(q='camera OR title:* AND "lens')) == []
    assert ids(search(q="camera (boxed)")) == [listing["listing_id"]]
    assert search(q='*:* {"match_all": {}} \\ / [ ] ~ ^')["data"] == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/search/listings?q=camera"),
        ("GET", "/api/v1/search/suggest?q=cam"),
        ("GET", "/api/v1/search/saved"),
        ("POST", "/api/v1/search/saved"),
    ],
)
def test_elasticsearch_down_is_a_503_with_retry_after(
    closed_port: int, jwks_server: Any, auth: Callable[[str], dict[str, str]], method: str, path: str
) -> None:
    app = create_app(
        {"ELASTICSEARCH_URL": f"http://127.0.0.1:{closed_port}", "JWT_JWKS_URL": jwks_server.url}
    )

    response = app.test_client().open(
        path, method=method, headers=auth(str(uuid.uuid4())), json={"name": "x"} if method == "POST" else None
    )

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.get_json() == {
        "error": {
            "type": "api_error",
            "code": "service_unavailable",
            "message": "The service is temporarily unavailable; try again in a few seconds.",
        }
    }


def test_the_answer_is_exactly_the_documented_shape(catalogue_search: Callable[..., Any]) -> None:
    from search_gateway.schemas import SearchPageOut

    body = catalogue_search(q="alpha")

    assert SearchPageOut().dump(body) == body
    assert set(body["data"][0]) == set(SearchPageOut().fields["data"].inner.schema.fields)
